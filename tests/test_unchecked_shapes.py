"""The unchecked manager's per-call-shape dispatchers forward every call exactly as given.

With two or more implementers, an unchecked manager generates one dispatcher per call shape
(positional count, keyword names). These tests pin that the shapes change nothing observable:
arguments, order, results, notes, odd keyword names, and more shapes than it remembers.
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


def make() -> tuple[CallbackManager[Any], list[tuple[str, tuple[object, ...], dict[str, object]]]]:
    log: list[tuple[str, tuple[object, ...], dict[str, object]]] = []
    return CallbackManager(None, [Recorder("a", log), Recorder("b", log)]), log


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
    args: tuple[object, ...], kwargs: dict[str, object]
) -> None:
    manager, log = make()
    assert manager.emit("on_event", *args, **kwargs) == ["a", "b"]
    manager.call.on_event(*args, **kwargs)
    assert log == [("a", args, kwargs), ("b", args, kwargs)] * 2


def test_more_shapes_than_it_remembers_still_dispatch_correctly() -> None:
    manager, log = make()
    for count in range(40):
        kwargs: dict[str, object] = {f"k{count}": count}
        manager.call.on_event(*range(count % 3), **kwargs)
        assert log[-2:] == [
            ("a", tuple(range(count % 3)), kwargs),
            ("b", tuple(range(count % 3)), kwargs),
        ]


class Boom:
    def on_event(self, *args: object, **kwargs: object) -> None:
        raise ValueError("boom")


def test_an_exception_names_the_implementer_whatever_the_shape() -> None:
    log: list[tuple[str, tuple[object, ...], dict[str, object]]] = []
    manager = CallbackManager(None, [Recorder("a", log), Boom()])
    with pytest.raises(ValueError, match="boom") as caught:
        manager.call.on_event(1, flag=True)
    assert caught.value.__notes__ == [
        "protocall: raised by callback Boom (implementer 2 of 2) in hook 'on_event'"
    ]
    assert log == [("a", (1,), {"flag": True})]
