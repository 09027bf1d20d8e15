"""``CallbackManager[T]``: the registrations, their order, and the per-hook dispatch tables.

Data flows one way: spec class → hook table (once per spec) → registration (validate, bind) →
per-hook tuples of bound methods → generated dispatchers. Registering or unregistering drops the
dispatchers of the hooks it touches; the next lookup builds them again from the registrations.
A dispatcher that is running keeps its own tuple, so a change made during dispatch applies from
the next call.
"""

from __future__ import annotations

import bisect
import itertools
import warnings
from collections.abc import Callable, Coroutine, Iterable
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

from ._dispatch import (
    GENERIC_SHAPE,
    TAKES_ALL,
    Target,
    build_dispatcher,
    build_keyed_dispatcher,
    shape_of,
)
from ._errors import RegistrationError
from ._policies import ErrorPolicy, check_policy, failure_note, recovery
from ._spec import HookTable, hook_table
from ._validate import (
    Binding,
    Implementation,
    KnownClass,
    bind_callback,
    bind_known,
    warn_near_misses,
)

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


_Registration = tuple[int, int, object, "Implementation | None"]
"""One registered callback: ``(-priority, registration number, callback, implementation)``.

A plain tuple, the cheapest record to make, whose first two items are the call order's sort
key (the registration number is unique, so no comparison reaches the callback). The
implementation is None on an unchecked manager, where methods are looked up by name.
"""


_KEYED_FROM: Final = 4
"""Unchecked dispatch: from this many implementers on, one exact dispatcher per call shape.

Below it, unpacking ``**kwargs`` once per implementer costs less than the keyed entry's extra
frame and shape lookup. Measured against a hand loop (timeit, CPython 3.11): unpacking 3.1x and
keyed 4.1x at 2 implementers; 2.85x and 2.73x at 4; 2.95x and 1.96x at 8.
"""

_Pairs = tuple[tuple[object, Target], ...]
"""A hook's implementers in call order: (callback, how to call it)."""


class _HookCaller:
    """The object behind ``manager.call``: one generated dispatcher per hook, as attributes.

    Dispatchers live in the instance ``__dict__``, so ``manager.call.on_x`` is one dictionary
    hit; a missing one is built by ``__getattr__`` and stored. Dropping an entry (on a change of
    registrations) makes the next lookup build it again.
    """

    __slots__ = ("__dict__", "_protocall_manager")

    def __init__(self, manager: CallbackManager[Any]) -> None:
        self._protocall_manager: Final = manager

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        dispatcher = self._protocall_manager._build(name, "call")  # pyright: ignore[reportPrivateUsage]
        self.__dict__[name] = dispatcher
        return dispatcher

    def __dir__(self) -> list[str]:
        table = self._protocall_manager._table  # pyright: ignore[reportPrivateUsage]
        return sorted(table.hooks) if table is not None else sorted(self.__dict__)

    def __repr__(self) -> str:
        return f"<protocall hook caller of {self._protocall_manager!r}>"


class CallbackManager(Generic[T]):
    """Callbacks for the hooks declared by the Protocol ``T``, validated and dispatched in order.

    ``CallbackManager(Spec, callbacks)`` registers ``callbacks`` (any iterable, copied) in order,
    all or none; an item may be ``Prioritized(callback, priority)``. ``manager.call.<hook>(...)``
    calls every implementer of the hook in call order and returns None; ``manager.emit(Spec.hook,
    ...)`` returns their results as a list; ``manager.first(Spec.hook, ...)`` the first result that
    is not None. ``errors=`` sets what an exception in a callback does (see :data:`ErrorPolicy`).

    With ``spec=None`` the manager is *unchecked*: any hook name may be called and each callback's
    method is looked up by name with ``getattr``, as Lightning Fabric's ``call`` does.
    """

    __slots__ = (
        "__weakref__",
        "_built",
        "_by_id",
        "_counter",
        "_emitters",
        "_errors",
        "_firsts",
        "_pairs",
        "_registrations",
        "_table",
        "call",
    )

    call: T
    """The hooks as methods: ``manager.call.on_event(...)`` calls every implementer, in order."""

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
        check_policy(errors)
        self._table: Final[HookTable | None] = None if spec is None else hook_table(spec)
        self._errors: Final[ErrorPolicy] = errors
        self._registrations: list[_Registration] = []
        """In call order: sorted by (-priority, registration number)."""
        self._by_id: dict[int, _Registration] = {}
        """Checked managers: registration per ``id(callback)``."""
        self._counter: Final = itertools.count()
        self._built = False
        """Whether any dispatcher (or implementer tuple) exists, that a change must drop."""
        self._pairs: dict[str, _Pairs] = {}
        self._emitters: dict[object, Callable[..., Any]] = {}
        self._firsts: dict[object, Callable[..., Any]] = {}
        # Not ``self.call = ...``: jedi would infer ``call`` from that assignment instead of the
        # ``call: T`` annotation, and complete no hook names (tests/test_completion.py).
        setattr(self, "call", _HookCaller(self))  # noqa: B010
        self._add([_unwrap(item) for item in callbacks])

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
        table = self._table
        implementation: Implementation | None = None
        if type(priority) is int and table is not None and id(callback) not in self._by_id:
            implementation = bind_known(table, callback)  # the usual case: a known class
        if implementation is None:
            _checked_priority(priority)
            if table is None:
                self._add([(callback, priority)])
                return callback
            if id(callback) in self._by_id:
                raise _duplicate_error(callback, table, already=True)
            implementation = bind_callback(table, callback)
            warn_near_misses(table, implementation, stacklevel=3)  # the caller of register
        # The steps of _insert and _invalidate, inline: a frame each less on the usual path.
        registration = (-priority, next(self._counter), callback, implementation)
        registrations = self._registrations
        if not registrations or registrations[-1] < registration:
            registrations.append(registration)
        else:
            bisect.insort(registrations, registration)
        self._by_id[id(callback)] = registration
        if self._built:
            self._invalidate(implementation.hooks)
        return callback

    def unregister(self, callback: object) -> None:
        """Remove ``callback`` (compared by identity); :class:`ValueError` if it is not registered."""
        for position, registration in enumerate(self._registrations):
            if registration[2] is callback:
                break
        else:
            raise ValueError(
                f"cannot unregister {type(callback).__qualname__} instance {callback!r:.80}: "
                f"it is not registered with this manager (callbacks are compared by identity)"
            )
        del self._registrations[position]
        implementation = registration[3]
        if implementation is not None:
            del self._by_id[id(callback)]
        self._invalidate(None if implementation is None else implementation.hooks)

    def _add(self, items: list[tuple[object, int]]) -> None:
        """Validate every callback, then register them all; on any error, register none."""
        if not items:
            return
        table = self._table
        if table is None:
            for callback, priority in items:
                self._insert((-priority, next(self._counter), callback, None))
            self._invalidate(None)
            return
        accepted: list[tuple[object, KnownClass | Binding, int]] = []
        seen: set[int] = set()
        for callback, priority in items:
            if id(callback) in self._by_id or id(callback) in seen:
                raise _duplicate_error(callback, table, already=id(callback) in self._by_id)
            implementation = bind_known(table, callback) or bind_callback(table, callback)
            accepted.append((callback, implementation, priority))
            seen.add(id(callback))
        for _, implementation, _ in accepted:  # warnings only once all of them are accepted
            warn_near_misses(table, implementation, stacklevel=4)  # the caller of __init__
        touched: set[str] = set()
        for callback, implementation, priority in accepted:
            registration = (-priority, next(self._counter), callback, implementation)
            self._insert(registration)
            self._by_id[id(callback)] = registration
            touched.update(implementation.hooks)
        self._invalidate(touched)

    def _insert(self, registration: _Registration) -> None:
        registrations = self._registrations
        if not registrations or registrations[-1] < registration:
            registrations.append(registration)  # the usual case: it goes last
        else:
            bisect.insort(registrations, registration)

    def _invalidate(self, hooks: Iterable[str] | None) -> None:
        """Forget the dispatchers of ``hooks`` (of every hook for ``None``)."""
        if not self._built:
            return  # nothing built yet: registering a batch before the first call costs nothing here
        caller_dict: dict[str, Any] = self.call.__dict__
        if hooks is None or self._table is None:
            self._built = False
            caller_dict.clear()
            self._pairs.clear()
            self._emitters.clear()
            self._firsts.clear()
            return
        for name in hooks:
            caller_dict.pop(name, None)
            self._pairs.pop(name, None)
            for cache in (self._emitters, self._firsts):
                cache.pop(name, None)
                for function in self._table.hooks[name].functions:
                    cache.pop(function, None)

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
        """
        try:
            dispatcher = self._firsts[hook]
        except (KeyError, TypeError):
            dispatcher = self._cached(hook, "first", self._firsts)
        return dispatcher(*args, **kwargs)

    def _cached(
        self, hook: object, mode: Mode, cache: dict[object, Callable[..., Any]]
    ) -> Callable[..., Any]:
        name = self._hook_name(hook)
        dispatcher = self._build(name, mode)
        cache[name] = dispatcher
        if not isinstance(hook, str):
            try:
                cache[hook] = dispatcher
            except TypeError:  # an unhashable callable names the hook: look it up each time
                pass
        return dispatcher

    def _hook_name(self, hook: object) -> str:
        """The name of the hook that ``hook`` (a name or a spec method) designates."""
        if self._table is not None:
            return self._table.resolve(hook).name
        if isinstance(hook, str):
            return hook
        name: object = getattr(hook, "__name__", None)
        if callable(hook) and isinstance(name, str):
            return name
        raise TypeError(f"a hook is given as its name (a str) or a method, not {hook!r}")

    def _build(self, name: str, mode: Mode) -> Callable[..., Any]:
        """Generate the dispatcher of hook ``name`` for the current registrations."""
        table = self._table
        if table is None:
            return self._build_unchecked(name, mode)
        hook = table.hook_named(name)
        pairs = self._pairs_of(hook.name)
        callbacks = [callback for callback, _ in pairs]
        return build_dispatcher(
            mode=mode,
            shape=shape_of(hook.signature),
            is_async=hook.is_async,
            concurrent=hook.concurrent,
            targets=[target for _, target in pairs],
            fail=failure_note(hook.label, callbacks),
            recovery=recovery(self._errors, hook.label, name, callbacks),
            name=name,
            qualname=f"{table.spec_name}.{mode}.{name}",
        )

    def _pairs_of(self, name: str) -> _Pairs:
        pairs = self._pairs.get(name)
        if pairs is None:
            if self._table is None:
                pairs = tuple(
                    (callback, Target(method))
                    for _, _, callback, _ in self._registrations
                    if (method := getattr(callback, name, None)) is not None
                )
            else:
                pairs = tuple(
                    (callback, Target(i.method(name, callback), i.dropped.get(name, TAKES_ALL)))
                    for _, _, callback, i in self._registrations
                    if i is not None and name in i.hooks
                )
                if self._table.hooks[name].reverse:
                    pairs = pairs[::-1]
            self._pairs[name] = pairs
            self._built = True
        return pairs

    def _build_unchecked(self, name: str, mode: Mode) -> Callable[..., Any]:
        pairs = self._pairs_of(name)
        callbacks = [callback for callback, _ in pairs]
        policy = recovery(self._errors, repr(name), name, callbacks, not_a_result=_SKIPPED)
        # With several implementers, one exact dispatcher per call shape beats unpacking the
        # keywords once per implementer; it costs one more frame (and a lookup) per call.
        keyed = policy is None and len(pairs) >= _KEYED_FROM
        targets = [
            target
            if callable(target.method)
            else Target(_skipper(callback, name, mode, extra_frames=int(keyed)))
            for callback, target in pairs
        ]
        fail = failure_note(f"{name!r}", callbacks)
        qualname = f"unchecked.{mode}.{name}"
        if keyed:
            dispatcher = build_keyed_dispatcher(
                mode=mode, targets=targets, fail=fail, name=name, qualname=qualname
            )
        else:
            dispatcher = build_dispatcher(
                mode=mode,
                shape=GENERIC_SHAPE,
                is_async=False,
                targets=targets,
                fail=fail,
                recovery=policy,
                name=name,
                qualname=qualname,
            )
        if mode == "emit" and any(not callable(t.method) for _, t in pairs):
            return _dropping_skipped(dispatcher)
        return dispatcher

    # -- introspection ------------------------------------------------------------------------

    @property
    def spec(self) -> type | None:
        """The spec Protocol, or None for an unchecked manager."""
        return None if self._table is None else self._table.spec

    @property
    def callbacks(self) -> tuple[object, ...]:
        """The registered callbacks, in call order."""
        return tuple(callback for _, _, callback, _ in self._registrations)

    def implementers(self, hook: Callable[..., Any] | str, /) -> tuple[object, ...]:
        """The callbacks that implement ``hook`` (a name or spec method), in call order."""
        name = self._hook_name(hook)
        return tuple(cb for cb, target in self._pairs_of(name) if callable(target.method))

    def hooks_of(self, callback: object) -> frozenset[str]:
        """The names of the hooks that registered ``callback`` implements."""
        if self._table is None:
            raise TypeError(
                "hooks_of() needs a checked manager: an unchecked manager (spec=None) does not "
                "know which hooks exist. Give the manager a spec Protocol."
            )
        registration = self._by_id.get(id(callback))
        if registration is None or registration[3] is None:
            raise ValueError(
                f"{type(callback).__qualname__} instance {callback!r:.80} is not registered "
                f"with this manager"
            )
        return frozenset(registration[3].hooks)

    def __len__(self) -> int:
        return len(self._registrations)

    def __contains__(self, callback: object) -> bool:
        if self._table is not None:
            return id(callback) in self._by_id
        return any(r[2] is callback for r in self._registrations)

    def __repr__(self) -> str:
        spec = "None" if self._table is None else self._table.spec_name
        names = ", ".join(type(callback).__qualname__ for _, _, callback, _ in self._registrations)
        return f"CallbackManager({spec}, [{names}])"


def _unwrap(item: object) -> tuple[object, int]:
    if isinstance(item, Prioritized):
        wrapped = cast(Prioritized[object], item)
        return wrapped.callback, _checked_priority(wrapped.priority)
    return item, 0


def _checked_priority(priority: object) -> int:
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise TypeError(f"a callback's priority is an int (higher runs earlier), not {priority!r}")
    return priority


def _duplicate_error(callback: object, table: HookTable, *, already: bool) -> Exception:
    name = type(callback).__qualname__
    where = (
        "is already registered with this manager"
        if already
        else "appears twice in the callbacks given"
    )
    return RegistrationError(
        f"cannot register {name}: this instance {where} (callbacks are compared by identity). "
        f"Register it once, or register a new {name} instance."
        + ("" if already else f" The manager of {table.spec_name} was left unchanged.")
    )


class _Skipped:
    """What a skipped (non-callable) attribute "returns" in an unchecked emit."""


_SKIPPED: Final = _Skipped()


def _skipper(callback: object, name: str, mode: Mode, *, extra_frames: int) -> Callable[..., Any]:
    """Stands in for a non-callable attribute: warns on each call, as Fabric does.

    It "returns" None for ``call``/``first`` (so ``first`` goes on to the next callback) and a
    marker for ``emit``, which leaves it out of the results.
    """
    message = (
        f"Skipping the callback `{type(callback).__name__}.{name}` because it is not callable."
    )
    # user → [emit/first →] [keyed entry →] dispatcher → here
    level = {"call": 3, "first": 4, "emit": 5}[mode] + extra_frames
    result = _SKIPPED if mode == "emit" else None

    def skip(*args: object, **kwargs: object) -> _Skipped | None:
        warnings.warn(message, UserWarning, stacklevel=level)
        return result

    return skip


def _dropping_skipped(dispatcher: Callable[..., Any]) -> Callable[..., Any]:
    """Unchecked emit: leave the skipped attributes out of the results."""

    def emit(*args: object, **kwargs: object) -> list[Any]:
        results: list[Any] = dispatcher(*args, **kwargs)
        return [result for result in results if result is not _SKIPPED]

    return emit
