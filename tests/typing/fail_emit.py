"""``manager.emit(Spec.hook, ...)`` checks the hook and its arguments; results are typed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from typing_extensions import Concatenate, ParamSpec

from protocall import CallbackManager

T = TypeVar("T")
P = ParamSpec("P")
R = TypeVar("R")


class OnTrainStart(Protocol):
    def on_train_start(self, *, epochs: int) -> None: ...


class OnValidate(Protocol):
    def on_validate(self, *, iteration: int) -> float: ...


class OnSave(Protocol):
    async def on_save(self, *, path: str) -> int: ...


class TrainHooks(OnTrainStart, OnValidate, OnSave, Protocol):
    """Every hook of the training loop."""


class OnRequest(Protocol):
    def on_request(self, *, url: str) -> None: ...


class CrawlHooks(OnRequest, Protocol):
    """Another library's hooks."""


def not_a_hook(callbacks: CrawlHooks) -> None: ...


manager = CallbackManager(TrainHooks)

manager.emit(CrawlHooks.on_request, url="x")  # E: a method of another spec
manager.emit(OnRequest.on_request, url="x")  # E: a method of another spec's base
manager.emit(not_a_hook)  # E: a function over another spec
manager.emit(TrainHooks.on_validate, iteration="1")  # E: wrong argument type
manager.emit(TrainHooks.on_validate, 1)  # E: keyword-only parameter passed positionally
manager.emit(TrainHooks.on_validate)  # E: missing argument
manager.emit(TrainHooks.on_validate, iteration=1, extra=2)  # E: unexpected keyword
manager.emit(TrainHooks.on_validate, hook=1)  # E: unexpected keyword
manager.emit(42)  # E: neither a spec method nor a name
wrong: list[str] = manager.emit(TrainHooks.on_validate, iteration=1)  # E: the results are floats
manager.emit(TrainHooks.on_validate, iteration=1).append("x")  # E: the results are floats
manager.implementers(42)  # E: neither a spec method nor a name


async def main() -> None:
    saved: list[str] = await manager.emit(TrainHooks.on_save, path="p")  # E: the results are ints
    not_awaited: list[int] = manager.emit(TrainHooks.on_save, path="p")  # E: an awaitable, not the list
    print(saved, not_awaited)
    await manager.emit("on_save", path="p")  # E: by name the result is list[Any] without the plugin: emit(Spec.on_save) for async hooks


def fire(manager: CallbackManager[T], hook: Callable[Concatenate[T, P], R], *args: P.args, **kwargs: P.kwargs) -> list[R]:
    return manager.emit(hook, *args, **kwargs)


fire(manager, TrainHooks.on_validate, iteration="1")  # E: a generic helper keeps the hook's signature
fire(manager, CrawlHooks.on_request, url="x")  # E: a method of another spec
