"""``Prioritized(callback, priority)``: a callback with a priority, for a constructor's list."""

from __future__ import annotations

from typing import Final, Generic, TypeVar, cast

__all__ = ["Prioritized"]

C = TypeVar("C")


class Prioritized(Generic[C]):
    """A callback with a priority, for the constructor's list: ``Prioritized(Timer(), 10)``.

    Higher priorities are called earlier; equal priorities keep registration order. The
    manager registers (and reports in ``callbacks``) the callback itself, not this wrapper.
    """

    __slots__ = ("callback", "priority")

    def __init__(self, callback: C, priority: int = 0) -> None:
        self.callback: Final = callback
        self.priority: Final = priority

    def __repr__(self) -> str:
        return f"Prioritized({self.callback!r}, {self.priority!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Prioritized):
            return NotImplemented
        that = cast(Prioritized[object], other)
        return self.callback is that.callback and self.priority == that.priority

    def __hash__(self) -> int:
        return hash((id(self.callback), self.priority))
