"""Reading a spec (semantics 1): which members of a Protocol are hooks, and which specs are refused.

Every method of the spec Protocol, including those inherited from the Protocols it extends, is a
hook; only plain instance methods (``def`` or ``async def``) are hooks; a spec that is not a
Protocol, has no methods, or has any other member is a ``TypeError``. The table is read once per
spec class.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any, Protocol, cast

import pytest
from hooks_fixtures import AsyncHooks, Hooks, Log, OnStart, Recorder

from protocall import CallbackManager, RegistrationError, UnknownHookError
from protocall._spec import hook_table


def plain_str(text: str) -> str:
    """``text`` as a plain ``str``: the mypy plugin (rightly) flags a literal unknown hook name."""
    return text


TYPO = plain_str("typo")


def make_manager(spec: object) -> CallbackManager[Any]:
    """``CallbackManager(spec)`` for a spec the type checkers would refuse."""
    return CallbackManager(cast(Callable[..., Any], spec))


# -- what is a hook ------------------------------------------------------------------------------


def test_hooks_include_the_methods_inherited_from_the_protocols_the_spec_extends() -> None:
    assert set(hook_table(Hooks).hooks) == {"on_start", "on_step", "on_end", "on_query"}
    log: Log = []
    manager = CallbackManager(Hooks, [Recorder("r", log)])
    manager.call.on_start()
    manager.call.on_step(1, loss=0.5)
    assert log == [("r", "on_start", (), {}), ("r", "on_step", (1,), {"loss": 0.5})]


def test_hooks_are_in_declaration_order_bases_left_to_right_then_own_methods() -> None:
    class First(Protocol):
        def on_b(self) -> None: ...

        def on_a(self) -> None: ...

    class Second(Protocol):
        def on_z(self) -> None: ...

    class Spec(First, Second, Protocol):
        def on_own(self) -> None: ...

    assert list(hook_table(Spec).hooks) == ["on_b", "on_a", "on_z", "on_own"]
    with pytest.raises(UnknownHookError, match=r"Its hooks are: on_b, on_a, on_z, on_own\.$"):
        CallbackManager(Spec).emit(TYPO)


def test_the_hook_signature_is_the_method_signature_without_self() -> None:
    hook = hook_table(Hooks).hooks["on_step"]
    assert list(hook.signature.parameters) == ["step", "loss"]
    assert hook.signature.parameters["loss"].kind is inspect.Parameter.KEYWORD_ONLY


def test_async_def_methods_are_async_hooks_and_def_methods_sync_hooks() -> None:
    table = hook_table(AsyncHooks)
    assert {name: hook.is_async for name, hook in table.hooks.items()} == {
        "on_fetch": True,
        "on_parse": True,
        "on_close": False,
    }
    manager = CallbackManager(AsyncHooks)
    awaitable = manager.call.on_fetch("https://example.org")
    assert inspect.iscoroutine(awaitable)
    asyncio.run(awaitable)
    result: object = cast(Callable[[], object], manager.call.on_close)()
    assert result is None


def test_a_spec_is_read_once_per_class() -> None:
    class Spec(Protocol):
        def on_event(self) -> None: ...

    first = hook_table(Spec)
    CallbackManager(Spec)
    CallbackManager(Spec)
    assert hook_table(Spec) is first


def test_two_managers_of_one_spec_do_not_share_their_callbacks() -> None:
    log: Log = []
    first = CallbackManager(Hooks, [Recorder("r", log)])
    second = CallbackManager(Hooks)
    assert len(first) == 1
    assert len(second) == 0
    second.call.on_start()
    assert log == []


# -- refused specs -------------------------------------------------------------------------------


class NotAProtocol:
    def on_event(self) -> None: ...


def test_a_spec_that_is_not_a_protocol_is_a_type_error() -> None:
    with pytest.raises(TypeError) as info:
        CallbackManager(NotAProtocol)
    assert not isinstance(info.value, RegistrationError)
    assert str(info.value) == (
        "NotAProtocol is not a Protocol: declare the spec as `class NotAProtocol(Protocol): ...` "
        "(from typing import Protocol) so that type checkers check its callbacks"
    )


class Empty(Protocol):
    pass


def test_a_spec_without_methods_is_a_type_error() -> None:
    with pytest.raises(TypeError) as info:
        make_manager(Empty)
    assert str(info.value) == (
        "Empty declares no hook: give it at least one method, e.g. `def on_event(self) -> None: ...`"
    )


class WithData(Protocol):
    epochs: int

    def on_event(self) -> None: ...


def test_a_spec_with_an_annotated_data_member_is_a_type_error() -> None:
    with pytest.raises(TypeError) as info:
        make_manager(WithData)
    message = str(info.value)
    assert message.startswith("WithData.epochs is a data attribute; a spec declares hooks only")
    assert "remove it or make it a method" in message


class WithValue(Protocol):
    epochs = 3  # type: ignore[misc]  # deliberately untyped: a data member

    def on_event(self) -> None: ...


def test_a_spec_with_an_assigned_data_member_is_a_type_error() -> None:
    with pytest.raises(TypeError) as info:
        make_manager(WithValue)
    assert str(info.value) == (
        "WithValue.epochs is a data attribute (int); a spec declares hooks only, as plain instance "
        "methods (`def` or `async def` taking self): remove it or make it a plain method"
    )


class WithProperty(Protocol):
    @property
    def epochs(self) -> int: ...

    def on_event(self) -> None: ...


def test_a_spec_with_a_property_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"^WithProperty\.epochs is a property; a spec declares"):
        make_manager(WithProperty)


class WithStatic(Protocol):
    @staticmethod
    def on_static() -> None: ...

    def on_event(self) -> None: ...


def test_a_spec_with_a_staticmethod_is_a_type_error() -> None:
    with pytest.raises(
        TypeError, match=r"^WithStatic\.on_static is a staticmethod; .*plain method$"
    ):
        make_manager(WithStatic)


class WithClassmethod(Protocol):
    @classmethod
    def on_class(cls) -> None: ...

    def on_event(self) -> None: ...


def test_a_spec_with_a_classmethod_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"^WithClassmethod\.on_class is a classmethod; "):
        make_manager(WithClassmethod)


class OnlyStatic(Protocol):
    @staticmethod
    def on_static() -> None: ...


def test_a_spec_whose_only_member_is_not_a_method_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"OnlyStatic\.on_static is a staticmethod"):
        make_manager(OnlyStatic)


class NoSelf(Protocol):
    def on_event(*args: int) -> None: ...


def test_a_spec_method_without_self_is_a_type_error() -> None:
    with pytest.raises(TypeError) as info:
        make_manager(NoSelf)
    assert str(info.value) == (
        "NoSelf.on_event does not take `self`: declare it as `def on_event(self, ...)`"
    )


class WithDunder(Protocol):
    def __call__(self) -> None: ...

    def on_event(self) -> None: ...


def test_a_spec_with_a_dunder_method_is_a_type_error() -> None:
    with pytest.raises(TypeError) as info:
        make_manager(WithDunder)
    assert str(info.value) == (
        "WithDunder.__call__: a hook cannot be a dunder method ('__call__'); give the hook a plain "
        "name such as `on_call`"
    )


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param(Recorder("r", []), id="an instance"),
        pytest.param(3, id="an int"),
        pytest.param("OnStart", id="a string"),
        pytest.param(OnStart.on_start, id="a spec method"),
    ],
)
def test_a_spec_that_is_not_a_class_is_a_type_error(spec: object) -> None:
    with pytest.raises(TypeError) as info:
        make_manager(spec)
    assert str(info.value) == (
        "the spec of a CallbackManager is a Protocol class that declares the hooks "
        f"(or None for an unchecked manager), not {type(spec).__name__} {spec!r}"
    )


def test_a_refused_spec_is_refused_again_on_every_use() -> None:
    for _ in range(2):
        with pytest.raises(TypeError, match="is not a Protocol"):
            CallbackManager(NotAProtocol)
