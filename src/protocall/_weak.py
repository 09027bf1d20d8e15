"""Calling a weakly registered callback's methods without keeping it alive.

A weak registration (``register(callback, weak=True)``) holds the callback through a weak
reference: its methods are called as ``function(callback, ...)`` after dereferencing, so no
bound method (which would hold the callback) sits in a dispatch snapshot. Once the callback is
collected, the call is skipped (``emit`` leaves it out of its results), and the manager drops
the registration at its next change or inspection.

A :class:`WeakTarget` is what a weak registration records per hook. Straight-line dispatchers
call it inline (``function(callback, ...)`` after one dereference, see ``_codegen``); where
they cannot (loops, error policies, monitors), it is called as the function it also is.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from types import CellType, FunctionType, MethodType
from typing import Any, Final, cast

from ._dispatch import SKIPPED
from ._registry import Weak

__all__ = ["WeakTarget", "refers_to", "weakly"]


class WeakTarget:
    """A weakly registered callback's method for one hook: its class's function, the weak
    reference, and the keyword arguments the function leaves out."""

    __slots__ = ("call", "dropped", "function", "weak")

    def __init__(
        self, function: Callable[..., Any], weak: Weak, dropped: frozenset[str], *, is_async: bool
    ) -> None:
        self.function: Final = function
        self.weak: Final = weak
        self.dropped: Final = dropped
        self.call: Final = weakly(function, weak, dropped, is_async=is_async)
        """Calls it (or skips it, once collected): what a dispatcher that does not call it
        inline calls."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.call(*args, **kwargs)


def weakly(
    function: Callable[..., Any], weak: Weak, dropped: frozenset[str], *, is_async: bool
) -> Callable[..., Any]:
    """``function`` called with the weakly held callback as ``self``, less the ``dropped``
    keyword arguments; skipped once the callback is gone."""
    ref = weak.ref
    if is_async:

        async def call_async(*args: Any, **kwargs: Any) -> Any:
            callback = ref()
            if callback is None:
                return SKIPPED
            for keyword in dropped:
                kwargs.pop(keyword, None)
            return await function(callback, *args, **kwargs)

        return call_async

    if dropped:

        def call_dropping(*args: Any, **kwargs: Any) -> Any:
            callback = ref()
            if callback is None:
                return SKIPPED
            for keyword in dropped:
                kwargs.pop(keyword, None)
            return function(callback, *args, **kwargs)

        return call_dropping

    def call(*args: Any, **kwargs: Any) -> Any:
        callback = ref()
        if callback is None:
            return SKIPPED
        return function(callback, *args, **kwargs)

    return call


def refers_to(value: object, callback: object, depth: int = 3) -> bool:
    """Does ``value``, a hook's target that a weak registration must hold as it is (not a
    method of the callback's class), lead back to ``callback``: as a partial's argument, in a
    function's closure or defaults, as a method's ``__self__`` (``depth`` levels deep)?

    Holding such a target would keep the callback alive for good. Other objects are not looked
    into: this catches the usual ways a callback hands itself to its hook, not every one."""
    if value is callback:
        return True
    if depth == 0:
        return False
    parts: tuple[object, ...]
    kind = type(value)  # (not isinstance, which asks a proxy's referent, maybe dead, or a property)
    if issubclass(kind, partial):
        value = cast(partial[object], value)
        parts = (value.func, *value.args, *value.keywords.values())
    elif kind is FunctionType:
        value = cast(FunctionType, value)
        cells = tuple(c.cell_contents for c in value.__closure__ or () if _filled(c))
        keyword_defaults = tuple((value.__kwdefaults__ or {}).values())
        parts = (*cells, *(value.__defaults__ or ()), *keyword_defaults)
    elif kind is MethodType:
        value = cast(MethodType, value)
        parts = (value.__self__, value.__func__)
    else:
        return False
    return any(refers_to(part, callback, depth - 1) for part in parts)


def _filled(cell: CellType) -> bool:
    try:
        cell.cell_contents  # noqa: B018
    except ValueError:  # a cell not yet (or no longer) set
        return False
    return True
