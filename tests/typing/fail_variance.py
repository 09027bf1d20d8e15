"""What covariance does not allow: a manager of a base spec is not one of an extended spec,
and ``call`` cannot be replaced."""

from __future__ import annotations

from typing import Protocol

from protocall import CallbackManager


class OnTrainStart(Protocol):
    def on_train_start(self, *, epochs: int) -> None: ...


class TrainHooks(OnTrainStart, Protocol):
    """The hooks a training library calls."""


class OnExport(Protocol):
    def on_export(self, *, path: str) -> None: ...


class MoreHooks(TrainHooks, OnExport, Protocol):
    """An application's spec: the library's hooks and its own."""


def export(callbacks: CallbackManager[MoreHooks]) -> None:
    callbacks.call.on_export(path="out")


base = CallbackManager(TrainHooks, [])
more = CallbackManager(MoreHooks, [])
export(base)  # E: the manager of the base spec has no on_export
narrow: CallbackManager[MoreHooks] = base  # E: not contravariant


def train(callbacks: CallbackManager[TrainHooks]) -> None:
    callbacks.call.on_export(path="out")  # E: through the base spec's type, only its hooks
    callbacks.emit(MoreHooks.on_export, path="out")  # E: a hook of the extended spec on the base spec's manager


train(more)
more.call = base.call  # E: call is read-only
del more.call  # E: call is read-only
