"""``async def`` hooks: ``call`` and ``emit`` return an awaitable that awaits each implementer in order.

The implementers are awaited one after the other, never gathered: the second does not start
before the first has finished, as with a sync hook. Run with :func:`asyncio.run`.
"""

import asyncio
import inspect
from collections.abc import Awaitable
from typing import cast

import pytest
from hooks_fixtures import AsyncHooks, OnFetch

from protocall import CallbackManager

Events = list[str]


class Fetcher:
    """Logs when each of its awaits starts and ends, yielding to the loop in between."""

    def __init__(self, tag: str, events: Events, *, answer: int = 0) -> None:
        self.tag = tag
        self.events = events
        self.answer = answer

    async def on_fetch(self, url: str) -> None:
        self.events.append(f"{self.tag} start {url}")
        await asyncio.sleep(0)
        self.events.append(f"{self.tag} end {url}")

    async def on_parse(self, *, text: str) -> int:
        await asyncio.sleep(0)
        self.events.append(f"{self.tag} parse {text}")
        return self.answer


class Closer:
    def __init__(self, events: Events) -> None:
        self.events = events

    def on_close(self) -> None:
        self.events.append("close")


class FailingFetcher:
    async def on_fetch(self, url: str) -> None:
        await asyncio.sleep(0)
        raise ConnectionError(url)


def test_call_of_an_async_hook_awaits_each_implementer_in_order() -> None:
    events: Events = []
    manager = CallbackManager(AsyncHooks, [Fetcher("a", events), Fetcher("b", events)])
    asyncio.run(manager.call.on_fetch("u"))
    assert events == ["a start u", "a end u", "b start u", "b end u"]


def test_call_of_an_async_hook_calls_nothing_until_awaited() -> None:
    events: Events = []
    manager = CallbackManager(AsyncHooks, [Fetcher("a", events)])
    awaitable = manager.call.on_fetch("u")
    assert events == []
    asyncio.run(awaitable)
    assert events == ["a start u", "a end u"]


def test_call_of_an_async_hook_that_returns_a_value_is_refused() -> None:
    """``call`` would discard the results (semantics 10): use ``emit`` or ``first``."""
    manager = CallbackManager(AsyncHooks, [Fetcher("a", [], answer=1)])
    with pytest.raises(TypeError, match=r"AsyncHooks\.on_parse returns a value"):
        manager.call.on_parse  # noqa: B018


def test_emit_of_an_async_hook_returns_an_awaitable_of_the_results_in_order() -> None:
    events: Events = []
    manager = CallbackManager(
        AsyncHooks, [Fetcher("a", events, answer=1), Fetcher("b", events, answer=2)]
    )
    awaitable = manager.emit(AsyncHooks.on_parse, text="t")
    assert inspect.isawaitable(awaitable)
    results: list[int] = asyncio.run(awaitable)
    assert results == [1, 2]
    assert events == ["a parse t", "b parse t"]


def test_emit_of_an_async_hook_by_name_and_by_inherited_method() -> None:
    manager = CallbackManager(AsyncHooks, [Fetcher("a", [], answer=3)])

    async def main() -> tuple[list[object], list[None]]:
        # Typed ``list[Any]`` without the mypy plugin (a name says nothing about async).
        by_name = await cast(Awaitable[list[object]], manager.emit("on_parse", text="t"))
        by_base_method = await manager.emit(OnFetch.on_fetch, "u")
        return by_name, by_base_method

    assert asyncio.run(main()) == ([3], [None])


def test_an_async_hook_with_no_implementer_is_still_awaitable() -> None:
    manager = CallbackManager(AsyncHooks, [Closer([])])
    called = manager.call.on_fetch("u")
    emitted = manager.emit(AsyncHooks.on_parse, text="t")
    assert inspect.isawaitable(called)
    assert inspect.isawaitable(emitted)
    asyncio.run(called)
    assert asyncio.run(emitted) == []


def test_an_exception_in_an_async_callback_propagates_with_a_note_and_stops_the_others() -> None:
    events: Events = []
    manager = CallbackManager(
        AsyncHooks, [Fetcher("a", events), FailingFetcher(), Fetcher("c", events)]
    )
    with pytest.raises(ConnectionError) as info:
        asyncio.run(manager.call.on_fetch("u"))
    assert info.value.__notes__ == [
        "protocall: raised by callback FailingFetcher (implementer 2 of 3) in hook AsyncHooks.on_fetch"
    ]
    assert events == ["a start u", "a end u"]


def test_an_exception_in_an_async_emit_carries_the_same_note() -> None:
    manager = CallbackManager(AsyncHooks, [FailingFetcher()])
    with pytest.raises(ConnectionError) as info:
        asyncio.run(manager.emit(AsyncHooks.on_fetch, "u"))
    assert info.value.__notes__ == [
        "protocall: raised by callback FailingFetcher (implementer 1 of 1) in hook AsyncHooks.on_fetch"
    ]


def test_sync_hooks_of_a_spec_with_async_hooks_stay_sync() -> None:
    events: Events = []
    manager = CallbackManager(AsyncHooks, [Closer(events)])
    manager.call.on_close()
    assert manager.emit(AsyncHooks.on_close) == [None]
    assert events == ["close", "close"]


def test_async_hooks_with_many_implementers_await_them_all_in_order() -> None:
    events: Events = []
    manager = CallbackManager(AsyncHooks, [Fetcher(str(i), events, answer=i) for i in range(70)])
    assert asyncio.run(manager.emit(AsyncHooks.on_parse, text="t")) == list(range(70))
    assert events == [f"{i} parse t" for i in range(70)]


def test_a_callback_registered_while_an_async_hook_runs_is_awaited_from_the_next_call() -> None:
    events: Events = []
    manager = CallbackManager(AsyncHooks)

    class Registrar:
        async def on_fetch(self, url: str) -> None:
            events.append("registrar")
            if len(manager) == 1:
                manager.register(Fetcher("late", events))

    manager.register(Registrar())
    asyncio.run(manager.call.on_fetch("u"))
    assert events == ["registrar"]
    asyncio.run(manager.call.on_fetch("v"))
    assert events == ["registrar", "registrar", "late start v", "late end v"]
