"""What the mypy plugin reads of the syntax of the module being checked.

Two questions need more than the expression mypy hands a hook:

* ``manager.call.on_x``: mypy calls the plugin for the attribute ``call`` of the manager with the
  expression ``manager.call``, not with the ``.on_x`` around it (methods get no attribute hook).
  :func:`accessed_attribute` finds that enclosing expression.
* ``cbs = [A(), B()]; CallbackManager(Spec, cbs)``: the variable's type (``list[object]``) has
  forgotten its items. :func:`flow_of` finds the statements that give the variable its value before
  the use: the last assignment, and the ``append``/``extend``/``insert``/``+=`` after it.

Only the module being checked is read, and only its syntax tree, which mypy always has for that
module (a module loaded from the incremental cache is never being checked). Under ``dmypy`` the
tree of a module is re-parsed and merged into the old one in place, so nothing here is trusted
across runs without a check: :func:`accessed_attribute`'s index is verified node by node, and
:func:`flow_of` reads a scope once per module check (:mod:`.memo`), never longer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Final

from mypy.checker import TypeChecker
from mypy.nodes import (
    AssignmentExpr,
    AssignmentStmt,
    Block,
    CallExpr,
    Context,
    Expression,
    ForStmt,
    FuncItem,
    IfStmt,
    LambdaExpr,
    ListExpr,
    MatchStmt,
    MemberExpr,
    MypyFile,
    NameExpr,
    OperatorAssignmentStmt,
    StarExpr,
    Statement,
    TryStmt,
    TupleExpr,
    Var,
    WhileStmt,
    WithStmt,
)
from mypy.server.subexpr import get_subexpressions

from .memo import CheckMemo

__all__ = ["Flow", "accessed_attribute", "flow_of"]

_CALL: Final = "call"

# mypy is compiled with mypyc, whose visitor classes an interpreted plugin cannot subclass: the
# expressions of a tree are listed by mypy's own `get_subexpressions` (which fine-grained mode
# uses), and statements are walked here.


# -- manager.call.<hook> ------------------------------------------------------------------------

_Index = dict[int, tuple[MemberExpr, MemberExpr | None]]

_INDEX: Final[dict[str, tuple[MypyFile, _Index]]] = {}
"""Per module: its tree, and each ``<expr>.call`` in it with the ``.<name>`` access around it.
The index holds the nodes it maps, so an ``id`` cannot be reused while it is there; an entry is
used only if it maps that very node."""


def accessed_attribute(checker: TypeChecker, call: MemberExpr) -> MemberExpr | None:
    """The expression ``<call>.<name>`` that ``call`` (a ``<manager>.call``) stands in, or None."""
    tree = checker.tree
    cached = _INDEX.get(tree.fullname)
    index = cached[1] if cached is not None and cached[0] is tree else None
    found = index.get(id(call)) if index is not None else None
    if found is None or not _maps(found, call):
        index = _index(tree)  # new (or re-parsed) syntax
        found = index.get(id(call))
        if found is None or not _maps(found, call):
            index[id(call)] = found = (call, None)  # made by a plugin: not in the module's tree
    return found[1]


def _maps(found: tuple[MemberExpr, MemberExpr | None], call: MemberExpr) -> bool:
    """Whether an entry of the index is about ``call``, and right about its parent."""
    inner, outer = found
    return inner is call and (outer is None or outer.expr is call)


def _index(tree: MypyFile) -> _Index:
    index: _Index = {}
    for expression in get_subexpressions(tree):
        if not isinstance(expression, MemberExpr):
            continue
        inner = expression.expr
        if isinstance(inner, MemberExpr) and inner.name == _CALL:
            index[id(inner)] = (inner, expression)
        if expression.name == _CALL:
            index.setdefault(id(expression), (expression, None))
    _INDEX[tree.fullname] = (tree, index)
    return index


# -- where a variable's value comes from ---------------------------------------------------------


@dataclass(slots=True)
class Flow:
    """How a variable got its value at one use, as far as the statements before it say."""

    value: Expression
    """The right-hand side of the last assignment before the use."""
    items: list[Expression] = field(default_factory=list[Expression])
    """Items added since (``append(x)``, ``insert(i, x)``)."""
    iterables: list[Expression] = field(default_factory=list[Expression])
    """Iterables whose items were added since (``extend(xs)``, ``+= xs``)."""


_ADD_ITEM: Final = {"append": (1, 0), "insert": (2, 1)}
"""List methods that add one item: how many arguments they take, and which one is the item."""
_ADD_ITEMS: Final = frozenset({"extend", "__iadd__"})


def flow_of(checker: TypeChecker, var: Var, use: Context) -> Flow | None:
    """Where the value of ``var`` at ``use`` comes from, or None if the statements do not say.

    The innermost scope (function, then the enclosing ones, then the module) that assigns the
    variable is read; its last assignment on a line before the use gives the value, and the
    items added on the lines between are added to it. This follows straight-line code, the usual
    way a list of callbacks is built; a value it cannot follow (assigned by unpacking or by a
    loop, or only after the use) gives None, and the caller falls back on the variable's type.
    Each scope is read once per module check, for all its variables (:mod:`.memo`).
    """
    scopes: list[FuncItem | MypyFile] = [
        item
        for item in reversed(checker.scope.stack)
        if isinstance(item, FuncItem) and not isinstance(item, LambdaExpr)
    ]
    scopes.append(checker.tree)
    for scope in scopes:
        reading = _READINGS.get(checker, scope, partial(_read, scope)).get(var)
        if reading is None or not reading.assigned:
            continue
        before = [(line, value) for line, value in reading.assigned if line <= use.line]
        if not before:
            return None
        line, value = max(before, key=lambda assigned: assigned[0])
        if value is None:
            return None
        flow = Flow(value)
        for added_line, expression, many in reading.added:
            if line <= added_line <= use.line:
                (flow.iterables if many else flow.items).append(expression)
        return flow
    return None


class _Reading:
    """The statements of one scope that give one variable its value, by line."""

    __slots__ = ("added", "assigned")

    def __init__(self) -> None:
        self.assigned: list[tuple[int, Expression | None]] = []
        """(line, value); None: a value this reading cannot follow (unpacking, a loop...)."""
        self.added: list[tuple[int, Expression, bool]] = []
        """(line, expression, whether it is an iterable of items rather than one item)."""


_Readings = dict[Var, _Reading]

_READINGS: Final[CheckMemo[FuncItem | MypyFile, _Readings]] = CheckMemo()


def _read(scope: FuncItem | MypyFile) -> _Readings:
    """The readings of every variable of ``scope``: its statements (not those of the functions
    and classes in it) and the expressions of all of it (a nested function may append to a
    list)."""
    readings: _Readings = {}

    def reading(var: Var) -> _Reading:
        found = readings.get(var)
        if found is None:
            found = readings[var] = _Reading()
        return found

    statements = scope.defs if isinstance(scope, MypyFile) else scope.body.body
    for statement in _walk(statements):
        _statement(statement, reading)
    for expression in get_subexpressions(scope):
        if isinstance(expression, AssignmentExpr):
            target = _var(expression.target)
            if target is not None:
                reading(target).assigned.append((expression.line, expression.value))
        elif isinstance(expression, CallExpr):
            _call(expression, reading)
    return readings


def _var(expression: Expression) -> Var | None:
    """The variable a name refers to."""
    if isinstance(expression, NameExpr) and isinstance(expression.node, Var):
        return expression.node
    return None


def _targets(lvalue: Expression) -> list[Var]:
    """The variables an assignment target binds, alone or as part of an unpacking."""
    if isinstance(lvalue, (TupleExpr, ListExpr)):
        return [var for item in lvalue.items for var in _targets(item)]
    if isinstance(lvalue, StarExpr):
        return _targets(lvalue.expr)
    var = _var(lvalue)
    return [var] if var is not None else []


def _statement(statement: Statement, reading: Callable[[Var], _Reading]) -> None:
    line = statement.line
    if isinstance(statement, AssignmentStmt):
        for lvalue in statement.lvalues:
            var = _var(lvalue)
            if var is not None:
                reading(var).assigned.append((line, statement.rvalue))
            else:
                for target in _targets(lvalue):
                    reading(target).assigned.append((line, None))
    elif isinstance(statement, OperatorAssignmentStmt):
        var = _var(statement.lvalue)
        if var is not None and statement.op == "+":
            reading(var).added.append((line, statement.rvalue, True))
        elif var is not None:
            reading(var).assigned.append((line, None))
    elif isinstance(statement, ForStmt):
        for target in _targets(statement.index):
            reading(target).assigned.append((line, None))
    elif isinstance(statement, WithStmt):
        for given in statement.target:
            for target in _targets(given) if given is not None else []:
                reading(target).assigned.append((line, None))


def _call(call: CallExpr, reading: Callable[[Var], _Reading]) -> None:
    """``xs.append(x)``, ``xs.insert(i, x)``, ``xs.extend(ys)``, ``xs.__iadd__(ys)``."""
    callee = call.callee
    if not isinstance(callee, MemberExpr):
        return
    var = _var(callee.expr)
    if var is None:
        return
    shape = _ADD_ITEM.get(callee.name)
    if shape is not None and len(call.args) == shape[0]:
        reading(var).added.append((call.line, call.args[shape[1]], False))
    elif callee.name in _ADD_ITEMS and len(call.args) == 1:
        reading(var).added.append((call.line, call.args[0], True))


def _walk(statements: list[Statement]) -> Iterator[Statement]:
    """The statements, and those of the blocks of compound statements, in order; not those of
    function and class definitions, which are scopes of their own."""
    for statement in statements:
        yield statement
        for block in _blocks(statement):
            yield from _walk(block.body)


def _blocks(statement: Statement) -> list[Block]:
    if isinstance(statement, (IfStmt, TryStmt)):
        blocks = list(statement.body) if isinstance(statement, IfStmt) else [statement.body]
        if isinstance(statement, TryStmt):
            blocks += statement.handlers
            if statement.finally_body is not None:
                blocks.append(statement.finally_body)
        if statement.else_body is not None:
            blocks.append(statement.else_body)
        return blocks
    if isinstance(statement, (ForStmt, WhileStmt)):
        return [statement.body] + ([statement.else_body] if statement.else_body else [])
    if isinstance(statement, WithStmt):
        return [statement.body]
    if isinstance(statement, MatchStmt):
        return list(statement.bodies)
    if isinstance(statement, Block):
        return [statement]
    return []
