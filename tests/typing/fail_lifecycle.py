"""Misuses of the lifecycle API (semantics 18): each marked line must be reported."""

from __future__ import annotations

from typing import Protocol

from protocall import CallbackManager, HookCall


class OnTrainStart(Protocol):
    def on_train_start(self, *, epochs: int) -> None: ...


class TrainHooks(OnTrainStart, Protocol):
    """The training loop's hooks."""


class Timer(OnTrainStart):
    def on_train_start(self, *, epochs: int) -> None: ...


class Saver:
    def on_train_start(self, *, epochs: int) -> None: ...


def by_epoch(epoch: int) -> None: ...


manager = CallbackManager(TrainHooks, [Timer()])
record = HookCall("on_train_start", Timer(), 1_000, None)
state = manager.state_dict()

timer, saver = manager.registered(Timer(), Saver())  # E: a context manager, not the callbacks
manager.add_monitor(42)  # E: a monitor is a callable taking a HookCall
manager.add_monitor(by_epoch)  # E: a monitor takes a HookCall, not an int
record.duration_ns = 0  # E: a HookCall is frozen
manager.register(Timer(), weak="yes")  # E: weak is a bool
manager.load_state_dict(state, strict="no")  # E: strict is a bool
manager.load_entry_points(3)  # E: the entry-point group is a str
