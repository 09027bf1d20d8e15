"""The registrations of one manager: their call order, and the lock that serialises changes.

A :class:`Registration` is one callback registered once: the callback, its priority, its
sequence number (registration order) and what dispatch calls for each hook it implements. The
:class:`Registry` keeps them sorted by call order (higher priority first, then registration
order) and indexed by callback identity, so that ``unregister`` finds and removes one in
logarithmic time (plus the list's memmove), wherever it is.

Every change runs under :attr:`Registry.lock`. Dispatch never takes it: dispatchers read
snapshots that the hook states (``_hookstate``) rebuild from :meth:`Registry.in_order`, under
the lock, after a change.
"""

from __future__ import annotations

import bisect
import itertools
import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any, Final

__all__ = ["Registration", "Registry", "Weak", "resolved"]


class Weak:
    """A weakly registered callback, as its registration and the dispatch snapshots hold it."""

    __slots__ = ("ref",)

    def __init__(self, ref: weakref.ref[Any]) -> None:
        self.ref: Final = ref

    def __call__(self) -> object | None:
        """The callback, or None once it has been collected."""
        return self.ref()


def resolved(entry: object) -> object | None:
    """A snapshot's entry as the callback it stands for (None: a weak one, collected)."""
    return entry() if type(entry) is Weak else entry


class Registration:
    """One registered callback: what dispatch calls for it, and where in the call order."""

    __slots__ = ("_strong", "key", "order", "priority", "sequence", "targets", "weak")

    def __init__(
        self,
        callback: object,
        priority: int,
        sequence: int,
        targets: dict[str, Callable[..., Any]] | None,
        weak: Weak | None = None,
    ) -> None:
        self._strong: Final = None if weak is not None else callback
        self.weak: Final = weak
        """Set for a weak registration, which does not keep its callback alive."""
        self.key: Final = id(callback)
        """The callback's identity when registered (its index key)."""
        self.priority: Final = priority
        self.sequence: Final = sequence
        """Its rank in registration order (unique within a manager)."""
        self.targets: Final = targets
        """Hook name → what dispatch calls; None on an unchecked manager (looked up by name)."""
        self.order: Final = (-priority, sequence)
        """The call order's sort key: higher priority first, then earlier registration."""

    @property
    def callback(self) -> object | None:
        """The callback (None for a weak registration whose callback was collected)."""
        weak = self.weak
        return self._strong if weak is None else weak()

    @property
    def entry(self) -> object:
        """What a dispatch snapshot holds for it: the callback, or its :class:`Weak`."""
        return self._strong if self.weak is None else self.weak

    def __repr__(self) -> str:
        return (
            f"<registration {self.sequence} of {type(self.callback).__qualname__}, "
            f"priority {self.priority}{', weak' if self.weak else ''}>"
        )


_SHRINK_FROM: Final = 1024
"""A registry that held this many registrations rebuilds its tables once most have gone."""


def _order(registration: Registration) -> tuple[int, int]:
    return registration.order


class Registry:
    """The registrations in call order, indexed by callback identity."""

    __slots__ = (
        "_index",
        "_most",
        "_order",
        "_reaped",
        "_sequence",
        "_weak",
        "changing",
        "dead",
        "lock",
    )

    def __init__(self, *, reaped: Callable[[list[Registration]], None]) -> None:
        self.lock: Final = threading.RLock()
        """Serialises changes and the rebuilding of dispatch snapshots (reentrant: a callback's
        property read while a snapshot is built may itself dispatch)."""
        self._order: list[Registration] = []
        self._index: dict[int, list[Registration]] = {}
        """``id(callback)`` → its registrations (several only on an unchecked manager)."""
        self._sequence: Final = itertools.count()
        self.changing = False
        """A change is under way (the garbage collector may run a weak registration's callback
        in the middle of one, in the same thread: it must not change the registry then)."""
        self._weak: dict[int, Registration] = {}
        """``id`` of each weak registration's reference → the registration."""
        self.dead: Final[deque[weakref.ref[Any]]] = deque()
        """References of collected weak callbacks whose registrations are still to drop."""
        self._reaped: Final = reaped
        """Told which registrations were dropped when the collector dropped them."""
        self._most = 0
        """The most registrations held since the tables were last rebuilt."""

    def add(
        self,
        entries: Iterable[tuple[object, int, dict[str, Callable[..., Any]] | None, Weak | None]],
    ) -> list[Registration]:
        """Register ``(callback, priority, targets, weak)`` entries, all or none. Under the lock."""
        added: list[Registration] = []
        order = self._order
        index = self._index
        self.changing = True
        try:
            for callback, priority, targets, weak in entries:
                registration = Registration(callback, priority, next(self._sequence), targets, weak)
                added.append(registration)  # first: what is undone on an interruption
                if not order or order[-1].priority >= priority:
                    # The usual case: it goes last (its sequence number is the highest yet).
                    order.append(registration)
                else:
                    bisect.insort(order, registration, key=_order)
                index.setdefault(registration.key, []).append(registration)
                if weak is not None:
                    self._weak[id(weak.ref)] = registration
        except BaseException:  # a KeyboardInterrupt between two steps: leave no half state
            for registration in added:
                self._delete(registration)
            raise
        finally:
            self.changing = False
        if len(order) > self._most:
            self._most = len(order)
        return added

    def remove(self, callback: object) -> Registration | None:
        """Remove the first registration (in call order) of ``callback``; None if it has none.
        Under the lock."""
        found = self.find(callback)
        if found is not None:
            self._delete(found)
        return found

    def discard(self, registrations: Iterable[Registration]) -> list[Registration]:
        """Remove those of ``registrations`` that are still registered (compared by identity:
        what a ``registered`` block made, not another registration of the same callback), and
        return them. Under the lock."""
        held = [r for r in registrations if r in self._index.get(r.key, ())]
        try:
            for registration in held:
                self._delete(registration)
        except BaseException:  # a KeyboardInterrupt between two: finish (deleting is idempotent)
            for registration in held:
                self._delete(registration)
            raise
        return held

    def _delete(self, registration: Registration) -> None:
        self.changing = True
        try:
            self._delete_now(registration)
        except BaseException:  # a KeyboardInterrupt midway: finish (each step is idempotent)
            self._delete_now(registration)
            raise
        finally:
            self.changing = False

    def _delete_now(self, registration: Registration) -> None:
        """Take ``registration`` out of every table it is in (steps that may be run again)."""
        if registration.weak is not None:
            self._weak.pop(id(registration.weak.ref), None)
        order = self._order
        position = bisect.bisect_left(order, registration.order, key=_order)
        if position < len(order) and order[position] is registration:
            del order[position]
        key = registration.key
        registrations = self._index.get(key, [])
        if registration in registrations:
            registrations.remove(registration)
            if not registrations:
                del self._index[key]
        if self._most >= _SHRINK_FROM and len(order) < self._most // 8:
            # A dict keeps its table when entries go: once most have gone, let go of it.
            self._index = dict(self._index)
            self._weak = dict(self._weak)
            self._most = len(order)

    def find(self, callback: object) -> Registration | None:
        """The first registration (in call order) of ``callback``, compared by identity."""
        candidates = self._registrations_of(callback)
        return min(candidates, key=_order) if candidates else None

    def holds(self, callback: object) -> bool:
        """Is ``callback`` registered (compared by identity)?"""
        registrations = self._index.get(id(callback))
        return registrations is not None and any(r.callback is callback for r in registrations)

    def _registrations_of(self, callback: object) -> list[Registration]:
        """``callback``'s registrations (the index is keyed by ``id``, which a collected weak
        callback's successor may reuse: the identity is checked)."""
        registrations = self._index.get(id(callback))
        if not registrations:
            return []
        if len(registrations) == 1:  # the usual case
            return registrations if registrations[0].callback is callback else []
        return [r for r in registrations if r.callback is callback]

    def collected(self, reference: weakref.ref[Any]) -> None:
        """A weakly registered callback was collected: drop its registration.

        Called by the garbage collector, at any moment and in any thread: the registration is
        queued, and dropped now if no change is under way (else at the next change or
        inspection, which call :meth:`reap`).
        """
        self.dead.append(reference)
        if self.lock.acquire(blocking=False):
            try:
                if not self.changing:
                    self._reaped(self.reap())
            finally:
                self.lock.release()

    def reap(self) -> list[Registration]:
        """Drop the registrations of collected weak callbacks; return them. Under the lock."""
        gone: list[Registration] = []
        dead = self.dead
        while dead:
            registration = self._weak.pop(id(dead.popleft()), None)
            if registration is not None:
                self._delete(registration)
                gone.append(registration)
        return gone

    def in_order(self) -> tuple[Registration, ...]:
        """Every registration, in call order (a copy: safe to read while others change it)."""
        with self.lock:
            return tuple(self._order)

    def __len__(self) -> int:
        return len(self._order)
