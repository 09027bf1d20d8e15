"""Dispatch on a checked manager (semantics 4 to 8) and the manager's introspection.

Registration resolves bound methods once and dispatch only calls them, in registration order;
an exception propagates at once with a note naming the callback and the hook; a change of
registrations made during a dispatch applies from the next call; a name the spec does not declare
is an :class:`UnknownHookError` listing the closest hooks.
"""

import traceback
from collections.abc import Callable
from typing import Any, Literal, Protocol, cast, overload

import pytest
from hooks_fixtures import Hooks, Log, OnQuery, OnStart, OnStep, Recorder, StartOnly, StepOnly

from protocall import CallbackManager, ErrorPolicy, UnknownHookError


def tags(log: Log) -> list[str]:
    return [tag for tag, *_ in log]


# -- semantics 4: cached ---------------------------------------------------------------------


class CountsLookups:
    """Counts every lookup of a hook name on its instances."""

    lookups = 0

    def __getattribute__(self, name: str) -> Any:
        if name.startswith("on_"):
            type(self).lookups += 1
        return object.__getattribute__(self, name)

    def on_query(self, key: str) -> int:
        return 1

    def on_start(self) -> None: ...


def test_dispatch_looks_up_no_method_on_the_callbacks() -> None:
    manager = CallbackManager(Hooks, [CountsLookups()])
    CountsLookups.lookups = 0
    for _ in range(3):
        manager.call.on_start()
        manager.emit(Hooks.on_query, "k")
        assert manager.emit(Hooks.on_query, "k") == [1]
        assert manager.emit("on_query", "k") == [1]
    assert CountsLookups.lookups == 0


class CountingDescriptor:
    """A hook attribute computed by a descriptor, counting how often it is read."""

    reads = 0

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        CountingDescriptor.reads += 1
        return seven


def seven(key: str) -> int:
    return 7


class FromDescriptor:
    on_query = CountingDescriptor()


def test_a_descriptor_is_read_at_registration_not_on_each_call() -> None:
    manager = CallbackManager(Hooks, [FromDescriptor()])
    CountingDescriptor.reads = 0
    assert manager.emit(Hooks.on_query, "a") == [7]
    manager.emit(Hooks.on_query, "b")
    assert CountingDescriptor.reads == 0


class Replaceable:
    def on_query(self, key: str) -> int:
        return 1


def answer_two(self: object, key: str) -> int:
    return 2


def test_replacing_a_method_on_the_class_after_registration_does_not_change_dispatch() -> None:
    callback = Replaceable()
    manager = CallbackManager(Hooks, [callback])
    assert manager.emit(Hooks.on_query, "k") == [1]
    original = Replaceable.on_query
    setattr(Replaceable, "on_query", answer_two)  # noqa: B010
    try:
        assert manager.emit(Hooks.on_query, "k") == [1]
        assert manager.emit("on_query", "k") == [1]
        assert callback.on_query("k") == 2  # the class did change
    finally:
        setattr(Replaceable, "on_query", original)  # noqa: B010


def test_setting_a_hook_attribute_on_the_instance_after_registration_does_not_change_dispatch() -> (
    None
):
    callback = Replaceable()
    manager = CallbackManager(Hooks, [callback])
    setattr(callback, "on_query", seven)  # noqa: B010
    assert manager.emit(Hooks.on_query, "k") == [1]


def test_implementers_are_a_tuple_in_registration_order() -> None:
    log: Log = []
    first, second, third = Recorder("a", log), StartOnly("b", log), StepOnly("c", log)
    manager = CallbackManager(Hooks, [first, second, third])
    assert manager.implementers("on_start") == (first, second)
    assert manager.implementers(Hooks.on_step) == (first, third)
    assert manager.implementers(OnStep.on_step) == (first, third)
    assert manager.implementers("on_end") == (first,)
    assert isinstance(manager.implementers("on_query"), tuple)


def test_implementers_are_rebuilt_when_a_callback_is_registered_or_unregistered() -> None:
    log: Log = []
    first, second = StartOnly("a", log), StartOnly("b", log)
    manager = CallbackManager(Hooks, [first])
    assert manager.implementers("on_start") == (first,)
    manager.register(second)
    assert manager.implementers("on_start") == (first, second)
    manager.unregister(first)
    assert manager.implementers("on_start") == (second,)


def test_dispatch_is_rebuilt_when_a_callback_is_registered_or_unregistered() -> None:
    log: Log = []
    first, second = StartOnly("a", log), Recorder("b", log)
    manager = CallbackManager(Hooks, [first])
    manager.call.on_start()
    assert manager.emit(Hooks.on_query, "k") == []
    manager.register(second)
    manager.call.on_start()
    assert manager.emit(Hooks.on_query, "k") == [0]
    manager.unregister(first)
    manager.call.on_start()
    manager.unregister(second)
    manager.call.on_start()
    assert manager.emit("on_query", "k") == []
    assert tags(log) == ["a", "a", "b", "b", "b"]


def test_a_dispatcher_fetched_before_a_change_calls_the_current_implementers() -> None:
    """Held hook callers are live (semantics 11)."""
    log: Log = []
    manager = CallbackManager(Hooks, [StartOnly("a", log)])
    on_start = manager.call.on_start
    manager.register(StartOnly("b", log))
    on_start()
    assert tags(log) == ["a", "b"]
    assert manager.call.on_start is on_start


# -- semantics 5: order ----------------------------------------------------------------------


def test_callbacks_are_called_in_the_order_given_then_in_the_order_registered() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Recorder("1", log), StartOnly("2", log)])
    manager.register(StartOnly("3", log))
    manager.register(Recorder("4", log))
    manager.call.on_start()
    assert tags(log) == ["1", "2", "3", "4"]


def test_a_callback_unregistered_and_registered_again_goes_last() -> None:
    log: Log = []
    first = StartOnly("first", log)
    manager = CallbackManager(Hooks, [first, StartOnly("second", log)])
    manager.unregister(first)
    manager.register(first)
    manager.call.on_start()
    assert tags(log) == ["second", "first"]
    assert manager.callbacks[-1] is first


def test_arguments_reach_every_implementer_unchanged() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Recorder("a", log), StepOnly("b", log)])
    manager.call.on_step(5, loss=0.125)
    assert log == [("a", "on_step", (5,), {"loss": 0.125}), ("b", "on_step", (5,), {"loss": 0.125})]


# -- semantics 6: errors in callbacks --------------------------------------------------------


class Failing:
    def __init__(self, error: BaseException) -> None:
        self.error = error

    def on_start(self) -> None:
        raise self.error

    def on_query(self, key: str) -> int:
        raise self.error


def test_an_exception_in_a_callback_propagates_at_once_and_later_callbacks_are_not_called() -> None:
    log: Log = []
    error = ValueError("broken")
    manager = CallbackManager(
        Hooks, [StartOnly("before", log), Failing(error), StartOnly("after", log)]
    )
    with pytest.raises(ValueError) as info:
        manager.call.on_start()
    assert info.value is error
    assert tags(log) == ["before"]


def test_the_exception_carries_a_note_naming_the_callback_and_the_hook() -> None:
    manager = CallbackManager(Hooks, [StartOnly("before", []), Failing(ValueError("broken"))])
    with pytest.raises(ValueError) as info:
        manager.call.on_start()
    assert info.value.__notes__ == [
        "protocall: raised by callback Failing (implementer 2 of 2) in hook Hooks.on_start"
    ]


def test_an_exception_in_emit_carries_the_same_note() -> None:
    manager = CallbackManager(Hooks, [Failing(KeyError("k")), Recorder("after", [])])
    with pytest.raises(KeyError) as info:
        manager.emit(Hooks.on_query, "k")
    assert info.value.__notes__ == [
        "protocall: raised by callback Failing (implementer 1 of 2) in hook Hooks.on_query"
    ]


def test_a_base_exception_propagates_with_its_note_too() -> None:
    manager = CallbackManager(Hooks, [Failing(KeyboardInterrupt())])
    with pytest.raises(KeyboardInterrupt) as info:
        manager.call.on_start()
    assert info.value.__notes__ == [
        "protocall: raised by callback Failing (implementer 1 of 1) in hook Hooks.on_start"
    ]


def test_a_failing_callback_does_not_stop_the_next_call() -> None:
    log: Log = []
    failing = Failing(ValueError("once"))
    manager = CallbackManager(Hooks, [failing, StartOnly("after", log)])
    with pytest.raises(ValueError):
        manager.call.on_start()
    manager.unregister(failing)
    manager.call.on_start()
    assert tags(log) == ["after"]


class FailsAnew:
    def on_start(self) -> None:
        raise ValueError("a new exception on each call")


def dispatcher_frames(exc: BaseException) -> list[str]:
    frames = traceback.extract_tb(exc.__traceback__)
    return [frame.name for frame in frames if frame.filename.startswith("<protocall")]


def test_a_traceback_through_a_dispatcher_names_the_hook() -> None:
    manager = CallbackManager(Hooks, [FailsAnew()])
    with pytest.raises(ValueError) as first:
        manager.call.on_start()
    # The first call after a change finds the snapshot stale and hands over to the fresh code.
    assert dispatcher_frames(first.value) == ["on_start", "on_start"]
    with pytest.raises(ValueError) as second:
        manager.call.on_start()
    assert dispatcher_frames(second.value) == ["on_start"]
    assert "".join(traceback.format_tb(second.value.__traceback__)).count("in on_start") == 2


# -- semantics 7: mutation during dispatch ---------------------------------------------------


class RegistersAnother:
    def __init__(self, manager: CallbackManager[Hooks], log: Log) -> None:
        self.manager = manager
        self.log = log
        self.added: StartOnly | None = None

    def on_start(self) -> None:
        self.log.append(("registrar", "on_start", (), {}))
        if self.added is None:
            self.added = self.manager.register(StartOnly("added", self.log))


def test_a_callback_registered_during_dispatch_is_called_from_the_next_call() -> None:
    log: Log = []
    manager = CallbackManager(Hooks)
    manager.register(RegistersAnother(manager, log))
    manager.call.on_start()
    assert tags(log) == ["registrar"]
    manager.call.on_start()
    assert tags(log) == ["registrar", "registrar", "added"]


class UnregistersOthers:
    def __init__(self, manager: CallbackManager[Hooks], log: Log) -> None:
        self.manager = manager
        self.log = log

    def on_start(self) -> None:
        self.log.append(("remover", "on_start", (), {}))
        for callback in self.manager.callbacks:
            if callback is not self:
                self.manager.unregister(callback)


def test_a_callback_unregistered_during_dispatch_is_still_called_in_that_call_only() -> None:
    log: Log = []
    manager = CallbackManager(Hooks)
    manager.register(UnregistersOthers(manager, log))
    manager.register(StartOnly("later", log))
    manager.call.on_start()
    assert tags(log) == ["remover", "later"]
    manager.call.on_start()
    assert tags(log) == ["remover", "later", "remover"]


class UnregistersItself:
    def __init__(self, manager: CallbackManager[Hooks], log: Log) -> None:
        self.manager = manager
        self.log = log

    def on_query(self, key: str) -> int:
        self.manager.unregister(self)
        return 1


def test_a_callback_that_unregisters_itself_during_emit_is_still_counted_in_that_call() -> None:
    log: Log = []
    manager = CallbackManager(Hooks)
    manager.register(UnregistersItself(manager, log))
    manager.register(Recorder("r", log, answer=2))
    assert manager.emit(Hooks.on_query, "k") == [1, 2]
    assert manager.emit(Hooks.on_query, "k") == [2]


# -- semantics 8: unknown hook names ---------------------------------------------------------

HOOK_LIST = "Its hooks are: on_start, on_step, on_end, on_query."


def name_of(hook: str) -> str:
    """``hook`` as a plain ``str``: the mypy plugin (rightly) flags a literal unknown hook name."""
    return hook


UNKNOWN_QUERY = name_of("on_quer")
UNKNOWN_TEARDOWN = name_of("teardown")


def test_an_unknown_name_on_call_is_an_unknown_hook_error_naming_the_closest_hooks() -> None:
    manager = CallbackManager(Hooks)
    with pytest.raises(UnknownHookError) as info:
        _ = cast(Any, manager.call).on_stpe
    assert str(info.value) == f"Hooks has no hook 'on_stpe'. Did you mean 'on_step'? {HOOK_LIST}"
    assert info.value.name == "on_stpe"


def test_an_unknown_name_on_emit_is_an_unknown_hook_error_naming_the_closest_hooks() -> None:
    manager = CallbackManager(Hooks, [Recorder("r", [])])
    with pytest.raises(UnknownHookError) as info:
        manager.emit(UNKNOWN_QUERY, "k")
    assert str(info.value) == f"Hooks has no hook 'on_quer'. Did you mean 'on_query'? {HOOK_LIST}"


def test_an_unknown_name_without_a_close_hook_lists_the_hooks_only() -> None:
    with pytest.raises(UnknownHookError) as info:
        CallbackManager(Hooks).emit(UNKNOWN_TEARDOWN)
    assert str(info.value) == f"Hooks has no hook 'teardown'. {HOOK_LIST}"


class Other(Protocol):
    def on_stop(self) -> None: ...

    def on_start(self) -> None: ...


def test_a_method_of_another_spec_is_an_unknown_hook_error() -> None:
    manager = CallbackManager(Hooks)
    with pytest.raises(UnknownHookError) as info:
        manager.emit(Other.on_stop)  # type: ignore[call-overload]  # pyright: ignore[reportArgumentType]
    assert str(info.value) == "Other.on_stop is not a hook of Hooks. Did you mean 'on_step'?"


def test_a_same_named_method_of_another_spec_is_an_unknown_hook_error_that_shows_the_right_one() -> (
    None
):
    manager = CallbackManager(Hooks)
    with pytest.raises(UnknownHookError) as info:
        manager.emit(Other.on_start)  # type: ignore[call-overload]  # pyright: ignore[reportArgumentType]
    assert str(info.value) == (
        "Other.on_start is not a hook of Hooks. The spec has a hook named 'on_start': pass "
        "Hooks.on_start or 'on_start'."
    )


def test_an_unknown_hook_error_is_an_attribute_error() -> None:
    manager = CallbackManager(Hooks)
    assert issubclass(UnknownHookError, AttributeError)
    assert not hasattr(manager.call, "on_stpe")
    assert getattr(manager.call, "on_stpe", None) is None


def test_implementers_of_an_unknown_name_is_an_unknown_hook_error() -> None:
    with pytest.raises(
        UnknownHookError, match=r"^Hooks has no hook 'on_ends'\. Did you mean 'on_end'"
    ):
        CallbackManager(Hooks).implementers("on_ends")


def test_emit_of_something_that_is_neither_a_name_nor_a_method_is_a_type_error() -> None:
    with pytest.raises(TypeError) as info:
        CallbackManager(Hooks).emit(cast(Any, 42))
    assert not isinstance(info.value, UnknownHookError)
    assert str(info.value) == (
        "a hook is given as its name (a str) or as a method of the spec such as Hooks.on_start, "
        "not int 42"
    )


# -- call and emit -----------------------------------------------------------------------------


def test_emit_by_spec_method_returns_the_results_in_call_order() -> None:
    manager = CallbackManager(Hooks, [Recorder("a", [], answer=1), Recorder("b", [], answer=2)])
    results: list[int] = manager.emit(Hooks.on_query, "k")
    assert results == [1, 2]


def test_emit_by_an_inherited_hook_of_a_base_protocol_returns_the_results() -> None:
    manager = CallbackManager(Hooks, [Recorder("a", [], answer=1), Recorder("b", [], answer=2)])
    assert manager.emit(OnQuery.on_query, "k") == [1, 2]


def test_emit_by_name_returns_the_results_in_call_order() -> None:
    manager = CallbackManager(Hooks, [Recorder("a", [], answer=3), Recorder("b", [], answer=4)])
    assert manager.emit("on_query", "k") == [3, 4]
    assert manager.emit("on_query", key="k") == [3, 4]


def test_emit_of_a_none_hook_returns_one_none_per_implementer() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Recorder("a", log), StartOnly("b", log)])
    assert manager.emit(OnStart.on_start) == [None, None]
    assert tags(log) == ["a", "b"]


def test_emit_with_no_implementer_returns_an_empty_list() -> None:
    manager = CallbackManager(Hooks, [StartOnly("a", [])])
    assert manager.emit(Hooks.on_query, "k") == []


def test_call_refuses_a_hook_that_returns_a_value() -> None:
    """``call`` would discard the results its type promises: it names ``emit`` and ``first``."""
    manager = CallbackManager(Hooks, [Recorder("a", [], answer=5)])
    with pytest.raises(TypeError) as info:
        manager.call.on_query  # noqa: B018
    assert str(info.value) == (
        "Hooks.on_query returns a value (int), which manager.call would discard: call it with "
        "manager.emit(Hooks.on_query, ...) for every implementer's result, or "
        "manager.first(Hooks.on_query, ...) for the first one that is not None"
    )


def test_call_with_no_implementer_does_nothing() -> None:
    manager = CallbackManager(Hooks)
    manager.call.on_start()
    manager.call.on_step(1, loss=0.0)


# -- registrations: callbacks, len, in, unregister, hooks_of ---------------------------------


class EqualsEverything:
    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return 0

    def on_start(self) -> None: ...


def test_callbacks_len_and_in_follow_the_registrations() -> None:
    first, second = StartOnly("a", []), Recorder("b", [])
    manager = CallbackManager(Hooks, [first])
    manager.register(second)
    assert isinstance(manager.callbacks, tuple)
    assert list(manager.callbacks) == [first, second]
    assert len(manager) == 2
    assert first in manager
    assert second in manager
    assert StartOnly("a", []) not in manager
    manager.unregister(first)
    assert list(manager.callbacks) == [second]
    assert len(manager) == 1
    assert first not in manager


def test_in_and_unregister_compare_by_identity_even_with_a_custom_eq() -> None:
    registered, lookalike = EqualsEverything(), EqualsEverything()
    assert registered == lookalike
    manager = CallbackManager(Hooks, [registered])
    assert registered in manager
    assert lookalike not in manager
    with pytest.raises(ValueError, match=r"^cannot unregister EqualsEverything instance"):
        manager.unregister(lookalike)
    manager.register(lookalike)
    assert manager.callbacks == (registered, lookalike)
    assert manager.callbacks[1] is lookalike


def test_unregistering_a_callback_that_is_not_registered_is_a_value_error() -> None:
    callback = StartOnly("a", [])
    manager = CallbackManager(Hooks)
    with pytest.raises(ValueError) as info:
        manager.unregister(callback)
    assert str(info.value) == (
        f"cannot unregister StartOnly instance {callback!r:.80}: it is not registered with this "
        f"manager (callbacks are compared by identity)"
    )


def test_unregistering_twice_is_a_value_error() -> None:
    callback = StartOnly("a", [])
    manager = CallbackManager(Hooks, [callback])
    manager.unregister(callback)
    with pytest.raises(ValueError, match="it is not registered with this manager"):
        manager.unregister(callback)
    assert len(manager) == 0


def test_hooks_of_names_the_hooks_a_callback_implements() -> None:
    callback = Recorder("a", [])
    manager = CallbackManager(Hooks, [callback, StartOnly("b", [])])
    hooks = manager.hooks_of(callback)
    assert isinstance(hooks, frozenset)
    assert hooks == {"on_start", "on_step", "on_end", "on_query"}
    assert manager.hooks_of(manager.callbacks[1]) == {"on_start"}


def test_hooks_of_a_callback_that_is_not_registered_is_a_value_error() -> None:
    callback = StartOnly("a", [])
    manager = CallbackManager(Hooks)
    with pytest.raises(ValueError) as info:
        manager.hooks_of(callback)
    assert str(info.value) == (
        f"StartOnly instance {callback!r:.80} is not registered with this manager"
    )


def test_hooks_of_on_an_unchecked_manager_is_a_type_error() -> None:
    callback = StartOnly("a", [])
    manager = CallbackManager(None, [callback])
    with pytest.raises(TypeError) as info:
        manager.hooks_of(callback)
    assert str(info.value) == (
        "hooks_of() needs a checked manager: an unchecked manager (spec=None) does not know which "
        "hooks exist. Give the manager a spec Protocol."
    )


def test_a_manager_knows_its_spec() -> None:
    assert CallbackManager(Hooks).spec is Hooks
    assert CallbackManager(None).spec is None


# -- generated dispatchers: every parameter kind is forwarded exactly --------------------------

Received = list[tuple[str, tuple[object, ...], dict[str, object]]]


class Shapes(Protocol):
    def on_positional_only(self, a: int, b: int, /) -> None: ...

    def on_mixed(self, a: int, /, b: int, *args: int, c: int, **kwargs: int) -> None: ...

    def on_defaults(self, a: int, b: int = 2, *, c: int = 3) -> None: ...

    def on_prefixed(self, _pc_m0: int, *, _pc_fail: int) -> None: ...


class ShapesRecorder:
    def __init__(self, received: Received) -> None:
        self.received = received

    def on_positional_only(self, a: int, b: int, /) -> None:
        self.received.append(("positional_only", (a, b), {}))

    def on_mixed(self, a: int, /, b: int, *args: int, c: int, **kwargs: int) -> None:
        self.received.append(("mixed", (a, b, *args), {"c": c, **kwargs}))

    def on_defaults(self, a: int, b: int = 20, *, c: int = 30) -> None:
        self.received.append(("defaults", (a, b), {"c": c}))

    def on_prefixed(self, _pc_m0: int, *, _pc_fail: int) -> None:
        self.received.append(("prefixed", (_pc_m0,), {"_pc_fail": _pc_fail}))


def test_positional_only_parameters_are_forwarded_exactly() -> None:
    received: Received = []
    manager = CallbackManager(Shapes, [ShapesRecorder(received), ShapesRecorder(received)])
    manager.call.on_positional_only(1, 2)
    assert received == [("positional_only", (1, 2), {})] * 2


def test_positional_or_keyword_star_args_keyword_only_and_star_star_kwargs_are_forwarded_exactly() -> (
    None
):
    received: Received = []
    manager = CallbackManager(Shapes, [ShapesRecorder(received)])
    manager.call.on_mixed(1, 2, 3, 4, c=5, d=6, e=7)
    manager.call.on_mixed(1, b=2, c=5)
    assert manager.emit(Shapes.on_mixed, 1, 2, c=3, z=9) == [None]
    assert received == [
        ("mixed", (1, 2, 3, 4), {"c": 5, "d": 6, "e": 7}),
        ("mixed", (1, 2), {"c": 5}),
        ("mixed", (1, 2), {"c": 3, "z": 9}),
    ]


def test_parameters_with_defaults_are_forwarded_only_when_given() -> None:
    received: Received = []
    manager = CallbackManager(Shapes, [ShapesRecorder(received)])
    manager.call.on_defaults(1)
    manager.call.on_defaults(1, 5)
    manager.call.on_defaults(1, c=6)
    manager.call.on_defaults(a=1, b=5, c=6)
    assert received == [
        ("defaults", (1, 20), {"c": 30}),  # the implementer's own defaults
        ("defaults", (1, 5), {"c": 30}),
        ("defaults", (1, 20), {"c": 6}),
        ("defaults", (1, 5), {"c": 6}),
    ]


def test_parameter_names_like_the_dispatchers_own_are_forwarded_exactly() -> None:
    received: Received = []
    manager = CallbackManager(Shapes, [ShapesRecorder(received), ShapesRecorder(received)])
    manager.call.on_prefixed(1, _pc_fail=2)
    assert received == [("prefixed", (1,), {"_pc_fail": 2})] * 2


def test_a_call_the_hook_signature_does_not_allow_is_a_type_error() -> None:
    manager = CallbackManager(Shapes, [ShapesRecorder([])])
    with pytest.raises(TypeError):
        manager.call.on_positional_only(1, b=2)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


class Lenient:
    """Takes any arguments: it would run on a call the hook does not allow."""

    def __init__(self) -> None:
        self.calls = 0

    def on_defaults(self, *args: object, **kwargs: object) -> None:
        self.calls += 1


BAD_CALLS: dict[str, Callable[[Any], object]] = {
    "too many positional": lambda m: m.call.on_defaults(1, 2, 3, 4),
    "an unknown keyword": lambda m: m.emit(Shapes.on_defaults, 1, z=4),
    "a missing argument": lambda m: m.first("on_defaults", c=6),
    "a keyword-only one positionally": lambda m: m.emit("on_defaults", 1, 2, 3),
}


@pytest.mark.parametrize("errors", ["raise", "collect"])
@pytest.mark.parametrize("bad", list(BAD_CALLS))
def test_a_call_a_hook_with_defaults_does_not_allow_fails_before_any_implementer_runs(
    bad: str, errors: ErrorPolicy
) -> None:
    """As a hook without defaults does (its dispatcher has the hook's parameters): the
    ``TypeError`` names the hook and no callback, and no callback ran."""
    lenient = Lenient()
    manager = CallbackManager(Shapes, [lenient, ShapesRecorder([])], errors=errors)
    with pytest.raises(TypeError, match=r"^Shapes\.on_defaults\(\) ") as info:
        BAD_CALLS[bad](manager)
    assert lenient.calls == 0
    assert not getattr(info.value, "__notes__", [])


class Odd(Protocol):
    def on_prefixed(self, _pc_x: int = 1) -> None: ...

    @overload
    def on_overloaded(self, x: int) -> None: ...
    @overload
    def on_overloaded(self, x: str) -> None: ...

    def on_defaults(self, x: int = 1) -> None: ...


class OddLenient:
    def __init__(self) -> None:
        self.calls = 0

    def on_prefixed(self, *args: object, **kwargs: object) -> None:
        self.calls += 1


class OddStrict:
    def on_prefixed(self, _pc_x: int = 1) -> None: ...

    def on_overloaded(self, x: int | str) -> None:
        raise ValueError("overloaded")

    def on_defaults(self, x: int = 1) -> None:
        raise ValueError("defaults")


def test_parameters_named_like_the_dispatchers_own_are_checked_too() -> None:
    lenient = OddLenient()
    manager = CallbackManager(Odd, [lenient, OddStrict()])
    with pytest.raises(TypeError, match=r"^Odd\.on_prefixed\(\) got an unexpected keyword"):
        manager.call.on_prefixed(bogus=1)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    assert lenient.calls == 0


def test_hooks_with_defaults_share_their_dispatchers_code_whatever_their_parameters() -> None:
    """The check is the hook's own (kept by its state), not part of the code: any number of
    such hooks reuse one generated code per form, as hooks without defaults do."""
    from protocall._spec import hook_table

    assert (
        hook_table(Shapes).hooks["on_defaults"].shape == hook_table(Odd).hooks["on_defaults"].shape
    )


def test_a_traceback_shows_the_checked_dispatchers_own_lines() -> None:
    """A checked dispatcher's source has one line more than an unchecked one of the same form:
    they have different names, so that a traceback shows each its own line."""
    manager = CallbackManager(Odd, [OddStrict()])
    with pytest.raises(ValueError, match="defaults"):
        manager.call.on_defaults(2)  # its code made first ...
    with pytest.raises(ValueError, match="overloaded"):
        manager.call.on_overloaded(1)  # ... then the unchecked one of the same form
    with pytest.raises(ValueError, match="defaults") as info:
        manager.call.on_defaults(2)
    frames = traceback.extract_tb(info.value.__traceback__)
    generated = [f.line for f in frames if f.filename.startswith("<protocall")]
    assert generated[-1] == "_pc_m0(*_pc_args, **_pc_kwargs)"


class Numbered:
    def __init__(self, number: int) -> None:
        self.number = number

    def on_query(self, key: str) -> int:
        return self.number


class Culprit:
    def on_query(self, key: str) -> int:
        raise RuntimeError("culprit")


@pytest.mark.parametrize("count", [63, 64, 65, 100])
def test_many_implementers_are_all_called_in_order(count: int) -> None:
    manager = CallbackManager(Hooks, [Numbered(i) for i in range(count)])
    assert manager.emit(Hooks.on_query, "k") == list(range(count))
    manager.emit(Hooks.on_query, "k")


@pytest.mark.parametrize("count", [64, 70])
def test_with_many_implementers_the_note_names_the_one_that_raised(count: int) -> None:
    callbacks: list[object] = [Numbered(i) for i in range(count)]
    callbacks[count - 4] = Culprit()
    manager = CallbackManager(Hooks, callbacks)
    expected = [
        f"protocall: raised by callback Culprit (implementer {count - 3} of {count}) "
        "in hook Hooks.on_query"
    ]
    with pytest.raises(RuntimeError) as by_call:
        manager.emit(Hooks.on_query, "k")
    assert by_call.value.__notes__ == expected
    with pytest.raises(RuntimeError) as by_emit:
        manager.emit(Hooks.on_query, "k")
    assert by_emit.value.__notes__ == expected


class SharedStatic:
    """Every instance's ``on_query`` is the same function object; the 67th call raises."""

    calls = 0

    @staticmethod
    def on_query(key: str) -> int:
        SharedStatic.calls += 1
        if SharedStatic.calls == 67:
            raise RuntimeError("the 67th call")
        return SharedStatic.calls


def test_with_many_implementers_sharing_one_callable_the_note_names_the_one_that_raised() -> None:
    manager = CallbackManager(Hooks, [SharedStatic() for _ in range(70)])
    SharedStatic.calls = 0
    with pytest.raises(RuntimeError) as info:
        manager.emit(Hooks.on_query, "k")
    assert info.value.__notes__ == [
        "protocall: raised by callback SharedStatic (implementer 67 of 70) in hook Hooks.on_query"
    ]


def test_with_few_implementers_sharing_one_callable_the_note_names_the_one_that_raised() -> None:
    manager = CallbackManager(Hooks, [SharedStatic() for _ in range(10)])
    SharedStatic.calls = 60
    with pytest.raises(RuntimeError) as info:
        manager.emit(Hooks.on_query, "k")
    assert info.value.__notes__ == [
        "protocall: raised by callback SharedStatic (implementer 7 of 10) in hook Hooks.on_query"
    ]


def test_an_exception_on_the_first_call_after_a_change_carries_no_internal_context() -> None:
    """The call that finds its snapshot stale hands over to the current code outside any
    ``except`` clause: the callback's exception is the only one in the traceback."""
    policies: tuple[Literal["raise", "collect"], ...] = ("raise", "collect")
    for errors in policies:
        manager = CallbackManager(Hooks, [FailsAnew()], errors=errors)
        with pytest.raises((ValueError, ExceptionGroup)) as info:
            manager.call.on_start()
        raised = info.value
        if isinstance(raised, ExceptionGroup):
            raised = raised.exceptions[0]
        assert raised.__context__ is None, errors
