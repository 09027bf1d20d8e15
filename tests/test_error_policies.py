"""Error policies (issue 4, item 5): ``CallbackManager(spec, callbacks, errors=...)``.

``"raise"`` (the default) propagates an exception at once, with a note naming the callback and
the hook; ``"collect"`` calls every implementer and then raises a ``HookErrorGroup`` of the
failures (each with its note), keeping the others' results in ``.results``; a handler
``(callback, hook_name, exc) -> None`` decides per failure: returning goes on with the next
implementer, raising stops the call. ``KeyboardInterrupt`` and ``SystemExit`` always propagate at
once, untouched by the policy.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

import pytest

from protocall import CallbackManager, ErrorPolicy, HookErrorGroup

Log = list[str]


class Hooks(Protocol):
    def on_step(self, *, step: int) -> None: ...

    def score(self, *, step: int) -> int: ...

    async def on_async(self, *, step: int) -> int: ...


class Good:
    def __init__(self, label: str, log: Log) -> None:
        self.label, self.log = label, log

    def on_step(self, *, step: int) -> None:
        self.log.append(f"{self.label}:{step}")

    def score(self, *, step: int) -> int:
        self.log.append(f"{self.label}:{step}")
        return step * 10

    async def on_async(self, *, step: int) -> int:
        await asyncio.sleep(0)
        self.log.append(f"{self.label}:{step}")
        return step * 10


class Bad:
    def __init__(self, log: Log, error: BaseException | None = None) -> None:
        self.log, self.error = log, error

    def _raise(self, step: int) -> None:
        self.log.append(f"Bad:{step}")
        raise self.error if self.error is not None else ValueError(f"bad step {step}")

    def on_step(self, *, step: int) -> None:
        self._raise(step)

    def score(self, *, step: int) -> int:
        self._raise(step)
        return 0

    async def on_async(self, *, step: int) -> int:
        await asyncio.sleep(0)
        self._raise(step)
        return 0


class Worse(Bad):
    """A second failing class, so that notes can tell them apart."""


Handled = list[tuple[object, str, str, list[str]]]


def recording(handled: Handled) -> ErrorPolicy:
    """A handler that records (callback, hook name, message, notes) and goes on."""

    def handler(callback: object, hook: str, exc: Exception) -> None:
        handled.append((callback, hook, str(exc), list(getattr(exc, "__notes__", []))))

    return handler


# -- "raise" ----------------------------------------------------------------------------------


@pytest.mark.parametrize("errors", ["raise", None])
def test_raise_propagates_at_once_and_skips_the_later_callbacks(errors: str | None) -> None:
    log: Log = []
    callbacks = [Good("a", log), Bad(log), Good("c", log)]
    manager = (
        CallbackManager(Hooks, callbacks)
        if errors is None
        else CallbackManager(Hooks, callbacks, errors="raise")
    )
    with pytest.raises(ValueError) as info:
        manager.call.on_step(step=1)
    assert log == ["a:1", "Bad:1"]
    assert str(info.value) == "bad step 1"
    assert info.value.__notes__ == [
        "protocall: raised by callback Bad (implementer 2 of 3) in hook Hooks.on_step"
    ]


def test_raise_does_not_wrap_the_exception_in_a_group() -> None:
    log: Log = []
    error = ValueError("original")
    manager = CallbackManager(Hooks, [Bad(log, error)])
    with pytest.raises(ValueError) as info:
        manager.emit(Hooks.score, step=1)
    assert info.value is error


class Defaulted(Protocol):
    """A hook with a default value: dispatched by the loop form, not straight-line code."""

    def on_flag(self, *, flag: bool = False) -> None: ...


class First:
    pass


class Second:
    pass


def test_the_note_names_the_failing_callback_when_two_callbacks_share_one_function() -> None:
    calls: list[int] = []

    def on_flag(*, flag: bool = False) -> None:
        calls.append(len(calls))
        if len(calls) == 2:
            raise ValueError("the second call fails")

    first, second = First(), Second()
    first.on_flag = on_flag  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue]
    second.on_flag = on_flag  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue]
    manager = CallbackManager(Defaulted, [first, second])
    with pytest.raises(ValueError) as info:
        manager.call.on_flag()
    assert info.value.__notes__ == [
        "protocall: raised by callback Second (implementer 2 of 2) in hook Defaulted.on_flag"
    ]


# -- "collect" --------------------------------------------------------------------------------


def test_collect_calls_every_implementer_before_raising() -> None:
    log: Log = []
    manager = CallbackManager(
        Hooks, [Bad(log), Good("b", log), Worse(log), Good("d", log)], errors="collect"
    )
    with pytest.raises(HookErrorGroup):
        manager.call.on_step(step=1)
    assert log == ["Bad:1", "b:1", "Bad:1", "d:1"]


def test_collect_raises_a_hook_error_group_of_the_failures_in_call_order() -> None:
    log: Log = []
    first, second = ValueError("one"), KeyError("two")
    manager = CallbackManager(
        Hooks, [Bad(log, first), Good("b", log), Worse(log, second)], errors="collect"
    )
    with pytest.raises(HookErrorGroup) as info:
        manager.call.on_step(step=1)
    group = info.value
    assert isinstance(group, ExceptionGroup)
    assert group.exceptions == (first, second)
    assert group.message == "2 of 3 callbacks raised in hook Hooks.on_step"
    assert group.hook == "on_step"


def test_collect_notes_name_each_failing_callback() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Bad(log), Good("b", log), Worse(log)], errors="collect")
    with pytest.raises(HookErrorGroup) as info:
        manager.call.on_step(step=1)
    assert [e.__notes__ for e in info.value.exceptions] == [
        ["protocall: raised by callback Bad (implementer 1 of 3) in hook Hooks.on_step"],
        ["protocall: raised by callback Worse (implementer 3 of 3) in hook Hooks.on_step"],
    ]


def test_collect_raises_nothing_when_nothing_fails() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Good("a", log), Good("b", log)], errors="collect")
    manager.call.on_step(step=1)
    assert manager.emit(Hooks.score, step=2) == [20, 20]
    assert log == ["a:1", "b:1", "a:2", "b:2"]


def test_collect_keeps_the_results_of_the_others_for_emit() -> None:
    log: Log = []
    manager = CallbackManager(
        Hooks, [Good("a", log), Bad(log), Good("c", log), Worse(log)], errors="collect"
    )
    with pytest.raises(HookErrorGroup) as info:
        manager.emit(Hooks.score, step=3)
    assert info.value.results == [30, 30]
    assert info.value.hook == "score"
    assert info.value.message == "2 of 4 callbacks raised in hook Hooks.score"


def test_collect_reports_no_results_for_call() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Good("a", log), Bad(log)], errors="collect")
    with pytest.raises(HookErrorGroup) as info:
        manager.call.on_step(step=1)
    assert info.value.results == []


def test_collect_on_an_async_hook_awaits_every_implementer() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Bad(log), Good("b", log), Worse(log)], errors="collect")
    with pytest.raises(HookErrorGroup) as info:
        asyncio.run(manager.emit(Hooks.on_async, step=4))
    assert log == ["Bad:4", "b:4", "Bad:4"]
    assert info.value.results == [40]
    assert info.value.message == "2 of 3 callbacks raised in hook Hooks.on_async"
    assert [e.__notes__ for e in info.value.exceptions] == [
        ["protocall: raised by callback Bad (implementer 1 of 3) in hook Hooks.on_async"],
        ["protocall: raised by callback Worse (implementer 3 of 3) in hook Hooks.on_async"],
    ]


def test_collect_beyond_sixty_four_implementers_counts_them_all() -> None:
    log: Log = []
    callbacks = [*(Good(f"g{i}", log) for i in range(69)), Bad(log)]
    manager = CallbackManager(Hooks, callbacks, errors="collect")
    with pytest.raises(HookErrorGroup) as info:
        manager.emit(Hooks.score, step=1)
    assert info.value.results == [10] * 69
    assert info.value.message == "1 of 70 callbacks raised in hook Hooks.score"
    assert info.value.exceptions[0].__notes__ == [
        "protocall: raised by callback Bad (implementer 70 of 70) in hook Hooks.score"
    ]


def test_collect_raises_a_new_group_on_each_call() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Bad(log)], errors="collect")
    groups: list[HookErrorGroup] = []
    for step in (1, 2):
        with pytest.raises(HookErrorGroup) as info:
            manager.call.on_step(step=step)
        groups.append(info.value)
    assert [str(g.exceptions[0]) for g in groups] == ["bad step 1", "bad step 2"]


# -- HookErrorGroup ---------------------------------------------------------------------------


def collected_group() -> HookErrorGroup:
    log: Log = []
    manager = CallbackManager(
        Hooks,
        [Bad(log, ValueError("v")), Good("b", log), Worse(log, KeyError("k"))],
        errors="collect",
    )
    with pytest.raises(HookErrorGroup) as info:
        manager.emit(Hooks.score, step=1)
    return info.value


def test_hook_error_group_split_keeps_hook_and_results() -> None:
    match, rest = collected_group().split(ValueError)
    assert isinstance(match, HookErrorGroup)
    assert isinstance(rest, HookErrorGroup)
    assert [type(e) for e in match.exceptions] == [ValueError]
    assert [type(e) for e in rest.exceptions] == [KeyError]
    assert (match.hook, match.results) == ("score", [10])
    assert (rest.hook, rest.results) == ("score", [10])
    assert match.message == rest.message == "2 of 3 callbacks raised in hook Hooks.score"


def test_hook_error_group_subgroup_keeps_hook_and_results() -> None:
    sub = collected_group().subgroup(KeyError)
    assert isinstance(sub, HookErrorGroup)
    assert [type(e) for e in sub.exceptions] == [KeyError]
    assert (sub.hook, sub.results) == ("score", [10])


def test_hook_error_group_is_caught_by_except_star() -> None:
    caught: list[BaseException] = []
    try:
        raise collected_group()
    except* KeyError as group:
        caught.extend(group.exceptions)
    except* ValueError as group:
        caught.extend(group.exceptions)
    assert [type(e) for e in caught] == [KeyError, ValueError]


def test_hook_error_group_defaults() -> None:
    group = HookErrorGroup("msg", [ValueError()])
    assert (group.hook, group.results) == ("", [])


# -- a handler --------------------------------------------------------------------------------


def test_a_handler_is_called_with_the_callback_the_hook_name_and_the_exception() -> None:
    log: Log = []
    handled: Handled = []
    bad = Bad(log)
    manager = CallbackManager(Hooks, [Good("a", log), bad], errors=recording(handled))
    manager.call.on_step(step=1)
    assert handled == [
        (
            bad,
            "on_step",
            "bad step 1",
            ["protocall: raised by callback Bad (implementer 2 of 2) in hook Hooks.on_step"],
        )
    ]


def test_a_handler_that_returns_lets_the_later_callbacks_run() -> None:
    log: Log = []
    handled: Handled = []
    bad, worse = Bad(log), Worse(log)
    manager = CallbackManager(
        Hooks, [bad, Good("b", log), worse, Good("d", log)], errors=recording(handled)
    )
    manager.call.on_step(step=1)
    assert log == ["Bad:1", "b:1", "Bad:1", "d:1"]
    assert [(cb, hook) for cb, hook, *_ in handled] == [(bad, "on_step"), (worse, "on_step")]


def test_a_handler_that_returns_leaves_the_failures_out_of_emit() -> None:
    log: Log = []
    manager = CallbackManager(
        Hooks, [Good("a", log), Bad(log), Good("c", log)], errors=recording([])
    )
    assert manager.emit(Hooks.score, step=2) == [20, 20]


def test_a_handler_on_an_async_hook() -> None:
    log: Log = []
    handled: Handled = []
    manager = CallbackManager(Hooks, [Bad(log), Good("b", log)], errors=recording(handled))
    assert asyncio.run(manager.emit(Hooks.on_async, step=3)) == [30]
    assert [(hook, message) for _, hook, message, _ in handled] == [("on_async", "bad step 3")]


def test_a_handler_that_re_raises_stops_the_call() -> None:
    log: Log = []

    def re_raise(callback: object, hook: str, exc: Exception) -> None:
        raise exc

    manager = CallbackManager(Hooks, [Good("a", log), Bad(log), Good("c", log)], errors=re_raise)
    with pytest.raises(ValueError) as info:
        manager.call.on_step(step=1)
    assert log == ["a:1", "Bad:1"]
    assert info.value.__notes__ == [
        "protocall: raised by callback Bad (implementer 2 of 3) in hook Hooks.on_step"
    ]


def test_a_handler_that_raises_another_exception_stops_the_call_with_it() -> None:
    log: Log = []

    class StopError(Exception):
        pass

    def translate(callback: object, hook: str, exc: Exception) -> None:
        raise StopError(f"{type(callback).__name__} failed in {hook}") from exc

    manager = CallbackManager(Hooks, [Bad(log), Good("b", log)], errors=translate)
    with pytest.raises(StopError) as info:
        manager.emit(Hooks.score, step=1)
    assert str(info.value) == "Bad failed in score"
    assert isinstance(info.value.__cause__, ValueError)
    assert log == ["Bad:1"]


def test_a_handler_on_a_reversed_or_prioritized_order_gets_the_failing_callback() -> None:
    log: Log = []
    handled: Handled = []
    bad, worse = Bad(log), Worse(log)
    manager = CallbackManager(Hooks, [bad], errors=recording(handled))
    manager.register(worse, priority=1)
    manager.call.on_step(step=1)
    assert [cb for cb, *_ in handled] == [worse, bad]
    assert [notes for *_, notes in handled] == [
        ["protocall: raised by callback Worse (implementer 1 of 2) in hook Hooks.on_step"],
        ["protocall: raised by callback Bad (implementer 2 of 2) in hook Hooks.on_step"],
    ]


# -- KeyboardInterrupt and SystemExit ------------------------------------------------------------


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt(), SystemExit(3)])
def test_an_interrupt_propagates_at_once_under_collect(interrupt: BaseException) -> None:
    log: Log = []
    manager = CallbackManager(
        Hooks, [Bad(log), Worse(log, interrupt), Good("c", log)], errors="collect"
    )
    with pytest.raises(type(interrupt)) as info:
        manager.call.on_step(step=1)
    assert info.value is interrupt
    assert log == ["Bad:1", "Bad:1"]


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt(), SystemExit(3)])
def test_an_interrupt_propagates_at_once_under_a_handler(interrupt: BaseException) -> None:
    log: Log = []
    handled: Handled = []
    manager = CallbackManager(
        Hooks, [Worse(log, interrupt), Good("b", log)], errors=recording(handled)
    )
    with pytest.raises(type(interrupt)) as info:
        manager.emit(Hooks.score, step=1)
    assert info.value is interrupt
    assert log == ["Bad:1"]
    assert handled == []


def test_an_interrupt_propagates_at_once_from_an_async_hook_under_collect() -> None:
    log: Log = []
    interrupt = KeyboardInterrupt()
    manager = CallbackManager(Hooks, [Worse(log, interrupt), Good("b", log)], errors="collect")
    with pytest.raises(KeyboardInterrupt) as info:
        asyncio.run(manager.emit(Hooks.on_async, step=1))
    assert info.value is interrupt
    assert log == ["Bad:1"]


def test_an_interrupt_carries_the_note_under_raise() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Good("a", log), Worse(log, KeyboardInterrupt())])
    with pytest.raises(KeyboardInterrupt) as info:
        manager.call.on_step(step=1)
    assert info.value.__notes__ == [
        "protocall: raised by callback Worse (implementer 2 of 2) in hook Hooks.on_step"
    ]


# -- the errors= argument -----------------------------------------------------------------------


@pytest.mark.parametrize("errors", ["ignore", "RAISE", None, 0])
def test_an_invalid_errors_value_raises_value_error(errors: object) -> None:
    with pytest.raises(ValueError) as info:
        CallbackManager(Hooks, [], errors=errors)  # type: ignore[call-overload]  # pyright: ignore[reportArgumentType, reportCallIssue]
    assert str(info.value) == (
        f"errors= is 'raise', 'collect' or a handler (callback, hook_name, exc) -> None, "
        f"not {errors!r}"
    )


def test_an_invalid_errors_value_is_refused_on_an_unchecked_manager_too() -> None:
    with pytest.raises(ValueError, match=r"^errors= is 'raise', 'collect' or a handler"):
        CallbackManager(None, errors="skip")  # type: ignore[call-overload]  # pyright: ignore[reportArgumentType, reportCallIssue]


def test_the_policy_is_per_manager() -> None:
    log: Log = []
    bad = Bad(log)
    collecting = CallbackManager(Hooks, [bad, Good("b", log)], errors="collect")
    raising = CallbackManager(Hooks, [bad, Good("c", log)])
    with pytest.raises(ValueError):
        raising.call.on_step(step=1)
    with pytest.raises(HookErrorGroup):
        collecting.call.on_step(step=2)
    assert log == ["Bad:1", "Bad:2", "b:2"]


# -- unchecked manager ------------------------------------------------------------------------


def test_an_unchecked_manager_under_collect() -> None:
    log: Log = []
    manager = CallbackManager(None, [Bad(log), Good("b", log)], errors="collect")
    with pytest.raises(HookErrorGroup) as info:
        manager.emit("score", step=1)
    assert log == ["Bad:1", "b:1"]
    assert info.value.results == [10]
    assert info.value.hook == "score"
    assert info.value.message == "1 of 2 callbacks raised in hook 'score'"
    assert info.value.exceptions[0].__notes__ == [
        "protocall: raised by callback Bad (implementer 1 of 2) in hook 'score'"
    ]


def test_an_unchecked_manager_under_a_handler() -> None:
    log: Log = []
    handled: Handled = []
    bad = Bad(log)
    manager = CallbackManager(None, [bad, Good("b", log)], errors=recording(handled))
    manager.call.on_step(step=1)
    assert log == ["Bad:1", "b:1"]
    assert handled == [
        (
            bad,
            "on_step",
            "bad step 1",
            ["protocall: raised by callback Bad (implementer 1 of 2) in hook 'on_step'"],
        )
    ]


def test_an_unchecked_manager_under_collect_lets_an_interrupt_through() -> None:
    log: Log = []
    manager = CallbackManager(
        None, [Worse(log, KeyboardInterrupt()), Good("b", log)], errors="collect"
    )
    with pytest.raises(KeyboardInterrupt):
        manager.call.on_step(step=1)
    assert log == ["Bad:1"]


class NotCallable:
    score = 5


def test_an_unchecked_emit_under_collect_leaves_skipped_attributes_out_of_the_results() -> None:
    log: Log = []
    manager = CallbackManager(None, [NotCallable(), Bad(log), Good("c", log)], errors="collect")
    with (
        pytest.warns(UserWarning, match="Skipping the callback `NotCallable.score`"),
        pytest.raises(HookErrorGroup) as info,
    ):
        manager.emit("score", step=1)
    assert info.value.results == [10]


class Stop(BaseException):
    """Not an ``Exception``: no error policy handles it."""


@pytest.mark.parametrize("errors", ["collect", "handler"])
@pytest.mark.parametrize("how", ["call", "emit", "await emit"])
def test_a_base_exception_propagates_under_a_policy_with_the_callbacks_note(
    errors: str, how: str
) -> None:
    log: Log = []
    handled: list[Exception] = []

    def handler(callback: object, hook: str, exc: Exception) -> None:
        handled.append(exc)

    policy: ErrorPolicy = "collect" if errors == "collect" else handler
    callbacks = [Good("a", log), Bad(log, Stop("stop")), Good("c", log)]
    manager = CallbackManager(Hooks, callbacks, errors=policy)
    with pytest.raises(Stop) as info:
        if how == "call":
            manager.call.on_step(step=1)
        elif how == "emit":
            manager.emit(Hooks.score, step=1)
        else:
            asyncio.run(manager.emit(Hooks.on_async, step=1))
    assert info.value.__notes__ == [
        "protocall: raised by callback Bad (implementer 2 of 3) in hook Hooks."
        + {"call": "on_step", "emit": "score", "await emit": "on_async"}[how]
    ]
    assert log == ["a:1", "Bad:1"] and handled == []
