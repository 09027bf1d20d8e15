"""Calls that no overload of an overloaded hook accepts are errors."""

from __future__ import annotations

from typing import Protocol, overload

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


manager = CallbackManager(Hooks)
manager.call.on_log(3)  # E: no overload takes an int positionally
manager.call.on_log("started", code=3)  # E: no overload takes both
manager.emit(Hooks.on_log, detail="x")  # E: the code is missing
manager.emit(Hooks.on_measure, value=1.5)  # E: no overload takes a float
wrong: list[str] = manager.emit(Hooks.on_measure, value=1)  # E: an int gives ints
