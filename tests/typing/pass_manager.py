"""The typed API at the user's call site: every public result type, checked with assert_type."""

from __future__ import annotations

from typing import Any, Protocol

from typing_extensions import assert_type

from protocall import CallbackManager, Prioritized


class OnTrainStart(Protocol):
    def on_train_start(self, *, epochs: int) -> None: ...


class OnTrainBatchEnd(Protocol):
    def on_train_batch_end(self, *, iteration: int, loss: float) -> None: ...


class OnValidate(Protocol):
    def on_validate(self, *, iteration: int) -> float: ...


class OnLog(Protocol):
    def on_log(self, message: str, /, *, level: int = 0) -> str: ...


class TrainHooks(OnTrainStart, OnTrainBatchEnd, OnValidate, OnLog, Protocol):
    """Every hook of the training loop."""


class Timer(OnTrainStart, OnTrainBatchEnd):
    """Subclasses the hook Protocols it implements."""

    def on_train_start(self, *, epochs: int) -> None: ...

    def on_train_batch_end(self, *, iteration: int, loss: float) -> None: ...


class Validator:
    """Duck-typed: no Protocol base."""

    def on_validate(self, *, iteration: int) -> float:
        return 0.5


# -- construction: the spec Protocol is inferred --------------------------------------------
manager = CallbackManager(TrainHooks, [Timer(), Validator()])
assert_type(manager, CallbackManager[TrainHooks])
assert_type(CallbackManager(TrainHooks), CallbackManager[TrainHooks])
assert_type(CallbackManager(TrainHooks, (Timer() for _ in range(2))), CallbackManager[TrainHooks])
assert_type(CallbackManager(OnValidate, callbacks=[Validator()]), CallbackManager[OnValidate])
annotated: CallbackManager[TrainHooks] = CallbackManager(TrainHooks, [])
prioritized = CallbackManager(TrainHooks, [Prioritized(Timer(), 10), Validator()], errors="collect")
assert_type(prioritized, CallbackManager[TrainHooks])
unchecked = CallbackManager(None, [Timer()])
assert_type(unchecked, CallbackManager[Any])
assert_type(CallbackManager(None), CallbackManager[Any])

# -- call: typed as the spec, for the hooks that return None (fail_call.py: the others) ----------
assert_type(manager.call, TrainHooks)
assert_type(manager.call.on_train_start(epochs=3), None)
assert_type(manager.call.on_train_batch_end(iteration=1, loss=0.5), None)
manager.call.on_train_batch_end(loss=1, iteration=2)  # keyword order is free; int is a float
assert_type(unchecked.call, Any)
unchecked.call.on_anything(1, two=2)

# -- emit: a spec method gives list[R] --------------------------------------------------------
assert_type(manager.emit(TrainHooks.on_validate, iteration=1), list[float])
assert_type(manager.emit(TrainHooks.on_train_start, epochs=1), list[None])
assert_type(manager.emit(TrainHooks.on_log, "hi"), list[str])
assert_type(manager.emit(TrainHooks.on_log, "hi", level=1), list[str])
assert_type(manager.emit(OnValidate.on_validate, iteration=1), list[float])  # a base Protocol's method
assert_type(manager.emit("on_validate", iteration=1), list[Any])  # by name: Any without the plugin
manager.emit("on_no_such_hook")  # a name is not checked without the plugin (it raises at run time)
assert_type(unchecked.emit("on_anything", 1, two=2), list[Any])

# -- first: the first implementer's result, or None ----------------------------------------------
assert_type(manager.first(TrainHooks.on_validate, iteration=1), float | None)
assert_type(manager.first(TrainHooks.on_log, "hi"), str | None)
assert_type(manager.first("on_validate", iteration=1), Any)

# -- registration and introspection -----------------------------------------------------------
timer = manager.register(Timer())
assert_type(timer, Timer)
assert_type(manager.register(Validator()), Validator)
assert_type(manager.register(Validator(), priority=-5), Validator)
manager.unregister(timer)
assert_type(manager.unregister(timer), None)
assert_type(manager.callbacks, tuple[object, ...])
assert_type(manager.implementers(TrainHooks.on_validate), tuple[object, ...])
assert_type(manager.implementers("on_validate"), tuple[object, ...])
assert_type(manager.hooks_of(timer), frozenset[str])
assert_type(len(manager), int)
assert_type(timer in manager, bool)


def run_loop(callbacks: CallbackManager[TrainHooks]) -> list[float]:
    """A library function takes the manager of its spec."""
    callbacks.call.on_train_start(epochs=1)
    return callbacks.emit(TrainHooks.on_validate, iteration=0)


assert_type(run_loop(manager), list[float])
