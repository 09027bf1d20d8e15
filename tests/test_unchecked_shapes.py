"""The unchecked manager's dispatch paths pass every call exactly what Fabric 2.6 passes.

An unchecked hook's entry makes the calls itself for calls of the shape (positional count,
keyword names) of the call that built its snapshot, the first after each change of
registrations; a call of another shape goes to a dispatcher written for that shape; beyond
``STRAIGHT_LINE_LIMIT`` implementers (or under an error policy) every call does. These tests
run each shape both ways, in every order, and pin that the paths change nothing observable:
arguments and their order, results, notes, odd keyword names, more shapes than it remembers.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from protocall import CallbackManager


class Recorder:
    def __init__(self, label: str, log: list[tuple[str, tuple[object, ...], dict[str, object]]]):
        self.label = label
        self.log = log

    def on_event(self, *args: object, **kwargs: object) -> str:
        self.log.append((self.label, args, kwargs))
        return self.label


Log = list[tuple[str, tuple[object, ...], dict[str, object]]]


@pytest.fixture(
    params=[2, 5, 70],
    ids=["2 implementers", "5 implementers", "70 implementers (beyond the limit)"],
)
def labels(request: pytest.FixtureRequest) -> list[str]:
    count: int = request.param
    return [chr(ord("a") + i) for i in range(count)]


def make(labels: list[str]) -> tuple[CallbackManager[Any], Log]:
    log: Log = []
    return CallbackManager(None, [Recorder(label, log) for label in labels]), log


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((), {}),
        ((1,), {}),
        ((1, 2), {"x": 3}),
        ((), {"loss": 0.5, "output": None}),
        ((), {"output": None, "loss": 0.5}),
        ((), {"a b": 1, "class": 2, "_pc_m0": 3}),  # not identifiers, keywords, internal names
    ],
)
def test_every_call_shape_reaches_each_implementer_unchanged(
    labels: list[str], args: tuple[object, ...], kwargs: dict[str, object]
) -> None:
    manager, log = make(labels)
    assert manager.emit("on_event", *args, **kwargs) == labels
    manager.call.on_event(*args, **kwargs)
    assert log == [(label, args, kwargs) for label in labels] * 2


def test_more_shapes_than_it_remembers_still_dispatch_correctly(labels: list[str]) -> None:
    manager, log = make(labels)
    for count in range(40):
        kwargs: dict[str, object] = {f"k{count}": count}
        manager.call.on_event(*range(count % 3), **kwargs)
        assert log[-len(labels) :] == [(label, tuple(range(count % 3)), kwargs) for label in labels]


class Boom:
    def on_event(self, *args: object, **kwargs: object) -> None:
        raise ValueError("boom")


def test_an_exception_names_the_implementer_whatever_the_shape(labels: list[str]) -> None:
    log: Log = []
    callbacks: list[object] = [Recorder(label, log) for label in labels]
    manager = CallbackManager(None, [*callbacks, Boom()])
    with pytest.raises(ValueError, match="boom") as caught:
        manager.call.on_event(1, flag=True)
    count = len(labels) + 1
    assert caught.value.__notes__ == [
        f"protocall: raised by callback Boom (implementer {count} of {count}) in hook 'on_event'"
    ]
    assert log == [(label, (1,), {"flag": True}) for label in labels]


# -- the entry's own calls against the dispatchers per shape, and against Fabric's filtering ------

Logged = list[tuple[str, tuple[object, ...], list[tuple[str, object]]]]


class Named:
    """Names its keywords: gets those of the call that it names, in its signature's order."""

    def __init__(self, label: str, log: Logged) -> None:
        self.label, self.log = label, log

    def on_event(self, *args: object, loss: object = None, output: object = None) -> str:
        self.log.append((self.label, args, [("loss", loss), ("output", output)]))
        return self.label


class Subset:
    """Names one of the keywords: the others are left out."""

    def __init__(self, label: str, log: Logged) -> None:
        self.label, self.log = label, log

    def on_event(self, *args: object, loss: object = None) -> str:
        self.log.append((self.label, args, [("loss", loss)]))
        return self.label


class TakesAny:
    """Takes ``**kwargs``: gets every keyword, in the call's order."""

    def __init__(self, label: str, log: Logged) -> None:
        self.label, self.log = label, log

    def on_event(self, *args: object, **kwargs: object) -> str:
        self.log.append((self.label, args, list(kwargs.items())))
        return self.label


class DeclaredHook:
    """A callable whose ``__signature__`` names ``output`` and ``loss`` but that takes anything:
    it sees the order in which the keywords it is passed come (Fabric: the signature's)."""

    def __init__(self, label: str, log: Logged) -> None:
        self.label, self.log = label, log
        self.__signature__ = inspect.Signature(
            [
                inspect.Parameter("args", inspect.Parameter.VAR_POSITIONAL),
                inspect.Parameter("output", inspect.Parameter.KEYWORD_ONLY, default=None),
                inspect.Parameter("loss", inspect.Parameter.KEYWORD_ONLY, default=None),
            ]
        )

    def __call__(self, *args: object, **kwargs: object) -> str:
        self.log.append((self.label, args, list(kwargs.items())))
        return self.label


class Declared:
    def __init__(self, label: str, log: Logged) -> None:
        self.label = label
        self.on_event = DeclaredHook(label, log)


def fabric_reference(
    callbacks: Sequence[object], args: tuple[object, ...], kwargs: dict[str, object]
) -> None:
    """Lightning Fabric 2.6's ``call``, as DESIGN.md (semantics 9) states it."""
    for callback in callbacks:
        method = getattr(callback, "on_event", None)
        if method is None:
            continue
        parameters = inspect.signature(method).parameters.values()
        if any(p.kind is p.VAR_KEYWORD for p in parameters):
            method(*args, **kwargs)
        else:
            method(*args, **{p.name: kwargs[p.name] for p in parameters if p.name in kwargs})


KINDS: dict[str, tuple[type, ...]] = {
    "named": (Named, Named),
    "named and a subset": (Named, Subset, Named),
    "named and **kwargs": (Named, TakesAny),
    "a declared signature": (Declared,),
    "all four": (Subset, Declared, TakesAny, Named),
    "**kwargs only": (TakesAny, TakesAny),
    "none": (),
}
SHAPES: list[tuple[tuple[object, ...], dict[str, object]]] = [
    ((), {"loss": 1, "output": 2}),
    ((), {"output": 2, "loss": 1}),  # the same keywords in another order
    ((), {"loss": 1}),
    ((), {"loss": 1, "output": 2, "extra": 3}),
    ((), {}),
    ((7,), {"loss": 1, "output": 2}),
    ((7, 8), {"output": 2}),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("first", range(len(SHAPES)))
@pytest.mark.parametrize("mode", ["call", "emit", "first"])
def test_each_shape_after_each_other_gets_what_fabric_passes(
    kind: str, first: int, mode: str
) -> None:
    """A manager's first call (of shape ``first``) builds the snapshot and sets the shape whose
    calls its entry makes itself; then every shape is called twice, the first again in
    between: the log of each is the log of Fabric's filtering on fresh callbacks."""
    log: Logged = []
    callbacks = [cls(f"{cls.__name__}{i}", log) for i, cls in enumerate(KINDS[kind])]
    manager = CallbackManager(None, callbacks)
    dispatch: dict[str, Callable[..., object]] = {
        "call": manager.call.on_event,
        "emit": lambda *a, **k: manager.emit("on_event", *a, **k),
        "first": lambda *a, **k: manager.first("on_event", *a, **k),
    }
    labels = [cb.label for cb in callbacks]
    expected_result = {"call": None, "emit": labels, "first": labels[0] if labels else None}[mode]
    sequence = [first, *(i for shape in range(len(SHAPES)) for i in (shape, shape, first))]
    for index in sequence:
        args, kwargs = SHAPES[index]
        del log[:]
        assert dispatch[mode](*args, **kwargs) == expected_result
        got = list(log)
        del log[:]
        fabric_reference(callbacks, args, kwargs)
        if mode == "first":
            del log[1:]
        assert got == log, f"shape {index} after shape {first}"


class Quiet:
    """Takes ``loss`` and returns None, so that ``first`` goes on to the next implementer."""

    def __init__(self, label: str, log: Logged) -> None:
        self.label, self.log = label, log

    def on_event(self, *args: object, loss: object = None) -> None:
        self.log.append((self.label, args, [("loss", loss)]))


class Failing:
    """Raises from ``on_event`` when armed."""

    def __init__(self) -> None:
        self.armed = False

    def on_event(self, *, loss: object) -> None:
        if self.armed:
            raise ValueError("boom")


@pytest.mark.parametrize("mode", ["call", "emit", "first"])
@pytest.mark.parametrize("position", [0, 2])
def test_an_exception_from_the_entrys_own_calls_names_the_implementer(
    mode: str, position: int
) -> None:
    log: Logged = []
    failing = Failing()
    callbacks: list[object] = [Quiet("s", log), Quiet("t", log)]
    callbacks.insert(position, failing)
    manager = CallbackManager(None, callbacks)
    dispatchers: dict[str, Callable[..., object]] = {
        "call": manager.call.on_event,
        "emit": lambda *a, **k: manager.emit("on_event", *a, **k),
        "first": lambda *a, **k: manager.first("on_event", *a, **k),
    }
    dispatch = dispatchers[mode]
    dispatch(loss=1)  # builds the snapshot: the entry makes calls of this shape itself
    failing.armed = True
    del log[:]
    with pytest.raises(ValueError, match="boom") as caught:
        dispatch(loss=1)
    assert caught.value.__notes__ == [
        f"protocall: raised by callback Failing (implementer {position + 1} of 3) in hook 'on_event'"
    ]
    assert [label for label, *_ in log] == ["s", "t"][:position]


def test_an_entry_that_started_with_the_code_of_another_snapshot_filters_as_the_current_one() -> (
    None
):
    """A dispatch takes its code when it starts and reads the snapshot a moment later: across a
    change of registrations in another thread in between, the code may be the one written for
    the previous snapshot. With the same number of implementers but other keyword filtering,
    the entry must not make its own calls: it sees the snapshot's layout is not its own."""
    log: Logged = []
    named, subset = Named("n", log), Subset("s", log)
    manager = CallbackManager(None, [named])
    entry = manager.call.on_event
    entry(loss=1, output=2)  # built for [named]: passes both keywords
    stale_code = entry.__code__
    manager.unregister(named)
    manager.register(subset)
    entry(loss=1, output=2)  # built for [subset]: passes ``loss`` only
    del log[:]
    entry.__code__ = stale_code  # as the dispatch that started before the change would run
    entry(loss=1, output=2)
    assert log == [("s", (), [("loss", 1)])]
