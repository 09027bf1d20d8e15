"""``protocall.Profiler``: a monitor that adds up hook call durations (semantics 18).

Per hook and callback class (by qualified name) it keeps the number of calls, their total and
their longest duration; ``rows()`` gives them longest total first, ``str()`` as a table like
Lightning's ``SimpleProfiler`` report, ``reset()`` forgets them. It counts calls that raised,
loses none when several threads report at once, and keeps no callback alive.

The first tests feed it :class:`HookCall` records directly; the last ones run it as a monitor
of a manager.
"""

from __future__ import annotations

import asyncio
import gc
import re
import threading
import weakref
from typing import Protocol

import pytest

from protocall import CallbackManager, HookCall, Profiler, ProfileRow
from protocall._profiler import format_ns


class Timer:
    pass


class Outer:
    class Logger:
        pass


def record(profiler: Profiler, hook: str, callback: object, *durations: int) -> None:
    for duration in durations:
        profiler(HookCall(hook, callback, duration, None))


# -- aggregation ---------------------------------------------------------------------------------


def test_a_new_profiler_has_no_rows() -> None:
    assert Profiler().rows() == []


def test_calls_are_aggregated_per_hook_and_callback_class() -> None:
    profiler = Profiler()
    record(profiler, "on_step", Timer(), 100, 300, 200)
    record(profiler, "on_start", Timer(), 50)
    assert profiler.rows() == [
        ProfileRow("on_step", "Timer", count=3, total_ns=600, mean_ns=200.0, max_ns=300),
        ProfileRow("on_start", "Timer", count=1, total_ns=50, mean_ns=50.0, max_ns=50),
    ]


def test_instances_of_one_class_share_a_row_named_by_the_qualified_name() -> None:
    profiler = Profiler()
    record(profiler, "on_step", Outer.Logger(), 10)
    record(profiler, "on_step", Outer.Logger(), 30)
    [row] = profiler.rows()
    assert (row.hook, row.callback, row.count, row.total_ns, row.max_ns) == (
        "on_step",
        "Outer.Logger",
        2,
        40,
        30,
    )


def test_the_mean_is_exact() -> None:
    profiler = Profiler()
    record(profiler, "on_step", Timer(), 1, 2)
    assert profiler.rows()[0].mean_ns == 1.5


def test_calls_that_raised_are_counted_too() -> None:
    profiler = Profiler()
    profiler(HookCall("on_step", Timer(), 70, ValueError("boom")))
    record(profiler, "on_step", Timer(), 30)
    [row] = profiler.rows()
    assert (row.count, row.total_ns, row.max_ns) == (2, 100, 70)


def test_rows_are_sorted_by_total_time_then_hook_then_callback() -> None:
    profiler = Profiler()
    record(profiler, "on_b", Timer(), 5)
    record(profiler, "on_a", Outer.Logger(), 5)
    record(profiler, "on_a", Timer(), 5)
    record(profiler, "on_z", Timer(), 1, 1, 1, 1, 1, 1)
    assert [(row.hook, row.callback) for row in profiler.rows()] == [
        ("on_z", "Timer"),
        ("on_a", "Outer.Logger"),
        ("on_a", "Timer"),
        ("on_b", "Timer"),
    ]


def test_reset_forgets_every_call() -> None:
    profiler = Profiler()
    record(profiler, "on_step", Timer(), 10)
    profiler.reset()
    assert profiler.rows() == []
    record(profiler, "on_step", Timer(), 7)
    assert [row.count for row in profiler.rows()] == [1]


def test_a_row_is_read_only_and_compares_by_value() -> None:
    row = ProfileRow("on_step", "Timer", count=1, total_ns=5, mean_ns=5.0, max_ns=5)
    with pytest.raises(AttributeError):
        row.count = 2  # type: ignore[misc]  # pyright: ignore[reportAttributeAccessIssue]
    same = ProfileRow("on_step", "Timer", 1, 5, 5.0, 5)
    assert row == same and hash(row) == hash(same)
    assert row != ProfileRow("on_step", "Timer", 2, 5, 2.5, 5)
    assert repr(row) == (
        "ProfileRow(hook='on_step', callback='Timer', count=1, total_ns=5, mean_ns=5.0, max_ns=5)"
    )


def test_the_profiler_keeps_no_callback_alive() -> None:
    profiler = Profiler()
    callback = Timer()
    gone = weakref.ref(callback)
    record(profiler, "on_step", callback, 1)
    del callback
    gc.collect()
    assert gone() is None
    assert profiler.rows()[0].callback == "Timer"


def test_no_call_is_lost_when_threads_report_at_once() -> None:
    profiler = Profiler()
    threads_count, calls = 8, 5_000
    barrier = threading.Barrier(threads_count)

    def report(index: int) -> None:
        callback = Timer() if index % 2 else Outer.Logger()
        barrier.wait()
        for _ in range(calls):
            profiler(HookCall("on_step", callback, 3, None))

    threads = [threading.Thread(target=report, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    rows = profiler.rows()
    assert sorted((row.callback, row.count, row.total_ns) for row in rows) == [
        ("Outer.Logger", 4 * calls, 12 * calls),
        ("Timer", 4 * calls, 12 * calls),
    ]


# -- the report ----------------------------------------------------------------------------------


def test_an_empty_profiler_prints_one_line() -> None:
    assert str(Profiler()) == "protocall profiler: no hook calls recorded"


def test_the_report_is_a_table_sorted_by_total_time() -> None:
    profiler = Profiler()
    record(profiler, "on_train_batch_end", Timer(), *[1_500] * 1000)
    record(profiler, "on_train_start", Outer.Logger(), 4_500_000)
    profiler(HookCall("on_train_start", Timer(), 0, None))
    assert str(profiler) == "\n".join(
        [
            "protocall profiler: 1002 hook calls, 6.00 ms in total",
            "-----------------------------------------------------------------",
            "Hook                Callback         Mean  Calls    Total       %",
            "-----------------------------------------------------------------",
            "on_train_start      Outer.Logger  4.50 ms      1  4.50 ms   75.0%",
            "on_train_batch_end  Timer         1.50 µs   1000  1.50 ms   25.0%",
            "on_train_start      Timer            0 ns      1     0 ns    0.0%",
            "-----------------------------------------------------------------",
            "Total                                   -   1002  6.00 ms  100.0%",
        ]
    )


def test_the_report_of_calls_that_took_no_measurable_time_has_no_percentages() -> None:
    profiler = Profiler()
    record(profiler, "on_step", Timer(), 0)
    lines = str(profiler).splitlines()
    assert lines[4].split() == ["on_step", "Timer", "0", "ns", "1", "0", "ns", "-"]
    assert lines[-1].split() == ["Total", "-", "1", "0", "ns", "-"]


@pytest.mark.parametrize(
    ("ns", "shown"),
    [
        (0, "0 ns"),
        (999, "999 ns"),
        (999.4, "999 ns"),
        (1_000, "1.00 µs"),
        (1_234_567, "1.23 ms"),
        (2_500_000_000, "2.50 s"),
        (7_200_000_000_000, "7200.00 s"),
    ],
)
def test_durations_are_shown_in_human_units(ns: float, shown: str) -> None:
    assert format_ns(ns) == shown


def test_repr_counts_calls_and_rows() -> None:
    profiler = Profiler()
    record(profiler, "on_step", Timer(), 1, 2)
    record(profiler, "on_start", Timer(), 1)
    assert repr(profiler) == "<protocall.Profiler: 3 calls of 2 hook × callback pairs>"  # noqa: RUF001 - a multiplication sign


# -- as a manager's monitor ----------------------------------------------------------------------


class Hooks(Protocol):
    def on_start(self) -> None: ...

    def on_step(self, step: int) -> None: ...

    async def on_fetch(self, url: str) -> None: ...


class Stepper:
    def on_step(self, step: int) -> None:
        if step < 0:
            raise ValueError("negative step")

    async def on_fetch(self, url: str) -> None:
        await asyncio.sleep(0)


class Starter:
    def on_start(self) -> None:
        pass


def test_a_manager_reports_each_callback_call_to_the_profiler() -> None:
    manager = CallbackManager(Hooks, [Stepper(), Starter(), Stepper()])
    profiler = Profiler()
    manager.add_monitor(profiler)
    for step in range(5):
        manager.call.on_step(step)
    manager.call.on_start()
    counts = {(row.hook, row.callback): row.count for row in profiler.rows()}
    assert counts == {("on_step", "Stepper"): 10, ("on_start", "Starter"): 1}
    for row in profiler.rows():
        assert row.total_ns >= row.max_ns >= 0
        assert row.mean_ns == row.total_ns / row.count
    assert re.search(r"^on_step +Stepper ", str(profiler), re.MULTILINE)


def test_a_manager_reports_failed_and_async_calls() -> None:
    manager = CallbackManager(Hooks, [Stepper()])
    profiler = Profiler()
    manager.add_monitor(profiler)
    with pytest.raises(ValueError, match="negative step"):
        manager.call.on_step(-1)
    asyncio.run(manager.call.on_fetch("https://example.org"))
    counts = {(row.hook, row.callback): row.count for row in profiler.rows()}
    assert counts == {("on_step", "Stepper"): 1, ("on_fetch", "Stepper"): 1}


def test_a_removed_profiler_records_nothing_more() -> None:
    manager = CallbackManager(Hooks, [Stepper()])
    profiler = Profiler()
    manager.add_monitor(profiler)
    manager.call.on_step(1)
    manager.remove_monitor(profiler)
    manager.call.on_step(2)
    assert [row.count for row in profiler.rows()] == [1]
