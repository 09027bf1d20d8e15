"""Registration cost and memory per registered callback.

Registration validates a callback's class once per (class, spec) and caches the result, so the
first instance of a class pays for ``inspect.signature`` and the checks, and later instances only
bind their methods. To time the first-instance cost again in every round, each round registers
*new* classes, generated (untimed) from source so that each has its own functions, as classes
written in a module would.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from _contenders import Implementer, Spec
from _harness import OneShot

from protocall import CallbackManager

__all__ = ["MemoryRow", "fresh_classes", "memory_rows", "registration_cases"]

COUNT: Final = 64

_CLASS_SOURCE: Final = '''
class Callback{i}:
    """A callback class implementing four hooks of the spec."""

    def __init__(self):
        self.count = 0

    def on_train_start(self) -> None:
        self.count += 1

    def on_train_batch_start(self, *, batch: object, batch_idx: int) -> None:
        self.count += 1

    def on_train_batch_end(self, *, loss: float, output: object) -> None:
        self.count += 1

    def on_train_end(self) -> None:
        self.count += 1


class Slot{i}:
    """The same for psygnal, whose slots take positional arguments."""

    def __init__(self):
        self.count = 0

    def on_train_batch_end(self, loss: float, output: object) -> None:
        self.count += 1
'''

_serial = 0


def fresh_classes(count: int, prefix: str = "Callback") -> list[type]:
    """``count`` new classes (``Callback<i>`` or ``Slot<i>``), never seen by any manager."""
    global _serial
    _serial += 1
    namespace: dict[str, Any] = {"__name__": f"bench_generated_{_serial}"}
    source = "\n".join(_CLASS_SOURCE.format(i=i) for i in range(count))
    exec(compile(source, f"<bench classes {_serial}>", "exec"), namespace)  # noqa: S102
    return [namespace[f"{prefix}{i}"] for i in range(count)]


def _instances(classes: Sequence[type]) -> list[object]:
    return [cls() for cls in classes]


def _register_each(callbacks: Sequence[object]) -> Callable[[], object]:
    def operation() -> object:
        manager: CallbackManager[Spec] = CallbackManager(Spec)
        for callback in callbacks:
            manager.register(callback)
        return manager

    return operation


def _construct(callbacks: Sequence[object]) -> Callable[[], object]:
    return lambda: CallbackManager(Spec, callbacks)


_KNOWN: Final = [Implementer()]
CallbackManager(Spec, _KNOWN)  # validates Implementer once: it is a known class from then on


def _first_dispatch() -> Callable[[], object]:
    manager = CallbackManager(Spec, [Implementer() for _ in range(COUNT)])
    return lambda: manager.call.on_train_batch_end(loss=0.25, output=None)


def registration_cases(peers: Sequence[str]) -> list[OneShot]:
    """Registration operations, each on fresh inputs."""
    cases = [
        OneShot(
            f"{COUNT} distinct classes: CallbackManager(Spec, list)",
            lambda: _construct(_instances(fresh_classes(COUNT))),
        ),
        OneShot(
            f"{COUNT} distinct classes: {COUNT} x register()",
            lambda: _register_each(_instances(fresh_classes(COUNT))),
        ),
        OneShot(
            f"{COUNT} instances of one new class: CallbackManager(Spec, list)",
            lambda: _construct(_instances(fresh_classes(1) * COUNT)),
        ),
        OneShot(
            "known class, per instance: CallbackManager(Spec, list)",
            lambda: _construct([Implementer() for _ in range(COUNT)]),
            per=COUNT,
        ),
        OneShot(
            "known class, per instance: register()",
            lambda: _register_each([Implementer() for _ in range(COUNT)]),
            per=COUNT,
        ),
        OneShot(f"first call after a change ({COUNT} implementers)", _first_dispatch),
    ]
    if "psygnal" in peers:
        cases.append(OneShot(f"psygnal: connect {COUNT} slots (distinct classes)", _psygnal_connect))
    if "pluggy" in peers:
        cases.append(OneShot(f"pluggy: register {COUNT} plugins (distinct classes)", _pluggy_register()))
    return cases


def _psygnal_connect() -> Callable[[], object]:
    from psygnal import SignalInstance

    slots = [instance.on_train_batch_end for instance in _instances(fresh_classes(COUNT, "Slot"))]  # type: ignore[attr-defined]

    def operation() -> object:
        signal = SignalInstance((float, object))
        for slot in slots:
            signal.connect(slot)
        return signal

    return operation


def _pluggy_register() -> Callable[[], Callable[[], object]]:
    import pluggy

    hookspec = pluggy.HookspecMarker("bench")
    hookimpl = pluggy.HookimplMarker("bench")

    class PluggySpec:
        @hookspec
        def on_train_start(self) -> None: ...

        @hookspec
        def on_train_batch_start(self, batch: object, batch_idx: int) -> None: ...

        @hookspec
        def on_train_batch_end(self, loss: float, output: object) -> None: ...

        @hookspec
        def on_train_end(self) -> None: ...

    def prepare() -> Callable[[], object]:
        plugins = []
        for cls in fresh_classes(COUNT):
            for name in ("on_train_start", "on_train_batch_start", "on_train_batch_end", "on_train_end"):
                hookimpl(vars(cls)[name])
            plugins.append(cls())
        pm = pluggy.PluginManager("bench")
        pm.add_hookspecs(PluggySpec)

        def operation() -> object:
            for plugin in plugins:
                pm.register(plugin)
            return pm

        return operation

    return prepare


# -- Memory -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemoryRow:
    """Bytes allocated (and kept) per registered callback."""

    name: str
    bytes_per_callback: float


def _traced(count: int, action: Callable[[], object]) -> tuple[float, object]:
    """Bytes per item that ``action`` allocates and keeps (its result is kept alive)."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = action()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return (after - before) / count, kept


def memory_rows(peers: Sequence[str], count: int = 1024) -> list[MemoryRow]:
    """Memory per registered callback: protocall (known class, new classes) and the peers."""
    rows: list[MemoryRow] = []
    callbacks = [Implementer() for _ in range(count)]
    CallbackManager(Spec, callbacks).call.on_train_batch_end(loss=0.0, output=None)  # warm caches
    per, manager = _traced(count, lambda: CallbackManager(Spec, callbacks))
    rows.append(MemoryRow("protocall: known class, registered", per))

    def dispatch_all() -> object:
        assert isinstance(manager, CallbackManager)
        manager.call.on_train_start()
        manager.call.on_train_batch_end(loss=0.0, output=None)
        return manager.emit(Spec.on_train_batch_end, loss=0.0, output=None)

    per, _ = _traced(count, dispatch_all)
    rows.append(MemoryRow("protocall: + dispatchers of the 2 hooks (call & emit)", per))
    distinct = _instances(fresh_classes(COUNT))
    per, _ = _traced(COUNT, lambda: CallbackManager(Spec, distinct))
    rows.append(MemoryRow(f"protocall: new classes ({COUNT}), incl. the class plan", per))
    per, _ = _traced(count, lambda: CallbackManager(None, callbacks))
    rows.append(MemoryRow("protocall unchecked: registered", per))
    per, _ = _traced(count, lambda: tuple(cb.on_train_batch_end for cb in callbacks))
    rows.append(MemoryRow("hand: a tuple of bound methods", per))
    if "psygnal" in peers:
        from psygnal import SignalInstance

        slots = [instance.on_train_batch_end for instance in _instances(fresh_classes(1, "Slot") * count)]  # type: ignore[attr-defined]

        def connect() -> object:
            signal = SignalInstance((float, object))
            for slot in slots:
                signal.connect(slot)
            return signal

        rows.append(MemoryRow("psygnal: connected slot", _traced(count, connect)[0]))
    if "blinker" in peers:
        import blinker

        receivers = [cb.on_train_batch_end for cb in callbacks]

        def connect_blinker() -> object:
            signal = blinker.Signal()
            for receiver in receivers:
                signal.connect(receiver)
            return signal

        rows.append(MemoryRow("blinker: connected receiver", _traced(count, connect_blinker)[0]))
    if "pluggy" in peers:
        rows.append(MemoryRow("pluggy: registered plugin", _pluggy_memory(count)))
    return rows


def _pluggy_memory(count: int) -> float:
    import pluggy

    hookspec = pluggy.HookspecMarker("benchmem")
    hookimpl = pluggy.HookimplMarker("benchmem")

    class PluggySpec:
        @hookspec
        def on_train_batch_end(self, loss: float, output: object) -> None: ...

    class Plugin:
        @hookimpl
        def on_train_batch_end(self, loss: float, output: object) -> None: ...

    plugins = [Plugin() for _ in range(count)]
    pm = pluggy.PluginManager("benchmem")
    pm.add_hookspecs(PluggySpec)

    def register() -> object:
        for plugin in plugins:
            pm.register(plugin)
        return pm

    return _traced(count, register)[0]
