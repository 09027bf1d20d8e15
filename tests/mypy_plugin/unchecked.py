"""An unchecked manager (no spec) accepts anything, as Fabric does: the plugin stays silent."""

from __future__ import annotations

from typing import Any, assert_type

from protocall import CallbackManager


class Anything:
    def whatever(self, x: int) -> int:
        return x


manager = CallbackManager(None, [Anything(), Anything, 3])
assert_type(manager, CallbackManager[Any])
manager.register(Anything)
manager.register(object())
assert_type(manager.emit("on_anything", 1, 2, key="value"), list[Any])


def annotated(m: CallbackManager[Any]) -> None:
    m.register(Anything())
    assert_type(m.emit("typo"), list[Any])
