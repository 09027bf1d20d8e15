"""The unchecked manager (``spec=None``, semantics 9): Lightning Fabric's ``call``, cached.

Any hook name may be called; each callback's method is looked up with plain ``getattr`` (so a
``Mock()`` answers every name and ``Mock(spec_set={})`` none); callbacks without it are skipped;
a non-callable attribute is skipped with a ``UserWarning`` on every call; duplicates and classes
are accepted. The lookups are cached per hook name and redone when the registrations change.
"""

import warnings
from typing import Any, ClassVar
from unittest.mock import Mock

import pytest
from hooks_fixtures import Hooks, Log, Recorder, StartOnly

from protocall import CallbackManager, RegistrationError

Calls = list[tuple[str, tuple[object, ...], dict[str, object]]]


class Anything:
    """Takes any arguments in ``on_anything`` and returns what it got."""

    def __init__(self, tag: str, calls: Calls) -> None:
        self.tag = tag
        self.calls = calls

    def on_anything(self, *args: object, **kwargs: object) -> tuple[object, ...]:
        self.calls.append((self.tag, args, kwargs))
        return (self.tag, *args)


class NotCallableHook:
    on_anything = "not a method"


def test_any_hook_name_may_be_called_through_call_and_emit() -> None:
    calls: Calls = []
    manager = CallbackManager(None, [Anything("a", calls)])
    manager.call.on_anything(1)
    assert manager.emit("on_anything", 2) == [("a", 2)]
    manager.call.never_declared_anywhere()
    assert manager.emit("never_declared_anywhere") == []
    assert calls == [("a", (1,), {}), ("a", (2,), {})]


def test_arguments_pass_through_unchanged() -> None:
    calls: Calls = []
    manager = CallbackManager(None, [Anything("a", calls)])
    marker = object()
    manager.call.on_anything(1, marker, key=marker, other=None)
    assert calls == [("a", (1, marker), {"key": marker, "other": None})]
    assert calls[0][1][1] is marker


def test_callbacks_without_the_method_are_skipped() -> None:
    calls: Calls = []
    log: Log = []
    manager = CallbackManager(None, [StartOnly("s", log), Anything("a", calls), object()])
    manager.call.on_anything("x")
    assert calls == [("a", ("x",), {})]
    assert log == []
    assert manager.implementers("on_anything") == (manager.callbacks[1],)


def test_callbacks_are_called_in_registration_order() -> None:
    calls: Calls = []
    manager = CallbackManager(None, [Anything("1", calls), Anything("2", calls)])
    manager.register(Anything("3", calls))
    assert manager.emit("on_anything") == [("1",), ("2",), ("3",)]


def test_a_mock_answers_every_name() -> None:
    mock = Mock()
    manager = CallbackManager(None, [mock])
    manager.call.on_whatever(1, key=2)
    mock.on_whatever.assert_called_once_with(1, key=2)
    assert manager.implementers("on_other") == (mock,)


def test_a_mock_with_an_empty_spec_set_answers_no_name() -> None:
    mock = Mock(spec_set={})
    manager = CallbackManager(None, [mock])
    manager.call.on_whatever(1)
    assert manager.emit("on_whatever") == []
    assert manager.implementers("on_whatever") == ()


def test_an_attribute_set_to_none_is_skipped() -> None:
    class OptedOut:
        on_anything = None

    manager = CallbackManager(None, [OptedOut()])
    assert manager.emit("on_anything") == []


def test_a_non_callable_attribute_is_skipped_with_a_warning_on_every_call() -> None:
    calls: Calls = []
    manager = CallbackManager(None, [NotCallableHook(), Anything("a", calls)])
    message = "Skipping the callback `NotCallableHook.on_anything` because it is not callable."
    for _ in range(2):
        with pytest.warns(UserWarning) as record:
            manager.call.on_anything(1)
        assert [str(w.message) for w in record] == [message]
        assert [w.category for w in record] == [UserWarning]
    with pytest.warns(UserWarning) as record:
        assert manager.emit("on_anything", 2) == [("a", 2)]
    assert [str(w.message) for w in record] == [message]
    assert calls == [("a", (1,), {}), ("a", (1,), {}), ("a", (2,), {})]


def test_the_skip_warning_of_call_points_at_the_line_that_called_the_hook() -> None:
    manager = CallbackManager(None, [NotCallableHook()])
    with pytest.warns(UserWarning) as record:
        manager.call.on_anything()
    assert record[0].filename == __file__


def test_the_skip_warning_of_emit_points_at_the_line_that_called_the_hook() -> None:
    manager = CallbackManager(None, [NotCallableHook()])
    with pytest.warns(UserWarning) as record:
        manager.emit("on_anything")
    assert record[0].filename == __file__


def test_the_skip_warning_is_an_error_under_filterwarnings_error() -> None:
    manager = CallbackManager(None, [NotCallableHook()])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(
            UserWarning, match=r"^Skipping the callback `NotCallableHook\.on_anything`"
        ):
            manager.call.on_anything()


def test_a_non_callable_attribute_is_not_an_implementer() -> None:
    manager = CallbackManager(None, [NotCallableHook()])
    assert manager.implementers("on_anything") == ()


def test_the_same_object_may_be_registered_twice_and_is_called_twice() -> None:
    calls: Calls = []
    callback = Anything("a", calls)
    manager = CallbackManager(None, [callback, callback])
    assert manager.register(callback) is callback
    manager.call.on_anything()
    assert [tag for tag, *_ in calls] == ["a", "a", "a"]
    assert len(manager) == 3
    manager.unregister(callback)
    assert len(manager) == 2


def test_a_class_may_be_registered_and_its_functions_are_called_unbound() -> None:
    class Static:
        received: ClassVar[list[object]] = []

        def on_anything(*args: object) -> None:  # pyright: ignore[reportSelfClsParameterName]
            Static.received.extend(args)

    manager = CallbackManager(None, [Static])
    manager.call.on_anything(1, 2)
    assert Static.received == [1, 2]
    assert manager.callbacks == (Static,)


def test_registration_refuses_nothing() -> None:
    manager = CallbackManager(None)
    for callback in (object(), Mock(), Hooks, 42, None):
        manager.register(callback)
    assert len(manager) == 5


def test_the_lookups_are_cached_until_the_registrations_change() -> None:
    calls: Calls = []
    late = StartOnly("late", [])
    manager = CallbackManager(None, [late])
    manager.call.on_anything()  # looked up: ``late`` has no on_anything
    late_any: Any = late
    late_any.on_anything = Anything("late", calls).on_anything  # gains one after the lookup
    manager.call.on_anything()
    assert calls == []  # the cached lookup stands ...
    manager.register(Anything("new", calls))
    manager.call.on_anything()  # ... until the registrations change
    assert [tag for tag, *_ in calls] == ["late", "new"]


def test_the_lookups_are_redone_after_an_unregister() -> None:
    calls: Calls = []
    first, second = Anything("1", calls), Anything("2", calls)
    manager = CallbackManager(None, [first, second])
    assert manager.emit("on_anything") == [("1",), ("2",)]
    manager.unregister(first)
    assert manager.emit("on_anything") == [("2",)]
    manager.call.on_anything()
    assert [tag for tag, *_ in calls] == ["1", "2", "2", "2"]


def test_emit_by_name_returns_the_results_in_order() -> None:
    log: Log = []
    manager = CallbackManager(None, [Recorder("a", log, answer=1), Recorder("b", log, answer=2)])
    assert manager.emit("on_query", "k") == [1, 2]
    assert manager.emit("on_start") == [None, None]


def test_emit_by_a_method_uses_its_name() -> None:
    manager = CallbackManager(None, [Recorder("a", [], answer=5)])
    assert manager.emit(Hooks.on_query, "k") == [5]


def test_call_returns_none() -> None:
    manager = CallbackManager(None, [Recorder("a", [], answer=5)])
    result: object = manager.call.on_query("k")
    assert result is None


def test_an_exception_propagates_with_a_note_naming_the_callback_and_the_hook() -> None:
    class Failing:
        def on_anything(self) -> None:
            raise ValueError("broken")

    calls: Calls = []
    manager = CallbackManager(None, [Failing(), Anything("after", calls)])
    with pytest.raises(ValueError) as info:
        manager.call.on_anything()
    notes = info.value.__notes__
    assert len(notes) == 1
    assert "Failing" in notes[0]
    assert "'on_anything'" in notes[0]
    assert calls == []


def test_callbacks_len_and_in_compare_by_identity() -> None:
    class EqualsEverything:
        def __eq__(self, other: object) -> bool:
            return True

        def __hash__(self) -> int:
            return 0

    registered = EqualsEverything()
    manager = CallbackManager(None, [registered])
    assert registered in manager
    assert EqualsEverything() not in manager
    assert len(manager) == 1
    with pytest.raises(ValueError, match="it is not registered with this manager"):
        manager.unregister(EqualsEverything())


def test_unknown_hook_names_are_not_errors_and_no_registration_error_is_raised() -> None:
    manager = CallbackManager(None, [Mock(spec_set={})])
    try:
        manager.call.on_typo()
        manager.emit("on_typo")
    except (AttributeError, RegistrationError) as exc:  # pragma: no cover - the failure path
        pytest.fail(f"an unchecked manager raised {exc!r}")


def test_hooks_of_on_an_unchecked_manager_is_a_type_error() -> None:
    manager = CallbackManager(None, [Mock()])
    with pytest.raises(TypeError, match=r"^hooks_of\(\) needs a checked manager"):
        manager.hooks_of(manager.callbacks[0])
