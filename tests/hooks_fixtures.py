"""Spec Protocols and callbacks shared by the runtime tests.

The spec is a small training loop's hooks, split over several Protocols the way a library would
declare them, plus a hook that returns a value (for ``emit``) and an async spec.

No ``from __future__ import annotations`` here: the error messages show a hook's signature, and
the tests compare them with annotations as evaluated (``int``, not ``'int'``).
"""

from typing import Protocol

__all__ = [
    "AsyncHooks",
    "Hooks",
    "Log",
    "OnEnd",
    "OnFetch",
    "OnQuery",
    "OnStart",
    "OnStep",
    "Recorder",
    "StartOnly",
    "StepOnly",
]

Log = list[tuple[str, str, tuple[object, ...], dict[str, object]]]
"""(callback tag, hook name, positional arguments, keyword arguments), in call order."""


class OnStart(Protocol):
    def on_start(self) -> None: ...


class OnStep(Protocol):
    def on_step(self, step: int, *, loss: float) -> None: ...


class OnEnd(Protocol):
    def on_end(self, *, result: str) -> None: ...


class OnQuery(Protocol):
    def on_query(self, key: str) -> int: ...


class Hooks(OnStart, OnStep, OnEnd, OnQuery, Protocol):
    """Every hook of the test loop, declared across four Protocols."""


class OnFetch(Protocol):
    async def on_fetch(self, url: str) -> None: ...


class AsyncHooks(OnFetch, Protocol):
    async def on_parse(self, *, text: str) -> int: ...

    def on_close(self) -> None: ...


class Recorder:
    """Implements every hook of :class:`Hooks`, logging each call under its ``tag``."""

    def __init__(self, tag: str, log: Log, *, answer: int = 0) -> None:
        self.tag = tag
        self.log = log
        self.answer = answer

    def on_start(self) -> None:
        self.log.append((self.tag, "on_start", (), {}))

    def on_step(self, step: int, *, loss: float) -> None:
        self.log.append((self.tag, "on_step", (step,), {"loss": loss}))

    def on_end(self, *, result: str) -> None:
        self.log.append((self.tag, "on_end", (), {"result": result}))

    def on_query(self, key: str) -> int:
        self.log.append((self.tag, "on_query", (key,), {}))
        return self.answer


class StartOnly(OnStart):
    """Implements only ``on_start`` (subclassing its Protocol)."""

    def __init__(self, tag: str, log: Log) -> None:
        self.tag = tag
        self.log = log

    def on_start(self) -> None:
        self.log.append((self.tag, "on_start", (), {}))


class StepOnly:
    """Implements only ``on_step`` (duck-typed)."""

    def __init__(self, tag: str, log: Log) -> None:
        self.tag = tag
        self.log = log

    def on_step(self, step: int, *, loss: float) -> None:
        self.log.append((self.tag, "on_step", (step,), {"loss": loss}))
