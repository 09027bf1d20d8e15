"""A library that takes its users' callbacks as ``CallbackOf[Spec]`` parameters (see
``callback_of.py``, the user's module). Inside the library they are plain objects, handed to the
manager, which does not check them again."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Generic, Optional, TypeAlias, TypeVar

from hooks import TrainHooks

from protocall import CallbackManager, CallbackOf

H = TypeVar("H")

Callbacks: TypeAlias = Iterable[CallbackOf[TrainHooks]]
"""A library's own alias for its parameter type."""


class Trainer:
    def __init__(self, callbacks: Iterable[CallbackOf[TrainHooks]] = ()) -> None:
        self.hooks = CallbackManager(TrainHooks, callbacks)

    def add(self, callback: CallbackOf[TrainHooks], *, priority: int = 0) -> None:
        self.hooks.register(callback, priority=priority)

    def add_all(self, *callbacks: CallbackOf[TrainHooks]) -> None:
        for callback in callbacks:
            self.hooks.register(callback)

    def replace(self, callbacks: Sequence[CallbackOf[TrainHooks]]) -> None:
        self.hooks = CallbackManager(TrainHooks, callbacks)

    def maybe(self, callback: CallbackOf[TrainHooks] | None = None) -> None:
        if callback is not None:
            self.hooks.register(callback)


class SubTrainer(Trainer):
    """Inherits the methods: called on the subclass, they are checked the same."""


def train(
    epochs: int,
    callbacks: list[CallbackOf[TrainHooks]] | None = None,
    extra: Optional[CallbackOf[TrainHooks]] = None,
) -> CallbackManager[TrainHooks]:
    manager = CallbackManager(TrainHooks, callbacks or [])
    if extra is not None:
        manager.register(extra)
    return manager


def train_aliased(callbacks: Callbacks = ()) -> None:
    CallbackManager(TrainHooks, callbacks)


def anything(callback: object, more: Iterable[object] = ()) -> None:
    """Parameters that are not CallbackOf: never checked."""


class Loop(Generic[H]):
    """A library generic in its spec: the spec is the class's type argument at the call."""

    def __init__(self, spec: Callable[..., H]) -> None:
        self.spec = spec

    def add(self, callback: CallbackOf[H]) -> None:
        pass


def generic_spec(spec: Callable[..., H], callback: CallbackOf[H]) -> None:
    """A spec only known as a type variable: nothing to check against."""
