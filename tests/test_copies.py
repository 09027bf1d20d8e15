"""Copies of a manager (semantics 13).

``copy.copy(m)`` is an independent manager: its own registrations, holding the same callback
objects, with the same spec, error policy, priorities and order; a change to either leaves the
other as it was. ``copy.deepcopy(m)`` deep-copies the callbacks, and the copy dispatches to those
copies. ``pickle`` round-trips a manager whose spec, callbacks and policy are picklable, before
and after dispatchers were built. Dispatchers are never copied: each manager builds its own, so a
hook caller held from the original keeps dispatching to the original's registrations.

Everything pickled here is defined at module level, so that pickle can find it by name.
"""

from __future__ import annotations

import copy
import gc
import pickle
import weakref
from typing import Any, Protocol

import pytest

from protocall import (
    CallbackManager,
    ErrorPolicy,
    HookErrorGroup,
    Prioritized,
    Profiler,
    hookspec,
)


class OnStep(Protocol):
    def on_step(self, *, n: int) -> None: ...


class OnValue(Protocol):
    def on_value(self) -> object: ...


class OnEnd(Protocol):
    @hookspec(reverse=True)
    def on_end(self) -> None: ...


class Hooks(OnStep, OnValue, OnEnd, Protocol):
    """The spec of these tests."""


class Rec:
    """Logs its calls on itself; ``on_value`` returns the callback itself, so that the caller
    sees which object was called."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.calls: list[str] = []

    def on_step(self, *, n: int) -> None:
        self.calls.append(f"step {n}")

    def on_value(self) -> object:
        self.calls.append("value")
        return self

    def on_end(self) -> None:
        self.calls.append("end")

    def __repr__(self) -> str:
        return f"Rec({self.label!r})"


class StepOnly:
    """Implements ``on_step`` only."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.calls: list[str] = []

    def on_step(self, *, n: int) -> None:
        self.calls.append(f"step {n}")


class Failing(Rec):
    """Raises ``ValueError`` from ``on_value``."""

    def on_value(self) -> object:
        self.calls.append("value")
        raise ValueError(f"{self.label} failed")


class Owner(Rec):
    """Holds a reference to the manager it is registered with."""

    manager: CallbackManager[Hooks] | None = None


def ignore_failures(callback: object, hook: str, exc: Exception) -> None:
    """An error handler (module level, so picklable) that lets the call go on."""


def labels(results: list[object]) -> list[str]:
    """The labels of the callbacks that ``emit(Hooks.on_value)`` returned."""
    return [r.label for r in results if isinstance(r, Rec)]


def sample(errors: ErrorPolicy = "raise") -> tuple[CallbackManager[Hooks], list[Rec]]:
    """A manager with priorities that differ from the registration order."""
    a, b, c, d = Rec("a"), Rec("b"), Rec("c"), Rec("d")
    manager = CallbackManager(Hooks, [a, Prioritized(b, 10), c], errors=errors)
    manager.register(d, priority=-5)
    return manager, [b, a, c, d]


def dispatch_everything(manager: CallbackManager[Hooks]) -> None:
    """Build every hook's dispatchers (through ``call``, ``emit`` by method and by name)."""
    manager.call.on_step(n=0)
    manager.call.on_end()
    manager.emit(Hooks.on_value)
    manager.emit("on_step", n=0)


@pytest.mark.parametrize("dispatched", [False, True], ids=["fresh", "dispatched"])
def test_shallow_copy_has_the_same_callbacks_spec_and_order(dispatched: bool) -> None:
    """``copy.copy`` holds the very callback objects, in the same call order, for every hook
    (a reversed hook included), with the same spec."""
    manager, order = sample()
    if dispatched:
        dispatch_everything(manager)
    clone = copy.copy(manager)
    assert clone is not manager
    assert clone.spec is Hooks
    assert clone.callbacks == tuple(order)
    assert all(x is y for x, y in zip(clone.callbacks, order, strict=True))
    assert len(clone) == 4
    assert clone.implementers(Hooks.on_end) == tuple(reversed(order))
    assert clone.emit(Hooks.on_value) == order
    clone.call.on_end()
    assert [c.calls[-1] for c in order] == ["end"] * 4


@pytest.mark.parametrize("dispatched", [False, True], ids=["fresh", "dispatched"])
def test_shallow_copy_registrations_are_independent(dispatched: bool) -> None:
    """Registering on the copy changes neither the original's registrations nor what the
    original dispatches to, and the other way round; both before and after dispatchers were
    built."""
    manager, order = sample()
    if dispatched:
        dispatch_everything(manager)
    clone = copy.copy(manager)
    extra, other = Rec("extra"), Rec("other")
    clone.register(extra)
    assert extra in clone and extra not in manager
    assert manager.callbacks == tuple(order)
    assert manager.emit(Hooks.on_value) == order
    assert extra.calls == []
    manager.register(other)
    assert other not in clone
    b, a, c, d = order
    assert clone.emit(Hooks.on_value) == [b, a, c, extra, d]  # d has priority -5
    assert other.calls == []
    manager.unregister(b)
    assert clone.callbacks == (b, a, c, extra, d)
    clone.unregister(a)
    assert manager.callbacks == (a, c, other, d)
    manager.call.on_step(n=7)
    assert extra.calls == ["value"]
    clone.call.on_step(n=8)
    assert other.calls == ["step 7"]
    assert extra.calls == ["value", "step 8"]


def test_shallow_copy_keeps_priorities() -> None:
    """Priorities are copied: a callback registered on the copy with a priority lands where it
    would have landed in the original; equal priorities keep registration order."""
    manager, order = sample()
    b, a, c, d = order
    clone = copy.copy(manager)
    middle, tie, last = Rec("middle"), Rec("tie"), Rec("last")
    clone.register(middle, priority=5)
    clone.register(tie, priority=0)
    clone.register(last, priority=-100)
    assert clone.callbacks == (b, middle, a, c, tie, d, last)
    manager.register(tie, priority=10)  # the same object in the original: a tie with b
    assert manager.callbacks == (b, tie, a, c, d)


@pytest.mark.parametrize("policy", ["collect", "handler"])
def test_shallow_copy_keeps_the_error_policy(policy: str) -> None:
    """The copy applies the original's ``errors=`` policy."""
    errors: ErrorPolicy = "collect" if policy == "collect" else ignore_failures
    manager, order = sample(errors)
    failing = manager.register(Failing("failing"), priority=7)
    clone = copy.copy(manager)
    if policy == "collect":
        with pytest.raises(HookErrorGroup) as info:
            clone.emit(Hooks.on_value)
        assert labels(info.value.results) == ["b", "a", "c", "d"]
        assert [str(e) for e in info.value.exceptions] == ["failing failed"]
    else:
        assert labels(clone.emit(Hooks.on_value)) == ["b", "a", "c", "d"]
    assert failing.calls == ["value"]
    assert order[0].calls == ["value"]


def test_shallow_copy_of_an_unchecked_manager() -> None:
    """An unchecked manager copies too: same objects (duplicates included), independent
    registrations, any hook name."""
    a, b = Rec("a"), StepOnly("b")
    manager = CallbackManager(None, [a, b, a])
    manager.call.on_step(n=1)
    clone = copy.copy(manager)
    assert clone.spec is None
    assert clone.callbacks == (a, b, a)
    c = clone.register(Rec("c"))
    assert manager.callbacks == (a, b, a)
    assert clone.emit("on_value") == [a, a, c]
    assert manager.emit("on_value") == [a, a]
    clone.call.on_step(n=2)
    assert a.calls == ["step 1", "step 1", "value", "value", "value", "value", "step 2", "step 2"]
    assert b.calls == ["step 1", "step 2"]
    assert c.calls == ["value", "step 2"]


def test_a_caller_held_from_the_original_keeps_calling_the_original() -> None:
    """``h = m.call.on_step`` taken before the copy dispatches to the original's registrations,
    not to the copy's, and follows the original's changes (semantics 11)."""
    manager, order = sample()
    held = manager.call.on_step
    held(n=0)
    clone = copy.copy(manager)
    in_clone = clone.register(Rec("in clone"))
    clone.unregister(order[0])
    held(n=1)
    assert in_clone.calls == []
    assert order[0].calls == ["step 0", "step 1"]
    in_original = manager.register(Rec("in original"))
    held(n=2)
    assert in_original.calls == ["step 2"]
    assert in_clone.calls == []
    clone_held = clone.call.on_step
    clone_held(n=3)
    assert in_clone.calls == ["step 3"]
    assert in_original.calls == ["step 2"]
    assert order[0].calls == ["step 0", "step 1", "step 2"]


@pytest.mark.parametrize("dispatched", [False, True], ids=["fresh", "dispatched"])
def test_deepcopy_dispatches_to_the_copied_callbacks(dispatched: bool) -> None:
    """``copy.deepcopy`` copies the callbacks (same types and state, new objects, same order)
    and the copy's ``call`` and ``emit`` reach the copies, never the originals."""
    manager, order = sample()
    if dispatched:
        dispatch_everything(manager)
    before = [list(c.calls) for c in order]
    clone = copy.deepcopy(manager)
    copies = clone.callbacks
    assert len(copies) == 4
    assert all(x is not y for x, y in zip(copies, order, strict=True))
    assert [c.label for c in copies if isinstance(c, Rec)] == ["b", "a", "c", "d"]
    results = clone.emit(Hooks.on_value)
    assert all(r is c for r, c in zip(results, copies, strict=True))
    clone.call.on_step(n=9)
    clone.call.on_end()
    assert [c.calls for c in order] == before
    for copied, original in zip(copies, order, strict=True):
        assert isinstance(copied, Rec)
        assert copied.calls == [*original.calls, "value", "step 9", "end"]
    assert clone.implementers(Hooks.on_end) == tuple(reversed(copies))
    assert manager.emit(Hooks.on_value) == order


def test_deepcopy_keeps_a_callbacks_reference_to_its_manager_consistent() -> None:
    """A callback that refers to its manager: in the deep copy, the copied callback refers to
    the copied manager (the copy is recorded in the memo before the state is copied)."""
    owner = Owner("owner")
    manager = CallbackManager(Hooks, [owner, Rec("x")])
    owner.manager = manager
    manager.call.on_step(n=1)
    clone = copy.deepcopy(manager)
    copied = clone.callbacks[0]
    assert isinstance(copied, Owner) and copied is not owner
    assert copied.manager is clone
    assert clone.emit(Hooks.on_value)[0] is copied


def test_deepcopy_keeps_priorities_and_policy() -> None:
    """The deep copy keeps priorities (a new registration lands by priority) and ``errors=``."""
    manager, _ = sample("collect")
    manager.register(Failing("failing"), priority=7)
    clone = copy.deepcopy(manager)
    clone.register(Rec("middle"), priority=5)
    with pytest.raises(HookErrorGroup) as info:
        clone.emit(Hooks.on_value)
    assert labels(info.value.results) == ["b", "middle", "a", "c", "d"]


def round_trip(manager: CallbackManager[Any]) -> CallbackManager[Any]:
    restored: CallbackManager[Any] = pickle.loads(pickle.dumps(manager))
    return restored


@pytest.mark.parametrize("dispatched", [False, True], ids=["fresh", "dispatched"])
def test_pickle_round_trip_dispatches_in_the_same_order(dispatched: bool) -> None:
    """A pickled manager comes back with its spec, copies of its callbacks in the same call
    order (priorities and a reversed hook included), and dispatches to those copies; whether or
    not dispatchers had been built before pickling."""
    manager, _ = sample()
    manager.register(StepOnly("step only"), priority=3)
    if dispatched:
        dispatch_everything(manager)
    restored = round_trip(manager)
    assert restored.spec is Hooks
    assert [getattr(c, "label") for c in restored.callbacks] == ["b", "step only", "a", "c", "d"]  # noqa: B009  # the static type is object
    assert all(x is not y for x, y in zip(restored.callbacks, manager.callbacks, strict=True))
    results = restored.emit(Hooks.on_value)
    assert labels(results) == ["b", "a", "c", "d"]
    assert all(r in restored.callbacks for r in results)
    assert [getattr(c, "label") for c in restored.implementers(Hooks.on_end)] == [  # noqa: B009  # the static type is object
        "d",
        "c",
        "a",
        "b",
    ]
    restored.call.on_step(n=5)
    assert all(getattr(c, "calls")[-1] == "step 5" for c in restored.callbacks)  # noqa: B009  # the static type is object
    restored.register(Rec("middle"), priority=5)
    assert labels(restored.emit(Hooks.on_value)) == ["b", "middle", "a", "c", "d"]
    assert labels(manager.emit(Hooks.on_value)) == ["b", "a", "c", "d"]


@pytest.mark.parametrize("errors", ["collect", ignore_failures], ids=["collect", "handler"])
def test_pickle_round_trip_keeps_the_error_policy(errors: ErrorPolicy) -> None:
    """The policy survives pickling (a string, or a module-level handler function)."""
    manager, _ = sample(errors)
    manager.register(Failing("failing"), priority=7)
    manager.emit("on_step", n=1)
    restored = round_trip(manager)
    if errors == "collect":
        with pytest.raises(HookErrorGroup) as info:
            restored.emit(Hooks.on_value)
        assert labels(info.value.results) == ["b", "a", "c", "d"]
    else:
        assert labels(restored.emit(Hooks.on_value)) == ["b", "a", "c", "d"]


@pytest.mark.parametrize("dispatched", [False, True], ids=["fresh", "dispatched"])
def test_pickle_round_trip_of_an_unchecked_manager(dispatched: bool) -> None:
    """An unchecked manager pickles too; a callback registered twice comes back as one object
    registered twice."""
    a, b = Rec("a"), StepOnly("b")
    manager = CallbackManager(None, [a, b, a])
    if dispatched:
        manager.call.on_step(n=1)
        manager.emit("on_value")
    restored = round_trip(manager)
    assert restored.spec is None
    copies = restored.callbacks
    assert len(copies) == 3 and copies[0] is copies[2] and copies[0] is not a
    assert restored.emit("on_value") == [copies[0], copies[0]]
    restored.call.on_step(n=2)
    assert getattr(copies[1], "calls")[-1] == "step 2"  # noqa: B009  # the static type is object
    assert b.calls == (["step 1"] if dispatched else [])


def test_pickle_round_trip_of_a_manager_referred_to_by_its_callback() -> None:
    """A callback that refers to its manager is restored referring to the restored manager."""
    owner = Owner("owner")
    manager = CallbackManager(Hooks, [owner])
    owner.manager = manager
    manager.call.on_step(n=1)
    restored = round_trip(manager)
    copied = restored.callbacks[0]
    assert isinstance(copied, Owner)
    assert copied.manager is restored
    restored.call.on_step(n=2)
    assert copied.calls == ["step 1", "step 2"]
    assert owner.calls == ["step 1"]


def test_copies_start_unmonitored_and_keep_weak_registrations_weak() -> None:
    """A monitor watches the manager it was added to: copies start without it (add it to them,
    one Profiler may watch several managers). A weak registration stays weak in a shallow copy."""

    weakly = Rec("weak")
    manager = CallbackManager(Hooks, [Rec("a")])
    manager.register(weakly, weak=True)
    profiler = Profiler()
    manager.add_monitor(profiler)
    shallow = copy.copy(manager)
    shallow.call.on_step(n=1)
    assert profiler.rows() == []
    manager.call.on_step(n=1)
    assert sum(row.count for row in profiler.rows()) == 2
    assert weakly.calls == ["step 1", "step 1"]
    reference = weakref.ref(weakly)
    del weakly
    gc.collect()
    assert reference() is None
    assert len(shallow) == 1 and len(manager) == 1


class Holder:
    """Owns a callback, as a widget owns the callback it registered weakly."""

    def __init__(self, callback: Rec) -> None:
        self.callback = callback


def test_deep_copies_and_pickles_keep_weak_registrations_weak() -> None:
    """A weakly registered callback's copy lives as long as something copied with it holds it:
    copied together with its owner, it stays; copied alone, nothing holds it, and it goes."""
    owned, alone = Rec("owned"), Rec("alone")
    owner = Holder(owned)
    manager = CallbackManager(Hooks, [Rec("strong")])
    manager.register(owned, weak=True)
    manager.register(alone, weak=True)
    for copied_manager, copied_owner in (
        copy.deepcopy((manager, owner)),
        pickle.loads(pickle.dumps((manager, owner))),
    ):
        gc.collect()
        assert labels(copied_manager.emit(Hooks.on_value)) == ["strong", "owned"]
        assert copied_manager.callbacks[1] is copied_owner.callback
    assert labels(manager.emit(Hooks.on_value)) == ["strong", "owned", "alone"]
