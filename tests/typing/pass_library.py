"""A library's side: a loop that owns a manager, generic helpers that forward hook calls."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

from typing_extensions import Concatenate, ParamSpec, assert_type

from protocall import CallbackManager

T = TypeVar("T")
P = ParamSpec("P")
R = TypeVar("R")


class OnStep(Protocol):
    def on_step(self, *, step: int, loss: float = 0.0) -> None: ...


class OnScore(Protocol):
    def on_score(self, *scores: float) -> float: ...


class LoopHooks(OnStep, OnScore, Protocol):
    """The loop's hooks."""


class Loop:
    """A library class that owns its manager, typed with its spec."""

    def __init__(self, callbacks: Iterable[object] = ()) -> None:
        self.callbacks: CallbackManager[LoopHooks] = CallbackManager(LoopHooks, callbacks)

    def run(self, steps: int) -> list[float]:
        scores: list[float] = []
        for step in range(steps):
            self.callbacks.call.on_step(step=step)
            self.callbacks.call.on_step(step=step, loss=0.5)
            scores.extend(self.callbacks.emit(LoopHooks.on_score, 1.0, 2.0))
        return scores


def fire(manager: CallbackManager[T], hook: Callable[Concatenate[T, P], R], *args: P.args, **kwargs: P.kwargs) -> list[R]:
    """A generic helper keeps the hook's signature and result type."""
    return manager.emit(hook, *args, **kwargs)


class Scorer(OnScore):
    def on_score(self, *scores: float) -> float:
        return sum(scores)


loop = Loop([Scorer()])
assert_type(loop.callbacks, CallbackManager[LoopHooks])
assert_type(loop.run(3), list[float])
assert_type(fire(loop.callbacks, LoopHooks.on_score, 1.0), list[float])
assert_type(fire(loop.callbacks, LoopHooks.on_step, step=1), list[None])
assert_type(loop.callbacks.emit(LoopHooks.on_score), list[float])
assert_type(loop.callbacks.first(LoopHooks.on_score, 1, 2, 3), float | None)
# Not loop.callbacks.call.on_score(...): a hook that returns a value is not a notification (see
# fail_call.py): call raises TypeError for it, and the plugin reports it.
