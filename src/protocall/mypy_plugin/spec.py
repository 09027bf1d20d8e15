"""What the mypy plugin knows about a spec: the manager's ``T`` and the hooks it declares.

This mirrors ``protocall._spec`` statically: a hook is a plain instance method (``def`` or
``async def``) of the spec Protocol or of a Protocol it extends; its type is the method bound to
the spec instance, so ``self`` is gone and the spec's type arguments are applied. Anything else
declared on a spec (data, properties, static or class methods, dunders) is not a hook; the
runtime refuses such a spec, so the plugin just ignores those members.

A hook that is declared to return something other than None (for an ``async def``: other than
None once awaited) cannot be called through ``manager.call`` (semantics 10 of the design): the
runtime raises ``TypeError``. As at run time, this is read from the *declared* return type, before
the spec's type arguments are applied (``-> T`` returns a value even in ``Spec[None]``), and a hook
without a return annotation may be called.

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
from mypy.plugin import CheckerPluginInterface
from mypy.subtypes import find_member
from mypy.types import (
    AnyType,
    CallableType,
    FunctionLike,
    Instance,
    NoneType,
    Type,
    TypeOfAny,
    get_proper_type,
)

from .memo import CheckMemo
from .names import MANAGER_FULLNAME

__all__ = [
    "Hook",
    "Spec",
    "is_async_definition",
    "read_spec",
    "spec_of",
]


@dataclass(frozen=True, slots=True)
class Hook:
    """One hook of a spec, as the plugin checks callbacks and ``emit`` calls against it."""

    name: str
    signature: FunctionLike
    """The hook's type bound to the spec instance (without ``self``)."""
    is_async: bool
    spec_name: str
    result: Type | None = None
    """The declared result type (awaited, for an async hook) when it is not None: such a hook
    returns a value, so ``manager.call`` refuses it. None for ``-> None`` and for a hook without a
    return annotation."""

    @property
    def label(self) -> str:
        """``Spec.hook``, as messages name the hook."""
        return f"{self.spec_name}.{self.name}"


@dataclass(frozen=True, slots=True)
class Spec:
    """The hooks of one spec instance type, in the order described in the module docstring."""

    instance: Instance
    hooks: dict[str, Hook]
    names: tuple[str, ...]
    """The hook names, in order."""

    @property
    def name(self) -> str:
        return self.instance.type.name


def spec_of(manager: Type, api: CheckerPluginInterface | None = None) -> Spec | None:
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
    return read_spec(mapped.args[0], api)


_SPECS: Final[CheckMemo[Instance, Spec | None]] = CheckMemo()


def read_spec(spec: Type, api: CheckerPluginInterface | None = None) -> Spec | None:
    """The hooks of the spec type ``spec`` (``TrainHooks``, ``Values[int]``), or None when it is
    not a Protocol with hooks (``Any``, a type variable, a plain class). Read once per module
    check (``api``: the checker, see :mod:`.memo`)."""
    proper = get_proper_type(spec)
    if not isinstance(proper, Instance) or not proper.type.is_protocol:
        return None
    return _SPECS.get(api, proper, lambda: _read_spec(proper))


def _read_spec(spec: Instance) -> Spec | None:
    hooks = _read_hooks(spec)
    return Spec(spec, hooks, tuple(hooks)) if hooks else None


def _read_hooks(spec: Instance) -> dict[str, Hook]:
    order: dict[str, None] = {}
    _visit(spec.type, order, set())
    hooks: dict[str, Hook] = {}
    for name in order:
        symbol = spec.type.get(name)
        typ = get_proper_type(find_member(name, spec, spec))
        if symbol is not None and isinstance(typ, FunctionLike):
            is_async = is_async_definition(symbol.node) is True
            result = _declared_result(symbol.node, is_async)
            hooks[name] = Hook(name, typ, is_async, spec.type.name, result)
    return hooks


def _declared_result(node: SymbolNode | None, is_async: bool) -> Type | None:
    """The declared return type of a hook when it is something other than None, else None.

    Read from the declaration's own type (``FuncDef.type``, which the cache keeps), so that a
    type variable stays a type variable: ``manager.call`` refuses ``-> T`` whatever ``T`` is
    bound to, as the runtime, which reads the annotation, does. For an ``async def`` the
    declared type is ``Coroutine[Any, Any, R]``: ``R`` is what counts. With overloads, the
    first declaration that returns a value.
    """
    if isinstance(node, Decorator):
        node = node.func
    if not isinstance(node, (FuncDef, OverloadedFuncDef)):
        return None
    declared = get_proper_type(node.type)
    if not isinstance(declared, FunctionLike):
        return None  # no annotation at all
    for item in declared.items:
        result = _awaited(item) if is_async else item.ret_type
        proper = get_proper_type(result)
        if isinstance(proper, NoneType):
            continue
        if isinstance(proper, AnyType) and proper.type_of_any == TypeOfAny.unannotated:
            continue  # `def on_x(self, a: int):` declares no return type
        return result
    return None


def _awaited(signature: CallableType) -> Type:
    """``R`` of an ``async def``'s declared ``Coroutine[Any, Any, R]``."""
    returned = get_proper_type(signature.ret_type)
    if (
        isinstance(returned, Instance)
        and returned.type.fullname == "typing.Coroutine"
        and returned.args
    ):
        return returned.args[-1]
    return signature.ret_type


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
