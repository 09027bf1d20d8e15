"""The mypy plugin's hooks on registration: ``manager.register(x)`` and the constructor.

``register(callback: C) -> C`` and ``callbacks: Iterable[object]`` must accept duck-typed
callbacks, so their annotations cannot check them; these hooks hand each callback's type to
:func:`.callbacks.check_callback`. Everything they read comes from the call being checked (its
argument expressions and their inferred types), never from another module's syntax tree, which a
module loaded from mypy's incremental cache does not have.
"""

from __future__ import annotations

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
)
from mypy.plugin import FunctionContext, FunctionSigContext, MethodContext
from mypy.types import FunctionLike, Instance, LiteralType, Type, UnionType, get_proper_type

from .callbacks import check_callback
from .spec import spec_of

__all__ = ["check_constructor", "check_register", "literal_policy_as_str"]

_CALLBACKS_PARAMETER: Final = "callbacks"
_ERRORS_PARAMETER: Final = "errors"
_PRIORITIZED_FULLNAME: Final = "protocall._manager.Prioritized"
_PRIORITIZED_CALLBACK: Final = "callback"


def check_register(ctx: MethodContext) -> Type:
    """``manager.register(x[, priority=p])``: check the type of ``x``; the return type stays
    ``type(x)``."""
    spec = spec_of(ctx.type)
    if spec is not None and ctx.arg_types and len(ctx.arg_types[0]) == 1:
        check_callback(spec, ctx.arg_types[0][0], ctx.args[0][0], ctx.api)
    return ctx.default_return_type


def check_constructor(ctx: FunctionContext) -> Type:
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


def literal_policy_as_str(ctx: FunctionSigContext) -> FunctionLike:
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
