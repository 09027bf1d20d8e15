"""Monitoring hook calls: the record a monitor receives, and how dispatch reports to monitors.

A monitor is any callable taking a :class:`HookCall`; ``manager.add_monitor(monitor)`` makes the
manager call it after each callback call, with the hook's name, the callback, how long the call
took and the exception it raised (or None). Monitors cost nothing until one is added: the
dispatchers then call each implementer through :func:`monitored`, which times it
(:class:`MonitoredImplementers`). When the only monitor is an accumulator (a
:class:`~protocall.Profiler`), straight-line dispatchers time the calls themselves instead
(:class:`TimedImplementers`, see ``_timing``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, TypeAlias

from ._dispatch import SKIPPED
from ._hookstate import MONITORED, Plan, Written
from ._registry import Weak

if TYPE_CHECKING:
    from ._hookstate import Implementers
    from ._timing import Timing

__all__ = ["HookCall", "Monitor", "MonitoredImplementers", "TimedImplementers", "monitored"]


class HookCall(NamedTuple):
    """One call of one callback's hook method, as monitors see it."""

    hook: str
    """The hook's name."""
    callback: object
    """The callback whose method was called."""
    duration_ns: int
    """How long the call took (``time.perf_counter_ns``), awaiting included for async hooks."""
    error: BaseException | None
    """The exception the call raised, or None."""


Monitor: TypeAlias = Callable[[HookCall], object]
"""What ``add_monitor`` takes: called with a :class:`HookCall` after each callback call."""


def _report(monitors: Sequence[Monitor], call: HookCall) -> None:
    for monitor in monitors:
        try:
            monitor(call)
        except BaseException as exc:
            exc.add_note(
                f"protocall: raised by the monitor {monitor!r} while reporting the call of "
                f"{type(call.callback).__qualname__}.{call.hook}"
            )
            setattr(exc, MONITORED, (call.hook, id(call.callback)))  # (see HookState._reported)
            raise


def monitored(
    method: Callable[..., Any],
    hook: str,
    callback: object,
    monitors: Sequence[Monitor],
    *,
    is_async: bool,
) -> Callable[..., Any]:
    """``method``, timed and reported to ``monitors`` after each call (also when it raises)."""
    clock = time.perf_counter_ns
    # The callback reported is read before each call: a weak one that drops its last reference
    # during its own call is still the one that was called.
    subject: Callable[[], object] = callback if type(callback) is Weak else lambda: callback

    def report(called: object, duration: int, error: BaseException | None) -> None:
        _report(monitors, HookCall(hook, called, duration, error))

    if is_async:

        async def timed_async(*args: Any, **kwargs: Any) -> Any:
            called = subject()
            start = clock()
            try:
                result = await method(*args, **kwargs)
            except BaseException as exc:
                report(called, clock() - start, exc)
                raise
            if result is not SKIPPED:  # (else nothing was called)
                report(called, clock() - start, None)
            return result

        return timed_async

    def timed(*args: Any, **kwargs: Any) -> Any:
        called = subject()
        start = clock()
        try:
            result = method(*args, **kwargs)
        except BaseException as exc:
            report(called, clock() - start, exc)
            raise
        if result is not SKIPPED:  # a weak callback found collected, a non-callable attribute
            report(called, clock() - start, None)
        return result

    return timed


class MonitoredImplementers:
    """A hook's implementers whose every call is timed and reported to the monitors."""

    __slots__ = ("_hook", "_inner", "_is_async", "_monitors", "who")

    def __init__(
        self, inner: Implementers, hook: str, monitors: Sequence[Monitor], *, is_async: bool
    ) -> None:
        self._inner = inner
        self._hook = hook
        self._monitors = tuple(monitors)
        self._is_async = is_async
        self.who = inner.who

    @property
    def timing(self) -> None:
        """The wrappers time the calls, not the dispatcher."""
        return None

    def _wrap(self, methods: Sequence[Callable[..., Any]]) -> tuple[Callable[..., Any], ...]:
        return tuple(
            monitored(m, self._hook, callback, self._monitors, is_async=self._is_async)
            for m, callback in zip(methods, self.who.callbacks, strict=True)
        )

    def methods(self) -> tuple[Callable[..., Any], ...]:
        return self._wrap(self._inner.methods())

    def plan(self, positional: int, keywords: tuple[str, ...]) -> Plan:
        plan = self._inner.plan(positional, keywords)
        return Plan(self._wrap(plan.methods), plan.parameters, plan.arguments)

    def written(self, positional: int, keywords: tuple[str, ...]) -> Written:
        return self._inner.written(positional, keywords)  # the timed methods pass arguments on


class TimedImplementers:
    """A hook's implementers, called as they are, and the sinks a straight-line dispatcher
    hands each call's duration to (see ``_timing``)."""

    __slots__ = ("_inner", "timing", "who")

    def __init__(self, inner: Implementers, timing: Timing) -> None:
        self._inner = inner
        self.timing: Timing | None = timing
        self.who = inner.who

    def methods(self) -> tuple[Callable[..., Any], ...]:
        return self._inner.methods()

    def plan(self, positional: int, keywords: tuple[str, ...]) -> Plan:
        return self._inner.plan(positional, keywords)

    def written(self, positional: int, keywords: tuple[str, ...]) -> Written:
        return self._inner.written(positional, keywords)
