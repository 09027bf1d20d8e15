"""Per-hook dispatchers, generated as specialised Python functions.

Like attrs generating ``__init__``, we write the source of a dispatcher once per *shape* — the
hook's parameter list, what each implementer is passed, the number of implementers, the mode
(``call``, ``emit``, ``first``), sync or async — compile it into a factory, and cache the
factory. Building a dispatcher for a new set of implementers is then one call of the cached
factory with the bound methods as its arguments.

For the hook ``def on_batch(self, *, loss: float) -> None`` and two implementers, the generated
``call`` dispatcher under the default error policy is::

    def on_batch(*, loss):
        try:
            m0(loss=loss)
            m1(loss=loss)
        except BaseException as exc:
            fail(exc, (exc.__traceback__.tb_lineno - FIRST_LINE) // 1)
            raise

straight-line calls with the hook's own parameters, no loop and no ``*args``/``**kwargs``
packing, so that it runs as fast as (or faster than) a hand-written loop over the bound methods.
The line of the failing call, read from the traceback only when something raised, tells which
implementer failed, so the happy path pays nothing for the exception note.

The other error policies (collect, handler) and concurrent async hooks use a loop with a
``try`` per implementer: they cost a little more per call, and only managers that ask for them pay.
"""

from __future__ import annotations

from keyword import iskeyword
from collections.abc import Callable, Coroutine, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias, cast

__all__ = [
    "GENERIC_SHAPE",
    "STRAIGHT_LINE_LIMIT",
    "TAKES_ALL",
    "Recovery",
    "Shape",
    "Target",
    "build_dispatcher",
    "build_keyed_dispatcher",
    "shape_of",
]

if TYPE_CHECKING:  # annotations only: subscripting typing constructs costs import time
    import inspect

    Mode: TypeAlias = Literal["call", "emit", "first"]
    Failure: TypeAlias = Callable[[BaseException, int], None]
    """Adds the note to an exception raised by the implementer at the given index."""

STRAIGHT_LINE_LIMIT: Final = 64
"""Up to this many implementers, the calls are written out one per line; beyond, a loop."""

_PREFIX: Final = "_pc_"

TAKES_ALL: Final[frozenset[str]] = frozenset()
"""The keywords left out by an implementer that takes them all: one set that every such
:class:`Target` shares (``frozenset()`` makes a new set each time)."""


class Shape:
    """How a dispatcher receives its arguments and forwards them to each implementer."""

    __slots__ = ("all_arguments", "exact", "forwards", "parameters")

    def __init__(self, parameters: str, forwards: tuple[tuple[str, str], ...], exact: bool) -> None:
        self.parameters: Final = parameters
        """The dispatcher's parameter list, e.g. ``*, loss, output``."""
        self.forwards: Final = forwards
        """Per hook parameter, its name and how it is forwarded, e.g. ``("loss", "loss=loss")``."""
        self.exact: Final = exact
        """Forwards the hook's own parameters by name (else ``*args, **kwargs``)."""
        self.all_arguments: Final = ", ".join(text for _, text in forwards)
        """The argument list of a call that forwards every parameter."""

    def arguments(self, dropped: frozenset[str] = TAKES_ALL) -> str:
        """The argument list of a forwarded call, less the keyword-only ``dropped`` ones."""
        if not dropped:
            return self.all_arguments
        return ", ".join(text for name, text in self.forwards if name not in dropped)


GENERIC_SHAPE: Final = Shape(
    parameters=f"*{_PREFIX}args, **{_PREFIX}kwargs",
    forwards=(("", f"*{_PREFIX}args"), ("", f"**{_PREFIX}kwargs")),
    exact=False,
)
"""Forwards whatever it is given: for unchecked managers and hooks with default values."""


class Target:
    """One implementer, as the dispatcher calls it."""

    __slots__ = ("dropped", "method")

    def __init__(self, method: Callable[..., Any], dropped: frozenset[str] = TAKES_ALL) -> None:
        self.method: Final = method
        self.dropped: Final = dropped
        """Keyword-only hook parameters this implementer does not take: they are not passed."""


class Recovery:
    """An error policy other than "raise at once": what to do with each failure, and at the end.

    ``handle(exc, index, errors)`` is called (after the note is added) for an :class:`Exception`
    from the implementer at ``index`` and returns the updated list of collected errors (or None);
    ``finish(errors, results)`` runs after the last implementer and raises if it must.
    """

    __slots__ = ("finish", "handle")

    def __init__(
        self,
        *,
        handle: Callable[[Exception, int, list[Exception] | None], list[Exception] | None],
        finish: Callable[[list[Exception] | None, list[Any]], None],
    ) -> None:
        self.handle: Final = handle
        self.finish: Final = finish


@lru_cache(maxsize=1024)
def shape_of(signature: inspect.Signature) -> Shape:
    """The exact-parameter shape of a hook signature (without ``self``).

    A parameter with a default cannot be forwarded exactly (we would have to invent its value when
    the caller omits it, overriding the implementer's own default), so such hooks use the generic
    shape.
    """
    parameters = list(signature.parameters.values())
    if any(p.default is not p.empty or p.name.startswith(_PREFIX) for p in parameters):
        return GENERIC_SHAPE
    bare = signature.replace(
        parameters=[p.replace(annotation=p.empty) for p in parameters],
        return_annotation=signature.empty,
    )
    forwards: list[tuple[str, str]] = []
    for p in parameters:
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            forwards.append((p.name, p.name))
        elif p.kind is p.VAR_POSITIONAL:
            forwards.append((p.name, f"*{p.name}"))
        elif p.kind is p.KEYWORD_ONLY:
            forwards.append((p.name, f"{p.name}={p.name}"))
        else:
            forwards.append((p.name, f"**{p.name}"))
    return Shape(str(bare)[1:-1], tuple(forwards), exact=True)


def build_dispatcher(
    *,
    mode: Mode,
    shape: Shape,
    is_async: bool,
    targets: Sequence[Target],
    fail: Failure,
    name: str,
    qualname: str,
    recovery: Recovery | None = None,
    concurrent: bool = False,
) -> Callable[..., Any]:
    """A function that calls the ``targets`` in order with the arguments it is given.

    ``call`` returns None, ``emit`` the list of results, ``first`` the first result that is not
    None (and stops there). For ``is_async`` the function is a coroutine function that awaits each
    call in turn, or, when ``concurrent``, runs them all as one task group. ``fail(exc, index)`` is
    called when the implementer at ``index`` raises, before the error policy (``recovery``, or by
    default: propagate at once) applies.
    """
    if concurrent:
        adapted = [_adapted(t) for t in targets]
        dispatcher = _concurrent_dispatcher(mode, adapted, fail, recovery)
    elif (
        recovery is None
        and (shape.exact or not any(t.dropped for t in targets))  # else adapters drop keywords
        and len(targets) <= STRAIGHT_LINE_LIMIT
    ):
        arguments = tuple(shape.arguments(t.dropped) for t in targets)
        factory = _factory(mode, shape.parameters, arguments, is_async, "straight")
        dispatcher = factory(fail, *(t.method for t in targets))
    else:
        methods = tuple(_adapted(t) for t in targets)
        form = "loop" if recovery is None else "recovering"
        factory = _factory(mode, shape.parameters, (shape.arguments(),), is_async, form)
        if recovery is None:
            dispatcher = factory(fail, methods)
        else:
            dispatcher = factory(_noting(fail, recovery), methods, recovery.finish)
    # Tracebacks then read "in TrainHooks.call.on_batch" rather than "in _pc_dispatch".
    dispatcher.__code__ = dispatcher.__code__.replace(co_name=name, co_qualname=qualname)
    dispatcher.__name__ = name
    dispatcher.__qualname__ = qualname
    return dispatcher


def _adapted(target: Target) -> Callable[..., Any]:
    """The target's method, or a wrapper that leaves out the keywords it does not take."""
    method, dropped = target.method, target.dropped
    if not dropped:
        return method

    def adapter(*args: Any, **kwargs: Any) -> Any:
        for keyword in dropped:
            kwargs.pop(keyword, None)
        return method(*args, **kwargs)

    return adapter


def _noting(
    fail: Failure, recovery: Recovery
) -> Callable[[Exception, int, list[Exception] | None], list[Exception] | None]:
    def handle(
        exc: Exception, index: int, errors: list[Exception] | None
    ) -> list[Exception] | None:
        fail(exc, index)
        return recovery.handle(exc, index, errors)

    return handle


@lru_cache(maxsize=1024)
def _factory(
    mode: Mode, parameters: str, arguments: tuple[str, ...], is_async: bool, form: str
) -> Callable[..., Any]:
    """Compile (once per distinct key) the factory that makes dispatchers of this shape.

    ``form`` is "straight" (one line per implementer; ``arguments`` holds each one's argument
    list), "loop" or "recovering" (``arguments`` holds the one argument list of every call).
    """
    writer = _SOURCES[form]
    lines = writer(mode, parameters, arguments, "await " if is_async else "")
    define = "async def" if is_async else "def"
    lines[1] = lines[1].replace("def ", f"{define} ", 1)
    source = "\n".join(lines) + "\n"
    filename = (
        f"<protocall {form} {mode} dispatcher: {'async ' if is_async else ''}({parameters})"
        f" x{len(arguments)}>"
    )
    # Registered like attrs does, so that tracebacks through a dispatcher show its lines.
    import linecache  # here: it imports tokenize and re, which protocall's import does without

    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace: dict[str, Any] = {}
    exec(compile(source, filename, "exec"), {"__builtins__": __builtins__}, namespace)  # noqa: S102
    return cast(Callable[..., Any], namespace[f"{_PREFIX}factory"])


def _straight(mode: Mode, parameters: str, arguments: tuple[str, ...], wait: str) -> list[str]:
    p = _PREFIX
    names = "".join(f", {p}m{i}" for i in range(len(arguments)))
    lines = [f"def {p}factory({p}fail{names}):", f"    def {p}dispatch({parameters}):"]
    if not arguments:
        lines.append(
            {
                "call": "        return None",
                "emit": "        return []",
                "first": "        return None",
            }[mode]
        )
        return [*lines, f"    return {p}dispatch"]
    lines.append("        try:")
    if mode == "call":
        first, per = len(lines) + 1, 1
        lines += [f"            {wait}{p}m{i}({args})" for i, args in enumerate(arguments)]
    elif mode == "emit":
        lines.append("            return [")
        first, per = len(lines) + 1, 1
        lines += [f"                {wait}{p}m{i}({args})," for i, args in enumerate(arguments)]
        lines.append("            ]")
    else:
        first, per = len(lines) + 1, 2
        for i, args in enumerate(arguments):
            lines.append(f"            if ({p}r := {wait}{p}m{i}({args})) is not None:")
            lines.append(f"                return {p}r")
        # a return inside `try` is fine: nothing to clean up
    lines += [
        f"        except BaseException as {p}exc:",
        f"            {p}fail({p}exc, ({p}exc.__traceback__.tb_lineno - {first}) // {per})",
        "            raise",
    ]
    if mode == "first":
        lines.append("        return None")
    return [*lines, f"    return {p}dispatch"]


def _loop(mode: Mode, parameters: str, arguments: tuple[str, ...], wait: str) -> list[str]:
    p = _PREFIX
    call = f"{wait}{p}m({arguments[0]})"
    lines = [f"def {p}factory({p}fail, {p}methods):", f"    def {p}dispatch({parameters}):"]
    lines.append(f"        {p}i = -1")
    if mode == "emit":
        lines.append(f"        {p}results = []")
    # The index, not the method, names the culprit: a staticmethod hook is the same object for
    # every instance.
    lines += ["        try:", f"            for {p}i, {p}m in enumerate({p}methods):"]
    if mode == "call":
        lines.append(f"                {call}")
    elif mode == "emit":
        lines.append(f"                {p}results.append({call})")
    else:
        lines += [
            f"                if ({p}r := {call}) is not None:",
            f"                    return {p}r",
        ]
    lines += [
        f"        except BaseException as {p}exc:",
        f"            {p}fail({p}exc, {p}i)",
        "            raise",
        f"        return {p}results" if mode == "emit" else "        return None",
        f"    return {p}dispatch",
    ]
    return lines


def _recovering(mode: Mode, parameters: str, arguments: tuple[str, ...], wait: str) -> list[str]:
    p = _PREFIX
    lines = [
        f"def {p}factory({p}handle, {p}methods, {p}finish):",
        f"    def {p}dispatch({parameters}):",
        f"        {p}errors = None",
        f"        {p}results = []",
        f"        for {p}i, {p}m in enumerate({p}methods):",
        "            try:",
        f"                {p}r = {wait}{p}m({arguments[0]})",
        f"            except Exception as {p}exc:",
        f"                {p}errors = {p}handle({p}exc, {p}i, {p}errors)",
        "                continue",
    ]
    if mode == "emit":
        lines.append(f"            {p}results.append({p}r)")
    elif mode == "first":
        lines += [
            f"            if {p}r is not None:",
            f"                {p}finish({p}errors, [{p}r])",
            f"                return {p}r",
        ]
    lines.append(f"        {p}finish({p}errors, {p}results)")
    lines.append(f"        return {p}results" if mode == "emit" else "        return None")
    return [*lines, f"    return {p}dispatch"]


_SOURCES: Final[dict[str, Callable[[Mode, str, tuple[str, ...], str], list[str]]]] = {
    "straight": _straight,
    "loop": _loop,
    "recovering": _recovering,
}


def _concurrent_dispatcher(
    mode: Mode, methods: Sequence[Callable[..., Any]], fail: Failure, recovery: Recovery | None
) -> Callable[..., Coroutine[Any, Any, Any]]:
    """An ``async`` dispatcher that runs every implementer at once, as one task group.

    Under the default policy the first failure cancels the others and the task group raises an
    :class:`ExceptionGroup` of the failures; under a recovering policy every implementer runs to
    the end. Results are reported in implementer order, whatever order they finished in.
    """
    import asyncio  # here, not at the top: asyncio is slow to import, and only this needs it

    methods = tuple(methods)
    missing = object()

    async def _pc_dispatch(*args: Any, **kwargs: Any) -> Any:
        results: list[Any] = [missing] * len(methods)
        errors: list[Exception] | None = None
        failed_at: dict[int, int] = {}

        def call_order(exc: Exception) -> int:
            return failed_at.get(id(exc), len(methods))

        async def run(index: int, method: Callable[..., Any]) -> None:
            nonlocal errors
            try:
                results[index] = await method(*args, **kwargs)
            except Exception as exc:
                fail(exc, index)
                if recovery is None:
                    raise
                failed_at[id(exc)] = index
                errors = recovery.handle(exc, index, errors)

        if methods:
            async with asyncio.TaskGroup() as group:
                for index, method in enumerate(methods):
                    group.create_task(run(index, method))
        if errors:  # report failures in call order, not in the order they happened
            errors.sort(key=call_order)
        done = [r for r in results if r is not missing]
        if mode == "first":
            found = next((r for r in done if r is not None), None)
            if recovery is not None:
                recovery.finish(errors, [] if found is None else [found])
            return found
        if recovery is not None:
            recovery.finish(errors, done)
        return done if mode == "emit" else None

    return _pc_dispatch


_KEYED_SHAPES_LIMIT: Final = 32
"""Call shapes remembered per keyed dispatcher; past that, calls use the generic form."""


def build_keyed_dispatcher(
    *,
    mode: Mode,
    targets: Sequence[Target],
    fail: Failure,
    name: str,
    qualname: str,
) -> Callable[..., Any]:
    """For unchecked managers, which know no hook signature: one exact dispatcher per call shape.

    The generic form passes ``*args, **kwargs`` on to every implementer, unpacking the keyword
    dict once per implementer. Here the entry point looks at the shape of the call (how many
    positional arguments, which keyword names), and forwards it, once, to a dispatcher generated
    for that shape, whose calls pass named arguments straight through.
    """

    def build(shape: Shape) -> Callable[..., Any]:
        return build_dispatcher(
            mode=mode,
            shape=shape,
            is_async=False,
            targets=targets,
            fail=fail,
            name=name,
            qualname=qualname,
        )

    generic = build(GENERIC_SHAPE)
    shaped: dict[tuple[object, ...], Callable[..., Any]] = {}

    def for_shape(key: tuple[object, ...]) -> Callable[..., Any]:
        count = cast(int, key[0])
        keywords = cast(tuple[str, ...], key[1:])
        if len(shaped) >= _KEYED_SHAPES_LIMIT or not all(
            k.isidentifier() and not iskeyword(k) and not k.startswith(_PREFIX) for k in keywords
        ):
            return generic
        positional = tuple(f"{_PREFIX}p{i}" for i in range(count))
        parameters = ", ".join([*positional, *(("*", *keywords) if keywords else ())])
        forwards = tuple((p, p) for p in positional) + tuple((k, f"{k}={k}") for k in keywords)
        dispatcher = shaped[key] = build(Shape(parameters, forwards, exact=True))
        return dispatcher

    def _pc_dispatch(*args: Any, **kwargs: Any) -> Any:
        key = (len(args), *kwargs)
        try:
            dispatcher = shaped[key]
        except KeyError:
            dispatcher = for_shape(key)
        return dispatcher(*args, **kwargs)

    _pc_dispatch.__name__ = name
    _pc_dispatch.__qualname__ = qualname
    return _pc_dispatch
