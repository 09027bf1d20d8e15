"""The unchecked manager (``spec=None``): Lightning Fabric 2.6's ``Fabric.call`` semantics.

Any hook name may be called. For each registered callback, in order, the method is looked up
with plain ``getattr`` (so a ``Mock()`` answers every name); a callback without it is skipped;
a non-callable attribute is skipped with a ``UserWarning`` on every call. Positional arguments
pass through; keyword arguments are filtered by the method's signature: a method without
``**kwargs`` gets only the keywords it names, one whose signature cannot be read gets them all.

Unlike Fabric, the lookups are done once per hook name until the registrations change, the
signature is read once per callback and hook, and the filtering is decided once per keyword
shape of the calls (the names, in order), not on every call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from keyword import iskeyword
from typing import TYPE_CHECKING, Any, ClassVar, Final

from ._dispatch import GENERIC_SHAPE, PREFIX, SKIPPED, Who
from ._errors import warn_at_caller
from ._hookstate import Plan
from ._strategy import HookOptions

if TYPE_CHECKING:
    from ._registry import Registration
    from ._validate import Implementation

__all__ = ["UncheckedStrategy"]


class _Entry:
    """One implementer of an unchecked hook: the method, and the keywords it names."""

    __slots__ = ("accepts", "method")

    def __init__(self, method: Callable[..., Any], accepts: frozenset[str] | None) -> None:
        self.method: Final = method
        self.accepts: Final = accepts
        """The parameter names of its signature; None when it takes any keyword."""

    def for_keywords(self, keywords: tuple[str, ...]) -> Callable[..., Any]:
        """What to call for a call with these keyword names."""
        accepts = self.accepts
        if accepts is None or accepts.issuperset(keywords):
            return self.method
        return _filtering(self.method, tuple(k for k in keywords if k in accepts))


def _filtering(method: Callable[..., Any], kept: tuple[str, ...]) -> Callable[..., Any]:
    """``method``, passed only the ``kept`` keyword arguments of each call."""

    def filtered(*args: Any, **kwargs: Any) -> Any:
        return method(*args, **{keyword: kwargs[keyword] for keyword in kept})

    return filtered


class _ByName:
    """An unchecked hook's implementers: the callbacks that have the method."""

    __slots__ = ("_entries", "who")

    def __init__(self, entries: tuple[_Entry, ...], who: Who) -> None:
        self._entries: Final = entries
        self.who: Final = who

    def methods(self) -> tuple[Callable[..., Any], ...]:
        return tuple(entry.method for entry in self._entries)

    def plan(self, positional: int, keywords: tuple[str, ...]) -> Plan:
        """Exact calls for this shape: each method is passed the keywords it names.

        Keyword names that cannot be parameter names of generated code get the generic form,
        whose methods filter the keywords themselves.
        """
        entries = self._entries
        if not all(_usable(keyword) for keyword in keywords):
            return Plan(tuple(entry.for_keywords(keywords) for entry in entries), None)
        given = [f"{PREFIX}p{i}" for i in range(positional)]
        parameters = ", ".join([*given, *(("*", *keywords) if keywords else ())])
        arguments: list[str] = []
        for entry in entries:
            accepts = entry.accepts
            kept = keywords if accepts is None else [k for k in keywords if k in accepts]
            arguments.append(", ".join([*given, *(f"{k}={k}" for k in kept)]))
        return Plan(tuple(entry.method for entry in entries), parameters, tuple(arguments))


def _usable(keyword: str) -> bool:
    """Can ``keyword`` be a parameter name of generated code?"""
    return (
        keyword.isidentifier()
        and not iskeyword(keyword)
        and keyword != "__debug__"
        and not keyword.startswith(PREFIX)
    )


def _accepted_keywords(method: Callable[..., Any]) -> frozenset[str] | None:
    """The keyword names Fabric would pass ``method``: its parameters' (None: all)."""
    import inspect

    try:
        signature = inspect.signature(method)
    except (ValueError, TypeError):
        return None
    parameters = signature.parameters.values()
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return None
    return frozenset(p.name for p in parameters)


def _skipper(callback: object, name: str) -> Callable[..., Any]:
    """Stands in for a non-callable attribute: warns on each call, as Fabric does."""
    message = (
        f"Skipping the callback `{type(callback).__name__}.{name}` because it is not callable."
    )

    def skip(*args: object, **kwargs: object) -> object:
        warn_at_caller(message, UserWarning)
        return SKIPPED

    return skip


class UncheckedStrategy:
    """A manager without a spec: every name is a hook, looked up on each callback by name."""

    __slots__ = ()

    checked: ClassVar[bool] = False

    def implement(self, callback: object) -> None:
        return None

    def warn(self, callback: object, implementation: Implementation | None) -> None:
        return None

    def hook_name(self, hook: object) -> str:
        if isinstance(hook, str):
            return hook
        name: object = getattr(hook, "__name__", None)
        if callable(hook) and isinstance(name, str):
            return name
        raise TypeError(f"a hook is given as its name (a str) or a method, not {hook!r}")

    def options(self, name: str, mode: str) -> HookOptions:
        return HookOptions(
            label=repr(name), shape=GENERIC_SHAPE, is_async=False, concurrent=False, planned=True
        )

    def implementers(self, name: str, registrations: Sequence[Registration]) -> _ByName:
        entries: list[_Entry] = []
        callbacks: list[object] = []
        skipped: list[int] = []
        for registration in registrations:
            callback = registration.callback
            method = getattr(callback, name, None)
            if method is None:
                continue
            if callable(method):
                entries.append(_Entry(method, _accepted_keywords(method)))
            else:
                skipped.append(len(entries))
                entries.append(_Entry(_skipper(callback, name), None))
            callbacks.append(callback)
        return _ByName(tuple(entries), Who(tuple(callbacks), skipped=frozenset(skipped)))

    def touched(self, registrations: Iterable[Registration]) -> set[str] | None:
        return None  # any name may be a hook
