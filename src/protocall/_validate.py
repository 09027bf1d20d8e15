"""Which hooks does a callback implement, and what does dispatch call for each?

One path for every registration (:func:`implement`). The answer comes from the class, never from
``hasattr`` (a ``Mock()`` answers every name): an attribute implements a hook when it comes from
the instance ``__dict__`` or from a class of the MRO that is not a Protocol, and is not ``None``.
So a callback that subclasses a spec's Protocols implements exactly the methods it overrides.

Everything is read afresh at each registration, so a change to a class (a method patched, added,
deleted or set to None, ``__bases__`` swapped) is seen by the next registration. The only thing
remembered is the verdict on a plain function's parameters, per hook and per code object
(``Hook.verdicts``): a code object cannot change, so the verdict cannot go stale.

The instance ``__dict__`` is never read as such: CPython keeps a fresh instance's attributes
inline until its ``__dict__`` is asked for, and gives that up for the object's whole life, which
would slow every method the callback runs. Plain attribute lookup tells what the instance holds
without that. Whether an implementation can take the hook's calls is ``_checks``'s to say.
"""

from __future__ import annotations

from collections.abc import Callable
from types import FunctionType, MethodType
from typing import Any, Final, cast

from ._checks import NOTHING, check_function, check_value, no_hook_message
from ._errors import RegistrationError
from ._hook import Hook
from ._spec import HookTable

__all__ = ["Implementation", "implement"]

_MISSING: Final = object()
_VERDICTS_LIMIT: Final = 4096
"""Verdicts kept per hook; past that the cache starts again (code objects made in a loop)."""


class Implementation:
    """A validated callback: what dispatch calls per hook, and its misspelt method names."""

    __slots__ = ("near_misses", "targets", "unbound")

    def __init__(
        self,
        targets: dict[str, Callable[..., Any]],
        near_misses: tuple[tuple[str, str], ...],
        unbound: dict[str, tuple[FunctionType, frozenset[str]]],
    ) -> None:
        self.targets: Final = targets
        """Hook name → what dispatch calls: the bound method, or an adapter that leaves out
        the keyword-only arguments the method does not declare."""
        self.unbound: Final = unbound
        """Hook name → for an adapter's target, the plain function behind the bound method it
        adapts, and the keywords it leaves out: what a weak registration calls through its
        weak reference (for a bound method, its ``__func__``)."""
        self.near_misses: Final = near_misses
        """(method, hook) pairs: public methods named almost like a hook they do not implement."""


def implement(table: HookTable, callback: object) -> Implementation:
    """Validate ``callback`` against the spec of ``table``.

    Raises :class:`RegistrationError` naming the class, the hook and the fix.
    """
    if isinstance(callback, type):
        name = callback.__qualname__
        raise RegistrationError(
            f"cannot register the class {name} with a CallbackManager of {table.spec_name}: "
            f"callbacks are instances. Register an instance instead, e.g. {name}()."
        )
    cls = type(callback)
    protocols, custom, misspelt = _read_class(table, cls)
    targets: dict[str, Callable[..., Any]] = {}
    unbound: dict[str, tuple[FunctionType, frozenset[str]]] = {}
    for hook in table.hook_list:
        name = hook.name
        value = getattr(callback, name, _MISSING) if not custom else _lookup(callback, name)
        if value is _MISSING:
            continue  # usually most of the spec's hooks
        if (  # the usual case, spelt out: a method of a function, no Protocol in the way ...
            type(value) is MethodType
            and value.__self__ is callback
            and type(function := value.__func__) is FunctionType
            and not protocols
        ):
            code = function.__code__
            known = hook.verdicts.get(id(code))
            if (  # ... whose verdict is known (the entry, see _function_verdict) ...
                known is not None
                and known[0] is code
                and known[1] is function.__defaults__
                and known[2] is None
                and function.__kwdefaults__ is None
                and not function.__dict__
                and not known[3]
            ):
                targets[name] = value  # ... and takes every argument
                continue
            dropped = _function_verdict(hook, function, cls)
            if not dropped:
                targets[name] = value
            else:
                targets[name] = _passing_only(value, dropped)
                unbound[name] = (function, dropped)
            continue
        target = _target(hook, callback, cls, protocols, value)
        if target is not None:
            targets[name], found = target
            if found is not None:
                unbound[name] = found
    near_misses = (
        ()
        if not misspelt
        else tuple(
            (method, hook_name)
            for method, hook_name in misspelt
            if hook_name not in targets and _is_method_like(_defined(cls, method)[1])
        )
    )
    if not targets:
        raise RegistrationError(no_hook_message(table, cls, near_misses))
    return Implementation(targets, near_misses, unbound)


def _lookup(callback: object, name: str) -> object:
    """``callback``'s attribute ``name`` as its class and instance hold it, or ``_MISSING``,
    for a class that customises lookup (``__getattr__``, ``__getattribute__``: a ``Mock``
    answers every name). Elsewhere plain ``getattr`` does, which reads an instance's inline
    values without making its ``__dict__``."""
    try:
        return object.__getattribute__(callback, name)
    except AttributeError:
        return _MISSING


def _read_class(table: HookTable, cls: type) -> tuple[list[type], bool, list[tuple[str, str]]]:
    """What one walk over ``cls``'s MRO (``object`` aside) tells registration: the classes
    declared as Protocols, whether a class defines ``__getattr__`` or ``__getattribute__``, and
    the (public method, hook) pairs of names close to a hook's in the other classes."""
    protocols: list[type] = []
    custom_lookup = False
    near_misses: list[tuple[str, str]] = []
    memo = table.names_memo
    for klass in cls.__mro__[:-1]:  # object aside
        namespace = klass.__dict__
        key = tuple(namespace)
        names = memo.get(key) or table.names_among(key)
        if not names.notable:
            continue  # most classes
        if names.marks_protocol and namespace["_is_protocol"]:
            protocols.append(klass)
        elif names.near_misses:
            near_misses += names.near_misses
        custom_lookup = custom_lookup or names.custom_lookup
    return protocols, custom_lookup, sorted(set(near_misses)) if near_misses else near_misses


_Found = tuple[Callable[..., Any], tuple[FunctionType, frozenset[str]] | None]
"""What dispatch calls for a hook; and for a plain method of the class, its function and the
keywords it leaves out (what a weak registration calls through its weak reference)."""


def _target(
    hook: Hook, callback: object, cls: type, protocols: list[type], value: object
) -> _Found | None:
    """What dispatch calls for ``hook`` of ``callback``, whose attribute lookup gave ``value``;
    None if it does not implement the hook (opted out with None, or only a Protocol has it)."""
    owner, raw = _defined(cls, hook.name)
    if owner is None:
        return _checked_value(value, hook, cls)  # the instance's own (the class lacks it)
    if type(raw) is FunctionType:  # a plain method of the class ...
        if type(value) is MethodType and value.__func__ is raw and value.__self__ is callback:
            if owner in protocols:
                return None  # a Protocol's own (default) method does not count
            dropped = _function_verdict(hook, raw, cls)
            return _passing_only(value, dropped), (raw, dropped) if dropped else None
        return _checked_value(value, hook, cls)  # ... unless the instance overrides it
    if _is_data_descriptor(raw) or value is raw or _from_descriptor(raw, value, callback, cls):
        # A property or slot (which the instance cannot override), or the class's own value.
        return None if owner in protocols else _checked_value(value, hook, cls)
    return _checked_value(value, hook, cls)  # the instance's own


def _defined(cls: type, name: str) -> tuple[type | None, object]:
    """The first class of ``cls``'s MRO (``object`` aside) that defines ``name``, and the raw
    value it holds there; ``(None, _MISSING)`` if none does."""
    for klass in cls.__mro__[:-1]:
        namespace = vars(klass)
        if name in namespace:
            return klass, namespace[name]
    return None, _MISSING


def _from_descriptor(raw: object, value: object, callback: object, cls: type) -> bool:
    """Is ``value`` what the class attribute ``raw`` (a descriptor) gives ``callback``?"""
    if not _is_descriptor(raw):
        return False
    expected = _bound(raw, callback, cls)
    return value is expected or (type(value) is MethodType and value == expected)


def _checked_value(value: object, hook: Hook, cls: type) -> _Found | None:
    """What dispatch calls for an attribute value that implements ``hook`` (None: opted out)."""
    if value is None:
        return None
    problem, dropped = check_value(value, hook, cls, f"{cls.__qualname__}.{hook.name}")
    if problem is not None:
        raise RegistrationError(problem)
    return _passing_only(cast(Callable[..., Any], value), dropped), None  # callable: checked


def _function_verdict(hook: Hook, function: FunctionType, cls: type) -> frozenset[str]:
    """The keywords ``function`` (a plain function of the class) leaves out of ``hook``'s calls.

    Raises :class:`RegistrationError` if it cannot take them. What ``inspect`` reads of a
    function's parameters is its code object, how many defaults it has and which keyword-only
    ones, unless the function carries attributes (``__signature__``, ``__wrapped__``): so the
    verdict is remembered per hook and code object, with those counts, and looked up first. A
    new function with the hook's own parameter layout is accepted at a glance (``Mirror``).
    """
    code = function.__code__
    defaults = function.__defaults__
    keyword_defaults = function.__kwdefaults__
    # Keyed by id: the entry holds the code object, so the id cannot be reused meanwhile. The
    # defaults tuple is immutable (compared by identity); the keyword defaults are a dict, so
    # their names are compared.
    known = hook.verdicts.get(id(code))
    if (
        known is not None
        and known[0] is code
        and known[1] is defaults
        and (known[2] is None if keyword_defaults is None else known[2] == tuple(keyword_defaults))
        and not function.__dict__
    ):
        return known[3]
    plain = not function.__dict__
    mirror = hook.mirror
    if mirror is not None and mirror.mirrored_by(function):
        dropped = NOTHING
    else:
        problem, dropped = check_function(function, hook, cls, f"{cls.__qualname__}.{hook.name}")
        if problem is not None:
            raise RegistrationError(problem)
    if plain:
        if len(hook.verdicts) >= _VERDICTS_LIMIT:
            hook.verdicts.clear()
        keywords = None if keyword_defaults is None else tuple(keyword_defaults)
        hook.verdicts[id(code)] = (code, defaults, keywords, dropped)
    return dropped


def _passing_only(method: Callable[..., Any], dropped: frozenset[str]) -> Callable[..., Any]:
    """``method``, or an adapter that leaves out the ``dropped`` keyword arguments.

    A callback may declare only the keyword-only parameters it needs (as Lightning Fabric 2.6
    allows); the adapter passes it just those.
    """
    if not dropped:
        return method

    def adapter(*args: Any, **kwargs: Any) -> Any:
        for keyword in dropped:
            kwargs.pop(keyword, None)
        return method(*args, **kwargs)

    return adapter


def _bound(descriptor: object, callback: object, cls: type) -> object:
    """What the class attribute ``descriptor`` gives ``callback`` (its ``__get__``)."""
    get: Callable[[object, object, type], object] = getattr(type(descriptor), "__get__")  # noqa: B009
    return get(descriptor, callback, cls)


def _is_method_like(value: object) -> bool:
    return callable(value) or isinstance(value, (staticmethod, classmethod))


def _is_descriptor(value: object) -> bool:
    return hasattr(type(value), "__get__")


def _is_data_descriptor(value: object) -> bool:
    kind = type(value)
    return hasattr(kind, "__set__") or hasattr(kind, "__delete__")
