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
from typing import Any, Final

from ._dispatch import SKIPPED
from ._registry import Weak

__all__ = ["WeakTarget", "weakly"]


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
