"""``async def`` hooks: ``call`` gives an awaitable of None, ``emit`` an awaitable of the list."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, Protocol

from typing_extensions import assert_type

from protocall import CallbackManager, hookspec


class OnCheckpoint(Protocol):
    async def on_checkpoint(self, *, path: str) -> None: ...


class OnSave(Protocol):
    @hookspec(concurrent=True)  # the decorator keeps the hook's type
    async def on_save(self, *, path: str, step: int) -> int: ...


class OnTrainStart(Protocol):
    def on_train_start(self, *, epochs: int) -> None: ...


class Hooks(OnCheckpoint, OnSave, OnTrainStart, Protocol):
    """Async and sync hooks together."""


class Saver(OnCheckpoint, OnSave):
    async def on_checkpoint(self, *, path: str) -> None: ...

    async def on_save(self, *, path: str, step: int) -> int:
        return step


manager = CallbackManager(Hooks, [Saver()])


async def main() -> None:
    await manager.call.on_checkpoint(path="ckpt")
    assert_type(await manager.call.on_checkpoint(path="ckpt"), None)
    manager.call.on_train_start(epochs=1)  # a sync hook in the same spec is not awaited

    pending = assert_type(manager.emit(Hooks.on_save, path="ckpt", step=3), Coroutine[Any, Any, list[int]])
    assert_type(await pending, list[int])
    assert_type(await manager.emit(Hooks.on_checkpoint, path="ckpt"), list[None])
    assert_type(await manager.emit(OnSave.on_save, path="ckpt", step=3), list[int])
    assert_type(manager.emit(Hooks.on_train_start, epochs=1), list[None])
    assert_type(await manager.first(Hooks.on_save, path="ckpt", step=3), int | None)
