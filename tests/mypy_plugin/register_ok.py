"""Callbacks that fit the spec: registering them is silent, and returns the callback's type."""

from __future__ import annotations

from typing import Any, TypeVar, assert_type

from hooks import OnEval, OnTrainBatchEnd, OnTrainStart, TrainHooks

from protocall import CallbackManager

manager = CallbackManager(TrainHooks)
assert_type(manager, CallbackManager[TrainHooks])


class Exact:
    """Duck-typed: the hook signatures, letter for letter."""

    def on_train_start(self) -> None:
        pass

    def on_train_batch_end(self, *, loss: float, output: object) -> None:
        pass

    def on_step(self, step: int, /, phase: str = "train") -> None:
        pass

    async def on_eval(self, epoch: int) -> float:
        return 0.0

    def summary(self, name: str) -> str:
        return name


class Looser:
    """Wider parameter types, a narrower return type, extra optional parameters."""

    def on_train_batch_end(self, *, loss: object, output: object, extra: int = 0) -> None:
        pass

    def on_step(self, renamed_positional_only: object, /, phase: str = "eval", *more: int) -> None:
        pass

    def summary(self, name: str, verbose: bool = False) -> str:
        return name


class KeywordSubset:
    """Declares only some keyword-only parameters of the hook: the runtime passes just those."""

    def on_train_batch_end(self, *, loss: float) -> None:
        pass


class NoKeywords:
    """Declares none of the hook's keyword-only parameters."""

    def on_train_batch_end(self) -> None:
        pass


class CatchAll:
    """``*args``/``**kwargs`` accept every call."""

    def on_train_batch_end(self, *args: object, **kwargs: object) -> None:
        pass

    def on_step(self, *args: Any, **kwargs: Any) -> None:
        pass


class Subclassed(OnTrainStart, OnTrainBatchEnd):
    """Subclasses hook Protocols and overrides one: the other is not implemented, no problem."""

    def on_train_start(self) -> None:
        pass


class OptsOut:
    """A hook set to None is not implemented; another one is."""

    on_train_start = None

    def summary(self, name: str) -> str:
        return name


class Inherited(Exact):
    """Hooks inherited from an ordinary (non-Protocol) base class count."""


class CallableObject:
    def __call__(self, name: str) -> str:
        return name


class WithCallableAttribute:
    summary = CallableObject()


assert_type(manager.register(Exact()), Exact)
assert_type(manager.register(Looser()), Looser)
manager.register(KeywordSubset())
manager.register(NoKeywords())
manager.register(CatchAll())
manager.register(Subclassed())
manager.register(OptsOut())
manager.register(Inherited())
manager.register(WithCallableAttribute())
assert_type(manager.register(Exact(), priority=3), Exact)
assert_type(manager.register(KeywordSubset(), priority=-1), KeywordSubset)


def typed_as_protocol(callback: OnEval) -> None:
    manager.register(callback)  # a value typed as a hook Protocol implements its hooks


def nothing_known(a: Any, o: object) -> None:
    manager.register(a)
    manager.register(o)


C = TypeVar("C")


def generic(callback: C) -> C:
    return manager.register(callback)


def either(callback: Exact | Looser) -> None:
    manager.register(callback)
