"""The mypy plugin's check of one callback type against a spec, member by member.

This mirrors ``protocall._validate`` statically. A callback implements a hook when the member
comes from a class of its MRO that is not a Protocol and is not declared ``None``; each
implemented hook must be of the hook's sync/async kind and must accept every call the hook
signature allows, decided by mypy's own subtype check of the bound signatures with parameter
names significant (a renamed positional-or-keyword parameter is incompatible, because a caller
may pass it by keyword). A keyword-only parameter of the hook that the method does not declare
at all is accepted: the runtime passes a callback only the keyword-only arguments it declares.

A member typed ``X | None`` may be None at run time, which opts out of the hook, or an ``X``,
which implements it: only ``X`` is compared, so the ``None`` is never the reason for an error
(and the member counts as implemented, so the callback is not "implementing no hook").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from mypy.errorcodes import ErrorCode
from mypy.messages import format_type
from mypy.nodes import ARG_NAMED, ARG_NAMED_OPT, ARG_STAR, ARG_STAR2, Context, Var
from mypy.options import Options
from mypy.plugin import CheckerPluginInterface
from mypy.subtypes import find_member, is_subtype
from mypy.types import (
    AnyType,
    CallableType,
    FormalArgument,
    FunctionLike,
    Instance,
    LiteralType,
    NoneType,
    ProperType,
    TupleType,
    Type,
    TypedDictType,
    TypeType,
    UnionType,
    get_proper_type,
)

from . import codes
from .near_miss import near_miss_message, near_misses
from .render import describe_hook, describe_signature
from .spec import Hook, Spec, is_async_definition

__all__ = ["check_callback"]


def check_callback(
    spec: Spec, callback: Type, context: Context, api: CheckerPluginInterface
) -> None:
    """Report each problem of registering a value of type ``callback`` with a ``spec`` manager."""
    typ = get_proper_type(callback)
    if isinstance(typ, UnionType):
        for item in typ.relevant_items():
            check_callback(spec, item, context, api)
        return
    if isinstance(typ, TypeType) or (isinstance(typ, FunctionLike) and typ.is_type_obj()):
        _report_class(spec, typ, context, api)
        return
    instance = _instance_of(typ)
    if instance is None or instance.type.fullname == "builtins.object":
        return  # Any, a type variable, a bare object...: nothing is known statically
    _check_instance(spec, instance, context, api)


def _instance_of(typ: ProperType) -> Instance | None:
    """The class whose members a value of type ``typ`` has (a function's is ``function``)."""
    if isinstance(typ, Instance):
        return typ
    if isinstance(typ, FunctionLike):
        return typ.fallback
    if isinstance(typ, TupleType):
        return typ.partial_fallback
    if isinstance(typ, (LiteralType, TypedDictType)):
        return typ.fallback
    return None


def _check_instance(
    spec: Spec, instance: Instance, context: Context, api: CheckerPluginInterface
) -> None:
    """Check every hook the class implements; none at all is an error of its own, and so is
    each method named almost like a hook that it does not implement."""
    implemented: set[str] = set()
    for hook in spec.hooks.values():
        member = _implementation(instance, hook.name)
        if member is None:
            continue
        implemented.add(hook.name)
        problem = _problem(instance, hook, member, api.options)
        if problem is not None:
            code, message = problem
            api.fail(message, context, code=code)
    if not implemented:
        if not instance.type.fallback_to_any:
            api.fail(_no_hook_message(spec, instance), context, code=codes.NO_HOOK)
        return
    for method, misspelt in near_misses(spec, instance.type, implemented):
        message = near_miss_message(spec, instance.type, method, misspelt)
        api.fail(message, context, code=codes.NEAR_MISS)


class _Member:
    """A callback's member that implements a hook: its bound type, and whether it is async."""

    __slots__ = ("is_async", "type")

    def __init__(self, typ: ProperType, is_async: bool | None) -> None:
        self.type: Final = typ
        self.is_async: Final = is_async


def _implementation(instance: Instance, name: str) -> _Member | None:
    """The member implementing hook ``name``, or None (semantics 2 of the design)."""
    info = instance.type
    for klass in info.mro:
        symbol = klass.names.get(name)
        if symbol is None:
            continue
        if klass.is_protocol and not info.is_protocol:
            return None  # inherited from a Protocol: does not count
        node = symbol.node
        if isinstance(node, Var) and node.type is not None:
            if isinstance(get_proper_type(node.type), NoneType):
                return None  # `on_x = None` opts out of the hook
        typ = get_proper_type(find_member(name, instance, instance))
        if isinstance(typ, UnionType):  # `Callable[...] | None`: None opts out, as at run time
            rest = [i for i in typ.items if not isinstance(get_proper_type(i), NoneType)]
            typ = get_proper_type(UnionType.make_union(rest)) if rest else None
        if typ is None or isinstance(typ, NoneType):
            return None
        return _Member(typ, is_async_definition(node))
    return None


def _problem(
    instance: Instance, hook: Hook, member: _Member, options: Options
) -> tuple[ErrorCode, str] | None:
    """The error code and message for an implementation that does not fit its hook, or None.

    The sync/async kind is checked first: an ``async def`` for a sync hook would otherwise show
    up as a mere return type mismatch (a coroutine), which hides the fix.
    """
    shown = f'"{instance.type.name}.{hook.name}"'
    fix = f'"{describe_hook(hook, options)}"'
    if member.is_async is not None and member.is_async != hook.is_async:
        if member.is_async:
            return codes.ASYNC, (
                f'{shown} is an "async def" but the hook "{hook.label}" is synchronous; '
                f"drop async: {fix}"
            )
        return codes.ASYNC, (
            f'{shown} is a plain "def" but the hook "{hook.label}" is async; '
            f"declare it async def: {fix}"
        )
    typ = member.type
    if isinstance(typ, AnyType):
        return None
    function = _as_function(typ)
    if function is None:
        if isinstance(typ, Instance):
            return codes.SIGNATURE, (
                f'{shown} is named like the hook "{hook.label}" but is not callable (it is '
                f"{format_type(typ, options)}); make it a method, {fix}, or set it to None "
                f"to not implement the hook"
            )
        if is_subtype(typ, hook.signature, options=options):
            return None
        reason = (
            f"its type {format_type(typ, options)} is not compatible with "
            f"{format_type(hook.signature, options)}"
        )
    else:
        target = _accepted_part(hook.signature, function)
        if is_subtype(function, target, options=options):
            return None
        reason = _reason(function, target, hook.name, options) or (
            f"its type {format_type(function, options)} is not compatible with "
            f"{format_type(target, options)}"
        )
    return codes.SIGNATURE, (
        f'{shown} cannot accept every call of the hook "{hook.label}": {reason}. '
        f"Declare it as {fix}"
    )


def _as_function(typ: ProperType) -> FunctionLike | None:
    """The signature of a callable member (through ``__call__`` for an instance), or None."""
    if isinstance(typ, FunctionLike):
        return typ
    if isinstance(typ, Instance):
        call = get_proper_type(find_member("__call__", typ, typ))
        if isinstance(call, FunctionLike):
            return call
    return None


def _accepted_part(hook: FunctionLike, function: FunctionLike) -> FunctionLike:
    """The hook without the keyword-only parameters that ``function`` does not declare.

    The runtime passes each callback only the keyword-only arguments it declares (a subset is
    allowed), so those parameters must not make the signatures incompatible.
    """
    if not isinstance(hook, CallableType):
        return hook
    if any(ARG_STAR2 in item.arg_kinds for item in function.items):
        return hook
    declared = {
        name
        for item in function.items
        for name, kind in zip(item.arg_names, item.arg_kinds)
        if name is not None and kind not in (ARG_STAR, ARG_STAR2)
    }
    keep = [
        index
        for index, (name, kind) in enumerate(zip(hook.arg_names, hook.arg_kinds))
        if kind not in (ARG_NAMED, ARG_NAMED_OPT) or name in declared
    ]
    if len(keep) == len(hook.arg_kinds):
        return hook
    # copy_modified's parameters are typed with mypy's `Bogus[...]`, Unknown to pyright.
    return hook.copy_modified(  # pyright: ignore[reportUnknownMemberType]
        arg_types=[hook.arg_types[i] for i in keep],
        arg_kinds=[hook.arg_kinds[i] for i in keep],
        arg_names=[hook.arg_names[i] for i in keep],
    )


def _reason(function: FunctionLike, hook: FunctionLike, name: str, options: Options) -> str | None:
    """Best effort: the first reason why ``function`` cannot accept every call of ``hook``."""
    if not isinstance(function, CallableType):
        return "none of its overloads accepts every call of the hook"
    if isinstance(hook, CallableType):
        return next(_reasons(function, hook, options), None)
    for item in hook.items:
        if not is_subtype(function, item, options=options):
            shown = describe_signature(name, item, False, options)
            reason = next(_reasons(function, item, options), "it does not accept its calls")
            return f"for the hook's overload \"{shown}\", {reason}"
    return None


def _reasons(impl: CallableType, hook: CallableType, options: Options) -> Iterator[str]:
    def show(typ: Type) -> str:
        return format_type(typ, options)

    for wanted in hook.formal_arguments():
        given = _matching(impl, wanted)
        label = f'"{wanted.name}"' if wanted.name is not None else f"number {(wanted.pos or 0) + 1}"
        if given is None:
            if wanted.pos is not None and wanted.name is not None:
                at = impl.argument_by_position(wanted.pos)
                if at is not None and at.name is not None:
                    yield (
                        f'its parameter "{at.name}" stands where the hook has {label}, which '
                        f'callers may pass by keyword: rename "{at.name}" to "{wanted.name}"'
                    )
                    continue
                if at is not None:
                    yield (
                        f"its parameter number {wanted.pos + 1} is positional-only, but callers "
                        f"may pass the hook's {label} by keyword: name it \"{wanted.name}\""
                    )
                    continue
            yield f"it has no parameter for the hook's parameter {label}"
            continue
        name = f'"{given.name}"' if given.name is not None else label
        if not is_subtype(wanted.typ, given.typ, options=options):
            yield (
                f"its parameter {name} accepts {show(given.typ)}, but the hook passes "
                f"{show(wanted.typ)}"
            )
        if not wanted.required and given.required:
            yield f"its parameter {name} is required, but the hook's {label} is optional"
    if hook.var_arg() is not None and impl.var_arg() is None:
        yield "it takes no *args, but the hook's callers may pass extra positional arguments"
    if hook.kw_arg() is not None and impl.kw_arg() is None:
        yield "it takes no **kwargs, but the hook's callers may pass extra keyword arguments"
    for extra in impl.formal_arguments():
        if extra.required and not _always_passed(hook, extra):
            name = extra.name or f"number {(extra.pos or 0) + 1}"
            yield (
                f'it requires the parameter "{name}", which the hook does not always pass: '
                f"remove it or give it a default"
            )
    if not is_subtype(impl.ret_type, hook.ret_type, options=options):
        yield f"it returns {show(impl.ret_type)}, but the hook returns {show(hook.ret_type)}"


def _matching(impl: CallableType, wanted: FormalArgument) -> FormalArgument | None:
    """The parameter of ``impl`` that receives the hook's parameter ``wanted``."""
    if wanted.pos is None:
        return impl.argument_by_name(wanted.name)
    at = impl.argument_by_position(wanted.pos)
    if at is None or wanted.name is None:
        return at
    by_name = impl.argument_by_name(wanted.name)
    if by_name is None or (by_name.pos is not None and by_name.pos != wanted.pos):
        return None
    return at


def _always_passed(hook: CallableType, parameter: FormalArgument) -> bool:
    if parameter.pos is not None:
        at = hook.argument_by_position(parameter.pos)
        if at is not None and at.pos is not None and at.required:
            return True
    if parameter.name is not None:
        named = hook.argument_by_name(parameter.name)
        if named is not None and named.required and named.name == parameter.name:
            return True
    return False


def _report_class(
    spec: Spec, typ: ProperType, context: Context, api: CheckerPluginInterface
) -> None:
    instance: ProperType = typ.item if isinstance(typ, TypeType) else typ
    if isinstance(instance, FunctionLike):
        instance = get_proper_type(instance.items[0].ret_type)
    name = instance.type.name if isinstance(instance, Instance) else "the class"
    api.fail(
        f'The class "{name}" is given as a callback of "{spec.name}", but callbacks are '
        f'instances: register an instance instead, e.g. "{name}()"',
        context,
        code=codes.NOT_INSTANCE,
    )


def _no_hook_message(spec: Spec, instance: Instance) -> str:
    name = instance.type.name
    hooks = ", ".join(f'"{hook}"' for hook in spec.hooks)
    which = f"at least one of {hooks}" if len(spec.hooks) > 1 else hooks
    message = (
        f'Callback "{name}" implements no hook of "{spec.name}": implement {which} with the '
        f"hook's signature"
    )
    protocols = [k.name for k in instance.type.mro[1:] if k.is_protocol]
    if protocols:
        listed = ", ".join(f'"{p}"' for p in protocols)
        message += (
            f" (it subclasses {listed}, but methods inherited from a Protocol do not count: "
            f"override the ones you implement)"
        )
    for method, hook in near_misses(spec, instance.type, ()):
        message += f'; "{name}.{method}" looks like a misspelling of "{hook}"'
    return message
