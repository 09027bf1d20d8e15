"""The mypy plugin's check of ``manager.call.<hook>``: only hooks that return None (semantics 10).

``manager.call.on_x(...)`` returns None, whatever its implementers return. For a hook declared
with a return type other than None (for an ``async def``: other than None once awaited) that
would throw away the results its type promises, so the runtime raises ``TypeError`` as soon as
``manager.call.on_x`` is looked up (called or not: ``on_x = manager.call.on_x`` raises too). The
plugin reports the same lookup as ``protocall-call-result``, naming ``emit`` (every result) and
``first`` (the first that is not None). A hook without a return annotation may be called, as at
run time.

mypy has no attribute hook for methods, so the spec's hooks cannot be hooked themselves. The
plugin hooks the attribute ``call`` of ``CallbackManager`` instead, which mypy hands the
expression ``manager.call``, and finds the ``.on_x`` around it in the module's syntax
(:func:`.syntax.accessed_attribute`). A spec instance obtained otherwise (``hooks: Spec =
manager.call``, then ``hooks.summary(...)``) is not followed: the runtime still raises there.
"""

from __future__ import annotations

from mypy.checker import TypeChecker
from mypy.messages import format_type
from mypy.nodes import Context, MemberExpr
from mypy.plugin import AttributeContext
from mypy.types import Type

from . import codes
from .spec import spec_of
from .syntax import accessed_attribute

__all__ = ["check_call_access"]


def check_call_access(ctx: AttributeContext) -> Type:
    """The attribute hook of ``CallbackManager.call``: report ``.call.<hook>`` of a hook that
    returns a value. The type of ``manager.call`` is unchanged."""
    checker = ctx.api
    if not isinstance(checker, TypeChecker) or not isinstance(ctx.context, MemberExpr):
        return ctx.default_attr_type
    spec = spec_of(ctx.type, checker)
    if spec is None or all(hook.result is None for hook in spec.hooks.values()):
        return ctx.default_attr_type
    access = accessed_attribute(checker, ctx.context)
    hook = spec.hooks.get(access.name) if access is not None else None
    if access is None or hook is None or hook.result is None:
        return ctx.default_attr_type
    result = format_type(hook.result, checker.options)
    awaited = " once awaited" if hook.is_async else ""
    ctx.api.fail(
        f'The hook "{hook.label}" returns {result}{awaited}, which "call.{hook.name}" would '
        f"discard (it raises TypeError at run time): use "
        f'"emit({hook.label}, ...)" for every implementer\'s result, or '
        f'"first({hook.label}, ...)" for the first one that is not None',
        _where_named(access),
        code=codes.CALL_RESULT,
    )
    return ctx.default_attr_type


def _where_named(access: MemberExpr) -> Context:
    """Where ``.hook`` stands in ``manager.call.hook``: its own line when the chain spans lines
    (mypy places a member expression where its object starts)."""
    if access.end_line is None or access.end_column is None:
        return access
    where = Context(access.end_line, access.end_column - len(access.name))
    where.end_line, where.end_column = access.end_line, access.end_column
    return where
