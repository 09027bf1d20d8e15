"""Registration: which hooks a callback implements (semantics 2), and what is refused (semantics 3).

A callback implements a hook when the attribute comes from the instance ``__dict__`` or from a
class of its MRO that is not a Protocol, and is not ``None``. Registration refuses, with a
:class:`RegistrationError` naming the class, the hook and the fix, whatever could not take every
call of the hook; it is atomic, for one callback and for the constructor's list.

No ``from __future__ import annotations`` in this module: messages show the callbacks'
signatures, and the tests compare them with evaluated annotations.
"""

import functools
import gc
import re
import warnings
import weakref
from collections.abc import Callable
from typing import Any, ClassVar, Protocol
from unittest import mock
from unittest.mock import Mock

import pytest
from hooks_fixtures import AsyncHooks, Hooks, Log, Recorder, StartOnly, StepOnly

from protocall import CallbackManager, HookNameWarning, RegistrationError

ON_STEP_FIX = "Give it the hook's parameters: def on_step(self, step: int, *, loss: float) -> None."


def refusal(manager: CallbackManager[Any], callback: object) -> str:
    """The message of the :class:`RegistrationError` that registering ``callback`` raises.

    ``callback`` is typed ``object`` so that type checkers do not refuse it first: these tests
    are about what the runtime does with callbacks the checkers would flag.
    """
    with pytest.raises(RegistrationError) as info:
        manager.register(callback)
    return str(info.value)


def snapshot(manager: CallbackManager[Hooks]) -> tuple[object, ...]:
    """Everything observable about ``manager``'s registrations."""
    hooks = ("on_start", "on_step", "on_end", "on_query")
    return (
        manager.callbacks,
        len(manager),
        tuple(manager.implementers(hook) for hook in hooks),
        tuple(frozenset(manager.hooks_of(callback)) for callback in manager.callbacks),
    )


# -- semantics 2: implemented or not -------------------------------------------------------------


class InstanceAttribute:
    def __init__(self, log: Log) -> None:
        self.on_start = lambda: log.append(("instance", "on_start", (), {}))


def test_an_attribute_in_the_instance_dict_implements_the_hook() -> None:
    log: Log = []
    callback = InstanceAttribute(log)
    manager = CallbackManager(Hooks, [callback])
    assert manager.hooks_of(callback) == {"on_start"}
    manager.call.on_start()
    assert log == [("instance", "on_start", (), {})]


class WithDefaults(Protocol):
    def on_start(self) -> None:
        return None

    def on_step(self, step: int, *, loss: float) -> None:
        return None


class OverridesOnStep(WithDefaults):
    def __init__(self, log: Log) -> None:
        self.log = log

    def on_step(self, step: int, *, loss: float) -> None:
        self.log.append(("override", "on_step", (step,), {"loss": loss}))


def test_a_method_inherited_from_a_protocol_does_not_implement_the_hook() -> None:
    log: Log = []
    callback = OverridesOnStep(log)
    manager = CallbackManager(WithDefaults, [callback])
    assert manager.hooks_of(callback) == {"on_step"}
    assert manager.implementers(WithDefaults.on_start) == ()
    assert manager.implementers(WithDefaults.on_step) == (callback,)


class DefaultHooks(Protocol):
    """A spec whose hooks have default bodies, so that a subclass may override any subset."""

    def on_start(self) -> None:
        return None

    def on_step(self, step: int, *, loss: float) -> None:
        return None

    def on_end(self, *, result: str) -> None:
        return None


class Subclass(DefaultHooks):
    def on_end(self, *, result: str) -> None: ...


def test_a_subclass_of_the_spec_implements_only_the_methods_it_overrides() -> None:
    callback = Subclass()
    manager = CallbackManager(DefaultHooks, [callback])
    assert manager.hooks_of(callback) == {"on_end"}
    assert manager.implementers("on_start") == ()
    assert manager.implementers("on_end") == (callback,)


class OptsOutOnClass:
    on_start = None

    def on_step(self, step: int, *, loss: float) -> None: ...


class OptsOutOnInstance:
    on_step: Callable[..., None] | None

    def __init__(self, *, steps: bool) -> None:
        self.on_step = self._log_step if steps else None

    def on_start(self) -> None: ...

    def _log_step(self, step: int, *, loss: float) -> None: ...


def test_a_hook_attribute_set_to_none_on_the_class_is_not_implemented() -> None:
    callback = OptsOutOnClass()
    manager = CallbackManager(Hooks, [callback])
    assert manager.hooks_of(callback) == {"on_step"}


def test_a_hook_attribute_set_to_none_on_the_instance_is_not_implemented() -> None:
    without, with_steps = OptsOutOnInstance(steps=False), OptsOutOnInstance(steps=True)
    given: list[object] = [without, with_steps]  # untyped for the checkers: None on the instance
    manager = CallbackManager(Hooks, given)
    assert manager.hooks_of(without) == {"on_start"}
    assert manager.hooks_of(with_steps) == {"on_start", "on_step"}


def test_a_mock_implements_no_hook_although_it_answers_every_name() -> None:
    mock = Mock()
    assert hasattr(mock, "on_start")
    assert refusal(CallbackManager(Hooks), mock) == (
        "cannot register Mock: it implements no hook of Hooks. Implement at least one of "
        "on_start, on_step, on_end, on_query with the hook's signature."
    )


class PlainBase:
    def on_start(self) -> None: ...


class FromPlainBase(PlainBase):
    pass


def test_a_method_inherited_from_a_class_that_is_not_a_protocol_implements_the_hook() -> None:
    callback = FromPlainBase()
    manager = CallbackManager(Hooks, [callback])
    assert manager.hooks_of(callback) == {"on_start"}


class OverridesNothing(DefaultHooks):
    pass


def test_a_protocol_subclass_that_overrides_nothing_is_told_that_inherited_methods_do_not_count() -> (
    None
):
    assert refusal(CallbackManager(DefaultHooks), OverridesNothing()) == (
        "cannot register OverridesNothing: it implements no hook of DefaultHooks. Implement at "
        "least one of on_start, on_step, on_end with the hook's signature (it subclasses "
        "DefaultHooks, but methods inherited from a Protocol do not count: override the ones "
        "you implement)."
    )


# -- semantics 3: refused callbacks ----------------------------------------------------------


class NotCallable:
    on_start = 3

    def on_end(self, *, result: str) -> None: ...


def test_a_non_callable_class_attribute_named_like_a_hook_is_refused() -> None:
    assert refusal(CallbackManager(Hooks), NotCallable()) == (
        "cannot register NotCallable: its attribute NotCallable.on_start is named like the hook "
        "Hooks.on_start but is not callable (it is int 3). Make it a method, "
        "def on_start(self) -> None, or set it to None to not implement the hook."
    )


class NotCallableOnInstance:
    def __init__(self) -> None:
        self.on_end = "done"

    def on_start(self) -> None: ...


def test_a_non_callable_instance_attribute_named_like_a_hook_is_refused() -> None:
    assert refusal(CallbackManager(Hooks), NotCallableOnInstance()) == (
        "cannot register NotCallableOnInstance: its attribute NotCallableOnInstance.on_end is "
        "named like the hook Hooks.on_end but is not callable (it is str 'done'). Make it a "
        "method, def on_end(self, *, result: str) -> None, or set it to None to not implement "
        "the hook."
    )


class RenamedParameter:
    def on_step(self, epoch: int, *, loss: float) -> None: ...


def test_a_renamed_positional_or_keyword_parameter_is_refused_because_callers_may_pass_it_by_keyword() -> (
    None
):
    assert refusal(CallbackManager(Hooks), RenamedParameter()) == (
        "cannot register RenamedParameter: RenamedParameter.on_step(self, epoch: int, *, "
        "loss: float) -> None cannot accept every call of the hook Hooks.on_step: the call "
        "on_step(step=..., loss=...) fails (got an unexpected keyword argument 'step'). "
        + ON_STEP_FIX
    )


class MissingPositional:
    def on_step(self, *, loss: float) -> None: ...


def test_a_missing_positional_parameter_is_refused() -> None:
    message = refusal(CallbackManager(Hooks), MissingPositional())
    assert message.startswith(
        "cannot register MissingPositional: MissingPositional.on_step(self, *, loss: float) -> "
        "None cannot accept every call of the hook Hooks.on_step: the call on_step("
    )
    assert "'step'" in message
    assert message.endswith(ON_STEP_FIX)


class ExtraRequired:
    def on_step(self, step: int, batch: int, *, loss: float) -> None: ...


def test_an_extra_required_parameter_is_refused() -> None:
    assert refusal(CallbackManager(Hooks), ExtraRequired()) == (
        "cannot register ExtraRequired: ExtraRequired.on_step(self, step: int, batch: int, *, "
        "loss: float) -> None cannot accept every call of the hook Hooks.on_step: the call "
        "on_step(step=..., loss=...) fails (missing 1 required positional argument: 'batch'). "
        + ON_STEP_FIX
    )


class ExtraKeywordOnly:
    def on_end(self, *, result: str, verbose: bool) -> None: ...


def test_a_required_keyword_only_parameter_the_hook_does_not_have_is_refused() -> None:
    assert refusal(CallbackManager(Hooks), ExtraKeywordOnly()) == (
        "cannot register ExtraKeywordOnly: ExtraKeywordOnly.on_end(self, *, result: str, "
        "verbose: bool) -> None cannot accept every call of the hook Hooks.on_end: the call "
        "on_end(result=...) fails (missing 1 required keyword-only argument: 'verbose'). Give it the hook's "
        "parameters: def on_end(self, *, result: str) -> None."
    )


class PositionalOnly:
    def on_query(self, key: str, /) -> int:
        return 0


def test_a_positional_only_parameter_is_refused_where_the_hook_may_be_called_by_keyword() -> None:
    message = refusal(CallbackManager(Hooks), PositionalOnly())
    # The reason in parentheses is CPython's own text, which changed in 3.13.
    parts = re.fullmatch(r"(.*) fails \((.*)\)\. (Give .*)", message)
    assert parts is not None, message
    before, reason, after = parts.groups()
    assert before == (
        "cannot register PositionalOnly: PositionalOnly.on_query(self, key: str, /) -> int cannot "
        "accept every call of the hook Hooks.on_query: the call on_query(key=...)"
    )
    assert "positional" in reason
    assert "'key'" in reason
    assert after == "Give it the hook's parameters: def on_query(self, key: str) -> int."


class PositionalOnlySpec(Protocol):
    def on_item(self, item: object, /) -> None: ...


class RenamesPositionalOnly:
    def on_item(self, thing: object, /) -> None: ...


class PositionalOrKeywordForPositionalOnly:
    def on_item(self, whatever: object) -> None: ...


def test_any_parameter_name_is_accepted_where_the_hook_parameter_is_positional_only() -> None:
    manager = CallbackManager(PositionalOnlySpec)
    manager.register(RenamesPositionalOnly())
    manager.register(PositionalOrKeywordForPositionalOnly())
    assert len(manager) == 2


class Variadic(Protocol):
    def on_optional(self, a: int, b: int = 2) -> None: ...

    def on_items(self, *items: int) -> None: ...

    def on_extra(self, **extra: int) -> None: ...


class RequiresTheOptional:
    def on_optional(self, a: int, b: int) -> None: ...


def test_requiring_a_parameter_the_hook_makes_optional_is_refused() -> None:
    assert refusal(CallbackManager(Variadic), RequiresTheOptional()) == (
        "cannot register RequiresTheOptional: RequiresTheOptional.on_optional(self, a: int, "
        "b: int) -> None cannot accept every call of the hook Variadic.on_optional: the call "
        "on_optional(a=...) fails (missing 1 required positional argument: 'b'). Give it the hook's "
        "parameters: def on_optional(self, a: int, b: int = 2) -> None."
    )


class NoStarArgs:
    def on_items(self, first: int) -> None: ...


def test_an_implementation_without_star_args_for_a_hook_with_star_args_is_refused() -> None:
    message = refusal(CallbackManager(Variadic), NoStarArgs())
    assert message.startswith(
        "cannot register NoStarArgs: NoStarArgs.on_items(self, first: int) -> None cannot accept "
        "every call of the hook Variadic.on_items: the call on_items("
    )
    assert message.endswith(
        "Give it the hook's parameters: def on_items(self, *items: int) -> None."
    )


class NoStarStarKwargs:
    def on_extra(self, *, known: int = 0) -> None: ...


def test_an_implementation_without_star_star_kwargs_for_a_hook_with_star_star_kwargs_is_refused() -> (
    None
):
    message = refusal(CallbackManager(Variadic), NoStarStarKwargs())
    assert message.startswith(
        "cannot register NoStarStarKwargs: NoStarStarKwargs.on_extra(self, *, known: int = 0) -> "
        "None cannot accept every call of the hook Variadic.on_extra: the call on_extra("
    )
    assert message.endswith(
        "Give it the hook's parameters: def on_extra(self, **extra: int) -> None."
    )


def test_the_refused_call_of_a_star_star_kwargs_hook_shows_no_internal_name() -> None:
    message = refusal(CallbackManager(Variadic), NoStarStarKwargs())
    assert "_protocall" not in message


class NoSelf:
    def on_start() -> None: ...  # type: ignore[misc]  # pyright: ignore[reportSelfClsParameterName]


def test_a_method_without_self_is_refused() -> None:
    assert refusal(CallbackManager(Hooks), NoSelf()) == (
        "cannot register NoSelf: its method NoSelf.on_start takes no `self`, so it cannot be "
        "called as a method for the hook Hooks.on_start. Declare it as def on_start(self) -> None."
    )


class AsyncForSync:
    async def on_close(self) -> None: ...


def test_an_async_implementation_of_a_sync_hook_is_refused() -> None:
    assert refusal(CallbackManager(AsyncHooks), AsyncForSync()) == (
        "cannot register AsyncForSync: AsyncForSync.on_close is an `async def` but the hook "
        "AsyncHooks.on_close is synchronous; drop `async`: def on_close(self) -> None."
    )


class SyncForAsync:
    def on_fetch(self, url: str) -> None: ...


def test_a_sync_implementation_of_an_async_hook_is_refused() -> None:
    assert refusal(CallbackManager(AsyncHooks), SyncForAsync()) == (
        "cannot register SyncForAsync: SyncForAsync.on_fetch is a plain `def` but the hook "
        "AsyncHooks.on_fetch is async; declare it `async def`: "
        "async def on_fetch(self, url: str) -> None."
    )


class AsyncCallable:
    async def __call__(self) -> None: ...


class AsyncCallableForSync:
    def __init__(self) -> None:
        self.on_close = AsyncCallable()


def test_a_callable_object_with_an_async_call_is_refused_for_a_sync_hook() -> None:
    message = refusal(CallbackManager(AsyncHooks), AsyncCallableForSync())
    assert message.startswith(
        "cannot register AsyncCallableForSync: AsyncCallableForSync.on_close is an `async def` "
        "but the hook AsyncHooks.on_close is synchronous"
    )


def test_a_class_instead_of_an_instance_is_refused() -> None:
    assert refusal(CallbackManager(Hooks), Recorder) == (
        "cannot register the class Recorder with a CallbackManager of Hooks: callbacks are "
        "instances. Register an instance instead, e.g. Recorder()."
    )


class ImplementsNothing:
    def on_epoch(self) -> None: ...


def test_a_callback_that_implements_no_hook_is_refused() -> None:
    assert refusal(CallbackManager(Hooks), ImplementsNothing()) == (
        "cannot register ImplementsNothing: it implements no hook of Hooks. Implement at least "
        "one of on_start, on_step, on_end, on_query with the hook's signature."
    )


class OnlyMisspelled:
    def on_stat(self) -> None: ...

    def on_querry(self, key: str) -> int:
        return 0


def test_a_callback_that_implements_no_hook_is_told_which_names_look_misspelled() -> None:
    assert refusal(CallbackManager(Hooks), OnlyMisspelled()) == (
        "cannot register OnlyMisspelled: it implements no hook of Hooks. Implement at least one "
        "of on_start, on_step, on_end, on_query with the hook's signature. "
        "OnlyMisspelled.on_querry looks like a misspelling of on_query. "
        "OnlyMisspelled.on_stat looks like a misspelling of on_start."
    )


def test_registering_the_same_object_twice_is_refused() -> None:
    callback = StartOnly("s", [])
    manager = CallbackManager(Hooks, [callback])
    assert refusal(manager, callback) == (
        "cannot register StartOnly: this instance is already registered with this manager "
        "(callbacks are compared by identity). Register it once, or register a new StartOnly "
        "instance."
    )
    assert manager.callbacks == (callback,)


def test_the_same_object_twice_in_the_constructor_list_is_refused() -> None:
    callback = StartOnly("s", [])
    given: list[object] = [callback, StepOnly("t", []), callback]
    with pytest.raises(RegistrationError) as info:
        CallbackManager(Hooks, given)
    assert str(info.value) == (
        "cannot register StartOnly: this instance appears twice in the callbacks given "
        "(callbacks are compared by identity). Register it once, or register a new StartOnly "
        "instance. The manager of Hooks was left unchanged."
    )


def test_two_equal_instances_of_one_class_are_two_callbacks() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, [StartOnly("s", log), StartOnly("s", log)])
    manager.call.on_start()
    assert len(log) == 2


def test_a_registration_error_is_a_type_error() -> None:
    assert issubclass(RegistrationError, TypeError)
    with pytest.raises(TypeError):
        CallbackManager(Hooks).register(Mock())


# -- near-miss names warn --------------------------------------------------------------------


class NearMiss:
    def on_start(self) -> None: ...

    def on_stepp(self, step: int, *, loss: float) -> None: ...


def test_a_public_method_named_almost_like_a_hook_warns_naming_the_hook() -> None:
    manager = CallbackManager(Hooks)
    with pytest.warns(HookNameWarning) as record:
        manager.register(NearMiss())
    assert [str(w.message) for w in record] == [
        "NearMiss.on_stepp looks like a misspelling of the hook Hooks.on_step and will never be "
        "called: rename it to on_step (or to _on_stepp if it is not meant as a hook)."
    ]
    assert record[0].filename == __file__
    assert len(manager) == 1


def test_a_near_miss_in_the_constructor_list_warns_too() -> None:
    with pytest.warns(HookNameWarning, match=r"NearMiss\.on_stepp .* Hooks\.on_step "):
        CallbackManager(Hooks, [NearMiss()])


def test_a_hook_name_warning_is_a_user_warning() -> None:
    assert issubclass(HookNameWarning, UserWarning)


class PrivateNearMiss:
    def on_start(self) -> None: ...

    def _on_stepp(self) -> None: ...


def test_a_private_method_named_almost_like_a_hook_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        CallbackManager(Hooks, [PrivateNearMiss()])


# -- atomicity ---------------------------------------------------------------------------------


def test_a_failed_register_leaves_the_manager_exactly_as_it_was() -> None:
    log: Log = []
    first = Recorder("first", log)
    manager = CallbackManager(Hooks, [first, StartOnly("start", log)])
    manager.call.on_start()  # builds the dispatcher before the failed registration
    before = snapshot(manager)
    refusal(manager, RenamedParameter())
    assert snapshot(manager) == before
    assert RenamedParameter() not in manager
    log.clear()
    manager.call.on_start()
    manager.call.on_step(1, loss=0.5)
    assert log == [
        ("first", "on_start", (), {}),
        ("start", "on_start", (), {}),
        ("first", "on_step", (1,), {"loss": 0.5}),
    ]


@pytest.mark.parametrize(
    "bad",
    [RenamedParameter(), Recorder, Mock(), NotCallable(), ImplementsNothing()],
    ids=["bad signature", "a class", "a Mock", "not callable", "no hook"],
)
def test_a_constructor_list_with_one_bad_callback_fails_before_any_side_effect(bad: object) -> None:
    # ``NearMiss`` would warn (an error here: filterwarnings = error) if it got as far as being
    # registered; the constructor validates the whole list first.
    given: list[object] = [Recorder("good", []), NearMiss(), bad]
    name = bad.__name__ if isinstance(bad, type) else type(bad).__name__
    with pytest.raises(RegistrationError, match=f"^cannot register (the class )?{name}[: ]"):
        CallbackManager(Hooks, given)


def test_a_near_miss_warning_turned_into_an_error_registers_nothing() -> None:
    manager = CallbackManager(Hooks)
    with pytest.raises(HookNameWarning):
        manager.register(NearMiss())  # filterwarnings = error
    assert len(manager) == 0


def test_the_constructor_copies_the_callers_list() -> None:
    log: Log = []
    given: list[Recorder] = [Recorder("a", log)]
    manager = CallbackManager(Hooks, given)
    given.append(Recorder("b", log))
    given.clear()
    assert len(manager) == 1
    manager.call.on_start()
    assert log == [("a", "on_start", (), {})]


def test_the_constructor_accepts_any_iterable_in_order() -> None:
    log: Log = []
    manager = CallbackManager(Hooks, (Recorder(tag, log) for tag in "abc"))
    manager.call.on_start()
    assert [tag for tag, *_ in log] == ["a", "b", "c"]


# -- accepted implementations ----------------------------------------------------------------


class CatchAll:
    def __init__(self) -> None:
        self.calls: list[tuple[tuple[object, ...], dict[str, object]]] = []

    def on_step(self, *args: object, **kwargs: object) -> None:
        self.calls.append((args, kwargs))

    def on_end(self, **kwargs: object) -> None:
        self.calls.append(((), kwargs))


def test_catch_all_star_args_and_star_star_kwargs_are_accepted() -> None:
    callback = CatchAll()
    manager = CallbackManager(Hooks, [callback])
    assert manager.hooks_of(callback) == {"on_step", "on_end"}
    manager.call.on_step(3, loss=0.25)
    manager.call.on_end(result="ok")
    assert callback.calls == [((3,), {"loss": 0.25}), ((), {"result": "ok"})]


class ExtraOptional:
    def __init__(self) -> None:
        self.seen: list[tuple[int, float, int, str]] = []

    def on_step(self, step: int, extra: int = 7, *, loss: float, note: str = "n") -> None:
        self.seen.append((step, loss, extra, note))


def test_extra_optional_parameters_are_accepted_and_keep_their_defaults() -> None:
    callback = ExtraOptional()
    manager = CallbackManager(Hooks, [callback])
    manager.call.on_step(1, loss=0.5)
    assert callback.seen == [(1, 0.5, 7, "n")]


class StaticAndClassMethods:
    seen: ClassVar[list[object]] = []

    @staticmethod
    def on_query(key: str) -> int:
        return len(key)

    @classmethod
    def on_start(cls) -> None:
        cls.seen.append(cls)


def test_staticmethod_and_classmethod_implementations_are_accepted() -> None:
    callback = StaticAndClassMethods()
    manager = CallbackManager(Hooks, [callback])
    assert manager.hooks_of(callback) == {"on_query", "on_start"}
    assert manager.emit(Hooks.on_query, "four") == [4]
    manager.call.on_start()
    assert StaticAndClassMethods.seen == [StaticAndClassMethods]


class Answer:
    def __init__(self, value: int) -> None:
        self.value = value

    def __call__(self, key: str) -> int:
        return self.value


class CallableObjects:
    on_query = Answer(1)


class CallableObjectOnInstance:
    def __init__(self) -> None:
        self.on_query = Answer(2)


def test_callable_objects_are_accepted_on_the_class_and_on_the_instance() -> None:
    manager = CallbackManager(Hooks, [CallableObjects(), CallableObjectOnInstance()])
    assert manager.emit(Hooks.on_query, "k") == [1, 2]


def lookup(table: dict[str, int], key: str) -> int:
    return table[key]


class Partial:
    def __init__(self) -> None:
        self.on_query = functools.partial(lookup, {"k": 42})


def test_functools_partial_implementations_are_accepted() -> None:
    manager = CallbackManager(Hooks, [Partial()])
    assert manager.emit(Hooks.on_query, "k") == [42]


class WrongPartial:
    def __init__(self) -> None:
        self.on_query = functools.partial(lookup, {"k": 42}, "k")


def test_a_partial_whose_signature_does_not_fit_is_refused() -> None:
    message = refusal(CallbackManager(Hooks), WrongPartial())
    assert message.startswith(
        "cannot register WrongPartial: WrongPartial.on_query() -> int cannot accept every call of "
        "the hook Hooks.on_query: the call on_query(key=...) fails (got an unexpected keyword "
        "argument 'key')."
    )
    assert message.endswith("Give it the hook's parameters: def on_query(self, key: str) -> int.")


class QueryFunction(Protocol):
    def __call__(self, key: str) -> int: ...


class Lambdas:
    def __init__(self) -> None:
        self.on_query: QueryFunction = lambda key: len(key) * 10
        self.on_start: Callable[[], None] = lambda: None


def test_instance_attribute_lambdas_are_accepted() -> None:
    callback = Lambdas()
    manager = CallbackManager(Hooks, [callback])
    assert manager.hooks_of(callback) == {"on_query", "on_start"}
    assert manager.emit(Hooks.on_query, "ab") == [20]


def test_register_returns_the_callback_itself() -> None:
    callback = StartOnly("s", [])
    assert CallbackManager(Hooks).register(callback) is callback


def test_the_suggested_fix_shows_annotations_as_written_under_postponed_evaluation() -> None:
    class StringAnnotated(Protocol):
        def on_event(self, count: "int") -> "None": ...

    class Wrong:
        def on_event(self) -> None: ...

    message = refusal(CallbackManager(StringAnnotated), Wrong())
    assert message.endswith(
        "Give it the hook's parameters: def on_event(self, count: int) -> None."
    )


# -- a class changed after its first registration ---------------------------------------------


class Patched:
    def on_query(self, key: str) -> int:
        return 1


def test_an_instance_registered_after_its_class_was_patched_uses_the_patched_method() -> None:
    CallbackManager(Hooks, [Patched()])
    with mock.patch.object(Patched, "on_query", return_value=99) as patched:
        manager = CallbackManager(Hooks, [Patched()])
        assert manager.emit(Hooks.on_query, "k") == [99]
    assert patched.call_count == 1


class GainsAHook:
    def on_query(self, key: str) -> int:
        return 1


def start(self: object) -> None: ...


def test_a_hook_method_added_to_the_class_later_is_implemented_by_instances_registered_later() -> (
    None
):
    CallbackManager(Hooks, [GainsAHook()])
    setattr(GainsAHook, "on_start", start)  # noqa: B010
    callback = GainsAHook()
    assert CallbackManager(Hooks, [callback]).hooks_of(callback) == {"on_query", "on_start"}


class FixedLater:
    def on_query(self) -> int:
        return 1


def fixed_on_query(self: object, key: str) -> int:
    return 2


def test_a_class_fixed_after_a_refused_registration_can_be_registered() -> None:
    refusal(CallbackManager(Hooks), FixedLater())
    setattr(FixedLater, "on_query", fixed_on_query)  # noqa: B010
    given: list[object] = [FixedLater()]
    manager = CallbackManager(Hooks, given)
    assert manager.emit(Hooks.on_query, "k") == [2]


# -- a known class: what makes registration look at the class again ---------------------------

RegisterOne = Callable[[object], CallbackManager[Hooks]]
"""Registers one callback in a new manager: through ``register()`` or the constructor."""


def _through_register(callback: object) -> CallbackManager[Hooks]:
    manager = CallbackManager(Hooks)
    manager.register(callback)
    return manager


def _through_constructor(callback: object) -> CallbackManager[Hooks]:
    given: list[object] = [callback]
    return CallbackManager(Hooks, given)


@pytest.fixture(params=[_through_register, _through_constructor], ids=["register", "constructor"])
def register_one(request: pytest.FixtureRequest) -> RegisterOne:
    function: RegisterOne = request.param
    return function


def query_only() -> type:
    """A new class each time: a test may change it without affecting the others."""

    class QueryOnly:
        def on_query(self, key: str) -> int:
            return 1

    return QueryOnly


def test_a_hook_method_added_to_a_base_class_later_is_seen(register_one: RegisterOne) -> None:
    base = query_only()
    derived = type("Derived", (base,), {})
    register_one(derived())
    setattr(base, "on_start", start)  # noqa: B010
    callback = derived()
    assert register_one(callback).hooks_of(callback) == {"on_query", "on_start"}


def test_a_hook_method_deleted_from_the_class_later_is_no_longer_implemented(
    register_one: RegisterOne,
) -> None:
    cls = query_only()
    setattr(cls, "on_start", start)  # noqa: B010
    register_one(cls())
    delattr(cls, "on_start")
    callback = cls()
    assert register_one(callback).hooks_of(callback) == {"on_query"}


def test_a_hook_set_to_none_on_the_class_later_is_no_longer_implemented(
    register_one: RegisterOne,
) -> None:
    cls = query_only()
    setattr(cls, "on_start", start)  # noqa: B010
    register_one(cls())
    setattr(cls, "on_start", None)  # noqa: B010
    callback = cls()
    assert register_one(callback).hooks_of(callback) == {"on_query"}


def test_a_change_of_bases_later_is_seen(register_one: RegisterOne) -> None:
    class Plain:
        pass

    class Starter:
        def on_start(self) -> None: ...

    query = query_only()
    cls: type = type("Rebased", (query, Plain), {})
    register_one(cls())
    cls.__bases__ = (query, Starter)
    callback = cls()
    assert register_one(callback).hooks_of(callback) == {"on_query", "on_start"}


class ClassMethodHook:
    @classmethod
    def on_query(cls, key: str) -> int:
        return 1


def _patched_on_query(cls: type, key: str) -> int:
    return 2


def test_a_classmethod_hook_is_registered_again_and_its_patch_is_seen(
    register_one: RegisterOne,
) -> None:
    assert register_one(ClassMethodHook()).emit(Hooks.on_query, "k") == [1]
    assert register_one(ClassMethodHook()).emit(Hooks.on_query, "k") == [1]
    replacement: classmethod[Any, [str], int] = classmethod(_patched_on_query)
    with mock.patch.object(ClassMethodHook, "on_query", replacement):
        assert register_one(ClassMethodHook()).emit(Hooks.on_query, "k") == [2]


class RaisesOnClassAccess:
    def __get__(self, instance: object, owner: type | None = None) -> object:
        if instance is None:
            raise RuntimeError("instances only")
        return lambda: None


class StartsThroughADescriptor:
    on_start = RaisesOnClassAccess()

    def on_query(self, key: str) -> int:
        return 1


def test_a_descriptor_that_raises_on_class_access_does_not_break_registration(
    register_one: RegisterOne,
) -> None:
    for _ in range(2):  # the second one finds the plan of the first
        callback = StartsThroughADescriptor()
        assert register_one(callback).hooks_of(callback) == {"on_query", "on_start"}


def query_with_super() -> type:
    """A new class whose hook method uses ``super()``, so refers to its class."""

    class Base:
        def on_query(self, key: str) -> int:
            return 1

    class UsesSuper(Base):
        def on_query(self, key: str) -> int:
            return super().on_query(key) + 1

    return UsesSuper


@pytest.mark.parametrize("make", [query_only, query_with_super], ids=["plain", "super()"])
def test_a_class_is_collected_once_its_managers_are_gone(
    register_one: RegisterOne, make: Callable[[], type]
) -> None:
    cls = make()
    manager = register_one(cls())
    manager.register(cls())
    manager.emit(Hooks.on_query, "k")
    collected = weakref.ref(cls)
    del cls, manager
    gc.collect()
    assert collected() is None


def test_a_known_class_whose_registrations_are_all_gone_is_still_known(
    register_one: RegisterOne,
) -> None:
    cls = query_with_super()
    register_one(cls())  # validates the class; the manager is dropped at once
    gc.collect()
    assert register_one(cls()).emit(Hooks.on_query, "k") == [2]
