"""Registration and dispatch leave a callback's instance ``__dict__`` unmaterialised.

CPython 3.11+ stores a fresh instance's attributes as inline values next to the object and
creates the ``__dict__`` object only when something asks for it (``obj.__dict__``, ``vars(obj)``,
``getattr(obj, "__dict__")``). Once created, the dict stays for the object's lifetime and costs
memory and speed on every attribute access, so a callback framework must not create it as a side
effect of registering or calling a callback.

The detector reads CPython's managed-dict slot (``Py_TPFLAGS_MANAGED_DICT`` types keep the dict
pointer three words before the object header on 3.11, 3.12 and 3.13; 3.12 tags inline values with
the low bit) and, where CPython's ``tp_traverse`` reports it, the dict among the object's
referents. The positive-control test proves on the running interpreter that a fresh instance
reads as unmaterialised and that reading ``obj.__dict__`` flips the detector.
"""

from __future__ import annotations

import ctypes
import gc
from collections.abc import Callable
from typing import Any, Protocol

import pytest

from protocall import CallbackManager

_MANAGED_DICT = 1 << 4
"""``Py_TPFLAGS_MANAGED_DICT`` (the same bit on 3.11, 3.12 and 3.13)."""

_WORD = ctypes.sizeof(ctypes.c_void_p)

CALLS: list[tuple[int, str]] = []
"""(id of the callback, what it did): callbacks record here, not on ``self``."""


def managed_dict_slot(obj: object) -> int:
    """The raw word of ``obj``'s managed-dict slot (0, a tagged values pointer or the dict)."""
    assert type(obj).__flags__ & _MANAGED_DICT, f"{type(obj).__qualname__} has no managed dict"
    return ctypes.c_void_p.from_address(id(obj) - 3 * _WORD).value or 0


def has_dict_object(obj: object) -> bool:
    """Whether CPython has created the ``__dict__`` object of ``obj``."""
    word = managed_dict_slot(obj)
    by_pointer = word != 0 and word & 1 == 0
    by_referents = any(type(referent) is dict for referent in gc.get_referents(obj))
    return by_pointer or by_referents


class OnStep(Protocol):
    def on_step(self, *, n: int) -> None: ...


class OnEnd(Protocol):
    def on_end(self) -> None: ...


class Hooks(OnStep, OnEnd, Protocol):
    """The spec of these tests."""


class Stepper(OnStep):
    """Subclasses a hook Protocol; has instance attributes (inline values), none a dict."""

    def __init__(self) -> None:
        self.tag = "stepper"
        self.weight = 3

    def on_step(self, *, n: int) -> None:
        CALLS.append((id(self), f"step {n}"))


class DuckStepper:
    """Implements both hooks without inheriting a Protocol."""

    def __init__(self) -> None:
        self.tag = "duck"
        self.weight = 5

    def on_step(self, *, n: int) -> None:
        CALLS.append((id(self), f"step {n}"))

    def on_end(self) -> None:
        CALLS.append((id(self), "end"))


class InstanceHook:
    """Implements ``on_end`` only through an attribute set in ``__init__``."""

    def __init__(self) -> None:
        self.tag = "instance"
        self.on_end = self._finish

    def _finish(self) -> None:
        CALLS.append((id(self), "instance end"))


class ShadowedHook:
    """Its class implements ``on_step``; each instance overrides it with its own callable."""

    def __init__(self) -> None:
        self.tag = "shadowed"
        setattr(self, "on_step", self._own_step)  # noqa: B010 - the class declares on_step

    def on_step(self, *, n: int) -> None:
        CALLS.append((id(self), f"class step {n}"))

    def _own_step(self, *, n: int) -> None:
        CALLS.append((id(self), f"own step {n}"))


FACTORIES: dict[str, Callable[[], object]] = {"subclass": Stepper, "duck": DuckStepper}


@pytest.fixture(autouse=True)
def clear_calls() -> None:
    CALLS.clear()


def make(spec: str) -> CallbackManager[Any]:
    return CallbackManager(Hooks if spec == "checked" else None)


@pytest.mark.parametrize("factory", [Stepper, DuckStepper, InstanceHook, ShadowedHook])
def test_positive_control_the_detector_sees_a_dict_being_created(
    factory: Callable[[], object],
) -> None:
    """A fresh instance reads as dict-less; reading ``__dict__`` flips the detector, and the
    managed-dict slot then points at exactly that dict. Without this, the tests below prove
    nothing on this interpreter."""
    fresh = factory()
    assert not has_dict_object(fresh)
    getattr(fresh, "tag")  # noqa: B009  # a plain attribute read does not create the dict
    assert not has_dict_object(fresh)
    namespace = fresh.__dict__
    assert has_dict_object(fresh)
    assert managed_dict_slot(fresh) == id(namespace)
    other = factory()
    assert not has_dict_object(other)
    vars(other)
    assert has_dict_object(other)


@pytest.mark.parametrize("kind", sorted(FACTORIES))
@pytest.mark.parametrize("spec", ["checked", "unchecked"])
def test_constructor_registration_and_dispatch_create_no_dict(kind: str, spec: str) -> None:
    """``CallbackManager(spec, [cb])``, then ``call`` and ``emit``, never create ``cb.__dict__``."""
    callback = FACTORIES[kind]()
    manager = CallbackManager(Hooks if spec == "checked" else None, [callback])
    assert not has_dict_object(callback)
    manager.call.on_step(n=1)
    assert manager.emit("on_step", n=2) == [None]
    if spec == "checked":
        assert manager.emit(Hooks.on_step, n=3) == [None]
    assert not has_dict_object(callback)
    assert [what for who, what in CALLS if who == id(callback)][:2] == ["step 1", "step 2"]


@pytest.mark.parametrize("kind", sorted(FACTORIES))
@pytest.mark.parametrize("spec", ["checked", "unchecked"])
def test_register_creates_no_dict_for_new_and_known_classes(kind: str, spec: str) -> None:
    """``register`` of a first instance of a class (validated now) and of later instances (the
    class already known to the manager, before and after a dispatch) creates no ``__dict__``."""
    manager = make(spec)
    first, second, third = (FACTORIES[kind]() for _ in range(3))
    manager.register(first)
    assert not has_dict_object(first)
    manager.register(second)  # the class is known now
    assert not has_dict_object(second)
    manager.call.on_step(n=1)  # dispatchers exist now
    manager.register(third)
    assert not has_dict_object(third)
    manager.call.on_step(n=2)
    assert manager.emit("on_step", n=3) == [None, None, None]
    for callback in (first, second, third):
        assert not has_dict_object(callback)
    assert [who for who, what in CALLS if what == "step 3"] == [id(first), id(second), id(third)]


@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_a_second_manager_of_the_same_spec_creates_no_dict(kind: str) -> None:
    """A class validated by one manager and registered with another (the per-spec cache path)
    creates no ``__dict__`` either."""
    CallbackManager(Hooks, [FACTORIES[kind]()])
    callback = FACTORIES[kind]()
    other = CallbackManager(Hooks)
    other.register(callback)
    other.call.on_step(n=1)
    assert not has_dict_object(callback)
    assert [(id(callback), "step 1")] == CALLS


@pytest.mark.parametrize("spec", ["checked", "unchecked"])
def test_a_hook_set_on_the_instance_is_still_detected(spec: str) -> None:
    """An instance attribute named like a hook implements it (semantics 2), whether the class
    implements the hook too or not: registration sees it and dispatch calls it, not the class's."""
    manager = make(spec)
    instance_only, shadowed = InstanceHook(), ShadowedHook()
    manager.register(instance_only)
    manager.register(shadowed)
    if spec == "checked":
        assert manager.hooks_of(instance_only) == {"on_end"}
        assert manager.hooks_of(shadowed) == {"on_step"}
    assert manager.implementers("on_end") == (instance_only,)
    assert manager.implementers("on_step") == (shadowed,)
    manager.call.on_end()
    manager.call.on_step(n=7)
    assert [(id(instance_only), "instance end"), (id(shadowed), "own step 7")] == CALLS
    second = ShadowedHook()  # a second instance of a known class: still its own attribute
    manager.register(second)
    manager.call.on_step(n=8)
    assert CALLS[-2:] == [(id(shadowed), "own step 8"), (id(second), "own step 8")]
