"""A realistic callback body, and what registering its instance does to the speed of running it.

``IterationTimer.on_train_batch_end`` does what a real callback does: it reads the clock, writes
four attributes and appends to a list. The same body is called directly (through its bound
method, no dispatch) on an instance that was never registered and on instances registered with
a checked manager (that has dispatched since, so whatever binding happens has happened) and with
an unchecked one. Any difference is what registration did to the instance itself: on CPython
3.11+ an object keeps its attributes as inline values until its ``__dict__`` is asked for, and
an instance whose ``__dict__`` was read is slower at every attribute access for the rest of its
life. The target: at most 3% on every supported Python.

For information, the same body is also dispatched through ``manager.call`` (one callback).
"""

from __future__ import annotations

import sys
import time
from typing import Final, TypedDict

from _contenders import Contender, Counting, Spec, case_namespace, verify
from _harness import Case, Settings, paired, run_rounds
from _report import Ratio, Target, ns, ratio, show_ratio, table, verdict

from protocall import CallbackManager

__all__ = ["BodyRow", "IterationTimer", "body_targets", "measure_body", "print_body"]

LIMIT: Final = 1.03
DIRECT: Final = "direct: never registered"
CHECKED: Final = "direct: registered (checked manager)"
UNCHECKED: Final = "direct: registered (unchecked manager)"
UNREGISTERED: Final = "direct: registered (checked), then unregistered"
CALL: Final = "manager.call.on_train_batch_end (checked)"
UNCHECKED_CALL: Final = "manager.call.on_train_batch_end (unchecked)"


class IterationTimer(Counting):
    """Times the training iterations: a clock read, four attribute writes, a list append."""

    def __init__(self) -> None:
        super().__init__()
        self.last = time.perf_counter()
        self.elapsed = 0.0
        self.loss = 0.0
        self.durations: list[float] = []

    def on_train_batch_end(self, *, loss: float, output: object) -> None:
        now = time.perf_counter()
        self.elapsed = now - self.last
        self.last = now
        self.loss = loss
        self.count += 1
        self.durations.append(self.elapsed)

    def reset(self) -> None:
        """Forget the durations (between timed blocks, so that the list does not grow forever)."""
        self.durations.clear()


class BodyRow(TypedDict):
    median_s: float
    vs_direct: Ratio


def _registered(manager: CallbackManager[Spec]) -> None:
    """Dispatch once in each style, so that whatever registration defers has been done."""
    manager.call.on_train_batch_end(loss=0.0, output=None)
    manager.emit(Spec.on_train_batch_end, loss=0.0, output=None)
    manager.emit("on_train_batch_end", loss=0.0, output=None)


def _contenders() -> list[Contender]:
    kw = "loss=loss, output=output"
    direct, checked, unchecked, unregistered = (IterationTimer() for _ in range(4))
    manager: CallbackManager[Spec] = CallbackManager(Spec, [checked])
    _registered(manager)
    unchecked_manager = CallbackManager(None, [unchecked])
    _registered(unchecked_manager)
    passing = CallbackManager(Spec, [unregistered])
    _registered(passing)
    passing.unregister(unregistered)

    def direct_case(name: str, timer: IterationTimer) -> Contender:
        case = Case(name, f"m({kw})", case_namespace(m=timer.on_train_batch_end), reset=timer.reset)
        return Contender(case, [timer])

    return [
        direct_case(DIRECT, direct),
        direct_case(CHECKED, checked),
        direct_case(UNCHECKED, unchecked),
        direct_case(UNREGISTERED, unregistered),
        Contender(
            Case(
                CALL,
                f"manager.call.on_train_batch_end({kw})",
                case_namespace(manager=manager),
                reset=checked.reset,
            ),
            [checked],
        ),
        Contender(
            Case(
                UNCHECKED_CALL,
                f"manager.call.on_train_batch_end({kw})",
                case_namespace(manager=unchecked_manager),
                reset=unchecked.reset,
            ),
            [unchecked],
        ),
    ]


def measure_body(settings: Settings) -> dict[str, BodyRow]:
    """Per case: median time and the paired ratio to the direct call of a never-registered one."""
    contenders = _contenders()
    verify(contenders)
    series = run_rounds([c.case for c in contenders], settings)
    print(f"  callback body: {len(contenders)} cases x {settings.rounds} rounds", file=sys.stderr)
    return {
        c.case.name: {
            "median_s": series.median(c.case.name),
            "vs_direct": ratio(paired(series, c.case.name, DIRECT)),
        }
        for c in contenders
    }


def _python() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def print_body(rows: dict[str, BodyRow]) -> None:
    table(
        f"Callback body (IterationTimer: clock, 4 attribute writes, append) on Python {_python()}",
        ["how it is called", "time", "paired ratio to a never-registered instance"],
        [[name, ns(row["median_s"]), show_ratio(row["vs_direct"])] for name, row in rows.items()],
    )


def body_targets(rows: dict[str, BodyRow]) -> list[Target]:
    targets: list[Target] = []
    for name in (CHECKED, UNCHECKED):
        r = rows[name]["vs_direct"]["median"]
        what = name.removeprefix("direct: ")
        targets.append(
            Target(
                f"callback body, {what}: <= {LIMIT}x never registered (Python {_python()})",
                f"{r:.2f}x",
                verdict(r <= LIMIT),
            )
        )
    return targets
