"""What the mypy plugin knows about a spec: the manager's ``T`` and the hooks it declares.

This mirrors ``protocall._spec`` statically: a hook is a plain instance method (``def`` or
``async def``) of the spec Protocol or of a Protocol it extends; its type is the method bound to
the spec instance, so ``self`` is gone and the spec's type arguments are applied. Anything else
declared on a spec (data, properties, static or class methods, dunders) is not a hook; the
runtime refuses such a spec, so the plugin just ignores those members.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from mypy.maptype import map_instance_to_supertype
from mypy.nodes import (
    ARG_NAMED,
    ARG_NAMED_OPT,
    ARG_OPT,
    ARG_STAR,
    ARG_STAR2,
    Decorator,
    FuncDef,
    OverloadedFuncDef,
    SymbolNode,
    TypeInfo,
)
from mypy.messages import format_type_bare
from mypy.options import Options
from mypy.subtypes import find_member
from mypy.types import CallableType, FunctionLike, Instance, Type, get_proper_type

__all__ = [
    "MANAGER_FULLNAME",
    "Hook",
    "Spec",
    "describe_hook",
    "describe_signature",
    "is_async_definition",
    "spec_of",
]

MANAGER_FULLNAME: Final = "protocall._manager.CallbackManager"
"""Where ``CallbackManager`` is defined; mypy names its methods after this module, not after
the ``protocall`` package that re-exports it."""

_COROUTINE: Final = "typing.Coroutine"


@dataclass(frozen=True, slots=True)
class Hook:
    """One hook of a spec, as the plugin checks callbacks and ``emit`` calls against it."""

    name: str
    signature: FunctionLike
    """The hook's type bound to the spec instance (without ``self``)."""
    is_async: bool
    spec_name: str

    @property
    def label(self) -> str:
        """``Spec.hook``, as messages name the hook."""
        return f"{self.spec_name}.{self.name}"


@dataclass(frozen=True, slots=True)
class Spec:
    """The hooks of one spec instance type, in declaration order (bases first)."""

    instance: Instance
    hooks: dict[str, Hook]

    @property
    def name(self) -> str:
        return self.instance.type.name


def spec_of(manager: Type) -> Spec | None:
    """The spec of a ``CallbackManager[T]`` type, or None when nothing can be checked.

    None for an unchecked manager (``T`` is ``Any``), for a ``T`` that is still a type variable,
    and for a ``T`` that is not a Protocol (the runtime refuses that spec anyway).
    """
    instance = get_proper_type(manager)
    if not isinstance(instance, Instance):
        return None
    base = next((b for b in instance.type.mro if b.fullname == MANAGER_FULLNAME), None)
    if base is None:
        return None
    mapped = map_instance_to_supertype(instance, base)
    if len(mapped.args) != 1:
        return None
    spec = get_proper_type(mapped.args[0])
    if not isinstance(spec, Instance) or not spec.type.is_protocol:
        return None
    hooks = _read_hooks(spec)
    return Spec(spec, hooks) if hooks else None


def _read_hooks(spec: Instance) -> dict[str, Hook]:
    order: dict[str, None] = {}
    _visit(spec.type, order, set())
    hooks: dict[str, Hook] = {}
    for name in order:
        symbol = spec.type.get(name)
        typ = get_proper_type(find_member(name, spec, spec))
        if symbol is not None and isinstance(typ, FunctionLike):
            is_async = is_async_definition(symbol.node) is True
            hooks[name] = Hook(name, typ, is_async, spec.type.name)
    return hooks


def _visit(klass: TypeInfo, order: dict[str, None], seen: set[str]) -> None:
    """Hook names in the runtime's declaration order: each base (left to right, depth first)
    before the class itself; a name redefined as anything but a method is not a hook."""
    if klass.fullname in seen:
        return
    seen.add(klass.fullname)
    for base in klass.bases:
        _visit(base.type, order, seen)
    if not klass.is_protocol:
        return
    for name, symbol in klass.names.items():
        if name.startswith("__") and name.endswith("__"):
            continue
        if symbol.node is not None and _is_plain_method(symbol.node):
            order.setdefault(name)
        else:
            order.pop(name, None)


def _is_plain_method(node: SymbolNode) -> bool:
    if isinstance(node, FuncDef):
        return not (node.is_static or node.is_class or node.is_property)
    if isinstance(node, Decorator):
        func = node.func
        return not (func.is_static or func.is_class or func.is_property)
    if isinstance(node, OverloadedFuncDef):
        return not (node.is_static or node.is_class or node.is_property)
    return False


def is_async_definition(node: SymbolNode | None) -> bool | None:
    """Whether a method is ``async def``; None when that is unknown (a property, an attribute)."""
    if isinstance(node, FuncDef):
        return None if node.is_property else node.is_coroutine
    if isinstance(node, Decorator):
        return None if node.func.is_property else node.func.is_coroutine
    if isinstance(node, OverloadedFuncDef):
        if node.is_property:
            return None  # a property's value is whatever the getter returns
        first = node.impl or (node.items[0] if node.items else None)
        return is_async_definition(first)
    return None


def describe_hook(hook: Hook, options: Options) -> str:
    """``[async ]def hook(self, <params>) -> R``: the declaration a message proposes as the fix.

    An overloaded hook is shown as its ``@overload`` declarations, separated by ``;``.
    """
    items = hook.signature.items
    shown = [describe_signature(hook.name, item, hook.is_async, options) for item in items]
    if len(shown) == 1:
        return shown[0]
    return "; ".join(f"@overload {declaration}" for declaration in shown)


def describe_signature(name: str, signature: CallableType, is_async: bool, options: Options) -> str:
    """One ``def`` line for a method of type ``signature`` (bound: ``self`` is added back)."""
    params = ["self", *_render_parameters(signature, options)]
    returns = get_proper_type(signature.ret_type)
    if is_async and isinstance(returns, Instance) and returns.type.fullname == _COROUTINE:
        result = format_type_bare(returns.args[-1], options)
    else:
        result = format_type_bare(signature.ret_type, options)
    prefix = "async def" if is_async else "def"
    return f"{prefix} {name}({', '.join(params)}) -> {result}"


def _render_parameters(signature: CallableType, options: Options) -> list[str]:
    names = list(signature.arg_names)
    positional_only = 0
    definition = signature.definition
    if isinstance(definition, FuncDef) and len(definition.arguments) == len(names) + 1:
        arguments = definition.arguments[1:]
        names = [argument.variable.name for argument in arguments]
        positional_only = sum(1 for argument in arguments if argument.pos_only)
    rendered: list[str] = []
    star_seen = False
    for index, (kind, name, typ) in enumerate(zip(signature.arg_kinds, names, signature.arg_types)):
        shown = name if name is not None else f"__arg{index}"
        annotation = format_type_bare(typ, options)
        if kind == ARG_STAR:
            star_seen = True
            rendered.append(f"*{shown}: {annotation}")
        elif kind == ARG_STAR2:
            rendered.append(f"**{shown}: {annotation}")
        else:
            if kind in (ARG_NAMED, ARG_NAMED_OPT) and not star_seen:
                star_seen = True
                rendered.append("*")
            default = " = ..." if kind in (ARG_OPT, ARG_NAMED_OPT) else ""
            rendered.append(f"{shown}: {annotation}{default}")
        if positional_only and index == positional_only - 1:
            rendered.append("/")
    return rendered
