"""A hook declared only through ``@overload``s (semantics 15): ``call`` checks each call against
the overloads; ``emit`` and ``first`` give the result of the overload the arguments select."""

from __future__ import annotations

from typing import Protocol, overload

from typing_extensions import assert_type

from protocall import CallbackManager


class OnLog(Protocol):
    @overload
    def on_log(self, message: str, /) -> None: ...
    @overload
    def on_log(self, *, code: int, detail: str = "") -> None: ...


class OnMeasure(Protocol):
    @overload
    def on_measure(self, *, value: int) -> int: ...
    @overload
    def on_measure(self, *, value: str) -> str: ...


class Hooks(OnLog, OnMeasure, Protocol):
    """A spec with overloaded hooks."""


class Logger:
    """An implementation accepts the calls of every overload."""

    def on_log(self, message: str = "", /, *, code: int = 0, detail: str = "") -> None: ...


manager = CallbackManager(Hooks, [Logger()])
manager.call.on_log("started")
manager.call.on_log(code=3)
manager.call.on_log(code=3, detail="disk full")
assert_type(manager.emit(Hooks.on_log, "started"), list[None])
assert_type(manager.emit(Hooks.on_log, code=3), list[None])
assert_type(manager.emit(Hooks.on_measure, value=1), list[int])
assert_type(manager.emit(Hooks.on_measure, value="s"), list[str])
assert_type(manager.first(Hooks.on_measure, value=1), int | None)
assert_type(manager.first(Hooks.on_measure, value="s"), str | None)
