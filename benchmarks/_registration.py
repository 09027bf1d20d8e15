"""Registration and unregistration cost, and memory per registered callback.

Registration reads a callback's class afresh every time (a change to it is always seen); what
it remembers is the verdict on each function's parameters, per hook and code object. So the
first instance of a class pays for ``inspect.signature`` and the checks, and later instances of
that class only for reading it and binding their methods. To time the first-instance cost again in
every round, each round registers *new* classes, generated (untimed) from source so that each has
its own functions, as classes written in a module would.

Another instance of a known class is also timed against wider specs (10 and 40 hooks, generated
like Lightning's callback hooks), for a class that implements 4 of the hooks and for one that
implements them all, next to the floor under any registration that reads the class afresh (see
``_minimal_registrations``). Unregistering many callbacks newest-first (as a ``with`` block or a stack
of temporary callbacks would) is timed at 2,500, 5,000 and 10,000 callbacks, to show whether its
total grows linearly (2x per doubling) or quadratically (4x).
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Final

from _contenders import Implementer, Spec
from _harness import OneShot

from protocall import CallbackManager

__all__ = [
    "UNREGISTER_SIZES",
    "WIDE_IMPLEMENTED",
    "WIDE_SPECS",
    "MemoryRow",
    "fresh_classes",
    "known_class_name",
    "memory_rows",
    "registration_cases",
    "unregister_cases",
    "unregister_name",
    "wide_registration_cases",
]

COUNT: Final = 64
WIDE_SPECS: Final = (10, 40)
"""Hook counts of the generated wide specs."""
WIDE_IMPLEMENTED: Final = 4
"""How many hooks the typical callback of a wide spec implements."""
UNREGISTER_SIZES: Final = (2_500, 5_000, 10_000)

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
        cases.append(
            OneShot(f"psygnal: connect {COUNT} slots (distinct classes)", _psygnal_connect)
        )
    if "pluggy" in peers:
        cases.append(
            OneShot(f"pluggy: register {COUNT} plugins (distinct classes)", _pluggy_register())
        )
    return cases


# -- Wide specs -------------------------------------------------------------------------------

_HOOK_SHAPES: Final = (
    "(self) -> None",
    "(self, *, loss: float, output: object) -> None",
    "(self, batch: object, batch_idx: int) -> None",
)


def wide_spec(hooks: int) -> tuple[type, type, type]:
    """A spec Protocol of ``hooks`` hooks (of the three shapes in turn), a callback class that
    implements ``WIDE_IMPLEMENTED`` of them (spread over the spec), and one that implements all."""

    def method(i: int, body: str) -> str:
        return f"    def on_hook_{i}{_HOOK_SHAPES[i % len(_HOOK_SHAPES)]}:\n        {body}\n"

    few = range(0, hooks, hooks // WIDE_IMPLEMENTED)[:WIDE_IMPLEMENTED]
    source = (
        "from typing import Protocol\n\n"
        f"class WideSpec{hooks}(Protocol):\n"
        + "".join(method(i, "...") for i in range(hooks))
        + "\n"
        f"class Few{hooks}:\n    def __init__(self):\n        self.count = 0\n\n"
        + "".join(method(i, "self.count += 1") for i in few)
        + "\n"
        f"class All{hooks}:\n    def __init__(self):\n        self.count = 0\n\n"
        + "".join(method(i, "self.count += 1") for i in range(hooks))
    )
    namespace: dict[str, Any] = {"__name__": f"bench_wide_{hooks}"}
    exec(compile(source, f"<bench wide spec {hooks}>", "exec"), namespace)  # noqa: S102
    return namespace[f"WideSpec{hooks}"], namespace[f"Few{hooks}"], namespace[f"All{hooks}"]


def _known_instances(
    spec: Callable[..., object], cls: type, *, construct: bool
) -> Callable[[], Callable[[], object]]:
    """Prepares the registration of ``COUNT`` new instances of ``cls``: one ``register()`` call
    each, or (``construct``) the constructor's list."""

    def prepare() -> Callable[[], object]:
        callbacks = [cls() for _ in range(COUNT)]
        if construct:
            return lambda: CallbackManager(spec, callbacks)

        def operation() -> object:
            manager = CallbackManager(spec)
            for callback in callbacks:
                manager.register(callback)
            return manager

        return operation

    return prepare


def known_class_name(hooks: int, implemented: int, how: str) -> str:
    return f"known class, per instance: {how} ({hooks}-hook spec, implements {implemented})"


def wide_registration_cases() -> list[OneShot]:
    """Another instance of an already validated class, registered against the wide specs."""
    cases: list[OneShot] = []
    for hooks in WIDE_SPECS:
        spec, few, every = wide_spec(hooks)
        for cls, implemented in ((few, WIDE_IMPLEMENTED), (every, hooks)):
            CallbackManager(spec, [cls()])  # validates the class: it is known from then on
            for how, construct in (("register()", False), ("CallbackManager(Spec, list)", True)):
                name = known_class_name(hooks, implemented, how)
                cases.append(
                    OneShot(name, _known_instances(spec, cls, construct=construct), per=COUNT)
                )
            cases.append(
                OneShot(
                    known_class_name(hooks, implemented, "floor, the least an afresh reading does"),
                    _minimal_registrations(spec, cls),
                    per=COUNT,
                )
            )
    return cases


def _minimal_registrations(spec: type, cls: type) -> Callable[[], Callable[[], object]]:
    """The floor under registering an instance of a known class while reading the class afresh
    (as protocall must, to see any change to it): per class of the MRO, its names looked up in
    a memo; per hook name, one attribute lookup; per implemented hook, the remembered verdict
    checked; then a record appended under a lock. No error handling, warnings, priorities, weak
    references, duplicates or dispatch states: a floor to compare with, not an alternative."""
    import threading
    from types import FunctionType, MethodType

    names = tuple(name for name in vars(spec) if name.startswith("on_"))
    memo: dict[tuple[str, ...], object] = {tuple(klass.__dict__): None for klass in cls.__mro__}
    verdicts: dict[int, tuple[object, object]] = {}
    for name in names:
        function = getattr(cls, name, None)
        if isinstance(function, FunctionType):
            verdicts[id(function.__code__)] = (function.__code__, function.__defaults__)
    missing = object()

    def prepare() -> Callable[[], object]:
        callbacks = [cls() for _ in range(COUNT)]
        lock = threading.RLock()
        records: list[tuple[object, dict[str, object]]] = []

        def operation() -> object:
            for callback in callbacks:
                for klass in type(callback).__mro__[:-1]:
                    memo.get(tuple(klass.__dict__))
                targets: dict[str, object] = {}
                for name in names:
                    value = getattr(callback, name, missing)
                    if value is missing:
                        continue
                    if type(value) is MethodType and value.__self__ is callback:
                        function = value.__func__
                        code = function.__code__
                        known = verdicts.get(id(code))
                        if (
                            known is not None
                            and known[0] is code
                            and known[1] is function.__defaults__
                        ):
                            targets[name] = value
                with lock:
                    records.append((callback, targets))
            return records

        return operation

    return prepare


# -- Unregistration ---------------------------------------------------------------------------


def unregister_name(kind: str, size: int) -> str:
    return f"{kind}: unregister {size:,} newest-first"


def _unregister_newest_first(spec: Callable[..., object] | None, size: int) -> Callable[[], object]:
    callbacks = [Implementer() for _ in range(size)]
    manager: CallbackManager[Any] = CallbackManager(spec, callbacks)
    manager.call.on_train_batch_end(
        loss=0.0, output=None
    )  # dispatchers built, as in a running loop

    def operation() -> object:
        for callback in reversed(callbacks):
            manager.unregister(callback)
        return manager

    return operation


def unregister_cases() -> list[OneShot]:
    """Unregistering every callback, newest first, of checked and unchecked managers."""
    return [
        OneShot(unregister_name(kind, size), partial(_unregister_newest_first, spec, size))
        for kind, spec in (("checked", Spec), ("unchecked", None))
        for size in UNREGISTER_SIZES
    ]


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
            for name in (
                "on_train_start",
                "on_train_batch_start",
                "on_train_batch_end",
                "on_train_end",
            ):
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
    rows.append(MemoryRow(f"protocall: new classes ({COUNT}), incl. their verdicts", per))
    per, _ = _traced(count, lambda: CallbackManager(None, callbacks))
    rows.append(MemoryRow("protocall unchecked: registered", per))
    per, _ = _traced(count, lambda: tuple(cb.on_train_batch_end for cb in callbacks))
    rows.append(MemoryRow("hand: a tuple of bound methods", per))
    if "psygnal" in peers:
        from psygnal import SignalInstance

        slots = [
            instance.on_train_batch_end  # type: ignore[attr-defined]
            for instance in _instances(fresh_classes(1, "Slot") * count)
        ]

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
