"""Differential test: the unchecked manager against Lightning Fabric 2.6's ``Fabric.call``.

Hypothesis draws callback classes whose hook attributes are methods with random signatures
(positional-only, positional-or-keyword and keyword-only parameters, defaults, ``*args``,
``**kwargs``), static methods, class methods, methods without a receiver parameter, properties,
instance attributes, ``__getattr__`` answers, callable objects with a declared (or unreadable)
``__signature__``, ``functools.wraps``-style wrappers, non-callable attributes and ``None``;
some of them raise. The callbacks are instances, classes, the same instance again and mocks.
It then draws a sequence of hook calls (hook name, positional and keyword arguments) and runs
it through the real ``Fabric.call`` and through ``CallbackManager(None, ...)``, by
``emit(name, ...)`` and by ``call.<name>(...)``, each run with fresh instances of the same
classes. Call by call, the runs must agree on which callbacks were called with which method and
which arguments (for a ``**kwargs``, also the order of its keywords), on the exception raised
(type and args) and on the warnings (category and message).

The documented divergences from ``Fabric.call`` (DESIGN.md, semantics 9), the only ones allowed:

- Lookups are cached per hook name until the registrations change. Here the registrations never
  change during a sequence and every attribute answers the same on each access, so this is not
  observable.
- An exception from a callback carries an extra note naming the callback: notes are not compared.
- The "not callable" warning points at the caller's line, where Fabric's points into its own
  ``call``: locations are not compared with Fabric's (protocall's must be the caller's line).
- Keywords named ``self`` or ``hook_name`` pass through to the callbacks, where Fabric's own
  signature ``call(self, hook_name, *args, **kwargs)`` rejects them with a ``TypeError``. For
  calls with such keywords the reference is Fabric's loop written out with Fabric's own keyword
  filter (``Fabric._filter_kwargs_for_callback``); the written-out loop is held equal to
  ``Fabric.call`` on every other call.

Lightning is installed on one CI Python only; without it this module is skipped.
"""

from __future__ import annotations

import inspect
import types
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, Protocol, TypeAlias, cast
from unittest.mock import Mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from protocall import CallbackManager

pytest.importorskip("lightning", minversion="2.6")  # the release whose call filters keywords
_lightning_fabric: Any = pytest.importorskip("lightning.fabric")


class _Fabric(Protocol):
    def call(self, hook_name: str, /, *args: Any, **kwargs: Any) -> None: ...


_KeywordFilter: TypeAlias = Callable[[Callable[..., Any], dict[str, Any]], dict[str, Any]]

FABRIC: Final[_Fabric] = _lightning_fabric.Fabric(callbacks=[], accelerator="cpu", devices=1)
"""One Fabric for all examples: only its callback list changes (Fabric itself appends to it)."""

FILTER_KWARGS: Final[_KeywordFilter] = getattr(FABRIC, "_filter_kwargs_for_callback")  # noqa: B009  # private to Fabric
"""Fabric 2.6's keyword filter, used by the written-out reference loop."""


def set_fabric_callbacks(callbacks: Sequence[object]) -> None:
    setattr(FABRIC, "_callbacks", list(callbacks))  # noqa: B010  # private to Fabric


HOOKS: Final = ("on_a", "on_b", "on_c")
PARAMETER_NAMES: Final = ("a", "b", "c", "args", "kwargs", "hook", "m0", "self", "hook_name")
"""Names of generated parameters: those the calls pass as keywords, and the two reserved ones."""
KEYWORDS: Final = ("a", "b", "c", "args", "kwargs", "hook", "m0", "class")
"""Keyword names of the calls compared with ``Fabric.call``."""
RESERVED_KEYWORDS: Final = ("self", "hook_name")
"""Keywords that ``Fabric.call`` itself takes: they pass through protocall (a divergence)."""
DEFAULT: Final = "default"
RECEIVER: Final = "this"
"""The receiver parameter of generated methods (not ``self``: that is a name calls may pass)."""

_P = inspect.Parameter
_KINDS: Final = (
    _P.POSITIONAL_ONLY,
    _P.POSITIONAL_OR_KEYWORD,
    _P.VAR_POSITIONAL,
    _P.KEYWORD_ONLY,
    _P.VAR_KEYWORD,
)

HookKind: TypeAlias = Literal[
    "method",
    "method without receiver",
    "staticmethod",
    "classmethod",
    "property returning a function",
    "instance attribute function",
    "__getattr__ function",
    "object with __signature__",
    "object with unreadable __signature__",
    "wrapper with __wrapped__",
    "class attribute 7",
    "class attribute None",
    "instance attribute 'text'",
    "instance attribute None",
    "property returning 7",
    "property returning None",
    "property raising AttributeError",
    "property raising LookupError",
]
CALLABLE_KINDS: Final[tuple[HookKind, ...]] = (
    "method",
    "method without receiver",
    "staticmethod",
    "classmethod",
    "property returning a function",
    "instance attribute function",
    "__getattr__ function",
    "object with __signature__",
    "object with unreadable __signature__",
    "wrapper with __wrapped__",
)
OTHER_KINDS: Final[tuple[HookKind, ...]] = (
    "class attribute 7",
    "class attribute None",
    "instance attribute 'text'",
    "instance attribute None",
    "property returning 7",
    "property returning None",
    "property raising AttributeError",
    "property raising LookupError",
)


# -- the drawn model ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Params:
    """A generated parameter list (without a receiver)."""

    parameters: tuple[inspect.Parameter, ...]

    def signature(self, *, receiver: bool = False) -> inspect.Signature:
        first = [_P(RECEIVER, _P.POSITIONAL_ONLY)] if receiver else []
        return inspect.Signature([*first, *self.parameters])

    def __repr__(self) -> str:
        return str(self.signature())


@dataclass(frozen=True)
class Hook:
    kind: HookKind
    params: Params | None = None
    raises: bool = False

    def __repr__(self) -> str:
        params = "" if self.params is None else f" {self.params!r}"
        return f"<{self.kind}{params}{' raises' if self.raises else ''}>"


@dataclass(frozen=True)
class Klass:
    hooks: tuple[tuple[str, Hook], ...]


EntryKind: TypeAlias = Literal["instance", "class", "again", "Mock()", "Mock(spec_set=[])"]
Entry: TypeAlias = tuple[EntryKind, int]
"""("instance", class index), ("class", class index), ("again", earlier entry index), mocks."""
Call: TypeAlias = tuple[str, tuple[int, ...], tuple[tuple[str, int], ...]]


@dataclass(frozen=True)
class Example:
    classes: tuple[Klass, ...]
    entries: tuple[Entry, ...]
    calls: tuple[Call, ...]


@st.composite
def params(draw: st.DrawFn) -> Params:
    names = draw(st.lists(st.sampled_from(PARAMETER_NAMES), unique=True, max_size=4))
    kinds = draw(st.lists(st.sampled_from(_KINDS), min_size=len(names), max_size=len(names)))
    for variadic in (_P.VAR_POSITIONAL, _P.VAR_KEYWORD):  # at most one of each
        seen = [i for i, kind in enumerate(kinds) if kind is variadic]
        for i in seen[1:]:
            kinds[i] = _P.KEYWORD_ONLY
    kinds.sort()
    positional = sum(kind <= _P.POSITIONAL_OR_KEYWORD for kind in kinds)
    with_defaults = draw(st.integers(0, positional))
    parameters: list[inspect.Parameter] = []
    for i, (name, kind) in enumerate(zip(names, kinds, strict=True)):
        if kind <= _P.POSITIONAL_OR_KEYWORD:
            default = DEFAULT if i >= positional - with_defaults else _P.empty
        elif kind is _P.KEYWORD_ONLY:
            default = DEFAULT if draw(st.booleans()) else _P.empty
        else:
            default = _P.empty
        parameters.append(_P(name, kind, default=default))
    return Params(tuple(parameters))


def hooks() -> st.SearchStrategy[Hook]:
    return st.one_of(
        st.builds(Hook, st.sampled_from(CALLABLE_KINDS), params(), st.booleans()),
        st.builds(Hook, st.sampled_from(OTHER_KINDS)),
    )


def klasses() -> st.SearchStrategy[Klass]:
    return st.dictionaries(st.sampled_from(HOOKS), hooks(), max_size=len(HOOKS)).map(
        lambda by_name: Klass(tuple(sorted(by_name.items())))
    )


def calls(keywords: Sequence[str]) -> st.SearchStrategy[tuple[Call, ...]]:
    call = st.tuples(
        st.sampled_from(HOOKS),
        st.lists(st.integers(0, 9), max_size=3).map(tuple),
        st.dictionaries(st.sampled_from(keywords), st.integers(0, 9), max_size=4).map(
            lambda kwargs: tuple(kwargs.items())
        )
        if keywords
        else st.just(()),
    )
    return st.lists(call, min_size=1, max_size=5).map(tuple)


@st.composite
def examples(draw: st.DrawFn, keywords: Sequence[str] = KEYWORDS) -> Example:
    classes = tuple(draw(st.lists(klasses(), min_size=1, max_size=4)))
    count = draw(st.integers(1, 6))
    entries: list[Entry] = []
    for index in range(count):
        kinds: list[EntryKind] = ["instance", "instance", "class", "Mock()", "Mock(spec_set=[])"]
        if index:
            kinds.extend(("again", "again"))
        kind = draw(st.sampled_from(kinds))
        if kind == "again":
            entries.append((kind, draw(st.integers(0, index - 1))))
        elif kind in ("instance", "class"):
            entries.append((kind, draw(st.integers(0, len(classes) - 1))))
        else:
            entries.append((kind, 0))
    return Example(classes, tuple(entries), draw(calls(keywords)))


# -- building fresh callbacks for one run ---------------------------------------------------------

Record: TypeAlias = tuple[str, str, dict[str, object]]
"""One callback call: (label, hook, the arguments it received by parameter name, in order)."""


class HookFailedError(Exception):
    """What a callback drawn to raise raises."""


class Run:
    """The callbacks of one run, built fresh from an :class:`Example`, and their call log."""

    def __init__(self, example: Example) -> None:
        self.log: list[Record] = []
        self._tags: dict[int, str] = {}
        classes = [self._build_class(i, klass) for i, klass in enumerate(example.classes)]
        self.callbacks: list[object] = []
        for kind, index in example.entries:
            if kind == "instance":
                callback: object = classes[index]()
                self._tags[id(callback)] = f"C{index}#{len(self.callbacks)}"
            elif kind == "class":
                callback = classes[index]
            elif kind == "again":
                callback = self.callbacks[index]
            elif kind == "Mock()":
                label = f"mock#{len(self.callbacks)}"
                effects = {f"{hook}.side_effect": self._mock_hook(label, hook) for hook in HOOKS}
                callback = Mock(**effects)
            else:
                callback = Mock(spec_set=[])
            self.callbacks.append(callback)

    def record(self, label: str, hook: str, arguments: dict[str, object], raises: bool) -> object:
        self.log.append((label, hook, {name: self.norm(v) for name, v in arguments.items()}))
        if raises:
            raise HookFailedError(label, hook)
        return (label, hook)

    def norm(self, value: object) -> object:
        """A comparable stand-in for an argument: run-specific objects become their tags.

        A dict (what ``**kwargs`` received) becomes the list of its items: the order in which
        the keywords arrive is compared too.
        """
        if isinstance(value, tuple):
            return tuple(self.norm(item) for item in cast(tuple[object, ...], value))
        if isinstance(value, dict):
            items = cast(dict[object, object], value).items()
            return [(k, self.norm(v)) for k, v in items]
        if isinstance(value, int | str):
            return value
        if isinstance(value, type):
            return f"class {value.__qualname__}"
        return self._tags.get(id(value), f"<a {type(value).__qualname__}>")

    def _mock_hook(self, label: str, hook: str) -> Callable[..., object]:
        def side_effect(*args: object, **kwargs: object) -> object:
            return self.record(label, hook, {"args": args, "kwargs": kwargs}, False)

        return side_effect

    def _function(
        self, label: str, hook: str, signature: inspect.Signature, raises: bool
    ) -> types.FunctionType:
        """A function of that signature that records the arguments it is given, by name."""
        arguments = ", ".join(f"{name!r}: {name}" for name in signature.parameters)
        source = (
            f"def {hook}{signature}:\n"
            f"    return _record_({label!r}, {hook!r}, {{{arguments}}}, {raises})\n"
        )
        namespace: dict[str, Any] = {"_record_": self.record}
        exec(source, namespace)  # noqa: S102
        function = namespace[hook]
        assert isinstance(function, types.FunctionType)
        function.__qualname__ = label
        return function

    def _build_class(self, index: int, klass: Klass) -> type:
        name = f"C{index}"
        namespace: dict[str, object] = {}
        instance_attributes: dict[str, object] = {}
        dynamic: dict[str, object] = {}
        for hook_name, hook in klass.hooks:
            label = f"{name}.{hook_name}"
            params = hook.params or Params(())

            def function(*, receiver: bool) -> types.FunctionType:
                signature = params.signature(receiver=receiver)  # noqa: B023 - called within this iteration
                return self._function(label, hook_name, signature, hook.raises)  # noqa: B023 - called within this iteration

            kind = hook.kind
            if kind == "method":
                namespace[hook_name] = function(receiver=True)
            elif kind == "method without receiver":
                namespace[hook_name] = function(receiver=False)
            elif kind == "staticmethod":
                namespace[hook_name] = staticmethod(function(receiver=False))
            elif kind == "classmethod":
                namespace[hook_name] = classmethod(function(receiver=True))
            elif kind == "property returning a function":
                namespace[hook_name] = _property(function(receiver=False))
            elif kind == "instance attribute function":
                instance_attributes[hook_name] = function(receiver=False)
            elif kind == "__getattr__ function":
                dynamic[hook_name] = function(receiver=False)
            elif kind == "object with __signature__":
                namespace[hook_name] = Declared(
                    self, label, hook_name, params.signature(), hook.raises
                )
            elif kind == "object with unreadable __signature__":
                namespace[hook_name] = Declared(self, label, hook_name, 42, hook.raises)
            elif kind == "wrapper with __wrapped__":
                namespace[hook_name] = self._wrapper(
                    label, hook_name, params.signature(receiver=True), hook.raises
                )
            elif kind == "class attribute 7":
                namespace[hook_name] = 7
            elif kind == "class attribute None":
                namespace[hook_name] = None
            elif kind == "instance attribute 'text'":
                instance_attributes[hook_name] = "text"
            elif kind == "instance attribute None":
                instance_attributes[hook_name] = None
            elif kind == "property returning 7":
                namespace[hook_name] = _property(7)
            elif kind == "property returning None":
                namespace[hook_name] = _property(None)
            elif kind == "property raising AttributeError":
                namespace[hook_name] = _raising_property(AttributeError, label)
            else:
                namespace[hook_name] = _raising_property(LookupError, label)
        if instance_attributes:

            def __init__(self: object) -> None:  # noqa: N807 - the class's own __init__
                for attribute, value in instance_attributes.items():
                    setattr(self, attribute, value)

            namespace["__init__"] = __init__
        if dynamic:

            def __getattr__(self: object, attribute: str) -> object:  # noqa: N807 - the class's own __getattr__
                if attribute in dynamic:
                    return dynamic[attribute]
                raise AttributeError(attribute)

            namespace["__getattr__"] = __getattr__
        return type(name, (), namespace)

    def _wrapper(
        self, label: str, hook: str, signature: inspect.Signature, raises: bool
    ) -> Callable[..., object]:
        """A function taking anything whose ``__wrapped__`` declares ``signature``."""

        def wrapper(*args: object, **kwargs: object) -> object:
            return self.record(label, hook, {"args": args, "kwargs": kwargs}, raises)

        wrapped = self._function(f"{label}.wrapped", hook, signature, raises)
        wrapper.__wrapped__ = wrapped  # type: ignore[attr-defined]
        return wrapper


class Declared:
    """A callable object taking anything, whose ``__signature__`` says otherwise (or isn't one)."""

    def __init__(self, run: Run, label: str, hook: str, signature: object, raises: bool) -> None:
        self.__signature__ = signature
        self._call = (run, label, hook, raises)

    def __call__(self, *args: object, **kwargs: object) -> object:
        run, label, hook, raises = self._call
        return run.record(label, hook, {"args": args, "kwargs": kwargs}, raises)


def _property(value: object) -> property:
    def get(self: object) -> object:
        return value

    return property(get)


def _raising_property(error: type[Exception], label: str) -> property:
    def get(self: object) -> object:
        raise error(label)

    return property(get)


# -- running a sequence ---------------------------------------------------------------------------

Dispatch: TypeAlias = Callable[[str, tuple[int, ...], dict[str, int]], object]
Error: TypeAlias = tuple[type[BaseException], tuple[object, ...]]


@dataclass
class Outcome:
    """What one hook call did: the callback calls, the exception, the warnings."""

    calls: list[Record]
    error: Error | None
    warned: list[tuple[type[Warning], str]]


def run_calls(run: Run, dispatch: Dispatch, calls: Sequence[Call], *, ours: bool) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for hook, args, kwargs in calls:
        start = len(run.log)
        error: Error | None = None
        result: object = None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = dispatch(hook, args, dict(kwargs))
            except Exception as exc:  # noqa: BLE001
                error = (type(exc), exc.args)
        made = run.log[start:]
        if ours:
            # Documented divergence: protocall's warning points at the caller's line.
            where = [(w.filename, w.lineno) for w in caught]
            assert all(filename == __file__ for filename, _ in where), where
        if isinstance(result, list) and error is None:
            # emit returns what each implementer returned, in call order
            assert result == [(label, name) for label, name, _ in made]
        outcomes.append(Outcome(made, error, [(w.category, str(w.message)) for w in caught]))
    return outcomes


def via_fabric(example: Example) -> list[Outcome]:
    run = Run(example)
    set_fabric_callbacks(run.callbacks)

    def dispatch(hook: str, args: tuple[int, ...], kwargs: dict[str, int]) -> object:
        FABRIC.call(hook, *args, **kwargs)
        return None

    try:
        return run_calls(run, dispatch, example.calls, ours=False)
    finally:
        set_fabric_callbacks([])


def via_fabric_loop(example: Example) -> list[Outcome]:
    """``Fabric.call`` written out, with Fabric's own keyword filter: takes any keyword."""
    run = Run(example)

    def dispatch(hook_name: str, args: tuple[int, ...], kwargs: dict[str, int]) -> object:
        for callback in run.callbacks:
            method = getattr(callback, hook_name, None)
            if method is None:
                continue
            if not callable(method):
                name = f"{type(callback).__name__}.{hook_name}"
                warnings.warn(
                    f"Skipping the callback `{name}` because it is not callable.", stacklevel=1
                )
                continue
            method(*args, **FILTER_KWARGS(method, kwargs))
        return None

    return run_calls(run, dispatch, example.calls, ours=False)


def via_emit(example: Example) -> list[Outcome]:
    run = Run(example)
    manager = CallbackManager(None, run.callbacks)

    def dispatch(hook: str, args: tuple[int, ...], kwargs: dict[str, int]) -> object:
        return manager.emit(hook, *args, **kwargs)

    return run_calls(run, dispatch, example.calls, ours=True)


def via_call(example: Example) -> list[Outcome]:
    run = Run(example)
    manager = CallbackManager(None, run.callbacks)

    def dispatch(hook: str, args: tuple[int, ...], kwargs: dict[str, int]) -> object:
        caller: Callable[..., object] = getattr(manager.call, hook)
        return caller(*args, **kwargs)

    return run_calls(run, dispatch, example.calls, ours=True)


def _hook(kind: HookKind, *parameters: inspect.Parameter) -> Hook:
    return Hook(kind, Params(parameters))


def _one_class(
    hook: Hook, *calls: Call, entries: tuple[Entry, ...] = (("instance", 0),)
) -> Example:
    return Example((Klass((("on_a", hook),)),), entries, calls)


KNOWN_CASES: Final = (
    # keywords a method does not name are left out
    _one_class(_hook("method"), ("on_a", (), (("a", 0),))),
    # ... and those it keeps are passed in the order of its signature
    _one_class(
        _hook("object with __signature__", _P("a", _P.KEYWORD_ONLY), _P("b", _P.KEYWORD_ONLY)),
        ("on_a", (), (("b", 0), ("a", 1))),
    ),
    _one_class(
        _hook("method", _P("a", _P.POSITIONAL_OR_KEYWORD), _P("args", _P.VAR_POSITIONAL)),
        ("on_a", (1,), (("args", 2), ("a", 3))),
    ),
    # a positional-only name is kept (and fails); an unreadable signature keeps every keyword
    _one_class(_hook("method", _P("a", _P.POSITIONAL_ONLY)), ("on_a", (), (("a", 0),))),
    _one_class(_hook("method without receiver"), ("on_a", (), (("a", 0),))),
    _one_class(_hook("object with unreadable __signature__"), ("on_a", (), (("b", 0), ("a", 1)))),
    # a lookup that raises comes after the earlier callbacks' calls
    Example(
        (
            Klass((("on_a", _hook("method")),)),
            Klass((("on_a", Hook("property raising LookupError")),)),
        ),
        (("instance", 0), ("instance", 1)),
        (("on_a", (), ()),),
    ),
    # a non-callable attribute warns on every call, named after type(callback)
    _one_class(
        Hook("property returning 7"),
        ("on_a", (), ()),
        ("on_a", (), ()),
        entries=(("instance", 0), ("class", 0)),
    ),
)
"""Small cases of each way protocall has been seen to differ, always run first."""


def assert_same(expected: list[Outcome], actual: list[Outcome], how: str) -> None:
    for i, (want, got) in enumerate(zip(expected, actual, strict=True)):
        assert got == want, f"call #{i} through {how}:\n  expected {want}\n  got      {got}"


def _known_cases(test: Callable[[Example], None]) -> Callable[[Example], None]:
    for case in reversed(KNOWN_CASES):
        test = example(case)(test)
    return test


@given(examples())
@_known_cases
def test_unchecked_manager_does_what_fabric_call_does(case: Example) -> None:
    fabric = via_fabric(case)
    assert_same(fabric, via_fabric_loop(case), "the written-out Fabric loop")
    assert_same(fabric, via_emit(case), "emit(name, ...)")
    assert_same(fabric, via_call(case), "call.<name>(...)")


def _again_and_reordered(example: Example) -> Example:
    """Each call made twice, then with its keywords in reverse order. An unchecked hook's entry
    makes calls of the shape of its first call itself (``_unchecked._ByName.written``): the
    repeats go that way, the other shapes through the dispatcher written for each."""
    calls = tuple(
        again
        for hook, args, kwargs in example.calls
        for again in ((hook, args, kwargs), (hook, args, kwargs), (hook, args, kwargs[::-1]))
    )
    return Example(example.classes, example.entries, calls)


@given(examples().map(_again_and_reordered))
def test_repeated_and_reordered_calls_do_what_fabric_call_does(case: Example) -> None:
    fabric = via_fabric(case)
    assert_same(fabric, via_emit(case), "emit(name, ...)")
    assert_same(fabric, via_call(case), "call.<name>(...)")


@settings(max_examples=100)  # a narrower check than the one above: a smaller budget in CI
@given(examples(keywords=KEYWORDS + RESERVED_KEYWORDS))
@example(_one_class(_hook("method"), ("on_a", (), (("self", 0), ("hook_name", 1)))))
@example(
    _one_class(
        _hook("method", _P("self", _P.POSITIONAL_OR_KEYWORD), _P("hook_name", _P.KEYWORD_ONLY)),
        ("on_a", (), (("hook_name", 1), ("self", 0))),
    )
)
@example(
    _one_class(
        _hook("object with __signature__", _P("kwargs", _P.VAR_KEYWORD)),
        ("on_a", (), (("hook_name", 1), ("self", 0))),
    )
)
def test_keywords_self_and_hook_name_pass_through_filtered_as_fabric_filters_others(
    case: Example,
) -> None:
    reference = via_fabric_loop(case)
    assert_same(reference, via_emit(case), "emit(name, ...)")
    assert_same(reference, via_call(case), "call.<name>(...)")
