"""Which callbacks an argument stands for, where to report on each, and what is known of its class.

``register(x)`` takes one callback; the constructor's ``callbacks`` and a library's
``Iterable[CallbackOf[Spec]]`` take an iterable of them. The static type of an iterable often
says nothing of its items (``[A(), B()]`` is a ``list[object]`` once stored in a variable), so
the items are read from the expression itself wherever it says more:

* a list, tuple or set display: each item, and for ``*xs`` the items of ``xs``;
* a comprehension or generator expression: its element expression;
* a variable: the items of the value it was last assigned before the use, and those added since
  (``append``, ``insert``, ``extend``, ``+=``), read by :func:`.syntax.flow_of`; an error is
  reported at the use, where the callbacks are registered;
* anything else: the item type of its static type (``list[A]``, ``tuple[A, B]``).

An item ``Prioritized(x, p)`` (or of type ``Prioritized[C]``) stands for its callback ``x``; a
conditional expression ``a if c else b`` for both of its branches.

Each :class:`Candidate` also says whether the class of the value is known *exactly*. A value
whose static type is a class ``Base`` may at run time be an instance of a subclass, which may
implement hooks that ``Base`` does not. So "implements no hook" and "named almost like a hook"
(facts about what a class lacks) are reported only for an exact value: an instance made right
there (``Base()``), a variable whose last assignment made one, a module or a function object, a
literal, or a value of a ``@final`` class. A problem with a member the type does have (a wrong
signature, sync/async) is reported for every value: a subclass inherits that member or
overrides it compatibly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from mypy.checker import TypeChecker
from mypy.maptype import map_instance_to_supertype
from mypy.nodes import (
    ARG_POS,
    BytesExpr,
    CallExpr,
    ComplexExpr,
    ConditionalExpr,
    Context,
    DictExpr,
    Expression,
    FloatExpr,
    FuncDef,
    GeneratorExpr,
    IndexExpr,
    IntExpr,
    LambdaExpr,
    ListComprehension,
    ListExpr,
    MypyFile,
    NameExpr,
    OverloadedFuncDef,
    RefExpr,
    SetComprehension,
    SetExpr,
    StarExpr,
    StrExpr,
    TupleExpr,
    TypeInfo,
    Var,
)
from mypy.plugin import CheckerPluginInterface
from mypy.subtypes import is_same_type
from mypy.types import Instance, NoneType, TupleType, Type, UnionType, get_proper_type

from .syntax import Flow, flow_of

__all__ = ["Candidate", "Sources", "prioritized_callback"]

_PRIORITIZED: Final = "Prioritized"
_PRIORITIZED_CALLBACK: Final = "callback"
_ITERABLE: Final = "typing.Iterable"
_MAX_DEPTH: Final = 4
"""How many variables deep a value is followed (``a = [x]; b = a; c = [*b]``)."""

_LITERALS: Final = (
    BytesExpr,
    ComplexExpr,
    DictExpr,
    FloatExpr,
    IntExpr,
    LambdaExpr,
    ListComprehension,
    ListExpr,
    SetComprehension,
    SetExpr,
    StrExpr,
    TupleExpr,
    GeneratorExpr,
)
"""Expressions whose value is of exactly their static type."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """One value that is registered as a callback, as the plugin checks it."""

    type: Type
    context: Context
    """Where a problem with it is reported."""
    exact: bool
    """Its class is known exactly, not just one of its bases (see the module docstring)."""


class Sources:
    """Reads the callbacks of the arguments of one call that mypy is checking."""

    __slots__ = ("_api", "_checker")

    def __init__(self, api: CheckerPluginInterface) -> None:
        self._api: Final = api
        self._checker: Final = api if isinstance(api, TypeChecker) else None

    def one(
        self, expression: Expression, typ: Type | None = None, at: Context | None = None
    ) -> list[Candidate]:
        """``expression`` given where one callback is expected (``register(x)``); ``typ`` is
        its type if the caller knows it, ``at`` where to report (default: the expression)."""
        return self._one(expression, typ, at, 0)

    def many(self, expression: Expression, at: Context | None = None) -> list[Candidate]:
        """``expression`` given where an iterable of callbacks is expected."""
        return self._many(expression, at, 0)

    # -- one callback --------------------------------------------------------------------------

    def _one(
        self, expression: Expression, typ: Type | None, at: Context | None, depth: int
    ) -> list[Candidate]:
        if isinstance(expression, ConditionalExpr):
            return [
                *self._one(expression.if_expr, None, at, depth),
                *self._one(expression.else_expr, None, at, depth),
            ]
        if typ is None:
            typ = self._type(expression)
            if typ is None:
                return []  # not checked (yet): nothing to say
        exact = self._is_exact(expression, typ, depth)
        return [Candidate(typ, at or expression, exact)]

    def _item(self, expression: Expression, at: Context | None, depth: int) -> list[Candidate]:
        """An item of an iterable of callbacks: ``Prioritized(x, p)`` stands for ``x``."""
        typ = self._type(expression)
        if typ is None:
            return []
        wrapped = prioritized_callback(typ)
        if wrapped is None:
            return self._one(expression, typ, at, depth)
        made = expression
        if isinstance(expression, NameExpr) and depth < _MAX_DEPTH:
            flow = self._flow(expression)
            if flow is not None and not flow.items and not flow.iterables:
                made = flow.value  # `p = Prioritized(x, 1)` earlier
                at = at or expression
        callback = _prioritized_argument(made)
        if callback is not None:
            return self._one(callback, None, at, depth + 1)
        return [Candidate(wrapped, at or expression, False)]

    # -- an iterable of callbacks ----------------------------------------------------------------

    def _many(self, expression: Expression, at: Context | None, depth: int) -> list[Candidate]:
        if isinstance(expression, (ListExpr, TupleExpr, SetExpr)):
            found: list[Candidate] = []
            for item in expression.items:
                if isinstance(item, StarExpr):
                    found += self._many(item.expr, at, depth)
                else:
                    found += self._item(item, at, depth)
            return found
        if isinstance(expression, (ListComprehension, SetComprehension)):
            return self._item(expression.generator.left_expr, at, depth)
        if isinstance(expression, GeneratorExpr):
            return self._item(expression.left_expr, at, depth)
        if isinstance(expression, NameExpr) and depth < _MAX_DEPTH:
            flow = self._flow(expression)
            if flow is not None:
                here = at or expression
                found = self._many(flow.value, here, depth + 1)
                for item in flow.items:
                    found += self._item(item, here, depth + 1)
                for items in flow.iterables:
                    found += self._many(items, here, depth + 1)
                return found
        typ = self._type(expression)
        if typ is None:
            return []
        return [
            Candidate(prioritized_callback(item) or item, at or expression, False)
            for item in _item_types(typ)
        ]

    # -- what is known of a value ------------------------------------------------------------------

    def _type(self, expression: Expression) -> Type | None:
        """The type mypy inferred for ``expression`` (already checked as part of the call)."""
        if self._checker is not None:
            return self._checker.lookup_type_or_none(expression)
        return self._api.get_expression_type(expression)

    def _flow(self, name: NameExpr) -> Flow | None:
        if self._checker is None or not isinstance(name.node, Var):
            return None
        return flow_of(self._checker, name.node, name)

    def _is_exact(self, expression: Expression, typ: Type, depth: int) -> bool:
        """Whether a value of ``expression`` is of exactly the class of its type ``typ``."""
        proper = get_proper_type(typ)
        if isinstance(proper, Instance) and proper.type.is_final:
            return True
        if isinstance(expression, _LITERALS):
            return True
        if isinstance(expression, CallExpr):
            callee = expression.callee
            if isinstance(callee, IndexExpr):  # Generic[int]()
                callee = callee.base
            return isinstance(callee, RefExpr) and isinstance(callee.node, TypeInfo)
        if not isinstance(expression, RefExpr):
            return False
        node = expression.node
        if isinstance(node, (MypyFile, FuncDef, OverloadedFuncDef, TypeInfo)):
            return True  # a module, a function, a class: what the name is bound to
        if isinstance(expression, NameExpr) and isinstance(node, Var) and depth < _MAX_DEPTH:
            flow = self._flow(expression)
            if flow is None:
                return False
            value_type = self._type(flow.value)
            return (
                value_type is not None
                and is_same_type(value_type, typ)
                and self._is_exact(flow.value, value_type, depth + 1)
            )
        return False


def _item_types(typ: Type) -> list[Type]:
    """The types of the items of an iterable of type ``typ``; none if it says nothing."""
    proper = get_proper_type(typ)
    if isinstance(proper, UnionType):
        return [item for part in proper.items for item in _item_types(part)]
    if isinstance(proper, TupleType):
        return list(proper.items)
    if isinstance(proper, NoneType) or not isinstance(proper, Instance):
        return []
    iterable = next((base for base in proper.type.mro if base.fullname == _ITERABLE), None)
    if iterable is None:
        return []
    mapped = map_instance_to_supertype(proper, iterable)
    return list(mapped.args[:1])


def prioritized_callback(typ: Type) -> Type | None:
    """``C`` for a ``Prioritized[C]`` (the inferred type argument), else None."""
    proper = get_proper_type(typ)
    if not isinstance(proper, Instance):
        return None
    base = next((b for b in proper.type.mro if _is_prioritized(b)), None)
    if base is None:
        return None
    mapped = map_instance_to_supertype(proper, base)
    return mapped.args[0] if mapped.args else None


def _prioritized_argument(expression: Expression) -> Expression | None:
    """``x`` of a call ``Prioritized(x, p)`` (also ``Prioritized[C](...)``,
    ``Prioritized(callback=x)``), else None: a function returning a ``Prioritized`` may have
    been given anything."""
    if not isinstance(expression, CallExpr):
        return None
    callee = expression.callee
    if isinstance(callee, IndexExpr):
        callee = callee.base
    if not (isinstance(callee, RefExpr) and isinstance(callee.node, TypeInfo)):
        return None
    if not _is_prioritized(callee.node):
        return None
    arguments = zip(expression.args, expression.arg_kinds, expression.arg_names, strict=True)
    for position, (argument, kind, name) in enumerate(arguments):
        if name == _PRIORITIZED_CALLBACK or (position == 0 and kind == ARG_POS):
            return argument
    return None


def _is_prioritized(info: TypeInfo) -> bool:
    """Whether ``info`` is ``protocall.Prioritized`` (wherever in protocall it is defined)."""
    return info.name == _PRIORITIZED and info.module_name.partition(".")[0] == "protocall"
