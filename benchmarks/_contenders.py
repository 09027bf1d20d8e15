"""The dispatch contenders: protocall's ways of calling a hook, the hand-written limit, the peers.

Every contender dispatches the same hook, ``on_train_batch_end(loss=..., output=...)``, to the
same number of implementers, each of which does one increment. Of the N registered callbacks,
every other one implements the hook (all of them at N=1); the rest implement only
``on_train_start``. Each statement is written the way a user's training loop would write it
(``manager.call.on_train_batch_end(...)`` pays for its two attribute lookups, ``emit(Spec.hook,
...)`` for reading ``Spec.hook``), and before any timing each one is run once and checked to
have called every implementer exactly once.

The hand-written loop calls *fresh* instances of the same classes, that no manager has ever
seen (:func:`fresh`). Registration may change an instance for the rest of its life: reading an
instance's ``__dict__`` makes CPython (3.11+) give up the inline attribute values it keeps for
an object whose dict was never asked for, and every later attribute read and write in the
callback's own body gets slower. A hand loop over the very instances the manager registered
would pay that too, and hide it; over never-registered twins it is the limit a library without
protocall reaches.

The peers (Lightning Fabric, pluggy, psygnal, blinker) are optional: a peer that is not installed
is left out, with a note.
"""

from __future__ import annotations

import importlib.util
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol, TypeVar

from _harness import Case, compile_case

from protocall import CallbackManager

__all__ = [
    "PEERS",
    "Bystander",
    "Contender",
    "Counting",
    "Implementer",
    "Spec",
    "case_namespace",
    "dispatch_contenders",
    "fresh",
    "half",
    "hand_contenders",
    "missing_peers",
    "population",
    "problem",
    "scaling_contenders",
    "usable",
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


class Spec(
    OnTrainStart,
    OnTrainBatchStart,
    OnTrainBatchEnd,
    OnTrainEnd,
    OnValidationStart,
    OnValidationEnd,
    Protocol,
):
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
    return [
        Implementer() if i % step == 0 and i // step < implementers else Bystander()
        for i in range(n)
    ]


def half(n: int) -> int:
    """How many of ``n`` callbacks implement the hook: half of them, or the one at N=1."""
    return max(1, n // 2)


CountingT = TypeVar("CountingT", bound=Counting)


def fresh(callbacks: Sequence[CountingT]) -> list[CountingT]:
    """New instances of the same classes, for a hand loop: never give them to a manager.

    See the module docstring: a registered instance may be slower to run than one that was never
    registered, and the hand loop is the limit to compare against.
    """
    return [type(callback)() for callback in callbacks]


# -- Contenders -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Contender:
    """A case to time, the objects whose counts must each rise by one per run, and those whose
    counts must not change (e.g. a callback unregistered before the run)."""

    case: Case
    counters: Sequence[Counting] = field(default_factory=tuple)
    untouched: Sequence[Counting] = field(default_factory=tuple)


def case_namespace(**objects: object) -> dict[str, object]:
    """A case's namespace: the hook's arguments and ``objects``."""
    return {"loss": LOSS, "output": OUTPUT, **objects}


def hand_contenders(implementers: Sequence[Implementer], tag: str) -> list[Contender]:
    """The hand-written loop and list comprehension, over fresh twins of ``implementers``."""
    twins = fresh(implementers)
    methods = tuple(cb.on_train_batch_end for cb in twins)
    kw = "loss=loss, output=output"
    return [
        Contender(
            Case(
                f"hand loop{tag}",
                f"for m in methods:\n    m({kw})",
                case_namespace(methods=methods),
            ),
            twins,
        ),
        Contender(
            Case(
                f"hand listcomp{tag}",
                f"[m({kw}) for m in methods]",
                case_namespace(methods=methods),
            ),
            twins,
        ),
    ]


def protocall_contenders(callbacks: Sequence[Counting], tag: str) -> list[Contender]:
    """The hand-written limit (over fresh twins) and protocall's dispatch styles over ``callbacks``.

    The unchecked manager registers twins of ``callbacks`` of its own, so that what one
    manager's registration does to an instance does not show in the other manager's figures.
    """
    implementers = [cb for cb in callbacks if isinstance(cb, Implementer)]
    manager = CallbackManager(Spec, callbacks)
    own = fresh(callbacks)
    unchecked = CallbackManager(None, own)
    unchecked_implementers = [cb for cb in own if isinstance(cb, Implementer)]
    kw = "loss=loss, output=output"
    checked_cases = [
        Case(
            f"call.hook{tag}",
            f"manager.call.on_train_batch_end({kw})",
            case_namespace(manager=manager),
        ),
        Case(
            f"emit(Spec.hook){tag}",
            f"manager.emit(Spec.on_train_batch_end, {kw})",
            case_namespace(manager=manager, Spec=Spec),
        ),
        Case(
            f"emit('hook'){tag}",
            f"manager.emit('on_train_batch_end', {kw})",
            case_namespace(manager=manager),
        ),
    ]
    unchecked_cases = [
        Case(
            f"unchecked emit('hook'){tag}",
            f"unchecked.emit('on_train_batch_end', {kw})",
            case_namespace(unchecked=unchecked),
        ),
        Case(
            f"unchecked call.hook{tag}",
            f"unchecked.call.on_train_batch_end({kw})",
            case_namespace(unchecked=unchecked),
        ),
    ]
    return (
        hand_contenders(implementers, tag)
        + [Contender(case, implementers) for case in checked_cases]
        + [Contender(case, unchecked_implementers) for case in unchecked_cases]
    )


def fabric_contender(callbacks: Sequence[Counting], tag: str) -> Contender:
    """Lightning Fabric's ``call``: ``getattr`` and ``inspect.signature`` per callback per call."""
    from lightning.fabric import Fabric

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fabric = Fabric(callbacks=list(callbacks), accelerator="cpu", devices=1)
    case = Case(
        f"Fabric.call{tag}",
        "fabric.call('on_train_batch_end', loss=loss, output=output)",
        case_namespace(fabric=fabric),
    )
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
    case = Case(
        f"pluggy{tag}",
        "pm.hook.on_train_batch_end(loss=loss, output=output)",
        case_namespace(pm=pm),
    )
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
        Contender(
            Case(f"psygnal emit{tag}", "signal.emit(loss, output)", case_namespace(signal=signal)),
            slots,
        ),
        Contender(
            Case(
                f"psygnal emit_fast{tag}",
                "signal.emit_fast(loss, output)",
                case_namespace(signal=signal),
            ),
            slots,
        ),
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
    case = Case(
        f"blinker send{tag}",
        "signal.send(sender, loss=loss, output=output)",
        case_namespace(signal=signal, sender=object()),
    )
    return Contender(case, receivers)


def _population_of(
    n: int,
    implementers: int,
    implementer: Callable[[], Counting],
    bystander: Callable[[], Counting],
) -> list[Counting]:
    return [
        implementer() if isinstance(cb, Implementer) else bystander()
        for cb in population(n, implementers)
    ]


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


def problem(contender: Contender) -> str | None:
    """Run the contender twice; what is wrong with it, or None if it called every implementer
    exactly once per run (and none of those it must leave alone)."""
    try:
        timed = compile_case(contender.case)  # already runs it once
        watched = [*contender.counters, *contender.untouched]
        before = [c.count for c in watched]
        timed(1)
        after = [c.count for c in watched]
    except Exception as exc:  # noqa: BLE001 - reported, e.g. an unsupported call on older code
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:160]
    calls = [b - a for a, b in zip(before, after, strict=True)]
    expected = [1] * len(contender.counters) + [0] * len(contender.untouched)
    if not contender.counters:
        return "nothing to check: no implementers"
    if calls != expected:
        missed = sum(1 for c, e in zip(calls, expected, strict=True) if e == 1 and c != 1)
        stray = sum(1 for c, e in zip(calls, expected, strict=True) if e == 0 and c != 0)
        return f"wrong callbacks: {missed} not called once, {stray} unregistered called"
    return None


def verify(contenders: Sequence[Contender]) -> None:
    """Run each contender once: every implementer must have been called exactly once."""
    for contender in contenders:
        found = problem(contender)
        if found is not None:
            raise AssertionError(f"{contender.case.name}: {found}")


def usable(contenders: Sequence[Contender]) -> tuple[list[Contender], dict[str, str]]:
    """The contenders that run correctly, and the problem of each of the others (by case name)."""
    ok: list[Contender] = []
    problems: dict[str, str] = {}
    for contender in contenders:
        found = problem(contender)
        if found is None:
            ok.append(contender)
        else:
            problems[contender.case.name] = found
    return ok, problems
