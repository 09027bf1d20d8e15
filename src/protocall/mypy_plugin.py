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
oldest and the newest).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Final

from mypy.checker import TypeChecker
from mypy.maptype import map_instance_to_supertype
from mypy.nodes import (
    ARG_POS,
    CallExpr,
    Expression,
    IndexExpr,
    ListExpr,
    RefExpr,
    StarExpr,
    StrExpr,
    TupleExpr,
    TypeInfo,
)
from mypy.options import Options
from mypy.plugin import (
    FunctionContext,
    FunctionSigContext,
    MethodContext,
    Plugin,
    ReportConfigContext,
)
from mypy.types import (
    FunctionLike,
    Instance,
    LiteralType,
    Type,
    UnionType,
    get_proper_type,
)

from . import __version__ as _package_version
from ._mypy_callbacks import check_callback
from ._mypy_codes import ASYNC, NO_HOOK, NOT_INSTANCE, SIGNATURE, UNKNOWN_HOOK
from ._mypy_emit import emit_by_name, first_by_name
from ._mypy_spec import MANAGER_FULLNAME, spec_of

__all__ = [
    "__version__",
    "ASYNC",
    "NOT_INSTANCE",
    "NO_HOOK",
    "SIGNATURE",
    "UNKNOWN_HOOK",
    "ProtocallPlugin",
    "plugin",
]

__version__: Final = _package_version
"""mypy keys its incremental cache on the plugin module's ``__version__`` and source hash."""

_CALLBACKS_PARAMETER: Final = "callbacks"
_ERRORS_PARAMETER: Final = "errors"
_PRIORITIZED_FULLNAME: Final = "protocall._manager.Prioritized"
_PRIORITIZED_CALLBACK: Final = "callback"


def _sources_digest() -> str:
    """A hash of every module of the plugin, not only of this one (which is all mypy hashes)."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for path in sorted([*here.glob("_mypy_*.py"), here / "_errors.py", Path(__file__)]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


_SOURCES_DIGEST: Final = _sources_digest()


class ProtocallPlugin(Plugin):
    """Hooks on ``CallbackManager`` and its subclasses: the constructor, ``register``,
    ``emit`` and ``first``."""

    def __init__(self, options: Options) -> None:
        super().__init__(options)
        self._managers: dict[str, bool] = {MANAGER_FULLNAME: True}

    def report_config_data(self, ctx: ReportConfigContext) -> str:
        """Invalidate mypy's cache when any module of the plugin changes.

        mypy hashes only the module named in ``plugins =``; a change to a helper module would
        otherwise leave the errors of unchanged user modules stale.
        """
        return _SOURCES_DIGEST

    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        """The constructor call ``CallbackManager(Spec, [...])`` is a function hook on the class."""
        return _check_constructor if self._is_manager(fullname) else None

    def get_function_signature_hook(
        self, fullname: str
    ) -> Callable[[FunctionSigContext], FunctionLike] | None:
        """The constructor's signature: a literal policy is let through the search for the
        closest overload (see :func:`_literal_policy_as_str`)."""
        return _literal_policy_as_str if self._is_manager(fullname) else None

    def get_method_hook(self, fullname: str) -> Callable[[MethodContext], Type] | None:
        """``manager.register(x)``, ``manager.emit("name", ...)`` and ``manager.first(...)``."""
        owner, _, method = fullname.rpartition(".")
        hook = _METHOD_HOOKS.get(method)
        return hook if hook is not None and self._is_manager(owner) else None

    def _is_manager(self, fullname: str) -> bool:
        """Whether ``fullname`` names ``CallbackManager`` or a subclass of it (cached)."""
        known = self._managers.get(fullname)
        if known is None:
            symbol = self.lookup_fully_qualified(fullname) if "." in fullname else None
            node = symbol.node if symbol is not None else None
            known = isinstance(node, TypeInfo) and node.has_base(MANAGER_FULLNAME)
            self._managers[fullname] = known
        return known


def _check_register(ctx: MethodContext) -> Type:
    """``manager.register(x[, priority=p])``: check the type of ``x``; the return type stays
    ``type(x)``."""
    spec = spec_of(ctx.type)
    if spec is not None and ctx.arg_types and len(ctx.arg_types[0]) == 1:
        check_callback(spec, ctx.arg_types[0][0], ctx.args[0][0], ctx.api)
    return ctx.default_return_type


def _check_constructor(ctx: FunctionContext) -> Type:
    """``CallbackManager(Spec, [a, b])``: check each item of a list or tuple literal.

    ``callbacks: Iterable[object]`` makes the list's own type ``list[object]``, so the items'
    types are read one by one; a list built elsewhere cannot be checked item by item. An item of
    type ``Prioritized[C]`` is checked as its callback, of type ``C``.
    """
    spec = spec_of(ctx.default_return_type)
    if spec is None or _CALLBACKS_PARAMETER not in ctx.callee_arg_names:
        return ctx.default_return_type
    given = ctx.args[ctx.callee_arg_names.index(_CALLBACKS_PARAMETER)]
    if len(given) != 1 or not isinstance(given[0], (ListExpr, TupleExpr)):
        return ctx.default_return_type  # only literals list their callbacks one by one
    for item in given[0].items:
        typ = _type_of(ctx, item)
        if typ is None:
            continue
        wrapped = _prioritized_callback(typ)
        if wrapped is None:
            check_callback(spec, typ, item, ctx.api)
        else:
            check_callback(spec, wrapped, _callback_expression(item), ctx.api)
    return ctx.default_return_type


def _literal_policy_as_str(ctx: FunctionSigContext) -> FunctionLike:
    """Widen ``errors`` with ``str`` in one overload of the constructor, for one call whose
    ``errors=`` is a string literal naming a valid policy.

    When the plugin reports a bad callback, no overload matches, and mypy looks for the closest
    one to check again (reporting the plugin's errors then) by comparing the arguments' types as
    inferred without context: ``str`` for the literal, which is not like the ``Literal`` policy.
    For a valid literal the widening changes nothing else: the call type-checks the same.
    """
    signature = ctx.default_signature
    if _ERRORS_PARAMETER not in signature.arg_names:
        return signature
    index = signature.arg_names.index(_ERRORS_PARAMETER)
    given = ctx.args[index]
    if len(given) != 1 or not isinstance(given[0], StrExpr):
        return signature
    declared = get_proper_type(signature.arg_types[index])
    options = declared.items if isinstance(declared, UnionType) else [declared]
    policies = {
        literal.value
        for literal in map(get_proper_type, options)
        if isinstance(literal, LiteralType)
    }
    if given[0].value not in policies:
        return signature  # mypy reports a policy that does not exist
    widened = UnionType.make_union(
        [signature.arg_types[index], ctx.api.named_generic_type("builtins.str", [])]
    )
    arg_types = list(signature.arg_types)
    arg_types[index] = widened
    # copy_modified's parameters are typed with mypy's own `Bogus[...]`, unknown to pyright.
    return signature.copy_modified(arg_types=arg_types)  # pyright: ignore[reportUnknownMemberType]


def _prioritized_callback(typ: Type) -> Type | None:
    """``C`` for a ``Prioritized[C]`` (the inferred type argument), else None."""
    proper = get_proper_type(typ)
    if not isinstance(proper, Instance):
        return None
    base = next((b for b in proper.type.mro if b.fullname == _PRIORITIZED_FULLNAME), None)
    if base is None:
        return None
    mapped = map_instance_to_supertype(proper, base)
    return mapped.args[0] if mapped.args else None


def _callback_expression(item: Expression) -> Expression:
    """Where to report on ``Prioritized(callback, priority)``: at its callback argument (which
    may stand on a line of its own); on the whole item if it is not such a call."""
    if not isinstance(item, CallExpr):
        return item
    callee = item.callee.base if isinstance(item.callee, IndexExpr) else item.callee
    if not (isinstance(callee, RefExpr) and callee.fullname == _PRIORITIZED_FULLNAME):
        return item  # a function returning a Prioritized: its arguments may be anything
    for position, (argument, kind, name) in enumerate(
        zip(item.args, item.arg_kinds, item.arg_names)
    ):
        if name == _PRIORITIZED_CALLBACK or (position == 0 and kind == ARG_POS):
            return argument
    return item


def _type_of(ctx: FunctionContext, expression: Expression) -> Type | None:
    """The type mypy inferred for an item of the literal (already checked as part of the call)."""
    if isinstance(expression, StarExpr):
        return None
    if isinstance(ctx.api, TypeChecker):
        known = ctx.api.lookup_type_or_none(expression)
        if known is not None:
            return known
    return ctx.api.get_expression_type(expression)


_METHOD_HOOKS: Final[dict[str, Callable[[MethodContext], Type]]] = {
    "register": _check_register,
    "emit": emit_by_name,
    "first": first_by_name,
}


def plugin(version: str) -> type[Plugin]:
    """mypy's entry point: the plugin class, the same for every supported mypy version."""
    return ProtocallPlugin
