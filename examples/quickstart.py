"""The README's quickstart as one runnable program: a spec, two callbacks, a manager.

Run: python examples/quickstart.py
"""

from __future__ import annotations

import time
from typing import Protocol

from protocall import CallbackManager


class OnTrainStart(Protocol):
    def on_train_start(self, *, epochs: int) -> None: ...


class OnTrainBatchEnd(Protocol):
    def on_train_batch_end(self, *, iteration: int, loss: float) -> None: ...


class TrainHooks(OnTrainStart, OnTrainBatchEnd, Protocol):
    """Every hook the training loop calls."""


def train(callbacks: CallbackManager[TrainHooks]) -> None:
    callbacks.call.on_train_start(epochs=3)
    for iteration in range(12):
        loss = 1.0 / (iteration + 1)
        callbacks.call.on_train_batch_end(iteration=iteration, loss=loss)


class IterationTimer(OnTrainBatchEnd):
    def __init__(self) -> None:
        self.last = time.perf_counter()

    def on_train_batch_end(self, *, iteration: int, loss: float) -> None:
        now = time.perf_counter()
        print(f"iteration {iteration} took {(now - self.last) * 1e6:.0f} µs")
        self.last = now


class LossLogger:  # duck-typed: no base class needed
    def on_train_start(self, *, epochs: int) -> None:
        print(f"training for {epochs} epochs")

    def on_train_batch_end(self, *, iteration: int, loss: float) -> None:
        print(f"loss {loss:.4f}")


if __name__ == "__main__":
    callbacks = CallbackManager(TrainHooks, [IterationTimer(), LossLogger()])
    train(callbacks)
