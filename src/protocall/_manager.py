"""``CallbackManager[T]``: the public face over the registry, the strategy and the hook states.

Data flows one way: spec class → hook table (``_spec``, once per spec) → registration
(``_validate``: validate, bind) → the registry's records in call order (``_registry``) → one
state per hook (``_hookstate``) whose stable dispatchers (``_dispatch``) read a snapshot of the
hook's implementers. A change of registrations, under the registry's lock, marks the touched
hooks' snapshots stale; the next dispatch of each rebuilds it. Dispatch takes no lock.

A manager without a spec (``spec=None``) is *unchecked*: its strategy (``_unchecked``) looks
methods up by name, as Lightning Fabric's ``call`` does.
"""

from __future__ import annotations

import copy as _copy
from collections.abc import Callable, Coroutine, Iterable, Iterator
from typing import (
    TYPE_CHECKING,
    Any,
    Concatenate,
    Final,
    Generic,
    ParamSpec,
    TypeVar,
    cast,
    overload,
)

from ._hookstate import HookState
from ._policies import ErrorPolicy, Recovery, check_policy, recovery
from ._registry import Registration, Registry
from ._spec import hook_table
from ._strategy import CheckedStrategy, Strategy, duplicate_error
from ._unchecked import UncheckedStrategy
from ._validate import Implementation

if TYPE_CHECKING:
    from ._dispatch import Mode

__all__ = ["CallbackManager", "Prioritized"]

T = TypeVar("T")
C = TypeVar("C")
R = TypeVar("R")
P = ParamSpec("P")


class Prioritized(Generic[C]):
    """A callback with a priority, for the constructor's list: ``Prioritized(Timer(), 10)``.

    Higher priorities are called earlier; equal priorities keep registration order. The
    manager registers (and reports in ``callbacks``) the callback itself, not this wrapper.
    """

    __slots__ = ("callback", "priority")

    def __init__(self, callback: C, priority: int = 0) -> None:
        self.callback: Final = callback
        self.priority: Final = priority

    def __repr__(self) -> str:
        return f"Prioritized({self.callback!r}, {self.priority!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Prioritized):
            return NotImplemented
        that = cast(Prioritized[object], other)
        return self.callback is that.callback and self.priority == that.priority

    def __hash__(self) -> int:
        return hash((id(self.callback), self.priority))


class _HookCaller:
    """The object behind ``manager.call``: one stable dispatcher per hook, as attributes.

    A dispatcher is made on first access and kept in the instance ``__dict__``, so
    ``manager.call.on_x`` is one dictionary hit. It never needs replacing: it reads the hook's
    current implementers itself, so a caller may also hold it (``on_x = manager.call.on_x``).
    The manager sits in a dunder slot, a name no hook can have.
    """

    __slots__ = ("__dict__", "__protocall_manager__")

    def __init__(self, manager: CallbackManager[Any]) -> None:
        self.__protocall_manager__: Final = manager

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        dispatcher = self.__protocall_manager__._dispatcher(name, "call")  # pyright: ignore[reportPrivateUsage]
        self.__dict__[name] = dispatcher
        return dispatcher

    def __call__(self, *args: object, **kwargs: object) -> None:
        name = repr(args[0]) if args and isinstance(args[0], str) else "'name'"
        raise TypeError(
            f"manager.call is not callable: call a hook as an attribute, manager.call.<hook>(...), "
            f"or by its name with manager.emit({name}, ...) (Fabric's call(\"name\", ...))"
        )

    def __dir__(self) -> list[str]:
        strategy = self.__protocall_manager__._strategy  # pyright: ignore[reportPrivateUsage]
        if isinstance(strategy, CheckedStrategy):
            return sorted(strategy.table.hooks)
        return sorted(self.__dict__)

    def __repr__(self) -> str:
        return f"<protocall hook caller of {self.__protocall_manager__!r}>"


class CallbackManager(Generic[T]):
    """Callbacks for the hooks declared by the Protocol ``T``, validated and dispatched in order.

    ``CallbackManager(Spec, callbacks)`` registers ``callbacks`` (any iterable, copied) in order,
    all or none; an item may be ``Prioritized(callback, priority)``. ``manager.call.<hook>(...)``
    calls every implementer of the hook in call order and returns None; ``manager.emit(Spec.hook,
    ...)`` returns their results as a list; ``manager.first(Spec.hook, ...)`` the first result that
    is not None. ``errors=`` sets what an exception in a callback does (see :data:`ErrorPolicy`).

    With ``spec=None`` the manager is *unchecked*: any hook name may be called and each callback's
    method is looked up by name with ``getattr``, as Lightning Fabric's ``call`` does.

    Registration and the other changes may run in any thread (they are serialised); dispatch
    takes no lock. ``copy.copy``, ``copy.deepcopy`` and ``pickle`` make independent managers.
    """

    __slots__ = (
        "__weakref__",
        "_emitters",
        "_errors",
        "_firsts",
        "_recovery",
        "_registry",
        "_spec",
        "_states",
        "_strategy",
        "call",
    )

    call: T
    """The hooks as methods: ``manager.call.on_event(...)`` calls every implementer, in order."""

    _spec: object
    _strategy: Strategy
    _errors: ErrorPolicy
    _recovery: Recovery | None
    _registry: Registry
    _states: dict[str, HookState]
    _emitters: dict[object, Callable[..., Any]]
    _firsts: dict[object, Callable[..., Any]]

    @overload
    def __init__(
        self: CallbackManager[Any],
        spec: None,
        callbacks: Iterable[object] = (),
        *,
        errors: ErrorPolicy = "raise",
    ) -> None: ...
    @overload
    def __init__(
        self,
        spec: Callable[..., T],
        callbacks: Iterable[object] = (),
        *,
        errors: ErrorPolicy = "raise",
    ) -> None: ...
    def __init__(
        self,
        spec: Callable[..., T] | None,
        callbacks: Iterable[object] = (),
        *,
        errors: ErrorPolicy = "raise",
    ) -> None:
        self._setup(spec, errors)
        self._add([_unwrap(item) for item in callbacks])

    def _setup(self, spec: object, errors: ErrorPolicy) -> None:
        check_policy(errors)
        self._spec = spec
        self._strategy = UncheckedStrategy() if spec is None else CheckedStrategy(hook_table(spec))
        self._errors = errors
        self._recovery = recovery(errors)
        self._registry = Registry()
        self._states = {}
        self._emitters = {}
        self._firsts = {}
        # Not ``self.call = ...``: jedi would infer ``call`` from that assignment instead of the
        # ``call: T`` annotation, and complete no hook names (tests/test_completion.py).
        setattr(self, "call", _HookCaller(self))  # noqa: B010

    # -- registration -----------------------------------------------------------------------

    def register(self, callback: C, *, priority: int = 0) -> C:
        """Register ``callback`` and return it.

        It is called after the callbacks of the same or higher ``priority`` registered before it,
        and before those of lower priority. Raises :class:`~protocall.RegistrationError` (and
        changes nothing) if it does not fit the spec or is already registered.
        """
        if isinstance(callback, Prioritized):
            raise TypeError(
                "Prioritized(...) is for the constructor's list; pass the priority to register "
                "instead: manager.register(callback, priority=...)"
            )
        self._add([(callback, _checked_priority(priority))])
        return callback

    def unregister(self, callback: object) -> None:
        """Remove ``callback`` (compared by identity); :class:`ValueError` if it is not registered."""
        registry = self._registry
        with registry.lock:
            registration = registry.remove(callback)
            if registration is not None:
                self._invalidate([registration])
                return
        raise ValueError(
            f"cannot unregister {type(callback).__qualname__} instance {callback!r:.80}: "
            f"it is not registered with this manager (callbacks are compared by identity)"
        )

    def _add(self, items: list[tuple[object, int]], *, warn: bool = True) -> None:
        """Validate every callback, then register them all; on any error, register none."""
        if not items:
            return
        strategy = self._strategy
        checked = strategy.checked
        seen: set[int] = set()
        implemented: list[tuple[object, int, Implementation | None]] = []
        for callback, priority in items:
            if checked:
                self._refuse_duplicate(callback, seen, len(items) > 1)
                seen.add(id(callback))
            implemented.append((callback, priority, strategy.implement(callback)))
        entries = [(c, p, None if i is None else i.targets) for c, p, i in implemented]
        if warn:  # before registering: a warning turned into an error registers nothing
            for callback, _, implementation in implemented:
                strategy.warn(callback, implementation)
        registry = self._registry
        with registry.lock:
            if checked:  # registered by another thread meanwhile?
                for callback, _, _ in entries:
                    self._refuse_duplicate(callback, set(), len(items) > 1)
            added = registry.add(entries)
            self._invalidate(added)

    def _refuse_duplicate(self, callback: object, seen: set[int], batch: bool) -> None:
        strategy = self._strategy
        already = self._registry.find(callback) is not None
        if already or id(callback) in seen:
            spec_name = strategy.table.spec_name if isinstance(strategy, CheckedStrategy) else ""
            raise duplicate_error(callback, spec_name, already=already or not batch)

    def _invalidate(self, registrations: Iterable[Registration]) -> None:
        """Mark the snapshots of the hooks that ``registrations`` touch stale. Under the lock."""
        states = self._states
        if not states:
            return
        hooks = self._strategy.touched(registrations)
        if hooks is None:
            for state in states.values():
                state.invalidate()
            return
        for name in hooks:
            touched = states.get(name)
            if touched is not None:
                touched.invalidate()

    # -- dispatch -----------------------------------------------------------------------------

    @overload
    def emit(  # type: ignore[overload-overlap]  # an async hook's results come as one awaitable
        self,
        hook: Callable[Concatenate[T, P], Coroutine[Any, Any, R]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> Coroutine[Any, Any, list[R]]: ...
    @overload
    def emit(
        self, hook: Callable[Concatenate[T, P], R], /, *args: P.args, **kwargs: P.kwargs
    ) -> list[R]: ...
    @overload
    def emit(self, hook: str, /, *args: Any, **kwargs: Any) -> list[Any]: ...
    def emit(self, hook: Callable[..., Any] | str, /, *args: Any, **kwargs: Any) -> Any:
        """Call every implementer of ``hook`` in order and return their results as a list.

        ``hook`` is a spec method (``Spec.on_event``) or a hook name. For an ``async def`` hook
        the result is an awaitable of the list.
        """
        try:
            emitter = self._emitters[hook]
        except (KeyError, TypeError):  # TypeError: unhashable, so certainly not a hook
            emitter = self._cached(hook, "emit", self._emitters)
        return emitter(*args, **kwargs)

    @overload
    def first(
        self,
        hook: Callable[Concatenate[T, P], Coroutine[Any, Any, R]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> Coroutine[Any, Any, R | None]: ...
    @overload
    def first(
        self, hook: Callable[Concatenate[T, P], R], /, *args: P.args, **kwargs: P.kwargs
    ) -> R | None: ...
    @overload
    def first(self, hook: str, /, *args: Any, **kwargs: Any) -> Any: ...
    def first(self, hook: Callable[..., Any] | str, /, *args: Any, **kwargs: Any) -> Any:
        """Call the implementers of ``hook`` in order until one returns something other than None.

        Returns that result (None if there is none); the implementers after it are not called,
        as with pluggy's ``firstresult``. For an ``async def`` hook the result is an awaitable.
        On a concurrent hook every implementer runs, and the first result in call order that is
        not None is returned.
        """
        try:
            dispatcher = self._firsts[hook]
        except (KeyError, TypeError):
            dispatcher = self._cached(hook, "first", self._firsts)
        return dispatcher(*args, **kwargs)

    def _cached(
        self, hook: object, mode: Mode, cache: dict[object, Callable[..., Any]]
    ) -> Callable[..., Any]:
        dispatcher = self._dispatcher(self._strategy.hook_name(hook), mode)
        try:
            cache[hook] = dispatcher
        except TypeError:  # an unhashable callable names the hook: look it up each time
            pass
        return dispatcher

    def _dispatcher(self, name: str, mode: Mode) -> Callable[..., Any]:
        """The stable dispatcher of hook ``name`` in ``mode``."""
        state = self._states.get(name)
        if state is None or mode == "call":
            options = self._strategy.options(name, mode)  # raises for an unknown hook
            if state is None:
                with self._registry.lock:
                    found = self._states.get(name)
                    if found is not None:
                        state = found
                    else:
                        state = HookState(
                            name=name,
                            label=options.label,
                            shape=options.shape,
                            is_async=options.is_async,
                            concurrent=options.concurrent,
                            planned=options.planned,
                            recovery=self._recovery,
                            source=self._implementers_of,
                            lock=self._registry.lock,
                        )
                        self._states[name] = state
        return state.dispatcher(mode)

    def _implementers_of(self, name: str) -> Any:
        return self._strategy.implementers(name, self._registry.in_order())

    # -- introspection ------------------------------------------------------------------------

    @property
    def spec(self) -> Any:
        """The spec Protocol as given (``Hooks[int]`` for a generic one), or None if unchecked."""
        return self._spec

    @property
    def callbacks(self) -> tuple[object, ...]:
        """The registered callbacks, in call order."""
        return tuple(r.callback for r in self._registry.in_order())

    def implementers(self, hook: Callable[..., Any] | str, /) -> tuple[object, ...]:
        """The callbacks that implement ``hook`` (a name or spec method), in call order."""
        name = self._strategy.hook_name(hook)
        who = self._implementers_of(name).who
        return tuple(cb for i, cb in enumerate(who.callbacks) if i not in who.skipped)

    def hooks_of(self, callback: object) -> frozenset[str]:
        """The names of the hooks that registered ``callback`` implements."""
        if not self._strategy.checked:
            raise TypeError(
                "hooks_of() needs a checked manager: an unchecked manager (spec=None) does not "
                "know which hooks exist. Give the manager a spec Protocol."
            )
        registration = self._registry.find(callback)
        if registration is None or registration.targets is None:
            raise ValueError(
                f"{type(callback).__qualname__} instance {callback!r:.80} is not registered "
                f"with this manager"
            )
        return frozenset(registration.targets)

    def __len__(self) -> int:
        return len(self._registry)

    def __contains__(self, callback: object) -> bool:
        return self._registry.find(callback) is not None

    def __iter__(self) -> Iterator[object]:
        """The callbacks, in call order (as :attr:`callbacks` was when iteration began)."""
        return iter(self.callbacks)

    def __repr__(self) -> str:
        strategy = self._strategy
        spec = strategy.table.spec_name if isinstance(strategy, CheckedStrategy) else "None"
        names = ", ".join(type(callback).__qualname__ for callback in self.callbacks)
        return f"CallbackManager({spec}, [{names}])"

    # -- copies -------------------------------------------------------------------------------

    def _entries(self) -> list[tuple[object, int]]:
        return [(r.callback, r.priority) for r in self._registry.in_order()]

    def __copy__(self) -> CallbackManager[T]:
        """An independent manager with the same callbacks, spec, policy, priorities and order."""
        clone: CallbackManager[T] = _restore(type(self), self._spec, self._errors, self._entries())
        return clone

    def __deepcopy__(self, memo: dict[int, Any]) -> CallbackManager[T]:
        """An independent manager of deep copies of the callbacks (and of the policy).

        A callback that refers to this manager gets the new one (it is in ``memo`` before the
        callbacks are copied)."""
        clone = type(self).__new__(type(self))
        memo[id(self)] = clone
        errors: ErrorPolicy = _copy.deepcopy(self._errors, memo)
        clone._setup(self._spec, errors)
        clone._add(_copy.deepcopy(self._entries(), memo), warn=False)
        return clone

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its spec, policy and callbacks with their priorities, in call order."""
        return (_restore, (type(self), self._spec, self._errors, self._entries()))


def _restore(
    cls: type[CallbackManager[Any]], spec: Any, errors: ErrorPolicy, entries: list[tuple[object, int]]
) -> Any:
    """A manager registering ``entries`` in order: a copy's or an unpickled one's.

    Dispatchers are never copied: the new manager builds its own on first use.
    """
    manager = cls.__new__(cls)
    manager._setup(spec, errors)  # pyright: ignore[reportPrivateUsage]
    manager._add(entries, warn=False)  # pyright: ignore[reportPrivateUsage]
    return manager


def _unwrap(item: object) -> tuple[object, int]:
    if isinstance(item, Prioritized):
        wrapped = cast(Prioritized[object], item)
        return wrapped.callback, _checked_priority(wrapped.priority)
    return item, 0


def _checked_priority(priority: object) -> int:
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise TypeError(f"a callback's priority is an int (higher runs earlier), not {priority!r}")
    return priority
