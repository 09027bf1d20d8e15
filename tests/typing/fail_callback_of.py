"""Inside the library, a ``CallbackOf[Spec]`` value is any object: it has no hooks to call."""

from __future__ import annotations

from typing import Protocol

from protocall import CallbackManager, CallbackOf


class OnTrainStart(Protocol):
    def on_train_start(self, *, epochs: int) -> None: ...


class Trainer:
    def __init__(self, callback: CallbackOf[OnTrainStart]) -> None:
        callback.on_train_start(epochs=1)  # E: not the spec: hand it to the manager
        self.callbacks = CallbackManager(OnTrainStart, [callback])
        self.callbacks.call.on_train_start(epochs=1)


def first_callback(trainer: Trainer) -> OnTrainStart:
    return trainer.callbacks.register(3)  # E: register returns its argument's type, here an int
