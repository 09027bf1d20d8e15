"""``CallbackManager[T]`` is covariant (semantics 14): a manager of an extended spec goes wherever
the manager of the spec it extends is expected. ``call`` is read-only, so nothing can put a
narrower spec's caller into a wider spec's manager (fail_variance.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from typing_extensions import assert_type

from protocall import CallbackManager


class OnTrainStart(Protocol):
    def on_train_start(self, *, epochs: int) -> None: ...


class OnValidate(Protocol):
    def on_validate(self, *, iteration: int) -> float: ...


class TrainHooks(OnTrainStart, OnValidate, Protocol):
    """The hooks a training library calls."""


class OnExport(Protocol):
    def on_export(self, *, path: str) -> None: ...


class MoreHooks(TrainHooks, OnExport, Protocol):
    """An application's spec: the library's hooks and its own."""


def train(callbacks: CallbackManager[TrainHooks]) -> list[float]:
    """The library takes the manager of its spec..."""
    callbacks.call.on_train_start(epochs=1)
    return callbacks.emit(TrainHooks.on_validate, iteration=0)


def as_train(callbacks: CallbackManager[TrainHooks]) -> CallbackManager[TrainHooks]:
    return callbacks


def run_all(managers: Sequence[CallbackManager[TrainHooks]]) -> None:
    for manager in managers:
        train(manager)


more = CallbackManager(MoreHooks, [])
assert_type(more, CallbackManager[MoreHooks])
assert_type(train(more), list[float])  # ...and gets the manager of an extended spec
wider: CallbackManager[TrainHooks] = more
run_all([more, CallbackManager(TrainHooks)])
assert_type(more.call, MoreHooks)
more.call.on_export(path="out")
assert_type(more.emit(TrainHooks.on_validate, iteration=1), list[float])  # the base spec's method
assert_type(more.emit(OnExport.on_export, path="out"), list[None])
assert_type(more.first(MoreHooks.on_validate, iteration=1), float | None)
smallest: CallbackManager[OnTrainStart] = more  # any Protocol the spec extends
unchecked: CallbackManager[TrainHooks] = CallbackManager(None)  # CallbackManager[Any]
hooks_only: CallbackManager[object] = more
assert_type(as_train(more).call, TrainHooks)
as_train(more).call.on_train_start(epochs=2)
