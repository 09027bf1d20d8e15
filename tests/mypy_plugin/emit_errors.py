"""``emit("name", ...)``: unknown names and arguments that do not fit the hook are errors."""

from __future__ import annotations

from hooks import TrainHooks

from protocall import CallbackManager

manager = CallbackManager(TrainHooks)

manager.emit("on_train_strat")  # E: protocall-unknown-hook "TrainHooks" has no hook "on_train_strat".*did you mean "on_train_start"
manager.emit("nonsense")  # E: protocall-unknown-hook Its hooks are: "on_train_start"
manager.emit("summary", 3)  # E: arg-type
manager.emit("summary")  # E: call-arg
manager.emit("summary", "a", "b")  # E: call-arg
manager.emit("summary", title="a")  # E: call-arg
manager.emit("on_train_batch_end", loss="high", output=None)  # E: arg-type "loss"
manager.emit("on_train_batch_end", 0.5, None)  # E: misc|call-arg positional
manager.emit("on_step", phase="eval")  # E: call-arg
manager.emit("on_step", step=3)  # E: call-arg
