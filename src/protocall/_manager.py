"""``CallbackManager[T]``: the public face, its typing and its contract.

Each public method checks its arguments and hands the work to the machinery it inherits from
``_core`` (registration into the registry, hook states, dispatchers; the data flow is told
there); ``emit`` and ``first`` find a hook's dispatcher in one dictionary hit, ``call`` is a
plain slot. Here are the constructor's overloads, ``call``'s typing as the spec, the overloads
that type ``emit`` and ``first`` from a spec method, introspection, copies and pickling.

A manager without a spec (``spec=None``) is *unchecked*: its strategy (``_unchecked``) looks
methods up by name, as Lightning Fabric's ``call`` does.
"""

from __future__ import annotations

import copy as _copy
from collections.abc import Callable, Coroutine, Generator, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import (
    TYPE_CHECKING,
    Any,
    Concatenate,
    Generic,
    Never,
    ParamSpec,
    TypeVar,
    overload,
)

from ._core import ManagerCore
from ._monitoring import Monitor
from ._policies import ErrorPolicy
from ._prioritized import Prioritized, checked_priority, unwrap
from ._registry import resolved
from ._state import StateKeys
from ._strategy import CheckedStrategy

__all__ = ["CallbackManager", "Prioritized"]  # Prioritized: re-exported

T = TypeVar("T", covariant=True)
"""The spec. Covariant (semantics 14): the manager of a spec that extends ``TrainHooks`` is a
``CallbackManager[TrainHooks]`` too, so ``call`` is read-only and ``T`` appears in no parameter
but as the ``self`` of a spec method (``Callable[Concatenate[T, P], R]``)."""
C = TypeVar("C")
R = TypeVar("R")
P = ParamSpec("P")


class CallbackManager(ManagerCore, Generic[T]):
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

    __slots__ = ("__weakref__",)  # the parts are ManagerCore's slots
    if not TYPE_CHECKING:  # ``call`` lives in a plain slot: one attribute load per access
        __slots__ += ("call",)

    if TYPE_CHECKING:  # to checkers, a read-only property (T is covariant); jedi reads it too

        @property
        def call(self) -> T:
            """The hooks as methods: ``manager.call.on_event(...)`` calls every implementer, in order.

            Only for hooks that return None (an ``async def`` one: an awaitable of None); the
            results of the others come from :meth:`emit` or :meth:`first`.
            """
            ...

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
        self._add([(*unwrap(item), False) for item in callbacks])

    # -- registration -----------------------------------------------------------------------

    def register(self, callback: C, *, priority: int = 0, weak: bool = False) -> C:
        """Register ``callback`` and return it.

        It is called after the callbacks of the same or higher ``priority`` registered before it,
        and before those of lower priority. Raises :class:`~protocall.RegistrationError` (and
        changes nothing) if it does not fit the spec or is already registered.

        ``weak=True`` holds the callback through a weak reference: once the program drops it
        and it is collected, it is never called again and leaves the manager by itself.
        """
        if isinstance(callback, Prioritized):
            raise TypeError(
                "Prioritized(...) is for the constructor's list; pass the priority to register "
                "instead: manager.register(callback, priority=...)"
            )
        if weak is not True and weak is not False:
            raise TypeError(f"register(weak=...) is True or False, not {weak!r}")
        if type(priority) is not int:  # (the usual case checked at a glance)
            priority = checked_priority(priority)
        if weak:
            self._add([(callback, priority, weak)])
            return callback
        # The usual case: what _add does, for one callback held strongly.
        strategy = self._strategy
        implementation = strategy.implement(callback)
        if implementation is not None and implementation.near_misses:
            strategy.warn(callback, implementation)
        targets = None if implementation is None else implementation.targets
        self._commit([(callback, priority, targets, None)])
        return callback

    def unregister(self, callback: object) -> None:
        """Remove ``callback`` (compared by identity); :class:`ValueError` if it is not registered."""
        registry = self._registry
        with registry.lock:
            self._reap()
            try:
                registration = registry.remove(callback)
                if registration is not None:
                    self._invalidate([registration])
                    return
            except BaseException:
                self._invalidate_all()  # (see ManagerCore._commit)
                raise
        raise ValueError(
            f"cannot unregister {type(callback).__qualname__} instance {callback!r:.80}: "
            f"it is not registered with this manager (callbacks are compared by identity)"
        )

    @contextmanager
    def registered(self, *callbacks: object, priority: int = 0) -> Generator[None]:
        """Register ``callbacks`` for the ``with`` block, all or none, and unregister them on
        exit (also on an exception): ``with manager.registered(Timer()): train(manager)``."""
        added = self._add([(callback, checked_priority(priority), False) for callback in callbacks])
        try:
            yield
        finally:
            with self._registry.lock:  # exactly the block's registrations: not one made meanwhile
                try:
                    self._invalidate(self._registry.discard(added))
                except BaseException:
                    self._invalidate_all()  # (see ManagerCore._commit)
                    raise

    def add_monitor(self, monitor: Monitor) -> None:
        """Call ``monitor`` with a :class:`~protocall.HookCall` after each callback call (hook,
        callback, duration, exception). Until a monitor is added, dispatch does no timing."""
        if not callable(monitor):
            raise TypeError(
                f"a monitor is a callable taking a HookCall (such as protocall.Profiler()), "
                f"not {type(monitor).__name__} {monitor!r:.60}"
            )
        with self._registry.lock:
            self._monitors = (*self._monitors, monitor)
            self._invalidate_all()

    def remove_monitor(self, monitor: Monitor) -> None:
        """Stop calling ``monitor`` (compared as ``==``, so that ``log.append`` is found again);
        :class:`ValueError` if it was not added."""
        with self._registry.lock:
            monitors = list(self._monitors)
            for index, added in enumerate(monitors):
                if added is monitor or added == monitor:
                    del monitors[index]
                    break
            else:
                raise ValueError(f"{monitor!r:.80} is not a monitor of this manager")
            self._monitors = tuple(monitors)
            self._invalidate_all()

    def load_entry_points(self, group: str) -> list[object]:
        """Register what installed distributions advertise under the entry-point ``group``: a
        callback class (instantiated), an instance, or a factory returning one or a list.

        In a fixed order (distribution name, then entry-point name), validated like any
        registration, all or none. Returns the callbacks registered.
        """
        from ._entry_points import entry_point_callbacks

        pairs = entry_point_callbacks(group)
        callbacks = [callback for callback, _ in pairs]
        self._add(
            [(callback, 0, False) for callback in callbacks],
            origins=[origin for _, origin in pairs],
        )
        return callbacks

    def state_dict(self) -> dict[str, Any]:
        """The state of every stateful callback (one with ``state_dict``/``load_state_dict``),
        keyed by its ``state_key`` attribute, else its class's qualified name."""
        from ._state import collect_state

        return collect_state(self.callbacks)

    def load_state_dict(self, state: Mapping[str, Any], *, strict: bool = True) -> StateKeys | None:
        """Restore the stateful callbacks from ``state`` (what :meth:`state_dict` returned).

        ``strict``: a key without a callback, or a stateful callback without a key, is a
        :class:`KeyError` naming them, and nothing is restored. Otherwise what matches is
        restored and the unknown and missing keys are returned.
        """
        from ._state import restore_state

        keys = restore_state(self.callbacks, state, strict=strict)
        return None if strict else keys

    # -- dispatch -----------------------------------------------------------------------------

    # The overloads' order matters. A hook declared ``-> Any`` (or ``-> NoReturn``) matches the
    # first: ``list[Any]``, not the awaitable of the second, which it would match as well (pyright
    # takes the first match; mypy, ty and pyrefly see the ``Any`` as ambiguous and give ``Any``).
    @overload
    def emit(  # type: ignore[overload-overlap]
        self, hook: Callable[Concatenate[T, P], Never], /, *args: P.args, **kwargs: P.kwargs
    ) -> list[Any]: ...
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
    def first(  # as emit's: a hook declared ``-> Any`` gives Any, not an awaitable
        self, hook: Callable[Concatenate[T, P], Never], /, *args: P.args, **kwargs: P.kwargs
    ) -> Any: ...
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

    # -- introspection ------------------------------------------------------------------------

    @property
    def spec(self) -> Any:
        """The spec Protocol as given (``Hooks[int]`` for a generic one), or None if unchecked."""
        return self._spec

    @property
    def callbacks(self) -> tuple[object, ...]:
        """The registered callbacks, in call order."""
        return tuple(callback for callback, _, _ in self._entries())

    def implementers(self, hook: Callable[..., Any] | str, /) -> tuple[object, ...]:
        """The callbacks that implement ``hook`` (a name or spec method), in call order."""
        name = self._strategy.hook_name(hook)
        self._reaped()
        who = self._implementers_of(name).who
        found = (resolved(cb) for i, cb in enumerate(who.callbacks) if i not in who.skipped)
        return tuple(cb for cb in found if cb is not None)

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
        self._reaped()
        return len(self._registry)

    def __contains__(self, callback: object) -> bool:
        self._reaped()
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
    cls: type[CallbackManager[Any]],
    spec: Any,
    errors: ErrorPolicy,
    entries: list[tuple[object, int, bool]],
) -> Any:
    """A manager registering ``entries`` in order: a copy's or an unpickled one's.

    Dispatchers are never copied: the new manager builds its own on first use. It stays in this
    module: a pickle names it ``protocall._manager._restore``.
    """
    manager = cls.__new__(cls)
    manager._setup(spec, errors)  # pyright: ignore[reportPrivateUsage]
    manager._add(entries, warn=False)  # pyright: ignore[reportPrivateUsage]
    return manager
