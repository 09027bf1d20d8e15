"""The unchecked manager's per-call-shape dispatchers forward every call exactly as given.

With a few implementers, an unchecked manager's dispatcher passes ``*args, **kwargs`` on to
each; with more (four, ``_KEYED_FROM``), it generates one dispatcher per call shape (positional
count, keyword names). These tests run both ways and pin that the shapes change nothing
observable: arguments, order, results, notes, odd keyword names, and more shapes than it
remembers.
"""

from __future__ import annotations

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


@pytest.fixture(params=[2, 5], ids=["2 implementers", "5 implementers (keyed)"])
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
