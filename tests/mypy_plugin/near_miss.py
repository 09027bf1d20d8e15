"""Methods named almost like a hook (``on_train_bach_end``): never called, so reported.

A callback that implements other hooks gets a ``protocall-near-miss`` error per misspelt method
(the runtime warns, with ``HookNameWarning``, by the same rule); a callback that implements no
hook gets the ``protocall-no-hook`` error, which names its misspellings itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from hooks import OnTrainStart, TrainHooks

from protocall import CallbackManager, Prioritized

manager = CallbackManager(TrainHooks)


class Typo:
    def on_train_start(self) -> None:
        pass

    def on_train_bach_end(self, *, loss: float, output: object) -> None:
        pass


class TwoTypos:
    def on_train_start(self) -> None:
        pass

    def sumary(self, name: str) -> str:
        return name

    def on_train_bach_end(self, *, loss: float, output: object) -> None:
        pass


class TypoOfAnImplementedHook:
    """``on_train_strt`` is close to ``on_train_start``, which the class implements: no error."""

    def on_train_start(self) -> None:
        pass

    def on_train_strt(self) -> None:
        pass


class Unrelated:
    """Public methods far from every hook name, and private or dunder ones, are fine."""

    def on_train_start(self) -> None:
        pass

    def reset(self) -> None:
        pass

    def _on_train_bach_end(self) -> None:
        pass


class NotAMethod:
    """Runtime and plugin alike only look at methods: data and properties are not typos."""

    on_train_bach_end: ClassVar[int] = 3

    def on_train_start(self) -> None:
        pass

    @property
    def sumary(self) -> str:
        return ""


class CallableAttribute:
    on_train_bach_end: ClassVar[Callable[[], None]] = staticmethod(lambda: None)

    def on_train_start(self) -> None:
        pass


class Base:
    def on_train_bach_end(self, *, loss: float, output: object) -> None:
        pass


class InheritedTypo(Base):
    def on_train_start(self) -> None:
        pass


class FromProtocol(OnTrainStart):
    """A hook Protocol's own methods never count, so they are never typos either."""

    def on_train_start(self) -> None:
        pass


manager.register(Typo())  # E: protocall-near-miss "Typo\.on_train_bach_end" looks like a misspelling of the hook "TrainHooks\.on_train_batch_end".*rename it to "on_train_batch_end"
manager.register(TwoTypos())  # E: protocall-near-miss "TwoTypos\.on_train_bach_end" # E: protocall-near-miss "TwoTypos\.sumary".*"TrainHooks\.summary"
manager.register(TypoOfAnImplementedHook())
manager.register(Unrelated())
manager.register(NotAMethod())
manager.register(CallableAttribute())  # E: protocall-near-miss "CallableAttribute\.on_train_bach_end"
manager.register(InheritedTypo())  # E: protocall-near-miss "InheritedTypo\.on_train_bach_end"
manager.register(FromProtocol())
manager.register(Typo(), priority=1)  # E: protocall-near-miss
with_typo = CallbackManager(TrainHooks, [Typo(), Prioritized(InheritedTypo(), 2)])  # E: protocall-near-miss "Typo\.on_train_bach_end" # E: protocall-near-miss "InheritedTypo\.on_train_bach_end"
manager.register(Typo())  # type: ignore[protocall-near-miss]
