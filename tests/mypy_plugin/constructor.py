"""The constructor's list (or tuple) literal: each item is checked like ``register(item)``."""

from __future__ import annotations

from typing import assert_type

from hooks import TrainHooks

from protocall import CallbackManager


class Timer:
    def on_train_start(self) -> None:
        pass


class Renamed:
    def summary(self, title: str) -> str:
        return title


class AsyncStart:
    async def on_train_start(self) -> None:
        pass


class Nothing:
    pass


good = CallbackManager(TrainHooks, [Timer(), Timer()])
assert_type(good, CallbackManager[TrainHooks])

bad = CallbackManager(
    TrainHooks,
    [
        Timer(),
        Renamed(),  # E: protocall-signature "Renamed\.summary"
        AsyncStart(),  # E: protocall-async
        Nothing(),  # E: protocall-no-hook "Nothing"
        Timer,  # E: protocall-not-instance
    ],
)
assert_type(bad, CallbackManager[TrainHooks])

as_tuple = CallbackManager(TrainHooks, (Timer(), Nothing()))  # E: protocall-no-hook
by_keyword = CallbackManager(TrainHooks, callbacks=[Nothing()])  # E: protocall-no-hook

prepared = [Timer(), Nothing()]
not_a_literal = CallbackManager(TrainHooks, prepared)  # only literals are checked item by item


class TrainManager(CallbackManager[TrainHooks]):
    """A subclass of the manager is checked the same way."""


sub = TrainManager(TrainHooks, [Nothing()])  # E: protocall-no-hook
sub.register(Renamed())  # E: protocall-signature
