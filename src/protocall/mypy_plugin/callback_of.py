"""The mypy plugin's check of arguments passed to a library's ``CallbackOf[Spec]`` parameters.

A library that takes callbacks for its own manager declares its parameters with
``protocall.CallbackOf``::

    class Trainer:
        def __init__(self, callbacks: Iterable[CallbackOf[TrainHooks]] = ()) -> None: ...
        def add(self, callback: CallbackOf[TrainHooks]) -> None: ...

For a checker, ``CallbackOf[Spec]`` is ``Spec | object`` (a generic type alias,
``protocall._typing``): it accepts any object, so nothing is checked without the plugin. With
it, every argument passed to a parameter whose declared type is ``CallbackOf[Spec]``,
``CallbackOf[Spec] | None``, or an iterable of them (``Iterable``, ``Sequence``, ``list``,
``tuple[..., ...]``...) is checked exactly as ``register`` checks a callback, with the same codes
and messages: one callback for the first shapes, each callback of the iterable (read as the
constructor's list is, see :mod:`.sources`) for the others.

The parameter types are read from the called function's declared type, which mypy keeps in its
incremental cache: the library is usually another module, often one loaded from the cache, and
mypy keeps ``CallbackOf[Spec]`` there as a reference to the alias with its argument (see
:func:`.callbacks.callback_of_spec`), so nothing else needs storing. mypy asks a plugin for a
call's hook by the callee's name only, before it knows the callee's type, and the first plugin
that answers wins (over mypy's own default plugin too); so the plugin answers only for a callee
whose declaration has such a parameter (looked up afresh each time, for ``dmypy``), and reads
the signature bound at the call (a method of ``Trainer[Spec]`` with the class's type arguments
applied) in the hook.

A value whose static type is ``CallbackOf[Spec]`` (the library passing its parameter on, to
``register`` or to the manager's constructor) was checked where it entered: it is not checked
again, and it says nothing of its class.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from mypy.expandtype import expand_type_by_instance
from mypy.maptype import map_instance_to_supertype
from mypy.nodes import (
    ARG_STAR2,
    Decorator,
    FuncDef,
    OverloadedFuncDef,
    SymbolNode,
    TypeInfo,
)
from mypy.plugin import FunctionContext, MethodContext
from mypy.subtypes import find_member
from mypy.typeops import bind_self
from mypy.types import (
    CallableType,
    FunctionLike,
    Instance,
    Overloaded,
    TupleType,
    Type,
    TypeAliasType,
    TypeType,
    UnionType,
    get_proper_type,
)

from .callbacks import callback_of_spec, check_callback
from .names import CALLBACK_OF_FULLNAMES, MANAGER_FULLNAME
from .sources import Sources
from .spec import read_spec

__all__ = [
    "Lookup",
    "declared_signature",
    "function_hook",
    "has_callback_of_parameter",
    "method_hook",
    "takes_callback_of",
]

_ITERABLE: Final = "typing.Iterable"
_MAX_ALIAS_DEPTH: Final = 4
_INIT: Final = "__init__"

Lookup = Callable[[str], SymbolNode | None]
"""How the plugin finds a declaration by its full name (``Plugin.lookup_fully_qualified``)."""


def declared_signature(node: SymbolNode | None) -> FunctionLike | None:
    """The declared type of a function, method or class (its ``__init__``), as callers see it."""
    if isinstance(node, TypeInfo):
        owner = _init_owner(node)
        if owner is None:
            return None
        node = owner.names[_INIT].node
    typ: Type | None = None
    if isinstance(node, (FuncDef, OverloadedFuncDef)):
        typ = node.type
    elif isinstance(node, Decorator):
        typ = node.var.type
    proper = get_proper_type(typ) if typ is not None else None
    return proper if isinstance(proper, FunctionLike) else None


def takes_callback_of(node: SymbolNode) -> bool:
    """Whether a call of the declaration ``node`` (a function, a method, a class other than a
    manager, whose constructor the plugin checks anyway) passes ``CallbackOf`` parameters."""
    if isinstance(node, TypeInfo) and node.has_base(MANAGER_FULLNAME):
        return False
    signature = declared_signature(node)
    return signature is not None and has_callback_of_parameter(signature)


def _init_owner(info: TypeInfo) -> TypeInfo | None:
    """The class of ``info``'s MRO whose ``__init__`` a call of ``info`` runs (not object's)."""
    for klass in info.mro:
        if _INIT in klass.names:
            return None if klass.fullname == "builtins.object" else klass
    return None


def has_callback_of_parameter(signature: FunctionLike) -> bool:
    """Whether a parameter of ``signature`` takes ``CallbackOf[...]`` callbacks.

    Asked for every call mypy checks: a parameter type that does not mention ``CallbackOf`` at
    all (nearly all of them) is ruled out by a walk of its written form, without expanding
    anything."""
    return any(
        _mentions_callback_of(t) and _parameter_spec(t) is not None
        for item in signature.items
        for t in item.arg_types
    )


def _mentions_callback_of(typ: Type, depth: int = 0) -> bool:
    """Whether ``CallbackOf`` appears in ``typ`` as written, or in a type alias it uses
    (``Callbacks = Iterable[CallbackOf[Hooks]]``), a few aliases deep (they may be recursive)."""
    if depth > _MAX_ALIAS_DEPTH:
        return False
    if isinstance(typ, TypeAliasType):
        alias = typ.alias
        if alias is not None and alias.fullname in CALLBACK_OF_FULLNAMES:
            return True
        if alias is not None and _mentions_callback_of(alias.target, depth + 1):
            return True
        return any(_mentions_callback_of(arg, depth) for arg in typ.args)
    if isinstance(typ, Instance):
        return typ.type.fullname in CALLBACK_OF_FULLNAMES or any(
            _mentions_callback_of(arg, depth) for arg in typ.args
        )
    if isinstance(typ, (UnionType, TupleType)):
        return any(_mentions_callback_of(item, depth) for item in typ.items)
    return False


def _parameter_spec(formal: Type) -> tuple[Type, bool] | None:
    """``(Spec, many)`` for a parameter typed ``CallbackOf[Spec]`` (or ``... | None``), many
    false, or an iterable of them, many true; None for any other parameter."""
    single = _callback_of_spec(formal)
    if single is not None:
        return single, False
    proper = get_proper_type(formal)
    items: list[Type] = []
    if isinstance(proper, UnionType):
        for part in proper.items:
            found = _parameter_spec(part)
            if found is not None:
                return found
        return None
    if isinstance(proper, TupleType):
        items = list(proper.items)
    elif isinstance(proper, Instance):
        iterable = next((b for b in proper.type.mro if b.fullname == _ITERABLE), None)
        if iterable is None:
            return None
        items = list(map_instance_to_supertype(proper, iterable).args[:1])
    for item in items:
        spec = _callback_of_spec(item)
        if spec is not None:
            return spec, True
    return None


def _callback_of_spec(typ: Type) -> Type | None:
    """``Spec`` of ``CallbackOf[Spec]``, also inside ``CallbackOf[Spec] | None``."""
    found = callback_of_spec(typ)
    if found is not None:
        return found
    proper = get_proper_type(typ)
    if isinstance(proper, UnionType):
        for part in proper.items:
            found = _callback_of_spec(part)
            if found is not None:
                return found
    return None


def function_hook(lookup: Lookup, fullname: str) -> Callable[[FunctionContext], Type]:
    """The hook of a call of the function (or class) ``fullname``."""

    def check(ctx: FunctionContext) -> Type:
        node = lookup(fullname)
        signature = declared_signature(node)
        instance = get_proper_type(ctx.default_return_type)
        if isinstance(node, TypeInfo) and signature is not None:
            owner = _init_owner(node)
            if not isinstance(instance, Instance) or owner is None:
                return ctx.default_return_type
            # `__init__` bound to the instance made, with the class's type arguments applied.
            bound = bind_self(signature, instance)
            mapped = map_instance_to_supertype(instance, owner)
            expanded = expand_type_by_instance(bound, mapped)
            signature = expanded if isinstance(expanded, FunctionLike) else None
        if signature is not None:
            _check_arguments(signature, ctx)
        return ctx.default_return_type

    return check


def method_hook(lookup: Lookup, fullname: str) -> Callable[[MethodContext], Type]:
    """The hook of a call of the method ``fullname`` (``module.Class.method``)."""
    owner, _, name = fullname.rpartition(".")

    def check(ctx: MethodContext) -> Type:
        receiver = get_proper_type(ctx.type)
        if isinstance(receiver, TypeType):
            receiver = receiver.item
        signature: FunctionLike | None = None
        if isinstance(receiver, Instance):
            bound = get_proper_type(find_member(name, receiver, receiver))
            signature = bound if isinstance(bound, FunctionLike) else None
        if signature is None:
            info = lookup(owner)
            if isinstance(info, TypeInfo):
                member = info.get(name)
                signature = declared_signature(member.node if member is not None else None)
        if signature is not None:
            _check_arguments(signature, ctx)
        return ctx.default_return_type

    return check


def _check_arguments(signature: FunctionLike, ctx: FunctionContext | MethodContext) -> None:
    """Check what the call passes to each ``CallbackOf`` parameter of ``signature``."""
    item = _called_item(signature, ctx.callee_arg_names)
    if item is None:
        return
    sources = Sources(ctx.api)
    for index, formal in enumerate(item.arg_types):
        if index >= len(ctx.args):
            break
        found = _parameter_spec(formal)
        if found is None:
            continue
        spec = read_spec(found[0], ctx.api)
        if spec is None:
            continue  # a type variable, Any, not a Protocol: nothing to check against
        many = found[1]
        actuals = zip(ctx.args[index], ctx.arg_kinds[index], ctx.arg_types[index], strict=True)
        for expression, kind, typ in actuals:
            if kind == ARG_STAR2 or (many and kind.is_star()):
                continue
            if many or kind.is_star():
                callbacks = sources.many(expression)
            else:
                callbacks = sources.one(expression, typ)
            for callback in callbacks:
                check_callback(spec, callback, ctx.api)


def _called_item(signature: FunctionLike, names: list[str | None]) -> CallableType | None:
    """The signature (of an overloaded one: the item) whose parameters the call was matched to.

    mypy groups a hook's arguments by the parameters of the signature it checked the call
    against; an overload whose parameter names differ cannot be the one."""
    if isinstance(signature, CallableType):
        return signature if len(signature.arg_types) == len(names) else None
    assert isinstance(signature, Overloaded)
    fitting = [item for item in signature.items if item.arg_names == names]
    return fitting[0] if len(fitting) == 1 else None
