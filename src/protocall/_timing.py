"""Timing callback calls inline: what a timed dispatcher hands each call's duration to.

A general monitor receives a :class:`~protocall.HookCall` per callback call, which takes a
Python-level wrapper around every method and a record per call (see ``_monitoring``). A monitor
that only adds durations up, such as :class:`~protocall.Profiler`, can take them much more
cheaply: it is an :class:`Accumulator`, which hands out a list of *pending* durations per hook and
callback class, and the dispatcher's generated code appends each call's duration to it
(``list.append``, one C call, atomic under the GIL) and asks the accumulator to :meth:`fold
<Accumulator.fold>` them when the list grows long. See ``_codegen._timed`` for the code and
``docs/performance.md`` for what it costs.

A manager times calls inline when its only monitor is an accumulator and the hook's dispatcher
is straight-line code; otherwise (several monitors, a loop, an error policy, a concurrent or
unchecked hook) the accumulator is called with a ``HookCall`` like any monitor.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Final

from ._registry import resolved

if TYPE_CHECKING:
    from ._monitoring import HookCall

__all__ = ["Accumulator", "Timing", "timing_for"]


class Accumulator:
    """A monitor that can also take durations through pending lists (a private protocol).

    :meth:`pending` must return the same list for the same arguments for as long as any
    dispatcher may append to it, and :meth:`fold` must take every duration out of the lists
    (from the front: appends made meanwhile land after what it takes) and count them. Both may
    be called from any thread at any time.
    """

    __slots__ = ()

    def __call__(self, call: HookCall) -> object:
        """Record one call (the monitor protocol, for dispatchers that do not time inline)."""
        raise NotImplementedError

    def pending(self, hook: str, callback: str) -> list[int]:
        """The list the durations of ``hook`` calls by instances of the class named
        ``callback`` (its qualified name) are appended to."""
        raise NotImplementedError

    def fold(self) -> None:
        """Count the pending durations, and empty their lists."""
        raise NotImplementedError


class Timing:
    """What a timed snapshot holds besides the implementers (see ``_dispatch.layout_tag``)."""

    __slots__ = ("fold", "sinks", "watched")

    def __init__(
        self,
        sinks: tuple[Callable[[int], object], ...],
        watched: list[int],
        fold: Callable[[], None],
    ) -> None:
        self.sinks: Final = sinks
        """Per implementer, in call order: what its calls' durations are handed to."""
        self.watched: Final = watched
        """The pending list of the first implementer, whose length tells when to fold: each
        dispatch appends to it (the first implementer is always called), or folds at once when
        that implementer is a weak callback found collected."""
        self.fold: Final = fold


def timing_for(accumulator: Accumulator, hook: str, callbacks: Sequence[object]) -> Timing:
    """The sinks of ``hook``'s implementers ``callbacks`` (snapshot entries, in call order).

    The sinks name each callback's class by its qualified name only, so that nothing here
    keeps a callback or its class alive. A weak callback already collected (it will not be
    called) gets a sink that keeps nothing.
    """
    pending: list[list[int] | None] = []
    for entry in callbacks:
        callback = resolved(entry)
        named = None if callback is None else type(callback).__qualname__
        pending.append(None if named is None else accumulator.pending(hook, named))
    sinks = tuple(set[int]().discard if p is None else p.append for p in pending)
    first = pending[0] if pending else None
    return Timing(sinks, [] if first is None else first, accumulator.fold)
