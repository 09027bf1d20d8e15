"""Property tests of registration and dispatch against plain list models.

* :class:`ManagerMachine` drives one checked :class:`CallbackManager` through random
  registrations (constructor batches and ``register``), unregistrations, rejected registrations
  (duplicates, callbacks that implement nothing, unknown objects) and dispatches (``call``,
  ``emit`` by name and by spec method), including callbacks that register, unregister or raise
  while a hook is being dispatched. A list of ``(callback, implemented hooks)`` is the model:
  after every step the manager's ``callbacks``, ``len``, ``in``, ``implementers`` and
  ``hooks_of`` must agree with it, and every dispatch must call exactly the model's implementers,
  in order, with the very argument objects given.
* :func:`test_unchecked_manager_matches_fabric_loop`: an unchecked manager (``spec=None``)
  behaves like Lightning Fabric's ``call`` loop, re-run by hand on the same callbacks.

The callback classes are generated with ``type(...)``: random hook subsets, duck-typed or
subclassing the hook Protocols (inheriting a Protocol's stub does not implement the hook),
inherited from other generated classes, hooks set to ``None``, and per-instance ``__dict__``
implementations that take over or disable a class's method.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal, Protocol, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,  # pyright: ignore[reportUnknownVariableType]  # untyped parameter
)

from protocall import CallbackManager, RegistrationError, UnknownHookError

# -- the spec -------------------------------------------------------------------------------


class OnStart(Protocol):
    def on_start(self) -> None: ...


class OnBatch(Protocol):
    def on_batch(self, *, loss: object, step: object) -> None: ...


class OnMove(Protocol):
    def on_move(self, x: object, y: object, /, z: object = 0) -> None: ...


class Score(Protocol):
    def score(self, value: object, scale: object) -> object: ...


class OnTick(Protocol):
    async def on_tick(self, n: object) -> None: ...


class Spec(OnStart, OnBatch, OnMove, Score, OnTick, Protocol):
    """Every hook: no parameters, keyword-only, positional-only with a default, a result, async."""


HOOKS: Final[tuple[str, ...]] = ("on_start", "on_batch", "on_move", "score", "on_tick")
ASYNC_HOOKS: Final = frozenset({"on_tick"})
RETURNING_HOOKS: Final = frozenset({"score"})
"""Hooks declared with a result: ``call`` refuses them (semantics 10), ``emit`` returns it."""
HOOK_PROTOCOLS: Final[Mapping[str, type]] = {
    "on_start": OnStart,
    "on_batch": OnBatch,
    "on_move": OnMove,
    "score": Score,
    "on_tick": OnTick,
}
SPEC_METHODS: Final[Mapping[str, Callable[..., Any]]] = {
    "on_start": Spec.on_start,
    "on_batch": Spec.on_batch,
    "on_move": Spec.on_move,
    "score": Spec.score,
    "on_tick": Spec.on_tick,
}
HOOK_SIGNATURES: Final[Mapping[str, inspect.Signature]] = {
    name: inspect.signature(getattr(HOOK_PROTOCOLS[name], name)) for name in HOOKS
}
"""Each hook's signature including ``self``; used only to normalise recorded arguments."""

_EXACT: Final[Mapping[str, tuple[str, str]]] = {
    # hook: (parameters after self, the tuple of received values in hook-parameter order)
    "on_start": ("", "()"),
    "on_batch": ("*, loss, step", "(loss, step)"),
    "on_move": ("x, y, /, z=0", "(x, y, z)"),
    "score": ("value, scale", "(value, scale)"),
    "on_tick": ("n", "(n,)"),
}

Form = Literal["exact", "generic", "none"]
"""How a generated class or instance provides a hook: the hook's own parameters,
``(*args, **kwargs)``, or the attribute set to ``None`` (which does not implement it)."""
FORMS: Final[tuple[Form, ...]] = ("exact", "generic", "none")
How = Literal["call", "emit-name", "emit-method"]
HOWS: Final[tuple[How, ...]] = ("call", "emit-name", "emit-method")

Args = tuple[object, ...]
Kwargs = dict[str, object]
Recorder = Callable[[object, str, Args], object]


def normalize(hook: str, args: Sequence[object], kwargs: Mapping[str, object]) -> Args:
    """The values a call of ``hook`` binds to its parameters, in parameter order, defaults filled."""
    bound = HOOK_SIGNATURES[hook].bind(None, *args, **kwargs)
    bound.apply_defaults()
    return tuple(bound.arguments.values())[1:]


def make_function(
    hook: str, form: Form, record: Recorder, owner: object | None
) -> Callable[..., object]:
    """A generated implementation of ``hook`` that reports each call to ``record``.

    ``owner is None`` makes a method (taking ``self``) for a class namespace; otherwise a plain
    function for ``owner.__dict__``. The async hook's implementation awaits once before recording,
    so that the manager must really await each implementer in turn.
    """
    parameters, received = _EXACT[hook]
    if form == "generic":
        parameters, received = "*args, **kwargs", f"_normalize({hook!r}, args, kwargs)"
    head = ", ".join(part for part in ("self" if owner is None else "", parameters) if part)
    is_async = hook in ASYNC_HOOKS
    lines = [f"{'async ' if is_async else ''}def {hook}({head}):"]
    if is_async:
        lines.append("    await _sleep(0)")
    lines.append(
        f"    return _record({'self' if owner is None else '_owner'}, {hook!r}, {received})"
    )
    namespace: dict[str, Any] = {
        "_record": record,
        "_owner": owner,
        "_normalize": normalize,
        "_sleep": asyncio.sleep,
    }
    exec("\n".join(lines), namespace)  # noqa: S102
    return cast(Callable[..., object], namespace[hook])


@dataclass(eq=False)
class Recipe:
    """A generated callback class and how it provides each hook."""

    cls: type
    parent: Recipe | None
    own: Mapping[str, Form]
    protocols: tuple[str, ...]

    def implements(self, hook: str) -> bool:
        """Whether instances (without ``__dict__`` entries) implement ``hook``: found first in a
        generated class (generated classes precede every Protocol in the MRO) and not ``None``."""
        form = self.own.get(hook)
        if form is not None:
            return form != "none"
        return self.parent is not None and self.parent.implements(hook)

    def __repr__(self) -> str:
        parent = self.parent.cls.__name__ if self.parent else None
        return (
            f"<{self.cls.__name__} parent={parent} protocols={self.protocols} own={dict(self.own)}>"
        )


@dataclass(eq=False)
class Entry:
    """A callback of the model and the hooks it implements."""

    callback: object
    hooks: frozenset[str]

    def __repr__(self) -> str:
        return f"<{type(self.callback).__name__}@{id(self.callback):x} {sorted(self.hooks)}>"


@dataclass(frozen=True)
class Logged:
    callback: object
    hook: str
    args: Args
    result: object


class BoomError(Exception):
    """Raised from inside a callback by the error rule."""


VALUES: Final = st.one_of(
    st.integers(), st.text(max_size=3), st.floats(allow_nan=False), st.none(), st.builds(object)
)


def draw_call(data: st.DataObject, hook: str) -> tuple[Args, Kwargs]:
    """Arguments of a valid call of ``hook``, passed in one of the ways the hook allows."""
    draw = data.draw
    if hook == "on_start":
        return (), {}
    if hook == "on_batch":
        loss, step = draw(VALUES), draw(VALUES)
        return (), (
            {"loss": loss, "step": step} if draw(st.booleans()) else {"step": step, "loss": loss}
        )
    if hook == "on_move":
        x, y = draw(VALUES), draw(VALUES)
        style = draw(st.sampled_from(["omit", "positional", "keyword"]))
        if style == "omit":
            return (x, y), {}
        z = draw(VALUES)
        return ((x, y, z), {}) if style == "positional" else ((x, y), {"z": z})
    if hook == "score":
        value, scale = draw(VALUES), draw(VALUES)
        cut = draw(st.integers(0, 2))
        return (value, scale)[:cut], dict(list({"value": value, "scale": scale}.items())[cut:])
    assert hook == "on_tick"
    n = draw(VALUES)
    return ((n,), {}) if draw(st.booleans()) else ((), {"n": n})


def same(actual: Iterable[object], expected: Iterable[object]) -> bool:
    """Element-wise identity."""
    actual, expected = list(actual), list(expected)
    return len(actual) == len(expected) and all(
        a is e for a, e in zip(actual, expected, strict=True)
    )


# -- the state machine ----------------------------------------------------------------------


class ManagerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.runner = asyncio.Runner()
        self.manager: CallbackManager[Spec] = CallbackManager(Spec)
        self.model: list[Entry] = []
        self.removed: list[Entry] = []
        """Callbacks that were registered before and are not now."""
        self.recipes: list[Recipe] = []
        self.log: list[Logged] = []
        self.pending: dict[tuple[int, str], Callable[[], object]] = {}
        """Actions that a callback performs the next time its hook runs: (id, hook) -> action."""
        self.counter = itertools.count()

    def teardown(self) -> None:
        self.runner.close()

    # -- generation ----------------------------------------------------------------------

    def record(self, owner: object, hook: str, args: Args) -> object:
        result = object()
        self.log.append(Logged(owner, hook, args, result))
        action = self.pending.pop((id(owner), hook), None)
        if action is not None:
            action()
        return result

    def new_recipe(self, data: st.DataObject, *, nothing: bool = False) -> Recipe:
        """A new generated class; with ``nothing``, one that implements no hook."""
        parent: Recipe | None = None
        if (
            self.recipes
            and not nothing
            and data.draw(st.booleans(), label="subclass a generated class")
        ):
            parent = data.draw(st.sampled_from(self.recipes), label="parent")
        inherited: set[type] = set(parent.cls.__mro__) if parent else set()
        chosen = data.draw(
            st.lists(st.sampled_from(HOOKS), unique=True, min_size=1 if nothing else 0),
            label="protocols",
        )
        protocols = tuple(h for h in HOOKS if h in chosen and HOOK_PROTOCOLS[h] not in inherited)
        forms: st.SearchStrategy[Form] = st.just("none") if nothing else st.sampled_from(FORMS)
        own: dict[str, Form] = data.draw(
            st.dictionaries(st.sampled_from(HOOKS), forms, max_size=3), label="own"
        )
        number = next(self.counter)
        namespace: dict[str, object] = {
            "__module__": __name__,
            "__qualname__": f"Generated{number}",
        }
        for hook, form in own.items():
            namespace[hook] = (
                None if form == "none" else make_function(hook, form, self.record, None)
            )
        bases = ((parent.cls,) if parent else ()) + tuple(HOOK_PROTOCOLS[h] for h in protocols)
        cls = type(f"Generated{number}", bases, namespace)
        recipe = Recipe(cls, parent, own, protocols)
        self.recipes.append(recipe)
        return recipe

    def new_callback(self, data: st.DataObject, *, require: str | None = None) -> Entry:
        """A new instance of a new or earlier generated class, maybe with ``__dict__`` hooks.

        ``require`` forces that hook to be implemented.
        """
        recipe: Recipe | None = None
        if self.recipes and data.draw(st.booleans(), label="reuse a class") is True:
            recipe = data.draw(st.sampled_from(self.recipes), label="class")
        if recipe is None:
            recipe = self.new_recipe(data)
        callback = recipe.cls()
        overrides: dict[str, Form] = data.draw(
            st.dictionaries(st.sampled_from(HOOKS), st.sampled_from(FORMS), max_size=2),
            label="instance hooks",
        )
        if require is not None and not (
            overrides[require] != "none" if require in overrides else recipe.implements(require)
        ):
            overrides[require] = data.draw(st.sampled_from(FORMS[:2]), label="required form")
        for hook, form in overrides.items():
            function = None if form == "none" else make_function(hook, form, self.record, callback)
            vars(callback)[hook] = function
        hooks = frozenset(
            h for h in HOOKS if (overrides[h] != "none" if h in overrides else recipe.implements(h))
        )
        return Entry(callback, hooks)

    def implementers(self, hook: str) -> list[object]:
        return [e.callback for e in self.model if hook in e.hooks]

    def is_registered(self, callback: object) -> bool:
        return any(e.callback is callback for e in self.model)

    def forget_removed(self, callback: object) -> None:
        self.removed = [e for e in self.removed if e.callback is not callback]

    # -- dispatch helpers ----------------------------------------------------------------

    def dispatch(self, hook: str, how: How, args: Args, kwargs: Kwargs) -> object:
        if how == "call" and hook in RETURNING_HOOKS:
            with pytest.raises(TypeError, match=r"manager\.call would discard"):
                getattr(self.manager.call, hook)
            how = "emit-name"
        if how == "call":
            result: object = getattr(self.manager.call, hook)(*args, **kwargs)
        elif how == "emit-name":
            result = self.manager.emit(hook, *args, **kwargs)
        else:
            result = self.manager.emit(SPEC_METHODS[hook], *args, **kwargs)
        if hook in ASYNC_HOOKS:
            assert inspect.isawaitable(result), result
            result = self.runner.run(cast(Any, result))
        return result

    def check_dispatch(
        self, hook: str, how: How, args: Args, kwargs: Kwargs, expected: Sequence[object]
    ) -> None:
        """Dispatch and check that exactly ``expected`` were called, in order, with the arguments."""
        self.log.clear()
        result = self.dispatch(hook, how, args, kwargs)
        self.check_log(hook, args, kwargs, expected)
        if how == "call" and hook not in RETURNING_HOOKS:
            assert result is None
        else:
            assert isinstance(result, list)
            assert same(cast(list[object], result), [entry.result for entry in self.log])

    def check_log(self, hook: str, args: Args, kwargs: Kwargs, expected: Sequence[object]) -> None:
        values = normalize(hook, args, kwargs)
        assert same([entry.callback for entry in self.log], expected), (self.log, expected)
        for entry in self.log:
            assert entry.hook == hook
            assert same(entry.args, values), (entry.args, values)

    # -- rules ---------------------------------------------------------------------------

    @initialize(data=st.data())
    def construct(self, data: st.DataObject) -> None:
        """The constructor registers a batch (any iterable), copied, in order."""
        batch = [
            self.new_callback(
                data, require=data.draw(st.sampled_from(HOOKS), label="required hook")
            )
            for _ in range(data.draw(st.integers(0, 3), label="batch size"))
        ]
        given_list: list[object] = [e.callback for e in batch]
        if data.draw(st.booleans(), label="as a generator"):
            self.manager = CallbackManager(Spec, (cb for cb in given_list))
        else:
            self.manager = CallbackManager(Spec, given_list)
            given_list.clear()  # the manager copied the list
        self.model = batch

    @rule(data=st.data())
    def register(self, data: st.DataObject) -> None:
        entry: Entry | None = None
        if (
            self.removed
            and data.draw(st.booleans(), label="re-register a removed callback") is True
        ):
            entry = data.draw(st.sampled_from(self.removed), label="removed")
        if entry is None:
            entry = self.new_callback(data)
        if not entry.hooks:
            self.check_implements_nothing(entry.callback)
            return
        assert self.manager.register(entry.callback) is entry.callback
        self.model.append(entry)
        self.forget_removed(entry.callback)

    @rule(data=st.data())
    def register_implementing_nothing(self, data: st.DataObject) -> None:
        """Subclassing hook Protocols without overriding, or hooks set to None, implements nothing."""
        recipe = self.new_recipe(data, nothing=True)
        callback = recipe.cls()
        for hook in data.draw(
            st.lists(st.sampled_from(HOOKS), unique=True, max_size=2), label="None in __dict__"
        ):
            vars(callback)[hook] = None
        self.check_implements_nothing(callback)

    def check_implements_nothing(self, callback: object) -> None:
        name = type(callback).__qualname__
        with pytest.raises(RegistrationError, match=rf"\b{name}\b.*implements no hook"):
            self.manager.register(callback)
        with pytest.raises(RegistrationError, match=rf"\b{name}\b"):
            CallbackManager(Spec, [callback])

    @rule(data=st.data())
    def rebuild_with_batch(self, data: st.DataObject) -> None:
        """A new manager from the current callbacks (or none) plus a batch; all or nothing."""
        keep = data.draw(st.booleans(), label="keep the current callbacks")
        batch = [
            self.new_callback(data) for _ in range(data.draw(st.integers(0, 3), label="batch size"))
        ]
        given_list = [e.callback for e in (self.model if keep else [])] + [
            e.callback for e in batch
        ]
        duplicate = bool(given_list) and data.draw(st.booleans(), label="add a duplicate")
        if duplicate:
            given_list.insert(
                data.draw(st.integers(0, len(given_list)), label="at"),
                data.draw(st.sampled_from(given_list), label="duplicate"),
            )
        if duplicate or any(not e.hooks for e in batch):
            with pytest.raises(RegistrationError):
                CallbackManager(Spec, given_list)
            return
        manager = CallbackManager(Spec, given_list)
        given_list.append(object())  # the manager copied the list
        if not keep:
            self.removed += self.model
            self.model = []
        self.manager = manager
        self.model += batch
        for entry in batch:
            self.forget_removed(entry.callback)

    @rule(data=st.data())
    def register_duplicate(self, data: st.DataObject) -> None:
        if not self.model:
            return
        entry = data.draw(st.sampled_from(self.model), label="registered")
        name = type(entry.callback).__qualname__
        with pytest.raises(RegistrationError, match=rf"\b{name}\b.*already registered"):
            self.manager.register(entry.callback)

    @rule(data=st.data())
    def unregister(self, data: st.DataObject) -> None:
        if not self.model:
            return
        index = data.draw(st.integers(0, len(self.model) - 1), label="index")
        entry = self.model.pop(index)
        self.manager.unregister(entry.callback)
        self.removed.append(entry)

    @rule(data=st.data())
    def unregister_unknown(self, data: st.DataObject) -> None:
        removed = bool(self.removed) and data.draw(st.booleans(), label="a removed callback")
        if removed:
            callback = data.draw(st.sampled_from(self.removed), label="removed").callback
        else:
            callback = self.new_callback(data).callback
        with pytest.raises(ValueError, match="not registered"):
            self.manager.unregister(callback)

    @rule(hook=st.sampled_from(HOOKS), how=st.sampled_from(HOWS), data=st.data())
    def dispatch_hook(self, hook: str, how: How, data: st.DataObject) -> None:
        args, kwargs = draw_call(data, hook)
        self.check_dispatch(hook, how, args, kwargs, self.implementers(hook))

    @rule(
        hook=st.sampled_from(HOOKS),
        how=st.sampled_from(HOWS),
        action=st.sampled_from(["register", "unregister"]),
        data=st.data(),
    )
    def mutate_during_dispatch(self, hook: str, how: How, action: str, data: st.DataObject) -> None:
        """A callback registers or unregisters one while the hook runs: only the next call sees it."""
        if not self.implementers(hook):
            entry = self.new_callback(data, require=hook)
            self.manager.register(entry.callback)
            self.model.append(entry)
        mutator = data.draw(st.sampled_from(self.implementers(hook)), label="mutator")
        if action == "register":
            target = self.new_callback(
                data, require=data.draw(st.sampled_from(HOOKS), label="its hook")
            )
            self.pending[id(mutator), hook] = lambda: self.manager.register(target.callback)
        else:
            target = data.draw(st.sampled_from(self.model), label="to unregister")
            self.pending[id(mutator), hook] = lambda: self.manager.unregister(target.callback)
        args, kwargs = draw_call(data, hook)
        self.check_dispatch(hook, how, args, kwargs, self.implementers(hook))
        assert not self.pending
        if action == "register":
            self.model.append(target)
        else:
            self.model.remove(target)
            self.removed.append(target)
        args, kwargs = draw_call(data, hook)
        self.check_dispatch(hook, how, args, kwargs, self.implementers(hook))

    @rule(hook=st.sampled_from(HOOKS), how=st.sampled_from(HOWS), data=st.data())
    def callback_raises(self, hook: str, how: How, data: st.DataObject) -> None:
        """An exception stops the dispatch at once and carries a note naming callback and hook."""
        implementers = self.implementers(hook)
        if not implementers:
            return
        index = data.draw(st.integers(0, len(implementers) - 1), label="raiser")
        raiser = implementers[index]

        def fail() -> None:
            raise BoomError(hook)

        self.pending[id(raiser), hook] = fail
        args, kwargs = draw_call(data, hook)
        self.log.clear()
        with pytest.raises(BoomError) as info:
            self.dispatch(hook, how, args, kwargs)
        assert not self.pending
        self.check_log(hook, args, kwargs, implementers[: index + 1])
        notes = "\n".join(getattr(info.value, "__notes__", []))
        assert type(raiser).__qualname__ in notes and f"Spec.{hook}" in notes, notes

    @rule(hook=st.sampled_from(HOOKS), data=st.data())
    def unknown_hook_name(self, hook: str, data: st.DataObject) -> None:
        cut = data.draw(st.integers(1, len(hook) - 1), label="cut")
        typo = (
            hook[:cut]
            + hook[cut + 1 :]
            + data.draw(st.sampled_from(["", "s", "x"]), label="suffix")
        )
        if typo in HOOKS:
            return
        with pytest.raises(UnknownHookError):
            getattr(self.manager.call, typo)
        with pytest.raises(UnknownHookError):
            self.manager.emit(typo)
        with pytest.raises(UnknownHookError):
            self.manager.implementers(typo)

    # -- invariants ----------------------------------------------------------------------

    @invariant()
    def agrees_with_model(self) -> None:
        manager = self.manager
        callbacks = [e.callback for e in self.model]
        assert same(manager.callbacks, callbacks), (manager.callbacks, self.model)
        assert len(manager) == len(callbacks)
        for entry in self.model:
            assert entry.callback in manager
            assert manager.hooks_of(entry.callback) == entry.hooks, (
                entry,
                manager.hooks_of(entry.callback),
            )
        for entry in self.removed:
            assert not self.is_registered(entry.callback)
            assert entry.callback not in manager
            with pytest.raises(ValueError):
                manager.hooks_of(entry.callback)
        for hook in HOOKS:
            expected = self.implementers(hook)
            assert same(manager.implementers(hook), expected), (
                hook,
                manager.implementers(hook),
                expected,
            )
            assert same(manager.implementers(SPEC_METHODS[hook]), expected)
        assert not self.pending


def test_manager_agrees_with_list_model() -> None:
    # The loaded profile's settings (max_examples=200 in CI), with shorter runs of steps.
    run_state_machine_as_test(ManagerMachine, settings=settings(stateful_step_count=25))


# -- the unchecked manager against Fabric's loop --------------------------------------------

UNCHECKED_NAMES: Final = ("on_fit_start", "on_batch", "setup", "teardown")

Attribute = Literal["method", "none", "value", "absent"]


def fabric_call(
    callbacks: Sequence[object], hook_name: str, *args: object, **kwargs: object
) -> list[object]:
    """Lightning Fabric's ``Fabric.call`` loop, written out, returning what the methods return."""
    results: list[object] = []
    for callback in callbacks:
        method = getattr(callback, hook_name, None)
        if method is None:
            continue
        if not callable(method):
            warnings.warn(
                f"Skipping the callback `{type(callback).__name__}.{hook_name}` because it is not callable.",
                UserWarning,
                stacklevel=2,
            )
            continue
        results.append(method(*args, **kwargs))
    return results


@dataclass
class FabricWorld:
    log: list[tuple[str, Args, Kwargs]] = field(default_factory=lambda: [])  # noqa: PIE807 - pyright strict: list gives list[Unknown]
    counter: Iterator[int] = field(default_factory=itertools.count)

    def method(self, label: str) -> Callable[..., object]:
        def method(*args: object, **kwargs: object) -> object:
            self.log.append((label, args, kwargs))
            return (label, len(self.log))

        return method

    def callback(self, data: st.DataObject) -> object:
        """An instance (or, sometimes, the class itself) with random attributes per hook name."""
        number = next(self.counter)
        attribute: st.SearchStrategy[Attribute] = st.sampled_from(
            ["method", "none", "value", "absent"]
        )
        class_attributes = data.draw(
            st.dictionaries(st.sampled_from(UNCHECKED_NAMES), attribute), label="class"
        )
        namespace: dict[str, object] = {"__module__": __name__}
        for name, kind in class_attributes.items():
            if kind != "absent":
                namespace[name] = self.value(kind, f"C{number}.{name}")
        cls = type(f"Plain{number}", (), namespace)
        if data.draw(st.integers(0, 9), label="register the class") == 0:
            return cls
        instance = cls()
        instance_attributes = data.draw(
            st.dictionaries(st.sampled_from(UNCHECKED_NAMES), attribute, max_size=2),
            label="instance",
        )
        for name, kind in instance_attributes.items():
            if kind != "absent":
                vars(instance)[name] = self.value(kind, f"I{number}.{name}")
        return instance

    def value(self, kind: Attribute, label: str) -> object:
        return {"method": self.method(label), "none": None, "value": label}[kind]


def run_recording(action: Callable[[], object]) -> tuple[object, list[tuple[type[Warning], str]]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = action()
    return result, [(w.category, str(w.message)) for w in caught]


@settings(max_examples=100)
@given(data=st.data())
def test_unchecked_manager_matches_fabric_loop(data: st.DataObject) -> None:
    world = FabricWorld()
    callbacks = [world.callback(data) for _ in range(data.draw(st.integers(0, 4), label="initial"))]
    if callbacks and data.draw(st.booleans(), label="a duplicate") is True:
        callbacks.append(data.draw(st.sampled_from(callbacks), label="duplicate"))
    manager = CallbackManager(None, callbacks)
    model = list(callbacks)
    callbacks.clear()
    for _ in range(data.draw(st.integers(1, 8), label="steps")):
        step = data.draw(st.sampled_from(["call", "emit", "register", "unregister"]), label="step")
        if step == "register":
            if model and data.draw(st.booleans(), label="again") is True:
                callback = data.draw(st.sampled_from(model), label="registered")
            else:
                callback = world.callback(data)
            assert manager.register(callback) is callback
            model.append(callback)
        elif step == "unregister":
            once = [cb for cb in model if sum(c is cb for c in model) == 1]
            if once:
                callback = data.draw(st.sampled_from(once), label="unregister")
                manager.unregister(callback)
                model = [cb for cb in model if cb is not callback]
        else:
            name = data.draw(st.sampled_from(UNCHECKED_NAMES), label="hook")
            args = tuple(data.draw(st.lists(VALUES, max_size=2), label="args"))
            kwargs = data.draw(st.dictionaries(st.sampled_from(["a", "b"]), VALUES), label="kwargs")
            world.log.clear()
            if step == "call":
                result, caught = run_recording(lambda: getattr(manager.call, name)(*args, **kwargs))  # noqa: B023 - called within this iteration
                assert result is None
            else:
                result, caught = run_recording(lambda: manager.emit(name, *args, **kwargs))  # noqa: B023 - called within this iteration
            got = list(world.log)
            world.log.clear()
            expected_result, expected_caught = run_recording(
                lambda: fabric_call(model, name, *args, **kwargs)  # noqa: B023 - called within this iteration
            )
            assert len(got) == len(world.log)
            for (label, a, k), (expected_label, ea, ek) in zip(got, world.log, strict=True):
                assert label == expected_label
                assert same(a, ea) and k == ek and same(k.values(), ek.values())
            if step == "emit":
                assert result == expected_result
            assert caught == expected_caught
            assert same(
                manager.implementers(name),
                [cb for cb in model if callable(getattr(cb, name, None))],
            )
        assert same(manager.callbacks, model)
        assert len(manager) == len(model)
        assert all(cb in manager for cb in model)
