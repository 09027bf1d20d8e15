"""The object behind ``manager.call``: its attributes, its answers to ``dir``, calls and ``repr``,
and the layout that lets CPython 3.12+ look a hook up as fast as a local variable."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hooks_fixtures import Hooks, Log, Recorder

from protocall import CallbackManager, UnknownHookError


def test_dir_lists_the_hooks_of_the_spec_and_nothing_else() -> None:
    manager = CallbackManager(Hooks)
    _ = manager.call.on_start
    assert dir(manager.call) == ["on_end", "on_query", "on_start", "on_step"]


def test_dir_of_an_unchecked_caller_lists_the_hooks_called_so_far() -> None:
    manager = CallbackManager(None)
    assert dir(manager.call) == []
    manager.call.on_train_end()
    manager.emit("on_fit_start")
    assert dir(manager.call) == ["on_fit_start", "on_train_end"]


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
