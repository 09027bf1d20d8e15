"""The lifecycle API at the user's call site (semantics 18): registration for a block, iteration,
monitors and the profiler, entry points, and the callbacks' state."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from typing_extensions import assert_type

from protocall import CallbackManager, HookCall, Profiler, ProfileRow, StateKeys


class OnTrainStart(Protocol):
    def on_train_start(self, *, epochs: int) -> None: ...


class OnValidate(Protocol):
    def on_validate(self, *, iteration: int) -> float: ...


class TrainHooks(OnTrainStart, OnValidate, Protocol):
    """The training loop's hooks."""


class Timer(OnTrainStart):
    def on_train_start(self, *, epochs: int) -> None: ...


class Checkpoint:
    """Duck-typed and stateful: ``state_dict`` and ``load_state_dict`` go to the manager's state."""

    state_key = "checkpoint"

    def on_validate(self, *, iteration: int) -> float:
        return 0.5

    def state_dict(self) -> dict[str, int]:
        return {"best": 1}

    def load_state_dict(self, state: dict[str, int]) -> None: ...


manager = CallbackManager(TrainHooks, [Checkpoint()])

# -- register: returns the callback, as its own type ------------------------------------------
timer = Timer()
assert_type(manager.register(timer), Timer)
assert_type(manager.register(Timer(), priority=5, weak=True), Timer)
assert_type(manager.register(Checkpoint(), weak=False), Checkpoint)

# -- registered: a context manager that yields None -----------------------------------------
with manager.registered(Timer(), Checkpoint(), priority=-1) as nothing:
    assert_type(nothing, None)
    manager.call.on_train_start(epochs=1)
with manager.registered():
    pass
with manager.registered(Timer()):
    assert_type(manager.emit(TrainHooks.on_validate, iteration=1), list[float])

# -- iteration: the callbacks in call order ---------------------------------------------------
assert_type(iter(manager), Iterator[object])
for callback in manager:
    assert_type(callback, object)
assert_type(list(manager), list[object])


# -- monitors: any callable taking a HookCall -------------------------------------------------
def log_call(call: HookCall) -> None:
    assert_type(call.hook, str)
    assert_type(call.callback, object)
    assert_type(call.duration_ns, int)
    assert_type(call.error, BaseException | None)
    hook, callback, duration_ns, error = call  # a NamedTuple unpacks
    assert_type(hook, str)
    assert_type(callback, object)
    assert_type(duration_ns, int)
    assert_type(error, BaseException | None)


def log_anything(call: object) -> bool:
    """A monitor may take more than a HookCall and return anything (its result is ignored)."""
    return call is not None


calls: list[HookCall] = []
assert_type(manager.add_monitor(log_call), None)
manager.add_monitor(log_anything)
manager.add_monitor(calls.append)
manager.add_monitor(lambda call: print(call.hook, call.duration_ns))
manager.add_monitor(lambda call: calls.append(call))
assert_type(manager.remove_monitor(log_call), None)
manager.remove_monitor(calls.append)

record = HookCall("on_train_start", timer, 1_000, None)
assert_type(record, HookCall)
assert_type(record.error, BaseException | None)
assert_type(record._replace(error=ValueError("boom")), HookCall)

# -- the profiler: a monitor ------------------------------------------------------------------
profiler = Profiler()
assert_type(profiler, Profiler)
manager.add_monitor(profiler)
assert_type(profiler(record), None)
rows = profiler.rows()
assert_type(rows, list[ProfileRow])
for row in rows:
    assert_type(row.hook, str)
    assert_type(row.callback, str)
    assert_type(row.count, int)
    assert_type(row.total_ns, int)
    assert_type(row.mean_ns, float)
    assert_type(row.max_ns, int)
assert_type(str(profiler), str)
assert_type(profiler.reset(), None)
manager.remove_monitor(profiler)

# -- entry points -----------------------------------------------------------------------------
assert_type(manager.load_entry_points("myapp.callbacks"), list[object])
assert_type(manager.load_entry_points(group="myapp.callbacks"), list[object])

# -- the callbacks' state ---------------------------------------------------------------------
state = manager.state_dict()
assert_type(state, dict[str, Any])
assert_type(manager.load_state_dict(state), StateKeys | None)
assert_type(manager.load_state_dict({"checkpoint": {"best": 2}}, strict=True), StateKeys | None)
keys = manager.load_state_dict(state, strict=False)
assert_type(keys, StateKeys | None)
if keys is not None:
    assert_type(keys.unknown, list[str])
    assert_type(keys.missing, list[str])
