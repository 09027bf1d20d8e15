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

What the static type cannot know is not reported (see :mod:`.sources`): "implements no hook"
and "named almost like a hook" only for a value whose class is known exactly, since a subclass
may have what the class lacks. A member that mypy itself reports as an incompatible override of
a Protocol the class subclasses (``[override]``, where the class is defined) is not reported
again. A module registered as a callback is checked as the run time reads it: its attributes
are its hooks, its functions called without ``self``; a module has no near misses.

The verdict on a class is the same at every registration of a module, so it is computed once
per module check (:mod:`.memo`) and reported at each registration.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from mypy.checker import TypeChecker
from mypy.errorcodes import ErrorCode
from mypy.maptype import map_instance_to_supertype
from mypy.messages import format_type
from mypy.nodes import (
    ARG_NAMED,
    ARG_NAMED_OPT,
    ARG_STAR,
    ARG_STAR2,
    Context,
    Decorator,
    FuncDef,
    MypyFile,
    OverloadedFuncDef,
    SymbolNode,
    Var,
)
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
    TypeAliasType,
    TypedDictType,
    TypeOfAny,
    TypeType,
    UnionType,
    get_proper_type,
)

from . import codes
from .dependencies import depend_on_class, depend_on_module
from .memo import CheckMemo
from .names import CALLBACK_OF_FULLNAMES
from .near_miss import near_miss_message, near_misses
from .render import describe_hook, describe_signature
from .sources import Candidate
from .spec import Hook, Spec, is_async_definition

__all__ = ["callback_of_spec", "check_callback"]


_MODULE_TYPE: Final = "types.ModuleType"


def callback_of_spec(typ: Type) -> Type | None:
    """``Spec`` if ``typ`` is ``CallbackOf[Spec]``, else None.

    ``CallbackOf`` is a generic type alias (``Spec | object``); mypy keeps a use of a generic
    alias as a reference to the alias with its arguments (a ``TypeAliasType``), in declarations
    and in its cache alike, so it is recognised by the alias's name before it is expanded. (Were
    it a generic class, an ``Instance`` of it would be recognised the same way.)
    """
    if isinstance(typ, TypeAliasType):
        alias = typ.alias
        if alias is not None and alias.fullname in CALLBACK_OF_FULLNAMES:
            return typ.args[0] if typ.args else None
        return None
    if isinstance(typ, Instance) and typ.type.fullname in CALLBACK_OF_FULLNAMES:
        return typ.args[0] if typ.args else None
    return None


def check_callback(spec: Spec, callback: Candidate, api: CheckerPluginInterface) -> None:
    """Report each problem of registering the value ``callback`` with a ``spec`` manager."""
    _check_type(spec, callback.type, callback.context, callback.exact, api)


def _check_type(
    spec: Spec, callback: Type, context: Context, exact: bool, api: CheckerPluginInterface
) -> None:
    if callback_of_spec(callback) is not None:
        return  # checked where it entered the library, and says nothing of its class
    typ = get_proper_type(callback)
    if isinstance(typ, UnionType):
        for item in typ.relevant_items():  # a None in `X | None` is not checked: see the docs
            _check_type(spec, item, context, exact, api)
        return
    if isinstance(typ, TypeType) or (isinstance(typ, FunctionLike) and typ.is_type_obj()):
        _report_class(spec, typ, context, api)
        return
    instance = _instance_of(typ)
    if instance is None or instance.type.fullname == "builtins.object":
        return  # Any, a type variable, a bare object...: nothing is known statically
    if instance.type.fullname == _MODULE_TYPE:
        module = _module_of(instance, api)
        if module is not None:
            _check_module(spec, module, instance, context, api)
        return
    # A final class has no subclass; but a value typed Callable may be any callable object,
    # though `function` (its fallback) is final.
    final = isinstance(typ, Instance) and instance.type.is_final
    _check_instance(spec, instance, context, exact or final, api)


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


_Problems = tuple[tuple[ErrorCode, str], ...]

_VERDICTS: Final[CheckMemo[tuple[Instance, Instance, bool], _Problems]] = CheckMemo()
"""The problems of a callback class, per spec: the same at each registration of the module."""


def _check_instance(
    spec: Spec, instance: Instance, context: Context, exact: bool, api: CheckerPluginInterface
) -> None:
    depend_on_class(instance.type, spec.instance.type, api)
    key = (spec.instance, instance, exact)
    problems = _VERDICTS.get(api, key, lambda: _problems(spec, instance, exact, api.options))
    for code, message in problems:
        api.fail(message, context, code=code)


def _problems(spec: Spec, instance: Instance, exact: bool, options: Options) -> _Problems:
    """Check every hook the class implements. For a value of exactly this class (``exact``),
    implementing none is an error of its own, and so is each method named almost like a hook
    that it does not implement; for a value that may be of a subclass, neither is known."""
    found: list[tuple[ErrorCode, str]] = []
    implemented: set[str] = set()
    owner = instance.type.name
    hooks = spec.hooks
    named = {name for klass in instance.type.mro for name in klass.names if name in hooks}
    for hook in hooks.values():
        if hook.name not in named:
            continue  # the usual case, quick to rule out: no class of the MRO has the name
        member = _implementation(instance, hook.name)
        if member is None:
            continue
        implemented.add(hook.name)
        problem = _problem(owner, hook, member, options)
        if problem is not None and not _reported_as_override(instance, hook.name, options):
            found.append(problem)
    if not exact or instance.type.fallback_to_any:
        return tuple(found)
    if not implemented:
        found.append((codes.NO_HOOK, _no_hook_message(spec, instance)))
        return tuple(found)
    for method, misspelt in near_misses(spec, instance.type, implemented):
        found.append((codes.NEAR_MISS, near_miss_message(spec, instance.type, method, misspelt)))
    return tuple(found)


def _reported_as_override(instance: Instance, name: str, options: Options) -> bool:
    """Whether mypy itself reports the member ``name`` of the callback's class as an incompatible
    override (``[override]``) of a Protocol that the class subclasses, the hook's own Protocol
    usually: the plugin's report would repeat that error, at the registration.

    mypy's rule is followed: the member against the Protocol's, bound to the callback, with the
    names of positional parameters ignored. So a renamed positional-or-keyword parameter, which
    mypy accepts (python/mypy#6709) and the plugin does not, is still reported by the plugin.
    """
    info = instance.type
    owners = [index for index, klass in enumerate(info.mro) if name in klass.names]
    if not owners or info.mro[owners[0]].is_protocol:
        return False
    member = find_member(name, instance, instance)
    for index in owners[1:]:
        base = info.mro[index]
        if not base.is_protocol:
            continue
        original = find_member(name, map_instance_to_supertype(instance, base), instance)
        if member is None or original is None:
            return False
        return not is_subtype(member, original, ignore_pos_arg_names=True, options=options)
    return False


def _module_of(instance: Instance, api: CheckerPluginInterface) -> MypyFile | None:
    """The module a value of type ``types.ModuleType`` is, when mypy knows it (``import m``)."""
    extra = instance.extra_attrs
    if extra is None or extra.mod_name is None or not isinstance(api, TypeChecker):
        return None
    return api.modules.get(extra.mod_name)


def _check_module(
    spec: Spec, module: MypyFile, instance: Instance, context: Context, api: CheckerPluginInterface
) -> None:
    """A module registered as a callback: its functions (module attributes) are its hooks,
    called as they are, without ``self``. As at run time, a module has no near misses (those
    come from the methods of a class)."""
    depend_on_module(module.fullname, api)
    implemented = False
    shown = module.fullname
    known = instance.extra_attrs.attrs if instance.extra_attrs is not None else {}
    for hook in spec.hooks.values():
        symbol = module.names.get(hook.name)
        if symbol is None:
            continue
        member = _module_member(symbol.node, known.get(hook.name))
        if member is None:
            continue
        implemented = True
        problem = _problem(shown, hook, member, api.options, method=False)
        if problem is not None:
            code, message = problem
            api.fail(message, context, code=code)
    if not implemented:
        hooks = _hooks_to_implement(spec)
        api.fail(
            f'Module "{shown}" is given as a callback of "{spec.name}" but defines no hook: '
            f"define {hooks} in it with the hook's signature (less self)",
            context,
            code=codes.NO_HOOK,
        )


def _module_member(node: SymbolNode | None, known: Type | None) -> _Member | None:
    """A module attribute that implements a hook, typed as mypy types the module's attribute."""
    typ: Type | None = known
    if typ is None:
        if isinstance(node, (FuncDef, OverloadedFuncDef)):
            typ = node.type
        elif isinstance(node, Decorator):
            typ = node.var.type
        elif isinstance(node, Var):
            typ = node.type
    proper = get_proper_type(typ) if typ is not None else AnyType(TypeOfAny.unannotated)
    if isinstance(proper, UnionType):  # `on_x: Callable[...] | None = None` in the module
        rest = [i for i in proper.items if not isinstance(get_proper_type(i), NoneType)]
        proper = get_proper_type(UnionType.make_union(rest)) if rest else NoneType()
    if isinstance(proper, NoneType):
        return None
    return _Member(proper, is_async_definition(node))


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
        if (
            isinstance(node, Var)
            and node.type is not None
            and isinstance(get_proper_type(node.type), NoneType)
        ):
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
    owner: str, hook: Hook, member: _Member, options: Options, *, method: bool = True
) -> tuple[ErrorCode, str] | None:
    """The error code and message for an implementation that does not fit its hook, or None.

    The sync/async kind is checked first: an ``async def`` for a sync hook would otherwise show
    up as a mere return type mismatch (a coroutine), which hides the fix.
    """
    shown = f'"{owner}.{hook.name}"'

    def fix() -> str:
        return f'"{describe_hook(hook, options, method=method)}"'

    if member.is_async is not None and member.is_async != hook.is_async:
        if member.is_async:
            return codes.ASYNC, (
                f'{shown} is an "async def" but the hook "{hook.label}" is synchronous; '
                f"drop async: {fix()}"
            )
        return codes.ASYNC, (
            f'{shown} is a plain "def" but the hook "{hook.label}" is async; '
            f"declare it async def: {fix()}"
        )
    typ = member.type
    if isinstance(typ, AnyType):
        return None
    function = _as_function(typ)
    if function is None:
        if isinstance(typ, Instance):
            return codes.SIGNATURE, (
                f'{shown} is named like the hook "{hook.label}" but is not callable (it is '
                f"{format_type(typ, options)}); make it a method, {fix()}, or set it to None "
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
        f"Declare it as {fix()}"
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
        for name, kind in zip(item.arg_names, item.arg_kinds, strict=True)
        if name is not None and kind not in (ARG_STAR, ARG_STAR2)
    }
    keep = [
        index
        for index, (name, kind) in enumerate(zip(hook.arg_names, hook.arg_kinds, strict=True))
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
            return f'for the hook\'s overload "{shown}", {reason}'
    return None


def _reasons(impl: CallableType, hook: CallableType, options: Options) -> Iterator[str]:
    def show(typ: Type) -> str:
        return format_type(typ, options)

    for wanted in hook.formal_arguments():
        given = _matching(impl, wanted)
        label = _parameter(wanted)
        if given is None:
            if wanted.pos is not None and wanted.name is not None:
                at = impl.argument_by_position(wanted.pos)
                if at is not None and at.name is not None:
                    yield (
                        f'its parameter "{at.name}" stands where the hook has the {label}, which '
                        f'callers may pass by keyword: rename "{at.name}" to "{wanted.name}"'
                    )
                    continue
                if at is not None:
                    yield (
                        f"its {_parameter(at)} is positional-only, but callers may pass the "
                        f'hook\'s {label} by keyword: name it "{wanted.name}"'
                    )
                    continue
            yield f"it has no parameter for the hook's {label}"
            continue
        name = _parameter(given) if given.name is not None else label
        if not is_subtype(wanted.typ, given.typ, options=options):
            yield (f"its {name} accepts {show(given.typ)}, but the hook passes {show(wanted.typ)}")
        if not wanted.required and given.required:
            yield f"its {name} is required, but the hook's {label} is optional"
    if hook.var_arg() is not None and impl.var_arg() is None:
        yield "it takes no *args, but the hook's callers may pass extra positional arguments"
    if hook.kw_arg() is not None and impl.kw_arg() is None:
        yield "it takes no **kwargs, but the hook's callers may pass extra keyword arguments"
    for extra in impl.formal_arguments():
        if extra.required and not _always_passed(hook, extra):
            if extra.name is not None:
                needed = f'the parameter "{extra.name}"'
            else:
                needed = f"a {_ordinal((extra.pos or 0) + 1)} positional argument"
            yield (
                f"it requires {needed}, which the hook does not always pass: remove it or give "
                f"it a default"
            )
    if not is_subtype(impl.ret_type, hook.ret_type, options=options):
        yield f"it returns {show(impl.ret_type)}, but the hook returns {show(hook.ret_type)}"


def _parameter(formal: FormalArgument) -> str:
    """``parameter "name"``, or ``1st positional parameter`` for one without a name (a
    positional-only parameter of a ``Callable[[int], None]``)."""
    if formal.name is not None:
        return f'parameter "{formal.name}"'
    return f"{_ordinal((formal.pos or 0) + 1)} positional parameter"


def _ordinal(number: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th``... ``11th``, ``21st``."""
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"


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


def _hooks_to_implement(spec: Spec) -> str:
    hooks = ", ".join(f'"{hook}"' for hook in spec.hooks)
    return f"at least one of {hooks}" if len(spec.hooks) > 1 else hooks


def _no_hook_message(spec: Spec, instance: Instance) -> str:
    name = instance.type.name
    message = (
        f'Callback "{name}" implements no hook of "{spec.name}": implement '
        f"{_hooks_to_implement(spec)} with the hook's signature"
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
