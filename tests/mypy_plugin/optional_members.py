"""Members typed ``X | None``: None at run time opts out of the hook, so only ``X`` is compared.

The runtime treats a member whose value is None as "does not implement the hook"; statically an
``Optional`` member may be either, so the ``None`` of the union is never the reason for an error.
The part that is not None must fit the hook like any other implementation.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Optional, Protocol, TypeAlias

from hooks import TrainHooks

from protocall import CallbackManager, Prioritized

manager = CallbackManager(TrainHooks)

StepHook: TypeAlias = Callable[..., None]


class CallSummary(Protocol):
    def __call__(self, name: str) -> str: ...


class ClassLevelNone:
    """Declared on the class, None there; an instance may set it."""

    on_train_start: Callable[..., None] | None = None
    on_train_batch_end: Optional[Callable[..., None]] = None
    on_step: StepHook | None = None
    on_eval: Callable[..., Coroutine[Any, Any, float]] | None = None
    summary: CallSummary | None = None


class InstanceLevel:
    """Annotated on the class, set per instance: None or a bound method."""

    on_train_batch_end: Callable[..., None] | None

    def __init__(self, *, log: bool) -> None:
        self.on_train_batch_end = self._log if log else None
        self.summary: Callable[..., str] | None = None

    def _log(self, *, loss: float, output: object) -> None:
        pass


class OnlyOptional:
    """Every hook member may be None: it may implement nothing, but it may implement one."""

    def __init__(self, hook: Callable[..., None] | None = None) -> None:
        self.on_train_start = hook


manager.register(ClassLevelNone())
manager.register(InstanceLevel(log=True))
manager.register(OnlyOptional())
CallbackManager(TrainHooks, [ClassLevelNone(), Prioritized(InstanceLevel(log=False), 1)])


class WrongWhenSet:
    """The part that is not None does not fit: reported, naming that part only."""

    summary: Callable[..., int] | None = None
    on_train_start: int | None = None


class WrongAsync:
    on_eval: Callable[..., float] | None = None


manager.register(WrongWhenSet())  # E: protocall-signature "WrongWhenSet\.summary".*returns "int" # E: protocall-signature "WrongWhenSet\.on_train_start".*not callable \(it is "int"\)
manager.register(WrongAsync())  # E: protocall-signature "WrongAsync\.on_eval".*returns "float"
CallbackManager(TrainHooks, [WrongAsync()])  # E: protocall-signature
