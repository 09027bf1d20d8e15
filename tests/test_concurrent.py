"""Concurrent async hooks (issue 4, item 4): ``@hookspec(concurrent=True)`` on an ``async def`` hook.

The implementers of such a hook run as one :class:`asyncio.TaskGroup`; ``emit`` reports their
results in call order whatever order they finish in, ``first`` the first non-None one in call
order, ``call`` None. Under ``errors="raise"`` the first failure cancels the others and an
``ExceptionGroup`` comes back; under ``"collect"`` every implementer runs to its end and a
``HookErrorGroup`` comes back; a handler decides per failure. Each failure carries the note
naming its callback. The decorator on a sync method is a ``TypeError`` when the spec is read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Coroutine
from typing import Any, Protocol, TypeVar, cast

import pytest

from protocall import (
    CallbackManager,
    ErrorPolicy,
    HookErrorGroup,
    Prioritized,
    RegistrationError,
    hookspec,
)

Log = list[str]
R = TypeVar("R")


class Hooks(Protocol):
    @hookspec(concurrent=True)
    async def on_save(self, *, path: str) -> str: ...

    @hookspec(concurrent=True)
    async def lookup(self, key: str) -> str | None: ...

    @hookspec(concurrent=True, reverse=True)
    async def on_close(self) -> str: ...

    async def on_sequential(self) -> None: ...


def run(awaitable: Awaitable[R]) -> R:
    """Run ``awaitable`` to its end, failing the test rather than hanging if it deadlocks."""

    async def main() -> R:
        return await asyncio.wait_for(awaitable, timeout=5)

    return asyncio.run(main())


class Saver:
    """Saves after ``steps`` event-loop turns; logs when it starts, ends or is cancelled."""

    def __init__(self, label: str, log: Log, steps: int = 0, answer: str | None = None) -> None:
        self.label, self.log, self.steps, self.answer = label, log, steps, answer

    async def _wait(self) -> None:
        self.log.append(f"{self.label} start")
        try:
            for _ in range(self.steps):
                await asyncio.sleep(0)
        except asyncio.CancelledError:
            self.log.append(f"{self.label} cancelled")
            raise
        self.log.append(f"{self.label} end")

    async def on_save(self, *, path: str) -> str:
        await self._wait()
        return f"{self.label}:{path}"

    async def lookup(self, key: str) -> str | None:
        await self._wait()
        return None if self.answer is None else f"{self.answer}:{key}"

    async def on_close(self) -> str:
        await self._wait()
        return self.label


class Failing:
    """Fails after ``steps`` event-loop turns."""

    def __init__(self, log: Log, steps: int = 0, message: str = "failed") -> None:
        self.log, self.steps, self.message = log, steps, message

    async def on_save(self, *, path: str) -> str:
        self.log.append(f"{type(self).__name__} start")
        for _ in range(self.steps):
            await asyncio.sleep(0)
        raise OSError(self.message)

    async def lookup(self, key: str) -> str | None:
        await self.on_save(path=key)
        return None


class AlsoFailing(Failing):
    pass


class Ping:
    """Waits for ``Pong`` to set the event: only finishes if both run at the same time."""

    def __init__(self, event: asyncio.Event, log: Log) -> None:
        self.event, self.log = event, log

    async def on_save(self, *, path: str) -> str:
        await self.event.wait()
        self.log.append("ping")
        return "ping"


class Pong:
    def __init__(self, event: asyncio.Event, log: Log) -> None:
        self.event, self.log = event, log

    async def on_save(self, *, path: str) -> str:
        self.log.append("pong")
        self.event.set()
        return "pong"


class SequentialOnly:
    async def on_sequential(self) -> None: ...


# -- running concurrently -----------------------------------------------------------------------


def test_the_implementers_of_a_concurrent_hook_run_at_the_same_time() -> None:
    log: Log = []

    async def main() -> list[str]:
        event = asyncio.Event()
        manager = CallbackManager(Hooks, [Ping(event, log), Pong(event, log)])
        return await manager.emit(Hooks.on_save, path="p")

    assert run(main()) == ["ping", "pong"]
    assert log == ["pong", "ping"]


def test_all_implementers_start_before_any_finishes() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Saver("a", log, 2), Saver("b", log, 1), Saver("c", log, 0)])
    run(manager.emit(Hooks.on_save, path="p"))
    assert log == ["a start", "b start", "c start", "c end", "b end", "a end"]


def test_emit_reports_results_in_call_order_not_finishing_order() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Saver("slow", log, 3), Saver("fast", log, 0)])
    assert run(manager.emit(Hooks.on_save, path="p")) == ["slow:p", "fast:p"]
    assert log.index("fast end") < log.index("slow end")


def test_emit_by_name_on_a_concurrent_hook() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Saver("a", log, 1), Saver("b", log)])

    async def main() -> object:
        # By name, emit is typed list[Any] (without the mypy plugin) although an async hook
        # gives an awaitable of the list.
        return await cast(Awaitable[list[str]], manager.emit("on_save", path="p"))

    assert run(main()) == ["a:p", "b:p"]


def test_emit_results_follow_priorities() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Saver("a", log, 1), Prioritized(Saver("b", log, 1), 1)])
    assert run(manager.emit(Hooks.on_save, path="p")) == ["b:p", "a:p"]
    assert log[:2] == ["b start", "a start"]


def test_a_concurrent_reversed_hook_starts_and_reports_in_reverse_order() -> None:
    log: Log = []
    manager = CallbackManager(
        Hooks, [Saver("a", log, 1), Saver("b", log, 1), Prioritized(Saver("c", log, 1), 1)]
    )
    assert run(manager.emit(Hooks.on_close)) == ["b", "a", "c"]
    assert log[:3] == ["b start", "a start", "c start"]


def test_call_on_a_concurrent_hook_that_returns_values_is_refused() -> None:
    manager = CallbackManager(Hooks, [Saver("a", []), Saver("b", [])])
    with pytest.raises(TypeError, match=r"manager\.emit\(Hooks\.on_save, \.\.\.\)"):
        manager.call.on_save  # noqa: B018


def test_a_concurrent_hook_without_implementers() -> None:
    manager = CallbackManager(Hooks, [SequentialOnly()])
    assert run(manager.emit(Hooks.on_save, path="p")) == []
    assert run(manager.first(Hooks.lookup, "k")) is None


def test_first_on_a_concurrent_hook_returns_the_first_result_in_call_order() -> None:
    log: Log = []
    manager = CallbackManager(
        Hooks, [Saver("a", log, 0), Saver("b", log, 3, "B"), Saver("c", log, 0, "C")]
    )
    assert run(manager.first(Hooks.lookup, "k")) == "B:k"


def test_first_on_a_concurrent_hook_runs_every_implementer() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Saver("a", log, 0, "A"), Saver("b", log, 1)])
    assert run(manager.first(Hooks.lookup, "k")) == "A:k"
    assert sorted(log) == ["a end", "a start", "b end", "b start"]


def test_first_on_a_concurrent_hook_returns_none_when_no_result() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Saver("a", log), Saver("b", log)])
    assert run(manager.first(Hooks.lookup, "k")) is None


def test_a_concurrent_hook_after_unregister_and_re_register() -> None:
    log: Log = []
    a = Saver("a", log)
    manager = CallbackManager(Hooks, [a, Saver("b", log)])
    manager.unregister(a)
    manager.register(a)
    assert run(manager.emit(Hooks.on_save, path="p")) == ["b:p", "a:p"]


# -- errors="raise" ---------------------------------------------------------------------------


def test_under_raise_one_failure_cancels_the_others() -> None:
    log: Log = []
    manager = CallbackManager(
        Hooks, [Saver("slow", log, 5), Failing(log, 1), Saver("slower", log, 9)]
    )
    with pytest.raises(ExceptionGroup):
        run(manager.emit(Hooks.on_save, path="p"))
    assert log[:3] == ["slow start", "Failing start", "slower start"]
    assert sorted(log[3:]) == ["slow cancelled", "slower cancelled"]


def test_under_raise_the_failures_come_back_as_an_exception_group_with_notes() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Saver("slow", log, 5), Failing(log, 1)])
    with pytest.raises(ExceptionGroup) as info:
        run(manager.emit(Hooks.on_save, path="p"))
    group = info.value
    assert not isinstance(group, HookErrorGroup)
    [error] = group.exceptions
    assert isinstance(error, OSError)
    assert str(error) == "failed"
    assert error.__notes__ == [
        "protocall: raised by callback Failing (implementer 2 of 2) in hook Hooks.on_save"
    ]


def test_under_raise_failures_at_the_same_time_are_all_in_the_group() -> None:
    log: Log = []

    async def main() -> None:
        manager = CallbackManager(Hooks, [Failing(log, 1, "one"), AlsoFailing(log, 1, "two")])
        await manager.emit(Hooks.on_save, path="p")

    with pytest.raises(ExceptionGroup) as info:
        run(main())
    assert [str(e) for e in info.value.exceptions] == ["one", "two"]
    assert [e.__notes__ for e in info.value.exceptions] == [
        ["protocall: raised by callback Failing (implementer 1 of 2) in hook Hooks.on_save"],
        ["protocall: raised by callback AlsoFailing (implementer 2 of 2) in hook Hooks.on_save"],
    ]


# -- errors="collect" ---------------------------------------------------------------------------


def test_under_collect_every_implementer_runs_to_its_end() -> None:
    log: Log = []
    manager = CallbackManager(
        Hooks, [Saver("slow", log, 5), Failing(log, 1), Saver("slower", log, 9)], errors="collect"
    )
    with pytest.raises(HookErrorGroup):
        run(manager.emit(Hooks.on_save, path="p"))
    assert "slow end" in log and "slower end" in log
    assert not [line for line in log if line.endswith("cancelled")]


def test_under_collect_the_group_keeps_the_results_in_call_order() -> None:
    log: Log = []
    manager = CallbackManager(
        Hooks, [Saver("slow", log, 5), Failing(log, 1), Saver("fast", log, 0)], errors="collect"
    )
    with pytest.raises(HookErrorGroup) as info:
        run(manager.emit(Hooks.on_save, path="p"))
    group = info.value
    assert group.results == ["slow:p", "fast:p"]
    assert group.hook == "on_save"
    assert group.message == "1 of 3 callbacks raised in hook Hooks.on_save"
    assert [e.__notes__ for e in group.exceptions] == [
        ["protocall: raised by callback Failing (implementer 2 of 3) in hook Hooks.on_save"]
    ]


def test_under_collect_each_failure_is_noted_with_its_callback() -> None:
    log: Log = []
    manager = CallbackManager(
        Hooks,
        [Failing(log, 0, "one"), Saver("ok", log), AlsoFailing(log, 2, "two")],
        errors="collect",
    )
    with pytest.raises(HookErrorGroup) as info:
        run(manager.emit(Hooks.on_save, path="p"))
    assert info.value.message == "2 of 3 callbacks raised in hook Hooks.on_save"
    assert [(str(e), e.__notes__) for e in info.value.exceptions] == [
        (
            "one",
            ["protocall: raised by callback Failing (implementer 1 of 3) in hook Hooks.on_save"],
        ),
        (
            "two",
            [
                "protocall: raised by callback AlsoFailing (implementer 3 of 3) in hook Hooks.on_save"
            ],
        ),
    ]


def test_under_collect_the_failures_are_in_call_order_whatever_order_they_happen_in() -> None:
    log: Log = []
    manager = CallbackManager(
        Hooks, [Failing(log, 3, "late"), AlsoFailing(log, 0, "early")], errors="collect"
    )
    with pytest.raises(HookErrorGroup) as info:
        run(manager.emit(Hooks.on_save, path="p"))
    assert [str(e) for e in info.value.exceptions] == ["late", "early"]


def test_under_collect_without_failures_nothing_is_raised() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Saver("a", log, 1), Saver("b", log)], errors="collect")
    assert run(manager.emit(Hooks.on_save, path="p")) == ["a:p", "b:p"]


def test_first_under_collect_raises_with_the_found_result() -> None:
    log: Log = []
    manager = CallbackManager(
        Hooks, [Failing(log), Saver("b", log, 1, "B"), Saver("c", log, 0, "C")], errors="collect"
    )
    with pytest.raises(HookErrorGroup) as info:
        run(manager.first(Hooks.lookup, "k"))
    assert info.value.results == ["B:k"]
    assert info.value.hook == "lookup"


def test_first_under_collect_with_no_result_raises_with_empty_results() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Failing(log), Saver("b", log)], errors="collect")
    with pytest.raises(HookErrorGroup) as info:
        run(manager.first(Hooks.lookup, "k"))
    assert info.value.results == []


# -- a handler --------------------------------------------------------------------------------


def test_a_handler_that_returns_lets_the_others_finish_and_drops_the_failure() -> None:
    log: Log = []
    handled: list[tuple[object, str, str]] = []
    failing = Failing(log, 1)
    manager = CallbackManager(
        Hooks,
        [Saver("slow", log, 5), failing, Saver("fast", log)],
        errors=lambda cb, hook, exc: handled.append((cb, hook, str(exc))),
    )
    assert run(manager.emit(Hooks.on_save, path="p")) == ["slow:p", "fast:p"]
    assert handled == [(failing, "on_save", "failed")]
    assert "slow end" in log


def test_a_handler_gets_the_exception_with_its_note() -> None:
    notes: list[list[str]] = []
    manager = CallbackManager(
        Hooks, [Failing([])], errors=lambda cb, hook, exc: notes.append(exc.__notes__)
    )
    run(manager.emit(Hooks.on_save, path="p"))
    assert notes == [
        ["protocall: raised by callback Failing (implementer 1 of 1) in hook Hooks.on_save"]
    ]


def test_a_handler_that_re_raises_cancels_the_others() -> None:
    log: Log = []

    def re_raise(callback: object, hook: str, exc: Exception) -> None:
        raise exc

    manager = CallbackManager(Hooks, [Saver("slow", log, 5), Failing(log, 1)], errors=re_raise)
    with pytest.raises(ExceptionGroup) as info:
        run(manager.emit(Hooks.on_save, path="p"))
    assert [str(e) for e in info.value.exceptions] == ["failed"]
    assert "slow cancelled" in log


def test_first_under_a_handler_skips_the_failures() -> None:
    log: Log = []
    manager = CallbackManager(
        Hooks, [Failing(log), Saver("b", log, 0, "B")], errors=lambda cb, hook, exc: None
    )
    assert run(manager.first(Hooks.lookup, "k")) == "B:k"


# -- declaring a concurrent hook ----------------------------------------------------------------


class SyncConcurrent(Protocol):
    @hookspec(concurrent=True)
    def on_save(self, *, path: str) -> None: ...


def test_concurrent_on_a_sync_spec_method_is_a_type_error_when_the_spec_is_read() -> None:
    with pytest.raises(TypeError) as info:
        CallbackManager(SyncConcurrent)
    assert str(info.value) == (
        "SyncConcurrent.on_save is marked @hookspec(concurrent=True) but is not `async def`: only "
        "async hooks can run concurrently; declare it `async def on_save(self, ...)` or drop "
        "concurrent=True"
    )


class SyncSaver:
    def on_save(self, *, path: str) -> str:
        return path


def test_a_sync_implementation_of_a_concurrent_hook_is_refused() -> None:
    message = (
        r"^cannot register SyncSaver: SyncSaver.on_save is a plain `def` but the hook "
        r"Hooks.on_save is async; declare it `async def`"
    )
    with pytest.raises(RegistrationError, match=message):
        CallbackManager(Hooks, [SyncSaver()])


def test_a_hook_without_the_decorator_still_awaits_in_order() -> None:
    log: Log = []

    class InOrder:
        def __init__(self, label: str, steps: int) -> None:
            self.label, self.steps = label, steps

        async def on_sequential(self) -> None:
            log.append(f"{self.label} start")
            for _ in range(self.steps):
                await asyncio.sleep(0)
            log.append(f"{self.label} end")

    manager = CallbackManager(Hooks, [InOrder("a", 2), InOrder("b", 0)])
    run(manager.call.on_sequential())
    assert log == ["a start", "a end", "b start", "b end"]


# -- KeyboardInterrupt ------------------------------------------------------------------------


class Interrupting:
    async def on_save(self, *, path: str) -> str:
        raise KeyboardInterrupt


def run_interrupted(awaitable: Coroutine[Any, Any, object]) -> None:
    """Run ``awaitable``, which raises KeyboardInterrupt out of a task of its task group.

    asyncio lets a KeyboardInterrupt escape the event loop at once and leaves it set on the
    outer task too, which would then log "Task exception was never retrieved": silenced here.
    """

    def quiet(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        pass

    with asyncio.Runner() as runner:
        runner.get_loop().set_exception_handler(quiet)
        runner.run(awaitable)


def ignore(callback: object, hook: str, exc: Exception) -> None:
    pass


@pytest.mark.parametrize("errors", ["raise", "collect", ignore])
def test_a_keyboard_interrupt_in_a_concurrent_hook_propagates(errors: ErrorPolicy) -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Interrupting(), Saver("slow", log, 5)], errors=errors)
    with pytest.raises(KeyboardInterrupt):
        run_interrupted(manager.emit(Hooks.on_save, path="p"))
    assert "slow end" not in log
