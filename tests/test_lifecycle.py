"""Callbacks in long-running programs: monitors, weak and temporary registration, iteration.

Monitors see each callback call as a :class:`~protocall.HookCall` (hook, callback, duration,
exception), also when an error policy collects or handles the exception; a monitor that raises
propagates with a note naming it. A weakly registered callback is never called once collected and
leaves the manager by itself. ``registered(...)`` registers for a ``with`` block, all or none.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import sys
import threading
import types
import weakref
from collections.abc import Callable
from typing import Any, ClassVar, Protocol, cast

import pytest
from _interrupting import interrupted_at

from protocall import CallbackManager, HookCall, HookErrorGroup, RegistrationError


class Hooks(Protocol):
    def on_step(self, *, step: int) -> None: ...

    def score(self, *, step: int) -> int: ...

    async def on_save(self, *, path: str) -> None: ...


Log = list[str]


class Rec:
    def __init__(self, name: str, log: Log) -> None:
        self.name = name
        self.log = log

    def on_step(self, *, step: int) -> None:
        self.log.append(f"{self.name}:{step}")

    def score(self, *, step: int) -> int:
        return step * 10

    async def on_save(self, *, path: str) -> None:
        self.log.append(f"{self.name} saved {path}")

    def __repr__(self) -> str:
        return f"Rec({self.name!r})"


class Failing:
    def on_step(self, *, step: int) -> None:
        raise ValueError(f"failed at {step}")


class Slotted:
    __slots__ = ()

    def on_step(self, *, step: int) -> None:
        pass


# -- monitors ------------------------------------------------------------------------------------


def test_a_monitor_sees_each_callback_call_in_order() -> None:
    log: Log = []
    calls: list[HookCall] = []
    a, b = Rec("a", log), Rec("b", log)
    manager = CallbackManager(Hooks, [a, b])
    manager.call.on_step(step=1)  # before the monitor: not seen
    manager.add_monitor(calls.append)
    manager.call.on_step(step=2)
    assert manager.emit(Hooks.score, step=3) == [30, 30]
    assert [(c.hook, c.callback, c.error) for c in calls] == [
        ("on_step", a, None),
        ("on_step", b, None),
        ("score", a, None),
        ("score", b, None),
    ]
    assert all(isinstance(c.duration_ns, int) and c.duration_ns >= 0 for c in calls)
    assert log == ["a:1", "b:1", "a:2", "b:2"]


def test_a_monitor_added_after_a_caller_was_held_sees_its_calls() -> None:
    calls: list[HookCall] = []
    manager = CallbackManager(Hooks, [Rec("a", [])])
    on_step = manager.call.on_step
    on_step(step=1)
    manager.add_monitor(calls.append)
    on_step(step=2)
    manager.remove_monitor(calls.append)
    on_step(step=3)
    assert len(calls) == 1


def test_a_monitor_sees_the_exception_that_propagates() -> None:
    calls: list[HookCall] = []
    failing = Failing()
    manager = CallbackManager(Hooks, [Rec("a", []), failing, Rec("c", [])])
    manager.add_monitor(calls.append)
    with pytest.raises(ValueError) as info:
        manager.call.on_step(step=4)
    assert [(c.callback, c.error) for c in calls][1:] == [(failing, info.value)]
    assert len(calls) == 2  # the third was not called
    assert info.value.__notes__ == [
        "protocall: raised by callback Failing (implementer 2 of 3) in hook Hooks.on_step"
    ]


def test_a_monitor_sees_the_exceptions_a_policy_collects_or_handles() -> None:
    collected: list[HookCall] = []
    manager = CallbackManager(Hooks, [Failing(), Rec("b", [])], errors="collect")
    manager.add_monitor(collected.append)
    with pytest.raises(HookErrorGroup):
        manager.call.on_step(step=1)
    assert [type(c.error) for c in collected] == [ValueError, type(None)]

    handled: list[HookCall] = []
    ignoring = CallbackManager(Hooks, [Failing()], errors=lambda cb, hook, exc: None)
    ignoring.add_monitor(handled.append)
    ignoring.call.on_step(step=1)
    assert isinstance(handled[0].error, ValueError)


def test_a_monitor_that_raises_propagates_with_a_note_and_the_manager_stays_usable() -> None:
    log: Log = []

    def broken(call: HookCall) -> None:
        raise RuntimeError("monitor broke")

    manager = CallbackManager(Hooks, [Rec("a", log)])
    manager.add_monitor(broken)
    with pytest.raises(RuntimeError) as info:
        manager.call.on_step(step=1)
    [note] = info.value.__notes__  # the monitor's note only: the callback did not raise it
    assert "raised by the monitor" in note and "broken" in note and "Rec.on_step" in note
    manager.remove_monitor(broken)
    manager.call.on_step(step=2)
    assert log == ["a:1", "a:2"]
    assert manager.callbacks == (manager.callbacks[0],) and len(manager) == 1


@pytest.mark.parametrize("policy", ["collect", "handler"])
def test_a_monitor_that_raises_under_an_error_policy_propagates_and_blames_no_callback(
    policy: str,
) -> None:
    """An error policy is about callbacks: a monitor's exception is not collected as (or
    handed to the handler as) a failure of the callback it was reporting."""
    handled: list[BaseException] = []

    def broken(call: HookCall) -> None:
        raise RuntimeError("monitor broke")

    def handler(callback: object, hook: str, exc: Exception) -> None:
        handled.append(exc)

    errors: Any = "collect" if policy == "collect" else handler
    manager = CallbackManager(Hooks, [Rec("a", []), Rec("b", [])], errors=errors)
    manager.add_monitor(broken)
    with pytest.raises(RuntimeError, match="monitor broke") as info:
        manager.call.on_step(step=1)
    assert not isinstance(info.value, HookErrorGroup) and handled == []
    [note] = info.value.__notes__
    assert "raised by the monitor" in note


class DropsItself:
    """Drops the last reference to itself while its hook runs."""

    holder: ClassVar[list[object]] = []

    def on_step(self, *, step: int) -> None:
        DropsItself.holder.clear()


def test_a_monitor_is_told_of_a_weak_callback_that_drops_itself_during_its_call() -> None:
    calls: list[HookCall] = []
    manager = CallbackManager(Hooks)
    DropsItself.holder.append(DropsItself())
    manager.register(DropsItself.holder[0], weak=True)
    manager.add_monitor(calls.append)
    manager.add_monitor(lambda call: None)  # (two monitors: every call reported as a HookCall)
    manager.call.on_step(step=1)
    assert [type(call.callback) for call in calls] == [DropsItself]
    calls.clear()  # (the record held it)
    gc.collect()
    assert len(manager) == 0


class Relay:
    """Calls another manager's hook from its own."""

    def __init__(self, inner: CallbackManager[Hooks]) -> None:
        self.inner = inner

    def on_step(self, *, step: int) -> None:
        self.inner.call.on_step(step=step)


def test_a_monitors_exception_from_another_managers_dispatch_is_the_callbacks_failure() -> None:
    """Inside a callback, an inner manager's monitor raises: to the outer manager, that is
    what its callback raised (noted, and collected under its policy), not its own monitor's."""

    def broken(call: HookCall) -> None:
        raise RuntimeError("inner monitor broke")

    inner = CallbackManager(Hooks, [Rec("inner", [])])
    inner.add_monitor(broken)
    log: Log = []
    outer = CallbackManager(Hooks, [Relay(inner), Rec("after", log)], errors="collect")
    with pytest.raises(HookErrorGroup) as info:
        outer.call.on_step(step=1)
    [error] = info.value.exceptions
    assert (
        "protocall: raised by callback Relay (implementer 1 of 2) in hook Hooks.on_step"
        in error.__notes__
    )
    assert log == ["after:1"]


def test_an_async_hook_is_timed_until_its_awaitable_finishes() -> None:
    calls: list[HookCall] = []
    log: Log = []
    manager = CallbackManager(Hooks, [Rec("a", log)])
    manager.add_monitor(calls.append)
    asyncio.run(manager.call.on_save(path="p"))
    assert log == ["a saved p"]
    assert [(c.hook, c.error) for c in calls] == [("on_save", None)]


def test_monitors_on_an_unchecked_manager() -> None:
    calls: list[HookCall] = []
    a = Rec("a", [])
    manager = CallbackManager(None, [a, object()])
    manager.add_monitor(calls.append)
    manager.emit("on_step", step=1)
    assert [(c.hook, c.callback) for c in calls] == [("on_step", a)]


def test_bad_monitor_arguments() -> None:
    manager = CallbackManager(Hooks, [Rec("a", [])])
    with pytest.raises(TypeError, match="a monitor is a callable taking a HookCall"):
        manager.add_monitor(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="is not a monitor of this manager"):
        manager.remove_monitor(print)


def test_without_monitors_the_dispatcher_calls_the_methods_themselves() -> None:
    """No timing wrapper sits between the dispatcher and the callback when nothing monitors."""
    seen: list[object] = []

    class Inspecting:
        def on_step(self, *, step: int) -> None:
            seen.append(sys._getframe(1).f_code.co_filename)  # pyright: ignore[reportPrivateUsage]

    manager = CallbackManager(Hooks, [Inspecting()])
    manager.call.on_step(step=1)
    manager.call.on_step(step=2)
    assert all(str(f).startswith("<protocall") for f in seen)
    manager.add_monitor(lambda call: None)
    manager.call.on_step(step=3)
    assert not str(seen[-1]).startswith("<protocall")


# -- weak registration ---------------------------------------------------------------------------


def test_a_collected_weak_callback_is_never_called_and_leaves_the_manager() -> None:
    log: Log = []
    strong = Rec("strong", log)
    manager = CallbackManager(Hooks, [strong])
    weak = manager.register(Rec("weak", log), weak=True)
    on_step = manager.call.on_step
    on_step(step=1)
    assert manager.emit(Hooks.score, step=1) == [10, 10]
    reference = weakref.ref(weak)
    del weak
    gc.collect()
    assert reference() is None
    on_step(step=2)
    assert manager.emit(Hooks.score, step=2) == [20]
    assert log == ["strong:1", "weak:1", "strong:2"]
    assert len(manager) == 1 and manager.callbacks == (strong,)
    assert manager.implementers(Hooks.on_step) == (strong,)


def test_a_weak_callback_keeps_its_order_and_priority_while_alive() -> None:
    log: Log = []
    a = Rec("a", log)
    manager = CallbackManager(Hooks, [a])
    b = manager.register(Rec("b", log), priority=5, weak=True)
    manager.call.on_step(step=0)
    assert log == ["b:0", "a:0"]
    assert manager.callbacks == (b, a)
    assert b in manager


def test_a_weak_callback_is_unregistered_like_any_other() -> None:
    log: Log = []
    manager = CallbackManager(Hooks)
    b = manager.register(Rec("b", log), weak=True)
    manager.unregister(b)
    manager.call.on_step(step=0)
    assert log == [] and len(manager) == 0


def test_weak_registration_on_an_unchecked_manager() -> None:
    log: Log = []
    manager = CallbackManager(None)
    weak = manager.register(Rec("weak", log), weak=True)
    manager.emit("on_step", step=1)
    del weak
    gc.collect()
    assert manager.emit("on_step", step=2) == []
    assert log == ["weak:1"] and len(manager) == 0


def test_async_weak_callback() -> None:
    log: Log = []
    manager = CallbackManager(Hooks)
    weak = manager.register(Rec("weak", log), weak=True)
    asyncio.run(manager.call.on_save(path="x"))
    del weak
    gc.collect()
    asyncio.run(manager.call.on_save(path="y"))
    assert log == ["weak saved x"]


def test_a_callback_that_cannot_be_referred_to_weakly_is_refused_cleanly() -> None:
    manager = CallbackManager(Hooks)
    with pytest.raises(RegistrationError, match=r"cannot register Slotted weakly: .*__weakref__"):
        manager.register(Slotted(), weak=True)
    assert len(manager) == 0
    with pytest.raises(TypeError, match=r"register\(weak=\.\.\.\) is True or False"):
        manager.register(Rec("a", []), weak=1)  # type: ignore[arg-type]


class HandsItselfOver:
    """A hook held as an instance attribute that refers back to the instance."""

    def __init__(self, how: str) -> None:
        me = self

        def closure(*, step: int) -> None:
            me.record(step=step)

        self.on_step: Callable[..., None] = (
            functools.partial(HandsItselfOver.record, self) if how == "partial" else closure
        )

    def record(self, *, step: int) -> None: ...


@pytest.mark.parametrize("how", ["partial", "closure"])
def test_a_weak_registration_refuses_a_hook_attribute_that_holds_the_callback(how: str) -> None:
    """The manager must hold such a hook as it is, and it would keep the callback alive for
    good: refused, with the fix, rather than never collected."""
    manager = CallbackManager(Hooks, [Rec("a", [])])
    with pytest.raises(RegistrationError, match="HandsItselfOver weakly: its hook on_step") as info:
        manager.register(HandsItselfOver(how), weak=True)
    assert "Make on_step a method of HandsItselfOver, or register it without weak=True" in str(
        info.value
    )
    assert len(manager) == 1


def test_a_weak_registration_holds_a_hook_attribute_that_does_not_hold_the_callback() -> None:
    log: Log = []
    callback = Rec("a", log)
    callback.on_step = lambda *, step: log.append(f"attribute:{step}")  # type: ignore[method-assign]
    manager = CallbackManager(Hooks)
    manager.register(callback, weak=True)
    manager.call.on_step(step=1)
    reference = weakref.ref(callback)
    del callback
    gc.collect()
    assert reference() is None and len(manager) == 0 and log == ["attribute:1"]


class Gone:
    pass


def test_a_weak_registration_looks_through_a_dead_proxy_without_failing() -> None:
    gone = Gone()
    proxy = weakref.proxy(gone)
    del gone
    gc.collect()
    callback = Rec("a", [])

    def on_step(*, step: int) -> None:
        assert proxy is not None

    callback.on_step = on_step  # type: ignore[method-assign]
    manager = CallbackManager(Hooks)
    manager.register(callback, weak=True)
    assert len(manager) == 1


def test_ten_thousand_dropped_weak_callbacks_are_all_released() -> None:
    manager = CallbackManager(Hooks)
    references: list[weakref.ref[Rec]] = []
    callbacks = [Rec(str(i), []) for i in range(10_000)]
    for index in range(len(callbacks)):
        manager.register(callbacks[index], weak=True)
        references.append(weakref.ref(callbacks[index]))
    manager.call.on_step(step=0)
    del callbacks
    gc.collect()
    assert all(reference() is None for reference in references)
    assert len(manager) == 0
    manager.call.on_step(step=1)


def test_weak_callbacks_collected_while_other_threads_register_and_dispatch() -> None:
    """Collections (in whatever thread runs the collector) interleave with changes and
    dispatches: at the end, exactly the strongly held callbacks remain, each called once."""
    manager = CallbackManager(Hooks)
    keep = [manager.register(Rec(f"keep{i}", [])) for i in range(4)]
    errors: list[BaseException] = []

    def churn(seed: int) -> None:
        try:
            for i in range(300):
                manager.register(Rec(f"{seed}-{i}", []), weak=True)  # dropped at once
                manager.call.on_step(step=i)
                if i % 50 == 0:
                    gc.collect()
        except BaseException as exc:  # noqa: BLE001  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=churn, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    gc.collect()
    assert errors == []
    assert manager.callbacks == tuple(keep)
    for callback in keep:
        callback.log.clear()
    manager.call.on_step(step=-1)
    assert [callback.log for callback in keep] == [[f"keep{i}:-1"] for i in range(4)]


# -- temporary registration and iteration -------------------------------------------------------


def test_registered_registers_for_the_block_only() -> None:
    log: Log = []
    a = Rec("a", log)
    manager = CallbackManager(Hooks, [a])
    b, c = Rec("b", log), Rec("c", log)
    with manager.registered(b, c, priority=1):
        assert manager.callbacks == (b, c, a)
        manager.call.on_step(step=1)
    manager.call.on_step(step=2)
    assert log == ["b:1", "c:1", "a:1", "a:2"]
    assert list(manager.callbacks) == [a]


def test_registered_unregisters_on_an_exception() -> None:
    manager = CallbackManager(Hooks)
    b = Rec("b", [])
    with pytest.raises(KeyError), manager.registered(b):
        raise KeyError("inside")
    assert b not in manager and len(manager) == 0


def test_registered_is_atomic_on_entry() -> None:
    manager = CallbackManager(Hooks, [Rec("a", [])])
    before = manager.callbacks
    with pytest.raises(RegistrationError), manager.registered(Rec("b", []), object()):
        pytest.fail("the block must not run")  # pragma: no cover
    assert manager.callbacks == before


def test_registered_leaves_an_unchecked_managers_earlier_duplicate_alone() -> None:
    a = Rec("a", [])
    manager = CallbackManager(None, [a])
    with manager.registered(a):
        assert list(manager.callbacks) == [a, a]
    assert list(manager.callbacks) == [a]


def test_registered_removes_the_registration_the_block_made_not_a_later_one() -> None:
    a, b = Rec("a", []), Rec("b", [])
    manager = CallbackManager(None, [a])
    with manager.registered(b, priority=9):
        manager.register(b, priority=-3)  # the body's own registration of the same object
        assert list(manager.callbacks) == [b, a, b]
    assert list(manager.callbacks) == [a, b]


def test_nested_registered_blocks_of_one_callback_each_remove_their_own() -> None:
    a, b = Rec("a", []), Rec("b", [])
    manager = CallbackManager(None, [a])
    first, second = manager.registered(b, priority=5), manager.registered(b, priority=-5)
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert list(manager.callbacks) == [a, b]  # the -5 registration stays
    second.__exit__(None, None, None)
    assert list(manager.callbacks) == [a]


def test_a_callback_registered_again_inside_its_block_stays_registered() -> None:
    c = Rec("c", [])
    manager = CallbackManager(Hooks)
    with manager.registered(c):
        manager.unregister(c)
        manager.register(c, priority=3)
    assert list(manager.callbacks) == [c]


def test_iteration_yields_the_callbacks_in_call_order() -> None:
    a, b, c = Rec("a", []), Rec("b", []), Rec("c", [])
    manager = CallbackManager(Hooks, [a, b])
    manager.register(c, priority=1)
    assert list(manager) == [c, a, b]
    iterator = iter(manager)
    manager.unregister(a)  # iteration goes over the callbacks as they were when it began
    assert list(iterator) == [c, a, b]


def test_a_manager_holds_no_monitor_once_removed() -> None:
    class Monitor:
        def __call__(self, call: HookCall) -> None:
            pass

    monitor = Monitor()
    reference = weakref.ref(monitor)
    manager = CallbackManager(Hooks, [Rec("a", [])])
    manager.add_monitor(monitor)
    manager.call.on_step(step=1)
    manager.remove_monitor(monitor)
    manager.call.on_step(step=2)
    del monitor
    gc.collect()
    assert reference() is None


# -- snapshot layouts ----------------------------------------------------------------------------


def _layouts() -> dict[str, tuple[CallbackManager[Hooks], list[Rec], Log]]:
    """Managers whose ``on_step`` snapshots have different layouts (plain, from no implementer
    on, weak inline, timed inline, a loop), several of them unpacking to the same count."""
    from protocall import Profiler

    made: dict[str, tuple[CallbackManager[Hooks], list[Rec], Log]] = {}
    for name, strong, weak, timed in [
        *((f"plain {n}", n, (), False) for n in range(8)),
        ("weak first of 2", 2, (0,), False),
        ("weak second of 2", 2, (1,), False),
        ("weak first of 3", 3, (0,), False),
        ("timed 1", 1, (), True),
        ("timed 2", 2, (), True),
        ("timed, weak first of 2", 2, (0,), True),
        ("timed, weak second of 2", 2, (1,), True),
        ("loop", 70, (), False),
    ]:
        log: Log = []
        callbacks = [Rec(f"{name}#{i}", log) for i in range(strong)]
        manager = CallbackManager(Hooks)
        for index, callback in enumerate(callbacks):
            manager.register(callback, weak=index in weak)
        if timed:
            manager.add_monitor(Profiler())
        manager.call.on_step(step=0)
        log.clear()
        made[name] = (manager, callbacks, log)
    return made


def test_a_dispatcher_code_never_uses_a_snapshot_of_another_layout() -> None:
    """A dispatch that began with the code of one layout may find the snapshot of another in
    its cell (the registrations changed meanwhile): it must ask for the current dispatcher,
    which calls each current implementer once."""
    layouts = _layouts()
    for old_name, (old, _, _) in layouts.items():
        old_code = cast(types.FunctionType, old.call.on_step).__code__
        for new_name, (new, callbacks, log) in layouts.items():
            current = cast(types.FunctionType, new.call.on_step)
            stale = types.FunctionType(
                old_code, current.__globals__, "on_step", None, current.__closure__
            )
            stale(step=1)
            assert log == [f"{c.name}:1" for c in callbacks], (old_name, new_name)
            log.clear()


# -- what a monitor is told, and interrupted refreshes --------------------------------------------


def test_a_monitor_is_not_told_of_a_weak_callback_found_collected_mid_dispatch() -> None:
    """The first callback drops the last reference to the second during the dispatch: the
    snapshot still lists it, the call is skipped, and no monitor hears of a call."""
    calls: list[HookCall] = []
    log: Log = []
    holder: list[Rec] = [Rec("weak", log)]

    class Dropper:
        def on_step(self, *, step: int) -> None:
            if step == 1:
                holder.clear()
                gc.collect()

    manager = CallbackManager(Hooks, [Dropper()])
    manager.register(holder[0], weak=True)
    manager.call.on_step(step=0)
    manager.add_monitor(calls.append)
    manager.call.on_step(step=1)  # its snapshot holds both
    assert log == ["weak:0"]
    assert [type(call.callback).__name__ for call in calls] == ["Dropper"]
    assert all(call.callback is not None for call in calls)


def test_a_monitor_is_not_told_of_a_skipped_non_callable_attribute() -> None:
    class NotCallable:
        on_step = 3

    calls: list[HookCall] = []
    a = Rec("a", [])
    manager = CallbackManager(None, [NotCallable(), a])
    manager.add_monitor(calls.append)
    with pytest.warns(UserWarning, match="not callable"):
        manager.emit("on_step", step=1)
    assert [(c.hook, c.callback) for c in calls] == [("on_step", a)]


def test_an_interrupted_refresh_leaves_the_hook_to_be_refreshed_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A KeyboardInterrupt while a new snapshot's code is installed: the next call does it."""
    import protocall._hookstate as hookstate
    from protocall._dispatch import swap_code

    log: Log = []
    manager = CallbackManager(Hooks, [Rec("a", log)])
    on_step = manager.call.on_step
    on_step(step=1)
    manager.register(Rec("b", log))

    def interrupted(*args: object) -> None:
        monkeypatch.setattr(hookstate, "swap_code", swap_code)
        raise KeyboardInterrupt

    monkeypatch.setattr(hookstate, "swap_code", interrupted)
    with pytest.raises(KeyboardInterrupt):
        on_step(step=2)
    on_step(step=3)
    manager.call.on_step(step=4)
    assert log == ["a:1", "a:3", "b:3", "a:4", "b:4"]


def test_a_refresh_interrupted_at_any_line_leaves_the_hook_to_be_refreshed_again() -> None:
    """A KeyboardInterrupt at each line of a refresh in turn (between recording the new
    implementers and publishing their snapshot, say): the next call refreshes and reaches them."""
    from protocall._hookstate import HookState

    refresh = HookState.refreshed.__code__
    for line in range(1, 200):
        log: Log = []
        manager = CallbackManager(Hooks, [Rec("a", log)])
        on_step = manager.call.on_step
        on_step(step=1)
        manager.register(Rec("b", log))
        interrupted = interrupted_at(
            line, functools.partial(on_step, step=2), lambda frame: frame.f_code is refresh
        )
        on_step(step=3)
        assert log[-2:] == ["a:3", "b:3"], (line, log)
        if not interrupted:
            break
    else:
        raise AssertionError("the refresh was interrupted at every line")


def test_a_weak_registration_holds_no_bound_method_the_instance_set_on_itself() -> None:
    """``self.on_step = self._step`` (an instance attribute bound to the callback) is called
    through the weak reference too: registering weakly keeps nothing alive."""
    log: Log = []

    class SelfBound:
        def __init__(self) -> None:
            self.on_step = self._step

        def _step(self, *, step: int) -> None:
            log.append(f"self-bound:{step}")

    callback = SelfBound()
    manager = CallbackManager(Hooks)
    manager.register(callback, weak=True)
    manager.call.on_step(step=1)
    reference = weakref.ref(callback)
    del callback
    gc.collect()
    assert reference() is None
    manager.call.on_step(step=2)
    assert log == ["self-bound:1"] and len(manager) == 0
