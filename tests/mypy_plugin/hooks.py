"""The specs the plugin cases use: hook Protocols, combined as a library would declare them."""

from __future__ import annotations

from typing import Protocol


class OnTrainStart(Protocol):
    def on_train_start(self) -> None:
        return None  # a default body: a subclass may leave the hook out (not abstract)


class OnTrainBatchEnd(Protocol):
    def on_train_batch_end(self, *, loss: float, output: object) -> None:
        return None


class OnStep(Protocol):
    def on_step(self, step: int, /, phase: str = "train") -> None: ...


class OnEval(Protocol):
    async def on_eval(self, epoch: int) -> float: ...


class Summary(Protocol):
    def summary(self, name: str) -> str: ...


class TrainHooks(OnTrainStart, OnTrainBatchEnd, OnStep, OnEval, Summary, Protocol):
    """Every hook the trainer calls."""
