"""protocall's mypy plugin: checks what the annotations of ``CallbackManager`` cannot say.

Enable it in the mypy configuration::

    [mypy]
    plugins = protocall.mypy_plugin

(or ``plugins = ["protocall.mypy_plugin"]`` under ``[tool.mypy]`` in ``pyproject.toml``).

Why a plugin: ``register(callback: C) -> C`` and ``callbacks: Iterable[object]`` must accept
*duck-typed* callbacks, classes that implement some hooks without subclassing the spec's
Protocols, so no annotation can check them; and ``emit("hook_name", ...)`` is ``list[Any]``
(``first("hook_name", ...)`` is ``Any``) because a string cannot name a method in the type
system. The plugin adds, for a checked ``CallbackManager[Spec]`` (``Spec`` a Protocol class):

* **Callbacks** passed to ``manager.register(x)`` (with or without ``priority=``), or listed in a
  list or tuple literal given to the constructor (``CallbackManager(Spec, [A(), B()])``, an item
  ``Prioritized(A(), 5)`` standing for its callback), are checked member by member against the
  spec, as registration checks them at run time (``protocall._validate``):

  - ``protocall-signature``: a member named like a hook that cannot accept every call of the
    hook. The decision is mypy's own subtype check of the bound signatures, with parameter names
    significant: a renamed positional-or-keyword parameter is an error (a caller may pass it by
    keyword; pyright and the runtime agree, mypy's override check does not), as are a wrong
    parameter or return type, a missing positional parameter, an extra required parameter, and
    a member that is not callable. A keyword-only parameter of the hook that the method does
    not declare at all is **accepted**: the runtime is to pass each callback exactly the
    keyword-only arguments it declares (a subset), so only the declared ones are compared.
    A member typed ``X | None`` may be None at run time, which opts out of the hook: only its
    ``X`` is compared.
  - ``protocall-async``: an ``async def`` implementation of a sync hook, or the reverse.
  - ``protocall-no-hook``: the callback's class implements no hook of the spec. As at run time,
    members inherited from a Protocol class do not count (a callback that subclasses a hook
    Protocol implements only what it overrides), nor do members declared ``None``.
  - ``protocall-not-instance``: a class is passed where a callback instance is expected.
  - ``protocall-near-miss``: a public method of a callback that implements some hooks is named
    almost like a hook it does not implement (``on_eror`` beside ``on_error``), so it would
    never be called; the runtime warns at registration (``HookNameWarning``), by the same rule
    (``protocall._rules.near_miss``).

* **``manager.emit("hook_name", ...)``** and **``manager.first("hook_name", ...)``** with a
  literal name (or a ``Final``/``Literal`` str) are checked and typed like
  ``manager.emit(Spec.hook_name, ...)`` and ``manager.first(Spec.hook_name, ...)``: an unknown
  name is a ``protocall-unknown-hook`` error that suggests the closest hook names; the arguments
  are checked against the hook signature (mypy's usual ``arg-type``/``call-arg`` errors); the
  result is ``list[R]`` for ``emit`` and ``R | None`` for ``first``, or a
  ``Coroutine[Any, Any, ...]`` of that for an async hook, as the ``Spec.hook`` overloads give.

An unchecked manager (``CallbackManager(None)``, a ``CallbackManager[Any]``) and a manager whose
spec is still a type variable are left alone: nothing is known about their hooks. So are
callbacks whose static type says nothing (``Any``, ``object``, a type variable).

The constructor is overloaded, and the plugin reports through mypy's second check of the
closest overload. To find it, mypy compares each argument's type as inferred without context,
so a bare string literal (``errors="collect"``) is a ``str`` to it, unlike the ``Literal``
policy; a signature hook therefore widens the ``errors`` parameter with ``str`` for a call whose
literal is a valid policy, which is then found closest, and the plugin's message is shown (not
mypy's ``call-overload``). A literal that is not a policy is left to mypy to report.

Each message names the callback class, the hook and the fix. Every code can be silenced on its
own, e.g. ``# type: ignore[protocall-no-hook]``. Supported: mypy 1.11 and later (tested with the
oldest and the newest), run as users run it: with its incremental cache and under ``dmypy``. So
the plugin reads only what mypy keeps in that cache (types, symbol tables, method flags), never
the syntax of another module (see :mod:`.spec` and :mod:`.render`).

The modules: :mod:`.spec` reads a manager's spec and hooks, :mod:`.callbacks` checks a callback
against them, :mod:`.registration` hooks ``register`` and the constructor, :mod:`.emit` types
``emit``/``first`` by name, :mod:`.render` shows a hook as a ``def`` line, :mod:`.codes` holds
the error codes, :mod:`.near_miss` the methods named almost like a hook.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Final

from mypy.nodes import TypeInfo
from mypy.plugin import (
    FunctionContext,
    FunctionSigContext,
    MethodContext,
    Plugin,
    ReportConfigContext,
)
from mypy.types import FunctionLike, Type

from .. import __version__ as _package_version
from .codes import ASYNC, NEAR_MISS, NO_HOOK, NOT_INSTANCE, SIGNATURE, UNKNOWN_HOOK
from .emit import emit_by_name, first_by_name
from .registration import check_constructor, check_register, literal_policy_as_str
from .spec import MANAGER_FULLNAME

__all__ = [
    "__version__",
    "ASYNC",
    "NEAR_MISS",
    "NOT_INSTANCE",
    "NO_HOOK",
    "SIGNATURE",
    "UNKNOWN_HOOK",
    "ProtocallPlugin",
    "plugin",
]

__version__: Final = _package_version
"""mypy keys its incremental cache on the plugin module's ``__version__`` and source hash."""

SHARED_RUNTIME_MODULES: Final = ("_errors", "_rules")
"""The modules of the runtime (``protocall._*``) whose code the plugin runs: their rules are
the plugin's too, so a change to them must invalidate mypy's cache as well."""


def digested_sources() -> list[Path]:
    """Every file whose code decides what the plugin reports: each module of this package and
    the shared runtime modules."""
    here = Path(__file__).parent
    shared = [here.parent / f"{name}.py" for name in SHARED_RUNTIME_MODULES]
    return sorted([*here.glob("*.py"), *shared])


def _sources_digest() -> str:
    """A hash of every module of the plugin, not only of this one (which is all mypy hashes)."""
    digest = hashlib.sha256()
    root = Path(__file__).parent.parent
    for path in digested_sources():
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


_SOURCES_DIGEST: Final = _sources_digest()


class ProtocallPlugin(Plugin):
    """Hooks on ``CallbackManager`` and its subclasses: the constructor, ``register``,
    ``emit`` and ``first``."""

    def report_config_data(self, ctx: ReportConfigContext) -> str:
        """Invalidate mypy's cache when any module of the plugin changes.

        mypy hashes only the module named in ``plugins =``; a change to a helper module would
        otherwise leave the errors of unchanged user modules stale.
        """
        return _SOURCES_DIGEST

    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        """The constructor call ``CallbackManager(Spec, [...])`` is a function hook on the class."""
        return check_constructor if self._is_manager(fullname) else None

    def get_function_signature_hook(
        self, fullname: str
    ) -> Callable[[FunctionSigContext], FunctionLike] | None:
        """The constructor's signature: a literal policy is let through the search for the
        closest overload (see :func:`.registration.literal_policy_as_str`)."""
        return literal_policy_as_str if self._is_manager(fullname) else None

    def get_method_hook(self, fullname: str) -> Callable[[MethodContext], Type] | None:
        """``manager.register(x)``, ``manager.emit("name", ...)`` and ``manager.first(...)``."""
        owner, _, method = fullname.rpartition(".")
        hook = _METHOD_HOOKS.get(method)
        return hook if hook is not None and self._is_manager(owner) else None

    def _is_manager(self, fullname: str) -> bool:
        """Whether ``fullname`` names ``CallbackManager`` or a subclass of it.

        Looked up afresh each time, not remembered: under ``dmypy`` one plugin instance serves
        every run, and a class may become (or stop being) a subclass between two runs.
        """
        if fullname == MANAGER_FULLNAME:
            return True
        symbol = self.lookup_fully_qualified(fullname) if "." in fullname else None
        node = symbol.node if symbol is not None else None
        return isinstance(node, TypeInfo) and node.has_base(MANAGER_FULLNAME)


_METHOD_HOOKS: Final[dict[str, Callable[[MethodContext], Type]]] = {
    "register": check_register,
    "emit": emit_by_name,
    "first": first_by_name,
}


def plugin(version: str) -> type[Plugin]:
    """mypy's entry point: the plugin class, the same for every supported mypy version."""
    return ProtocallPlugin
