"""What ``dmypy`` must re-check when a callback's class or module changes.

``dmypy`` re-checks a part of the program (a function, a module's top level: a *target*) only
when a *trigger* it depends on fires: ``<m.C>`` when the class ``m.C`` changes as a whole (its
bases, its MRO), ``<m.C.x>`` when its member ``x`` changes, ``<m.C[wildcard]>`` when any member of
``m.C`` is added, removed or changes, ``<m[wildcard]>`` likewise for the top level of the module
``m``. mypy derives the dependencies of a target from its syntax and the types mypy inferred
(``mypy.server.deps``). A registration ``manager.register(Duck())`` depends that way on
``<cbs.Duck>`` and on ``Duck``'s constructor, never on ``Duck``'s other members: mypy does not
read them there, the plugin does. So without more, ``dmypy`` would keep the plugin's verdict on
``Duck`` after an edit of ``Duck.on_start`` (or of a base class's), and report what a cold run
does not. (A run with the incremental cache has no such problem: it re-checks every module that
imports a changed one.)

The plugin therefore records, for each callback class it reads, what mypy records for a class it
checks against a Protocol, and a little more:

* the protocol check itself (``type_state.record_protocol_subtype_check``, as mypy's
  ``is_protocol_implementation`` does): after the build, mypy makes each hook member of every
  class of the callback's MRO (``<base.on_start>``) trigger ``<cbs.Duck>``, on which the target
  that registers ``Duck`` depends, directly or through a function returning one (a function's
  trigger depends on the classes of its signature). mypy keeps these dependencies in every kind
  of update, also when it re-checks one target only;
* a dependency of the current target on ``<B>`` and ``<B[wildcard]>`` for each class ``B`` of the
  MRO (``<m>`` and ``<m[wildcard]>`` for a module registered as a callback): the plugin also
  reads the members that are not hooks (a method named almost like a hook, or the only hook
  renamed) and what a base class declares. These go where mypy's semantic analyzer puts a
  plugin's dependencies (``MypyFile.plugin_deps``, read when mypy computes the dependencies of a
  whole module: after a full build, and after it re-checks an edited module).

Both are cheap for a plain ``mypy`` run, which computes no fine-grained dependencies.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from mypy.checker import TypeChecker
from mypy.nodes import TypeInfo
from mypy.plugin import CheckerPluginInterface
from mypy.server.trigger import make_trigger, make_wildcard_trigger
from mypy.typestate import type_state

__all__ = ["depend_on_class", "depend_on_module"]

_OBJECT: Final = "builtins.object"


def depend_on_class(callback: TypeInfo, spec: TypeInfo, api: CheckerPluginInterface) -> None:
    """The current target reads the class ``callback`` (and its bases) to check it against the
    spec Protocol ``spec``: re-check it when they change."""
    type_state.record_protocol_subtype_check(callback, spec)
    names = [klass.fullname for klass in callback.mro if klass.fullname != _OBJECT]
    _depend_on(names, api)


def depend_on_module(module: str, api: CheckerPluginInterface) -> None:
    """The current target reads the module ``module``, registered as a callback: re-check it
    when the module's top level changes."""
    _depend_on([module], api)


def _depend_on(names: Iterable[str], api: CheckerPluginInterface) -> None:
    """Make the target being checked depend on the triggers of each full name in ``names``,
    as a whole and member by member."""
    if not isinstance(api, TypeChecker):
        return
    target = api.tscope.current_target()
    deps = api.tree.plugin_deps
    for name in names:
        for trigger in (make_trigger(name), make_wildcard_trigger(name)):
            deps.setdefault(trigger, set()).add(target)
