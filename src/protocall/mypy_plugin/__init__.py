"""protocall's mypy plugin: checks what the annotations of ``CallbackManager`` cannot say.

Enable it in the mypy configuration::

    [mypy]
    plugins = protocall.mypy_plugin

(or ``plugins = ["protocall.mypy_plugin"]`` under ``[tool.mypy]`` in ``pyproject.toml``).

Why a plugin: ``register(callback: C) -> C``, ``callbacks: Iterable[object]`` and a library's
``CallbackOf[Spec]`` must accept *duck-typed* callbacks, classes that implement some hooks
without subclassing the spec's Protocols, so no annotation can check them; ``emit("hook_name",
...)`` is ``list[Any]`` (``first("hook_name", ...)`` is ``Any``) because a string cannot name a
method in the type system; and ``manager.call`` is typed as the spec, whose hooks may return
values that ``call`` discards. The plugin adds, for a checked ``CallbackManager[Spec]`` (``Spec``
a Protocol class):

* **Callbacks** are checked member by member against the spec, as registration checks them at
  run time (``protocall._validate``), wherever they are registered: ``manager.register(x)``
  (with or without ``priority=``), the constructor's callbacks (``CallbackManager(Spec, [A(),
  B()])``), and every argument of a library's parameter typed ``CallbackOf[Spec]``,
  ``CallbackOf[Spec] | None`` or an iterable of them (:mod:`.callback_of`). An iterable's
  callbacks are read from the expression (:mod:`.sources`): the items of a list, tuple or set
  display, ``*xs`` unpacked into it, a comprehension's element, the items a variable was given
  before the use (``cbs = [A(), B()]``, ``cbs.append(C())``), or else the iterable's item type;
  an item ``Prioritized(A(), 5)`` stands for its callback, ``a if c else b`` for both branches,
  and of an ``Optional`` value the part that is not None is checked. The errors:

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
  - ``protocall-prioritized``: ``register(Prioritized(x, p))``; the runtime refuses it
    (``TypeError``): ``Prioritized`` is for the constructor's list, ``register`` takes
    ``priority=``.
  - ``protocall-near-miss``: a public method of a callback that implements some hooks is named
    almost like a hook it does not implement (``on_eror`` beside ``on_error``), so it would
    never be called; the runtime warns at registration (``HookNameWarning``), by the same rule
    (``protocall._rules.near_miss``).

  What a value's static type cannot know is not reported. A value typed as a class may at run
  time be an instance of a subclass, which may implement the hooks the class lacks: so
  ``protocall-no-hook`` and ``protocall-near-miss`` (facts about what a class does not have)
  are reported only for a value whose class is known exactly (an instance made right there, a
  variable last assigned one, a ``@final`` class, a module, a function, a literal), never for
  a parameter typed as the user's base class or for ``self``. A wrong member is reported for
  every value (a subclass inherits it, or overrides it compatibly, which mypy checks). Nothing
  is reported for ``Any``, ``object``, a type variable, or a ``CallbackOf[Spec]`` value (checked
  where it entered the library). A module registered as a callback has its functions as hooks,
  as at run time. Each mistake is reported once: a callback class that overrides a hook of a
  Protocol it subclasses incompatibly is mypy's ``[override]`` error where the class is
  defined, and the plugin does not repeat it at the registration (a renamed parameter, which
  mypy's override check lets through, is still the plugin's).

* **``manager.call.<hook>``** of a hook declared with a return type other than None (for an
  ``async def``: other than None once awaited) is a ``protocall-call-result`` error naming
  ``emit`` and ``first``, called or only looked up (``on_x = manager.call.on_x``): the runtime
  raises ``TypeError`` there, since ``call`` would discard the results (semantics 10). A hook
  without a return annotation may be called. See :mod:`.call_result`.

* **``manager.emit("hook_name", ...)``** and **``manager.first("hook_name", ...)``** with a
  literal name (or a ``Final``/``Literal`` str) are checked and typed like
  ``manager.emit(Spec.hook_name, ...)`` and ``manager.first(Spec.hook_name, ...)``: an unknown
  name is a ``protocall-unknown-hook`` error that suggests the closest hook names; the arguments
  are checked against the hook signature (mypy's usual ``arg-type``/``call-arg`` errors); the
  result is ``list[R]`` for ``emit`` and ``R | None`` for ``first``, or a
  ``Coroutine[Any, Any, ...]`` of that for an async hook, as the ``Spec.hook`` overloads give.

An unchecked manager (``CallbackManager(None)``, a ``CallbackManager[Any]``) and a manager whose
spec is still a type variable are left alone: nothing is known about their hooks.

The constructor is overloaded, and the plugin reports through mypy's second check of the
closest overload. To find it, mypy compares each argument's type as inferred without context,
so a bare string literal (``errors="collect"``) is a ``str`` to it, unlike the ``Literal``
policy; a signature hook therefore widens the ``errors`` parameter with ``str`` for a call whose
literal is a valid policy, which is then found closest, and the plugin's message is shown (not
mypy's ``call-overload``). A literal that is not a policy is left to mypy to report.

Each message names the callback class, the hook and the fix. Every code can be silenced on its
own, e.g. ``# type: ignore[protocall-no-hook]``. Supported: mypy 1.17 and later (tested with the
oldest and the newest), run as users run it: with its incremental cache and under ``dmypy``. So
the plugin reads only what mypy keeps in that cache (types, symbol tables, method flags), never
the syntax of another module: of the module being checked it reads the statements before a use
and the expression around ``.call`` (:mod:`.syntax`), which mypy always has for that module.
What it remembers lives for one module's check (:mod:`.memo`). The case files of
``tests/mypy_plugin`` hold its verdicts, and ``tests/test_plugin_runtime_agreement.py`` holds the
run time to the same ones.

The modules: :mod:`.spec` reads a manager's spec and hooks, :mod:`.callbacks` checks a callback
against them, :mod:`.sources` finds the callbacks an argument stands for, :mod:`.registration`
hooks ``register`` and the constructor, :mod:`.callback_of` the calls that pass ``CallbackOf``
parameters, :mod:`.call_result` ``manager.call``, :mod:`.emit` types ``emit``/``first`` by name,
:mod:`.render` shows a hook as a ``def`` line, :mod:`.codes` holds the error codes,
:mod:`.names` the full names of protocall's objects, :mod:`.near_miss` the methods named almost
like a hook, :mod:`.syntax` and :mod:`.memo` the reading of the module being checked,
:mod:`.dependencies` what ``dmypy`` must re-check when a callback's class changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Final, NamedTuple

from mypy.nodes import SymbolNode, TypeInfo
from mypy.plugin import (
    AttributeContext,
    FunctionContext,
    FunctionSigContext,
    MethodContext,
    Plugin,
    ReportConfigContext,
)
from mypy.types import FunctionLike, Type

from .. import __version__ as _package_version
from .codes import (
    ASYNC,
    CALL_RESULT,
    NEAR_MISS,
    NO_HOOK,
    NOT_INSTANCE,
    PRIORITIZED,
    SIGNATURE,
    UNKNOWN_HOOK,
)
from .names import MANAGER_FULLNAME

if TYPE_CHECKING:
    from .callback_of import Lookup

__all__ = [
    "ASYNC",
    "CALL_RESULT",
    "NEAR_MISS",
    "NOT_INSTANCE",
    "NO_HOOK",
    "PRIORITIZED",
    "SIGNATURE",
    "UNKNOWN_HOOK",
    "ProtocallPlugin",
    "__version__",
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


_CALL_FULLNAME: Final = f"{MANAGER_FULLNAME}.call"
_MANAGER_METHODS: Final = frozenset({"register", "emit", "first"})


class _Checks(NamedTuple):
    """The plugin's checks. Imported when mypy first asks for one, not with this module: a run
    whose modules all come from the cache checks nothing, and should not pay for them."""

    constructor: Callable[[FunctionContext], Type]
    literal_policy: Callable[[FunctionSigContext], FunctionLike]
    methods: dict[str, Callable[[MethodContext], Type]]
    call_access: Callable[[AttributeContext], Type]
    function_hook: Callable[[Lookup, str], Callable[[FunctionContext], Type]]
    method_hook: Callable[[Lookup, str], Callable[[MethodContext], Type]]
    takes_callback_of: Callable[[SymbolNode], bool]


@cache
def _checks() -> _Checks:
    from .call_result import check_call_access
    from .callback_of import function_hook, method_hook, takes_callback_of
    from .emit import emit_by_name, first_by_name
    from .registration import check_constructor, check_register, literal_policy_as_str

    methods: dict[str, Callable[[MethodContext], Type]] = {
        "register": check_register,
        "emit": emit_by_name,
        "first": first_by_name,
    }
    return _Checks(
        check_constructor,
        literal_policy_as_str,
        methods,
        check_call_access,
        function_hook,
        method_hook,
        takes_callback_of,
    )


class ProtocallPlugin(Plugin):
    """Hooks on ``CallbackManager`` and its subclasses (the constructor, ``register``, ``emit``,
    ``first``, the attribute ``call``) and on the functions and methods that take
    ``CallbackOf[...]`` parameters."""

    def report_config_data(self, ctx: ReportConfigContext) -> str:
        """Invalidate mypy's cache when any module of the plugin changes.

        mypy hashes only the module named in ``plugins =``; a change to a helper module would
        otherwise leave the errors of unchanged user modules stale.
        """
        return _SOURCES_DIGEST

    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        """The constructor call ``CallbackManager(Spec, [...])`` is a function hook on the class;
        so is a call of a function or class that takes ``CallbackOf`` parameters."""
        node = self._lookup(fullname)
        if fullname == MANAGER_FULLNAME or _is_manager_class(node):
            return _checks().constructor
        if node is not None and _checks().takes_callback_of(node):
            return _checks().function_hook(self._lookup, fullname)
        return None

    def get_function_signature_hook(
        self, fullname: str
    ) -> Callable[[FunctionSigContext], FunctionLike] | None:
        """The constructor's signature: a literal policy is let through the search for the
        closest overload (see :func:`.registration.literal_policy_as_str`)."""
        return _checks().literal_policy if self._is_manager(fullname) else None

    def get_method_hook(self, fullname: str) -> Callable[[MethodContext], Type] | None:
        """``manager.register(x)``, ``manager.emit("name", ...)`` and ``manager.first(...)``;
        and a call of a method that takes ``CallbackOf`` parameters."""
        owner, _, method = fullname.rpartition(".")
        if method in _MANAGER_METHODS and self._is_manager(owner):
            return _checks().methods[method]
        info = self._lookup(owner)
        if isinstance(info, TypeInfo):
            member = info.get(method)  # mypy names the receiver's class, not the defining one
            node = member.node if member is not None else None
            if node is not None and _checks().takes_callback_of(node):
                return _checks().method_hook(self._lookup, fullname)
        return None

    def get_attribute_hook(self, fullname: str) -> Callable[[AttributeContext], Type] | None:
        """``manager.call``, to check the hook looked up on it (see :mod:`.call_result`)."""
        return _checks().call_access if fullname == _CALL_FULLNAME else None

    def _lookup(self, fullname: str) -> SymbolNode | None:
        """The declaration named ``fullname``, looked up afresh (for ``dmypy``)."""
        if "." not in fullname:
            return None
        symbol = self.lookup_fully_qualified(fullname)
        return symbol.node if symbol is not None else None

    def _is_manager(self, fullname: str) -> bool:
        """Whether ``fullname`` names ``CallbackManager`` or a subclass of it.

        Looked up afresh each time, not remembered: under ``dmypy`` one plugin instance serves
        every run, and a class may become (or stop being) a subclass between two runs.
        """
        return fullname == MANAGER_FULLNAME or _is_manager_class(self._lookup(fullname))


def _is_manager_class(node: SymbolNode | None) -> bool:
    return isinstance(node, TypeInfo) and node.has_base(MANAGER_FULLNAME)


def plugin(version: str) -> type[Plugin]:
    """mypy's entry point: the plugin class, the same for every supported mypy version."""
    return ProtocallPlugin
