"""``manager.call.<hook>`` is for notifications: a hook that returns a value is an error there.

The runtime raises ``TypeError`` when ``manager.call.<hook>`` is looked up for a hook declared
with a return type other than None (for ``async def``: other than None once awaited), because
``call`` would discard the results; ``emit`` returns them all, ``first`` the first that is not
None. A hook without a return annotation may be called.
"""

from __future__ import annotations

from typing import Any, Generic, Protocol, TypeVar, overload

from hooks import TrainHooks

from protocall import CallbackManager

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

manager = CallbackManager(TrainHooks)

manager.call.on_train_start()
manager.call.on_train_batch_end(loss=0.5, output=None)
manager.call.on_step(3)
manager.call.summary("run")  # E: protocall-call-result "TrainHooks\.summary" returns "str".*"emit\(TrainHooks\.summary, \.\.\.\)".*"first\(TrainHooks\.summary, \.\.\.\)"
manager.call.on_eval(1)  # E: protocall-call-result returns "float" once awaited # E: unused-coroutine
held = manager.call.summary  # E: protocall-call-result
on_start = manager.call.on_train_start  # holding a notification hook is fine
on_start()
results = manager.emit(TrainHooks.summary, "run")
first = manager.first("summary", "run")


async def evaluate() -> None:
    await manager.call.on_eval(1)  # E: protocall-call-result
    (
        manager  # reported where the hook is named
        .call
        .summary("x")  # E: protocall-call-result
    )


class Varied(Protocol[T_co]):
    def notify(self, value: int) -> None: ...
    async def notify_later(self) -> None: ...
    def unannotated(self, value: int): ...  # type: ignore[no-untyped-def]
    def anything(self) -> Any: ...
    def generic(self) -> T_co: ...
    def optional(self) -> int | None: ...
    @overload
    def overloaded(self, value: int) -> None: ...
    @overload
    def overloaded(self, value: str) -> str: ...


varied = CallbackManager(Varied[None])
varied.call.notify(1)
varied.call.notify_later().close()
varied.call.unannotated(1)  # no return annotation: allowed, as at run time
varied.call.anything()  # E: protocall-call-result returns "Any"
varied.call.generic()  # E: protocall-call-result returns "T_co"
varied.call.optional()  # E: protocall-call-result returns "int \| None"
varied.call.overloaded(1)  # E: protocall-call-result returns "str"


class Owner(Generic[T]):
    """A library holding its manager: the check follows the attribute's type."""

    def __init__(self, hooks: CallbackManager[TrainHooks]) -> None:
        self.hooks = hooks

    def run(self) -> None:
        self.hooks.call.on_train_start()
        self.hooks.call.summary("x")  # E: protocall-call-result


class TrainManager(CallbackManager[TrainHooks]):
    pass


TrainManager(TrainHooks).call.summary("x")  # E: protocall-call-result


def unchecked(m: CallbackManager[Any]) -> None:
    m.call.anything_at_all()  # an unchecked manager: any name, any result


def as_spec(hooks: TrainHooks) -> None:
    hooks.summary("x")  # a spec instance is not a manager's call: not followed
