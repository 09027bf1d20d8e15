"""The machinery under ``CallbackManager``: registering into the registry, keeping each hook's state.

Data flows one way: spec class → hook table (``_spec``, once per spec) → registration
(``_validate``: validate, bind) → the registry's records in call order (``_registry``) → one
state per hook (``_hookstate``) whose stable dispatchers (``_dispatch``) read a snapshot of the
hook's implementers. A change of registrations, under the registry's lock, marks the touched
hooks' snapshots stale; the next dispatch of each rebuilds it. Dispatch takes no lock.

:class:`ManagerCore` holds one manager's parts and is all that changes them: it validates and
commits registrations (all or none), drops collected weak callbacks, marks hook states stale and
makes each hook's state and dispatchers on first use. ``CallbackManager`` (``_manager``)
subclasses it for the public methods, their typing and their documentation, so that each module
reads as one thing: the contract there, the mechanism here.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Collection, Iterable
from types import FunctionType
from typing import TYPE_CHECKING, Any

from ._caller import HookCaller
from ._errors import RegistrationError
from ._hookstate import HookState
from ._monitoring import Monitor, MonitoredImplementers, TimedImplementers
from ._policies import ErrorPolicy, Recovery, check_policy, recovery
from ._registry import Registration, Registry, Weak
from ._spec import hook_table
from ._state import check_unique_keys, is_stateful
from ._strategy import CheckedStrategy, Strategy, duplicate_error
from ._timing import Accumulator, timing_for
from ._unchecked import UncheckedStrategy
from ._validate import Implementation

if TYPE_CHECKING:
    from ._dispatch import Mode
    from ._hookstate import Implementers

__all__ = ["ManagerCore"]


class ManagerCore:
    """A manager's parts and the changes to them; ``CallbackManager`` is the public face.

    Not instantiated by itself: the subclass declares ``__weakref__`` and the ``call`` slot that
    :meth:`_setup` fills (next to ``call``'s typing, which needs the spec's type variable).
    """

    __slots__ = (
        "_emitters",
        "_errors",
        "_firsts",
        "_monitors",
        "_recovery",
        "_registry",
        "_spec",
        "_states",
        "_strategy",
    )

    _spec: object
    _strategy: Strategy
    _errors: ErrorPolicy
    _recovery: Recovery | None
    _registry: Registry
    _states: dict[str, HookState]
    _emitters: dict[object, Callable[..., Any]]
    _firsts: dict[object, Callable[..., Any]]
    _monitors: tuple[Monitor, ...]

    def _setup(self, spec: object, errors: ErrorPolicy) -> None:
        """Fill the slots of a new manager: a constructed, copied or unpickled one."""
        check_policy(errors)
        self._spec = spec
        self._strategy = UncheckedStrategy() if spec is None else CheckedStrategy(hook_table(spec))
        self._errors = errors
        self._recovery = recovery(errors)
        self._registry = Registry(reaped=self._invalidate)
        self._states = {}
        self._emitters = {}
        self._firsts = {}
        self._monitors = ()

        # The ``call`` slot, which checkers see as a read-only property (and from an assignment
        # ``self.call = ...`` jedi would infer ``call`` instead, completing no hook names).
        setattr(self, "call", HookCaller(self))  # noqa: B010

    # -- registration -----------------------------------------------------------------------------

    def _add(
        self,
        items: list[tuple[object, int, bool]],
        *,
        warn: bool = True,
        origins: list[str] | None = None,
    ) -> list[Registration]:
        """Validate every ``(callback, priority, weak)``, then register them all; on any error,
        register none. ``origins`` describe where each callback came from, for error notes.
        Returns the registrations made."""
        if not items:
            return []
        strategy = self._strategy
        checked = strategy.checked
        early = checked and (len(items) > 1 or origins is not None)
        seen: set[int] = set()
        entries: list[tuple[object, int, dict[str, Callable[..., Any]] | None, Weak | None]] = []
        misspelt: list[tuple[object, Implementation]] = []
        keyed = self._entries_now() if origins is not None else []  # (see below)
        for index, (callback, priority, weak) in enumerate(items):
            try:
                if early:  # (else checked under the lock, below)
                    self._refuse_duplicate(callback, seen)
                    seen.add(id(callback))
                if origins is not None and is_stateful(callback):
                    # Here too, so that a clash of state keys names the entry point (the check
                    # under the lock, below, is the one that counts).
                    check_unique_keys(keyed, [callback])
                    keyed.append(callback)
                implementation = strategy.implement(callback)
                if not weak:  # the usual case
                    targets = None if implementation is None else implementation.targets
                    entries.append((callback, priority, targets, None))
                else:
                    entries.append(self._weak_entry(callback, priority, implementation))
            except RegistrationError as exc:
                if origins is not None:
                    exc.add_note(
                        f"protocall: the callback comes from the entry point {origins[index]}"
                    )
                raise
            if implementation is not None and implementation.near_misses:
                misspelt.append((callback, implementation))
        if warn:  # before registering: a warning turned into an error registers nothing
            for callback, implementation in misspelt:
                strategy.warn(callback, implementation)
        return self._commit(entries, seen)

    def _commit(
        self,
        entries: list[tuple[object, int, dict[str, Callable[..., Any]] | None, Weak | None]],
        seen: Collection[int] = (),
    ) -> list[Registration]:
        """Register validated ``(callback, priority, targets, weak)`` entries, all or none,
        under the lock (``seen``: the ids of a batch, for a duplicate's message); returns the
        registrations made."""
        registry = self._registry
        checked = self._strategy.checked
        with registry.lock:
            if registry.dead:
                self._reap()
            stateful = False
            for callback, _, _, _ in entries:
                if checked and registry.holds(callback):  # (registered meanwhile?)
                    self._refuse_duplicate(callback, seen)
                stateful = stateful or getattr(callback, "state_dict", None) is not None
            if stateful:  # only stateful callbacks can clash
                check_unique_keys(self._entries_now(), [callback for callback, *_ in entries])
            try:
                added = registry.add(entries)
                if self._states:
                    self._invalidate(added)
            except BaseException:
                # A KeyboardInterrupt after the registry changed and before every hook it
                # touches was marked stale would leave dispatch on the old registrations.
                self._invalidate_all()
                raise
        return added

    def _weak_entry(
        self, callback: object, priority: int, implementation: Implementation | None
    ) -> tuple[object, int, dict[str, Callable[..., Any]] | None, Weak | None]:
        """What the registry records of a weakly registered callback: its targets called
        through a weak reference."""
        targets = None if implementation is None else implementation.targets
        try:
            reference = Weak(weakref.ref(callback, self._registry.collected))
        except TypeError:
            raise RegistrationError(
                f"cannot register {type(callback).__qualname__} weakly: its instances cannot "
                f"be referred to weakly (a class with __slots__ needs '__weakref__' among "
                f"them). Register it without weak=True, or add '__weakref__' to its __slots__."
            ) from None
        strategy = self._strategy
        if implementation is not None and isinstance(strategy, CheckedStrategy):
            targets = strategy.weak_targets(implementation, reference)
        return callback, priority, targets, reference

    def _refuse_duplicate(self, callback: object, seen: Collection[int]) -> None:
        """A callback already registered, or given twice in one batch (``seen``)."""
        strategy = self._strategy
        already = self._registry.find(callback) is not None
        if already or id(callback) in seen:
            spec_name = strategy.table.spec_name if isinstance(strategy, CheckedStrategy) else ""
            raise duplicate_error(callback, spec_name, already=already)

    def _entries(self) -> list[tuple[object, int, bool]]:
        """Every live registration as ``(callback, priority, weak)``, in call order."""
        return [
            (callback, r.priority, r.weak is not None)
            for r in self._registry.in_order()
            if (callback := r.callback) is not None
        ]

    def _entries_now(self) -> list[object]:
        return [callback for callback, _, _ in self._entries()]

    # -- collected weak callbacks and stale snapshots ---------------------------------------------

    def _reap(self) -> None:
        """Drop the registrations of collected weak callbacks. Under the lock."""
        if self._registry.dead:
            self._invalidate(self._registry.reap())

    def _reaped(self) -> None:
        """Drop the registrations of collected weak callbacks now (for what inspection says)."""
        if self._registry.dead:
            with self._registry.lock:
                self._reap()

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

    def _invalidate_all(self) -> None:
        for state in self._states.values():
            state.invalidate()

    # -- dispatchers ------------------------------------------------------------------------------

    def _cached(
        self, hook: object, mode: Mode, cache: dict[object, Callable[..., Any]]
    ) -> Callable[..., Any]:
        """The dispatcher of the hook that ``hook`` names, remembered under ``hook`` if that
        cannot keep anything alive or grow without bound: a name, or a spec's own method (an
        unchecked manager takes any method as a name: ``emit(obj.on_x)``, looked up each time)."""
        dispatcher = self._dispatcher(self._strategy.hook_name(hook), mode)
        if type(hook) is str or (self._strategy.checked and type(hook) is FunctionType):
            cache[hook] = dispatcher
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
                            accepts=options.accepts,
                        )
                        self._states[name] = state
        return state.dispatcher(mode)

    def _implementers_of(self, name: str) -> Implementers:
        implementers = self._strategy.implementers(name, self._registry.in_order())
        monitors = self._monitors
        if not monitors:
            return implementers
        state = self._states.get(name)
        if (
            len(monitors) == 1
            and isinstance(monitors[0], Accumulator)
            and state is not None
            and state.times_inline(implementers.methods())
        ):
            timing = timing_for(monitors[0], name, implementers.who.callbacks)
            return TimedImplementers(implementers, timing)
        is_async = state is not None and state.is_async
        return MonitoredImplementers(implementers, name, monitors, is_async=is_async)
