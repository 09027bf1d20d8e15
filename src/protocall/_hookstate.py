"""The state of one hook of one manager: its dispatchers and the snapshot they read.

A :class:`HookState` is made the first time a hook is dispatched and lives as long as its
manager. It owns one stable dispatcher function per mode (``call``, ``emit``, ``first``; see
``_dispatch``) and the cell they read the hook's implementers from. When the registrations
change, the manager calls :meth:`HookState.invalidate` (under its lock), which empties the cell;
the next dispatch finds it empty and calls :meth:`HookState.refreshed`, which takes the lock,
asks the manager for the implementers, stores the new snapshot and gives the dispatchers the code
written for that many. This is the only cache of dispatch, and it is rebuilt from the
registrations, never patched.
"""

from __future__ import annotations

import threading
import types
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final, NamedTuple, Protocol

from ._concurrent import concurrent_dispatcher
from ._dispatch import (
    GENERIC_SHAPE,
    SKIPPED,
    CodeKey,
    Mode,
    Shape,
    Who,
    form_for,
    layout_tag,
    new_dispatcher,
    swap_code,
)
from ._errors import HookErrorGroup
from ._registry import resolved
from ._weak import WeakTarget

if TYPE_CHECKING:
    from ._policies import Recovery
    from ._timing import Timing

__all__ = ["HookState", "Implementers", "Plan", "Written"]

MONITORED: Final = "__protocall_monitored__"
"""The attribute ``_monitoring`` sets on an exception a monitor raised: ``(hook name, id of
the callback)`` of the call it was reporting."""

_PLANS_LIMIT: Final = 64
"""Call shapes remembered per snapshot by an unchecked hook; past that, planned per call."""


class Plan:
    """How an unchecked hook's implementers are called for one shape of call."""

    __slots__ = ("arguments", "methods", "parameters")

    def __init__(
        self,
        methods: tuple[Callable[..., Any], ...],
        parameters: str | None,
        arguments: tuple[str, ...] = (),
    ) -> None:
        self.methods: Final = methods
        self.parameters: Final = parameters
        """The dispatcher's parameter list for this shape, or None: the generic one, with
        ``methods`` that pick their keywords themselves."""
        self.arguments: Final = arguments
        """Each implementer's argument list (with ``parameters``)."""


class Written(NamedTuple):
    """An unchecked hook's calls, written into its entry for the shape of call it expects."""

    layout: str
    """What the argument lists assume of the implementers (how each filters keywords); the
    snapshot carries its own, and the entry compares the two before making the calls."""
    condition: str | None
    """The test a call passes to be made by these calls; None: none does (its keywords cannot
    be names in generated code)."""
    bindings: tuple[str, ...]
    """Statements that bind the call's arguments (``*_pc_args, **_pc_kwargs``) to the names
    that ``arguments`` pass on, for a call that passed ``condition``."""
    arguments: tuple[str, ...]
    """Each implementer's argument list."""


class Implementers(Protocol):
    """A hook's implementers, in call order, as the manager's strategy finds them."""

    @property
    def who(self) -> Who: ...

    @property
    def timing(self) -> Timing | None:
        """Set when the calls are to be timed inline (see ``_timing``)."""
        ...

    def methods(self) -> tuple[Callable[..., Any], ...]:
        """What a checked hook's dispatcher, or an unchecked hook's entry, calls, in order."""
        ...

    def plan(self, positional: int, keywords: tuple[str, ...]) -> Plan:
        """How an unchecked hook's dispatcher calls them for a call of this shape."""
        ...

    def written(self, positional: int, keywords: tuple[str, ...]) -> Written:
        """How an unchecked hook's entry calls :meth:`methods` for calls of this shape."""
        ...


class HookState:
    """One hook of one manager: a stable dispatcher per mode, and the snapshot they read."""

    __slots__ = (
        "__weakref__",
        "_cells",
        "_functions",
        "_implementers",
        "_layout",
        "_lock",
        "_source",
        "_written",
        "accepts",
        "concurrent",
        "is_async",
        "label",
        "name",
        "planned",
        "recovery",
        "shape",
    )

    def __init__(
        self,
        *,
        name: str,
        label: str,
        shape: Shape,
        is_async: bool,
        concurrent: bool,
        planned: bool,
        recovery: Recovery | None,
        source: Callable[[str], Implementers],
        lock: threading.RLock,
        accepts: Callable[..., object] | None = None,
    ) -> None:
        self.name: Final = name
        self.accepts: Final = accepts
        """For a hook with defaults: what its dispatchers call first, to check the call."""
        self.label: Final = label
        """The hook as notes name it: ``Spec.hook`` or ``'hook'``."""
        self.shape: Final = shape
        self.is_async: Final = is_async
        self.concurrent: Final = concurrent
        self.planned: Final = planned
        """Unchecked: the methods depend on the keyword names of each call."""
        self.recovery: Final = recovery
        """The manager's error policy, or None to propagate at once."""
        self._source: Final = source
        self._lock: Final = lock
        self._cells: Final = (types.CellType(None), types.CellType(self))
        self._functions: dict[Mode, Callable[..., Any]] = {}
        self._implementers: Implementers | None = None
        self._layout: tuple[tuple[int, ...], tuple[str, ...], bool] = ((), (), False)
        """The snapshot's weak implementers called inline, each implementer's argument list,
        and whether the calls are timed inline (``CodeKey.weak``, ``.arguments``, ``.timed``)."""
        self._written: Written | None = None
        """Unchecked: the calls the entries make, written for the snapshot and the shape of the
        call that published it (the next calls most likely have that shape too)."""

    @property
    def recovering(self) -> bool:
        return self.recovery is not None

    def times_inline(self, methods: Sequence[Callable[..., Any]]) -> bool:
        """Whether a snapshot of these implementers can have its calls timed inline: the
        straight-line form (not a loop, no error policy, not concurrent, checked), each weak
        implementer called inline (so that one found collected is not timed)."""
        if self.concurrent or self.planned or not methods:
            return False
        if any(isinstance(m, WeakTarget) and self._inline_arguments(m) is None for m in methods):
            return False
        return form_for(len(methods), recovering=self.recovery is not None)[0] == "straight"

    def _inline_arguments(self, method: WeakTarget) -> str | None:
        """The argument list a straight-line dispatcher calls this weak implementer's function
        with, inline; None if it cannot (a generic shape cannot leave keywords out by its text)."""
        return self.shape.without(method.dropped)

    # -- the dispatchers ------------------------------------------------------------------------

    def dispatcher(self, mode: Mode) -> Callable[..., Any]:
        """The stable dispatcher of ``mode``, made on first use."""
        function = self._functions.get(mode)
        if function is None:
            with self._lock:
                function = self._functions.get(mode)
                if function is None:
                    function = self._make(mode)
                    self._functions[mode] = function
        return function

    def _make(self, mode: Mode) -> Callable[..., Any]:
        qualname = f"{self.label}.{mode}"
        if self.concurrent:
            dispatch = concurrent_dispatcher(mode, self._current, self)
            dispatch.__name__ = self.name
            dispatch.__qualname__ = qualname
            return dispatch
        return new_dispatcher(self._key(mode), name=self.name, qualname=qualname, cells=self._cells)

    def _key(self, mode: Mode) -> CodeKey:
        if self.planned:
            written = self._written
            if written is None or written.condition is None:
                return CodeKey(mode, GENERIC_SHAPE, False, "keyed", -1, unchecked=True)
            form, count = form_for(len(written.arguments), recovering=self.recovering)
            if form != "straight":
                return CodeKey(mode, GENERIC_SHAPE, False, "keyed", -1, unchecked=True)
            return CodeKey(
                mode, GENERIC_SHAPE, False, "keyed", count, True, written.arguments,
                layout=written.layout, condition=written.condition, bindings=written.bindings,
            )  # fmt: skip
        implementers = self._implementers
        count = 0 if implementers is None else len(implementers.who.callbacks)
        skips = implementers is not None and implementers.who.skips
        form, count = form_for(count, recovering=self.recovery is not None)
        weak, arguments, timed = self._layout if form == "straight" else ((), (), False)
        return CodeKey(mode, self.shape, self.is_async, form, count, skips, arguments, weak, timed)

    def invalidate(self) -> None:
        """The registrations changed: the next dispatch reads them again. Under the lock."""
        self._implementers = None
        self._cells[0].cell_contents = None

    def refreshed(self, mode: Mode, key: tuple[Any, ...] | None) -> Callable[..., Any]:
        """What to call for a dispatch that found the snapshot stale or of another shape.

        Under the lock: reads the implementers if they changed, publishes the snapshot and the
        code written for it, and returns the dispatcher of ``mode``. For an unchecked hook, ``key``
        is the call's shape ``(mode, positional count, *keyword names)``: it returns the
        dispatcher written for that shape, and remembers it (up to :data:`_PLANS_LIMIT` shapes);
        a new snapshot's entries make calls of that shape themselves (:class:`Written`).
        """
        with self._lock:
            implementers = self._implementers
            if implementers is None:
                implementers = self._source(self.name)
                if self.planned:
                    shape = (0, ()) if key is None else (key[1], key[2:])
                    self._written = implementers.written(*shape)
                try:  # (recorded in here: recorded but not published, no call would publish it)
                    self._implementers = implementers
                    self._publish(implementers)
                except BaseException:  # (a KeyboardInterrupt mid-compile): the next call retries
                    self._implementers = None
                    self._cells[0].cell_contents = None
                    raise
            if key is None:
                return self.dispatcher(mode)
            _, _, plans, who = self._cells[0].cell_contents
            shaped: Callable[..., Any] | None = plans.get(key)
            if shaped is None:
                shaped = self._shaped(mode, implementers.plan(key[1], key[2:]), who)
                if len(plans) < _PLANS_LIMIT:
                    plans[key] = shaped
            return shaped

    def _shaped(self, mode: Mode, plan: Plan, who: Who) -> Callable[..., Any]:
        """An unchecked hook's dispatcher for one shape of call."""
        count = len(plan.methods)
        form, count = form_for(count, recovering=self.recovery is not None)
        if form == "straight" and plan.parameters is not None:
            key = CodeKey(
                mode, Shape(plan.parameters, ""), False, form, count, True, plan.arguments
            )
        else:
            key = CodeKey(mode, GENERIC_SHAPE, False, form, count, unchecked=True)
        cells = (types.CellType((*plan.methods, who)), self._cells[1])
        return new_dispatcher(key, name=self.name, qualname=f"{self.label}.{mode}", cells=cells)

    def _publish(self, implementers: Implementers) -> None:
        who = implementers.who
        slots = implementers.methods() if self.planned else self._slots(implementers)
        for mode, function in self._functions.items():
            if isinstance(function, types.FunctionType) and not self.concurrent:
                swap_code(function, self._key(mode))
        # The cell last: until it is set, every dispatch comes here (and waits for the lock).
        snapshot: object
        if self.planned:
            assert self._written is not None
            plans: dict[tuple[Any, ...], Callable[..., Any]] = {}
            snapshot = (self._written.layout, slots, plans, who)
        elif self._key("call").inline:
            snapshot = (*slots, who, layout_tag(self._key("call")), None)
        else:
            snapshot = (*slots, who)
        self._cells[0].cell_contents = snapshot

    def _slots(self, implementers: Implementers) -> tuple[object, ...]:
        """The snapshot's slots before its ``who`` (see ``_dispatch.layout_tag``); also sets
        the layout that :meth:`_key` reads.

        A weak implementer that a straight-line dispatcher can call inline takes two slots,
        ``function, reference`` (see ``CodeKey.weak``); a timed snapshot (see ``_timing``)
        adds each implementer's sink, the watched list and the fold.
        """
        methods = implementers.methods()
        timing = implementers.timing
        self._layout = ((), (), False)
        form, _ = form_for(len(methods), recovering=self.recovery is not None)
        if form != "straight" or self.concurrent:
            if timing is not None:  # the manager asks times_inline() first
                raise AssertionError(f"{self.label}: timing inline in the {form} form")
            return methods
        if timing is None and not any(type(m) is WeakTarget for m in methods):
            return methods
        slots: list[object] = []
        weak: list[int] = []
        arguments: list[str] = []
        for index, method in enumerate(methods):
            own = self._inline_arguments(method) if isinstance(method, WeakTarget) else None
            if isinstance(method, WeakTarget) and own is not None:
                slots += (method.function, method.weak.ref)
                weak.append(index)
                arguments.append(own)
            else:
                slots.append(method)
                arguments.append(self.shape.arguments)
        if timing is not None:
            slots += (*timing.sinks, timing.watched, timing.fold)
        if all(own == self.shape.arguments for own in arguments):
            arguments = []  # the shape's, for all: the code is shown in tracebacks
        self._layout = (tuple(weak), tuple(arguments), timing is not None)
        return tuple(slots)

    def _current(self) -> tuple[Sequence[Callable[..., Any]], Who]:
        """The snapshot, for the concurrent dispatcher (which reads it once per call)."""
        snapshot = self._cells[0].cell_contents
        if snapshot is None:
            self.refreshed("emit", None)
            snapshot = self._cells[0].cell_contents
        *methods, who = snapshot
        return methods, who

    # -- what the generated code asks -------------------------------------------------------------

    def failed(self, exc: BaseException, who: Who, lines: tuple[int, ...]) -> None:
        """An implementer raised ``exc`` out of a straight-line dispatcher: note which one.

        ``lines`` is the dispatcher's table of the line of each implementer's call, recorded
        when its source was written; the traceback says on which line the call failed.
        """
        tb = exc.__traceback__
        index = lines.index(tb.tb_lineno) if tb is not None and tb.tb_lineno in lines else -1
        self.failed_at(exc, who, index)

    def failed_at(self, exc: BaseException, who: Who, index: int) -> None:
        """Note on ``exc`` the callback at ``index`` (once per exception and callback)."""
        if not self._reported(exc, who, index):  # (else a monitor raised it, and said so)
            self._note(exc, who, index)

    def _note(self, exc: BaseException, who: Who, index: int) -> None:
        notes: list[str] = getattr(exc, "__notes__", [])
        if 0 <= index < len(who.callbacks):
            note = f"protocall: raised by callback {who.describe(index)} in hook {self.label}"
        else:
            note = f"protocall: raised while dispatching hook {self.label}"
        if note not in notes:
            exc.add_note(note)

    def _reported(self, exc: BaseException, who: Who, index: int) -> bool:
        """Did a monitor raise ``exc`` while reporting this hook's call of the implementer at
        ``index``? (Not: did a monitor raise it at all; it may come from another dispatch, a
        monitor of another manager, through the callback's own call.)"""
        mark = getattr(exc, MONITORED, None)
        if mark is None or mark[0] != self.name or not 0 <= index < len(who.callbacks):
            return False
        return bool(mark[1] == id(resolved(who.callbacks[index])))

    def recover(
        self, exc: Exception, who: Who, index: int, errors: list[Exception] | None
    ) -> list[Exception] | None:
        """Under an error policy: note ``exc``, then let the policy decide (it may raise).

        A monitor's exception is not the callback's failure: it propagates, as it does
        without a policy (a policy is about callbacks)."""
        if self._reported(exc, who, index):
            raise exc
        self._note(exc, who, index)
        recovery = self.recovery
        assert recovery is not None
        return recovery.handle(resolved(who.callbacks[index]), self.name, exc, errors)

    def finish(self, errors: list[Exception] | None, results: list[Any], who: Who) -> None:
        """After the last implementer, under an error policy: raise what was collected."""
        if errors and self.recovery is not None:
            kept = self.without_skipped(results)
            raise HookErrorGroup(
                f"{len(errors)} of {who.count} callbacks raised in hook {self.label}",
                errors,
                hook=self.name,
                results=kept,
            )

    @staticmethod
    def without_skipped(results: list[Any]) -> list[Any]:
        """An unchecked ``emit``'s results, less the markers of skipped attributes."""
        return [result for result in results if result is not SKIPPED]
