"""What the mypy plugin knows about a spec: the manager's ``T`` and the hooks it declares.

This mirrors ``protocall._spec`` statically: a hook is a plain instance method (``def`` or
``async def``) of the spec Protocol or of a Protocol it extends; its type is the method bound to
the spec instance, so ``self`` is gone and the spec's type arguments are applied. Anything else
declared on a spec (data, properties, static or class methods, dunders) is not a hook; the
runtime refuses such a spec, so the plugin just ignores those members.

Everything here is read from what mypy keeps in its incremental cache, because the spec usually
lives in a module that mypy loads from the cache rather than parses: a class's bases, its symbol
table, each method's type and flags (``is_coroutine``, ``is_property``...). A method's body, its
``arguments`` and its line are not cached, and a cached class's symbol table comes back sorted
by name. Hence the hook order: each base first (left to right, depth first), then the class's
own hooks **by name**, not in declaration order, so that a message lists the hooks the same way
whether the spec was just analysed or loaded from the cache. (For the recommended spec, one
Protocol per hook combined by inheritance, the two orders agree.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from mypy.maptype import map_instance_to_supertype
from mypy.nodes import Decorator, FuncDef, OverloadedFuncDef, SymbolNode, TypeInfo
from mypy.subtypes import find_member
from mypy.types import FunctionLike, Instance, Type, get_proper_type

__all__ = ["MANAGER_FULLNAME", "Hook", "Spec", "is_async_definition", "spec_of"]

MANAGER_FULLNAME: Final = "protocall._manager.CallbackManager"
"""Where ``CallbackManager`` is defined; mypy names its methods after this module, not after
the ``protocall`` package that re-exports it."""


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
    """The hooks of one spec instance type, in the order described in the module docstring."""

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
    """Hook names: each base (left to right, depth first) before the class itself, a class's
    own names sorted; a name redefined as anything but a method is not a hook."""
    if klass.fullname in seen:
        return
    seen.add(klass.fullname)
    for base in klass.bases:
        _visit(base.type, order, seen)
    if not klass.is_protocol:
        return
    for name in sorted(klass.names):
        if name.startswith("__") and name.endswith("__"):
            continue
        symbol = klass.names[name]
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
    """Whether a method is ``async def``; None when that is unknown (a property, an attribute).

    Read from the ``is_coroutine`` flag, which mypy caches (a cached function has no body).
    """
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
