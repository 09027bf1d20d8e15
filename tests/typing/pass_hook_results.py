"""``emit`` and ``first`` of hooks whose results are ``Any``, generic or ``Self``: a list of them
(the first of them), never an awaitable, as for any sync hook."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, Protocol, TypeVar

from typing_extensions import Self, assert_type

from protocall import CallbackManager

X = TypeVar("X")


class OnLoad(Protocol):
    def on_load(self, *, key: str) -> Any: ...  # e.g. a library's untyped state


class OnTransform(Protocol):
    def on_transform(self, *, value: X) -> X: ...  # a generic method


class OnClone(Protocol):
    def on_clone(self) -> Self: ...


class OnFetch(Protocol):
    async def on_fetch(self, *, url: str) -> Any: ...


class Hooks(OnLoad, OnTransform, OnClone, OnFetch, Protocol):
    """Hooks with unusual result types."""


manager = CallbackManager(Hooks)
loaded: list[Any] = manager.emit(Hooks.on_load, key="k")  # not a coroutine: no await needed
assert_type(manager.emit(Hooks.on_load, key="k"), list[Any])
assert_type(manager.first(Hooks.on_load, key="k"), Any)
assert_type(manager.emit(Hooks.on_transform, value=1), list[int])
assert_type(manager.first(Hooks.on_transform, value="s"), str | None)
assert_type(manager.emit(Hooks.on_clone), list[Hooks])
assert_type(manager.first(Hooks.on_clone), Hooks | None)
assert_type(manager.emit(OnLoad.on_load, key="k"), list[Any])


async def main() -> None:
    fetching = assert_type(manager.emit(Hooks.on_fetch, url="u"), Coroutine[Any, Any, list[Any]])
    assert_type(await fetching, list[Any])
    assert_type(await manager.first(Hooks.on_fetch, url="u"), Any | None)
