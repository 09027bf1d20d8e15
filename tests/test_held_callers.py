"""Held hook callers are live (semantics 11) and mutation during dispatch (semantics 7).

A library hoists ``on_step = manager.call.on_step`` out of its loop. Each call of the held caller
dispatches to the registrations current at that call, exactly as ``manager.call.on_step(...)``
would: callbacks registered or unregistered since it was taken are included or left out. A
dispatch that has started finishes with the callbacks it started with: a callback that registers
another during dispatch does not get it called in the running dispatch, only from the next one; a
callback unregistered during dispatch that came later in the running dispatch is still called by
it (it was among the callbacks that dispatch started with), and not by the next.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol

import pytest

from protocall import CallbackManager, hookspec

Log = list[str]


class OnStep(Protocol):
    def on_step(self, *, n: int) -> None: ...


class OnValue(Protocol):
    def on_value(self) -> str: ...


class OnEnd(Protocol):
    @hookspec(reverse=True)
    def on_end(self) -> None: ...


class OnSave(Protocol):
    async def on_save(self, *, path: str) -> None: ...


class Hooks(OnStep, OnValue, OnEnd, OnSave, Protocol):
    """The spec of these tests."""


class Rec:
    """Logs ``label:hook`` for each call; ``on_value`` returns the label."""

    def __init__(self, label: str, log: Log) -> None:
        self.label = label
        self.log = log

    def on_step(self, *, n: int) -> None:
        self.log.append(f"{self.label}:{n}")

    def on_value(self) -> str:
        self.log.append(f"{self.label}:value")
        return self.label

    def on_end(self) -> None:
        self.log.append(f"{self.label}:end")

    async def on_save(self, *, path: str) -> None:
        await asyncio.sleep(0)
        self.log.append(f"{self.label}:{path}")


class Actor(Rec):
    """A ``Rec`` that runs ``action`` (once, the first time) from inside ``on_step``/``on_value``."""

    def __init__(self, label: str, log: Log, action: Callable[[], object]) -> None:
        super().__init__(label, log)
        self.action: Callable[[], object] | None = action

    def _act(self) -> None:
        action, self.action = self.action, None
        if action is not None:
            action()

    def on_step(self, *, n: int) -> None:
        super().on_step(n=n)
        self._act()

    def on_value(self) -> str:
        label = super().on_value()
        self._act()
        return label


SPECS = ["checked", "unchecked"]


def make(spec: str, callbacks: list[object] | None = None) -> CallbackManager[Any]:
    return CallbackManager(Hooks if spec == "checked" else None, callbacks or [])


@pytest.mark.parametrize("spec", SPECS)
def test_caller_held_before_any_registration_sees_later_ones(spec: str) -> None:
    """Taken from an empty manager, the held caller reaches each callback registered since,
    and stops reaching each one unregistered since."""
    log: Log = []
    manager = make(spec)
    on_step = manager.call.on_step
    on_step(n=0)
    assert log == []
    a = manager.register(Rec("a", log))
    on_step(n=1)
    b = manager.register(Rec("b", log))
    on_step(n=2)
    manager.unregister(a)
    on_step(n=3)
    manager.unregister(b)
    on_step(n=4)
    assert log == ["a:1", "a:2", "b:2", "b:3"]


@pytest.mark.parametrize("spec", SPECS)
def test_caller_held_between_registrations_after_a_dispatch(spec: str) -> None:
    """Taken after a dispatch built the hook's dispatcher, the held caller still follows the
    registrations, in call order, priorities included."""
    log: Log = []
    a = Rec("a", log)
    manager = make(spec, [a])
    manager.call.on_step(n=0)
    on_step = manager.call.on_step
    manager.register(Rec("b", log))
    on_step(n=1)
    manager.register(Rec("first", log), priority=5)
    on_step(n=2)
    manager.unregister(a)
    on_step(n=3)
    assert log == ["a:0", "a:1", "b:1", "first:2", "a:2", "b:2", "first:3", "b:3"]


@pytest.mark.parametrize("spec", SPECS)
def test_held_caller_and_fresh_lookup_agree_after_every_change(spec: str) -> None:
    """After each change, the held caller and ``manager.call.on_step`` reach the same callbacks
    in the same order."""
    manager = make(spec)
    held = manager.call.on_step
    callbacks: list[Rec] = []
    for round_ in range(6):
        held_log: Log = []
        fresh_log: Log = []
        if round_ % 3 == 2:
            manager.unregister(callbacks.pop(0))
        else:
            callbacks.append(manager.register(Rec(f"r{round_}", held_log)))
        for callback in callbacks:
            callback.log = held_log
        held(n=round_)
        for callback in callbacks:
            callback.log = fresh_log
        manager.call.on_step(n=round_)
        assert held_log == fresh_log == [f"{c.label}:{round_}" for c in callbacks]


@pytest.mark.parametrize("spec", SPECS)
def test_held_caller_of_a_reversed_hook_follows_changes_in_reverse(spec: str) -> None:
    """A held caller of a ``reverse=True`` hook reaches the current registrations, last first
    (an unchecked manager knows no hook options: registration order)."""
    log: Log = []
    manager = make(spec, [Rec("a", log)])
    on_end = manager.call.on_end
    on_end()
    manager.register(Rec("b", log))
    on_end()
    expected = ["a:end", "b:end", "a:end"] if spec == "checked" else ["a:end", "a:end", "b:end"]
    assert log == expected


def test_held_async_caller_awaits_the_current_registrations() -> None:
    """A held caller of an ``async def`` hook awaits the callbacks registered at each call."""
    log: Log = []
    manager = make("checked", [Rec("a", log)])
    on_save = manager.call.on_save

    async def main() -> None:
        await on_save(path="1")
        b = manager.register(Rec("b", log))
        await on_save(path="2")
        manager.unregister(b)
        await on_save(path="3")

    asyncio.run(main())
    assert log == ["a:1", "a:2", "b:2", "a:3"]


@pytest.mark.parametrize("spec", SPECS)
def test_emit_results_track_changes(spec: str) -> None:
    """``emit`` (by spec method on a checked manager, by name on both) returns the results of
    the current registrations after each change, also once dispatchers were built."""
    log: Log = []
    manager = make(spec, [Rec("a", log)])

    def both() -> list[list[str]]:
        results: list[list[str]] = [manager.emit("on_value")]
        if spec == "checked":
            results.append(manager.emit(Hooks.on_value))
        return results

    assert all(r == ["a"] for r in both())
    b = manager.register(Rec("b", log))
    assert all(r == ["a", "b"] for r in both())
    manager.register(Rec("z", log), priority=-1)
    manager.register(Rec("top", log), priority=1)
    assert all(r == ["top", "a", "b", "z"] for r in both())
    manager.unregister(b)
    assert all(r == ["top", "a", "z"] for r in both())


@pytest.mark.parametrize("spec", SPECS)
@pytest.mark.parametrize("held", [False, True], ids=["fresh", "held"])
def test_registered_during_dispatch_takes_effect_from_the_next_call(spec: str, held: bool) -> None:
    """A callback that registers another during dispatch: the running dispatch does not call
    the new one (whatever its priority), the next dispatch does."""
    log: Log = []
    manager = make(spec)
    late = Rec("late", log)
    early = Rec("early", log)

    def add_both() -> None:
        manager.register(late)
        manager.register(early, priority=10)

    actor = manager.register(Actor("actor", log, add_both))
    caller = manager.call.on_step
    (caller if held else manager.call.on_step)(n=1)
    assert log == ["actor:1"]
    assert manager.callbacks == (early, actor, late)
    (caller if held else manager.call.on_step)(n=2)
    assert log == ["actor:1", "early:2", "actor:2", "late:2"]


@pytest.mark.parametrize("spec", SPECS)
def test_registered_during_emit_is_not_in_the_running_results(spec: str) -> None:
    """The same for ``emit``: the running call's results come from the callbacks it started
    with; the next call's include the new one."""
    log: Log = []
    manager = make(spec)
    added = Rec("added", log)
    manager.register(Actor("actor", log, lambda: manager.register(added)))
    assert manager.emit("on_value") == ["actor"]
    assert manager.emit("on_value") == ["actor", "added"]


@pytest.mark.parametrize("spec", SPECS)
@pytest.mark.parametrize("held", [False, True], ids=["fresh", "held"])
def test_unregistered_during_dispatch_still_called_by_the_running_dispatch(
    spec: str, held: bool
) -> None:
    """A callback unregistered during dispatch by an earlier callback is still called by the
    running dispatch (it started with it), and not by the next one."""
    log: Log = []
    manager = make(spec)
    victim = Rec("victim", log)
    manager.register(Actor("actor", log, lambda: manager.unregister(victim)))
    manager.register(victim)
    caller = manager.call.on_step
    (caller if held else manager.call.on_step)(n=1)
    assert log == ["actor:1", "victim:1"]
    assert victim not in manager
    (caller if held else manager.call.on_step)(n=2)
    assert log == ["actor:1", "victim:1", "actor:2"]


@pytest.mark.parametrize("spec", SPECS)
def test_unregistered_during_emit_still_answers_the_running_emit(spec: str) -> None:
    """``emit``'s running call returns the result of a later callback unregistered during it."""
    log: Log = []
    manager = make(spec)
    victim = Rec("victim", log)
    manager.register(Actor("actor", log, lambda: manager.unregister(victim)))
    manager.register(victim)
    assert manager.emit("on_value") == ["actor", "victim"]
    assert manager.emit("on_value") == ["actor"]


@pytest.mark.parametrize("spec", SPECS)
def test_unregistering_itself_or_an_earlier_one_calls_nobody_twice(spec: str) -> None:
    """A callback that unregisters itself and an earlier callback during dispatch: the running
    dispatch calls every callback it started with exactly once."""
    log: Log = []
    manager = make(spec)
    before = manager.register(Rec("before", log))
    after = Rec("after", log)
    actor: Actor

    def drop() -> None:
        manager.unregister(before)
        manager.unregister(actor)

    actor = manager.register(Actor("actor", log, drop))
    manager.register(after)
    manager.call.on_step(n=1)
    assert log == ["before:1", "actor:1", "after:1"]
    manager.call.on_step(n=2)
    assert log == ["before:1", "actor:1", "after:1", "after:2"]
    assert manager.callbacks == (after,)


@pytest.mark.parametrize("spec", SPECS)
@pytest.mark.parametrize("held", [False, True], ids=["fresh", "held"])
def test_a_nested_dispatch_after_a_registration_includes_it(spec: str, held: bool) -> None:
    """A dispatch that starts after ``register()`` returned includes the new callback, even when
    it is nested in a running dispatch of the same hook that does not."""
    log: Log = []
    manager = make(spec)
    added = Rec("added", log)
    caller = manager.call.on_step

    def register_then_dispatch() -> None:
        manager.register(added)
        log.append("nested:")
        (caller if held else manager.call.on_step)(n=2)
        log.append("nested.")

    manager.register(Actor("actor", log, register_then_dispatch))
    manager.register(Rec("tail", log))
    manager.call.on_step(n=1)
    assert log == [
        "actor:1",
        "nested:",
        "actor:2",
        "tail:2",
        "added:2",
        "nested.",
        "tail:1",
    ]


@pytest.mark.parametrize("spec", SPECS)
def test_held_caller_survives_many_changes_between_calls(spec: str) -> None:
    """A long-lived held caller keeps up with a long series of registrations and removals
    (interleaved with dispatches through other paths) without falling behind."""
    log: Log = []
    manager = make(spec)
    on_step = manager.call.on_step
    live: list[Rec] = []
    for i in range(40):
        callback = manager.register(Rec(f"c{i}", log), priority=i % 3)
        live.append(callback)
        if i % 4 == 3:
            manager.unregister(live.pop(len(live) // 2))
        if i % 5 == 0:
            manager.emit("on_step", n=-1)
        log.clear()
        on_step(n=i)
        expected = sorted(live, key=lambda c: -(int(c.label[1:]) % 3))
        assert log == [f"{c.label}:{i}" for c in expected]
