"""``manager.call`` is the spec: wrong hook names and wrong arguments are errors."""

from __future__ import annotations

from typing import Protocol

from protocall import CallbackManager, hookspec


class OnTrainStart(Protocol):
    def on_train_start(self, *, epochs: int) -> None: ...


class OnTrainBatchEnd(Protocol):
    def on_train_batch_end(self, *, iteration: int, loss: float) -> None: ...


class OnLog(Protocol):
    def on_log(self, message: str, /) -> None: ...


class OnCheckpoint(Protocol):
    async def on_checkpoint(self, *, path: str) -> None: ...


class OnValidate(Protocol):
    def on_validate(self, *, iteration: int) -> float: ...


class OnSave(Protocol):
    async def on_save(self, *, path: str) -> int: ...


class TrainHooks(OnTrainStart, OnTrainBatchEnd, OnLog, OnCheckpoint, OnValidate, OnSave, Protocol):
    """Every hook of the training loop."""


manager = CallbackManager(TrainHooks)

manager.call.on_train_strat(epochs=1)  # E: misspelled hook name
manager.call.on_request(url="x")  # E: a hook of another spec
manager.call.on_train_start(epochs="3")  # E: wrong argument type
manager.call.on_train_start(3)  # E: keyword-only parameter passed positionally
manager.call.on_train_start(epoch=3)  # E: wrong keyword
manager.call.on_train_start()  # E: missing argument
manager.call.on_train_start(epochs=3, extra=1)  # E: unexpected keyword
manager.call.on_train_batch_end(iteration=1, loss="high")  # E: wrong argument type
manager.call.on_log(message="hi")  # E: positional-only parameter passed by keyword
manager.call.on_log("hi", "there")  # E: too many positional arguments
manager.call.on_log(1)  # E: wrong positional argument type
result: int = manager.call.on_train_start(epochs=3)  # E: a call hook returns None
manager.call = manager.call  # E: call is read-only
manager.call.on_validate(iteration=1)  # E: a hook that returns a value: TypeError at run time (semantics 10), use emit or first
score: float = manager.call.on_validate(iteration=1)  # E: likewise, and call returns None, not the value


async def main() -> None:
    await manager.call.on_train_start(epochs=3)  # E: a sync hook is not awaitable
    await manager.call.on_checkpoint(path=1)  # E: wrong argument type of an async hook
    manager.call.on_checkpoint(path="x")  # E: an async hook's awaitable not awaited
    await manager.call.on_save(path="x")  # E: an async hook whose awaited value is not None: TypeError at run time


class OnTeardown(Protocol):
    @hookspec(reverse=True)
    def on_teardown(self, *, code: int) -> None: ...


CallbackManager(OnTeardown).call.on_teardown(code="0")  # E: a decorated hook keeps its signature
