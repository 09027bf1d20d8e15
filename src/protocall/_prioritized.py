"""``Prioritized(callback, priority)``: a callback with a priority, for a constructor's list;
and the checks of a priority given either way."""

from __future__ import annotations

from typing import Final, Generic, TypeVar, cast

__all__ = ["Prioritized", "checked_priority", "unwrap"]

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


def unwrap(item: object) -> tuple[object, int]:
    """An item of the constructor's list as ``(callback, priority)``."""
    if isinstance(item, Prioritized):
        wrapped = cast(Prioritized[object], item)
        return wrapped.callback, checked_priority(wrapped.priority)
    return item, 0


def checked_priority(priority: object) -> int:
    """``priority`` if it is an int (not a bool), else a :class:`TypeError`."""
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise TypeError(f"a callback's priority is an int (higher runs earlier), not {priority!r}")
    return priority
