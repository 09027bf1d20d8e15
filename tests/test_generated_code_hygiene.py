"""Generated dispatch code cannot be broken by the names a user chooses (semantics 17).

Dispatchers may be generated as Python source, with the hook's own parameter names. No hook
name, parameter name or keyword argument may then shadow a name that the generated code relies on
(``BaseException`` in an ``except`` clause, ``enumerate`` in a loop, a helper such as ``fail``
or ``_pc_exc``), and a name that is not an identifier must never reach ``compile``. The tests
build specs from source text (``exec``) with parameter names drawn from ``dir(builtins)``, soft
keywords and keyword-like names, ``_pc_`` names, ``self``-like names and the names a dispatcher
would naturally use, and check that every implementer receives exactly the arguments of the
call, and that an exception raised by a callback surfaces as itself (same object), with a note
naming the callback class and the hook.
"""

from __future__ import annotations

import asyncio
import builtins
import inspect
import keyword
import re
import types
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, cast

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from protocall import CallbackManager, HookErrorGroup

BUILTIN_NAMES = sorted(
    name
    for name in dir(builtins)
    if name.isidentifier() and not keyword.iskeyword(name) and name != "__debug__"
)
KEYWORD_LIKE = [
    *keyword.softkwlist,
    "print",
    "exec",
    "async_",
    "await_",
    "class_",
    "def_",
    "lambda_",
    "None_",
    "True_",
    "yield_",
    "__class__",
    "__builtins__",
    "__name__",
    "__qualname__",
    "__module__",
]
SELF_LIKE = ["self", "self_", "_self", "cls", "this", "me", "zelf"]
PC_NAMES = [
    "_pc_",
    "_pc_fail",
    "_pc_exc",
    "_pc_m",
    "_pc_m0",
    "_pc_m1",
    "_pc_r",
    "_pc_i",
    "_pc_methods",
    "_pc_dispatch",
    "_pc_factory",
    "_pc_args",
    "_pc_kwargs",
    "_pc_results",
    "_pc_errors",
    "_pc_handle",
    "_pc_finish",
    "_pc_p0",
]
HELPER_LIKE = [
    "exc",
    "fail",
    "m",
    "m0",
    "m1",
    "method",
    "methods",
    "result",
    "results",
    "error",
    "errors",
    "handle",
    "finish",
    "dispatch",
    "dispatcher",
    "factory",
    "args",
    "kwargs",
    "r",
    "i",
    "target",
    "targets",
    "callback",
    "callbacks",
    "hook",
    "hook_name",
    "manager",
    "note",
    "asyncio",
    "missing",
    "first",
    "index",
    "call",
    "emit",
    "group",
    "policy",
    "warnings",
]
NAME_POOL = sorted(set(BUILTIN_NAMES + KEYWORD_LIKE + SELF_LIKE + PC_NAMES + HELPER_LIKE))
LIKELY_USED = [
    "BaseException",
    "Exception",
    "enumerate",
    "len",
    "list",
    "next",
    "range",
    "tuple",
    "dict",
    "isinstance",
    "exc",
    "fail",
    "m0",
    "results",
    "self",
]
"""Names that generated dispatch code is most likely to use itself: drawn half of the time."""
HOOK_NAMES = [
    "on_hook",
    "fail",
    "exc",
    "dispatch",
    "emit",
    "call",
    "first",
    "register",
    "print",
    "match",
    "callbacks",
    "_pc_dispatch",
    "_pc_factory",
    "m0",
]

RECEIVER = "zz_self"
"""The name of every spec and implementer method's first parameter (never drawn)."""


class CallbackError(Exception):
    """What a failing implementer raises."""


@dataclass
class Case:
    """One drawn hook: its parameters, implementers and the call made to it."""

    hook: str
    positional_only: list[str]
    positional: list[str]
    var_positional: str | None
    keyword_only: list[str]
    var_keyword: str | None
    defaults: set[str]
    is_async: bool
    kinds: list[str]
    subsets: list[list[str]]
    inherit: list[bool]
    raiser: int | None
    mode: str
    errors: Literal["raise", "collect"]
    passed_by_position: int
    extra_positional: int
    extra_keywords: list[str]
    omitted: set[str]
    recorded: list[tuple[str, object]] = field(default_factory=lambda: list[tuple[str, object]]())


DEFAULT = object()
"""The default value of every defaulted parameter, in the spec and in the implementers."""


def parameter_list(case: Case, keyword_only: list[str] | None = None) -> str:
    """The parameter list (after the receiver) of a spec or implementer method."""
    kw = case.keyword_only if keyword_only is None else keyword_only
    parts: list[str] = []
    for name in case.positional_only:
        parts.append(f"{name}=zz_default" if name in case.defaults else name)
    if case.positional_only:
        parts.append("/")
    for name in case.positional:
        parts.append(f"{name}=zz_default" if name in case.defaults else name)
    if case.var_positional:
        parts.append(f"*{case.var_positional}")
    elif kw:
        parts.append("*")
    for name in kw:
        parts.append(f"{name}=zz_default" if name in case.defaults else name)
    if case.var_keyword:
        parts.append(f"**{case.var_keyword}")
    return ", ".join([RECEIVER, *parts])


def all_names(case: Case) -> list[str]:
    names = [*case.positional_only, *case.positional]
    if case.var_positional:
        names.append(case.var_positional)
    names += case.keyword_only
    if case.var_keyword:
        names.append(case.var_keyword)
    return names


def build(case: Case) -> tuple[Any, list[object], Any]:
    """The spec class, the implementers and the error the raiser raises, compiled from source."""
    define = "async def" if case.is_async else "def"
    lines = ["class Spec(Protocol):", f"    {define} {case.hook}({parameter_list(case)}): ..."]
    for index, kind in enumerate(case.kinds):
        base = "(Spec)" if case.inherit[index] else ""
        lines.append(f"class Impl{index}{base}:")
        if index == case.raiser:
            lines.append(f"    {define} {case.hook}({parameter_list(case)}):")
            lines.append("        raise zz_error")
        elif kind == "exact":
            names = all_names(case)
            lines.append(f"    {define} {case.hook}({parameter_list(case)}):")
            lines.append(
                f"        return zz_record({RECEIVER}, 'exact', ({', '.join(names)}{',' if names else ''}))"
            )
        elif kind == "generic":
            lines.append(f"    {define} {case.hook}({RECEIVER}, *zz_args, **zz_kwargs):")
            lines.append(f"        return zz_record({RECEIVER}, 'generic', (zz_args, zz_kwargs))")
        else:
            subset = case.subsets[index]
            names = [*case.positional_only, *case.positional]
            if case.var_positional:
                names.append(case.var_positional)
            names += subset
            lines.append(f"    {define} {case.hook}({parameter_list(case, subset)}):")
            lines.append(
                f"        return zz_record({RECEIVER}, 'subset', ({', '.join(names)}{',' if names else ''}))"
            )
    source = "\n".join(lines) + "\n"
    error = CallbackError("raised by the callback")

    def record(receiver: object, kind: str, received: object) -> object:
        token = (type(receiver).__name__, kind, received)
        case.recorded.append((type(receiver).__name__, received))
        return token

    namespace: dict[str, Any] = {
        "Protocol": Protocol,
        "zz_default": DEFAULT,
        "zz_error": error,
        "zz_record": record,
    }
    exec(compile(source, "<hygiene case>", "exec"), namespace)  # noqa: S102
    implementers = [namespace[f"Impl{i}"]() for i in range(len(case.kinds))]
    return namespace["Spec"], implementers, error


@st.composite
def cases(draw: st.DrawFn) -> Case:
    counts = draw(st.tuples(*(st.integers(0, 2) for _ in range(3))))
    has_var = draw(st.tuples(st.booleans(), st.booleans()))
    total = sum(counts) + sum(has_var)
    name = st.sampled_from(LIKELY_USED) | st.sampled_from(NAME_POOL)
    names = draw(st.lists(name, min_size=total, max_size=total, unique=True))
    it = iter(names)
    positional_only = [next(it) for _ in range(counts[0])]
    positional = [next(it) for _ in range(counts[1])]
    var_positional = next(it) if has_var[0] else None
    keyword_only = [next(it) for _ in range(counts[2])]
    var_keyword = next(it) if has_var[1] else None
    positionals = positional_only + positional
    trailing = draw(st.integers(0, len(positionals)))
    defaults = set(positionals[len(positionals) - trailing :])
    defaults |= {n for n in keyword_only if draw(st.sampled_from([False, False, False, True]))}
    count = draw(st.sampled_from([1, 1, 2, 3, 4, 5, 70]))
    subset_ok = bool(keyword_only) and var_keyword is None
    kinds = draw(
        st.lists(
            st.sampled_from(["exact", "generic", "subset"] if subset_ok else ["exact", "generic"]),
            min_size=count,
            max_size=count,
        )
    )
    subsets = [
        [n for n in keyword_only if draw(st.booleans())] if kind == "subset" else []
        for kind in kinds
    ]
    inherit = [draw(st.booleans()) for _ in kinds]
    raiser = draw(st.none() | st.integers(0, count - 1))
    passed_by_position = len(positional_only) + draw(st.integers(0, len(positional)))
    all_positional = passed_by_position == len(positionals)
    extra_positional = draw(st.integers(0, 2)) if var_positional and all_positional else 0
    taken = set(positional + keyword_only)
    extra_keywords = (
        draw(
            st.lists(
                st.sampled_from([n for n in NAME_POOL if n not in taken]), max_size=2, unique=True
            )
        )
        if var_keyword
        else []
    )
    omitted = {n for n in keyword_only if n in defaults and draw(st.booleans())}
    return Case(
        hook=draw(st.sampled_from(HOOK_NAMES)),
        positional_only=positional_only,
        positional=positional,
        var_positional=var_positional,
        keyword_only=keyword_only,
        var_keyword=var_keyword,
        defaults=defaults,
        is_async=draw(st.booleans()),
        kinds=kinds,
        subsets=subsets,
        inherit=inherit,
        raiser=raiser,
        mode=draw(st.sampled_from(["call", "emit", "first"])),
        errors=draw(st.sampled_from(["raise", "collect"])),
        passed_by_position=passed_by_position,
        extra_positional=extra_positional,
        extra_keywords=extra_keywords,
        omitted=omitted,
    )


def call_arguments(case: Case) -> tuple[tuple[object, ...], dict[str, object]]:
    """The arguments of the hook call: a distinct object per value."""
    positionals = case.positional_only + case.positional
    args: list[object] = [object() for _ in positionals[: case.passed_by_position]]
    args += [object() for _ in range(case.extra_positional)]
    kwargs: dict[str, object] = {n: object() for n in positionals[case.passed_by_position :]}
    kwargs.update({n: object() for n in case.keyword_only if n not in case.omitted})
    kwargs.update({n: object() for n in case.extra_keywords})
    return tuple(args), kwargs


def expected_reception(
    signature: inspect.Signature, args: tuple[object, ...], kwargs: dict[str, object]
) -> dict[str, object]:
    """What the hook's parameters hold for this call (defaults applied)."""
    bound = signature.bind(*args, **kwargs)
    bound.apply_defaults()
    return dict(bound.arguments)


def received_as_parameters(
    case: Case, signature: inspect.Signature, index: int, received: object
) -> dict[str, object]:
    """What implementer ``index`` recorded, as the hook's parameters it got."""
    kind = case.kinds[index]
    if kind == "generic":
        got_args, got_kwargs = cast(tuple[tuple[object, ...], dict[str, object]], received)
        bound = signature.bind(*got_args, **got_kwargs)
        bound.apply_defaults()
        return dict(bound.arguments)
    names = (
        all_names(case)
        if kind == "exact"
        else [
            *case.positional_only,
            *case.positional,
            *([case.var_positional] if case.var_positional else []),
            *case.subsets[index],
        ]
    )
    assert isinstance(received, tuple)
    return dict(zip(names, cast(tuple[object, ...], received), strict=True))


def same(left: dict[str, object], right: dict[str, object]) -> bool:
    """Equal mappings whose values are the same objects (tuples and dicts compared item by item)."""
    if left.keys() != right.keys():
        return False
    for name, value in left.items():
        other = right[name]
        if isinstance(value, tuple) and isinstance(other, tuple):
            mine, theirs = cast(tuple[object, ...], value), cast(tuple[object, ...], other)
            if len(mine) != len(theirs) or any(
                a is not b for a, b in zip(mine, theirs, strict=True)
            ):
                return False
        elif isinstance(value, dict) and isinstance(other, dict):
            if not same(cast(dict[str, object], value), cast(dict[str, object], other)):
                return False
        elif value is not other:
            return False
    return True


def dispatch(
    manager: CallbackManager[Any],
    spec: Any,
    case: Case,
    how: str,
    args: tuple[object, ...],
    kwargs: dict[str, object],
) -> object:
    """Call the hook as ``case.mode`` says (awaiting it for an async hook); its result."""
    target: object = getattr(spec, case.hook) if how == "method" else case.hook
    emit = cast(Callable[..., object], manager.emit)
    first = cast(Callable[..., object], manager.first)
    if case.mode == "call":
        caller: Callable[..., object] = getattr(manager.call, case.hook)
        result = caller(*args, **kwargs)
    elif case.mode == "emit":
        result = emit(target, *args, **kwargs)
    else:
        result = first(target, *args, **kwargs)
    if case.is_async:
        awaitable = cast(Awaitable[object], result)

        async def wait() -> object:
            return await awaitable

        return asyncio.run(wait())
    return result


def implementers_called(case: Case) -> int:
    """How many implementers the call reaches, in order, under the case's policy."""
    count, raiser = len(case.kinds), case.raiser
    if case.mode == "first":  # every implementer that returns answers non-None
        return 2 if raiser == 0 and case.errors == "collect" and count > 1 else 1
    if raiser is not None and case.errors == "raise":
        return raiser + 1
    return count


def check(case: Case, how: str) -> None:
    """Dispatch ``case`` and check what each implementer got, the result and the error."""
    spec, implementers, error = build(case)
    full = inspect.signature(getattr(spec, case.hook))
    signature = full.replace(parameters=list(full.parameters.values())[1:])
    manager = CallbackManager(spec, implementers, errors=case.errors)
    args, kwargs = call_arguments(case)
    expected = expected_reception(signature, args, kwargs)
    called = implementers_called(case)
    succeeded = [i for i in range(called) if i != case.raiser]
    surfaced: BaseException | None = None
    result: object = None
    try:
        result = dispatch(manager, spec, case, how, args, kwargs)
    except BaseException as exc:  # noqa: BLE001 - compared below
        surfaced = exc
    assert [name for name, _ in case.recorded] == [f"Impl{i}" for i in succeeded]
    for (_, received), index in zip(case.recorded, succeeded, strict=True):
        got = received_as_parameters(case, signature, index, received)
        wanted = {n: v for n, v in expected.items() if n in got or case.kinds[index] != "subset"}
        assert same(got, wanted), f"Impl{index} ({case.kinds[index]}) got {got}, not {wanted}"
    if case.raiser is not None and case.raiser < called:
        assert surfaced is not None, f"the callback's error did not surface; got {result!r}"
        if case.errors == "collect":
            assert isinstance(surfaced, HookErrorGroup), repr(surfaced)
            assert len(surfaced.exceptions) == 1
            assert surfaced.exceptions[0] is error, repr(surfaced.exceptions[0])
        else:
            assert surfaced is error, f"{surfaced!r} surfaced instead of the callback's error"
        notes: list[str] = getattr(error, "__notes__", [])
        assert any(f"Impl{case.raiser}" in n and case.hook in n for n in notes), notes
        return
    assert surfaced is None, repr(surfaced)
    tokens = [(f"Impl{i}", case.kinds[i]) for i in succeeded]
    if case.mode == "call":
        assert result is None
    elif case.mode == "emit":
        assert isinstance(result, list)
        assert [token(r) for r in cast(list[object], result)] == tokens
    else:
        assert token(result) == tokens[0]


@settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported at once
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(case=cases(), how=st.sampled_from(["method", "name"]))
def test_generated_dispatch_forwards_exactly_and_surfaces_the_callbacks_exception(
    case: Case, how: str
) -> None:
    """Whatever the parameter names, every implementer called gets exactly the call's
    arguments (as the hook's signature binds them); results come back in call order; and a
    failing implementer's exception surfaces as that very object (under ``errors="collect"``:
    as the only member of the group) with a note naming its class and the hook."""
    check(case, how)


SHADOWING = [
    "BaseException",
    "Exception",
    "enumerate",
    "len",
    "list",
    "exc",
    "fail",
    "_pc_exc",
    "_pc_fail",
    "_pc_m0",
    "self",
    "__builtins__",
    "__class__",
]


def simple_case(
    name: str, *, where: str, count: int, errors: Literal["raise", "collect"], raiser: int | None
) -> Case:
    """A hook with one parameter ``name`` (and a plain one beside it), ``count`` implementers."""
    keyword_only = [name, "plain"] if where == "keyword-only" else []
    positional = [name, "plain"] if where == "positional" else []
    return Case(
        hook="on_hook",
        positional_only=[],
        positional=positional,
        var_positional=None,
        keyword_only=keyword_only,
        var_keyword=None,
        defaults=set(),
        is_async=False,
        kinds=["exact" if i % 2 == 0 else "generic" for i in range(count)],
        subsets=[[] for _ in range(count)],
        inherit=[False] * count,
        raiser=raiser,
        mode="emit" if raiser is None else "call",
        errors=errors,
        passed_by_position=len(positional),
        extra_positional=0,
        extra_keywords=[],
        omitted=set(),
    )


@pytest.mark.parametrize("name", SHADOWING)
@pytest.mark.parametrize("errors", ["raise", "collect"])
@pytest.mark.parametrize("count", [1, 70])
@pytest.mark.parametrize("where", ["keyword-only", "positional"])
def test_a_parameter_named_like_what_dispatch_code_uses(
    name: str, errors: Literal["raise", "collect"], count: int, where: str
) -> None:
    """A hook parameter named like a builtin or a helper of generated code: with one
    implementer and with many (another code form), under both error policies, the implementers
    get their arguments, and a failing one's exception surfaces as itself."""
    check(simple_case(name, where=where, count=count, errors=errors, raiser=None), "method")
    check(simple_case(name, where=where, count=count, errors=errors, raiser=count - 1), "name")


def token(result: object) -> tuple[object, object]:
    """(class name, kind) of what an implementer returned."""
    assert isinstance(result, tuple)
    items = cast(tuple[object, ...], result)
    return items[0], items[1]


class TakesAll:
    """Takes any arguments (``self=`` too) and returns exactly what it got."""

    def on_any(
        self, /, *args: object, **kwargs: object
    ) -> tuple[tuple[object, ...], dict[str, object]]:
        return args, kwargs


class FailsWithKwargs:
    """Takes any arguments and raises its own error."""

    def __init__(self) -> None:
        self.error = CallbackError("failed with kwargs")

    def on_any(self, /, *args: object, **kwargs: object) -> None:
        raise self.error


ODD_KEYWORDS = [
    {"__debug__": 1},
    {"BaseException": 1},
    {"not an identifier": 1},
    {"class": 1, "def": 2},
    {"": 1},
    {"1st": 1, "ok": 2},
    {"_pc_kwargs": 1, "_pc_args": 2, "_pc_exc": 3},
    {"enumerate": 1, "Exception": 2, "len": 3},
    {"self": 1, "hook_name": 2},
    {"__builtins__": 1, "__class__": 2},
    # Identifiers that the parser reads as others (NFKC): a ligature, fullwidth letters.
    {"\ufb01": 1},
    {"\uff4c\uff4f\uff53\uff53": 1, "loss": 2},
]


@pytest.mark.parametrize(
    "keywords", ODD_KEYWORDS, ids=[",".join(k) or "empty" for k in ODD_KEYWORDS]
)
@pytest.mark.parametrize("count", [1, 4, 6])
@pytest.mark.parametrize("positional", [0, 2])
def test_unchecked_keywords_of_any_name_pass_through(
    keywords: dict[str, object], count: int, positional: int
) -> None:
    """An unchecked manager passes keyword arguments of any name, identifiers or not, to
    implementers that take ``**kwargs``: each gets exactly the call's arguments, through
    ``emit`` and through ``call``, the first time a shape is seen and the next."""
    manager = CallbackManager(None, [TakesAll() for _ in range(count)])
    args = tuple(object() for _ in range(positional))
    values = {name: object() for name in keywords}
    for _ in range(2):
        results = manager.emit("on_any", *args, **values)
        assert len(results) == count
        for got_args, got_kwargs in results:
            assert len(got_args) == positional and all(
                a is b for a, b in zip(got_args, args, strict=True)
            )
            assert got_kwargs.keys() == values.keys()
            assert all(got_kwargs[k] is v for k, v in values.items())
        assert manager.call.on_any(*args, **values) is None


@pytest.mark.parametrize(
    "keywords", ODD_KEYWORDS, ids=[",".join(k) or "empty" for k in ODD_KEYWORDS]
)
@pytest.mark.parametrize("count", [1, 4, 6])
def test_unchecked_keywords_of_any_name_do_not_mask_a_callbacks_error(
    keywords: dict[str, object], count: int
) -> None:
    """With those keywords, a failing implementer's exception surfaces as itself, with the note
    naming its class and the hook."""
    failing = FailsWithKwargs()
    callbacks: list[object] = [TakesAll() for _ in range(count - 1)]
    callbacks.append(failing)
    manager = CallbackManager(None, callbacks)
    for dispatch_ in (
        lambda: manager.emit("on_any", **keywords),
        lambda: manager.call.on_any(**keywords),
    ):
        with pytest.raises(CallbackError) as info:
            dispatch_()
        assert info.value is failing.error
        notes = getattr(info.value, "__notes__", [])
        assert any("FailsWithKwargs" in n and "on_any" in n for n in notes), notes


class NamesLoss:
    """Names ``loss`` only: Fabric leaves every other keyword out."""

    def on_any(self, *positional: object, loss: object = None) -> object:
        return loss


ENTRY_NAMES = [
    "_pc_layout",
    "_pc_plans",
    "_pc_who",
    "_pc_key",
    "_pc_d",
    "_pc_snapshot",
    "_pc_state",
    "_pc_m0",
    "_pc_p0",
    "_pc_args",
    "_pc_kwargs",
]


# "\uff4c\uff4f\uff53\uff53" (fullwidth) is read as "loss" in source text (NFKC).
ODD_NAMES = {"__debug__", "\ufb01", "\uff4c\uff4f\uff53\uff53"}


@pytest.mark.parametrize("name", sorted({*NAME_POOL, *ENTRY_NAMES, *ODD_NAMES} - {"loss"}))
def test_unchecked_keywords_named_like_what_the_entry_uses_are_filtered_as_fabric_does(
    name: str,
) -> None:
    """An unchecked hook's entry makes calls of the shape of its first call itself, binding the
    keywords to names: a keyword named like one of the entry's own, a builtin or a Python
    keyword is filtered like any other (left out for a method that does not name it, passed to
    one that takes ``**kwargs``), the first time and the next, and a callback's error still
    surfaces as itself."""
    failing = FailsWithKwargs()
    manager = CallbackManager(None, [NamesLoss(), TakesAll()])
    marker = object()
    for _ in range(3):
        (got_loss, (got_args, got_kwargs)) = manager.emit("on_any", 5, loss=marker, **{name: 1})
        assert got_loss is marker
        assert got_args == (5,)
        assert got_kwargs == {"loss": marker, name: 1}
        assert list(got_kwargs) == ["loss", name]
        assert manager.call.on_any(5, loss=marker, **{name: 1}) is None
    manager.register(failing)
    for _ in range(2):
        with pytest.raises(CallbackError) as info:
            manager.call.on_any(loss=marker, **{name: 1})
        assert info.value is failing.error


def on_member(self: object) -> None:
    """A hook body, set under names that are not identifiers."""


NOT_IDENTIFIERS = ["on x", "class", "1st", "on-x", "on_x()", "", "None", "__debug__"]


def spec_via_type(name: str) -> type:
    bases: tuple[Any, ...] = (Protocol,)
    return type("Spec", bases, {"on_ok": on_member, name: on_member})


def spec_via_new_class(name: str) -> type:
    def body(namespace: dict[str, Any]) -> None:
        namespace["on_ok"] = on_member
        namespace[name] = on_member

    return types.new_class("Spec", (Protocol,), exec_body=body)


def spec_via_class_body(name: str) -> type:
    class Spec(Protocol):
        def on_ok(self) -> None: ...

        vars()[name] = on_member

    return Spec


@pytest.mark.parametrize("name", NOT_IDENTIFIERS)
@pytest.mark.parametrize("make", [spec_via_type, spec_via_new_class, spec_via_class_body])
def test_a_spec_member_that_is_not_an_identifier_is_a_clean_type_error(
    name: str, make: Callable[[str], type]
) -> None:
    """A spec whose method is stored under a name that is not a valid identifier (spaces,
    keywords, a leading digit, ``__debug__``) is refused at ``CallbackManager(spec)`` with a
    ``TypeError`` naming the member, before any code is generated for it."""
    spec = make(name)
    assert name in vars(spec)
    with pytest.raises(TypeError, match=re.escape(repr(name)) if name else "identifier") as info:
        CallbackManager(spec)
    assert not isinstance(info.value, SyntaxError)


@pytest.mark.parametrize("name", ["match", "case", "type", "_", "print", "fail", "exc"])
def test_a_spec_member_named_like_a_soft_keyword_or_builtin_is_a_hook(name: str) -> None:
    """The positive control: soft keywords and builtin names are identifiers, and work as hook
    names through ``call`` and ``emit``."""
    spec = spec_via_type(name)
    calls: list[str] = []

    def implementation(self: object) -> None:
        calls.append(name)

    implementer = type("Impl", (), {name: implementation})()
    manager = CallbackManager(spec, [implementer])
    getattr(manager.call, name)()
    assert manager.emit(name) == [None]
    assert manager.emit(getattr(spec, name)) == [None]
    assert calls == [name, name, name]
