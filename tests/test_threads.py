"""Registrations changed and hooks dispatched from many threads at once (semantics 12).

Changes (the constructor, ``register``, ``unregister``) may run in any thread and are serialised;
dispatch takes no lock. What every thread may rely on:

- a callback registered throughout a run is reached by every dispatch exactly once: no call is
  lost or doubled, whatever changes run meanwhile (each ``emit`` result holds it exactly once,
  and its call counter equals the number of dispatches made);
- a thread that registered a callback can unregister it without ``ValueError``;
- a dispatch that starts after ``register()`` returned, in any thread, includes the new callback
  (and one that starts after ``unregister()`` returned leaves it out);
- a change interrupted by ``KeyboardInterrupt`` leaves no half state: the manager is as before.

The stress tests switch threads every microsecond (``sys.setswitchinterval``) to make races
show up within a bounded run; they are deterministic in what they assert, not in the
interleaving they explore.
"""

from __future__ import annotations

import functools
import itertools
import linecache
import sys
import threading
import time
import types
import warnings
from collections.abc import Callable, Generator
from contextlib import contextmanager
from typing import Any, Protocol

import pytest
from _interrupting import interrupted_at

from protocall import CallbackManager, Prioritized

RUN_SECONDS = 2.0
"""How long each stress run lasts (per manager kind)."""

ROUNDS = 400
"""Register/dispatch/unregister rounds of the ordering test."""

JOIN_SECONDS = 30.0
"""A thread still running after this is a deadlock: the test fails instead of hanging."""


class OnTick(Protocol):
    def on_tick(self, *, n: int) -> None: ...


class OnValue(Protocol):
    def on_value(self) -> object: ...


class Hooks(OnTick, OnValue, Protocol):
    """The spec of these tests."""


class Counting:
    """Counts its calls of each hook (under its own lock); ``on_value`` returns itself."""

    def __init__(self, priority: int = 0) -> None:
        self.priority = priority
        self.lock = threading.Lock()
        self.ticks = 0
        self.values = 0

    def on_tick(self, *, n: int) -> None:
        with self.lock:
            self.ticks += n

    def on_value(self) -> object:
        with self.lock:
            self.values += 1
        return self


class TickOnly:
    """Implements ``on_tick`` only: its registration changes one hook, not the other."""

    def __init__(self, priority: int = 0) -> None:
        self.priority = priority
        self.lock = threading.Lock()
        self.ticks = 0

    def on_tick(self, *, n: int) -> None:
        with self.lock:
            self.ticks += n


@contextmanager
def fast_switching() -> Generator[None, None, None]:
    """Switch threads every microsecond for the duration (restored afterwards)."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


def run_threads(targets: list[Callable[[], None]]) -> list[BaseException]:
    """Run each target in its own thread; the exceptions they raised, once all have ended."""
    failures: list[BaseException] = []

    def guarded(target: Callable[[], None]) -> Callable[[], None]:
        def body() -> None:
            try:
                target()
            except BaseException as exc:  # noqa: BLE001 - every failure is reported
                failures.append(exc)

        return body

    threads = [threading.Thread(target=guarded(t), daemon=True) for t in targets]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + JOIN_SECONDS
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "a thread is stuck (deadlock?)"
    return failures


def make(kind: str, callbacks: list[object]) -> CallbackManager[Any]:
    return CallbackManager(Hooks if kind == "checked" else None, callbacks)


def emit_values(manager: CallbackManager[Any]) -> list[object]:
    """``emit`` of ``on_value``: by spec method on a checked manager, by name on an unchecked one."""
    if manager.spec is not None:
        return manager.emit(Hooks.on_value)
    return manager.emit("on_value")


def check_snapshot(results: list[object], stable: list[Counting]) -> None:
    """One ``emit(on_value)`` result: each stable callback exactly once, nobody twice, in an order
    consistent with the priorities and with the stable callbacks' registration order."""
    for callback in stable:
        count = sum(1 for r in results if r is callback)
        assert count == 1, f"a callback registered throughout was reached {count} times"
    assert len({id(r) for r in results}) == len(results), "a callback was reached twice"
    priorities = [getattr(r, "priority") for r in results]  # noqa: B009  # the static type is object
    assert priorities == sorted(priorities, reverse=True), priorities
    positions = [next(i for i, r in enumerate(results) if r is c) for c in stable]
    assert positions == sorted(positions)


@pytest.mark.parametrize("kind", ["checked", "unchecked"])
def test_stress_register_unregister_and_dispatch(kind: str) -> None:
    """4 dispatching threads (``call``, a held caller, ``emit`` by hook and by name) and 4
    threads registering and unregistering their own callbacks (with priorities), for a bounded
    time: every dispatch reaches the callbacks registered throughout exactly once, no thread
    meets an exception, and afterwards the manager is consistent and dispatches exactly once to
    every callback still registered."""
    stable = [Counting(), Counting(), Counting()]
    manager = make(kind, list(stable))
    manager.call.on_tick(n=0)  # dispatchers exist before the run
    manager.emit("on_value")
    for callback in stable:
        callback.values = 0
    deadline = 0.0
    tick_dispatches = [0] * 4
    value_dispatches = [0] * 4
    left_registered: list[list[object]] = [[] for _ in range(4)]
    all_transients: list[object] = []
    start = threading.Barrier(8)

    def dispatcher(index: int) -> Callable[[], None]:
        def body() -> None:
            start.wait(JOIN_SECONDS)
            held = manager.call.on_tick
            step = 0
            while time.monotonic() < deadline:
                mode = (step + index) % 4
                step += 1
                if mode == 0:
                    manager.call.on_tick(n=1)
                    tick_dispatches[index] += 1
                elif mode == 1:
                    held(n=1)
                    tick_dispatches[index] += 1
                elif mode == 2:
                    check_snapshot(emit_values(manager), stable)
                    value_dispatches[index] += 1
                else:
                    manager.emit("on_tick", n=1)
                    tick_dispatches[index] += 1

        return body

    def churner(index: int) -> Callable[[], None]:
        def body() -> None:
            start.wait(JOIN_SECONDS)
            round_ = 0
            while True:
                batch: list[object] = []
                for j in range(3):
                    priority = (round_ + j + index) % 3 - 1
                    callback = (Counting if j % 2 == 0 else TickOnly)(priority)
                    all_transients.append(callback)
                    assert manager.register(callback, priority=priority) is callback
                    assert callback in manager
                    batch.append(callback)
                round_ += 1
                if time.monotonic() >= deadline:
                    left_registered[index] = batch
                    return
                for registered in batch[1:] + batch[:1]:
                    manager.unregister(registered)
                    assert registered not in manager

        return body

    with fast_switching():
        deadline = time.monotonic() + RUN_SECONDS
        failures = run_threads([dispatcher(i) for i in range(4)] + [churner(i) for i in range(4)])
    assert failures == [], failures[:3]

    ticks, values = sum(tick_dispatches), sum(value_dispatches)
    assert ticks > 50 and values > 10, "the run made too few dispatches to prove anything"
    for callback in stable:
        assert (callback.ticks, callback.values) == (ticks, values)

    remaining = [c for batch in left_registered for c in batch]
    expected = {id(c) for c in [*stable, *remaining]}
    callbacks = manager.callbacks
    assert {id(c) for c in callbacks} == expected
    assert len(callbacks) == len(manager) == len(expected)
    priorities = [getattr(c, "priority") for c in callbacks]  # noqa: B009  # the static type is object
    assert priorities == sorted(priorities, reverse=True)
    assert manager.implementers("on_tick") == callbacks
    counting = tuple(c for c in callbacks if isinstance(c, Counting))
    assert manager.implementers("on_value") == counting
    if kind == "checked":
        for registered in callbacks:
            both = isinstance(registered, Counting)
            assert manager.hooks_of(registered) == (
                {"on_tick", "on_value"} if both else {"on_tick"}
            )
    for batch in left_registered:  # each thread's batch keeps its order within a priority
        for first, second in itertools.pairwise(batch):
            if getattr(first, "priority") == getattr(second, "priority"):  # noqa: B009  # the static type is object
                assert callbacks.index(first) < callbacks.index(second)

    before = {id(c): getattr(c, "ticks") for c in all_transients + list(stable)}  # noqa: B009  # the static type is object
    manager.call.on_tick(n=1)
    for each in [*all_transients, *stable]:
        delta = getattr(each, "ticks") - before[id(each)]  # noqa: B009  # the static type is object
        assert delta == (1 if id(each) in expected else 0)
    assert emit_values(manager) == list(counting)


@pytest.mark.parametrize("kind", ["checked", "unchecked"])
def test_concurrent_constructors_and_registrations_of_new_classes(kind: str) -> None:
    """Threads that each build managers and register instances of classes new to the spec
    (validated for the first time, concurrently) all succeed, and each manager holds exactly
    its own callbacks."""
    failures_seen: list[str] = []

    def worker(index: int) -> Callable[[], None]:
        def body() -> None:
            for round_ in range(30):
                cls = type(f"New{index}_{round_}", (Counting,), {})
                first: object = cls()
                manager = make(kind, [first, Counting()])
                second = manager.register(cls())
                results = emit_values(manager)
                if results != list(manager.callbacks) or results[::2] != [first, second]:
                    failures_seen.append(f"{index}/{round_}: {results!r}")
                manager.unregister(first)
                if len(manager) != 2:
                    failures_seen.append(f"{index}/{round_}: {len(manager)} left")

        return body

    with fast_switching():
        failures = run_threads([worker(i) for i in range(8)])
    assert failures == [] and failures_seen == []


class Registrar:
    """A thread that runs the functions it is handed, one at a time, in order."""

    def __init__(self) -> None:
        self.lock = threading.Condition()
        self.queue: list[Callable[[], None] | None] = []
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            with self.lock:
                while not self.queue:
                    self.lock.wait()
                job = self.queue.pop(0)
            if job is None:
                return
            job()

    def run(self, job: Callable[[], object]) -> threading.Event:
        """Hand ``job`` over; the event is set once it has returned (or raised, into ``errors``)."""
        done = threading.Event()

        def wrapped() -> None:
            try:
                job()
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                self.errors.append(exc)
            finally:
                done.set()

        with self.lock:
            self.queue.append(wrapped)
            self.lock.notify()
        return done

    def stop(self) -> None:
        with self.lock:
            self.queue.append(None)
            self.lock.notify()
        self.thread.join(JOIN_SECONDS)
        assert not self.thread.is_alive()


@pytest.mark.parametrize("kind", ["checked", "unchecked"])
@pytest.mark.parametrize("via", ["call", "held", "emit"])
def test_a_dispatch_after_register_returned_in_another_thread_includes_it(
    kind: str, via: str
) -> None:
    """Another thread registers a callback; once its ``register()`` has returned (an Event says
    so), a dispatch started in this thread reaches it; once its ``unregister()`` has returned,
    a dispatch leaves it out. Meanwhile a third thread keeps dispatching, rebuilding the
    dispatchers that the changes invalidate."""
    base = Counting()
    manager = make(kind, [base])
    held = manager.call.on_tick
    stop = threading.Event()
    background_failures: list[BaseException] = []

    def background() -> None:
        try:
            while not stop.is_set():
                manager.call.on_tick(n=0)
                emit_values(manager)
        except BaseException as exc:  # noqa: BLE001
            background_failures.append(exc)

    noise = threading.Thread(target=background, daemon=True)
    registrar = Registrar()
    missed: list[str] = []
    with fast_switching():
        noise.start()
        try:
            for round_ in range(ROUNDS):
                callback = Counting()
                assert registrar.run(lambda: manager.register(callback)).wait(JOIN_SECONDS)  # noqa: B023 - waited for within this iteration
                assert registrar.errors == []
                if via == "call":
                    manager.call.on_tick(n=1)
                elif via == "held":
                    held(n=1)
                if via == "emit":
                    if callback not in emit_values(manager):
                        missed.append(f"round {round_}: emit missed a registered callback")
                elif callback.ticks != 1:
                    missed.append(f"round {round_}: {via} reached it {callback.ticks} times")
                reached = callback.ticks
                assert registrar.run(lambda: manager.unregister(callback)).wait(JOIN_SECONDS)  # noqa: B023 - waited for within this iteration
                assert registrar.errors == []
                if via == "emit":
                    if callback in emit_values(manager):
                        missed.append(f"round {round_}: emit reached an unregistered callback")
                else:
                    (held if via == "held" else manager.call.on_tick)(n=1)
                    if callback.ticks != reached:
                        missed.append(f"round {round_}: {via} reached it after unregister")
        finally:
            stop.set()
            noise.join(JOIN_SECONDS)
            registrar.stop()
    assert background_failures == []
    assert missed == [], missed[:5]


class InterruptingReads:
    """Its hooks are properties. Once armed with ``n``, the ``n``-th read of any of them
    (counting from the arming, from 1) raises ``KeyboardInterrupt``, as a Ctrl-C arriving at that
    moment would; disarmed, reads never raise (so that an interrupt cannot escape the test)."""

    def __init__(self) -> None:
        self.interrupt_at = 0
        self.reads = 0
        self.calls: list[str] = []

    def arm(self, interrupt_at: int) -> None:
        self.reads, self.interrupt_at = 0, interrupt_at

    def disarm(self) -> None:
        self.interrupt_at = 0

    def _read(self, method: Callable[..., object]) -> Callable[..., object]:
        self.reads += 1
        if self.reads == self.interrupt_at:
            self.disarm()
            raise KeyboardInterrupt
        return method

    def _tick(self, *, n: int) -> None:
        self.calls.append(f"tick {n}")

    def _value(self) -> object:
        self.calls.append("value")
        return self

    @property
    def on_tick(self) -> Callable[..., object]:
        return self._read(self._tick)

    @property
    def on_value(self) -> Callable[..., object]:
        return self._read(self._value)


def state(manager: CallbackManager[Any]) -> tuple[object, ...]:
    """Everything observable about a manager without dispatching."""
    return (
        manager.callbacks,
        len(manager),
        manager.implementers("on_tick"),
        manager.implementers("on_value"),
    )


@pytest.mark.parametrize("interrupt_at", [1, 2])
def test_keyboard_interrupt_during_register_leaves_no_half_state(interrupt_at: int) -> None:
    """``KeyboardInterrupt`` raised while a registration reads the callback's hooks: the manager
    is exactly as before (callbacks, ``len``, implementers, ``in``, dispatch results), and the
    same object can then be registered normally."""
    a, b = Counting(), TickOnly(priority=1)
    manager = CallbackManager(Hooks, [a, Prioritized(b, 1)])
    manager.call.on_tick(n=1)
    assert manager.emit(Hooks.on_value) == [a]
    before = state(manager)
    victim = InterruptingReads()
    victim.arm(interrupt_at)
    with pytest.raises(KeyboardInterrupt):
        manager.register(victim, priority=5)
    victim.disarm()
    assert state(manager) == before
    assert victim not in manager
    manager.call.on_tick(n=1)
    assert manager.emit(Hooks.on_value) == [a]
    assert (a.ticks, b.ticks, victim.calls) == (2, 2, [])
    with pytest.raises(ValueError, match="not registered"):
        manager.unregister(victim)
    assert manager.register(victim, priority=5) is victim  # no "already registered"
    assert manager.callbacks == (victim, b, a)
    manager.call.on_tick(n=1)
    assert manager.emit(Hooks.on_value) == [victim, a]
    assert victim.calls == ["tick 1", "value"]
    assert manager.hooks_of(victim) == {"on_tick", "on_value"}


@pytest.mark.parametrize("via", ["call", "emit"])
def test_keyboard_interrupt_while_building_an_unchecked_dispatcher(via: str) -> None:
    """On an unchecked manager hooks are looked up when a dispatcher is built; an interrupt
    there leaves nothing half-built: the next dispatch reaches every callback exactly once, and
    the registrations are untouched."""
    a, c = Counting(), Counting()
    victim = InterruptingReads()
    manager = CallbackManager(None, [a, victim, c])

    def dispatch() -> None:
        if via == "call":
            manager.call.on_tick(n=1)
        else:
            assert manager.emit("on_tick", n=1) == [None, None, None]

    victim.arm(1)
    with pytest.raises(KeyboardInterrupt):
        dispatch()
    victim.disarm()
    ticks = (a.ticks, c.ticks)
    calls = len(victim.calls)
    dispatch()
    assert (a.ticks, c.ticks) == (ticks[0] + 1, ticks[1] + 1)
    assert victim.calls[calls:] == ["tick 1"]
    assert manager.callbacks == (a, victim, c)
    assert len(manager) == 3
    assert manager.implementers("on_tick") == (a, victim, c)


class NearMiss:
    """Implements ``on_value``, and has a public method named almost like ``on_tick``, which it
    does not implement: registering it warns."""

    def __init__(self) -> None:
        self.values = 0

    def on_value(self) -> object:
        self.values += 1
        return self

    def on_tik(self, *, n: int) -> None:
        """Never called: a near miss of ``on_tick``."""


def test_keyboard_interrupt_from_a_registration_warning_leaves_no_half_state() -> None:
    """``KeyboardInterrupt`` raised while the near-miss warning of a registration is shown: the
    callback is either not registered at all or completely registered (in ``callbacks``, ``len``,
    ``in``, the implementers and dispatch alike), and the manager goes on working."""
    a = Counting()
    manager = CallbackManager(Hooks, [a])
    assert manager.emit(Hooks.on_value) == [a]
    victim = NearMiss()

    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = interrupt
        with pytest.raises(KeyboardInterrupt):
            manager.register(victim)
    registered = victim in manager
    expected: tuple[object, ...] = (a, victim) if registered else (a,)
    assert manager.callbacks == expected
    assert len(manager) == len(expected)
    assert manager.implementers(Hooks.on_tick) == (a,)
    assert manager.implementers(Hooks.on_value) == expected
    assert manager.emit(Hooks.on_value) == list(expected)
    assert victim.values == (1 if registered else 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if registered:
            manager.unregister(victim)
        else:
            manager.register(victim)
    assert (victim in manager) is not registered
    assert manager.emit(Hooks.on_value) == ([a] if registered else [a, victim])


def _interrupted_at(line: int, change: Callable[[], object]) -> bool:
    """Run ``change`` with a KeyboardInterrupt raised at its ``line``-th line in protocall (the
    exit of a ``with`` statement aside, which CPython itself does not protect); whether it was."""
    return interrupted_at(line, change, _in_protocall)


def _in_protocall(frame: types.FrameType) -> bool:
    """A line of protocall's that is not a ``with`` statement's."""
    filename = frame.f_code.co_filename
    if "protocall" not in filename:
        return False
    return not linecache.getline(filename, frame.f_lineno).lstrip().startswith("with ")


WEAKLY_HELD = Counting()
CHANGES: dict[str, Callable[[CallbackManager[Hooks]], object]] = {
    "register": lambda manager: manager.register(Counting()),
    "register weakly": lambda manager: manager.register(WEAKLY_HELD, weak=True),
    "unregister": lambda manager: manager.unregister(manager.callbacks[0]),
    "registered": lambda manager: _in_a_registered_block(manager),
}


def _in_a_registered_block(manager: CallbackManager[Hooks]) -> None:
    with manager.registered(Counting()):
        pass


def test_keyboard_interrupt_at_any_line_of_a_registered_exit_leaves_all_or_none() -> None:
    """The end of a ``registered`` block interrupted at each line in turn: the block's
    callbacks stay registered all together (the exit never began) or none of them does."""
    for line in itertools.count(1):
        manager = CallbackManager(Hooks, [Counting()])
        block = [Counting(), Counting(), Counting()]
        context = manager.registered(*block)
        context.__enter__()
        interrupted = _interrupted_at(line, functools.partial(context.__exit__, None, None, None))
        still = [callback in manager for callback in block]
        assert still in ([True] * 3, [False] * 3), (line, still)
        if not interrupted:
            break


@pytest.mark.parametrize("change", list(CHANGES))
def test_keyboard_interrupt_at_any_line_of_a_change_leaves_dispatch_as_the_registrations(
    change: str,
) -> None:
    """``KeyboardInterrupt`` at each line of a change in turn (after the registrations changed
    and before the dispatchers were told, say): every hook then dispatches to exactly the
    callbacks that ``implementers`` lists, and keeps doing so after the next change."""
    for line in itertools.count(1):
        manager = CallbackManager(Hooks, [Counting(), TickOnly()])
        manager.call.on_tick(n=1)
        manager.emit(Hooks.on_value)
        known = [*manager.callbacks, WEAKLY_HELD]
        interrupted = _interrupted_at(line, functools.partial(CHANGES[change], manager))
        for _ in range(2):
            callbacks = manager.callbacks
            for callback in known:  # membership agrees with the call order
                assert (callback in manager) is any(c is callback for c in callbacks), line
            assert manager.implementers(Hooks.on_value) == tuple(
                c for c in callbacks if isinstance(c, Counting)
            )
            assert manager.emit(Hooks.on_value) == list(manager.implementers(Hooks.on_value)), line
            manager.register(TickOnly())  # a change that touches another hook
        if not interrupted:
            break
