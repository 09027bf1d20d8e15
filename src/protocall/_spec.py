"""Read a spec (a :class:`typing.Protocol` class) into its table of hooks, once per class.

A hook is a plain instance method of the spec or of a Protocol it extends: its name is the hook
name, its signature without ``self`` the hook signature, ``async def`` makes it an async hook.
Anything else declared on a spec (data, properties, static or class methods) is refused, because
``manager.call.<name>`` could not dispatch it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from keyword import iskeyword
from types import FunctionType
from typing import TYPE_CHECKING, Any, Final, cast

if TYPE_CHECKING:
    import inspect

from ._compat import is_protocol, protocol_members
from ._errors import UnknownHookError, did_you_mean
from ._hook import OPTIONS, Hook, HookspecOptions
from ._rules import near_miss

__all__ = ["HookTable", "NamesAmong", "hook_table"]


class HookTable:
    """Every hook of one spec, in declaration order, with lookups by name and by function."""

    __slots__ = (
        "__weakref__",
        "_near_misses",
        "by_function",
        "hook_list",
        "hooks",
        "name_list",
        "names",
        "names_memo",
        "spec_name",
    )

    def __init__(
        self, *, spec_name: str, hooks: Mapping[str, Hook], by_function: Mapping[object, Hook]
    ) -> None:
        self.spec_name: Final = spec_name
        """The spec's qualified name, for messages. (The table does not refer to the spec
        class, so that its cache entry does not keep the class alive.)"""
        self.hooks: Final = hooks
        self.by_function: Final = by_function
        self.names: Final = frozenset(hooks)
        self.name_list: Final = tuple(hooks)
        """The hook names in declaration order."""
        self.hook_list: Final = tuple(hooks.values())
        """The hooks in declaration order."""
        self._near_misses: dict[str, str | None] = {}
        self.names_memo: Final[dict[tuple[str, ...], NamesAmong]] = {}
        """:meth:`names_among`'s answers (read directly by registration, which pays per call)."""

    def names_among(self, names: tuple[str, ...]) -> NamesAmong:
        """What the names of one class namespace (``tuple(vars(klass))``) mean for this spec
        (see :class:`NamesAmong`).

        Memoised per tuple of names: the answer depends on the names alone (a class that
        changes has other names, or the same names with other values, which the caller reads),
        so a class read again costs one lookup.
        """
        found = self.names_memo.get(names)
        if found is None:
            if len(self.names_memo) >= _MEMO_LIMIT:
                self.names_memo.clear()
            found = self.names_memo[names] = NamesAmong(self, names)
        return found

    def near_miss(self, name: str) -> str | None:
        """The hook that the method name ``name`` most likely misspells, or None (memoised: the
        answer depends on the name alone)."""
        try:
            return self._near_misses[name]
        except KeyError:
            found = self._near_misses[name] = near_miss(name, self.hooks)
            return found

    def hook_named(self, name: str) -> Hook:
        """The hook called ``name``; :class:`UnknownHookError` naming the closest ones if none."""
        try:
            return self.hooks[name]
        except KeyError:
            raise UnknownHookError(self.unknown_name_message(name), name=name) from None

    def resolve(self, hook: object) -> Hook:
        """The hook that ``hook`` designates: a hook name, or a spec method such as ``Spec.hook``."""
        if isinstance(hook, str):
            return self.hook_named(hook)
        try:
            return self.by_function[hook]
        except (KeyError, TypeError):
            pass
        name = getattr(hook, "__name__", None)
        if isinstance(name, str) and callable(hook):
            qualname = getattr(hook, "__qualname__", name)
            hint = (
                f" The spec has a hook named {name!r}: pass {self.spec_name}.{name} or {name!r}."
                if name in self.hooks
                else did_you_mean(name, self.hooks)
            )
            raise UnknownHookError(
                f"{qualname} is not a hook of {self.spec_name}.{hint}", name=name
            )
        raise TypeError(
            f"a hook is given as its name (a str) or as a method of the spec such as "
            f"{self.spec_name}.{next(iter(self.hooks))}, not {type(hook).__name__} {hook!r}"
        )

    def unknown_name_message(self, name: str) -> str:
        return (
            f"{self.spec_name} has no hook {name!r}.{did_you_mean(name, self.hooks)} "
            f"Its hooks are: {', '.join(self.hooks)}."
        )


class NamesAmong:
    """What the names of a class namespace mean for a spec: which look like misspelt hook names,
    whether the class customises attribute lookup or may be a Protocol."""

    __slots__ = ("custom_lookup", "marks_protocol", "near_misses", "notable")

    def __init__(self, table: HookTable, names: tuple[str, ...]) -> None:
        self.near_misses: Final = tuple(
            (name, hook)
            for name in sorted(set(names))
            if (hook := table.near_miss(name)) is not None
        )
        self.custom_lookup: Final = "__getattr__" in names or "__getattribute__" in names
        self.marks_protocol: Final = "_is_protocol" in names
        """The namespace has ``_is_protocol`` (set by ``Protocol`` on its subclasses): the class
        is a Protocol if its value is true."""
        self.notable: Final = bool(self.near_misses) or self.custom_lookup or self.marks_protocol
        """Anything at all to note (most callback classes: nothing)."""


_MEMO_LIMIT: Final = 4096
"""Entries kept by a table's memo of near misses; past that it starts again."""

_TABLES: Final[weakref.WeakKeyDictionary[type, HookTable]] = weakref.WeakKeyDictionary()


def spec_class(spec: object) -> object:
    """The class a spec argument designates: ``Hooks[int]`` designates ``Hooks``."""
    if isinstance(spec, type):
        return spec
    import typing

    origin = typing.get_origin(spec)
    return origin if isinstance(origin, type) else spec


def hook_table(spec: object) -> HookTable:
    """The hook table of ``spec`` (a Protocol class, or a generic one's alias such as
    ``Hooks[int]``), read on first use and cached per class."""
    spec = spec_class(spec)
    if isinstance(spec, type):
        table = _TABLES.get(spec)
        if table is not None:
            return table
    table = _read_spec(spec)
    _TABLES[cast(type, spec)] = table  # (_read_spec refuses anything but a class)
    return table


def _read_spec(spec: Any) -> HookTable:
    if not isinstance(spec, type):
        raise TypeError(
            f"the spec of a CallbackManager is a Protocol class that declares the hooks "
            f"(or None for an unchecked manager), not {type(spec).__name__} {spec!r}"
        )
    name = spec.__qualname__
    if not is_protocol(spec):
        raise TypeError(
            f"{name} is not a Protocol: declare the spec as `class {name}(Protocol): ...` "
            f"(from typing import Protocol) so that type checkers check its callbacks"
        )
    members = protocol_members(spec)
    hooks: dict[str, Hook] = {}
    by_function: weakref.WeakKeyDictionary[object, Hook] = weakref.WeakKeyDictionary()
    for member in _declaration_order(spec, members):
        if not member.isidentifier() or iskeyword(member):
            raise TypeError(
                f"{name} declares a member named {member!r}, which is not a Python identifier: "
                f"hook names are method names; remove it or give it a plain name"
            )
        hook = _read_hook(spec, member)
        hooks[member] = hook
        for function in _same_named_functions(spec, member):
            by_function[function] = hook
    if not hooks:
        raise TypeError(
            f"{name} declares no hook: give it at least one method, "
            f"e.g. `def on_event(self) -> None: ...`"
        )
    return HookTable(spec_name=name, hooks=hooks, by_function=by_function)


def _declaration_order(spec: type, members: frozenset[str]) -> list[str]:
    """Protocol members in reading order: the bases' members (left to right), then its own."""
    order: dict[str, None] = {}

    def visit(klass: type) -> None:
        for base in klass.__bases__:
            visit(base)
        for member in (*vars(klass), *vars(klass).get("__annotations__", {})):
            if member in members:
                order.setdefault(member)

    visit(spec)
    return list(order)


def _read_hook(spec: type, name: str) -> Hook:
    import inspect  # here, not at the top: importing protocall need not load inspect

    where = f"{spec.__qualname__}.{name}"
    if name.startswith("__") and name.endswith("__"):
        raise TypeError(
            f"{where}: a hook cannot be a dunder method ({name!r}); give the hook a plain name "
            f"such as `on_{name.strip('_')}`"
        )
    try:
        value = inspect.getattr_static(spec, name)
    except AttributeError:
        raise TypeError(
            f"{where} is a data attribute; a spec declares hooks only, as plain methods "
            f"(`def {name}(self, ...) -> None: ...`): remove it or make it a method"
        ) from None
    if not isinstance(value, FunctionType):
        kind = _member_kind(value)
        raise TypeError(
            f"{where} is {kind}; a spec declares hooks only, as plain instance methods "
            f"(`def` or `async def` taking self): remove it or make it a plain method"
        )
    overloads = _overloads(spec, name, value)
    declared = overloads or (value,)
    signatures: list[inspect.Signature] = []
    for function in declared:
        signature = inspect.signature(function)
        parameters = list(signature.parameters.values())
        if not parameters or parameters[0].kind not in (
            inspect.Parameter.POSITIONAL_ONLY,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
        ):
            raise TypeError(f"{where} does not take `self`: declare it as `def {name}(self, ...)`")
        signatures.append(signature.replace(parameters=parameters[1:]))
    kinds = {inspect.iscoroutinefunction(function) for function in declared}
    if len(kinds) > 1:
        raise TypeError(
            f"{where}: its overloads mix `def` and `async def`; declare them all one way"
        )
    functions = _same_named_functions(spec, name)
    # A sub-Protocol that redeclares a hook without @hookspec keeps the options of the base's.
    options = next(
        (o for f in functions if isinstance(o := getattr(f, OPTIONS, None), HookspecOptions)),
        HookspecOptions(),
    )
    is_async = kinds.pop()
    if options.concurrent and not is_async:
        raise TypeError(
            f"{where} is marked @hookspec(concurrent=True) but is not `async def`: only async "
            f"hooks can run concurrently; declare it `async def {name}(self, ...)` or drop "
            f"concurrent=True"
        )
    return Hook(
        name=name,
        signatures=tuple(signatures),
        overloaded=bool(overloads),
        is_async=is_async,
        spec_name=spec.__qualname__,
        reverse=options.reverse,
        concurrent=options.concurrent,
        functions=functions,
    )


def _overloads(spec: type, name: str, value: FunctionType) -> tuple[Callable[..., Any], ...]:
    """The ``@overload`` declarations of the hook ``name`` (empty if it has none).

    A method declared only by overloads is ``typing``'s placeholder at run time; its overloads
    are found, as ``typing.get_overloads`` finds them, by the module and qualified name of the
    class of the MRO that declares it.
    """
    import typing

    owner = next((k for k in spec.__mro__ if name in vars(k)), spec)

    def stand_in() -> None: ...

    stand_in.__module__ = owner.__module__
    stand_in.__qualname__ = f"{owner.__qualname__}.{name}"
    found = typing.get_overloads(stand_in) or typing.get_overloads(value)
    return tuple(found)


def _same_named_functions(spec: type, name: str) -> tuple[FunctionType, ...]:
    found: list[FunctionType] = []
    for klass in spec.__mro__:
        value = vars(klass).get(name)
        if isinstance(value, FunctionType) and value not in found:
            found.append(value)
    return tuple(found)


def _member_kind(value: object) -> str:
    if isinstance(value, property):
        return "a property"
    if isinstance(value, staticmethod):
        return "a staticmethod"
    if isinstance(value, classmethod):
        return "a classmethod"
    if isinstance(value, type):
        return "a nested class"
    return f"a data attribute ({type(value).__name__})"
