"""Ordering control (issue 4, item 2): priorities and reversed hooks.

``register(callback, priority=0)`` and ``Prioritized(callback, priority)`` in the constructor's
list: a higher priority runs earlier, equal priorities keep registration order (a re-registered
callback goes after its equals), and ``callbacks`` reports the call order. A hook declared with
``@hookspec(reverse=True)`` calls its implementers in exactly the reverse of that order.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

import pytest

from protocall import CallbackManager, Prioritized, hookspec

Log = list[str]


class Hooks(Protocol):
    def on_setup(self) -> None: ...

    @hookspec(reverse=True)
    def on_teardown(self) -> None: ...

    def name(self) -> str: ...

    @hookspec(reverse=True)
    def reversed_name(self) -> str: ...

    @hookspec(reverse=True)
    async def on_async_teardown(self) -> None: ...


class Named:
    """Logs its name in every hook."""

    def __init__(self, label: str, log: Log) -> None:
        self.label, self.log = label, log

    def on_setup(self) -> None:
        self.log.append(self.label)

    def on_teardown(self) -> None:
        self.log.append(self.label)

    def name(self) -> str:
        return self.label

    def reversed_name(self) -> str:
        return self.label

    async def on_async_teardown(self) -> None:
        await asyncio.sleep(0)
        self.log.append(self.label)

    def __repr__(self) -> str:
        return self.label


class SetupOnly:
    def __init__(self, label: str, log: Log) -> None:
        self.label, self.log = label, log

    def on_setup(self) -> None:
        self.log.append(self.label)

    def __repr__(self) -> str:
        return self.label


def labels(manager: CallbackManager[Hooks]) -> list[str]:
    """The call order (of the plain hook ``name``), as the callbacks' labels."""
    return manager.emit(Hooks.name)


# -- priorities ---------------------------------------------------------------------------------


def test_a_higher_priority_runs_earlier() -> None:
    log: Log = []
    manager = CallbackManager(Hooks)
    manager.register(Named("low", log), priority=1)
    manager.register(Named("high", log), priority=2)
    manager.call.on_setup()
    assert log == ["high", "low"]


def test_equal_priorities_keep_registration_order() -> None:
    log: Log = []
    manager = CallbackManager(Hooks)
    for label in ("a", "b", "c"):
        manager.register(Named(label, log), priority=3)
    manager.call.on_setup()
    assert log == ["a", "b", "c"]


def test_the_default_priority_is_zero() -> None:
    log: Log = []
    manager = CallbackManager(Hooks)
    manager.register(Named("minus", log), priority=-1)
    manager.register(Named("default", log))
    manager.register(Named("zero", log), priority=0)
    manager.register(Named("plus", log), priority=1)
    manager.call.on_setup()
    assert log == ["plus", "default", "zero", "minus"]


def test_priorities_interleave_with_registration_order() -> None:
    log: Log = []
    manager = CallbackManager(Hooks)
    for label, priority in [("a", 0), ("b", 5), ("c", 0), ("d", 5), ("e", -5), ("f", 10)]:
        manager.register(Named(label, log), priority=priority)
    manager.call.on_setup()
    assert log == ["f", "b", "d", "a", "c", "e"]


def test_callbacks_reports_the_call_order() -> None:
    log: Log = []
    a, b, c = Named("a", log), Named("b", log), Named("c", log)
    manager = CallbackManager(Hooks, [a])
    manager.register(b, priority=-1)
    manager.register(c, priority=1)
    assert manager.callbacks == (c, a, b)


def test_implementers_reports_the_call_order() -> None:
    log: Log = []
    a, b, c = Named("a", log), SetupOnly("b", log), Named("c", log)
    manager = CallbackManager(Hooks, [a])
    manager.register(b, priority=2)
    manager.register(c, priority=1)
    assert manager.implementers(Hooks.on_setup) == (b, c, a)
    assert manager.implementers("name") == (c, a)


def test_emit_returns_the_results_in_priority_order() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Named("a", log)])
    manager.register(Named("b", log), priority=1)
    assert manager.emit(Hooks.name) == ["b", "a"]


def test_priority_order_holds_for_a_hook_only_some_callbacks_implement() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Named("a", log)])
    manager.register(SetupOnly("s", log), priority=1)
    manager.register(Named("b", log), priority=2)
    manager.call.on_setup()
    assert log == ["b", "s", "a"]
    assert manager.emit(Hooks.name) == ["b", "a"]


def test_register_with_a_priority_returns_the_callback() -> None:
    callback = Named("a", [])
    assert CallbackManager(Hooks).register(callback, priority=7) is callback


def test_a_registration_with_priority_applies_to_the_next_call() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Named("a", log)])
    assert labels(manager) == ["a"]
    manager.register(Named("b", log), priority=1)
    assert labels(manager) == ["b", "a"]


def test_priorities_order_the_loop_form_beyond_sixty_four_implementers() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Named(f"n{i}", log) for i in range(70)])
    manager.register(Named("first", log), priority=1)
    manager.register(Named("last", log), priority=-1)
    manager.call.on_setup()
    assert log == ["first", *(f"n{i}" for i in range(70)), "last"]


def test_priorities_may_be_any_int() -> None:
    log: Log = []
    manager = CallbackManager(Hooks)
    manager.register(Named("small", log), priority=-(10**30))
    manager.register(Named("big", log), priority=10**30)
    assert labels(manager) == ["big", "small"]


# -- priorities in the constructor ----------------------------------------------------------


def test_prioritized_items_in_the_constructor_set_the_priority() -> None:
    log: Log = []
    manager = CallbackManager(
        Hooks, [Named("a", log), Prioritized(Named("b", log), 10), Prioritized(Named("c", log), -1)]
    )
    assert labels(manager) == ["b", "a", "c"]


def test_the_manager_registers_the_callback_not_the_prioritized_wrapper() -> None:
    callback = Named("a", [])
    item = Prioritized(callback, 3)
    manager = CallbackManager(Hooks, [item])
    assert manager.callbacks == (callback,)
    assert callback in manager
    assert item not in manager


def test_prioritized_defaults_to_priority_zero() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Named("a", log), Prioritized(Named("b", log))])
    manager.register(Named("c", log))
    assert labels(manager) == ["a", "b", "c"]
    assert Prioritized(Named("x", log)).priority == 0


def test_equal_priorities_in_the_constructor_keep_the_list_order() -> None:
    log: Log = []
    manager = CallbackManager(
        Hooks, [Prioritized(Named(label, log), 2) for label in ("a", "b", "c")]
    )
    assert labels(manager) == ["a", "b", "c"]


def test_a_later_register_goes_after_constructor_callbacks_of_equal_priority() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Prioritized(Named("a", log), 2), Named("b", log)])
    manager.register(Named("c", log), priority=2)
    assert labels(manager) == ["a", "c", "b"]


def test_prioritized_works_for_any_iterable_of_callbacks() -> None:
    log: Log = []
    items = (Prioritized(Named(label, log), priority) for label, priority in [("a", 0), ("b", 1)])
    manager = CallbackManager(Hooks, items)
    assert labels(manager) == ["b", "a"]


@pytest.mark.parametrize("spec", [Hooks, None])
def test_register_refuses_a_prioritized_wrapper(spec: type[Hooks] | None) -> None:
    log: Log = []
    a = Named("a", log)
    manager = CallbackManager(spec, [a])
    with pytest.raises(TypeError) as info:
        manager.register(Prioritized(Named("b", log), 5))
    assert str(info.value) == (
        "Prioritized(...) is for the constructor's list; pass the priority to register "
        "instead: manager.register(callback, priority=...)"
    )
    assert manager.callbacks == (a,)


# -- unregister and re-register ---------------------------------------------------------------


def test_unregister_keeps_the_order_of_the_others() -> None:
    log: Log = []
    a, b, c, d = (Named(label, log) for label in "abcd")
    manager = CallbackManager(Hooks, [a, Prioritized(b, 1), c, Prioritized(d, 1)])
    manager.unregister(b)
    assert manager.callbacks == (d, a, c)
    assert labels(manager) == ["d", "a", "c"]


def test_re_registering_puts_the_callback_after_its_equals() -> None:
    log: Log = []
    a, b, c = (Named(label, log) for label in "abc")
    manager = CallbackManager(Hooks, [a, b, c])
    manager.unregister(a)
    manager.register(a)
    assert manager.callbacks == (b, c, a)
    assert labels(manager) == ["b", "c", "a"]


def test_re_registering_with_the_same_priority_puts_it_after_its_equals_only() -> None:
    log: Log = []
    high, a, b, low = Named("high", log), Named("a", log), Named("b", log), Named("low", log)
    manager = CallbackManager(
        Hooks, [Prioritized(high, 9), Prioritized(a, 5), Prioritized(b, 5), Prioritized(low, 1)]
    )
    manager.unregister(a)
    manager.register(a, priority=5)
    assert labels(manager) == ["high", "b", "a", "low"]


def test_re_registering_with_another_priority_moves_the_callback() -> None:
    log: Log = []
    a, b, c = (Named(label, log) for label in "abc")
    manager = CallbackManager(Hooks, [a, b, c])
    manager.unregister(c)
    manager.register(c, priority=1)
    assert labels(manager) == ["c", "a", "b"]
    manager.unregister(c)
    manager.register(c, priority=-1)
    assert labels(manager) == ["a", "b", "c"]


def test_re_registering_does_not_restore_the_old_place_among_equals() -> None:
    log: Log = []
    a, b = Named("a", log), Named("b", log)
    manager = CallbackManager(Hooks, [Prioritized(a, 1), b])
    manager.unregister(a)
    manager.register(a)
    assert labels(manager) == ["b", "a"]


# -- invalid priorities -----------------------------------------------------------------------


@pytest.mark.parametrize("priority", ["high", True, False, 1.5, None])
def test_register_with_a_priority_that_is_not_an_int_raises_type_error(priority: object) -> None:
    log: Log = []
    a = Named("a", log)
    manager = CallbackManager(Hooks, [a])
    with pytest.raises(TypeError) as info:
        manager.register(Named("b", log), priority=priority)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    assert str(info.value) == (
        f"a callback's priority is an int (higher runs earlier), not {priority!r}"
    )
    assert manager.callbacks == (a,)
    assert labels(manager) == ["a"]


@pytest.mark.parametrize("priority", ["high", True])
def test_prioritized_with_a_priority_that_is_not_an_int_raises_type_error(priority: object) -> None:
    items = [Named("a", []), Prioritized(Named("b", []), priority)]  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    with pytest.raises(TypeError) as info:
        CallbackManager(Hooks, items)
    assert str(info.value) == (
        f"a callback's priority is an int (higher runs earlier), not {priority!r}"
    )


# -- reversed hooks ---------------------------------------------------------------------------


def test_a_reversed_hook_calls_its_implementers_in_reverse_registration_order() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Named(label, log) for label in "abc"])
    manager.call.on_teardown()
    assert log == ["c", "b", "a"]


def test_reverse_applies_only_to_the_decorated_hook() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Named(label, log) for label in "abc"])
    manager.call.on_setup()
    manager.call.on_teardown()
    assert log == ["a", "b", "c", "c", "b", "a"]


def test_a_reversed_hook_reverses_the_whole_priority_order() -> None:
    log: Log = []
    manager = CallbackManager(
        Hooks,
        [
            Named("a", log),
            Prioritized(Named("high", log), 5),
            Named("b", log),
            Prioritized(Named("low", log), -5),
        ],
    )
    assert labels(manager) == ["high", "a", "b", "low"]
    assert manager.emit(Hooks.reversed_name) == ["low", "b", "a", "high"]


def test_a_reversed_hook_reports_its_implementers_in_its_call_order() -> None:
    log: Log = []
    a, b = Named("a", log), Named("b", log)
    manager = CallbackManager(Hooks, [a, Prioritized(b, 1)])
    assert manager.callbacks == (b, a)
    assert manager.implementers(Hooks.on_teardown) == (a, b)
    assert manager.implementers(Hooks.on_setup) == (b, a)


def test_a_reversed_hook_follows_unregister_and_re_register() -> None:
    log: Log = []
    a, b, c = (Named(label, log) for label in "abc")
    manager = CallbackManager(Hooks, [a, b, c])
    assert manager.emit(Hooks.reversed_name) == ["c", "b", "a"]
    manager.unregister(a)
    manager.register(a)
    assert manager.emit(Hooks.reversed_name) == ["a", "c", "b"]
    manager.unregister(c)
    assert manager.emit(Hooks.reversed_name) == ["a", "b"]


def test_a_reversed_hook_through_emit_by_name_and_first() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Named(label, log) for label in "abc"])
    assert manager.emit("reversed_name") == ["c", "b", "a"]
    assert manager.first(Hooks.reversed_name) == "c"


def test_a_reversed_async_hook_awaits_in_reverse_order() -> None:
    log: Log = []
    manager = CallbackManager(
        Hooks, [Named("a", log), Prioritized(Named("b", log), 1), Named("c", log)]
    )
    asyncio.run(manager.call.on_async_teardown())
    assert log == ["c", "a", "b"]


def test_a_reversed_hook_over_the_loop_form_is_reversed() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [Named(f"n{i}", log) for i in range(70)])
    assert manager.emit(Hooks.reversed_name) == [f"n{i}" for i in reversed(range(70))]


class Teardown(Protocol):
    @hookspec(reverse=True)
    def on_teardown(self) -> None: ...


class Setup(Protocol):
    def on_setup(self) -> None: ...


class Composed(Setup, Teardown, Protocol):
    """Extends the Protocols that declare the hooks."""


def test_reverse_is_kept_for_a_hook_inherited_from_a_base_protocol() -> None:
    log: Log = []
    manager = CallbackManager(Composed, [Named(label, log) for label in "ab"])
    manager.call.on_setup()
    manager.call.on_teardown()
    assert log == ["a", "b", "b", "a"]


def test_hookspec_returns_the_function_itself() -> None:
    def on_event(self: object) -> None: ...

    assert hookspec(reverse=True)(on_event) is on_event
    assert hookspec()(on_event) is on_event


# -- unchecked manager ------------------------------------------------------------------------


def test_an_unchecked_manager_orders_by_priority_then_registration() -> None:
    log: Log = []
    manager = CallbackManager(None, [Named("a", log), Prioritized(Named("b", log), 2)])
    manager.register(Named("c", log), priority=1)
    manager.register(Named("d", log), priority=1)
    manager.call.on_setup()
    assert log == ["b", "c", "d", "a"]
    assert [repr(cb) for cb in manager.callbacks] == ["b", "c", "d", "a"]


def test_an_unchecked_manager_puts_a_re_registered_callback_after_its_equals() -> None:
    log: Log = []
    a, b = Named("a", log), Named("b", log)
    manager = CallbackManager(None, [a, b])
    manager.unregister(a)
    manager.register(a)
    assert manager.emit("name") == ["b", "a"]


def test_an_unchecked_manager_knows_no_reversed_hooks() -> None:
    log: Log = []
    manager = CallbackManager(None, [Named("a", log), Named("b", log)])
    manager.call.on_teardown()
    assert log == ["a", "b"]


def test_an_unchecked_manager_rejects_a_priority_that_is_not_an_int() -> None:
    manager = CallbackManager(None)
    with pytest.raises(TypeError, match=r"^a callback's priority is an int"):
        manager.register(Named("a", []), priority="1")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    assert len(manager) == 0
