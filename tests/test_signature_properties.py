"""Property test: registration accepts exactly the implementations that accept every hook call.

We generate a hook signature (positional-only, positional-or-keyword and keyword-only parameters,
some with defaults, maybe ``*args`` and ``**kw``) and derive an implementation signature from it by
random mutations (rename, change kind, add or drop a default, drop, add, swap, add or drop
``*args``/``**kw``, flip ``async``). An oracle written here from first principles decides whether
the implementation can accept every call that the hook allows (DESIGN.md, semantics 3):

* :func:`binds` is Python's argument binding, parameter by parameter;
* :func:`hook_calls` enumerates the hook's calls exhaustively, up to equivalence: how many
  arguments go by position, which keyword-able parameters go by keyword, and, when the hook takes
  ``**kw``, one extra keyword whose name is any parameter name of either side or a fresh one.

The oracle itself is checked against real Python calls of ``exec``-generated functions. Then a
real class with that method is registered: accepted exactly when the oracle says valid, else a
:class:`RegistrationError` that names the class and the hook. An accepted callback is dispatched
every hook call (``emit`` and ``call``) and must receive exactly the argument objects it is due.

The regression tests at the end are minimal examples of four disagreements this property found
(all fixed in the runtime since).

``KEYWORD_ONLY_SUBSETS`` switches the rule of issue 4 (a callback may declare only some of a
hook's keyword-only parameters and receives just those) on or off in the oracle.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, replace
from typing import Any, Final, Literal, Protocol, cast

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from protocall import CallbackManager, RegistrationError

KEYWORD_ONLY_SUBSETS: bool = True
"""Issue 4, item 3 (argument subsets): an implementation may leave out keyword-only parameters of
the hook and is then passed only the ones it declares (with ``**kwargs``, it is passed all).
False restores the core rule: every keyword-only parameter must be declared (or ``**kwargs``)."""

Kind = Literal["posonly", "pos", "kwonly"]
KINDS: Final[tuple[Kind, ...]] = ("posonly", "pos", "kwonly")
NAMES: Final[tuple[str, ...]] = ("a", "b", "c", "d", "e", "f")
FRESH: Final = "zz"
"""A keyword name that neither side declares."""
HOOK: Final = "on_event"


@dataclass(frozen=True)
class Param:
    name: str
    kind: Kind
    default: bool


@dataclass(frozen=True)
class Sig:
    """A signature without ``self``: named parameters in order, ``*args``, ``**kw``, async."""

    params: tuple[Param, ...]
    varargs: bool = False
    varkw: bool = False
    is_async: bool = False

    @property
    def positional(self) -> list[Param]:
        return [p for p in self.params if p.kind != "kwonly"]

    @property
    def by_keyword(self) -> dict[str, Param]:
        """The parameters a keyword argument can fill: not positional-only."""
        return {p.name: p for p in self.params if p.kind != "posonly"}

    def source(self) -> str:
        """The parameter list, as written after ``self`` in a ``def``."""
        parts: list[str] = []
        for kind in KINDS:
            if kind == "kwonly":
                if self.varargs:
                    parts.append("*args")
                elif any(p.kind == "kwonly" for p in self.params):
                    parts.append("*")
            parts += [
                f"{p.name}=None" if p.default else p.name for p in self.params if p.kind == kind
            ]
            if kind == "posonly" and any(p.kind == "posonly" for p in self.params):
                parts.append("/")
        if self.varkw:
            parts.append("**kw")
        return ", ".join(parts)

    def names(self) -> set[str]:
        names = {p.name for p in self.params}
        if self.varargs:
            names.add("args")
        if self.varkw:
            names.add("kw")
        return names


def canonical(sig: Sig) -> Sig:
    """A valid signature close to ``sig``: unique names, parameters sorted by kind (stably), and
    no required positional parameter after one with a default (the earlier ones lose theirs)."""
    seen: set[str] = set()
    params: list[Param] = []
    for p in sig.params:
        if p.name not in seen:
            seen.add(p.name)
            params.append(p)
    params.sort(key=lambda p: KINDS.index(p.kind))
    required_after = False
    for i in reversed(range(len(params))):
        p = params[i]
        if p.kind == "kwonly":
            continue
        if not p.default:
            required_after = True
        elif required_after:
            params[i] = replace(p, default=False)
    return replace(sig, params=tuple(params))


# -- the oracle --------------------------------------------------------------------------------

Call = tuple[int, frozenset[str]]
"""A call shape: the number of positional arguments and the names of the keyword arguments."""


def binds(sig: Sig, call: Call) -> bool:
    """Whether Python binds a call of this shape to ``sig`` (without raising TypeError)."""
    count, keywords = call
    positional = sig.positional
    if count > len(positional) and not sig.varargs:
        return False  # too many positional arguments
    filled = {p.name for p in positional[:count]}
    by_keyword = sig.by_keyword
    for name in keywords:
        if name not in by_keyword:
            if not sig.varkw:
                return False  # unexpected keyword argument
            continue  # into **kw (also when named like a positional-only parameter)
        if name in filled:
            return False  # multiple values for the argument
        filled.add(name)
    return all(p.default or p.name in filled for p in sig.params)  # else: missing argument


def hook_calls(hook: Sig, implementation: Sig) -> Iterator[Call]:
    """Every call shape that the hook allows, up to equivalence for the implementation.

    Positional counts go past what either side can take by position; keyword sets are every
    subset of the hook's keyword-able parameters plus, if the hook takes ``**kw``, no or one extra
    keyword (one suffices: two extras fail only if one alone does), freshly named or named like
    any parameter: the hook's ``**kw`` takes ``x=`` even when ``x`` is one of its positional-only
    parameters, and the implementation may have a parameter ``x`` that the same call fills by
    position.
    """
    fixed = len(hook.positional)
    most = fixed + (len(implementation.positional) + 2 if hook.varargs else 0)
    keywordable = sorted(hook.by_keyword)
    extras: list[str | None] = [None]
    if hook.varkw:
        extras += sorted(hook.names() | implementation.names() | {FRESH})
    for count in range(most + 1):
        for size in range(len(keywordable) + 1):
            for chosen in itertools.combinations(keywordable, size):
                for extra in extras:
                    if extra in chosen:
                        continue
                    call = (count, frozenset([*chosen, extra] if extra else chosen))
                    if binds(hook, call):
                        yield call


def delivered(hook: Sig, implementation: Sig, call: Call, *, keyword_subsets: bool) -> Call:
    """The call the implementation receives for a hook call: the same, unless keyword subsets are
    on and the implementation (without ``**kw``) leaves out some of the hook's keyword-only ones."""
    if not keyword_subsets or implementation.varkw:
        return call
    count, keywords = call
    keyword_only = {p.name for p in hook.params if p.kind == "kwonly"}
    declared = implementation.by_keyword
    return count, frozenset(k for k in keywords if k not in keyword_only or k in declared)


def rejected_call(hook: Sig, implementation: Sig, *, keyword_subsets: bool) -> Call | None:
    """A hook call the implementation cannot accept, or None if it accepts them all."""
    for call in hook_calls(hook, implementation):
        if not binds(
            implementation, delivered(hook, implementation, call, keyword_subsets=keyword_subsets)
        ):
            return call
    return None


def lands(sig: Sig, *, position: int | None = None, keyword: str | None = None) -> str:
    """The parameter of ``sig`` that an argument reaches, given by position or by keyword."""
    if position is not None:
        positional = sig.positional
        return positional[position].name if position < len(positional) else "*args"
    assert keyword is not None
    return sig.by_keyword[keyword].name if keyword in sig.by_keyword else "**kw"


def consistent(hook: Sig, implementation: Sig) -> bool:
    """Each positional-or-keyword hook parameter reaches the same implementation parameter by
    position and by keyword (or the catch-alls both ways): callers may use either form."""
    for index, p in enumerate(hook.positional):
        if p.kind != "pos":
            continue
        by_position = lands(implementation, position=index)
        by_keyword = lands(implementation, keyword=p.name)
        if by_position != by_keyword and (by_position, by_keyword) != ("*args", "**kw"):
            return False
    return True


def is_valid(hook: Sig, implementation: Sig, *, keyword_subsets: bool) -> bool:
    """The oracle: same sync/async kind, every hook call is accepted, and arguments reach the
    same parameters however the caller passes them."""
    return (
        hook.is_async == implementation.is_async
        and rejected_call(hook, implementation, keyword_subsets=keyword_subsets) is None
        and consistent(hook, implementation)
    )


# -- generation --------------------------------------------------------------------------------


@st.composite
def hook_signatures(draw: st.DrawFn) -> Sig:
    names = list(draw(st.permutations(NAMES)))
    counts = [draw(st.integers(0, 2), label=f"{kind} count") for kind in KINDS]
    params: list[Param] = []
    for kind, count in zip(KINDS, counts, strict=True):
        params += [
            Param(names.pop(), kind, draw(st.booleans(), label="default")) for _ in range(count)
        ]
    return canonical(
        Sig(
            tuple(params),
            varargs=draw(st.booleans()),
            varkw=draw(st.booleans()),
            is_async=draw(st.booleans()),
        )
    )


Mutation = Callable[[Sig], Sig]


@st.composite
def mutations(draw: st.DrawFn, sig: Sig) -> Mutation:
    """One random change to a signature (parameters picked by index, modulo their number)."""
    what = draw(
        st.sampled_from(
            ["rename", "kind", "default", "drop", "add", "swap", "varargs", "varkw", "async"]
        )
    )
    i, j = draw(st.integers(0, 4)), draw(st.integers(0, 4))
    name = draw(st.sampled_from(NAMES))
    kind = draw(st.sampled_from(KINDS))
    default = draw(st.booleans())

    def mutate(sig: Sig) -> Sig:
        params = list(sig.params)
        if what == "add":
            params.insert(i % (len(params) + 1), Param(name, kind, default))
        elif what == "varargs":
            return replace(sig, varargs=not sig.varargs)
        elif what == "varkw":
            return replace(sig, varkw=not sig.varkw)
        elif what == "async":
            return replace(sig, is_async=not sig.is_async)
        elif not params:
            return sig
        elif what == "rename":
            params[i % len(params)] = replace(params[i % len(params)], name=name)
        elif what == "kind":
            params[i % len(params)] = replace(params[i % len(params)], kind=kind)
        elif what == "default":
            p = params[i % len(params)]
            params[i % len(params)] = replace(p, default=not p.default)
        elif what == "drop":
            del params[i % len(params)]
        else:
            a, b = i % len(params), j % len(params)
            params[a], params[b] = params[b], params[a]
        return replace(sig, params=tuple(params))

    mutate.__qualname__ = f"{what}(i={i}, j={j}, name={name}, kind={kind}, default={default})"
    return mutate


@st.composite
def hook_and_implementation(draw: st.DrawFn) -> tuple[Sig, Sig]:
    hook = draw(hook_signatures(), label="hook")
    implementation = hook
    for _ in range(draw(st.integers(0, 3), label="mutations")):
        implementation = canonical(
            draw(mutations(implementation), label="mutation")(implementation)
        )
    return hook, implementation


# -- real functions and classes ----------------------------------------------------------------

_counter = itertools.count()


def define(source: str, name: str) -> Any:
    namespace: dict[str, Any] = {"Protocol": Protocol}
    exec(source, namespace)  # noqa: S102
    return namespace[name]


def function(sig: Sig) -> Callable[..., object]:
    """A function with this signature that returns the arguments it received."""
    head = "async def" if sig.is_async else "def"
    return cast(
        Callable[..., object], define(f"{head} f({sig.source()}):\n    return dict(locals())", "f")
    )


def arguments(call: Call) -> tuple[tuple[object, ...], dict[str, object]]:
    """Distinct argument objects for a call shape (the same objects for the same shape)."""
    count, keywords = call
    return tuple(_POSITIONAL[:count]), {k: _KEYWORD[k] for k in sorted(keywords)}


_POSITIONAL: Final = [object() for _ in range(16)]
_KEYWORD: Final = {name: object() for name in (*NAMES, "args", "kw", FRESH)}


def flatten(received: dict[str, object]) -> list[object]:
    """The argument objects a generated function received (its locals), less its defaults."""
    values: list[object] = []
    for name, value in received.items():
        if name == "args":
            values += cast(tuple[object, ...], value)
        elif name == "kw":
            values += cast(dict[str, object], value).values()
        elif value is not None:
            values.append(value)
    return values


def run(result: object) -> object:
    """The value of a coroutine that never suspends (our implementations do not await)."""
    if not isinstance(result, Coroutine):
        return result
    coroutine = cast(Coroutine[Any, Any, object], result)
    try:
        coroutine.send(None)
    except StopIteration as stop:
        return cast(object, stop.value)
    coroutine.close()
    raise AssertionError("the coroutine suspended")


def real_binds(f: Callable[..., object], call: Call) -> bool:
    args, kwargs = arguments(call)
    try:
        result = f(*args, **kwargs)
    except TypeError:
        return False
    run(result)
    return True


def all_call_shapes(hook: Sig, implementation: Sig) -> Iterator[Call]:
    """The hook's calls and some it does not allow, to check :func:`binds` against Python."""
    names = sorted(hook.names() | implementation.names() | {FRESH})
    for count in range(len(hook.positional) + len(implementation.positional) + 2):
        for size in range(3):
            for chosen in itertools.combinations(names, size):
                yield count, frozenset(chosen)


def check_oracle_against_python(hook: Sig, implementation: Sig) -> None:
    hook_function, implementation_function = function(hook), function(implementation)
    for call in all_call_shapes(hook, implementation):
        assert binds(hook, call) == real_binds(hook_function, call), (hook.source(), call)
        assert binds(implementation, call) == real_binds(implementation_function, call), (
            implementation.source(),
            call,
        )
    for call in hook_calls(hook, implementation):
        assert real_binds(hook_function, call), (hook.source(), call)


def make_classes(hook: Sig, implementation: Sig) -> tuple[type, type]:
    number = next(_counter)
    spec = define(
        f"class Spec{number}(Protocol):\n"
        f"    {'async ' if hook.is_async else ''}def {HOOK}(self, {hook.source()}) -> None: ...\n",
        f"Spec{number}",
    )
    implementation_class = define(
        f"class Impl{number}:\n"
        f"    {'async ' if implementation.is_async else ''}def {HOOK}(self, {implementation.source()}):\n"
        f"        return dict(locals())\n",
        f"Impl{number}",
    )
    return cast(type, spec), cast(type, implementation_class)


# -- the property --------------------------------------------------------------------------------


def P(name: str, kind: Kind, default: bool = False) -> Param:  # noqa: N802  # reads like a literal
    return Param(name, kind, default)


@settings(max_examples=500)
@given(pair=hook_and_implementation())
# A renamed positional-or-keyword parameter: callers may pass it by keyword (DESIGN.md, semantics 3).
@example(pair=(Sig((P("a", "pos"),)), Sig((P("b", "pos"),))))
# Keyword-only parameters left out (issue 4's subsets), or all taken by **kw.
@example(pair=(Sig((P("a", "kwonly"), P("b", "kwonly"))), Sig((P("a", "kwonly"),))))
@example(pair=(Sig((P("a", "kwonly"), P("b", "kwonly"))), Sig((P("a", "kwonly"),), varkw=True)))
# Positional-only in the hook may be anything positional in the implementation, under any name.
@example(pair=(Sig((P("a", "posonly"),)), Sig((P("b", "pos", True),))))
# A default in the hook needs a default in the implementation.
@example(pair=(Sig((P("a", "pos", True),)), Sig((P("a", "pos"),))))
def test_registration_accepts_exactly_the_valid_implementations(pair: tuple[Sig, Sig]) -> None:
    hook, implementation = pair
    check_oracle_against_python(hook, implementation)
    valid = is_valid(hook, implementation, keyword_subsets=KEYWORD_ONLY_SUBSETS)
    spec, implementation_class = make_classes(hook, implementation)
    manager = CallbackManager(cast(Callable[..., object], spec))
    callback = implementation_class()
    rejected = rejected_call(hook, implementation, keyword_subsets=KEYWORD_ONLY_SUBSETS)
    described = (
        f"hook: {'async ' if hook.is_async else ''}({hook.source()}), implementation: "
        f"{'async ' if implementation.is_async else ''}({implementation.source()}), "
        f"oracle: {'valid' if valid else f'invalid, rejected call {rejected}'}"
    )
    error: Exception | None = None
    try:
        manager.register(callback)
    except RegistrationError as exc:
        error = exc
        message = str(exc)
        assert implementation_class.__qualname__ in message, message
        assert f"{spec.__qualname__}.{HOOK}" in message, message
        assert len(manager) == 0
    assert (error is None) == valid, f"{described}; runtime: {error or 'accepted'}"
    if not valid:
        return
    # Dispatch every hook call: the implementation gets exactly the argument objects it is due.
    for call in hook_calls(hook, implementation):
        args, kwargs = arguments(call)
        due_args, due_kwargs = arguments(
            delivered(hook, implementation, call, keyword_subsets=KEYWORD_ONLY_SUBSETS)
        )
        due = sorted(map(id, [*due_args, *due_kwargs.values()]))
        results = run(manager.emit(HOOK, *args, **kwargs))
        assert isinstance(results, list) and len(cast(list[object], results)) == 1, results
        received = cast(dict[str, object], cast(list[object], results)[0])
        assert received.pop("self") is callback
        assert sorted(map(id, flatten(received))) == due, (described, call, received)
        assert run(getattr(manager.call, HOOK)(*args, **kwargs)) is None


def test_oracle_can_switch_on_keyword_only_subsets() -> None:
    """The flag of issue 4 changes exactly the keyword-only rule."""
    hook = Sig((P("a", "pos"), P("b", "kwonly"), P("c", "kwonly", True)))
    only_b = Sig((P("a", "pos"), P("b", "kwonly")))
    nothing = Sig((P("a", "pos"),))
    renamed = Sig((P("x", "pos"), P("b", "kwonly")))
    assert not is_valid(hook, only_b, keyword_subsets=False)
    assert not is_valid(hook, nothing, keyword_subsets=False)
    assert is_valid(hook, only_b, keyword_subsets=True)
    assert is_valid(hook, nothing, keyword_subsets=True)
    assert not is_valid(
        hook, renamed, keyword_subsets=True
    )  # positional-or-keyword: still required
    assert delivered(hook, only_b, (1, frozenset({"b", "c"})), keyword_subsets=True) == (
        1,
        frozenset({"b"}),
    )


# -- regressions found by the property ---------------------------------------------------------


def test_rejecting_a_hook_with_positional_only_parameters() -> None:
    """Was: the fix in the message put ``self`` (positional-or-keyword) before the hook's
    positional-only parameters, so rejecting raised ValueError instead of RegistrationError."""

    class PositionalOnly(Protocol):
        def on_event(self, x: int, /) -> None: ...

    class TakesNothing:
        def on_event(self) -> None: ...

    manager = CallbackManager(PositionalOnly)
    with pytest.raises(RegistrationError, match=r"TakesNothing.*PositionalOnly\.on_event"):
        manager.register(TakesNothing())


def test_extra_keyword_named_like_a_parameter() -> None:
    """Was: the keyword probing a hook's ``**kwargs`` was a fresh name only, so an implementation
    that fails on a keyword named like one of its positional parameters was accepted."""

    class TakesExtras(Protocol):
        def on_event(self, x: int, /, **kwargs: object) -> None: ...

    class NamesIt:  # on_event(1, x=2) is a valid hook call, but fails here: two values for x
        def on_event(self, x: int, **kwargs: object) -> None: ...

    with pytest.raises(TypeError):
        cast(Any, NamesIt()).on_event(1, x=2)
    manager = CallbackManager(TakesExtras)
    with pytest.raises(RegistrationError, match=r"NamesIt.*TakesExtras\.on_event"):
        manager.register(NamesIt())


def test_number_of_extra_positionals() -> None:
    """Was: a hook's ``*args`` was probed with exactly two extra positional arguments, so an
    implementation needing one, or taking at most two, was accepted."""

    class TakesArgs(Protocol):
        def on_event(self, *args: int) -> None: ...

    class NeedsOne:  # on_event() is a valid hook call but fails here
        def on_event(self, x: int, *args: int) -> None: ...

    with pytest.raises(TypeError):
        cast(Any, NeedsOne()).on_event()

    class TakesTwo:  # on_event(1, 2, 3) is a valid hook call but fails here
        def on_event(self, a: int = 0, b: int = 0) -> None: ...

    manager = CallbackManager(TakesArgs)
    with pytest.raises(RegistrationError, match=r"NeedsOne.*TakesArgs\.on_event"):
        manager.register(NeedsOne())
    with pytest.raises(RegistrationError, match=r"TakesTwo.*TakesArgs\.on_event"):
        manager.register(TakesTwo())


def test_positional_only_name_passed_into_kwargs() -> None:
    """Was (Python < 3.13): ``inspect.Signature.bind`` refuses ``f=`` for ``(f=0, /, **kwargs)``
    although Python binds it into ``kwargs``, so this valid implementation was rejected on 3.11
    and 3.12 and accepted on 3.13."""

    class KeywordOnly(Protocol):
        def on_event(self, *, f: int = 0) -> None: ...

    class IntoKwargs:
        def on_event(self, f: int = 0, /, **kwargs: int) -> None: ...

    IntoKwargs().on_event(f=1)  # Python accepts it: f=1 goes into kwargs
    CallbackManager(KeywordOnly).register(IntoKwargs())
