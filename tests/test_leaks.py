"""Nothing the user drops is kept alive, and generated code does not accumulate (semantics 17).

Spec classes, callback classes and managers are garbage once the user holds none of them: any
cache keyed by them must hold them weakly, and must not hold them through its values either (a
``WeakKeyDictionary`` whose value refers to its key keeps both alive). Generated dispatchers for
data-dependent keyword shapes (``manager.emit("on_log", **metrics)`` with varying metric names) must
not pile up, neither as ``linecache`` entries (which nothing ever clears) nor as memory.

Memory is measured with :func:`sys.getallocatedblocks`, which counts the blocks currently
allocated: it sees the frees of earlier allocations as well as new ones, so a bounded cache that
evicts as it grows measures as flat, while an unbounded one grows with every new shape. CPython
3.12+ keeps every identifier it compiles forever (interned strings are immortal there), so one
block per new keyword name, and one per shape, is allowed for code compiled per shape.
"""

from __future__ import annotations

import gc
import linecache
import sys
import weakref
from typing import Any, Protocol

import pytest

from protocall import CallbackManager, RegistrationError


def collected(*references: weakref.ref[Any]) -> bool:
    """Whether every referent is gone after a full collection."""
    gc.collect()
    gc.collect()
    return all(reference() is None for reference in references)


def spec_and_callbacks() -> tuple[type, list[object]]:
    """A local spec and callbacks of several kinds, all created in this call."""

    class OnStep(Protocol):
        def on_step(self, *, n: int) -> None: ...

    class OnValue(Protocol):
        def on_value(self) -> int: ...

    class Spec(OnStep, OnValue, Protocol):
        pass

    class Subclass(OnStep):
        def on_step(self, *, n: int) -> None:
            pass

    class Duck:
        def on_step(self, *, n: int) -> None:
            pass

        def on_value(self) -> int:
            return 1

    class Base:
        def on_value(self) -> int:
            return 2

    class WithSuper(Base):
        def on_value(self) -> int:
            return super().on_value() + 1

    return Spec, [Subclass(), Duck(), WithSuper()]


def use(manager: CallbackManager[Any], spec: Any) -> None:
    """Dispatch through every path, so that every dispatcher is built."""
    manager.call.on_step(n=1)
    manager.emit("on_step", n=2)
    assert manager.emit("on_value") == [1, 3]
    if spec is not None:
        assert manager.emit(spec.on_value) == [1, 3]
        assert manager.first(spec.on_value) == 1


def test_spec_classes_are_collected_after_the_manager_is_dropped() -> None:
    """A spec (and the Protocols it extends) is garbage once its manager and callbacks are,
    after every kind of dispatch built and cached its dispatchers."""

    def scenario() -> list[weakref.ref[Any]]:
        spec, callbacks = spec_and_callbacks()
        manager = CallbackManager(spec, callbacks)
        use(manager, spec)
        return [weakref.ref(k) for k in spec.__mro__ if k.__module__ == __name__] + [
            weakref.ref(manager)
        ]

    references = scenario()
    assert len(references) == 4
    assert collected(*references)


def test_spec_class_is_collected_after_several_managers_and_a_failed_registration() -> None:
    """Several managers of one spec, one registration refused: the spec is still collected."""

    def scenario() -> weakref.ref[type]:
        spec, callbacks = spec_and_callbacks()
        for _ in range(3):
            use(CallbackManager(spec, callbacks), spec)

        class Wrong:
            async def on_step(self, *, n: int) -> None:
                pass

        with pytest.raises(RegistrationError):
            CallbackManager(spec, [Wrong()])
        return weakref.ref(spec)

    assert collected(scenario())


def callback_classes() -> dict[str, type]:
    """Callback classes that refer to themselves in ways a cache could pin."""

    class Plain:
        def on_step(self, *, n: int) -> None:
            pass

    class Parent:
        def on_step(self, *, n: int) -> None:
            pass

        @classmethod
        def on_value(cls) -> int:
            return 1

    class UsesSuper(Parent):
        def on_step(self, *, n: int) -> None:
            super().on_step(n=n)

    class ClassmethodSuper(Parent):
        @classmethod
        def on_value(cls) -> int:
            return super().on_value() + 1

    class InstanceHook:
        def __init__(self) -> None:
            self.on_step = self._step

        def _step(self, *, n: int) -> None:
            pass

    return {
        "plain": Plain,
        "super": UsesSuper,
        "classmethod-super": ClassmethodSuper,
        "instance-hook": InstanceHook,
    }


class OnStep(Protocol):
    def on_step(self, *, n: int) -> None: ...


class OnValue(Protocol):
    def on_value(self) -> int: ...


class Hooks(OnStep, OnValue, Protocol):
    """A module-level spec, alive for the whole test session."""


@pytest.mark.parametrize("kind", sorted(callback_classes()))
@pytest.mark.parametrize("spec", [Hooks, None], ids=["checked", "unchecked"])
def test_callback_classes_are_collected_after_unregister(kind: str, spec: Any) -> None:
    """A callback class (its methods calling ``super()``, a classmethod hook calling
    ``super()``, a hook set on the instance) is garbage after its instances are unregistered,
    while the manager (and the spec) live on and go on dispatching."""
    manager: CallbackManager[Any] = CallbackManager(spec)
    keeper = manager.register(callback_classes()["plain"]())

    def scenario() -> weakref.ref[type]:
        cls = callback_classes()[kind]
        first, second = cls(), cls()
        manager.register(first)
        manager.call.on_step(n=1)
        manager.emit("on_value")
        manager.register(second)
        manager.call.on_step(n=2)
        manager.unregister(first)
        manager.unregister(second)
        manager.call.on_step(n=3)
        manager.emit("on_value")
        return weakref.ref(cls)

    reference = scenario()
    assert collected(reference)
    assert manager.callbacks == (keeper,)
    manager.call.on_step(n=4)


@pytest.mark.parametrize("kind", sorted(callback_classes()))
@pytest.mark.parametrize("spec", [Hooks, None], ids=["checked", "unchecked"])
def test_callback_classes_are_collected_with_the_manager(kind: str, spec: Any) -> None:
    """The same when the manager is dropped with the callbacks still registered."""

    def scenario() -> list[weakref.ref[Any]]:
        cls = callback_classes()[kind]
        manager: CallbackManager[Any] = CallbackManager(spec, [cls(), cls()])
        manager.call.on_step(n=1)
        manager.emit("on_value")
        manager.emit("on_step", n=2)
        return [weakref.ref(cls), weakref.ref(manager)]

    assert collected(*scenario())


class Owning:
    """A callback that holds its manager: a reference cycle through the manager."""

    def __init__(self) -> None:
        self.manager: CallbackManager[Any] | None = None

    def on_step(self, *, n: int) -> None:
        assert self.manager is not None

    def on_value(self) -> int:
        return 0


@pytest.mark.parametrize("spec", [Hooks, None], ids=["checked", "unchecked"])
@pytest.mark.parametrize("held", [False, True], ids=["plain", "held-caller"])
def test_a_manager_in_a_cycle_with_its_callback_is_collected(spec: Any, held: bool) -> None:
    """A manager whose callback refers to it is collected once dropped, after dispatch built
    its dispatchers (and with a hook caller held by the callback too)."""

    def scenario() -> list[weakref.ref[Any]]:
        owner = Owning()
        manager: CallbackManager[Any] = CallbackManager(spec, [owner])
        owner.manager = manager
        manager.call.on_step(n=1)
        manager.emit("on_value")
        if held:
            setattr(owner, "held", manager.call.on_step)  # noqa: B010  # Owning declares no held
        return [weakref.ref(manager), weakref.ref(owner)]

    assert collected(*scenario())


def test_a_dynamically_built_spec_with_its_own_classes_is_collected() -> None:
    """A spec built at run time (``type(...)`` over ``Protocol``), callbacks subclassing it, and
    a class used in its annotations: all garbage once dropped."""

    def scenario() -> list[weakref.ref[Any]]:
        class Batch:
            pass

        def on_batch(self: object, *, batch: Batch) -> None: ...

        bases: tuple[Any, ...] = (Protocol,)
        spec: Any = type("Dynamic", bases, {"on_batch": on_batch})

        class Impl(spec):  # type: ignore[misc]  # a base computed at run time
            def on_batch(self, *, batch: Batch) -> None:
                pass

        manager = CallbackManager(spec, [Impl()])
        manager.call.on_batch(batch=Batch())
        manager.emit(spec.on_batch, batch=Batch())
        return [weakref.ref(spec), weakref.ref(Impl), weakref.ref(Batch), weakref.ref(manager)]

    assert collected(*scenario())


class Metrics:
    """Takes every keyword; answers how many it got."""

    def on_log(self, **metrics: object) -> int:
        return len(metrics)


IMPLEMENTERS = 5
MANAGERS = 300
SHAPES = 20


def run_managers(start: int, stop: int) -> int:
    """Managers ``start`` to ``stop``, each called with its own data-dependent keyword shapes,
    then dropped; the number of distinct keyword names used."""
    names = 0
    for j in range(start, stop):
        manager = CallbackManager(None, [Metrics() for _ in range(IMPLEMENTERS)])
        for i in range(SHAPES):
            metrics: dict[str, object] = {f"m{j}_{i}_{k}": k for k in range(i % 3 + 1)}
            assert manager.emit("on_log", **metrics) == [i % 3 + 1] * IMPLEMENTERS
            names += len(metrics)
    return names


def test_data_dependent_keyword_shapes_do_not_accumulate() -> None:
    """300 unchecked managers, each called with 20 keyword shapes of its own and dropped: over
    the last 3000 shapes (once any bounded cache has filled up on the first 3000), ``linecache``
    grows by fewer than 100 entries (not one per shape), and memory stays what it was, give or
    take the interned names (see the module docstring)."""
    run_managers(0, MANAGERS // 2)
    gc.collect()
    lines = len(linecache.cache)
    before = sys.getallocatedblocks()
    new_names = run_managers(MANAGERS // 2, MANAGERS)
    gc.collect()
    grown = sys.getallocatedblocks() - before
    added = len(linecache.cache) - lines
    new_shapes = (MANAGERS - MANAGERS // 2) * SHAPES
    problems: list[str] = []
    if added >= 100:
        problems.append(f"linecache grew by {added} entries over {new_shapes} new shapes")
    if grown >= new_names + new_shapes:
        problems.append(f"{grown} blocks more after {new_shapes} new keyword shapes")
    assert problems == []


def test_a_long_lived_manager_called_with_ever_new_keywords_stays_bounded() -> None:
    """One unchecked manager that lives on, called with 3000 distinct keyword shapes: over the
    last 1500, ``linecache`` and memory stay flat (it cannot keep one dispatcher per shape)."""
    manager = CallbackManager(None, [Metrics() for _ in range(IMPLEMENTERS)])

    def calls(start: int, stop: int) -> None:
        for j in range(start, stop):
            assert manager.emit("on_log", **{f"x{j}": 1, f"y{j}": 2}) == [2] * IMPLEMENTERS

    calls(0, 1500)
    gc.collect()
    lines = len(linecache.cache)
    before = sys.getallocatedblocks()
    calls(1500, 3000)
    gc.collect()
    grown = sys.getallocatedblocks() - before
    allowed = 2 * 1500 + 1500  # two new names per shape, and one block per shape
    assert grown < allowed, f"{grown} blocks more after 1500 new keyword shapes"
    assert len(linecache.cache) - lines < 100


def run_data_specs(start: int, stop: int) -> list[weakref.ref[Any]]:
    """Specs ``start`` to ``stop``, built from data (hook keywords named after it), each used
    through ``call`` and ``emit`` and dropped; weak references to them."""
    references: list[weakref.ref[Any]] = []
    for j in range(start, stop):
        source = (
            f"class Spec(Protocol):\n"
            f"    def on_row(self, *, col_{j}: object, other_{j}: object) -> None: ...\n"
            f"class Impl:\n"
            f"    def on_row(self, *, col_{j}: object, other_{j}: object) -> None:\n"
            f"        pass\n"
        )
        namespace: dict[str, Any] = {"Protocol": Protocol}
        exec(compile(source, f"<data spec {j}>", "exec"), namespace)  # noqa: S102
        spec = namespace["Spec"]
        manager = CallbackManager(spec, [namespace["Impl"]() for _ in range(3)])
        row = {f"col_{j}": 1, f"other_{j}": 2}
        manager.call.on_row(**row)
        assert manager.emit(spec.on_row, **row) == [None] * 3
        references.append(weakref.ref(spec))
        del spec, manager, namespace
    return references


def test_data_dependent_specs_do_not_accumulate() -> None:
    """Specs built from data, each used and dropped: the specs are collected, and past a first
    batch (which may fill a bounded cache) ``linecache`` does not grow with them."""
    references = run_data_specs(0, 200)
    gc.collect()
    before = len(linecache.cache)
    references += run_data_specs(200, 400)
    assert collected(*references)
    grown = len(linecache.cache) - before
    assert grown < 100, f"linecache grew by {grown} entries over 200 specs"


class Source:
    """An object whose method an unchecked manager is given as a hook's name."""

    def on_row(self) -> None: ...


@pytest.mark.parametrize("mode", ["emit", "first"])
def test_a_method_given_as_an_unchecked_hooks_name_is_not_kept(mode: str) -> None:
    """``emit(obj.on_row)`` names the hook ``on_row``: the manager keeps neither the method nor
    its object, however many such objects come and go."""
    manager = CallbackManager(None, [Source()])
    # (Typed for spec methods and names; at run time an unchecked manager takes any method.)
    dispatch: Any = manager.emit if mode == "emit" else manager.first
    references: list[weakref.ref[Any]] = []
    for _ in range(100):
        source = Source()
        dispatch(source.on_row)
        references.append(weakref.ref(source))
        del source
    assert collected(*references)
