"""The object behind ``manager.call``: its attributes, its answers to ``dir``, calls and ``repr``,
and the layout that lets CPython 3.12+ look a hook up as fast as a local variable."""

from __future__ import annotations

import copy
import inspect
import pickle
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from hooks_fixtures import Hooks, Log, Recorder

from protocall import CallbackManager, UnknownHookError


def test_dir_lists_the_hooks_of_the_spec_that_call_can_call() -> None:
    """``on_query`` returns a value, so looking it up on ``call`` raises ``TypeError``: listing
    it would break what walks ``dir`` (``inspect.getmembers``, a REPL's completion)."""
    manager = CallbackManager(Hooks)
    _ = manager.call.on_start
    assert dir(manager.call) == ["on_end", "on_start", "on_step"]
    assert [name for name, _ in inspect.getmembers(manager.call)] == dir(manager.call)


def test_dir_of_an_unchecked_caller_lists_the_hooks_called_so_far_as_attributes() -> None:
    manager = CallbackManager(None)
    assert dir(manager.call) == []
    manager.call.on_train_end()
    manager.emit("on_fit_start")
    for unwritable in ("__class__", "__", "a b", "", "class"):
        manager.emit(unwritable)
    assert dir(manager.call) == ["on_fit_start", "on_train_end"]


class Relay:
    """Passes each step on to another hook, through the hook caller it was given."""

    def __init__(self, hooks: Any) -> None:
        self.hooks = hooks

    def on_step(self, step: int, *, loss: float) -> None:
        self.hooks.on_end(result=f"step {step}")


class Sink:
    def __init__(self) -> None:
        self.results: list[str] = []

    def on_end(self, *, result: str) -> None:
        self.results.append(result)


def _relaying() -> CallbackManager[Hooks]:
    manager = CallbackManager(Hooks)
    manager.register(Relay(manager.call))
    manager.register(Sink())
    manager.call.on_step(1, loss=0.5)  # the dispatchers exist before the copy
    return manager


def _sink(manager: CallbackManager[Hooks]) -> Sink:
    sink = manager.callbacks[1]
    assert isinstance(sink, Sink)
    return sink


def _pickled(manager: CallbackManager[Hooks]) -> CallbackManager[Hooks]:
    copied: CallbackManager[Hooks] = pickle.loads(pickle.dumps(manager))
    return copied


@pytest.mark.parametrize("duplicate", [copy.deepcopy, _pickled], ids=["deepcopy", "pickle"])
def test_a_copied_callback_that_holds_the_hook_caller_calls_the_copied_manager(
    duplicate: Callable[[CallbackManager[Hooks]], CallbackManager[Hooks]],
) -> None:
    original = _relaying()
    duplicated = duplicate(original)
    relay = duplicated.callbacks[0]
    assert isinstance(relay, Relay)
    assert relay.hooks is duplicated.call
    duplicated.call.on_step(2, loss=0.5)
    assert _sink(original).results == ["step 1"]
    assert _sink(duplicated).results == ["step 1", "step 2"]


def test_a_shallow_copy_of_the_hook_caller_is_the_caller_itself() -> None:
    manager = CallbackManager(Hooks)
    assert copy.copy(manager.call) is manager.call


def test_the_caller_is_not_callable_and_says_what_to_call_instead() -> None:
    manager = CallbackManager(None)
    with pytest.raises(TypeError, match=r"manager\.emit\('on_train_end', \.\.\.\)"):
        manager.call("on_train_end")


def test_the_repr_names_the_manager() -> None:
    manager = CallbackManager(Hooks)
    assert repr(manager.call) == f"<protocall hook caller of {manager!r}>"


def test_a_dunder_name_is_an_attribute_error_not_a_hook() -> None:
    manager = CallbackManager(None)
    with pytest.raises(AttributeError) as info:
        _ = manager.call.__wrapped__
    assert not isinstance(info.value, UnknownHookError)


def test_a_hook_is_looked_up_to_the_same_dispatcher_every_time() -> None:
    log: Log = []
    manager = CallbackManager(Hooks)
    first = manager.call.on_start
    manager.register(Recorder("a", log))
    assert manager.call.on_start is first
    first()
    assert [entry[:2] for entry in log] == [("a", "on_start")]


_SPECIALISED = """
import dis
from typing import Protocol

from protocall import CallbackManager


class Hooks(Protocol):
    def on_step(self, step: int, *, loss: float) -> None: ...


class Counter:
    def on_step(self, step: int, *, loss: float) -> None: ...


def step(manager: CallbackManager[Hooks]) -> None:
    manager.call.on_step(1, loss=0.5)


manager = CallbackManager(Hooks, [Counter()])
for _ in range(100):  # past the adaptive interpreter's warm-up
    step(manager)
print(*[i.opname for i in dis.get_instructions(step, adaptive=True) if "ATTR" in i.opname])
"""


@pytest.mark.skipif(sys.version_info < (3, 12), reason="3.11 never specialises with __getattr__")
def test_cpython_specialises_the_hook_lookup_as_an_instance_attribute() -> None:
    """``manager.call.on_x`` is an instance-attribute read CPython specialises, not a dictionary
    it searches (which costs ~60 ns per call): the caller keeps its attributes in CPython's
    fast layout (no ``__slots__``, its ``__dict__`` never read). Asked of a fresh interpreter:
    once a process has used more attribute names on hook callers than CPython shares between
    instances (30), it keeps them in a dictionary, read through another specialisation."""
    ran = subprocess.run(
        [sys.executable, "-c", _SPECIALISED], capture_output=True, text=True, check=True
    )
    assert ran.stdout.split() == ["LOAD_ATTR_SLOT", "LOAD_ATTR_INSTANCE_VALUE"]
