"""A small timing harness: contenders interleaved in rounds, medians and paired ratios.

The machine this runs on is shared and noisy, so instead of timing each contender in one long
stretch (where a burst of noise lands on one contender only), every round times every contender
once, for a short block, in a shuffled order. A contender's ratio to the baseline is taken *per
round* (paired: both were measured within a few milliseconds of each other) and the median of
those ratios is reported, with its interquartile range as a measure of the noise.

Each contender is a statement, compiled (like :mod:`timeit`) into the body of a ``for`` loop of a
generated function whose locals hold the objects the statement uses, so that every contender
pays the same loop overhead and reads its objects as fast locals. The loop overhead itself is
measured in every round (the statement ``pass``) and subtracted: the times reported are those of
the statement alone. The garbage collector is disabled during every timed block.
"""

from __future__ import annotations

import gc
import random
import statistics
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any, Final

__all__ = [
    "Case",
    "OneShot",
    "Series",
    "Settings",
    "Timed",
    "compile_case",
    "paired",
    "run_oneshots",
    "run_rounds",
    "summary",
]

EMPTY: Final = "(empty loop)"
"""The name of the loop-overhead case that :func:`run_rounds` adds and subtracts."""


@dataclass(frozen=True, slots=True)
class Settings:
    """How long to measure: rounds, and the length of one timed block."""

    rounds: int
    block_seconds: float
    seed: int = 20260


@dataclass(frozen=True, slots=True)
class Case:
    """A contender: ``stmt`` is timed, with the names of ``namespace`` as its local variables."""

    name: str
    stmt: str
    namespace: Mapping[str, object] = field(default_factory=dict)
    reset: Callable[[], object] | None = None
    """Run, untimed, before every timed block (e.g. to empty a list the statement appends to)."""


Timed = Callable[[int], float]
"""Runs the statement ``n`` times and returns the elapsed seconds."""


def compile_case(case: Case) -> Timed:
    """Compile ``case`` into a function that runs its statement in a loop and times it.

    The namespace's names become default values of the generated function's parameters, so the
    statement reads them with ``LOAD_FAST``, as code in a function body would.
    """
    names = sorted(case.namespace)
    for name in names:
        if not name.isidentifier() or name.startswith("_b_"):
            raise ValueError(f"bad name in the namespace of {case.name!r}: {name!r}")
    params = "".join(f", {name}={name}" for name in names)
    body = "\n".join(f"        {line}" for line in case.stmt.splitlines())
    source = (
        f"def _b_timed(_b_n, _b_clock=_b_clock, _b_repeat=_b_repeat{params}):\n"
        f"    _b_t0 = _b_clock()\n"
        f"    for _ in _b_repeat(None, _b_n):\n"
        f"{body}\n"
        f"    return _b_clock() - _b_t0\n"
    )
    scope: dict[str, Any] = {"_b_clock": time.perf_counter, "_b_repeat": repeat, **case.namespace}
    exec(compile(source, f"<bench {case.name}>", "exec"), scope)  # noqa: S102
    timed: Timed = scope["_b_timed"]
    timed(1)  # fail early, before any round, if the statement does not run
    return timed


def _settle() -> None:
    """Collect, then move every live object to the permanent generation (:func:`gc.freeze`).

    With Lightning and torch imported the heap is large, and a full collection takes a good
    part of a second; frozen objects are not scanned again, so collections between blocks stay
    cheap (garbage made by the contenders is still collected).
    """
    gc.collect()
    gc.freeze()


def _timed_block(timed: Timed, n: int, reset: Callable[[], object] | None = None) -> float:
    """Seconds for ``n`` runs, with the garbage collector off (after ``reset``, untimed)."""
    if reset is not None:
        reset()
    enabled = gc.isenabled()
    gc.disable()
    try:
        return timed(n)
    finally:
        if enabled:
            gc.enable()


def _calibrate(
    timed: Timed, block_seconds: float, reset: Callable[[], object] | None = None
) -> int:
    """The loop count that makes one block last about ``block_seconds``."""
    n = 1
    while True:
        elapsed = min(_timed_block(timed, n, reset) for _ in range(3))
        if elapsed >= block_seconds / 4 or n >= 1 << 24:
            break
        n *= 4
    return max(1, round(n * block_seconds / max(elapsed, 1e-9)))


@dataclass(frozen=True, slots=True)
class Series:
    """Per-round seconds per run of each case, net of the loop overhead."""

    times: Mapping[str, Sequence[float]]

    def median(self, name: str) -> float:
        return statistics.median(self.times[name])


def run_rounds(cases: Sequence[Case], settings: Settings, *, subtract_loop: bool = True) -> Series:
    """Time every case once per round, in a new random order each round.

    Returns, per case and round, the seconds one run of its statement took, net of the empty
    loop's seconds per run in the same round (when ``subtract_loop``).
    """
    all_cases = [*cases, Case(EMPTY, "pass")] if subtract_loop else list(cases)
    timers = {case.name: compile_case(case) for case in all_cases}
    if len(timers) != len(all_cases):
        raise ValueError("case names must be distinct")
    resets = {case.name: case.reset for case in all_cases}
    _settle()
    loops = {
        name: _calibrate(timed, settings.block_seconds, resets[name])
        for name, timed in timers.items()
    }
    rng = random.Random(settings.seed)
    raw: dict[str, list[float]] = {name: [] for name in timers}
    order = list(timers)
    for _ in range(settings.rounds):
        rng.shuffle(order)
        for name in order:
            raw[name].append(_timed_block(timers[name], loops[name], resets[name]) / loops[name])
    if not subtract_loop:
        return Series(raw)
    empty = raw.pop(EMPTY)
    return Series(
        {
            name: [max(t - e, 1e-12) for t, e in zip(ts, empty, strict=True)]
            for name, ts in raw.items()
        }
    )


def paired(series: Series, name: str, baseline: str) -> list[float]:
    """Per-round ratios of ``name`` to ``baseline`` (both measured in the same round)."""
    return [t / b for t, b in zip(series.times[name], series.times[baseline], strict=True)]


def summary(values: Iterable[float]) -> tuple[float, float, float]:
    """Median, first and third quartile."""
    data = sorted(values)
    if len(data) < 2:
        return (data[0], data[0], data[0])
    q1, median, q3 = statistics.quantiles(data, n=4, method="inclusive")
    return (median, q1, q3)


@dataclass(frozen=True, slots=True)
class OneShot:
    """An operation that can run only once on its inputs (e.g. registering new classes).

    ``prepare`` builds fresh inputs, untimed, and returns the operation to time.
    """

    name: str
    prepare: Callable[[], Callable[[], object]]
    per: int = 1
    """Divide the time by this (e.g. the number of callbacks registered)."""


def run_oneshots(
    cases: Sequence[OneShot], rounds: int, seed: int = 20260, *, budget_seconds: float | None = None
) -> Series:
    """Time each operation once per round, in a new random order each round, GC off.

    With ``budget_seconds``, no round starts once the rounds so far have taken that long (the
    first always runs): slow operations then get fewer rounds, not a longer benchmark.
    """
    rng = random.Random(seed)
    _settle()
    times: dict[str, list[float]] = {case.name: [] for case in cases}
    order = list(cases)
    started = time.perf_counter()
    for _ in range(rounds):
        if (
            budget_seconds is not None
            and times[order[0].name]
            and time.perf_counter() - started > budget_seconds
        ):
            break
        rng.shuffle(order)
        for case in order:
            operation = case.prepare()
            enabled = gc.isenabled()
            gc.disable()
            try:
                t0 = time.perf_counter()
                operation()
                elapsed = time.perf_counter() - t0
            finally:
                if enabled:
                    gc.enable()
            times[case.name].append(elapsed / case.per)
    return Series(times)
