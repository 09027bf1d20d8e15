"""What a checked manager (one with a spec) does differently from an unchecked one.

The manager delegates to a strategy everything that depends on having a spec: validating a
callback, naming hooks, how a hook's dispatchers are shaped, and which registered callbacks
implement a hook. :class:`CheckedStrategy` lives here; ``_unchecked.UncheckedStrategy`` is the
other one (Lightning Fabric's semantics).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from types import MethodType
from typing import TYPE_CHECKING, Any, ClassVar, Final, Protocol

from ._checks import near_miss_message
from ._dispatch import Shape, Who
from ._errors import HookNameWarning, RegistrationError, warn_at_caller
from ._hookstate import Plan, Written
from ._registry import Weak
from ._spec import HookTable
from ._validate import Implementation, implement
from ._weak import WeakTarget, refers_to

if TYPE_CHECKING:
    from ._hookstate import Implementers
    from ._registry import Registration

__all__ = ["CheckedStrategy", "HookOptions", "Strategy"]

_NOTHING: Final[frozenset[str]] = frozenset()


class HookOptions:
    """How one hook's dispatchers are made."""

    __slots__ = ("accepts", "concurrent", "is_async", "label", "planned", "shape")

    def __init__(
        self,
        *,
        label: str,
        shape: Shape,
        is_async: bool,
        concurrent: bool,
        planned: bool,
        accepts: Callable[..., object] | None = None,
    ) -> None:
        self.label: Final = label
        self.shape: Final = shape
        self.accepts: Final = accepts
        """What the dispatchers of a ``checks`` shape call first (``_dispatch.acceptor``)."""
        self.is_async: Final = is_async
        self.concurrent: Final = concurrent
        self.planned: Final = planned


class Strategy(Protocol):
    """The part of a manager that depends on its spec (or on having none)."""

    checked: ClassVar[bool]
    """Whether callbacks are validated against a spec."""

    def implement(self, callback: object) -> Implementation | None:
        """Validate ``callback``: what dispatch calls per hook (None: looked up by name later)."""
        ...

    def warn(self, callback: object, implementation: Implementation | None) -> None:
        """Warn about what looks wrong but registers (misspelt hook names)."""
        ...

    def hook_name(self, hook: object) -> str:
        """The name of the hook that ``hook`` (a name or a spec method) designates."""
        ...

    def options(self, name: str, mode: str) -> HookOptions:
        """How the dispatchers of hook ``name`` are made; raises for a hook that ``mode``
        cannot dispatch."""
        ...

    def implementers(self, name: str, registrations: Sequence[Registration]) -> Implementers:
        """Hook ``name``'s implementers among ``registrations`` (in call order)."""
        ...

    def touched(self, registrations: Iterable[Registration]) -> set[str] | None:
        """The hooks whose dispatchers a change of ``registrations`` affects (None: all)."""
        ...


class _Fixed:
    """A checked hook's implementers: fixed when the snapshot is taken."""

    __slots__ = ("_methods", "who")

    def __init__(self, methods: tuple[Callable[..., Any], ...], who: Who) -> None:
        self._methods: Final = methods
        self.who: Final = who

    @property
    def timing(self) -> None:
        """Calls are not timed inline."""
        return None

    def methods(self) -> tuple[Callable[..., Any], ...]:
        return self._methods

    def plan(self, positional: int, keywords: tuple[str, ...]) -> Plan:
        return Plan(self._methods, None)

    def written(self, positional: int, keywords: tuple[str, ...]) -> Written:
        return Written("", None, (), ())


class CheckedStrategy:
    """A manager with a spec: callbacks validated at registration, hooks known by name."""

    __slots__ = ("table",)

    checked: ClassVar[bool] = True

    def __init__(self, table: HookTable) -> None:
        self.table: Final = table

    def implement(self, callback: object) -> Implementation:
        return implement(self.table, callback)

    def warn(self, callback: object, implementation: Implementation | None) -> None:
        if implementation is None:
            return
        for method, hook in implementation.near_misses:
            message = near_miss_message(self.table.spec_name, type(callback), method, hook)
            warn_at_caller(message, HookNameWarning)

    def hook_name(self, hook: object) -> str:
        return self.table.resolve(hook).name

    def options(self, name: str, mode: str) -> HookOptions:
        hook = self.table.hook_named(name)
        if mode == "call" and hook.returns_value:
            raise TypeError(
                f"{hook.label} returns a value ({hook.return_annotation}), which "
                f"manager.call would discard: call it with manager.emit({hook.label}, ...) for "
                f"every implementer's result, or manager.first({hook.label}, ...) for the first "
                f"one that is not None"
            )
        return HookOptions(
            label=hook.label,
            shape=hook.shape,
            is_async=hook.is_async,
            concurrent=hook.concurrent,
            planned=False,
            accepts=hook.accepts,
        )

    def implementers(self, name: str, registrations: Sequence[Registration]) -> _Fixed:
        pairs = [
            (r.entry, r.targets[name])
            for r in registrations
            if r.targets is not None and name in r.targets and r.callback is not None
        ]
        if self.table.hooks[name].reverse:
            pairs.reverse()
        weak = any(type(entry) is Weak for entry, _ in pairs)
        who = Who(tuple(c for c, _ in pairs), may_skip=weak)
        return _Fixed(tuple(m for _, m in pairs), who)

    def weak_targets(
        self, implementation: Implementation, weak: Weak
    ) -> dict[str, Callable[..., Any]]:
        """The targets of a weak registration: its methods called through ``weak``."""
        callback = weak()
        targets = dict(implementation.targets)
        for name, target in targets.items():
            found = implementation.unbound.get(name)
            function: Callable[..., Any]
            if found is not None:
                function, dropped = found
            elif isinstance(target, MethodType) and target.__self__ is callback:
                function, dropped = target.__func__, _NOTHING  # (it holds its callback)
            elif refers_to(target, callback):
                cls = type(callback).__qualname__
                raise RegistrationError(
                    f"cannot register {cls} weakly: its hook {name} is a "
                    f"{type(target).__qualname__} that refers to the {cls} instance itself, which "
                    f"the manager would hold, so the instance would never be collected. Make "
                    f"{name} a method of {cls}, or register it without weak=True."
                )
            else:
                continue  # held as it is
            is_async = self.table.hooks[name].is_async
            targets[name] = WeakTarget(function, weak, dropped, is_async=is_async)
        return targets

    def touched(self, registrations: Iterable[Registration]) -> set[str] | None:
        hooks: set[str] = set()
        for registration in registrations:
            if registration.targets is not None:
                hooks.update(registration.targets)
        return hooks


def duplicate_error(callback: object, spec_name: str, *, already: bool) -> RegistrationError:
    """A callback given twice (callbacks are compared by identity)."""
    name = type(callback).__qualname__
    where = (
        "is already registered with this manager"
        if already
        else "appears twice in the callbacks given"
    )
    return RegistrationError(
        f"cannot register {name}: this instance {where} (callbacks are compared by identity). "
        f"Register it once, or register a new {name} instance."
        + ("" if already else f" The manager of {spec_name} was left unchanged.")
    )
