"""The lifecycle features (design, semantics 18): what monitoring and weak registration cost, and
whether weakly registered callbacks that the program drops leave the manager, and memory, as
they found it.

Every callback has one trivial keyword-only hook, ``on_x(self, *, loss)`` (one increment, which
the checks count). Per N in {1, 16, 64} implementers, one interleaved run (``_harness``) times:

* ``manager.call.on_x(loss=...)`` on a manager that never had a monitor (the baseline);
* the same on a second manager (same classes, fresh instances) with a ``protocall.Profiler()``
  attached (``add_monitor``), and the floor under any per-callback timing: a hand loop over
  bound methods that reads ``time.perf_counter_ns()`` before and after each call and computes
  the duration, recording nothing; for information, also with a monitor that does nothing (what
  protocall's reporting costs, less the Profiler's own bookkeeping);
* the same on a manager that had a Profiler added, dispatched, and removed: once removed,
  dispatch must cost what it cost before (the removed profiler is checked to record nothing);
  and, as a control, on another manager that never had a monitor: two managers in the same
  state differ by where their objects and dispatchers sit in memory, and at N=1 that alone can
  move a paired ratio by several percent, which a 2% target cannot tell from a real cost;
* the same on a manager holding every callback ``weak=True`` (all alive) and on one holding the
  very same instances strongly; and the floor under any weak registration: a hand loop that
  calls each callback's weak reference, checks the result and calls the method's function
  with it (``f(r(), ...)``), against the plain hand loop. Calling a weak reference is a C call
  the interpreter does not specialise (~20 ns on CPython 3.11-3.13), so with this trivial body
  the floor alone is ~1.2-1.4x: the weak target (1.1x) is below what CPython allows here;
* the hand loop over fresh, never-registered instances, for scale.

Every case is run first and checked to call each implementer once per run; the monitored one
is also checked to report each call to its profiler. All ratios are paired per round.

Then 10,000 callbacks are registered ``weak=True`` on one manager and dispatched once, and the
program drops them (``del`` + ``gc.collect()``): every one must be collected (its weak reference
dead), ``len(manager)`` must be 0, and the memory traced by :mod:`tracemalloc` must be back
within 1% of what registering them added (``sys.getallocatedblocks()`` is shown too: pymalloc
blocks only, large tables are not among them). A second register-and-drop cycle on the same
manager shows whether what stays is a fixed high-water mark or grows with each cycle.

Targets: monitored dispatch <= 1.5x its timing floor; a monitor added and removed <= 1.02x a
manager that never had one; weak registration <= 1.1x strong at N=16; the dropped callbacks
gone, with memory within the margin.
"""

from __future__ import annotations

import gc
import sys
import time
import tracemalloc
import weakref
from collections.abc import Sequence
from typing import Final, Protocol, TypedDict

from _contenders import LOSS, Contender, Counting, case_namespace, usable
from _harness import Case, Settings, paired, run_rounds
from _report import Ratio, Target, ns, ratio, show_ratio, table, verdict

from protocall import CallbackManager, HookCall, Profiler

__all__ = [
    "DROPPED",
    "LIFECYCLE_SIZES",
    "LifecycleResults",
    "lifecycle_targets",
    "measure_lifecycle",
    "print_lifecycle",
]

LIFECYCLE_SIZES: Final = (1, 16, 64)
DROPPED: Final = 10_000
"""How many weakly registered callbacks the memory check registers and drops."""
MONITOR_LIMIT: Final = 1.5
UNUSED_LIMIT: Final = 1.02
WEAK_LIMIT: Final = 1.1
WEAK_AT: Final = 16
MEMORY_MARGIN: Final = 0.01
"""What may stay after the drop, as a share of what registering the callbacks added."""

HAND: Final = "hand loop (never-registered instances)"
FLOOR: Final = "hand loop, perf_counter_ns() before and after each call"
PLAIN: Final = "call.on_x, never monitored"
MONITORED: Final = "call.on_x, Profiler attached"
NOOP: Final = "call.on_x, a no-op monitor attached"
REMOVED: Final = "call.on_x, a Profiler added then removed"
CONTROL: Final = "call.on_x, another never-monitored manager"
STRONG: Final = "call.on_x, registered strongly"
WEAK: Final = "call.on_x, registered weak=True (alive)"
WEAK_FLOOR: Final = "hand loop through weak references (dereference, check, call)"
NAMES: Final = (HAND, FLOOR, PLAIN, MONITORED, NOOP, REMOVED, CONTROL, STRONG, WEAK, WEAK_FLOOR)

VS_PLAIN: Final = "Profiler attached / never monitored"
VS_FLOOR: Final = "Profiler attached / timing floor"
NOOP_VS_FLOOR: Final = "no-op monitor / timing floor"
FLOOR_VS_HAND: Final = "timing floor / hand loop"
PLAIN_VS_HAND: Final = "never monitored / hand loop"
UNUSED: Final = "added then removed / never monitored"
SPREAD: Final = "control: another never monitored / never monitored"
WEAK_VS_STRONG: Final = "weak=True / strong (same instances)"
WEAK_FLOOR_VS_HAND: Final = "weak floor: hand loop through weak references / hand loop"
RATIOS: Final = {
    VS_PLAIN: (MONITORED, PLAIN),
    VS_FLOOR: (MONITORED, FLOOR),
    NOOP_VS_FLOOR: (NOOP, FLOOR),
    FLOOR_VS_HAND: (FLOOR, HAND),
    PLAIN_VS_HAND: (PLAIN, HAND),
    UNUSED: (REMOVED, PLAIN),
    SPREAD: (CONTROL, PLAIN),
    WEAK_VS_STRONG: (WEAK, STRONG),
    WEAK_FLOOR_VS_HAND: (WEAK_FLOOR, HAND),
}
"""Each reported ratio: (case, baseline), paired per round."""


class OnX(Protocol):
    def on_x(self, *, loss: float) -> None: ...


class XCallback(Counting):
    """Implements the one hook, trivially."""

    def on_x(self, *, loss: float) -> None:
        self.count += 1


class SizeResult(TypedDict):
    median_s: dict[str, float]
    ratios: dict[str, Ratio]
    problems: dict[str, str]


class MemoryPoint(TypedDict):
    bytes: int
    """Traced bytes (tracemalloc) more than the baseline."""
    blocks: int
    """``sys.getallocatedblocks()`` more than the baseline."""


class DroppedResult(TypedDict):
    count: int
    baseline_bytes: int
    registered: MemoryPoint
    dropped: MemoryPoint
    dispatched: MemoryPoint
    second_cycle: MemoryPoint
    called: int
    alive: int
    """Callbacks whose weak reference still answered after ``del`` + ``gc.collect()``."""
    remaining: int
    """``len(manager)`` then."""
    second_alive: int
    second_remaining: int


class LifecycleResults(TypedDict):
    dispatch: dict[int, SizeResult]
    dropped: DroppedResult


# -- Dispatch ---------------------------------------------------------------------------------


def _ignore(call: HookCall) -> None:
    """A monitor that does nothing."""


def _total(profiler: Profiler) -> int:
    return sum(row.count for row in profiler.rows())


def _callbacks(n: int) -> list[XCallback]:
    return [XCallback() for _ in range(n)]


def _contenders(n: int) -> tuple[list[Contender], dict[str, str]]:
    """The cases for ``n`` implementers, and the problems the monitor checks found."""
    tag = f" /{n}"
    kw = "loss=loss"

    def call(name: str, manager: CallbackManager[OnX], counters: Sequence[Counting]) -> Contender:
        case = Case(name + tag, f"manager.call.on_x({kw})", case_namespace(manager=manager))
        return Contender(case, counters)

    hand = _callbacks(n)
    floor = _callbacks(n)
    hand_case = Case(
        HAND + tag,
        f"for m in methods:\n    m({kw})",
        case_namespace(methods=tuple(cb.on_x for cb in hand)),
    )
    floor_case = Case(
        FLOOR + tag,
        f"for m in methods:\n    t0 = clock()\n    m({kw})\n    duration = clock() - t0",
        case_namespace(methods=tuple(cb.on_x for cb in floor), clock=time.perf_counter_ns),
    )

    plain_callbacks = _callbacks(n)
    plain = CallbackManager(OnX, plain_callbacks)
    plain.call.on_x(loss=LOSS)

    monitored_callbacks = _callbacks(n)
    monitored = CallbackManager(OnX, monitored_callbacks)
    profiler = Profiler()
    monitored.add_monitor(profiler)
    monitored.call.on_x(loss=LOSS)

    noop_callbacks = _callbacks(n)
    noop = CallbackManager(OnX, noop_callbacks)
    noop.add_monitor(_ignore)
    noop.call.on_x(loss=LOSS)

    removed_callbacks = _callbacks(n)
    removed = CallbackManager(OnX, removed_callbacks)
    removed.call.on_x(loss=LOSS)
    gone = Profiler()
    removed.add_monitor(gone)
    removed.call.on_x(loss=LOSS)  # dispatched while monitored: the monitored code was built
    removed.remove_monitor(gone)
    removed.call.on_x(loss=LOSS)

    control_callbacks = _callbacks(n)
    control = CallbackManager(OnX, control_callbacks)
    control.call.on_x(loss=LOSS)

    shared = _callbacks(n)
    strong = CallbackManager(OnX, shared)
    strong.call.on_x(loss=LOSS)
    weak: CallbackManager[OnX] = CallbackManager(OnX)
    for callback in shared:
        weak.register(callback, weak=True)
    weak.call.on_x(loss=LOSS)

    # The least any weak registration adds: per callback, its weak reference called and the
    # result checked, then the method's function called with it (what weak dispatch does).
    through_weak = _callbacks(n)
    weak_floor_case = Case(
        WEAK_FLOOR + tag,
        f"for f, r in pairs:\n    s = r()\n    if s is not None:\n        f(s, {kw})",
        case_namespace(pairs=tuple((XCallback.on_x, weakref.ref(cb)) for cb in through_weak)),
    )

    contenders = [
        Contender(hand_case, hand),
        Contender(weak_floor_case, through_weak),
        Contender(floor_case, floor),
        call(PLAIN, plain, plain_callbacks),
        call(MONITORED, monitored, monitored_callbacks),
        call(NOOP, noop, noop_callbacks),
        call(REMOVED, removed, removed_callbacks),
        call(CONTROL, control, control_callbacks),
        call(STRONG, strong, shared),
        call(WEAK, weak, shared),
    ]
    ok, problems = usable(contenders)
    before = _total(profiler), _total(gone)
    monitored.call.on_x(loss=LOSS)
    removed.call.on_x(loss=LOSS)
    reported, after_removal = _total(profiler) - before[0], _total(gone) - before[1]
    if reported != n and MONITORED + tag not in problems:
        problems[MONITORED + tag] = f"the Profiler recorded {reported} calls of {n}"
    if after_removal and REMOVED + tag not in problems:
        problems[REMOVED + tag] = f"the removed Profiler still recorded {after_removal} calls"
    return [c for c in ok if c.case.name not in problems], problems


def _measure_size(n: int, settings: Settings) -> SizeResult:
    tag = f" /{n}"
    contenders, problems = _contenders(n)
    for baseline in (HAND, PLAIN):
        if baseline + tag in problems:
            raise AssertionError(f"{baseline}{tag}: {problems[baseline + tag]}")
    series = run_rounds([c.case for c in contenders], settings)
    timed = {c.case.name.removesuffix(tag) for c in contenders}
    result: SizeResult = {
        "median_s": {name: series.median(name + tag) for name in NAMES if name in timed},
        "ratios": {
            label: ratio(paired(series, case + tag, baseline + tag))
            for label, (case, baseline) in RATIOS.items()
            if case in timed and baseline in timed
        },
        "problems": {name.removesuffix(tag): text for name, text in problems.items()},
    }
    print(f"  lifecycle N={n}: {len(contenders)} cases x {settings.rounds} rounds", file=sys.stderr)
    return result


# -- Weak callbacks dropped -------------------------------------------------------------------


def _memory() -> tuple[int, int]:
    """Traced bytes and allocated blocks, after a full collection."""
    gc.collect()
    return tracemalloc.get_traced_memory()[0], sys.getallocatedblocks()


def _cycle(
    manager: CallbackManager[OnX], count: int, baseline: tuple[int, int]
) -> tuple[MemoryPoint, MemoryPoint, MemoryPoint, int, int, int]:
    """Register ``count`` callbacks weakly, dispatch, drop them; memory at each step (vs the
    baseline), how many were called, how many are still alive, and ``len(manager)``."""

    def point(now: tuple[int, int]) -> MemoryPoint:
        return {"bytes": now[0] - baseline[0], "blocks": now[1] - baseline[1]}

    callbacks = _callbacks(count)
    for callback in callbacks:
        manager.register(callback, weak=True)
    manager.call.on_x(loss=LOSS)
    called = sum(1 for cb in callbacks if cb.count == 1)
    registered = point(_memory())
    probes = [weakref.ref(cb) for cb in callbacks]
    del callback, callbacks
    gc.collect()
    alive = sum(1 for probe in probes if probe() is not None)
    remaining = len(manager)
    del probes
    dropped = point(_memory())
    manager.call.on_x(loss=LOSS)
    dispatched = point(_memory())
    return registered, dropped, dispatched, called, alive, remaining


def measure_dropped(count: int = DROPPED) -> DroppedResult:
    """Register ``count`` callbacks weakly, drop them, and again: what stays behind."""
    tracemalloc.start()
    try:
        manager: CallbackManager[OnX] = CallbackManager(OnX)
        manager.call.on_x(loss=LOSS)
        baseline = _memory()
        registered, dropped, dispatched, called, alive, remaining = _cycle(manager, count, baseline)
        _, _, second, _, second_alive, second_remaining = _cycle(manager, count, baseline)
    finally:
        tracemalloc.stop()
    print(f"  lifecycle: {count:,} weak callbacks registered and dropped, twice", file=sys.stderr)
    return {
        "count": count,
        "baseline_bytes": baseline[0],
        "registered": registered,
        "dropped": dropped,
        "dispatched": dispatched,
        "second_cycle": second,
        "called": called,
        "alive": alive,
        "remaining": remaining,
        "second_alive": second_alive,
        "second_remaining": second_remaining,
    }


def measure_lifecycle(settings: Settings, count: int = DROPPED) -> LifecycleResults:
    """The dispatch costs per N, then the weak callbacks dropped."""
    return {
        "dispatch": {n: _measure_size(n, settings) for n in LIFECYCLE_SIZES},
        "dropped": measure_dropped(count),
    }


# -- Report -----------------------------------------------------------------------------------


def _residual(dropped: DroppedResult) -> int:
    """What stays after the first drop (the larger of: right after it, after one dispatch)."""
    return max(dropped["dropped"]["bytes"], dropped["dispatched"]["bytes"])


def _kib(n: int) -> str:
    return f"{n / 1024:+,.1f} KiB"


def print_lifecycle(results: LifecycleResults) -> None:
    dispatch = results["dispatch"]
    header = ["case", *(f"N={n}" for n in dispatch)]
    times = [
        [
            name,
            *(ns(r["median_s"][name]) if name in r["median_s"] else "-" for r in dispatch.values()),
        ]
        for name in NAMES
    ]
    table("Lifecycle: call.on_x(loss=...) to N implementers, median time per call", header, times)
    rows = [
        [
            label,
            *(
                show_ratio(r["ratios"][label]) if label in r["ratios"] else "-"
                for r in dispatch.values()
            ),
        ]
        for label in RATIOS
    ]
    table("Lifecycle: paired ratios (same run, same rounds)", ["ratio", *header[1:]], rows)
    for n, r in dispatch.items():
        for name, text in r["problems"].items():
            print(f"Note: {name} /{n}: not timed: {text}")

    dropped = results["dropped"]
    count = dropped["count"]
    steps = (
        ("registered weak=True, dispatched once", dropped["registered"]),
        ("dropped: del + gc.collect()", dropped["dropped"]),
        ("then one more dispatch", dropped["dispatched"]),
        ("second cycle: registered, dropped, dispatched", dropped["second_cycle"]),
    )
    memory = [
        [what, _kib(p["bytes"]), f"{p['bytes'] / count:+,.1f} B", f"{p['blocks']:+,}"]
        for what, p in steps
    ]
    table(
        f"Lifecycle: {count:,} weakly registered callbacks dropped (memory vs the baseline before registering)",
        ["step", "tracemalloc", "per callback", "allocated blocks"],
        memory,
    )
    print(
        f"\nCalled once each: {dropped['called']:,} of {count:,}. After del + gc.collect(): "
        f"{count - dropped['alive']:,} of {count:,} collected, len(manager) == "
        f"{dropped['remaining']}; second cycle: {count - dropped['second_alive']:,} collected, "
        f"len(manager) == {dropped['second_remaining']}."
    )


def lifecycle_targets(results: LifecycleResults) -> list[Target]:
    targets: list[Target] = []
    dispatch = results["dispatch"]

    def ratio_target(
        title: str, n: int, label: str, limit: float, case: str, control: str | None = None
    ) -> Target:
        r = dispatch[n]
        if label not in r["ratios"]:
            return Target(title, f"not timed: {r['problems'].get(case, '?')}"[:70], "MISS")
        value = r["ratios"][label]["median"]
        shown = f"{value:.2f}x"
        if control is not None and control in r["ratios"]:
            shown += f" ({control.split(':')[0]}: {r['ratios'][control]['median']:.2f}x)"
        return Target(title, shown, verdict(value <= limit))

    for n in dispatch:
        targets.append(
            ratio_target(
                f"call.on_x with a Profiler <= {MONITOR_LIMIT}x the timing floor at N={n}",
                n,
                VS_FLOOR,
                MONITOR_LIMIT,
                MONITORED,
            )
        )
    for n in dispatch:
        targets.append(
            ratio_target(
                f"a monitor added and removed: call.on_x <= {UNUSED_LIMIT}x never monitored at N={n}",
                n,
                UNUSED,
                UNUSED_LIMIT,
                REMOVED,
                SPREAD,
            )
        )
    if WEAK_AT in dispatch:
        targets.append(
            ratio_target(
                f"call.on_x, all weak=True <= {WEAK_LIMIT}x strong at N={WEAK_AT}",
                WEAK_AT,
                WEAK_VS_STRONG,
                WEAK_LIMIT,
                WEAK,
                WEAK_FLOOR_VS_HAND,
            )
        )
    dropped = results["dropped"]
    count = dropped["count"]
    residual = _residual(dropped)
    growth = dropped["registered"]["bytes"]
    gone = dropped["alive"] == 0 and dropped["remaining"] == 0 and dropped["called"] == count
    targets.append(
        Target(
            f"{count:,} weak callbacks dropped: all collected, len 0, memory <= {MEMORY_MARGIN:.0%} of their cost",
            f"{count - dropped['alive']:,} collected, len {dropped['remaining']}, "
            f"{_kib(residual)} of {_kib(growth)} ({residual / max(growth, 1):.1%})",
            verdict(gone and residual <= MEMORY_MARGIN * growth),
        )
    )
    return targets
