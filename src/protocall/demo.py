"""The seed scenario: a small training loop whose hooks are Protocols, with two callbacks.

Run it with ``python -m protocall demo``. Pure Python (no numpy, no torch): the "model" fits
``y = 3x + 1`` by gradient descent, and the loop calls its hooks through a CallbackManager.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from typing import Protocol

from protocall import CallbackManager

__all__ = ["IterationTimer", "LossLogger", "TrainHooks", "main", "train"]


# -- The library side: the loop declares its hooks as Protocols ------------------------------


class OnTrainStart(Protocol):
    def on_train_start(self, *, epochs: int) -> None: ...


class OnTrainBatchStart(Protocol):
    def on_train_batch_start(self, *, iteration: int) -> None: ...


class OnTrainBatchEnd(Protocol):
    def on_train_batch_end(self, *, iteration: int, loss: float) -> None: ...


class OnTrainEnd(Protocol):
    def on_train_end(self, *, final_loss: float) -> None: ...


class TrainHooks(OnTrainStart, OnTrainBatchStart, OnTrainBatchEnd, OnTrainEnd, Protocol):
    """Every hook the training loop calls."""


def train(
    callbacks: CallbackManager[TrainHooks], *, epochs: int = 3, batches: int = 4, seed: int = 0
) -> float:
    """Fit ``y = w*x + b`` to ``y = 3x + 1`` with plain SGD, calling the hooks as it goes."""
    rng = random.Random(seed)
    data: Sequence[tuple[float, float]] = [
        (x, 3.0 * x + 1.0) for x in (rng.uniform(-1.0, 1.0) for _ in range(64))
    ]
    w, b, rate = 0.0, 0.0, 0.3
    loss = float("inf")
    callbacks.call.on_train_start(epochs=epochs)
    iteration = 0
    for _ in range(epochs):
        for batch_index in range(batches):
            callbacks.call.on_train_batch_start(iteration=iteration)
            batch = data[batch_index::batches]
            errors = [(w * x + b - y, x) for x, y in batch]
            loss = sum(e * e for e, _ in errors) / len(errors)
            w -= rate * 2.0 * sum(e * x for e, x in errors) / len(errors)
            b -= rate * 2.0 * sum(e for e, _ in errors) / len(errors)
            callbacks.call.on_train_batch_end(iteration=iteration, loss=loss)
            iteration += 1
    callbacks.call.on_train_end(final_loss=loss)
    return loss


# -- The user side: callbacks implement the hooks they need -----------------------------------


class IterationTimer(OnTrainBatchStart, OnTrainBatchEnd):
    """Prints how long each iteration took."""

    def __init__(self) -> None:
        self._started = 0.0

    def on_train_batch_start(self, *, iteration: int) -> None:
        self._started = time.perf_counter()

    def on_train_batch_end(self, *, iteration: int, loss: float) -> None:
        elapsed_us = (time.perf_counter() - self._started) * 1e6
        print(f"  [IterationTimer] iteration {iteration:2d} took {elapsed_us:7.1f} µs")


class LossLogger:
    """Duck-typed (no Protocol base): registration still checks its methods against the spec."""

    def __init__(self) -> None:
        self.losses: list[float] = []

    def on_train_start(self, *, epochs: int) -> None:
        print(f"  [LossLogger] training for {epochs} epochs")

    def on_train_batch_end(self, *, iteration: int, loss: float) -> None:
        self.losses.append(loss)
        print(f"  [LossLogger]     iteration {iteration:2d} loss {loss:.5f}")

    def on_train_end(self, *, final_loss: float) -> None:
        print(f"  [LossLogger] done: final loss {final_loss:.5f} after {len(self.losses)} iterations")


def main() -> None:
    print("protocall demo: a training loop with hooks declared as Protocols\n")
    manager = CallbackManager(TrainHooks, [IterationTimer(), LossLogger()])
    print(f"registered: {manager!r}")
    for name in ("on_train_start", "on_train_batch_start", "on_train_batch_end", "on_train_end"):
        implementers = ", ".join(type(c).__name__ for c in manager.implementers(name)) or "-"
        print(f"  {name:<22} -> {implementers}")
    print()
    train(manager)
