"""Property: weak, temporary and monitored registrations agree with a list model.

A Hypothesis state machine registers callbacks strongly or weakly (with priorities), drops the
last strong reference to weak ones (and collects), unregisters, opens and closes
``registered(...)`` blocks, and adds and removes a monitor, checking after each step that a
dispatch reaches exactly the model's live callbacks in call order, that ``callbacks`` and ``len``
agree, and that the monitor saw exactly the calls that were made while it was attached.
"""

from __future__ import annotations

import contextlib
import gc
from typing import Protocol

from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,  # pyright: ignore[reportUnknownVariableType]  # untyped parameter
)

from protocall import CallbackManager, HookCall


class Hooks(Protocol):
    def on_step(self, *, step: int) -> None: ...


class Callback:
    def __init__(self, number: int, log: list[int]) -> None:
        self.number = number
        self.log = log

    def on_step(self, *, step: int) -> None:
        self.log.append(self.number)


class Entry:
    """The model's record of one registration."""

    def __init__(self, callback: Callback, priority: int, sequence: int, *, weak: bool) -> None:
        self.callback: Callback | None = callback
        """Held strongly by the model unless the test dropped a weak one."""
        self.number = callback.number
        self.priority = priority
        self.sequence = sequence
        self.weak = weak


class LifecycleMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.log: list[int] = []
        self.seen: list[HookCall] = []
        self.manager = CallbackManager(Hooks)
        self.entries: list[Entry] = []
        self.blocks: list[tuple[contextlib.ExitStack, list[Entry]]] = []
        self.counter = 0
        self.sequence = 0
        self.monitored = False

    def new(self, priority: int, *, weak: bool) -> Entry:
        self.counter += 1
        self.sequence += 1
        return Entry(Callback(self.counter, self.log), priority, self.sequence, weak=weak)

    def order(self) -> list[int]:
        live = sorted(self.entries, key=lambda e: (-e.priority, e.sequence))
        return [e.number for e in live]

    @rule(priority=st.integers(-1, 1), weak=st.booleans())
    def register(self, priority: int, weak: bool) -> None:
        entry = self.new(priority, weak=weak)
        assert entry.callback is not None
        self.manager.register(entry.callback, priority=priority, weak=weak)
        self.entries.append(entry)

    @precondition(lambda self: any(e.weak for e in self.entries))
    @rule(data=st.data())
    def drop_a_weak_one(self, data: st.DataObject) -> None:
        weak = [e for e in self.entries if e.weak]
        entry = data.draw(st.sampled_from(weak))
        entry.callback = None
        gc.collect()
        self.entries.remove(entry)

    @precondition(lambda self: any(not e.weak for e in self.entries))
    @rule(data=st.data())
    def unregister(self, data: st.DataObject) -> None:
        in_blocks = {id(e) for _, added in self.blocks for e in added}
        candidates = [e for e in self.entries if id(e) not in in_blocks]
        if not candidates:
            return
        entry = data.draw(st.sampled_from(candidates))
        self.manager.unregister(entry.callback)
        self.entries.remove(entry)

    @rule(count=st.integers(1, 3), priority=st.integers(-1, 1))
    def open_a_block(self, count: int, priority: int) -> None:
        added = [self.new(priority, weak=False) for _ in range(count)]
        stack = contextlib.ExitStack()
        stack.enter_context(
            self.manager.registered(*(e.callback for e in added), priority=priority)
        )
        self.entries += added
        self.blocks.append((stack, added))

    @precondition(lambda self: bool(self.blocks))
    @rule()
    def close_a_block(self) -> None:
        stack, added = self.blocks.pop()
        stack.close()
        for entry in added:
            self.entries.remove(entry)

    @rule()
    def toggle_the_monitor(self) -> None:
        if self.monitored:
            self.manager.remove_monitor(self.seen.append)
        else:
            self.manager.add_monitor(self.seen.append)
        self.monitored = not self.monitored

    @invariant()
    def dispatch_reaches_the_live_callbacks_in_order(self) -> None:
        self.log.clear()
        self.seen.clear()
        self.manager.call.on_step(step=0)
        expected = self.order()
        assert self.log == expected
        assert [c.callback.number for c in self.seen] == (expected if self.monitored else [])  # type: ignore[attr-defined]
        numbers = [c.number for c in self.manager.callbacks]  # type: ignore[attr-defined]
        assert numbers == expected
        assert len(self.manager) == len(expected)

    def teardown(self) -> None:
        while self.blocks:
            self.blocks.pop()[0].close()


def test_lifecycle_agrees_with_the_model() -> None:
    run_state_machine_as_test(LifecycleMachine)
