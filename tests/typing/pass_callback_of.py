"""``CallbackOf[Spec]`` types a library's own callbacks parameter. Without the mypy plugin every
checker accepts any object there, as ``CallbackManager(Spec, ...)`` does: registration checks the
callbacks at run time (and the plugin statically). Even the wrong callbacks below pass here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol
from unittest.mock import Mock

from typing_extensions import assert_type

from protocall import CallbackManager, CallbackOf, Prioritized


class OnTrainStart(Protocol):
    def on_train_start(self, *, epochs: int) -> None: ...


class OnValidate(Protocol):
    def on_validate(self, *, iteration: int) -> float: ...


class TrainHooks(OnTrainStart, OnValidate, Protocol):
    """Every hook of the training loop."""


class Trainer:
    """A library's class that takes its users' callbacks."""

    def __init__(self, callbacks: Iterable[CallbackOf[TrainHooks]] = ()) -> None:
        self.callbacks = CallbackManager(TrainHooks, callbacks)

    def add(self, callback: CallbackOf[TrainHooks]) -> None:
        self.callbacks.register(callback)


class Timer(OnTrainStart):
    def on_train_start(self, *, epochs: int) -> None: ...


class DuckTyped:
    def on_validate(self, *, iteration: int) -> float:
        return 0.0


class WrongSignature:
    def on_train_start(self, *, epochs: str) -> None: ...


class Unrelated:
    def save(self) -> None: ...


trainer = Trainer([Timer(), DuckTyped(), Prioritized(Timer(), 10)])
assert_type(trainer.callbacks, CallbackManager[TrainHooks])
Trainer()
Trainer((Timer() for _ in range(3)))
trainer.add(DuckTyped())


def not_checked_statically() -> None:
    """Each of these raises RegistrationError at run time; the mypy plugin reports them."""
    Trainer([WrongSignature()])
    Trainer([Unrelated(), 3, "on_train_start", None, Mock()])
    trainer.add(Timer)
    trainer.add(WrongSignature())


def spec_alias_of(callback: CallbackOf[TrainHooks]) -> object:
    return callback  # an object to the library: hand it to the manager


as_parameter: CallbackOf[OnValidate] = 3
