"""``first("name", ...)``: unknown names and arguments that do not fit the hook are errors."""

from __future__ import annotations

from typing import Any

from hooks import TrainHooks

from protocall import CallbackManager

manager = CallbackManager(TrainHooks)

manager.first("sumary", "run")  # E: protocall-unknown-hook "TrainHooks" has no hook "sumary".*did you mean "summary"
manager.first("nonsense")  # E: protocall-unknown-hook Its hooks are: "on_train_start"
manager.first("summary", 3)  # E: arg-type
manager.first("summary")  # E: call-arg
manager.first("summary", title="a")  # E: call-arg
manager.first("on_train_batch_end", loss="high", output=None)  # E: arg-type "loss"
manager.first("on_step", step=3)  # E: call-arg
result: int | None = manager.first("summary", "run")  # E: assignment "str \| None"
manager.first("on_eval", 1)  # E: unused-coroutine


def unchecked(m: CallbackManager[Any]) -> None:
    m.first("anything", 1, key="value")  # an unchecked manager takes any name
