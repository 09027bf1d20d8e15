"""``Profiler``: a monitor that adds up how long each callback spends in each hook.

``manager.add_monitor(profiler)`` makes the manager report every callback call to it; the
profiler keeps, per hook and callback class, the number of calls, their total and their longest
duration. ``profiler.rows()`` gives them as records and ``str(profiler)`` as a table sorted by
total time, as Lightning's ``SimpleProfiler`` reports its actions: which callback makes the loop
slow, and in which hook, is the first line.

The profiler is an accumulator (``_timing``): when it is a manager's only monitor, the
generated dispatchers time each call themselves and append its duration to the profiler's
pending list for that hook and class (``list.append``: atomic under the GIL, no lock, no record
per call). The profiler folds the pending durations into its totals when it is read, and when a
dispatcher finds a list long (``_codegen.FOLD_AT``), so that memory stays bounded however long
the program runs. Folding takes the first ``k`` durations of a list and deletes just those, under
the profiler's lock: durations appended meanwhile stay for the next fold, and none is lost or
counted twice. Otherwise (other monitors beside it, error policies, loops, concurrent or
unchecked hooks) it is called with a :class:`~protocall.HookCall` per call, and counts it at once,
under the same lock.
"""

from __future__ import annotations

import threading
from typing import Final

from ._monitoring import HookCall
from ._timing import Accumulator

__all__ = ["ProfileRow", "Profiler"]


class ProfileRow:
    """What a :class:`Profiler` recorded for one hook of one callback class (a frozen record).

    A slotted class of read-only properties rather than a dataclass (importing protocall stays
    cheap) or a NamedTuple (whose ``count`` would shadow ``tuple.count``).
    """

    __slots__ = ("_callback", "_count", "_hook", "_max_ns", "_mean_ns", "_total_ns")

    def __init__(
        self, hook: str, callback: str, count: int, total_ns: int, mean_ns: float, max_ns: int
    ) -> None:
        self._hook: Final = hook
        self._callback: Final = callback
        self._count: Final = count
        self._total_ns: Final = total_ns
        self._mean_ns: Final = mean_ns
        self._max_ns: Final = max_ns

    @property
    def hook(self) -> str:
        """The hook's name."""
        return self._hook

    @property
    def callback(self) -> str:
        """The callback's class, by qualified name (``Outer.Timer``)."""
        return self._callback

    @property
    def count(self) -> int:
        """How many calls were recorded."""
        return self._count

    @property
    def total_ns(self) -> int:
        """Their total duration, in nanoseconds."""
        return self._total_ns

    @property
    def mean_ns(self) -> float:
        """Their mean duration, in nanoseconds."""
        return self._mean_ns

    @property
    def max_ns(self) -> int:
        """The longest of them, in nanoseconds."""
        return self._max_ns

    def _fields(self) -> tuple[str, str, int, int, float, int]:
        return (
            self._hook,
            self._callback,
            self._count,
            self._total_ns,
            self._mean_ns,
            self._max_ns,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ProfileRow):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return (
            f"ProfileRow(hook={self._hook!r}, callback={self._callback!r}, count={self._count}, "
            f"total_ns={self._total_ns}, mean_ns={self._mean_ns!r}, max_ns={self._max_ns})"
        )


class Profiler(Accumulator):
    """A monitor that aggregates hook call durations per hook and callback class.

    Register it with ``manager.add_monitor(Profiler())``; read it with :meth:`rows` or
    ``print(profiler)``; start over with :meth:`reset`. Calls that raised count like the others:
    their time was spent all the same. Callbacks are grouped by their class's qualified name (a
    string, so the profiler keeps no callback or class alive). One profiler may monitor several
    managers, from any thread.
    """

    __slots__ = ("_lock", "_pending", "_stats")

    def __init__(self) -> None:
        self._lock: Final = threading.Lock()
        self._stats: Final[dict[tuple[str, str], list[int]]] = {}
        """(hook, callback class qualname) → [count, total_ns, max_ns], updated in place."""
        self._pending: Final[dict[tuple[str, str], list[int]]] = {}
        """(hook, callback class qualname) → durations appended by dispatchers, not yet folded
        into ``_stats``. A list, once made, is kept (dispatchers hold its ``append``)."""

    def __call__(self, call: HookCall) -> None:
        """Record one callback call (the monitor protocol)."""
        hook, callback, duration, _ = call
        with self._lock:
            self._count((hook, type(callback).__qualname__), 1, duration, duration)

    def pending(self, hook: str, callback: str) -> list[int]:
        """The list a timed dispatcher appends the durations of ``hook`` calls by instances of
        the class named ``callback`` to (the accumulator protocol, see ``_timing``)."""
        key = (hook, callback)
        with self._lock:
            pending = self._pending.get(key)
            if pending is None:
                pending = self._pending[key] = []
            return pending

    def fold(self) -> None:
        """Count the pending durations into the totals (the accumulator protocol)."""
        with self._lock:
            self._fold()

    def _fold(self) -> None:
        """Under the lock: take the durations each list holds now, and only those (appends
        made meanwhile land after them), and count them."""
        for key, pending in self._pending.items():
            taken = len(pending)
            if not taken:
                continue
            durations = pending[:taken]
            del pending[:taken]
            self._count(key, taken, sum(durations), max(durations))

    def _count(self, key: tuple[str, str], count: int, total: int, longest: int) -> None:
        """Under the lock: add ``count`` calls taking ``total`` ns, the longest ``longest``."""
        stats = self._stats.get(key)
        if stats is None:
            self._stats[key] = [count, total, longest]
        else:
            stats[0] += count
            stats[1] += total
            if longest > stats[2]:
                stats[2] = longest

    def rows(self) -> list[ProfileRow]:
        """One record per hook and callback class, the longest total time first.

        Ties are ordered by hook, then callback name, so that the order is deterministic.
        """
        with self._lock:
            self._fold()
            snapshot = [(key, tuple(stats)) for key, stats in self._stats.items()]
        rows = [
            ProfileRow(hook, callback, count, total, total / count, longest)
            for (hook, callback), (count, total, longest) in snapshot
        ]
        rows.sort(key=lambda row: (-row.total_ns, row.hook, row.callback))
        return rows

    def reset(self) -> None:
        """Forget every recorded call."""
        with self._lock:
            for pending in self._pending.values():
                del pending[: len(pending)]
            self._stats.clear()

    def __str__(self) -> str:
        """A table of :meth:`rows`: hook, callback, mean, calls, total and share of the total."""
        return format_report(self.rows())

    def __repr__(self) -> str:
        rows = self.rows()
        calls = sum(row.count for row in rows)
        return f"<protocall.Profiler: {calls} calls of {len(rows)} hook × callback pairs>"  # noqa: RUF001 - a multiplication sign


_HEADER: Final = ("Hook", "Callback", "Mean", "Calls", "Total", "%")
_RIGHT: Final = (False, False, True, True, True, True)
"""Which columns are right-aligned (the numbers)."""


def format_report(rows: list[ProfileRow]) -> str:
    """The table ``str(profiler)`` shows for ``rows`` (sorted by the caller), with a total line."""
    if not rows:
        return "protocall profiler: no hook calls recorded"
    grand_total = sum(row.total_ns for row in rows)
    calls = sum(row.count for row in rows)
    body = [
        (
            row.hook,
            row.callback,
            format_ns(row.mean_ns),
            str(row.count),
            format_ns(row.total_ns),
            _percent(row.total_ns, grand_total),
        )
        for row in rows
    ]
    total = ("Total", "", "-", str(calls), format_ns(grand_total), "100.0%" if grand_total else "-")
    widths = [max(len(line[i]) for line in (_HEADER, *body, total)) for i in range(len(_HEADER))]

    def render(line: tuple[str, ...]) -> str:
        cells = (
            cell.rjust(width) if right else cell.ljust(width)
            for cell, width, right in zip(line, widths, _RIGHT, strict=True)
        )
        return "  ".join(cells).rstrip()

    rule = "-" * len(render(tuple("-" * width for width in widths)))
    title = f"protocall profiler: {calls} hook calls, {format_ns(grand_total)} in total"
    return "\n".join([title, rule, render(_HEADER), rule, *map(render, body), rule, render(total)])


def format_ns(ns: float) -> str:
    """A duration in nanoseconds in the largest unit that keeps it at least 1: ``1.25 ms``."""
    for unit, scale in (("s", 1_000_000_000), ("ms", 1_000_000), ("µs", 1_000)):
        if ns >= scale:
            return f"{ns / scale:.2f} {unit}"
    return f"{ns:.0f} ns"


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"
