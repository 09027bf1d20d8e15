"""The mypy plugin's typing of ``emit("hook_name", ...)`` and ``first("hook_name", ...)``.

Without the plugin the ``str`` overloads of ``emit`` and ``first`` take any arguments and return
``list[Any]`` and ``Any``. With a literal name, the plugin looks the hook up in the spec, reports
an unknown name (suggesting the closest hooks, as the runtime's ``UnknownHookError`` does),
checks the arguments against the hook's signature with mypy's own call checker (so the errors
are mypy's usual ``arg-type``/``call-arg`` ones) and types the result as the ``Spec.hook``
overloads do: ``list[R]`` for ``emit``, ``R | None`` for ``first``, each wrapped in
``Coroutine[Any, Any, ...]`` for an async hook.
"""

from __future__ import annotations

from collections.abc import Callable

from mypy.checker import TypeChecker
from mypy.maptype import map_instance_to_supertype
from mypy.nodes import ARG_POS, ArgKind, CallExpr, Expression, StrExpr
from mypy.plugin import MethodContext
from mypy.typeops import make_simplified_union
from mypy.types import AnyType, Instance, LiteralType, NoneType, Type, TypeOfAny, get_proper_type

from .._errors import closest_names
from . import codes
from .spec import Spec, spec_of

__all__ = ["emit_by_name", "first_by_name"]

_Shape = Callable[[TypeChecker, Type], Type]
"""What a dispatch method makes of the hook's own result type ``R`` (the awaited one if async)."""


def _results(checker: TypeChecker, result: Type) -> Type:
    return checker.named_generic_type("builtins.list", [result])


def _first_result(checker: TypeChecker, result: Type) -> Type:
    return make_simplified_union([result, NoneType()])


def emit_by_name(ctx: MethodContext) -> Type:
    """The method hook of ``CallbackManager.emit``: ``list[R]`` for a literal hook name."""
    return _by_name(ctx, _results)


def first_by_name(ctx: MethodContext) -> Type:
    """The method hook of ``CallbackManager.first``: ``R | None`` for a literal hook name."""
    return _by_name(ctx, _first_result)


def _by_name(ctx: MethodContext, shape: _Shape) -> Type:
    """Check a call by literal hook name and type its result with ``shape``."""
    name = _literal_name(ctx)
    if name is None:
        return ctx.default_return_type
    spec = spec_of(ctx.type, ctx.api)
    if spec is None:
        return ctx.default_return_type  # unchecked manager: any name goes, as at run time
    hook = spec.hooks.get(name)
    if hook is None:
        ctx.api.fail(_unknown_message(spec, name), ctx.args[0][0], code=codes.UNKNOWN_HOOK)
        return ctx.default_return_type
    args: list[Expression] = []
    kinds: list[ArgKind] = []
    names: list[str | None] = []
    for formal in range(1, len(ctx.args)):
        args += ctx.args[formal]
        kinds += ctx.arg_kinds[formal]
        names += ctx.arg_names[formal]
    checker = ctx.api
    if not isinstance(checker, TypeChecker):
        return ctx.default_return_type
    # emit and first are overloaded: mypy tries each overload with errors muted, and this hook
    # runs inside those tries. An error here makes the `str` overload fail to match; mypy then
    # checks it again as the closest candidate, unmuted, and our errors are reported once.
    context = _call(ctx, args, kinds, names)
    result, _ = checker.expr_checker.check_call(hook.signature, args, kinds, context, names)
    return _shaped(checker, result, shape)


def _call(
    ctx: MethodContext, args: list[Expression], kinds: list[ArgKind], names: list[str | None]
) -> CallExpr:
    """The call as if it were ``Spec.hook(...)``: mypy's messages number and name the arguments
    from the call expression, which must not count the hook name."""
    original = ctx.context
    callee = original.callee if isinstance(original, CallExpr) else ctx.args[0][0]
    call = CallExpr(callee, args, kinds, names)
    call.set_line(original)
    return call


def _literal_name(ctx: MethodContext) -> str | None:
    """The hook name when the first argument is a literal string, else None."""
    if not ctx.args or len(ctx.args[0]) != 1 or ctx.arg_kinds[0][0] != ARG_POS:
        return None
    expression = ctx.args[0][0]
    if isinstance(expression, StrExpr):
        return expression.value
    typ = get_proper_type(ctx.arg_types[0][0])
    if isinstance(typ, Instance) and typ.last_known_value is not None:
        typ = typ.last_known_value
    if (
        isinstance(typ, LiteralType)
        and isinstance(typ.value, str)
        and typ.fallback.type.fullname == "builtins.str"
    ):
        return typ.value
    return None


def _shaped(checker: TypeChecker, result: Type, shape: _Shape) -> Type:
    """``shape(R)``; for a hook returning a coroutine of ``R``, a coroutine of ``shape(R)``."""
    proper = get_proper_type(result)
    if isinstance(proper, Instance):
        coroutine = next((b for b in proper.type.mro if b.fullname == "typing.Coroutine"), None)
        if coroutine is not None:
            awaited = map_instance_to_supertype(proper, coroutine).args[-1]
            anything = AnyType(TypeOfAny.special_form)
            shaped = shape(checker, awaited)
            return checker.named_generic_type("typing.Coroutine", [anything, anything, shaped])
    return shape(checker, result)


def _unknown_message(spec: Spec, name: str) -> str:
    close = closest_names(name, spec.hooks)  # as the runtime's UnknownHookError
    message = f'"{spec.name}" has no hook "{name}"'
    if close:
        message += "; did you mean " + " or ".join(f'"{c}"' for c in close) + "?"
    else:
        message += "."
    hooks = ", ".join(f'"{hook}"' for hook in spec.hooks)
    return f"{message} Its hooks are: {hooks}"
