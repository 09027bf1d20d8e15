"""Callbacks that every checker accepts: subclassing hook Protocols, or duck-typed."""

from __future__ import annotations

from typing import Protocol

from typing_extensions import assert_type

from protocall import CallbackManager


class OnTrainStart(Protocol):
    def on_train_start(self, *, epochs: int) -> None: ...


class OnTrainBatchEnd(Protocol):
    def on_train_batch_end(self, *, iteration: int, loss: float) -> None: ...


class OnValidate(Protocol):
    def on_validate(self, *, iteration: int) -> float: ...


class OnLog(Protocol):
    def on_log(self, message: str, /) -> None: ...


class OnCheckpoint(Protocol):
    async def on_checkpoint(self, *, path: str) -> None: ...


class TrainHooks(OnTrainStart, OnTrainBatchEnd, OnValidate, OnLog, OnCheckpoint, Protocol):
    """Every hook of the training loop."""


class Exact(OnTrainStart, OnTrainBatchEnd):
    def on_train_start(self, *, epochs: int) -> None: ...

    def on_train_batch_end(self, *, iteration: int, loss: float) -> None: ...


class Wider(OnTrainBatchEnd, OnValidate, OnLog):
    """Overrides may accept more than the hook passes, and return something narrower."""

    def on_train_batch_end(self, *, iteration: int, loss: object, extra: int = 0) -> None: ...

    def on_validate(self, **kwargs: object) -> int:  # int is acceptable where float is expected
        return 1

    def on_log(self, text: str, /, *args: object) -> None: ...  # positional-only: any name


class Async(OnCheckpoint):
    async def on_checkpoint(self, *, path: str) -> None: ...


class Stateful(OnTrainStart):
    """A callback has its own state and helpers besides the hooks."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.epochs = 0

    def on_train_start(self, *, epochs: int) -> None:
        self.epochs = epochs

    def describe(self) -> str:
        return f"{self.name}: {self.epochs}"


class DuckTyped:
    """No Protocol base: the manager validates it when it is registered."""

    def on_train_start(self, *, epochs: int) -> None: ...

    def on_log(self, message: str, /) -> None: ...


def takes_hook(callback: OnTrainStart) -> None:
    """Both kinds of callback satisfy the hook Protocol structurally."""


takes_hook(Exact())
takes_hook(Stateful("s"))
takes_hook(DuckTyped())

manager = CallbackManager(TrainHooks, [Exact(), Wider(), Async(), DuckTyped()])
stateful = manager.register(Stateful("timer"))
assert_type(stateful, Stateful)
assert_type(stateful.describe(), str)
assert_type(manager.register(DuckTyped()), DuckTyped)


class WrongDuck:
    """Wrong for the spec (``epochs: str``), yet no checker sees it without the mypy plugin:
    the constructor and ``register`` take any object. Registration rejects it at run time."""

    def on_train_start(self, *, epochs: str) -> None: ...


def not_checked_statically() -> None:
    CallbackManager(TrainHooks, [WrongDuck()])  # raises RegistrationError; the plugin reports it
    manager.register(WrongDuck())  # likewise
