"""Property: dispatch order is the stable sort of (priority, registration order), reversed for
reversed hooks, across random register/unregister/re-register sequences (issue 4, item 2).

The model is a plain list of (callback, priority, registration number); the expected call order
is ``sorted(model, key=(-priority, number))``, and its reverse for a ``@hookspec(reverse=True)``
hook. A registration's number is taken when it is registered, so a callback that is unregistered
and registered again goes after the callbacks of its priority that are already there.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass
from typing import Protocol

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,  # pyright: ignore[reportUnknownVariableType]  # untyped parameter
)

from protocall import CallbackManager, Prioritized, hookspec

PRIORITIES = st.integers(min_value=-3, max_value=3)


class OnStep(Protocol):
    def on_step(self, *, step: int) -> None: ...


class OnTeardown(Protocol):
    @hookspec(reverse=True)
    def on_teardown(self) -> None: ...


class OnFlush(Protocol):
    @hookspec(reverse=True)
    async def on_flush(self) -> None: ...


class Lookup(Protocol):
    def lookup(self, *, key: str) -> str | None: ...


class Hooks(OnStep, OnTeardown, OnFlush, Lookup, Protocol):
    """A forward hook, two reversed ones (sync and async) and a first-result hook."""


class Recorder:
    """Implements every hook; each call appends the callback's label to the shared log."""

    def __init__(self, label: str, log: list[str], answers: bool) -> None:
        self.label = label
        self.log = log
        self.answers = answers

    def on_step(self, *, step: int) -> None:
        self.log.append(self.label)

    def on_teardown(self) -> None:
        self.log.append(self.label)

    async def on_flush(self) -> None:
        await asyncio.sleep(0)
        self.log.append(self.label)

    def lookup(self, *, key: str) -> str | None:
        self.log.append(self.label)
        return f"{key}@{self.label}" if self.answers else None

    def __repr__(self) -> str:
        return f"Recorder({self.label})"


@dataclass(frozen=True)
class Registered:
    callback: Recorder
    priority: int
    number: int


class OrderingMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.log: list[str] = []
        self.numbers = itertools.count()
        self.labels = itertools.count()
        self.model: list[Registered] = []
        self.removed: list[Recorder] = []
        self.manager = CallbackManager(Hooks)

    def new_recorder(self, answers: bool) -> Recorder:
        return Recorder(f"r{next(self.labels)}", self.log, answers)

    def expected(self) -> list[Recorder]:
        ordered = sorted(self.model, key=lambda r: (-r.priority, r.number))
        return [r.callback for r in ordered]

    @initialize(
        priorities=st.lists(st.tuples(PRIORITIES, st.booleans(), st.booleans()), max_size=6)
    )
    def construct(self, priorities: list[tuple[int, bool, bool]]) -> None:
        items: list[object] = []
        for priority, wrapped, answers in priorities:
            recorder = self.new_recorder(answers)
            # An unwrapped item has priority 0, like Prioritized(callback) without a priority.
            effective = priority if wrapped else 0
            items.append(Prioritized(recorder, priority) if wrapped else recorder)
            self.model.append(Registered(recorder, effective, next(self.numbers)))
        self.manager = CallbackManager(Hooks, items)

    @rule(priority=PRIORITIES, answers=st.booleans())
    def register(self, priority: int, answers: bool) -> None:
        recorder = self.manager.register(self.new_recorder(answers), priority=priority)
        self.model.append(Registered(recorder, priority, next(self.numbers)))

    @precondition(lambda self: bool(self.model))
    @rule(data=st.data())
    def unregister(self, data: st.DataObject) -> None:
        entry = data.draw(st.sampled_from(self.model))
        self.manager.unregister(entry.callback)
        self.model.remove(entry)
        self.removed.append(entry.callback)

    @precondition(lambda self: bool(self.removed))
    @rule(data=st.data(), priority=PRIORITIES)
    def register_again(self, data: st.DataObject, priority: int) -> None:
        recorder = data.draw(st.sampled_from(self.removed))
        self.manager.register(recorder, priority=priority)
        self.removed.remove(recorder)
        self.model.append(Registered(recorder, priority, next(self.numbers)))

    @rule(how=st.sampled_from(["call", "emit", "emit by name"]))
    def step(self, how: str) -> None:
        self.log.clear()
        if how == "call":
            self.manager.call.on_step(step=1)
        elif how == "emit":
            assert self.manager.emit(Hooks.on_step, step=1) == [None] * len(self.model)
        else:
            self.manager.emit("on_step", step=1)
        assert self.log == [r.label for r in self.expected()]

    @rule()
    def teardown_hook(self) -> None:
        self.log.clear()
        self.manager.call.on_teardown()
        assert self.log == [r.label for r in reversed(self.expected())]

    @rule()
    def flush(self) -> None:
        self.log.clear()
        asyncio.run(self.manager.call.on_flush())
        assert self.log == [r.label for r in reversed(self.expected())]

    @rule(key=st.sampled_from(["a", "b"]))
    def first(self, key: str) -> None:
        self.log.clear()
        found = self.manager.first(Hooks.lookup, key=key)
        order = self.expected()
        answering = next((i for i, r in enumerate(order) if r.answers), None)
        if answering is None:
            assert found is None
            assert self.log == [r.label for r in order]
        else:
            assert found == f"{key}@{order[answering].label}"
            assert self.log == [r.label for r in order[: answering + 1]]

    @invariant()
    def callbacks_report_the_call_order(self) -> None:
        expected = self.expected()
        assert list(self.manager.callbacks) == expected
        assert list(self.manager.implementers(Hooks.on_step)) == expected
        assert list(self.manager.implementers("on_teardown")) == expected[::-1]
        assert len(self.manager) == len(expected)


def test_dispatch_order_is_the_stable_sort_of_priority_then_registration() -> None:
    run_state_machine_as_test(
        OrderingMachine, settings=settings(max_examples=200, stateful_step_count=30, deadline=None)
    )
