"""Dispatchers: one stable function per hook and mode, whose code is specialised per snapshot.

``manager.call.on_batch`` is a plain Python function made once per manager, hook and mode
(``call``, ``emit`` or ``first``) and never replaced, so a caller may hold it (semantics 11). It
reads the hook's current implementers from a closure cell, ``_pc_snapshot``, which holds the
tuple ``(*methods, who)``: the implementers' callables in call order, then a :class:`Who` that
names their callbacks for exception notes. For the hook ``def on_batch(self, *, loss)`` and two
implementers, the code in use is::

    def on_batch(*, loss):
        try:
            _pc_m0, _pc_m1, _pc_who, = _pc_snapshot
        except _pc_Stale:
            _pc_who = None
        if _pc_who is None:
            return _pc_state.refreshed("call", None)(loss=loss)
        try:
            _pc_m0(loss=loss)
            _pc_m1(loss=loss)
        except _pc_BaseException as _pc_exc:
            _pc_state.failed(_pc_exc, _pc_who, (5, 6))
            raise

Straight-line calls with the hook's own parameters, no loop and no ``*args``/``**kwargs``
packing: as fast as a hand-written loop. The unpacking reads one snapshot, so a dispatch that
has started finishes with the implementers it started with (semantics 7).

**Publishing a change.** The hook state (``_hookstate``) sets the cell to ``None`` when the
registrations change, and on the next call, under the manager's lock, stores the new snapshot
and swaps the function's ``__code__`` for the code written for that many implementers. Every
code reads the cell once and unpacks it to exactly its own count (the trailing comma makes the
code of no implementers, ``_pc_who, = _pc_snapshot``, unpack too): a stale cell (``None``) or a
snapshot of another count fails to unpack, and that call asks the state for the current function
instead. So dispatch takes no lock and never uses a snapshot with code written for another.

**Inline layouts.** Weakly registered implementers are called inline (``function(callback,
...)`` once their reference answers), and when a manager's only monitor is a
:class:`~protocall.Profiler` each call is timed inline (``_pc_t = _pc_clock()``, the call in a
``try``, its duration appended to the implementer's sink in the ``finally``; see ``_timing``).
Such snapshots have more slots per implementer, so a count alone no longer tells layouts apart:
they end with their layout's tag and ``None`` (see :func:`layout_tag`), which every other code
rejects, and their code checks the tag.

**Hygiene.** Generated names all start with ``_pc_``; a hook whose parameters use that prefix,
or are not identifiers, gets the generic ``(*_pc_args, **_pc_kwargs)`` form. The code runs with
empty builtins: the few it needs are ``_pc_``-prefixed globals, so no parameter name a user
chooses (``BaseException``, ``enumerate``) can shadow them. Codes are cached per shape in a
bounded cache, together with their ``linecache`` entries (which make tracebacks show the lines).

Error policies other than "raise", and more implementers than :data:`STRAIGHT_LINE_LIMIT`, use
a loop over the snapshot; concurrent ``async`` hooks use ``_concurrent.concurrent_dispatcher``;
an unchecked hook's entry, which has no hook signature to follow, is described in
``_codegen._keyed``. ``_codegen`` writes the source of every form; this module caches the codes
and makes the functions.
"""

from __future__ import annotations

import time
import types
from collections.abc import Callable
from keyword import iskeyword
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple, TypeAlias

from ._codegen import FOLD_AT, PREFIX, write_source
from ._registry import resolved

if TYPE_CHECKING:
    import inspect

__all__ = [
    "CHECKED_SHAPE",
    "FOLD_AT",
    "GENERIC_SHAPE",
    "PREFIX",
    "SKIPPED",
    "STRAIGHT_LINE_LIMIT",
    "CodeKey",
    "Mode",
    "Shape",
    "Who",
    "acceptor",
    "code_for",
    "layout_tag",
    "new_dispatcher",
    "plain_name",
    "shape_of",
]

Mode: TypeAlias = Literal["call", "emit", "first"]
Form: TypeAlias = Literal["straight", "loop", "recovering", "keyed"]

STRAIGHT_LINE_LIMIT: Final = 64
"""Up to this many implementers, the calls are written out one per line; beyond, a loop."""


class _Skipped:
    """What an unchecked manager's skipped (non-callable) attribute returns: left out of results."""

    def __repr__(self) -> str:
        return "<skipped>"


SKIPPED: Final = _Skipped()


class Who:
    """The callbacks of a snapshot, in call order, for exception notes and error policies."""

    __slots__ = ("callbacks", "skipped", "skips")

    def __init__(
        self,
        callbacks: tuple[object, ...],
        *,
        skipped: frozenset[int] = frozenset(),
        may_skip: bool = False,
    ) -> None:
        self.callbacks: Final = callbacks
        self.skipped: Final = skipped
        """Unchecked: the positions of non-callable attributes, which are skipped."""
        self.skips: Final = bool(skipped) or may_skip
        """Some implementer may be skipped (``emit`` leaves it out of the results)."""

    def describe(self, index: int) -> str:
        """``Cls (implementer 2 of 3)``: the callback at ``index``, counted as ``implementers()``
        counts (skipped attributes aside)."""
        culprit = type(resolved(self.callbacks[index])).__qualname__
        rank = index + 1 - sum(1 for i in self.skipped if i < index)
        return f"{culprit} (implementer {rank} of {self.count})"

    @property
    def count(self) -> int:
        """How many implementers, as ``implementers()`` counts them (skipped attributes aside)."""
        return len(self.callbacks) - len(self.skipped)


class Shape(NamedTuple):
    """How a dispatcher receives its arguments and forwards them to each implementer."""

    parameters: str
    """The dispatcher's parameter list, e.g. ``*, loss, output``."""
    arguments: str
    """The argument list of each forwarded call, e.g. ``loss=loss, output=output``."""
    forwards: tuple[tuple[str, str], ...] = ()
    """An exact shape's parameters, each with how it is forwarded (``("loss", "loss=loss")``)."""
    checks: bool = False
    """The generic shape of a hook with defaults: the dispatcher first calls the hook state's
    ``accepts`` (see :func:`acceptor`), so that a call the hook does not allow fails there,
    before any implementer runs (an exact shape's dispatcher fails by itself)."""

    def without(self, dropped: frozenset[str]) -> str | None:
        """The argument list less the keyword-only ``dropped`` ones; None for the generic shape
        (which cannot leave out a keyword by its text)."""
        if not dropped:
            return self.arguments
        if not self.forwards:
            return None
        return ", ".join(text for name, text in self.forwards if name not in dropped)


GENERIC_SHAPE: Final = Shape(f"*{PREFIX}args, **{PREFIX}kwargs", f"*{PREFIX}args, **{PREFIX}kwargs")
"""Forwards whatever it is given: unchecked managers, hooks with defaults or overloads."""


CHECKED_SHAPE: Final = GENERIC_SHAPE._replace(checks=True)
"""Forwards whatever it is given, once the hook's ``accepts`` has taken it."""


def shape_of(signature: inspect.Signature) -> Shape:
    """The exact-parameter shape of a hook signature (without ``self``), or a generic one.

    A parameter with a default cannot be forwarded exactly (the dispatcher would have to invent
    its value when the caller omits it), so such hooks use the generic shape that checks each
    call against the signature first (:func:`acceptor`); parameter names that are not plain
    identifiers, or that use the generated code's prefix, the generic shape too (checked if the
    names can be compiled at all).
    """
    parameters = list(signature.parameters.values())
    if any(p.default is not p.empty for p in parameters) or not all(
        plain_name(p.name) for p in parameters
    ):
        checkable = all(_compilable_name(p.name) for p in parameters)
        return CHECKED_SHAPE if checkable else GENERIC_SHAPE
    bare = _unannotated(signature)
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
    arguments = ", ".join(text for _, text in forwards)
    return Shape(str(bare)[1:-1], arguments, tuple(forwards))


def acceptor(signature: inspect.Signature, label: str) -> Callable[..., object]:
    """A function of ``signature``'s parameters (defaults None, no annotations) that does
    nothing: calling it makes Python check a call as the hook would take it, and name the hook
    in its ``TypeError``. For a :data:`CHECKED_SHAPE` hook, whose names ``shape_of`` checked
    can be compiled (the function has no other names, so the generated code's prefix is no
    matter)."""
    bare = _unannotated(signature, defaults_none=True)
    namespace: dict[str, Any] = {}
    source = f"def {PREFIX}accepts{bare}:\n    pass\n"
    exec(compile(source, f"<protocall {label} arguments>", "exec"), {}, namespace)  # noqa: S102
    function: types.FunctionType = namespace[f"{PREFIX}accepts"]
    name = label.rpartition(".")[2]
    function.__code__ = function.__code__.replace(co_name=name, co_qualname=label)
    function.__name__, function.__qualname__ = name, label  # (what a TypeError names)
    return function


def _unannotated(signature: inspect.Signature, *, defaults_none: bool = False) -> inspect.Signature:
    """``signature`` without annotations (and, with ``defaults_none``, each default None), as
    generated source spells a parameter list."""
    return signature.replace(
        parameters=[
            p.replace(
                annotation=p.empty,
                default=None if defaults_none and p.default is not p.empty else p.default,
            )
            for p in signature.parameters.values()
        ],
        return_annotation=signature.empty,
    )


def plain_name(name: str) -> bool:
    """Can ``name`` be a parameter name of generated code, and be read back as itself? A
    :func:`_compilable_name` that is not a generated name (``_pc_``)."""
    return _compilable_name(name) and not name.startswith(PREFIX)


def _compilable_name(name: str) -> bool:
    """Can ``name`` be compiled as a parameter name, and be read back as itself?

    Not a Python keyword or ``__debug__``, and an identifier as the parser reads it: the parser
    normalises identifiers (NFKC), so ``\ufb01`` (a ligature) would be read as ``fi``, and
    fullwidth ``\uff4c\uff4f\uff53\uff53`` as ``loss``.
    """
    if not name.isidentifier() or iskeyword(name) or name == "__debug__":
        return False
    if name.isascii():
        return True
    import unicodedata  # here: only for names that are not ASCII

    return unicodedata.normalize("NFKC", name) == name


class CodeKey(NamedTuple):
    """Everything a dispatcher's code depends on."""

    mode: Mode
    shape: Shape
    is_async: bool
    form: Form
    implementers: int
    """How many, for the straight form (the others take any number: -1)."""
    unchecked: bool
    """An unchecked hook's: a skipped attribute's marker is no result."""
    arguments: tuple[str, ...] = ()
    """Straight form: each implementer's own argument list (else the shape's, for all)."""
    weak: tuple[int, ...] = ()
    """Straight form: the implementers held weakly, whose snapshot slots are ``function,
    reference``: called as ``function(callback, ...)`` while the reference is alive."""
    timed: bool = False
    """Straight form: each call is timed inline, its duration handed to the implementer's sink
    (see ``_timing``)."""
    layout: str = ""
    """Keyed form with written calls: the snapshot layout its argument lists assume."""
    condition: str = ""
    """Keyed form with written calls: the test a call passes to be made by them."""
    bindings: tuple[str, ...] = ()
    """Keyed form with written calls: the statements binding the names they pass on."""

    @property
    def inline(self) -> bool:
        """Whether the snapshot has the inline layout (see :func:`layout_tag`)."""
        return self.form == "straight" and self.implementers > 0 and bool(self.weak or self.timed)


def layout_tag(key: CodeKey) -> str:
    """The name of an inline snapshot's layout, which its code checks before using it.

    A *plain* snapshot is ``(*methods, who)``. An *inline* one (weak implementers called inline,
    or calls timed inline) is ``(*slots, who, tag, None)``: per implementer ``method`` or
    ``function, reference``, then (timed) one sink per implementer, the list whose length
    triggers a fold and the fold; then the :class:`Who`, this tag and ``None``. Codes of another
    layout reading it fail safely: a plain or loop code finds ``None`` where its ``who`` is (or
    a count that does not unpack) and asks for the current code; an inline code checks the end
    is ``None`` before comparing tags, so it only ever compares this string with its own.
    """
    mask = sum(1 << i for i in key.weak)
    return f"{'timed ' if key.timed else ''}{key.implementers} weak {mask:x}"


def form_for(count: int, *, recovering: bool) -> tuple[Form, int]:
    """The code form (and its count) for a snapshot of ``count`` implementers."""
    if recovering:
        return "recovering", -1
    if count > STRAIGHT_LINE_LIMIT:
        return "loop", -1
    return "straight", count


_GLOBALS: Final[dict[str, object]] = {
    "__builtins__": {},
    f"{PREFIX}BaseException": BaseException,
    f"{PREFIX}Exception": Exception,
    f"{PREFIX}Stale": (TypeError, ValueError, KeyError),
    f"{PREFIX}enumerate": enumerate,
    f"{PREFIX}len": len,
    f"{PREFIX}SKIPPED": SKIPPED,
    f"{PREFIX}clock": time.perf_counter_ns,
}
"""The generated code's only globals (no builtins), shared by every dispatcher."""

_CODE_CACHE_LIMIT: Final = 256
_codes: Final[dict[CodeKey, tuple[types.CodeType, str]]] = {}


def code_for(key: CodeKey) -> types.CodeType:
    """The compiled code of a dispatcher of this key: written and compiled once per key.

    The cache is bounded: the oldest key is dropped when it is full. Codes written for a
    hook's own signature are registered with ``linecache``, so that tracebacks through them
    show their lines; codes written for the keyword shape of an unchecked call (data the
    program chooses, such as metric names) are not, so that nothing grows with such data.
    """
    found = _codes.get(key)
    if found is not None:
        return found[0]
    import linecache  # here: it imports tokenize and re, which importing protocall does without

    tag = layout_tag(key) if key.inline else ""
    source = write_source(key, tag=tag)
    shown = not key.arguments and not key.condition
    layout = f" ({tag})" if tag else ""
    checked = " checked" if key.shape.checks else ""
    filename = (
        f"<protocall {key.form} {key.mode} dispatcher {key.implementers}{layout}: "
        f"({key.shape.parameters}){checked}>"
    )
    if not shown:
        filename = f"<protocall {key.mode} dispatcher for a call shape>"
    namespace: dict[str, Any] = {}
    exec(compile(source, filename, "exec"), dict(_GLOBALS), namespace)  # noqa: S102
    template: types.FunctionType = namespace[f"{PREFIX}template"]
    code = next(c for c in template.__code__.co_consts if isinstance(c, types.CodeType))
    if code.co_freevars != _FREEVARS:
        raise AssertionError(f"generated dispatcher has free variables {code.co_freevars}")
    while len(_codes) >= _CODE_CACHE_LIMIT:
        _, old_filename = _codes.pop(next(iter(_codes)))
        linecache.cache.pop(old_filename, None)
    if shown:
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    _codes[key] = (code, filename if shown else "")
    return code


_FREEVARS: Final = (f"{PREFIX}snapshot", f"{PREFIX}state")


def new_dispatcher(
    key: CodeKey, *, name: str, qualname: str, cells: tuple[types.CellType, types.CellType]
) -> types.FunctionType:
    """A dispatcher function with the code of ``key``, reading ``cells``.

    ``cells`` holds the snapshot and the hook state, which the code asks when the snapshot is
    stale, when an implementer fails and under an error policy (see ``_hookstate.HookState``).
    """
    code = code_for(key).replace(co_name=name, co_qualname=qualname)
    function = types.FunctionType(code, _GLOBALS, name, None, cells)
    function.__qualname__ = qualname
    return function


def swap_code(function: types.FunctionType, key: CodeKey) -> None:
    """Give ``function`` the code of ``key``, keeping its name (for tracebacks)."""
    code = code_for(key)
    function.__code__ = code.replace(co_name=function.__name__, co_qualname=function.__qualname__)
