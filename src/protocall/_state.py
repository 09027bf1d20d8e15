"""The state of stateful callbacks: saved by key with a checkpoint, restored by key.

A callback is *stateful* when it has the methods ``state_dict()`` and ``load_state_dict(state)``
(as ``torch.nn.Module``, optimizers and Lightning's callbacks do). ``manager.state_dict()``
gathers their states under each callback's key; ``manager.load_state_dict(state)`` gives each
its own back. The key is the callback's ``state_key`` attribute when it has one, else its
class's qualified name, as Lightning's ``Callback.state_key`` defaults to; two stateful
callbacks with one key would overwrite each other's state, so registration refuses the second.

The methods are looked up as registration looks up hooks (semantics 2): from the instance and
the classes of its MRO that are not Protocols, never through ``__getattr__``, so that a
``Mock()``, which answers every name, is not taken for a stateful callback; and an attribute set
to None does not count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final, NamedTuple, cast

from ._errors import RegistrationError

__all__ = [
    "StateKeys",
    "check_unique_keys",
    "collect_state",
    "is_stateful",
    "restore_state",
    "state_key",
]


class StateKeys(NamedTuple):
    """What a non-strict ``load_state_dict`` could not match, each list in a stable order."""

    unknown: list[str]
    """Keys of the state that no registered stateful callback has (in the state's order)."""
    missing: list[str]
    """Keys of registered stateful callbacks that the state has nothing for (in call order)."""


_ABSENT: Final = object()


def _attribute(callback: object, name: str) -> object:
    """``callback.name`` as its instance and non-Protocol classes define it, else ``_ABSENT``.

    ``object.__getattribute__`` runs properties and binds methods but never calls a class's
    ``__getattr__``; a value that comes from a Protocol class (a declaration's default body) or
    is None counts as absent.
    """
    try:
        value = object.__getattribute__(callback, name)
    except AttributeError:
        return _ABSENT
    if value is None:
        return _ABSENT
    try:
        own = name in object.__getattribute__(callback, "__dict__")
    except AttributeError:  # no instance __dict__ (slots)
        own = False
    if not own:
        for klass in type(callback).__mro__:
            namespace = vars(klass)
            if name in namespace:
                if namespace.get("_is_protocol", False):
                    return _ABSENT
                break
    return value


def is_stateful(callback: object) -> bool:
    """Does ``callback`` have callable ``state_dict`` and ``load_state_dict`` methods?"""
    return callable(_attribute(callback, "state_dict")) and callable(
        _attribute(callback, "load_state_dict")
    )


def state_key(callback: object) -> str:
    """The key of ``callback``'s state: its ``state_key`` attribute, else its class's qualname.

    Raises :class:`TypeError` if ``state_key`` is neither a string nor None.
    """
    key = _attribute(callback, "state_key")
    if key is _ABSENT:
        return type(callback).__qualname__
    if not isinstance(key, str):
        raise TypeError(
            f"the state_key of a {type(callback).__qualname__} is {key!r:.60}: it must be a "
            f"string (or None for the default, the class's qualified name)"
        )
    return key


def _keyed(callbacks: Iterable[object]) -> dict[str, object]:
    """The stateful callbacks by key, in order (the same object given twice counts once).

    Raises :class:`ValueError` if two of them share a key (which registration refuses: a
    ``state_key`` must have changed since).
    """
    keyed: dict[str, object] = {}
    for callback in callbacks:
        if not is_stateful(callback):
            continue
        key = state_key(callback)
        other = keyed.setdefault(key, callback)
        if other is not callback:
            a, b = type(other).__qualname__, type(callback).__qualname__
            raise ValueError(
                f"the stateful callbacks {a} and {b} have the same state key {key!r} (has a "
                f"state_key changed since they were registered?), so their states would "
                f"overwrite each other. {_fix(b)}"
            )
    return keyed


def _fix(name: str) -> str:
    return (
        f"Give one of them a distinct key with a state_key property (or attribute) that returns "
        f"a distinct string, as Lightning's Callback does, e.g. "
        f'`@property def state_key(self) -> str: return f"{name}[{{self.name}}]"`.'
    )


def check_unique_keys(existing: Iterable[object], new: Iterable[object]) -> None:
    """Refuse to register ``new`` callbacks if two stateful callbacks would share a key.

    ``existing`` are the registered callbacks, ``new`` those about to be registered (in order);
    the same object twice is not a clash (an unchecked manager accepts a callback twice). Raises
    :class:`~protocall.RegistrationError` naming both classes and the key, and how to set
    ``state_key``; also if the ``state_key`` of a new stateful callback is not a string, or
    reading it raises.
    """
    keyed: dict[str, object] = {}
    for callback in existing:  # registered, so their keys were unique and strings
        if is_stateful(callback):
            try:
                keyed.setdefault(state_key(callback), callback)
            except Exception:  # noqa: BLE001  # its key changed since (state_dict() says so)
                continue
    for callback in new:
        if not is_stateful(callback):
            continue
        try:
            key = state_key(callback)
        except TypeError as exc:
            raise RegistrationError(f"cannot register the stateful callback: {exc}") from exc
        except Exception as exc:
            raise RegistrationError(
                f"cannot register the stateful callback {type(callback).__qualname__}: reading "
                f"its state_key raised {type(exc).__name__}: {exc}"
            ) from exc
        other = keyed.setdefault(key, callback)
        if other is not callback:
            a, b = type(other).__qualname__, type(callback).__qualname__
            which = f"another {a} instance" if a == b else f"a {a} instance"
            raise RegistrationError(
                f"cannot register the stateful callback {b}: its state key {key!r} is the key of "
                f"{which}, also stateful, so their states would overwrite each other in "
                f"state_dict(). {_fix(b)}"
            )


def collect_state(callbacks: Iterable[object]) -> dict[str, Any]:
    """Each stateful callback's ``state_dict()`` under its key, in ``callbacks``' order."""
    return {key: _state_dict_of(callback, key) for key, callback in _keyed(callbacks).items()}


def _state_dict_of(callback: object, key: str) -> Any:
    try:
        return getattr(callback, "state_dict")()  # noqa: B009  # checked by is_stateful
    except Exception as exc:
        exc.add_note(
            f"protocall: raised by {type(callback).__qualname__}.state_dict() (key {key!r})"
        )
        raise


def restore_state(
    callbacks: Iterable[object], state: Mapping[str, Any], *, strict: bool
) -> StateKeys:
    """Give each stateful callback of ``callbacks`` its entry of ``state`` (``load_state_dict``).

    Returns the keys that did not match: ``unknown`` (in ``state``, but no callback has them)
    and ``missing`` (stateful callbacks that ``state`` has nothing for). If ``strict`` and any
    key does not match, raises :class:`KeyError` naming them and restores nothing. A
    ``load_state_dict`` that raises stops the restoring there (the callbacks before it have been
    restored), with a note naming the callback and its key.
    """
    if not isinstance(cast(object, state), Mapping):
        raise TypeError(
            f"load_state_dict() takes the mapping that state_dict() returned (key → state), "
            f"not {type(state).__qualname__}"
        )
    keyed = _keyed(callbacks)
    unknown = [key for key in state if key not in keyed]
    missing = [key for key in keyed if key not in state]
    if strict and (unknown or missing):
        raise KeyError(_mismatch(unknown, missing))
    for key, callback in keyed.items():
        if key in state:
            try:
                getattr(callback, "load_state_dict")(state[key])  # noqa: B009
            except Exception as exc:
                exc.add_note(
                    f"protocall: raised by {type(callback).__qualname__}.load_state_dict() "
                    f"(key {key!r}); the callbacks before it in call order have been restored"
                )
                raise
    return StateKeys(unknown, missing)


def _mismatch(unknown: list[str], missing: list[str]) -> str:
    parts: list[str] = []
    if unknown:
        parts.append(
            f"unknown keys {unknown} (in the state, but no registered stateful callback has them)"
        )
    if missing:
        parts.append(
            f"missing keys {missing} (registered stateful callbacks the state has nothing for)"
        )
    return (
        f"cannot load the callbacks' state: {' and '.join(parts)}. Nothing was restored; "
        f"pass strict=False to restore the keys that match."
    )
