"""Which hooks does a callback implement, and can each implementation accept the hook's calls?

The answer comes from the class, never from ``hasattr`` (a ``Mock()`` answers every name): an
attribute implements a hook when it comes from the instance ``__dict__`` or from a class of the
MRO that is not a Protocol, and is not ``None``. So a callback that subclasses a spec's Protocols
implements exactly the methods it overrides.

What can be learned from the class alone is learned once per (class, spec) and kept in a
:class:`ClassPlan`. Registering another instance of a known class only checks that the class has
not changed since (:class:`Snapshot`) and that the instance overrides no hook; the registration
then shares the class's validated functions (:class:`KnownClass`), which dispatch binds.
"""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Callable, Mapping
from types import FunctionType, MethodType
from typing import TYPE_CHECKING, Any, Final, Protocol, cast

from ._compat import declares_protocol, defined_as_protocol
from ._errors import HookNameWarning, RegistrationError, closest_names
from ._signatures import (
    dropped_keywords,
    first_rejected_call,
    inconsistent_parameter,
    without,
)
from ._spec import Hook, HookTable, as_written

if TYPE_CHECKING:
    import inspect

__all__ = [
    "Binding",
    "ClassPlan",
    "Implementation",
    "bind_callback",
    "bind_known",
    "warn_near_misses",
]

_MISSING: Final = object()
_NEAR_MISS_CUTOFF: Final = 0.85


class _SelfPlaceholder:
    """Bound as ``self`` to read a class function's signature as its instances see it."""


_SELF: Final = _SelfPlaceholder()


class ClassPlan:
    """What registration knows about one callback class against one spec."""

    __slots__ = (
        "dropped",
        "dynamic",
        "errors",
        "generic_lookup",
        "implemented",
        "known",
        "near_misses",
        "shadowable",
        "shared",
        "simple",
        "snapshot",
    )

    def __init__(
        self,
        *,
        functions: KnownClass,
        dropped: Mapping[str, frozenset[str]],
        dynamic: frozenset[str],
        errors: Mapping[str, str],
        shadowable: frozenset[str],
        near_misses: tuple[tuple[str, str], ...],
        generic_lookup: bool,
        snapshot: Snapshot,
    ) -> None:
        self.implemented: Final = tuple(functions.hooks)
        """Hooks implemented by plain functions of the class, already validated, in hook order."""
        self.shared: weakref.ref[KnownClass] = weakref.ref(functions)
        """Those functions, while a registration holds them (see :meth:`functions`)."""
        self.dropped: Final = dropped
        """Per hook of ``implemented``: the keyword-only parameters its function does not take."""
        self.dynamic: Final = dynamic
        """Hooks whose class attribute is a descriptor or other object: read per instance."""
        self.errors: Final = errors
        """Hooks whose class attribute is wrong; the error stands unless the instance overrides it."""
        self.shadowable: Final = shadowable
        """Hook names that an entry of the instance ``__dict__`` would take over."""
        self.near_misses: Final = near_misses
        """(public method, hook) pairs whose names are close enough to be a typo."""
        self.generic_lookup: Final = generic_lookup
        """The class customises attribute lookup: bind through ``getattr``."""
        self.snapshot: Final = snapshot
        """What the plan was made from: if the class changed since, the plan is made again."""
        self.simple: Final = not dynamic and not errors and not generic_lookup
        """Binding an instance is one MethodType per hook (unless its ``__dict__`` overrides)."""
        quiet = not any(hook not in self.implemented for _, hook in near_misses)
        self.known: Final = self.simple and quiet and bool(self.implemented) and snapshot.stable
        """An instance whose ``__dict__`` overrides no hook is bound the simple way, implements
        some hook and earns no near-miss warning: :func:`bind_known` registers it."""

    def functions(self, cls: type) -> KnownClass:
        """The validated functions, for ``cls``, of which this plan is still true.

        The plan holds them weakly, so that it keeps no reference to the class (a method that
        uses ``super()`` refers to its class); they are read from the class again when no
        registration holds them any more.
        """
        functions = self.shared()
        if functions is None:
            found = {name: _class_attribute(cls, name)[1] for name in self.implemented}
            functions = KnownClass(cast(dict[str, FunctionType], found), self.dropped)
            self.shared = weakref.ref(functions)
        return functions


class KnownClass:
    """The plain functions that implement hooks for a validated class, as an Implementation.

    The registrations of its instances share one, and bind its functions when dispatch is built.
    """

    __slots__ = ("__weakref__", "dropped", "hooks")

    def __init__(self, hooks: dict[str, FunctionType], dropped: Mapping[str, frozenset[str]]):
        self.hooks: Final = hooks
        """Hook name → the function of the class that implements it."""
        self.dropped: Final = dropped
        """Per hook, the keyword-only parameters its function does not take (absent: takes all)."""

    def method(self, name: str, callback: object) -> Callable[..., Any]:
        """The method of ``callback`` for hook ``name`` (one of ``hooks``), bound now."""
        return MethodType(self.hooks[name], callback)


class Binding:
    """A validated callback: its bound methods per hook, and its near-miss method names.

    Like :class:`KnownClass`, it is an :class:`Implementation`.
    """

    __slots__ = ("callback", "dropped", "hooks", "near_misses")

    def __init__(
        self,
        callback: object,
        methods: dict[str, Callable[..., Any]],
        dropped: Mapping[str, frozenset[str]],
        near_misses: tuple[tuple[str, str], ...],
    ) -> None:
        self.callback: Final = callback
        self.hooks: Final = methods
        """Hook name → the method (or other callable) that implements it."""
        self.dropped: Final = dropped
        """Per hook, the keyword-only parameters its method does not take (absent: takes all)."""
        self.near_misses: Final = near_misses

    def method(self, name: str, callback: object) -> Callable[..., Any]:
        """The method for hook ``name`` (one of ``hooks``)."""
        return self.hooks[name]


class Implementation(Protocol):
    """What a registration keeps of a validated callback: which hooks, and how to call each."""

    @property
    def hooks(self) -> Mapping[str, object]:
        """The implemented hooks (the keys)."""
        ...

    @property
    def dropped(self) -> Mapping[str, frozenset[str]]:
        """Per hook, the keyword-only parameters its method does not take (absent: takes all)."""
        ...

    def method(self, name: str, callback: object) -> Callable[..., Any]:
        """What dispatch calls for hook ``name`` of ``callback``."""
        ...


def bind_known(table: HookTable, callback: object) -> KnownClass | None:
    """The usual registration: an instance of a class validated before, checked in one pass.

    Returns the functions of its class, which dispatch binds when it is built; or None when
    :func:`bind_callback` must decide: a class not seen yet or changed since, one whose hook
    attributes are not all plain functions, an instance whose ``__dict__`` overrides a hook, or
    a class that earns a near-miss warning.
    """
    cls = type(callback)
    plan: ClassPlan | None = table.class_plans.get(weakref.ref(cls))
    if plan is None or not plan.known:
        return None
    if not plan.snapshot.still_true(cls):
        return None
    if plan.shadowable:
        # An instance's __dict__ is a dict of str keys (checked with type(), which is cheap).
        instance_dict: dict[str, object] | None = getattr(callback, "__dict__", None)
        if type(instance_dict) is not dict or not plan.shadowable.isdisjoint(instance_dict):
            return None
    return plan.shared() or plan.functions(cls)


def bind_callback(table: HookTable, callback: object) -> KnownClass | Binding:
    """Validate ``callback`` against ``table``: the functions of its class if that is all it
    takes (see :func:`bind_known`), else its bound methods and near-miss names.

    Raises :class:`RegistrationError` naming the class, the hook and the fix.
    """
    if isinstance(callback, type):
        name = callback.__qualname__
        raise RegistrationError(
            f"cannot register the class {name} with a CallbackManager of {table.spec_name}: "
            f"callbacks are instances. Register an instance instead, e.g. {name}()."
        )
    cls = type(callback)
    # Keyed by a weak reference, as a WeakKeyDictionary does, without its Python-level lookup:
    # ``weakref.ref(cls)`` is equal to (and hashes like) the stored key while the class lives.
    plan: ClassPlan | None = table.class_plans.get(weakref.ref(cls))
    if plan is None or not plan.snapshot.still_true(cls):
        plan, functions = _new_plan(table, cls)
    else:
        functions = plan.functions(cls)
    overrides: frozenset[str] = frozenset()
    if plan.shadowable:
        # An instance's __dict__ is a dict of str keys (checked with type(), which is cheap).
        instance_dict: dict[str, object] | None = getattr(callback, "__dict__", None)
        if type(instance_dict) is dict and instance_dict:
            overrides = plan.shadowable.intersection(instance_dict)
    if plan.known and not overrides:
        return functions
    if plan.simple and not overrides:  # plain methods, validated with the class
        methods: dict[str, Callable[..., Any]] = {}
        for name, function in functions.hooks.items():
            methods[name] = MethodType(function, callback)
        dropped = plan.dropped
    else:
        methods, dropped = _bind_slowly(table, callback, plan, functions, overrides)
    if not methods:
        raise RegistrationError(_no_hook_message(table, cls, plan))
    near_misses = plan.near_misses
    if near_misses:
        near_misses = tuple((m, h) for m, h in near_misses if h not in methods)
    return Binding(callback, methods, dropped, near_misses)


def warn_near_misses(
    table: HookTable, implementation: KnownClass | Binding, *, stacklevel: int
) -> None:
    """A :class:`HookNameWarning` for each method of a callback named almost like a hook.

    Only a :class:`Binding` carries near misses (a :class:`KnownClass` is registered only for
    classes that earn none). ``stacklevel`` counts from the caller of this function, as for
    :func:`warnings.warn`.
    """
    if not isinstance(implementation, Binding) or not implementation.near_misses:
        return
    binding = implementation
    name = type(binding.callback).__qualname__
    for method, hook in binding.near_misses:
        message = (
            f"{name}.{method} looks like a misspelling of the hook {table.spec_name}.{hook} "
            f"and will never be called: rename it to {hook} (or to _{method} if it is not "
            f"meant as a hook)."
        )
        warnings.warn(message, HookNameWarning, stacklevel=stacklevel)


def _bind_slowly(
    table: HookTable,
    callback: object,
    plan: ClassPlan,
    known: KnownClass,
    overrides: frozenset[str],
) -> tuple[dict[str, Callable[..., Any]], dict[str, frozenset[str]]]:
    cls = type(callback)
    functions = known.hooks
    methods: dict[str, Callable[..., Any]] = {}
    dropped: dict[str, frozenset[str]] = {}
    for name, hook in table.hooks.items():
        if name in overrides:
            value = vars(callback)[name]
        elif name in plan.errors:
            raise RegistrationError(plan.errors[name])
        elif name in plan.dynamic or (plan.generic_lookup and name in functions):
            try:
                value = getattr(callback, name)
            except AttributeError:
                continue
        elif name in functions:
            methods[name] = MethodType(functions[name], callback)
            if name in plan.dropped:
                dropped[name] = plan.dropped[name]
            continue
        else:
            continue
        if value is None:
            continue
        problem, drops = _check_value(value, hook, cls, shown=f"{cls.__qualname__}.{name}")
        if problem is not None:
            raise RegistrationError(problem)
        methods[name] = value
        if drops:
            dropped[name] = drops
    return methods, dropped


def _new_plan(table: HookTable, cls: type) -> tuple[ClassPlan, KnownClass]:
    """Make the plan of ``cls`` and keep it, weakly keyed, for the next instances; with the
    functions it found (which the plan holds only weakly)."""
    plan, functions = _make_plan(table, cls)
    plans = table.class_plans
    plans[weakref.ref(cls, _forgetter(plans))] = plan
    return plan, functions


def _forgetter(plans: dict[weakref.ref[type], Any]) -> Callable[[weakref.ref[type]], None]:
    """The callback that drops a dead class's plan (its key's hash outlives the class)."""

    def forget(key: weakref.ref[type]) -> None:
        plans.pop(key, None)

    return forget


class Snapshot:
    """What a plan was made from, so that a later registration can tell it is still true.

    It compares:

    - the MRO after the class, by identity (a change of ``__bases__`` anywhere makes a new one);
    - the size of every namespace of the MRO (a method added or deleted anywhere);
    - per hook name the class has, what ``getattr(cls, name)`` finds (a method patched). A name
      it lacks is left to the sizes: looking it up would raise and catch an AttributeError.

    Hook names whose class attribute gives a new object on each access (a ``classmethod``) are
    compared by their raw value, found by walking the MRO.

    So that a plan does not keep alive a class that would otherwise be collected, it holds
    neither the class nor its namespace, and holds what it found weakly where it can (a method
    that uses ``super()`` refers to its class): all but the raw values just mentioned.

    This runs on every registration, so it is written as plain loops over short tuples, which
    beat ``map`` chains over two or three items.
    """

    __slots__ = ("bases", "layers", "own_size", "raw", "resolved", "resolved_weakly")

    def __init__(self, cls: type, found: Mapping[str, tuple[type, object]]) -> None:
        """``found`` is what :class:`_ClassReading` finds for ``cls``."""
        mro = cls.__mro__
        self.bases: Final = mro[1:]
        self.own_size: Final = len(vars(cls))
        self.layers: Final = tuple(
            (vars(klass), len(vars(klass))) for klass in self.bases if klass is not object
        )
        weakly: list[tuple[str, weakref.ref[Any]]] = []
        strongly: list[tuple[str, object]] = []
        raw: list[tuple[str, object]] = []
        for name, (_, value) in found.items():
            if type(value) is FunctionType:  # what getattr(cls, name) gives, each time
                weakly.append((name, weakref.ref(value)))  # it may refer to cls (super())
                continue
            if value is None:
                strongly.append((name, value))
                continue
            seen = _class_lookup(cls, name)
            if seen is not _UNSTABLE and seen is _class_lookup(cls, name):
                try:
                    weakly.append((name, weakref.ref(seen)))
                except TypeError:  # not every object can be referred to weakly
                    strongly.append((name, seen))
            else:
                raw.append((name, value))
        self.resolved_weakly: Final = tuple(weakly)
        self.resolved: Final = tuple(strongly)
        self.raw: Final = tuple(raw)

    @property
    def stable(self) -> bool:
        """Every hook name the class has gives the same object on each access."""
        return not self.raw

    def still_true(self, cls: type) -> bool:
        if cls.__mro__[1:] != self.bases or len(vars(cls)) != self.own_size:
            return False
        for namespace, size in self.layers:
            if len(namespace) != size:
                return False
        for name, reference in self.resolved_weakly:
            value = reference()
            if value is None or getattr(cls, name, _MISSING) is not value:
                return False  # (a function that is gone was replaced)
        for name, value in self.resolved:
            if getattr(cls, name, _MISSING) is not value:
                return False
        for name, value in self.raw:
            if _class_attribute(cls, name)[1] is not value:
                return False
        return True


_UNSTABLE: Final = object()


def _class_lookup(cls: type, name: str) -> object:
    """``getattr(cls, name)``, or ``_UNSTABLE`` if a descriptor's class access raises."""
    try:
        return getattr(cls, name, _MISSING)
    except Exception:  # noqa: BLE001  # any descriptor may raise anything on class access
        return _UNSTABLE


class _ClassReading:
    """What one walk over a class's MRO (``object`` aside) tells registration."""

    __slots__ = ("found", "generic_lookup", "instance_dict", "protocols", "public")

    def __init__(self, cls: type, names: frozenset[str]) -> None:
        self.found: Final[dict[str, tuple[type, object]]] = {}
        """Per hook name the class has: the class of the MRO that defines it, and the raw value."""
        self.protocols: Final[set[type]] = set()
        """The classes of the MRO declared as Protocols."""
        self.public: Final[set[str]] = set()
        """Public names, not hook names, of the classes that are not Protocols."""
        self.instance_dict = False
        """Instances have a ``__dict__``."""
        self.generic_lookup = False
        """A class of the MRO defines ``__getattribute__``."""
        for klass in cls.__mro__:
            if klass is object:
                continue
            namespace = vars(klass)
            for name in namespace.keys() & names:
                self.found.setdefault(name, (klass, namespace[name]))
            self.instance_dict = self.instance_dict or "__dict__" in namespace
            self.generic_lookup = self.generic_lookup or "__getattribute__" in namespace
            if declares_protocol(namespace):
                self.protocols.add(klass)
            else:
                self.public.update(n for n in namespace if not n.startswith("_"))
        self.public.difference_update(names)


def _make_plan(table: HookTable, cls: type) -> tuple[ClassPlan, KnownClass]:
    reading = _ClassReading(cls, table.names)
    found = reading.found
    snapshot = Snapshot(cls, found)
    functions: list[tuple[str, FunctionType]] = []
    dropped: dict[str, frozenset[str]] = {}
    dynamic: set[str] = set()
    errors: dict[str, str] = {}
    shadowable: set[str] = set(table.names) if reading.instance_dict else set()
    for name, hook in table.hooks.items():
        owner, raw = found.get(name, (None, None))
        if owner is None or raw is None or owner in reading.protocols:
            continue  # absent, opted out with None, or a Protocol's own (default) method
        if isinstance(raw, FunctionType):
            mirror = hook.mirror
            if mirror is not None and mirror.mirrored_by(raw):
                functions.append((name, raw))  # the hook's own parameters: nothing to try
                continue
            problem, drops = _check_function(raw, hook, cls, f"{cls.__qualname__}.{name}")
            if problem is None:
                functions.append((name, raw))
                if drops:
                    dropped[name] = drops
            else:
                errors[name] = problem
            continue
        if _is_data_descriptor(raw):
            shadowable.discard(name)  # a property or slot wins over the instance __dict__
            dynamic.add(name)
        elif _is_descriptor(raw):
            dynamic.add(name)
        else:
            problem, _ = _check_value(raw, hook, cls, f"{cls.__qualname__}.{name}")
            if problem is None:
                dynamic.add(name)
            else:
                errors[name] = problem
    known = KnownClass(dict(functions), dropped)
    plan = ClassPlan(
        functions=known,
        dropped=dropped,
        dynamic=frozenset(dynamic),
        errors=errors,
        shadowable=frozenset(shadowable),
        near_misses=_near_misses(table, cls, reading.public) if reading.public else (),
        snapshot=snapshot,
        generic_lookup=reading.generic_lookup,
    )
    return plan, known


def _class_attribute(cls: type, name: str) -> tuple[type | None, object]:
    """The class of the MRO that defines ``name``, and the raw value it holds there."""
    for klass in cls.__mro__:
        namespace = vars(klass)
        if name in namespace:
            return klass, namespace[name]
    return None, _MISSING


def _is_descriptor(value: object) -> bool:
    return hasattr(type(value), "__get__")


def _is_data_descriptor(value: object) -> bool:
    kind = type(value)
    return hasattr(kind, "__set__") or hasattr(kind, "__delete__")


_Verdict = tuple[str | None, frozenset[str]]
"""A problem (None if fine) and the hook's keyword-only parameters the method leaves out."""
_FINE: Final[_Verdict] = (None, frozenset())


def _check_function(function: FunctionType, hook: Hook, cls: type, shown: str) -> _Verdict:
    """Problems of a plain function of the class used as the method for ``hook``."""
    import inspect

    try:
        signature = inspect.signature(MethodType(function, _SELF))
    except ValueError:
        return _problem(
            f"cannot register {cls.__qualname__}: its method {shown} takes no `self`, so it "
            f"cannot be called as a method for the hook {hook.label}. Declare it as "
            f"{hook.describe()}."
        )
    return _check_signature(
        function, signature, hook, cls, shown, shown_signature=inspect.signature(function)
    )


def _check_value(value: object, hook: Hook, cls: type, shown: str) -> _Verdict:
    """Problems of an arbitrary attribute value used as the method for ``hook``."""
    import inspect

    if not callable(value):
        return _problem(
            f"cannot register {cls.__qualname__}: its attribute {shown} is named like the hook "
            f"{hook.label} but is not callable (it is {type(value).__name__} {value!r:.60}). "
            f"Make it a method, {hook.describe()}, or set it to None to not implement the hook."
        )
    try:
        signature = inspect.signature(value)
    except (ValueError, TypeError):
        signature = None  # a builtin without signature metadata: nothing to compare
    return _check_signature(value, signature, hook, cls, shown, shown_signature=signature)


def _check_signature(
    value: object,
    signature: inspect.Signature | None,
    hook: Hook,
    cls: type,
    shown: str,
    *,
    shown_signature: inspect.Signature | None,
) -> _Verdict:
    is_async = _is_async(value)
    if is_async != hook.is_async:
        this, that = ("an `async def`", "synchronous") if is_async else ("a plain `def`", "async")
        change = "drop `async`" if is_async else "declare it `async def`"
        return _problem(
            f"cannot register {cls.__qualname__}: {shown} is {this} but the hook {hook.label} "
            f"is {that}; {change}: {hook.describe()}."
        )
    if signature is None:
        return _FINE
    dropped = dropped_keywords(hook.signature, signature)
    shown_parameters = "" if shown_signature is None else str(as_written(shown_signature))
    rejected = first_rejected_call(without(hook.signature, dropped), signature, hook.name)
    if rejected is not None:
        call, reason = rejected
        return _problem(
            f"cannot register {cls.__qualname__}: {shown}{shown_parameters} cannot accept every "
            f"call of the hook {hook.label}: the call {call.render(hook.name)} fails ({reason}). "
            f"Give it the hook's parameters: {hook.describe()}."
        )
    inconsistent = inconsistent_parameter(hook.signature, signature)
    if inconsistent is not None:
        return _problem(
            f"cannot register {cls.__qualname__}: {shown}{shown_parameters} takes the calls of "
            f"the hook {hook.label} inconsistently: {inconsistent}. Give it the hook's "
            f"parameters: {hook.describe()}."
        )
    return None, dropped


def _problem(message: str) -> _Verdict:
    return message, frozenset()


def _is_async(value: object) -> bool:
    import inspect

    if inspect.iscoroutinefunction(value):
        return True
    if isinstance(value, (FunctionType, MethodType)):
        return False
    call = getattr(type(value), "__call__", None)
    return call is not None and inspect.iscoroutinefunction(call)


def _near_misses(
    table: HookTable, cls: type, public: set[str]
) -> tuple[tuple[str, str], ...]:
    """(method, hook) pairs among the ``public`` names of ``cls`` that look like a typo."""
    found: list[tuple[str, str]] = []
    for name in sorted(public):
        _, value = _class_attribute(cls, name)
        if not (callable(value) or isinstance(value, (staticmethod, classmethod))):
            continue
        close = closest_names(name, table.names, cutoff=_NEAR_MISS_CUTOFF)[:1]
        if close:
            found.append((name, close[0]))
    return tuple(found)


def _no_hook_message(table: HookTable, cls: type, plan: ClassPlan) -> str:
    name = cls.__qualname__
    message = (
        f"cannot register {name}: it implements no hook of {table.spec_name}. Implement at "
        f"least one of {', '.join(table.hooks)} with the hook's signature"
    )
    protocol_bases = [
        k.__qualname__
        for k in cls.__mro__[1:]
        if defined_as_protocol(k) and k.__module__ != "typing"
    ]
    if protocol_bases:
        message += (
            f" (it subclasses {', '.join(protocol_bases)}, but methods inherited from a "
            f"Protocol do not count: override the ones you implement)"
        )
    message += "."
    for method, hook in plan.near_misses:
        message += f" {name}.{method} looks like a misspelling of {hook}."
    return message
