"""The dispatch contenders: protocall's ways of calling a hook, the hand-written limit, the peers.

Every contender dispatches the same hook, ``on_train_batch_end(loss=..., output=...)``, to the
same number of implementers, each of which does one increment. Of the N registered callbacks,
every other one implements the hook (all of them at N=1); the rest implement only
``on_train_start``. Each statement is written the way a user's training loop would write it
(``manager.call.on_train_batch_end(...)`` pays for its two attribute lookups, ``emit(Spec.hook,
...)`` for reading ``Spec.hook``), and before any timing each one is run once and checked to
have called every implementer exactly once.

The peers (Lightning Fabric, pluggy, psygnal, blinker) are optional: a peer that is not installed
is left out, with a note.
"""

from __future__ import annotations

import importlib.util
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol

from _harness import Case, compile_case

from protocall import CallbackManager

__all__ = [
    "PEERS",
    "Contender",
    "Implementer",
    "Spec",
    "case_namespace",
    "dispatch_contenders",
    "missing_peers",
    "scaling_contenders",
    "verify",
]

HOOK: Final = "on_train_batch_end"
LOSS: Final = 0.25
OUTPUT: Final = object()

PEERS: Final = {
    "lightning": "Lightning Fabric",
    "pluggy": "pluggy",
    "psygnal": "psygnal",
    "blinker": "blinker",
}
"""Peer modules (as imported) and the names the tables use for them."""


def missing_peers() -> list[str]:
    """The peer modules that are not installed."""
    return [module for module in PEERS if importlib.util.find_spec(module) is None]


# -- The spec and the callbacks ---------------------------------------------------------------


class OnTrainStart(Protocol):
    def on_train_start(self) -> None: ...


class OnTrainBatchStart(Protocol):
    def on_train_batch_start(self, *, batch: object, batch_idx: int) -> None: ...


class OnTrainBatchEnd(Protocol):
    def on_train_batch_end(self, *, loss: float, output: object) -> None: ...


class OnTrainEnd(Protocol):
    def on_train_end(self) -> None: ...


class OnValidationStart(Protocol):
    def on_validation_start(self) -> None: ...


class OnValidationEnd(Protocol):
    def on_validation_end(self) -> None: ...


class Spec(OnTrainStart, OnTrainBatchStart, OnTrainBatchEnd, OnTrainEnd, OnValidationStart, OnValidationEnd, Protocol):
    """The benchmark's hooks: a training loop's, as in the design brief."""


class Counting:
    """Counts the calls it receives."""

    def __init__(self) -> None:
        self.count = 0


class Implementer(Counting):
    """Implements the measured hook (and one other)."""

    def on_train_start(self) -> None:
        self.count += 1

    def on_train_batch_end(self, *, loss: float, output: object) -> None:
        self.count += 1


class Bystander(Counting):
    """Registered, but implements another hook only: dispatch must not pay for it."""

    def on_train_start(self) -> None:
        self.count += 1


def population(n: int, implementers: int) -> list[Counting]:
    """``n`` callbacks; the ``implementers`` that implement the hook are spread evenly."""
    if implementers == n:
        return [Implementer() for _ in range(n)]
    step = n // implementers
    return [Implementer() if i % step == 0 and i // step < implementers else Bystander() for i in range(n)]


def half(n: int) -> int:
    """How many of ``n`` callbacks implement the hook: half of them, or the one at N=1."""
    return max(1, n // 2)


# -- Contenders -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Contender:
    """A case to time and the objects whose counts must each rise by one per run."""

    case: Case
    counters: Sequence[Counting] = field(default_factory=tuple)


def case_namespace(**objects: object) -> dict[str, object]:
    """A case's namespace: the hook's arguments and ``objects``."""
    return {"loss": LOSS, "output": OUTPUT, **objects}


def protocall_contenders(callbacks: Sequence[Counting], tag: str) -> list[Contender]:
    """The hand-written limit and protocall's dispatch styles over ``callbacks``."""
    implementers = [cb for cb in callbacks if isinstance(cb, Implementer)]
    methods = tuple(cb.on_train_batch_end for cb in implementers)
    manager = CallbackManager(Spec, callbacks)
    unchecked = CallbackManager(None, callbacks)
    kw = "loss=loss, output=output"
    cases = [
        Case(f"hand loop{tag}", f"for m in methods:\n    m({kw})", case_namespace(methods=methods)),
        Case(f"hand listcomp{tag}", f"[m({kw}) for m in methods]", case_namespace(methods=methods)),
        Case(f"call.hook{tag}", f"manager.call.on_train_batch_end({kw})", case_namespace(manager=manager)),
        Case(f"emit(Spec.hook){tag}", f"manager.emit(Spec.on_train_batch_end, {kw})", case_namespace(manager=manager, Spec=Spec)),
        Case(f"emit('hook'){tag}", f"manager.emit('on_train_batch_end', {kw})", case_namespace(manager=manager)),
        Case(f"unchecked emit('hook'){tag}", f"unchecked.emit('on_train_batch_end', {kw})", case_namespace(unchecked=unchecked)),
        Case(f"unchecked call.hook{tag}", f"unchecked.call.on_train_batch_end({kw})", case_namespace(unchecked=unchecked)),
    ]
    return [Contender(case, implementers) for case in cases]


def fabric_contender(callbacks: Sequence[Counting], tag: str) -> Contender:
    """Lightning Fabric's ``call``: ``getattr`` and ``inspect.signature`` per callback per call."""
    from lightning.fabric import Fabric

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fabric = Fabric(callbacks=list(callbacks), accelerator="cpu", devices=1)
    case = Case(f"Fabric.call{tag}", "fabric.call('on_train_batch_end', loss=loss, output=output)", case_namespace(fabric=fabric))
    return Contender(case, [cb for cb in callbacks if isinstance(cb, Implementer)])


def pluggy_contender(n: int, implementers: int, tag: str) -> Contender:
    """pluggy: a hookspec class, plugins with ``@hookimpl`` methods, ``pm.hook.name(**kwargs)``."""
    import pluggy

    hookspec = pluggy.HookspecMarker("bench")
    hookimpl = pluggy.HookimplMarker("bench")

    class PluggySpec:
        @hookspec
        def on_train_start(self) -> None: ...

        @hookspec
        def on_train_batch_end(self, loss: float, output: object) -> None: ...

    class PluggyImplementer(Counting):
        @hookimpl
        def on_train_start(self) -> None:
            self.count += 1

        @hookimpl
        def on_train_batch_end(self, loss: float, output: object) -> None:
            self.count += 1

    class PluggyBystander(Counting):
        @hookimpl
        def on_train_start(self) -> None:
            self.count += 1

    plugins = _population_of(n, implementers, PluggyImplementer, PluggyBystander)
    pm = pluggy.PluginManager("bench")
    pm.add_hookspecs(PluggySpec)
    for plugin in plugins:
        pm.register(plugin)
    case = Case(f"pluggy{tag}", "pm.hook.on_train_batch_end(loss=loss, output=output)", case_namespace(pm=pm))
    return Contender(case, [p for p in plugins if isinstance(p, PluggyImplementer)])


def psygnal_contenders(implementers: int, tag: str) -> list[Contender]:
    """psygnal: one ``SignalInstance(float, object)`` with each implementer's method connected.

    psygnal passes arguments positionally; only implementers are connected (a bystander has
    nothing to connect).
    """
    from psygnal import SignalInstance

    class PsygnalImplementer(Counting):
        def on_train_batch_end(self, loss: float, output: object) -> None:
            self.count += 1

    slots = [PsygnalImplementer() for _ in range(implementers)]
    signal = SignalInstance((float, object))
    for slot in slots:
        signal.connect(slot.on_train_batch_end)
    return [
        Contender(Case(f"psygnal emit{tag}", "signal.emit(loss, output)", case_namespace(signal=signal)), slots),
        Contender(Case(f"psygnal emit_fast{tag}", "signal.emit_fast(loss, output)", case_namespace(signal=signal)), slots),
    ]


def blinker_contender(implementers: int, tag: str) -> Contender:
    """blinker: a ``Signal`` with each implementer's method connected, ``send(sender, **kwargs)``."""
    import blinker

    class BlinkerImplementer(Counting):
        def on_train_batch_end(self, sender: object, *, loss: float, output: object) -> None:
            self.count += 1

    receivers = [BlinkerImplementer() for _ in range(implementers)]
    signal = blinker.Signal()
    for receiver in receivers:
        signal.connect(receiver.on_train_batch_end)
    case = Case(f"blinker send{tag}", "signal.send(sender, loss=loss, output=output)", case_namespace(signal=signal, sender=object()))
    return Contender(case, receivers)


def _population_of(n: int, implementers: int, implementer: Callable[[], Counting], bystander: Callable[[], Counting]) -> list[Counting]:
    return [implementer() if isinstance(cb, Implementer) else bystander() for cb in population(n, implementers)]


def dispatch_contenders(n: int, peers: Sequence[str]) -> list[Contender]:
    """Every contender for ``n`` callbacks of which half implement the hook."""
    k = half(n)
    callbacks = population(n, k)
    tag = f" /{n}"
    contenders = protocall_contenders(callbacks, tag)
    if "lightning" in peers:
        contenders.append(fabric_contender(population(n, k), tag))
    if "pluggy" in peers:
        contenders.append(pluggy_contender(n, k, tag))
    if "psygnal" in peers:
        contenders += psygnal_contenders(k, tag)
    if "blinker" in peers:
        contenders.append(blinker_contender(k, tag))
    return contenders


def scaling_contenders(n: int, peers: Sequence[str]) -> list[Contender]:
    """One implementer among ``n`` registered callbacks."""
    callbacks = population(n, 1)
    tag = f" 1/{n}"
    keep = ("hand loop", "call.hook", "emit(Spec.hook)", "unchecked emit('hook')")
    contenders = [c for c in protocall_contenders(callbacks, tag) if c.case.name.startswith(keep)]
    if "lightning" in peers:
        contenders.append(fabric_contender(population(n, 1), tag))
    if "pluggy" in peers:
        contenders.append(pluggy_contender(n, 1, tag))
    return contenders


def verify(contenders: Sequence[Contender]) -> None:
    """Run each contender once: every implementer must have been called exactly once."""
    for contender in contenders:
        timed = compile_case(contender.case)  # already runs it once
        before = [c.count for c in contender.counters]
        timed(1)
        after = [c.count for c in contender.counters]
        if any(b - a != 1 for a, b in zip(before, after)) or not contender.counters:
            raise AssertionError(f"{contender.case.name}: the implementers were not each called once")
