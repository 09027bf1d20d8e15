"""``CallbackManager[T]``: the registrations, their order, and the per-hook dispatch tables.

Data flows one way: spec class → hook table (once per spec) → registration (validate, bind) →
per-hook tuples of bound methods → generated dispatchers. Registering or unregistering drops the
dispatchers of the hooks it touches; the next lookup builds them again from the registrations.
A dispatcher that is running keeps its own tuple, so a change made during dispatch applies from
the next call.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Coroutine, Iterable
from typing import Any, Final, Generic, TypeVar, cast, overload

from typing_extensions import Concatenate, ParamSpec

from ._dispatch import GENERIC_SHAPE, Mode, build_dispatcher, shape_of
from ._errors import HookNameWarning, RegistrationError
from ._spec import HookTable, hook_table
from ._validate import Binding, bind_callback, near_miss_message

__all__ = ["CallbackManager"]

T = TypeVar("T")
C = TypeVar("C")
R = TypeVar("R")
P = ParamSpec("P")

_Pairs = tuple[tuple[object, Callable[..., Any]], ...]
"""A hook's implementers in call order: (callback, bound method)."""


class _Registration:
    """One registered callback: its bound method per hook (``None`` on an unchecked manager)."""

    __slots__ = ("callback", "methods")

    def __init__(self, callback: object, methods: dict[str, Callable[..., Any]] | None) -> None:
        self.callback: Final = callback
        self.methods: Final = methods


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
    all or none. ``manager.call.<hook>(...)`` calls every implementer of the hook in registration
    order and returns None; ``manager.emit(Spec.hook, ...)`` returns their results as a list.
    With ``spec=None`` the manager is *unchecked*: any hook name may be called and each callback's
    method is looked up by name with ``getattr``, as Lightning Fabric's ``call`` does.
    """

    __slots__ = ("__weakref__", "_bindings", "_emitters", "_pairs", "_registrations", "_table", "call")

    call: T
    """The hooks as methods: ``manager.call.on_event(...)`` calls every implementer, in order."""

    @overload
    def __init__(self: CallbackManager[Any], spec: None, callbacks: Iterable[object] = ()) -> None: ...
    @overload
    def __init__(self, spec: Callable[..., T], callbacks: Iterable[object] = ()) -> None: ...
    def __init__(self, spec: Callable[..., T] | None, callbacks: Iterable[object] = ()) -> None:
        self._table: Final[HookTable | None] = None if spec is None else hook_table(spec)
        self._registrations: list[_Registration] = []
        self._bindings: dict[int, _Registration] = {}
        """Checked managers: registration per ``id(callback)``."""
        self._pairs: dict[str, _Pairs] = {}
        self._emitters: dict[object, Callable[..., Any]] = {}
        self.call = cast(T, _HookCaller(self))
        self._add(list(callbacks))

    # -- registration -----------------------------------------------------------------------

    def register(self, callback: C, /) -> C:
        """Register ``callback`` after the ones already registered and return it.

        Raises :class:`~protocall.RegistrationError` (and changes nothing) if it does not fit the
        spec or is already registered.
        """
        self._add([callback])
        return callback

    def unregister(self, callback: object, /) -> None:
        """Remove ``callback`` (compared by identity); :class:`ValueError` if it is not registered."""
        for position, registration in enumerate(self._registrations):
            if registration.callback is callback:
                break
        else:
            raise ValueError(
                f"cannot unregister {type(callback).__qualname__} instance {callback!r:.80}: "
                f"it is not registered with this manager (callbacks are compared by identity)"
            )
        del self._registrations[position]
        if self._table is not None:
            del self._bindings[id(callback)]
        self._invalidate(registration.methods)

    def _add(self, callbacks: list[object]) -> None:
        """Validate every callback, then register them all; on any error, register none."""
        if not callbacks:
            return
        table = self._table
        if table is None:
            self._registrations.extend(_Registration(cb, None) for cb in callbacks)
            self._invalidate(None)
            return
        bindings: list[Binding] = []
        seen: set[int] = set()
        for callback in callbacks:
            if id(callback) in self._bindings or id(callback) in seen:
                raise _duplicate_error(callback, table, already=id(callback) in self._bindings)
            bindings.append(bind_callback(table, callback))
            seen.add(id(callback))
        for binding in bindings:
            for method, hook in binding.near_misses:
                message = near_miss_message(table, type(binding.callback), method, hook)
                warnings.warn(message, HookNameWarning, stacklevel=3)
        touched: set[str] = set()
        for binding in bindings:
            registration = _Registration(binding.callback, binding.methods)
            self._registrations.append(registration)
            self._bindings[id(binding.callback)] = registration
            touched.update(binding.methods)
        self._invalidate(touched)

    def _invalidate(self, hooks: Iterable[str] | None) -> None:
        """Forget the dispatchers of ``hooks`` (of every hook for ``None``)."""
        caller_dict: dict[str, Any] = self.call.__dict__
        if hooks is None or self._table is None:
            caller_dict.clear()
            self._pairs.clear()
            self._emitters.clear()
            return
        for name in hooks:
            caller_dict.pop(name, None)
            self._pairs.pop(name, None)
            self._emitters.pop(name, None)
            for function in self._table.hooks[name].functions:
                self._emitters.pop(function, None)

    # -- dispatch -----------------------------------------------------------------------------

    @overload
    def emit(  # type: ignore[overload-overlap]  # an async hook's results come as one awaitable
        self, hook: Callable[Concatenate[T, P], Coroutine[Any, Any, R]], /, *args: P.args, **kwargs: P.kwargs
    ) -> Coroutine[Any, Any, list[R]]: ...
    @overload
    def emit(self, hook: Callable[Concatenate[T, P], R], /, *args: P.args, **kwargs: P.kwargs) -> list[R]: ...
    @overload
    def emit(self, hook: str, /, *args: Any, **kwargs: Any) -> list[Any]: ...
    def emit(self, hook: Callable[..., Any] | str, /, *args: Any, **kwargs: Any) -> Any:
        """Call every implementer of ``hook`` in order and return their results as a list.

        ``hook`` is a spec method (``Spec.on_event``) or a hook name. For an ``async def`` hook
        the result is an awaitable of the list.
        """
        try:
            emitter = self._emitters[hook]
        except KeyError:
            emitter = self._emitter_for(hook)
        except TypeError:  # unhashable: certainly not a hook
            emitter = self._emitter_for(hook)
        return emitter(*args, **kwargs)

    def _emitter_for(self, hook: object) -> Callable[..., Any]:
        name = self._hook_name(hook)
        emitter = self._build(name, "emit")
        self._emitters[name] = emitter
        self._emitters[hook] = emitter
        return emitter

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
        return build_dispatcher(
            mode=mode,
            shape=shape_of(hook.signature),
            is_async=hook.is_async,
            methods=[method for _, method in pairs],
            fail=_failure_note(hook.label, pairs),
            name=name,
            qualname=f"{table.spec_name}.{mode}.{name}",
        )

    def _pairs_of(self, name: str) -> _Pairs:
        pairs = self._pairs.get(name)
        if pairs is None:
            if self._table is None:
                pairs = tuple(
                    (r.callback, method)
                    for r in self._registrations
                    if (method := getattr(r.callback, name, None)) is not None
                )
            else:
                pairs = tuple(
                    (r.callback, r.methods[name])
                    for r in self._registrations
                    if r.methods is not None and name in r.methods
                )
            self._pairs[name] = pairs
        return pairs

    def _build_unchecked(self, name: str, mode: Mode) -> Callable[..., Any]:
        pairs = self._pairs_of(name)
        methods = [
            method if callable(method) else _skipper(callback, name, mode)
            for callback, method in pairs
        ]
        dispatcher = build_dispatcher(
            mode=mode,
            shape=GENERIC_SHAPE,
            is_async=False,
            methods=methods,
            fail=_failure_note(f"{name!r}", pairs),
            name=name,
            qualname=f"unchecked.{mode}.{name}",
        )
        if mode == "emit" and any(not callable(m) for _, m in pairs):
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
        return tuple(r.callback for r in self._registrations)

    def implementers(self, hook: Callable[..., Any] | str, /) -> tuple[object, ...]:
        """The callbacks that implement ``hook`` (a name or spec method), in call order."""
        name = self._hook_name(hook)
        return tuple(cb for cb, method in self._pairs_of(name) if callable(method))

    def hooks_of(self, callback: object, /) -> frozenset[str]:
        """The names of the hooks that registered ``callback`` implements."""
        if self._table is None:
            raise TypeError(
                "hooks_of() needs a checked manager: an unchecked manager (spec=None) does not "
                "know which hooks exist. Give the manager a spec Protocol."
            )
        registration = self._bindings.get(id(callback))
        if registration is None or registration.methods is None:
            raise ValueError(
                f"{type(callback).__qualname__} instance {callback!r:.80} is not registered "
                f"with this manager"
            )
        return frozenset(registration.methods)

    def __len__(self) -> int:
        return len(self._registrations)

    def __contains__(self, callback: object) -> bool:
        if self._table is not None:
            return id(callback) in self._bindings
        return any(r.callback is callback for r in self._registrations)

    def __repr__(self) -> str:
        spec = "None" if self._table is None else self._table.spec_name
        names = ", ".join(type(r.callback).__qualname__ for r in self._registrations)
        return f"CallbackManager({spec}, [{names}])"


def _duplicate_error(callback: object, table: HookTable, *, already: bool) -> Exception:
    name = type(callback).__qualname__
    where = "is already registered with this manager" if already else "appears twice in the callbacks given"
    return RegistrationError(
        f"cannot register {name}: this instance {where} (callbacks are compared by identity). "
        f"Register it once, or register a new {name} instance."
        + ("" if already else f" The manager of {table.spec_name} was left unchanged.")
    )


def _failure_note(hook_label: str, pairs: _Pairs) -> Callable[[BaseException, int], None]:
    """The function that notes, on an exception, which callback raised it in which hook."""
    callbacks = tuple(callback for callback, _ in pairs)

    def fail(exc: BaseException, index: int) -> None:
        if 0 <= index < len(callbacks):
            culprit = type(callbacks[index]).__qualname__
            exc.add_note(
                f"protocall: raised by callback {culprit} (implementer {index + 1} of "
                f"{len(callbacks)}) in hook {hook_label}"
            )
        else:
            exc.add_note(f"protocall: raised while dispatching hook {hook_label}")

    return fail


class _Skipped:
    """What a skipped (non-callable) attribute "returns" in an unchecked emit."""


_SKIPPED: Final = _Skipped()


def _skipper(callback: object, name: str, mode: Mode) -> Callable[..., Any]:
    """Stands in for a non-callable attribute: warns on each call, as Fabric does."""
    message = f"Skipping the callback `{type(callback).__name__}.{name}` because it is not callable."
    level = 3 if mode == "call" else 5

    def skip(*args: object, **kwargs: object) -> _Skipped:
        warnings.warn(message, UserWarning, stacklevel=level)
        return _SKIPPED

    return skip


def _dropping_skipped(emitter: Callable[..., list[Any]]) -> Callable[..., list[Any]]:
    def emit(*args: object, **kwargs: object) -> list[Any]:
        return [result for result in emitter(*args, **kwargs) if result is not _SKIPPED]

    return emit

