"""``manager.first(hook, /, *args, **kwargs)``: the first result that is not None (issue 4, item 1).

Implementers are called in call order until one returns something other than None; that result
is returned and the implementers after it are not called, as with pluggy's ``firstresult``. With
no such result ``first`` returns None. For an ``async def`` hook it returns an awaitable. Under
``errors="collect"`` it still stops at the first result, and raises a ``HookErrorGroup`` whose
``results`` is ``[found]`` when an implementer failed before it; under a handler, failures are
skipped.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

import pytest

from protocall import CallbackManager, HookErrorGroup, Prioritized, UnknownHookError, hookspec

Log = list[str]


class Hooks(Protocol):
    def lookup(self, key: str) -> str | None: ...

    async def alookup(self, key: str) -> str | None: ...

    @hookspec(reverse=True)
    def release(self, *, key: str) -> str | None: ...

    def on_event(self) -> None: ...


class Answer:
    """Answers every lookup with ``answer`` (None: no answer), logging each call."""

    def __init__(self, name: str, answer: object, log: Log) -> None:
        self.name, self.answer, self.log = name, answer, log

    def lookup(self, key: str) -> str | None:
        self.log.append(f"{self.name}({key})")
        return None if self.answer is None else f"{self.answer}:{key}"

    async def alookup(self, key: str) -> str | None:
        await asyncio.sleep(0)
        self.log.append(f"{self.name}({key})")
        return None if self.answer is None else f"{self.answer}:{key}"

    def release(self, *, key: str) -> str | None:
        self.log.append(f"{self.name}({key})")
        return None if self.answer is None else f"{self.answer}:{key}"


class Falsy:
    """Returns a falsy result that is not None."""

    def __init__(self, value: str) -> None:
        self.value = value

    def lookup(self, key: str) -> str | None:
        return self.value


class Broken:
    """Raises in every lookup."""

    def __init__(self, log: Log) -> None:
        self.log = log

    def lookup(self, key: str) -> str | None:
        self.log.append("Broken")
        raise LookupError(f"broken on {key}")

    async def alookup(self, key: str) -> str | None:
        self.log.append("Broken")
        raise LookupError(f"broken on {key}")


class EventOnly:
    def on_event(self) -> None: ...


# -- sync hooks -------------------------------------------------------------------------------


def test_first_returns_the_first_result_that_is_not_none() -> None:
    log: Log = []
    manager = CallbackManager(
        Hooks, [Answer("a", None, log), Answer("b", "B", log), Answer("c", "C", log)]
    )
    assert manager.first(Hooks.lookup, "k") == "B:k"


def test_first_does_not_call_the_implementers_after_the_first_result() -> None:
    log: Log = []
    manager = CallbackManager(
        Hooks, [Answer("a", None, log), Answer("b", "B", log), Answer("c", "C", log)]
    )
    manager.first(Hooks.lookup, "k")
    assert log == ["a(k)", "b(k)"]


def test_first_returns_none_when_every_implementer_returns_none() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Answer("a", None, log), Answer("b", None, log)])
    assert manager.first(Hooks.lookup, "k") is None
    assert log == ["a(k)", "b(k)"]


def test_first_returns_none_when_no_callback_implements_the_hook() -> None:
    manager = CallbackManager(Hooks, [EventOnly()])
    assert manager.first(Hooks.lookup, "k") is None
    assert manager.first("lookup", "k") is None


def test_first_returns_none_on_a_manager_without_callbacks() -> None:
    manager = CallbackManager(Hooks)
    assert manager.first(Hooks.lookup, "k") is None


def test_first_takes_the_hook_by_name() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Answer("a", None, log), Answer("b", "B", log)])
    assert manager.first("lookup", "k") == "B:k"
    assert log == ["a(k)", "b(k)"]


def test_first_passes_arguments_by_position_and_by_keyword() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Answer("a", "A", log)])
    assert manager.first(Hooks.lookup, "by-position") == "A:by-position"
    assert manager.first(Hooks.lookup, key="by-keyword") == "A:by-keyword"
    assert log == ["a(by-position)", "a(by-keyword)"]


@pytest.mark.parametrize("falsy", ["", "0"])
def test_first_stops_at_a_falsy_result_that_is_not_none(falsy: str) -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Falsy(falsy), Answer("b", "B", log)])
    assert manager.first(Hooks.lookup, "k") == falsy
    assert log == []


def test_first_follows_the_priority_order() -> None:
    log: Log = []
    manager = CallbackManager(
        Hooks, [Answer("low", "LOW", log), Prioritized(Answer("high", "HIGH", log), 5)]
    )
    assert manager.first(Hooks.lookup, "k") == "HIGH:k"
    assert log == ["high(k)"]


def test_first_on_a_reversed_hook_asks_the_last_in_order_first() -> None:
    log: Log = []
    manager = CallbackManager(
        Hooks, [Answer("a", "A", log), Answer("b", None, log), Answer("c", "C", log)]
    )
    assert manager.first(Hooks.release, key="k") == "C:k"
    assert log == ["c(k)"]


def test_first_sees_a_registration_made_after_an_earlier_first() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Answer("a", None, log)])
    assert manager.first(Hooks.lookup, "k") is None
    manager.register(Answer("b", "B", log), priority=1)
    assert manager.first(Hooks.lookup, "k") == "B:k"
    assert log == ["a(k)", "b(k)"]


def test_first_over_the_loop_form_stops_at_the_first_result() -> None:
    log: Log = []
    silent = [Answer(f"s{i}", None, log) for i in range(70)]
    manager = CallbackManager(Hooks, [*silent, Answer("late", "L", log), Answer("never", "N", log)])
    assert manager.first(Hooks.lookup, "k") == "L:k"
    assert log == [*(f"s{i}(k)" for i in range(70)), "late(k)"]


def test_first_over_the_loop_form_returns_none_when_no_result() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Answer(f"s{i}", None, log) for i in range(70)])
    assert manager.first(Hooks.lookup, "k") is None
    assert len(log) == 70


def test_first_with_an_unknown_hook_name_raises_unknown_hook_error() -> None:
    manager = CallbackManager(Hooks, [EventOnly()])
    with pytest.raises(UnknownHookError) as info:
        manager.first("lokup", "k")
    assert str(info.value) == (
        "Hooks has no hook 'lokup'. Did you mean 'lookup' or 'alookup'? "
        "Its hooks are: lookup, alookup, release, on_event."
    )


def test_first_propagates_an_exception_at_once_with_a_note() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Answer("a", None, log), Broken(log), Answer("c", "C", log)])
    with pytest.raises(LookupError) as info:
        manager.first(Hooks.lookup, "k")
    assert str(info.value) == "broken on k"
    assert log == ["a(k)", "Broken"]
    assert info.value.__notes__ == [
        "protocall: raised by callback Broken (implementer 2 of 3) in hook Hooks.lookup"
    ]


# -- async hooks ------------------------------------------------------------------------------


def test_first_on_an_async_hook_awaits_in_order_and_stops_at_the_first_result() -> None:
    log: Log = []
    manager = CallbackManager(
        Hooks, [Answer("a", None, log), Answer("b", "B", log), Answer("c", "C", log)]
    )
    assert asyncio.run(manager.first(Hooks.alookup, "k")) == "B:k"
    assert log == ["a(k)", "b(k)"]


def test_first_on_an_async_hook_returns_none_when_no_result() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Answer("a", None, log), Answer("b", None, log)])
    assert asyncio.run(manager.first(Hooks.alookup, "k")) is None
    assert log == ["a(k)", "b(k)"]


def test_first_on_an_async_hook_by_name_returns_an_awaitable() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Answer("a", "A", log)])

    async def main() -> object:
        return await manager.first("alookup", "k")

    assert asyncio.run(main()) == "A:k"


def test_first_on_an_async_hook_without_implementers_returns_none() -> None:
    manager = CallbackManager(Hooks, [EventOnly()])
    assert asyncio.run(manager.first(Hooks.alookup, "k")) is None


# -- with error policies ----------------------------------------------------------------------


def test_first_under_collect_stops_at_the_first_result_and_raises_the_earlier_failures() -> None:
    log: Log = []
    manager = CallbackManager(
        Hooks, [Broken(log), Answer("b", "B", log), Answer("c", "C", log)], errors="collect"
    )
    with pytest.raises(HookErrorGroup) as info:
        manager.first(Hooks.lookup, "k")
    group = info.value
    assert log == ["Broken", "b(k)"]
    assert group.results == ["B:k"]
    assert group.hook == "lookup"
    assert group.message == "1 of 3 callbacks raised in hook Hooks.lookup"
    [error] = group.exceptions
    assert isinstance(error, LookupError)
    assert error.__notes__ == [
        "protocall: raised by callback Broken (implementer 1 of 3) in hook Hooks.lookup"
    ]


def test_first_under_collect_returns_the_result_when_nothing_failed() -> None:
    log: Log = []
    manager = CallbackManager(
        Hooks, [Answer("a", None, log), Answer("b", "B", log), Broken(log)], errors="collect"
    )
    assert manager.first(Hooks.lookup, "k") == "B:k"
    assert log == ["a(k)", "b(k)"]


def test_first_under_collect_with_no_result_raises_the_failures_with_empty_results() -> None:
    log: Log = []
    manager = CallbackManager(
        Hooks, [Broken(log), Answer("b", None, log), Broken(log)], errors="collect"
    )
    with pytest.raises(HookErrorGroup) as info:
        manager.first(Hooks.lookup, "k")
    assert log == ["Broken", "b(k)", "Broken"]
    assert info.value.results == []
    assert info.value.message == "2 of 3 callbacks raised in hook Hooks.lookup"
    assert [e.__notes__ for e in info.value.exceptions] == [
        ["protocall: raised by callback Broken (implementer 1 of 3) in hook Hooks.lookup"],
        ["protocall: raised by callback Broken (implementer 3 of 3) in hook Hooks.lookup"],
    ]


def test_first_under_collect_returns_none_when_nothing_failed_and_no_result() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Answer("a", None, log)], errors="collect")
    assert manager.first(Hooks.lookup, "k") is None


def test_first_on_an_async_hook_under_collect_raises_with_the_found_result() -> None:
    log: Log = []
    manager = CallbackManager(
        Hooks, [Broken(log), Answer("b", "B", log), Answer("c", "C", log)], errors="collect"
    )
    with pytest.raises(HookErrorGroup) as info:
        asyncio.run(manager.first(Hooks.alookup, "k"))
    assert log == ["Broken", "b(k)"]
    assert info.value.results == ["B:k"]
    assert info.value.hook == "alookup"


def test_first_under_a_handler_skips_the_failures() -> None:
    log: Log = []
    seen: list[tuple[object, str, str]] = []

    def handler(callback: object, hook: str, exc: Exception) -> None:
        seen.append((callback, hook, str(exc)))

    broken = Broken(log)
    manager = CallbackManager(
        Hooks, [broken, Answer("b", "B", log), Answer("c", "C", log)], errors=handler
    )
    assert manager.first(Hooks.lookup, "k") == "B:k"
    assert log == ["Broken", "b(k)"]
    assert seen == [(broken, "lookup", "broken on k")]


def test_first_under_a_handler_returns_none_when_only_failures() -> None:
    log: Log = []
    handled: list[str] = []
    manager = CallbackManager(
        Hooks, [Broken(log), Broken(log)], errors=lambda cb, hook, exc: handled.append(hook)
    )
    assert manager.first(Hooks.lookup, "k") is None
    assert handled == ["lookup", "lookup"]


def test_first_on_an_async_hook_under_a_handler_skips_the_failures() -> None:
    log: Log = []
    handled: list[str] = []
    manager = CallbackManager(
        Hooks,
        [Broken(log), Answer("b", "B", log)],
        errors=lambda cb, hook, exc: handled.append(str(exc)),
    )
    assert asyncio.run(manager.first(Hooks.alookup, "k")) == "B:k"
    assert handled == ["broken on k"]


# -- unchecked manager ------------------------------------------------------------------------


def test_first_on_an_unchecked_manager_stops_at_the_first_result() -> None:
    log: Log = []
    manager = CallbackManager(
        None, [EventOnly(), Answer("a", None, log), Answer("b", "B", log), Answer("c", "C", log)]
    )
    assert manager.first("lookup", "k") == "B:k"
    assert log == ["a(k)", "b(k)"]


def test_first_on_an_unchecked_manager_returns_none_for_a_name_nobody_implements() -> None:
    manager = CallbackManager(None, [EventOnly()])
    assert manager.first("anything", 1, x=2) is None


def test_first_on_an_unchecked_manager_follows_priorities() -> None:
    log: Log = []
    manager = CallbackManager(None, [Answer("a", "A", log)])
    manager.register(Answer("b", "B", log), priority=1)
    assert manager.first("lookup", "k") == "B:k"
    assert log == ["b(k)"]


def test_first_on_an_unchecked_manager_under_collect_raises_with_the_found_result() -> None:
    log: Log = []
    manager = CallbackManager(None, [Broken(log), Answer("b", "B", log)], errors="collect")
    with pytest.raises(HookErrorGroup) as info:
        manager.first("lookup", "k")
    assert info.value.results == ["B:k"]
    assert info.value.message == "1 of 2 callbacks raised in hook 'lookup'"
    assert info.value.exceptions[0].__notes__ == [
        "protocall: raised by callback Broken (implementer 1 of 2) in hook 'lookup'"
    ]


def test_first_on_an_unchecked_manager_under_a_handler_skips_the_failures() -> None:
    log: Log = []
    handled: list[str] = []
    manager = CallbackManager(
        None,
        [Broken(log), Answer("b", "B", log)],
        errors=lambda cb, hook, exc: handled.append(hook),
    )
    assert manager.first("lookup", "k") == "B:k"
    assert handled == ["lookup"]
