"""The state of stateful callbacks, saved and restored by key (semantics 18).

A callback is stateful when it has ``state_dict()`` and ``load_state_dict(state)`` methods
(looked up as hooks are: not through ``__getattr__``, not from a Protocol, not set to None). Its
key is its ``state_key`` attribute when it has one, else its class's qualified name. Two
stateful callbacks with one key are refused at registration; ``manager.state_dict()`` gathers
the states by key, ``manager.load_state_dict(state)`` gives each its own back: strictly (a
``KeyError`` naming the unknown and missing keys, and nothing restored) or not (what matches is
restored, the rest returned as ``StateKeys(unknown, missing)``).

The first tests call the functions of ``protocall._state``; the last ones go through a manager.
"""

from __future__ import annotations

import re
from typing import Any, Protocol
from unittest.mock import MagicMock, Mock

import pytest

from protocall import CallbackManager, Prioritized, RegistrationError, StateKeys
from protocall._state import (
    check_unique_keys,
    collect_state,
    is_stateful,
    restore_state,
    state_key,
)


class Hooks(Protocol):
    def on_step(self, step: int) -> None: ...


class Counter:
    """A stateful callback: counts the steps it saw."""

    def __init__(self, count: int = 0) -> None:
        self.count = count

    def on_step(self, step: int) -> None:
        self.count += 1

    def state_dict(self) -> dict[str, Any]:
        return {"count": self.count}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.count = state["count"]


class Named(Counter):
    """A stateful callback with a key of its own, as Lightning's callbacks make theirs."""

    def __init__(self, name: str, count: int = 0) -> None:
        super().__init__(count)
        self.name = name

    @property
    def state_key(self) -> str:
        return f"Named[{self.name}]"


class Plain:
    """Not stateful."""

    def on_step(self, step: int) -> None:
        pass


class Outer:
    class Inner(Counter):
        pass


class Stateful(Protocol):
    def state_dict(self) -> dict[str, Any]:
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        return None


class DeclaresOnly(Stateful):
    """Inherits the Protocol's default methods only: not stateful (as semantics 2 has it for
    hooks: what only a Protocol defines is a declaration, not an implementation)."""

    def on_step(self, step: int) -> None:
        pass


class Slotted:
    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 1

    def on_step(self, step: int) -> None:
        pass

    def state_dict(self) -> int:
        return self.value

    def load_state_dict(self, state: int) -> None:
        self.value = state


# -- keys and statefulness -------------------------------------------------------------------------


def test_the_key_is_the_class_qualified_name_by_default() -> None:
    assert state_key(Counter()) == "Counter"
    assert state_key(Outer.Inner()) == "Outer.Inner"


def test_the_key_is_the_state_key_attribute_when_there_is_one() -> None:
    assert state_key(Named("a")) == "Named[a]"
    counter = Counter()
    counter.state_key = "mine"  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue]
    assert state_key(counter) == "mine"


def test_a_state_key_of_none_means_the_default() -> None:
    class Unkeyed(Counter):
        state_key = None

    assert state_key(Unkeyed()) == "test_a_state_key_of_none_means_the_default.<locals>.Unkeyed"


def test_a_state_key_that_is_not_a_string_is_a_type_error() -> None:
    class Numbered(Counter):
        state_key = 3

    with pytest.raises(TypeError, match=r"the state_key of a .*Numbered is 3: it must be a string"):
        state_key(Numbered())


def test_a_callback_with_both_methods_is_stateful() -> None:
    assert is_stateful(Counter())
    assert is_stateful(Named("a"))
    assert is_stateful(Slotted())


def test_methods_set_on_the_instance_count() -> None:
    plain = Plain()
    plain.state_dict = dict  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue]
    plain.load_state_dict = print  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue]
    assert is_stateful(plain)


def test_one_method_is_not_enough() -> None:
    class SaveOnly(Plain):
        def state_dict(self) -> dict[str, Any]:
            return {}

    class LoadOnly(Plain):
        def load_state_dict(self, state: dict[str, Any]) -> None:
            pass

    assert not is_stateful(Plain())
    assert not is_stateful(SaveOnly())
    assert not is_stateful(LoadOnly())


def test_methods_set_to_none_or_not_callable_do_not_count() -> None:
    class OptedOut(Counter):
        load_state_dict = None  # type: ignore[assignment]

    class NotCallable(Counter):
        state_dict = {"count": 0}  # type: ignore[assignment]  # noqa: RUF012

    assert not is_stateful(OptedOut())
    assert not is_stateful(NotCallable())


def test_a_mock_which_answers_every_name_is_not_stateful() -> None:
    assert not is_stateful(Mock())
    assert not is_stateful(MagicMock())
    assert not is_stateful(Mock(spec=Counter))


def test_a_protocols_declarations_do_not_make_a_callback_stateful() -> None:
    assert not is_stateful(DeclaresOnly())


# -- unique keys -----------------------------------------------------------------------------------


def test_two_instances_of_one_stateful_class_clash() -> None:
    with pytest.raises(RegistrationError) as info:
        check_unique_keys([], [Counter(), Counter()])
    message = str(info.value)
    assert message.startswith(
        "cannot register the stateful callback Counter: its state key 'Counter' is the key of "
        "another Counter instance, also stateful, so their states would overwrite each other "
        "in state_dict(). Give one of them a distinct key with a state_key property"
    )
    assert "as Lightning's Callback does" in message
    assert '`@property def state_key(self) -> str: return f"Counter[{self.name}]"`' in message


def test_a_new_callback_clashing_with_a_registered_one_is_refused() -> None:
    class Renamed(Plain):
        state_key = "Counter"

        def state_dict(self) -> dict[str, Any]:
            return {}

        def load_state_dict(self, state: dict[str, Any]) -> None:
            pass

    with pytest.raises(RegistrationError) as info:
        check_unique_keys([Counter(), Plain()], [Named("a"), Renamed()])
    message = str(info.value)
    assert "the stateful callback " in message and "Renamed: its state key 'Counter'" in message
    assert "is the key of a Counter instance" in message


def test_distinct_keys_and_callbacks_without_state_pass() -> None:
    check_unique_keys([Counter(), Named("a")], [Named("b"), Outer.Inner(), Plain(), Plain()])


def test_the_same_object_twice_is_no_clash() -> None:
    counter = Counter()
    check_unique_keys([counter], [counter])
    check_unique_keys([], [counter, counter])


def test_a_new_callback_with_a_state_key_that_is_not_a_string_is_refused() -> None:
    class Numbered(Counter):
        state_key = 3

    with pytest.raises(RegistrationError, match=r"it must be a string") as info:
        check_unique_keys([], [Numbered()])
    assert isinstance(info.value.__cause__, TypeError)


# -- collecting and restoring ----------------------------------------------------------------------


def test_the_state_is_each_stateful_callbacks_state_dict_by_key_in_order() -> None:
    state = collect_state([Named("b", 2), Plain(), Counter(5), Named("a", 1)])
    assert state == {"Named[b]": {"count": 2}, "Counter": {"count": 5}, "Named[a]": {"count": 1}}
    assert list(state) == ["Named[b]", "Counter", "Named[a]"]


def test_no_stateful_callback_no_state() -> None:
    assert collect_state([Plain(), Mock()]) == {}


def test_an_error_in_state_dict_names_the_callback_and_key() -> None:
    class Broken(Counter):
        def state_dict(self) -> dict[str, Any]:
            raise RuntimeError("cannot save")

    with pytest.raises(RuntimeError, match="cannot save") as info:
        collect_state([Broken()])
    assert any("Broken.state_dict() (key " in note for note in info.value.__notes__)


def test_keys_that_changed_into_a_clash_are_an_error_when_collecting() -> None:
    first, second = Named("a"), Named("b")
    second.name = "a"
    with pytest.raises(ValueError, match=r"same state key 'Named\[a\]'"):
        collect_state([first, second])


def test_a_strict_restore_gives_each_callback_its_state() -> None:
    counter, named = Counter(), Named("a")
    keys = restore_state(
        [counter, Plain(), named], {"Counter": {"count": 3}, "Named[a]": {"count": 4}}, strict=True
    )
    assert (counter.count, named.count) == (3, 4)
    assert keys == StateKeys(unknown=[], missing=[])


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        pytest.param(
            {"Counter": {"count": 3}, "Named[a]": {"count": 4}, "Gone": {}, "Also": {}},
            "cannot load the callbacks' state: unknown keys ['Gone', 'Also'] (in the state, but "
            "no registered stateful callback has them). Nothing was restored; pass strict=False "
            "to restore the keys that match.",
            id="unknown",
        ),
        pytest.param(
            {"Named[a]": {"count": 4}},
            "cannot load the callbacks' state: missing keys ['Counter'] (registered stateful "
            "callbacks the state has nothing for). Nothing was restored; pass strict=False to "
            "restore the keys that match.",
            id="missing",
        ),
        pytest.param(
            {"Named[a]": {"count": 4}, "Gone": {}},
            "cannot load the callbacks' state: unknown keys ['Gone'] (in the state, but no "
            "registered stateful callback has them) and missing keys ['Counter'] (registered "
            "stateful callbacks the state has nothing for). Nothing was restored; pass "
            "strict=False to restore the keys that match.",
            id="both",
        ),
    ],
)
def test_a_strict_restore_with_unmatched_keys_raises_and_restores_nothing(
    state: dict[str, Any], expected: str
) -> None:
    counter, named = Counter(1), Named("a", 2)
    with pytest.raises(KeyError) as info:
        restore_state([counter, named], state, strict=True)
    assert info.value.args == (expected,)
    assert (counter.count, named.count) == (1, 2)


def test_a_lenient_restore_restores_what_matches_and_returns_the_rest() -> None:
    counter, named = Counter(1), Named("a", 2)
    keys = restore_state(
        [counter, named, Named("b")], {"Gone": {}, "Named[a]": {"count": 7}}, strict=False
    )
    assert keys == StateKeys(unknown=["Gone"], missing=["Counter", "Named[b]"])
    assert (keys.unknown, keys.missing) == (["Gone"], ["Counter", "Named[b]"])
    assert (counter.count, named.count) == (1, 7)


def test_a_state_that_is_not_a_mapping_is_a_type_error() -> None:
    with pytest.raises(
        TypeError, match=r"takes the mapping that state_dict\(\) returned .* not list"
    ):
        restore_state([Counter()], [("Counter", {})], strict=False)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


def test_an_error_in_load_state_dict_names_the_callback_and_key() -> None:
    class Broken(Counter):
        state_key = "broken"

        def load_state_dict(self, state: dict[str, Any]) -> None:
            raise ValueError("bad state")

    counter = Counter()
    with pytest.raises(ValueError, match="bad state") as info:
        restore_state([counter, Broken()], {"Counter": {"count": 9}, "broken": {}}, strict=True)
    assert any("Broken.load_state_dict() (key 'broken')" in n for n in info.value.__notes__)
    assert counter.count == 9


# -- through the manager ---------------------------------------------------------------------------


def test_a_manager_state_round_trips_into_a_new_manager() -> None:
    manager = CallbackManager(Hooks, [Counter(), Plain(), Named("a")])
    for step in range(3):
        manager.call.on_step(step)
    state = manager.state_dict()
    assert state == {"Counter": {"count": 3}, "Named[a]": {"count": 3}}
    counter, named = Counter(), Named("a")
    resumed = CallbackManager(Hooks, [named, counter, Plain()])
    assert resumed.load_state_dict(state) is None
    assert (counter.count, named.count) == (3, 3)


def test_the_manager_state_is_in_call_order() -> None:
    manager = CallbackManager(Hooks, [Named("low"), Prioritized(Named("high"), 5)])
    assert list(manager.state_dict()) == ["Named[high]", "Named[low]"]


def test_a_manager_without_stateful_callbacks_has_an_empty_state() -> None:
    assert CallbackManager(Hooks, [Plain()]).state_dict() == {}
    assert CallbackManager(None, [Mock(), MagicMock()]).state_dict() == {}


def test_a_manager_strict_load_with_unmatched_keys_raises_and_restores_nothing() -> None:
    counter = Counter(1)
    manager = CallbackManager(Hooks, [counter, Named("a")])
    with pytest.raises(KeyError, match=re.escape("unknown keys ['Gone']")) as info:
        manager.load_state_dict({"Counter": {"count": 5}, "Gone": {}})
    assert "missing keys ['Named[a]']" in str(info.value)
    assert counter.count == 1


def test_a_manager_lenient_load_returns_the_unmatched_keys() -> None:
    counter = Counter(1)
    manager = CallbackManager(Hooks, [counter, Named("a")])
    keys = manager.load_state_dict({"Counter": {"count": 5}, "Gone": {}}, strict=False)
    assert keys == StateKeys(unknown=["Gone"], missing=["Named[a]"])
    assert counter.count == 5


def test_the_constructor_refuses_two_stateful_callbacks_with_one_key() -> None:
    with pytest.raises(
        RegistrationError, match=r"state key 'Counter' is the key of another Counter"
    ):
        CallbackManager(Hooks, [Plain(), Counter(), Counter()])


def test_register_refuses_a_key_already_taken_and_changes_nothing() -> None:
    first, named = Counter(), Named("a")
    manager = CallbackManager(Hooks, [first, named])
    with pytest.raises(RegistrationError, match=r"state key 'Named\[a\]' is the key of another"):
        manager.register(Named("a"))
    with pytest.raises(RegistrationError, match=r"state key 'Counter'"):
        manager.register(Counter())
    assert manager.callbacks == (first, named)
    other = manager.register(Named("b"))
    assert len(manager) == 3 and manager.callbacks[-1] is other


def test_a_key_is_free_again_once_its_callback_is_unregistered() -> None:
    first = Counter()
    manager = CallbackManager(Hooks, [first])
    manager.unregister(first)
    second = manager.register(Counter())
    assert manager.callbacks == (second,)


def test_an_unchecked_manager_refuses_clashing_keys_too() -> None:
    manager = CallbackManager(None, [Counter()])
    with pytest.raises(RegistrationError, match=r"state key 'Counter'"):
        manager.register(Counter())
    assert len(manager) == 1


class KeyFails(Counter):
    """A stateful callback whose ``state_key`` property raises (until ``ready``)."""

    def __init__(self) -> None:
        super().__init__()
        self.ready = False

    @property
    def state_key(self) -> str:
        if not self.ready:
            raise RuntimeError("no key yet")
        return "KeyFails"


def test_a_state_key_that_raises_is_a_registration_error_naming_the_class() -> None:
    manager = CallbackManager(Hooks, [Counter()])
    with pytest.raises(RegistrationError, match="KeyFails: reading its state_key raised") as info:
        manager.register(KeyFails())
    assert isinstance(info.value.__cause__, RuntimeError)
    assert len(manager) == 1


def test_a_registered_callback_whose_state_key_now_raises_does_not_block_others() -> None:
    failing = KeyFails()
    failing.ready = True
    manager = CallbackManager(Hooks, [failing])
    failing.ready = False
    manager.register(Named("n"))
    assert len(manager) == 2
