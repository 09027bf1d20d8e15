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
import sys
import threading
import types
import weakref
from typing import Protocol, cast

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


# -- timed inline (the profiler as a manager's only monitor) ---------------------------------------


class Tick:
    def on_start(self) -> None:
        pass

    def on_step(self, step: int) -> None:
        if step < 0:
            raise ValueError("negative step")


class Results(Protocol):
    def score(self, step: int) -> int | None: ...


class Scorer:
    def __init__(self, result: int | None) -> None:
        self.result = result

    def score(self, step: int) -> int | None:
        if step < 0:
            raise ValueError("negative step")
        return self.result


def counts(profiler: Profiler) -> dict[tuple[str, str], int]:
    return {(row.hook, row.callback): row.count for row in profiler.rows()}


def code_names(dispatcher: types.FunctionType) -> tuple[str, ...]:
    return dispatcher.__code__.co_names


def test_an_only_profiler_is_timed_inline_and_removing_it_restores_the_plain_code() -> None:
    manager = CallbackManager(Hooks, [Tick(), Tick()])
    on_step = cast(types.FunctionType, manager.call.on_step)
    on_step(1)
    plain = on_step.__code__
    profiler = Profiler()
    manager.add_monitor(profiler)
    on_step(1)
    assert "_pc_clock" in code_names(on_step)
    manager.remove_monitor(profiler)
    on_step(1)
    assert on_step.__code__.co_code == plain.co_code
    assert counts(profiler) == {("on_step", "Tick"): 2}


def test_every_mode_counts_each_call_made_and_only_those() -> None:
    """``emit`` calls every implementer, ``first`` stops at the first result, and a call that
    raises counts too; the exception carries the note naming its callback."""
    manager = CallbackManager(Results, [Scorer(None), Scorer(7), Scorer(8)])
    profiler = Profiler()
    manager.add_monitor(profiler)
    assert manager.emit(Results.score, 1) == [None, 7, 8]
    assert manager.first(Results.score, 1) == 7
    with pytest.raises(ValueError, match="negative step") as raised:
        manager.emit(Results.score, -1)
    assert "callback Scorer (implementer 1 of 3) in hook Results.score" in str(
        raised.value.__notes__
    )
    with pytest.raises(ValueError, match="negative step"):
        manager.first(Results.score, -1)
    assert counts(profiler) == {("score", "Scorer"): 3 + 2 + 1 + 1}


def test_a_profiler_and_another_monitor_both_see_every_call() -> None:
    manager = CallbackManager(Hooks, [Tick(), Starter()])
    profiler = Profiler()
    seen: list[HookCall] = []
    manager.add_monitor(profiler)
    manager.add_monitor(seen.append)
    for step in range(3):
        manager.call.on_step(step)
        manager.call.on_start()
    with pytest.raises(ValueError, match="negative step"):
        manager.call.on_step(-1)
    assert counts(profiler) == {
        ("on_step", "Tick"): 4,
        ("on_start", "Tick"): 3,
        ("on_start", "Starter"): 3,
    }
    assert len(seen) == 10 and isinstance(seen[-1].error, ValueError)


def test_one_profiler_on_several_managers_adds_their_calls_up() -> None:
    profiler = Profiler()
    managers = [CallbackManager(Hooks, [Tick()]) for _ in range(3)]
    for manager in managers:
        manager.add_monitor(profiler)
    for manager in managers:
        for step in range(4):
            manager.call.on_step(step)
    assert counts(profiler) == {("on_step", "Tick"): 12}
    profiler.reset()
    managers[0].call.on_step(0)
    assert counts(profiler) == {("on_step", "Tick"): 1}


def test_pending_durations_stay_bounded_however_many_calls() -> None:
    from protocall._dispatch import FOLD_AT

    profiler = Profiler()
    manager = CallbackManager(Hooks, [Tick(), Stepper(), Tick()])
    manager.add_monitor(profiler)
    on_step = manager.call.on_step
    for step in range(10 * FOLD_AT):
        on_step(step)
    pending = profiler._pending  # pyright: ignore[reportPrivateUsage]
    assert max(len(durations) for durations in pending.values()) <= 2 * (FOLD_AT + 1)
    assert counts(profiler) == {
        ("on_step", "Tick"): 20 * FOLD_AT,
        ("on_step", "Stepper"): 10 * FOLD_AT,
    }
    assert all(not durations for durations in pending.values())


def test_no_call_is_lost_when_threads_dispatch_and_read_at_once() -> None:
    """Dispatchers append without a lock while other threads fold (by reading the rows) and
    the interpreter switches threads as often as it can."""
    profiler = Profiler()
    managers = [CallbackManager(Hooks, [Tick(), Stepper()]) for _ in range(2)]
    for manager in managers:
        manager.add_monitor(profiler)
    threads_count, calls = 6, 3_000
    barrier = threading.Barrier(threads_count + 1)
    done = threading.Event()

    def dispatch(index: int) -> None:
        on_step = managers[index % 2].call.on_step
        barrier.wait()
        for step in range(calls):
            on_step(step)

    def read() -> None:
        barrier.wait()
        while not done.is_set():
            profiler.rows()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=dispatch, args=(i,)) for i in range(threads_count)]
        reader = threading.Thread(target=read)
        for thread in [*threads, reader]:
            thread.start()
        for thread in threads:
            thread.join(60)
        done.set()
        reader.join(60)
    finally:
        sys.setswitchinterval(interval)
    total = threads_count * calls
    assert counts(profiler) == {("on_step", "Tick"): total, ("on_step", "Stepper"): total}


def test_a_weak_callback_collected_mid_run_is_never_called_nor_counted_again() -> None:
    log: list[int] = []

    class Weak:
        def on_step(self, step: int) -> None:
            log.append(step)

    profiler = Profiler()
    weak = Weak()
    manager = CallbackManager(Hooks)
    manager.register(weak, weak=True)
    manager.register(Tick())
    manager.add_monitor(profiler)
    on_step = manager.call.on_step
    for step in range(3):
        on_step(step)
    reference = weakref.ref(weak)
    del weak
    gc.collect()
    assert reference() is None
    for step in range(3, 6):
        on_step(step)
    assert log == [0, 1, 2]
    name = f"{test_a_weak_callback_collected_mid_run_is_never_called_nor_counted_again.__name__}.<locals>.Weak"
    assert counts(profiler) == {("on_step", name): 3, ("on_step", "Tick"): 6}


def test_a_collected_first_weak_callback_still_in_the_snapshot_is_skipped() -> None:
    """Collected while another thread holds the manager's lock, a weak callback stays in the
    snapshot until the next change: the timed dispatcher skips it (and folds meanwhile)."""
    log: list[int] = []

    class First:
        def on_step(self, step: int) -> None:
            log.append(step)

    profiler = Profiler()
    first = First()
    manager = CallbackManager(Hooks)
    manager.register(first, weak=True)
    manager.register(Tick())
    manager.add_monitor(profiler)
    on_step = manager.call.on_step
    on_step(0)
    lock = manager._registry.lock  # pyright: ignore[reportPrivateUsage]
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with lock:
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(30)
    del first
    gc.collect()
    release.set()
    holder.join(30)
    for step in range(1, 4):
        on_step(step)
    assert log == [0]
    assert sorted(count for count in counts(profiler).values()) == [1, 4]
    assert len(manager) == 1


def test_a_profiler_keeps_no_callback_class_alive() -> None:
    class Local:
        def on_step(self, step: int) -> None:
            pass

    profiler = Profiler()
    manager = CallbackManager(Hooks)
    manager.add_monitor(profiler)
    callback = manager.register(Local())
    manager.call.on_step(1)
    manager.unregister(callback)
    manager.call.on_step(2)
    gone = weakref.ref(Local)
    del Local, callback
    gc.collect()
    assert gone() is None
    assert [row.callback for row in profiler.rows()] == [
        "test_a_profiler_keeps_no_callback_class_alive.<locals>.Local"
    ]


class WithDefault(Protocol):
    def on_step(self, *, step: int, extra: int = 0) -> None: ...


def test_a_weak_callback_found_collected_is_not_counted_on_a_hook_with_defaults() -> None:
    """A hook with a default value is dispatched through its generic form, where a weak callback
    that leaves out a keyword cannot be called inline: its calls go through the reporting
    wrapper, which does not count a call that found the callback collected."""
    holder: list[object] = []

    class Dropper:
        def on_step(self, *, step: int, extra: int = 0) -> None:
            if step == 1:
                holder.clear()
                gc.collect()

    class Partial:
        def on_step(self, *, step: int) -> None:
            pass

    holder.append(Partial())
    profiler = Profiler()
    manager = CallbackManager(WithDefault, [Dropper()])
    manager.register(holder[0], weak=True)
    manager.add_monitor(profiler)
    manager.call.on_step(step=0)
    manager.call.on_step(step=1)  # its snapshot holds both
    manager.call.on_step(step=2)
    counts = {row.callback.rsplit(".", 1)[-1]: row.count for row in profiler.rows()}
    assert counts == {"Dropper": 3, "Partial": 1}
