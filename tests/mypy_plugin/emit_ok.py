"""``emit("name", ...)`` with a literal name is typed like ``emit(Spec.name, ...)``."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, Final, Literal, assert_type

from hooks import TrainHooks

from protocall import CallbackManager

manager = CallbackManager(TrainHooks)

assert_type(manager.emit("on_train_start"), list[None])
assert_type(manager.emit("on_train_batch_end", loss=0.5, output=None), list[None])
assert_type(manager.emit("on_step", 3), list[None])
assert_type(manager.emit("on_step", 3, phase="eval"), list[None])
assert_type(manager.emit("on_step", 3, "eval"), list[None])
assert_type(manager.emit("summary", "run"), list[str])
assert_type(manager.emit("summary", name="run"), list[str])
pending = manager.emit("on_eval", 1)
_ = assert_type(pending, Coroutine[Any, Any, list[float]])
pending.close()
assert_type(manager.emit(TrainHooks.summary, "run"), list[str])  # the overload, untouched


async def evaluate() -> list[float]:
    return await manager.emit("on_eval", epoch=1)


HOOK: Final = "summary"
assert_type(manager.emit(HOOK, "run"), list[str])


def by_literal(name: Literal["summary"]) -> None:
    assert_type(manager.emit(name, "run"), list[str])


def by_str(name: str) -> None:
    assert_type(manager.emit(name, "anything", goes=1), list[Any])  # not a literal: unchanged


def forwarded(*args: Any, **kwargs: Any) -> None:
    assert_type(manager.emit("summary", *args, **kwargs), list[str])
