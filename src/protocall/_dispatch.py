"""Per-hook dispatchers, generated as specialised Python functions.

Like attrs generating ``__init__``, we write the source of a dispatcher once per *shape* — the
hook's parameter list, the number of implementers, call or emit, sync or async — compile it into a
factory, and cache the factory. Building a dispatcher for a new set of implementers is then one
call of the cached factory with the bound methods as its arguments.

For the hook ``def on_batch(self, *, loss: float) -> None`` and two implementers the generated
``call`` dispatcher is::

    def on_batch(*, loss):
        try:
            m0(loss=loss)
            m1(loss=loss)
        except BaseException as exc:
            fail(exc, exc.__traceback__.tb_lineno - FIRST_LINE)
            raise

straight-line calls with the hook's own parameters, no loop and no ``*args``/``**kwargs`` packing,
so that it runs as fast as (or faster than) a hand-written loop over the bound methods. The line
of the failing call, read from the traceback only when something raised, tells which implementer
failed, so the happy path pays nothing for the exception note.
"""

from __future__ import annotations

import inspect
import linecache
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final, Literal, cast

__all__ = ["GENERIC_SHAPE", "STRAIGHT_LINE_LIMIT", "Mode", "Shape", "build_dispatcher", "shape_of"]

Mode = Literal["call", "emit"]
Failure = Callable[[BaseException, int], None]
"""Adds the note to an exception raised by the implementer at the given index."""

STRAIGHT_LINE_LIMIT: Final = 64
"""Up to this many implementers, the calls are written out one per line; beyond, a loop."""

_PREFIX: Final = "_pc_"


@dataclass(frozen=True, slots=True)
class Shape:
    """How a dispatcher receives its arguments and forwards them to each implementer."""

    parameters: str
    """The dispatcher's parameter list, e.g. ``*, loss, output``."""
    arguments: str
    """The argument list of each forwarded call, e.g. ``loss=loss, output=output``."""


GENERIC_SHAPE: Final = Shape(f"*{_PREFIX}args, **{_PREFIX}kwargs", f"*{_PREFIX}args, **{_PREFIX}kwargs")
"""Forwards whatever it is given: for unchecked managers and hooks with default values."""


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
    forwarded: list[str] = []
    for p in parameters:
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            forwarded.append(p.name)
        elif p.kind is p.VAR_POSITIONAL:
            forwarded.append(f"*{p.name}")
        elif p.kind is p.KEYWORD_ONLY:
            forwarded.append(f"{p.name}={p.name}")
        else:
            forwarded.append(f"**{p.name}")
    return Shape(str(bare)[1:-1], ", ".join(forwarded))


def build_dispatcher(
    *,
    mode: Mode,
    shape: Shape,
    is_async: bool,
    methods: Sequence[Callable[..., Any]],
    fail: Failure,
    name: str,
    qualname: str,
) -> Callable[..., Any]:
    """A function that calls ``methods`` in order with the arguments it is given.

    ``call`` returns None, ``emit`` the list of results; for ``is_async`` the function is a
    coroutine function that awaits each call in turn. ``fail(exc, index)`` is called when the
    implementer at ``index`` raises, before the exception propagates.
    """
    count = len(methods)
    straight = count <= STRAIGHT_LINE_LIMIT
    factory = _factory(mode, shape, is_async, count if straight else -1)
    if straight:
        dispatcher: Callable[..., Any] = factory(fail, *methods)
    else:
        methods = tuple(methods)
        dispatcher = factory(_locating(fail, methods), methods)
    # Tracebacks then read "in TrainHooks.call.on_batch" rather than "in _pc_dispatch".
    dispatcher.__code__ = dispatcher.__code__.replace(co_name=name, co_qualname=qualname)
    dispatcher.__name__ = name
    dispatcher.__qualname__ = qualname
    return dispatcher


def _locating(fail: Failure, methods: tuple[Callable[..., Any], ...]) -> Callable[[BaseException, object], None]:
    """For the loop form: find the failing method's index by identity."""

    def fail_at(exc: BaseException, method: object) -> None:
        index = next((i for i, m in enumerate(methods) if m is method), -1)
        fail(exc, index)

    return fail_at


@lru_cache(maxsize=512)
def _factory(mode: Mode, shape: Shape, is_async: bool, count: int) -> Callable[..., Any]:
    """Compile (once per distinct key) the factory that makes dispatchers of this shape.

    ``count`` is the number of implementers written out, or -1 for the loop form.
    """
    lines = _source(mode, shape, is_async, count)
    source = "\n".join(lines) + "\n"
    filename = f"<protocall {mode} dispatcher: {'async ' if is_async else ''}({shape.parameters}) x{count}>"
    # Registered like attrs does, so that tracebacks through a dispatcher show its lines.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace: dict[str, Any] = {}
    exec(compile(source, filename, "exec"), {"__builtins__": __builtins__}, namespace)  # noqa: S102
    return cast(Callable[..., Any], namespace[f"{_PREFIX}factory"])


def _source(mode: Mode, shape: Shape, is_async: bool, count: int) -> list[str]:
    p = _PREFIX
    define = "async def" if is_async else "def"
    wait = "await " if is_async else ""
    call = f"({shape.arguments})"
    if count >= 0:
        head = [f"def {p}factory({p}fail{''.join(f', {p}m{i}' for i in range(count))}):"]
    else:
        head = [f"def {p}factory({p}fail, {p}methods):"]
    lines = [*head, f"    {define} {p}dispatch({shape.parameters}):"]
    if count == 0:
        lines.append("        return None" if mode == "call" else "        return []")
        lines.append(f"    return {p}dispatch")
        return lines
    lines.append("        try:")
    if count > 0:
        if mode == "call":
            first = len(lines) + 1
            lines += [f"            {wait}{p}m{i}{call}" for i in range(count)]
        else:
            lines.append("            return [")
            first = len(lines) + 1
            lines += [f"                {wait}{p}m{i}{call}," for i in range(count)]
            lines.append("            ]")
        failure = f"{p}fail({p}exc, {p}exc.__traceback__.tb_lineno - {first})"
    else:
        if mode == "emit":
            lines.append(f"            {p}results = []")
        lines.append(f"            for {p}m in {p}methods:")
        if mode == "call":
            lines.append(f"                {wait}{p}m{call}")
        else:
            lines.append(f"                {p}results.append({wait}{p}m{call})")
            lines.append(f"            return {p}results")
        failure = f"{p}fail({p}exc, {p}m)"
    lines += [
        f"        except BaseException as {p}exc:",
        f"            {failure}",
        "            raise",
        f"    return {p}dispatch",
    ]
    return lines
