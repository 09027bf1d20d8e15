"""A callback that subclasses hook Protocols must match their signatures."""

from __future__ import annotations

from typing import Protocol


class OnTrainStart(Protocol):
    def on_train_start(self, *, epochs: int) -> None: ...


class OnTrainBatchEnd(Protocol):
    def on_train_batch_end(self, *, iteration: int, loss: float) -> None: ...


class OnValidate(Protocol):
    def on_validate(self, *, iteration: int) -> float: ...


class OnLog(Protocol):
    def on_log(self, message: str) -> None: ...  # positional-or-keyword: callers may use the name


class OnCheckpoint(Protocol):
    async def on_checkpoint(self, *, path: str) -> None: ...


class WrongType(OnTrainBatchEnd):
    def on_train_batch_end(self, *, iteration: str, loss: float) -> None: ...  # E: parameter type changed


class RenamedKeyword(OnTrainBatchEnd):
    def on_train_batch_end(self, *, step: int, loss: float) -> None: ...  # E: keyword-only parameter renamed


class RenamedPositional(OnLog):
    def on_log(self, text: str) -> None: ...  # E: positional-or-keyword parameter renamed


class MissingParameter(OnTrainBatchEnd):
    def on_train_batch_end(self, *, iteration: int) -> None: ...  # E: parameter missing


class ExtraRequired(OnTrainStart):
    def on_train_start(self, *, epochs: int, seed: int) -> None: ...  # E: extra required parameter


class PositionalOnly(OnTrainStart):
    def on_train_start(self, epochs: int, /) -> None: ...  # E: keyword parameter made positional-only


class WrongReturn(OnValidate):
    def on_validate(self, *, iteration: int) -> str: ...  # E: return type


class AsyncForSync(OnTrainStart):
    async def on_train_start(self, *, epochs: int) -> None: ...  # E: async implementation of a sync hook


class SyncForAsync(OnCheckpoint):
    def on_checkpoint(self, *, path: str) -> None: ...  # E: sync implementation of an async hook


class NotAMethod(OnTrainStart):
    on_train_start = 3  # E: not callable


class Misspelled(OnTrainStart):
    def on_train_strat(self, *, epochs: int) -> None: ...


Misspelled()  # E: the hook it subclasses is not implemented (abstract)


class DuckTyped:
    """No Protocol base: checkers only see it where it meets a hook Protocol's type."""

    def on_train_start(self, *, epochs: str) -> None: ...


checked: OnTrainStart = DuckTyped()  # E: a structural check against the hook Protocol
