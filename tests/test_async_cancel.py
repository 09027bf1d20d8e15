"""A callback that raises ``asyncio.CancelledError`` in an async hook is not silently dropped.

In a concurrent hook (``@hookspec(concurrent=True)``) the implementers run as tasks of one
task group. A task that ends by raising ``CancelledError`` looks, to ``asyncio.TaskGroup``, like a
task that was cancelled, which the group does not report. A dispatcher that only looks at what the
group raises would then return ``emit``'s list with that implementer's result missing: a shorter
list, in which the remaining results no longer line up with the implementers. The correct
behaviour is propagation: the ``CancelledError`` (or a ``BaseExceptionGroup`` holding it) reaches
the caller, under every error policy, since ``CancelledError`` is not an ``Exception`` and error
policies apply to ``Exception`` only (as for ``KeyboardInterrupt`` and ``SystemExit``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar, cast

import pytest

from protocall import CallbackManager, ErrorPolicy, hookspec

R = TypeVar("R")


class Hooks(Protocol):
    @hookspec(concurrent=True)
    async def on_save(self, *, path: str) -> str: ...

    @hookspec(concurrent=True)
    async def on_flush(self) -> None: ...

    @hookspec(concurrent=True)
    async def lookup(self, key: str) -> str | None: ...

    async def on_sequential(self) -> str: ...


class Saver:
    """Answers every hook after a few event-loop turns."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.finished: list[str] = []

    async def _turns(self, hook: str) -> None:
        for _ in range(3):
            await asyncio.sleep(0)
        self.finished.append(hook)

    async def on_save(self, *, path: str) -> str:
        await self._turns("on_save")
        return f"{self.label}:{path}"

    async def on_flush(self) -> None:
        await self._turns("on_flush")

    async def lookup(self, key: str) -> str | None:
        await self._turns("lookup")
        return f"{self.label}:{key}"

    async def on_sequential(self) -> str:
        await self._turns("on_sequential")
        return self.label


class Canceller:
    """Raises ``CancelledError`` from every hook, after one event-loop turn."""

    def __init__(self) -> None:
        self.error = asyncio.CancelledError("cancelled by the callback")

    async def _cancel(self) -> Any:
        await asyncio.sleep(0)
        raise self.error

    async def on_save(self, *, path: str) -> str:
        result: str = await self._cancel()
        return result

    async def on_flush(self) -> None:
        await self._cancel()

    async def lookup(self, key: str) -> str | None:
        result: str | None = await self._cancel()
        return result

    async def on_sequential(self) -> str:
        result: str = await self._cancel()
        return result


def outcome(make: Callable[[], Awaitable[R]]) -> tuple[str, object]:
    """Await ``make()`` in a fresh event loop: ("returned", value) or ("raised", exception).

    The awaitable is created inside the loop's task; a deadlock fails the test instead of
    hanging it.
    """

    async def main() -> tuple[str, object]:
        try:
            return "returned", await asyncio.wait_for(make(), timeout=5)
        except TimeoutError:
            raise
        except BaseException as exc:  # noqa: BLE001 - CancelledError is what we look for
            return "raised", exc

    return asyncio.run(main())


def holds_cancelled(error: object, expected: BaseException) -> bool:
    """``error`` is ``expected`` itself, or an exception group that holds it (at any depth)."""
    if error is expected:
        return True
    if isinstance(error, BaseExceptionGroup):
        group = cast(BaseExceptionGroup[BaseException], error)
        return any(holds_cancelled(inner, expected) for inner in group.exceptions)
    return False


POLICIES: list[ErrorPolicy] = ["raise", "collect", lambda callback, hook, exc: None]
POLICY_IDS = ["raise", "collect", "handler"]


@pytest.mark.parametrize("errors", POLICIES, ids=POLICY_IDS)
@pytest.mark.parametrize("position", [0, 1, 2])
def test_concurrent_emit_propagates_a_callbacks_cancelled_error(
    errors: ErrorPolicy, position: int
) -> None:
    """``emit`` of a concurrent hook does not return a shorter list when an implementer raises
    ``CancelledError``: the error (or a group holding it) reaches the caller."""
    canceller = Canceller()
    callbacks: list[object] = [Saver("a"), Saver("b")]
    callbacks.insert(position, canceller)
    manager = CallbackManager(Hooks, callbacks, errors=errors)
    kind, value = outcome(lambda: manager.emit(Hooks.on_save, path="p"))
    assert kind == "raised", f"emit returned {value!r} instead of raising CancelledError"
    assert holds_cancelled(value, canceller.error), value


@pytest.mark.parametrize("errors", POLICIES, ids=POLICY_IDS)
def test_concurrent_emit_by_name_propagates_a_callbacks_cancelled_error(
    errors: ErrorPolicy,
) -> None:
    """The same through ``emit("on_save", ...)``."""
    canceller = Canceller()
    manager = CallbackManager(Hooks, [Saver("a"), canceller, Saver("b")], errors=errors)
    kind, value = outcome(lambda: cast(Awaitable[object], manager.emit("on_save", path="p")))
    assert kind == "raised", f"emit returned {value!r} instead of raising CancelledError"
    assert holds_cancelled(value, canceller.error), value


@pytest.mark.parametrize("errors", POLICIES, ids=POLICY_IDS)
def test_concurrent_call_propagates_a_callbacks_cancelled_error(errors: ErrorPolicy) -> None:
    """``await manager.call.on_flush()`` does not complete normally when an implementer raised
    ``CancelledError``."""
    canceller = Canceller()
    manager = CallbackManager(Hooks, [Saver("a"), canceller], errors=errors)
    kind, value = outcome(lambda: manager.call.on_flush())
    assert kind == "raised", f"call returned {value!r} instead of raising CancelledError"
    assert holds_cancelled(value, canceller.error), value


@pytest.mark.parametrize("errors", POLICIES, ids=POLICY_IDS)
def test_concurrent_first_propagates_a_callbacks_cancelled_error(errors: ErrorPolicy) -> None:
    """``first`` of a concurrent hook does not answer with a later implementer's result when an
    earlier one raised ``CancelledError``."""
    canceller = Canceller()
    manager = CallbackManager(Hooks, [canceller, Saver("b")], errors=errors)
    kind, value = outcome(lambda: manager.first(Hooks.lookup, "k"))
    assert kind == "raised", f"first returned {value!r} instead of raising CancelledError"
    assert holds_cancelled(value, canceller.error), value


@pytest.mark.parametrize("errors", POLICIES, ids=POLICY_IDS)
def test_sequential_async_hook_propagates_a_callbacks_cancelled_error(
    errors: ErrorPolicy,
) -> None:
    """A sequential ``async def`` hook propagates ``CancelledError`` at once too: the callbacks
    after it are not awaited and no partial list comes back."""
    canceller, later = Canceller(), Saver("b")
    manager = CallbackManager(Hooks, [Saver("a"), canceller, later], errors=errors)
    kind, value = outcome(lambda: manager.emit(Hooks.on_sequential))
    assert kind == "raised", f"emit returned {value!r} instead of raising CancelledError"
    assert holds_cancelled(value, canceller.error), value
    assert later.finished == []


def test_the_caller_is_not_left_cancelled() -> None:
    """After the ``CancelledError`` of a callback reached it, no cancellation of the calling
    task is pending: it can go on awaiting, and dispatch the hook again."""
    canceller = Canceller()
    saver = Saver("a")
    manager = CallbackManager(Hooks, [saver, canceller])

    async def main() -> list[str]:
        try:
            await manager.emit(Hooks.on_save, path="p")
        except BaseException as exc:  # noqa: BLE001
            assert holds_cancelled(exc, canceller.error), exc
        else:
            raise AssertionError("emit did not raise")
        await asyncio.sleep(0)  # raises CancelledError if a cancellation of the caller is pending
        manager.unregister(canceller)
        return await manager.emit(Hooks.on_save, path="q")

    assert asyncio.run(main()) == ["a:q"]


def test_cancelling_the_caller_still_cancels_the_hook() -> None:
    """The other direction keeps working: cancelling the task that awaits a concurrent hook
    cancels the implementers and the caller sees ``CancelledError``."""

    class Slow:
        def __init__(self) -> None:
            self.cancelled = False

        async def on_save(self, *, path: str) -> str:
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                self.cancelled = True
                raise
            return path

    slow = [Slow(), Slow()]
    manager = CallbackManager(Hooks, slow)

    async def main() -> bool:
        task = asyncio.create_task(manager.emit(Hooks.on_save, path="p"))
        for _ in range(5):
            await asyncio.sleep(0)
        task.cancel()
        try:
            await asyncio.wait_for(task, timeout=5)
        except asyncio.CancelledError:
            return task.cancelled()
        return False

    assert asyncio.run(main())
    assert [s.cancelled for s in slow] == [True, True]
