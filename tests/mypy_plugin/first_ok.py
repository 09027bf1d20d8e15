"""``first("name", ...)`` with a literal name is typed like ``first(Spec.name, ...)``: R | None."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, Final, Literal, assert_type

from hooks import TrainHooks

from protocall import CallbackManager

manager = CallbackManager(TrainHooks)

assert_type(manager.first("on_train_start"), None)
assert_type(manager.first("on_train_batch_end", loss=0.5, output=None), None)
assert_type(manager.first("on_step", 3, phase="eval"), None)
assert_type(manager.first("summary", "run"), str | None)
assert_type(manager.first("summary", name="run"), str | None)
assert_type(manager.first(TrainHooks.summary, "run"), str | None)  # the overload, untouched
pending = manager.first("on_eval", 1)
_ = assert_type(pending, Coroutine[Any, Any, float | None])
pending.close()


async def evaluate() -> float | None:
    return await manager.first("on_eval", epoch=1)


HOOK: Final = "summary"
assert_type(manager.first(HOOK, "run"), str | None)


def by_literal(name: Literal["summary"]) -> None:
    assert_type(manager.first(name, "run"), str | None)


def by_str(name: str) -> None:
    assert_type(manager.first(name, "anything", goes=1), Any)  # not a literal: unchanged


def forwarded(*args: Any, **kwargs: Any) -> None:
    assert_type(manager.first("summary", *args, **kwargs), str | None)

