"""The mypy plugin's hooks on registration: ``manager.register(x)`` and the constructor.

``register(callback: C) -> C`` and ``callbacks: Iterable[object]`` must accept duck-typed
callbacks, so their annotations cannot check them; these hooks hand each callback (read by
:class:`.sources.Sources`) to :func:`.callbacks.check_callback`. Everything they read comes from
the module being checked (the call's argument expressions, their inferred types, the statements
before the call), never from another module's syntax tree, which a module loaded from mypy's
incremental cache does not have.
"""

from __future__ import annotations

from typing import Final

from mypy.nodes import ARG_STAR, ARG_STAR2, StrExpr
from mypy.plugin import FunctionContext, FunctionSigContext, MethodContext
from mypy.types import FunctionLike, LiteralType, Type, UnionType, get_proper_type

from . import codes
from .callbacks import check_callback
from .sources import Sources, prioritized_callback
from .spec import spec_of

__all__ = ["check_constructor", "check_register", "literal_policy_as_str"]

_CALLBACKS_PARAMETER: Final = "callbacks"
_ERRORS_PARAMETER: Final = "errors"


_PRIORITIZED_MESSAGE: Final = (
    "Prioritized(...) is for the constructor's list; pass the priority to register instead: "
    "manager.register(callback, priority=...)"
)
"""The run time's own message (``CallbackManager.register`` raises ``TypeError``)."""


def check_register(ctx: MethodContext) -> Type:
    """``manager.register(x[, priority=p])``: check the value ``x``; the return type stays
    ``type(x)``.

    ``register(Prioritized(x, p))`` is refused at run time (``TypeError``): ``Prioritized`` is
    for the constructor's list, ``register`` takes ``priority=``. It is reported as that, with
    the run time's advice, not as a callback of class ``Prioritized`` implementing no hook."""
    spec = spec_of(ctx.type, ctx.api)
    if spec is None or not ctx.arg_types or len(ctx.arg_types[0]) != 1:
        return ctx.default_return_type
    sources = Sources(ctx.api)
    given, kind = ctx.args[0][0], ctx.arg_kinds[0][0]
    if kind == ARG_STAR2:
        return ctx.default_return_type
    if kind != ARG_STAR and prioritized_callback(ctx.arg_types[0][0]) is not None:
        ctx.api.fail(_PRIORITIZED_MESSAGE, given, code=codes.PRIORITIZED)
        return ctx.default_return_type
    if kind == ARG_STAR:  # register(*callbacks): each is one
        callbacks = sources.many(given)
    else:
        callbacks = sources.one(given, ctx.arg_types[0][0])
    for callback in callbacks:
        check_callback(spec, callback, ctx.api)
    return ctx.default_return_type


def check_constructor(ctx: FunctionContext) -> Type:
    """``CallbackManager(Spec, callbacks)``: check each callback of the iterable.

    ``callbacks: Iterable[object]`` makes the argument's own type say nothing of its items, so
    they are read from the expression (see :mod:`.sources`): the items of a list, tuple or set
    display, a comprehension's element, what a variable was given before the call. An item
    ``Prioritized(x, p)`` (of type ``Prioritized[C]``) is checked as its callback.
    """
    spec = spec_of(ctx.default_return_type, ctx.api)
    if spec is None or _CALLBACKS_PARAMETER not in ctx.callee_arg_names:
        return ctx.default_return_type
    given = ctx.args[ctx.callee_arg_names.index(_CALLBACKS_PARAMETER)]
    if len(given) != 1:
        return ctx.default_return_type
    for callback in Sources(ctx.api).many(given[0]):
        check_callback(spec, callback, ctx.api)
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
