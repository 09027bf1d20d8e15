"""The strongest checker-only stand-in for ``CallbackOf[Spec]``, measured: the union of the
per-hook Protocols. Every line that registration rejects is marked (at run time; a parameter
type, which the runtime cannot see, in the mypy plugin's check); what each checker misses, or
reports although registration accepts it, is recorded in test_typing_checkers.py (``LIMITS``
and ``KNOWN_GAPS``). ``CallbackOf`` itself (pass_callback_of.py) reports none of them
without the mypy plugin, and checks each as registration does with it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeAlias
from unittest.mock import Mock

from protocall import CallbackManager, Prioritized


class OnTrainStart(Protocol):
    def on_train_start(self, *, epochs: int) -> None: ...


class OnLog(Protocol):
    def on_log(self, message: str) -> None: ...


class OnCheckpoint(Protocol):
    async def on_checkpoint(self, *, path: str) -> None: ...


class OnTeardown(Protocol):
    def on_teardown(self) -> None:
        return None  # a default body: a subclass that does not override it does not implement it


class TrainHooks(OnTrainStart, OnLog, OnCheckpoint, OnTeardown, Protocol):
    """Every hook of the training loop."""


TrainCallback: TypeAlias = OnTrainStart | OnLog | OnCheckpoint | OnTeardown


class Trainer:
    def __init__(self, callbacks: Iterable[TrainCallback] = ()) -> None:
        self.callbacks = CallbackManager(TrainHooks, callbacks)


# -- callbacks that registration accepts ----------------------------------------------------------
class Timer(OnTrainStart, OnLog):
    def on_train_start(self, *, epochs: int) -> None: ...

    def on_log(self, message: str) -> None: ...


class DuckTyped:
    def on_train_start(self, *, epochs: int, seed: int = 0) -> None: ...


class OptedOut:
    on_log = None  # explicitly not implemented

    def on_train_start(self, *, epochs: int) -> None: ...


class Saver(OnCheckpoint):
    async def on_checkpoint(self, *, path: str) -> None: ...


class KeywordSubset:
    def on_train_start(self) -> None: ...  # takes none of the hook's keyword-only arguments


Trainer([Timer(), DuckTyped(), OptedOut(), Saver()])
Trainer([Prioritized(Timer(), 10)])  # accepted by registration, rejected by the union
Trainer([KeywordSubset()])  # an argument subset: accepted by registration, rejected by the union


# -- callbacks that registration rejects --------------------------------------------------------
class Unrelated:
    def save(self) -> None: ...


class Misspelled:
    def on_train_strat(self, *, epochs: int) -> None: ...


class WrongOnly:
    def on_log(self) -> None: ...  # a positional-or-keyword parameter cannot be left out


class RightAndWrong:
    def on_train_start(self, *, epochs: int) -> None: ...

    def on_log(self) -> None: ...


class WrongTypeOnly:
    def on_train_start(self, *, epochs: str) -> None: ...


class RightAndWrongType:
    def on_train_start(self, *, epochs: int) -> None: ...

    def on_log(self, message: bytes) -> None: ...


class AsyncForSync:
    async def on_train_start(self, *, epochs: int) -> None: ...


class SyncForAsync:
    def on_checkpoint(self, *, path: str) -> None: ...


class RenamedPositional:
    def on_log(self, text: str) -> None: ...


class NotCallable:
    on_train_start = 3


class NotCallableBesideRight:
    on_train_start = 3

    def on_log(self, message: str) -> None: ...


class InheritsDefaultOnly(OnTeardown):
    """Implements nothing: on_teardown comes from the Protocol."""


timer = Timer()
Trainer([3])  # E: not a callback
Trainer([Unrelated()])  # E: implements no hook
Trainer([Misspelled()])  # E: implements no hook (a misspelled one)
Trainer([WrongOnly()])  # E: its only hook cannot take the hook's arguments
Trainer([RightAndWrong()])  # E: one hook right, one that cannot take the hook's arguments
Trainer([WrongTypeOnly()])  # E: its only hook has a wrong parameter type (types: the plugin, not the runtime)
Trainer([RightAndWrongType()])  # E: one hook right, one with a wrong parameter type (the plugin)
Trainer([AsyncForSync()])  # E: async implementation of a sync hook
Trainer([SyncForAsync()])  # E: sync implementation of an async hook
Trainer([RenamedPositional()])  # E: a positional-or-keyword parameter renamed
Trainer([NotCallable()])  # E: a non-callable attribute named like a hook
Trainer([NotCallableBesideRight()])  # E: a non-callable attribute named like a hook, beside a right hook
Trainer([Timer])  # E: the class, not an instance
Trainer([InheritsDefaultOnly()])  # E: overrides nothing of a spec with default bodies
Trainer([Mock()])  # E: answers every name, implements nothing
Trainer([timer, timer])  # E: the same callback twice
