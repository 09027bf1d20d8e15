"""Can an implementation accept every call that a hook signature allows?

Type checkers compare parameter types; at run time we compare shapes. From the hook's signature we
build placeholder calls covering what a caller may do — give or omit each optional parameter, pass
positional-or-keyword parameters by position or by keyword, add extra arguments where the hook has
``*args``/``**kwargs`` (none, one, or more than the implementation can take by position; keywords
named like a positional-only parameter, which ``**kwargs`` receives) — and call, with each, a
stub that has the implementation's parameters. Binding is Python's own, the same on every
version (``inspect.Signature.bind`` disagrees with the interpreter before 3.13 about keywords
named like positional-only parameters). A renamed positional-or-keyword parameter fails (a
caller may pass it by keyword), a missing parameter fails, an extra required parameter fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import CodeType, FunctionType
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import inspect

__all__ = [
    "Call",
    "Mirror",
    "dropped_keywords",
    "first_rejected_call",
    "inconsistent_parameter",
    "placeholder_calls",
    "without",
]


def _positional(p: inspect.Parameter) -> bool:
    """Can the parameter be passed by position? (``inspect`` is not imported at import time:
    the kinds are read off the parameter itself.)"""
    return p.kind is p.POSITIONAL_ONLY or p.kind is p.POSITIONAL_OR_KEYWORD


_EXTRA_KEYWORD: Final = "any_other_keyword"
"""Stands for the keywords a hook's ``**kwargs`` admits (renamed if a parameter has this name)."""


class Call:
    """A placeholder call: which parameters go by position, which by keyword."""

    __slots__ = ("keywords", "positional")

    def __init__(self, positional: tuple[str, ...], keywords: tuple[str, ...]) -> None:
        self.positional: Final = positional
        self.keywords: Final = keywords

    def render(self, hook_name: str) -> str:
        parts = [*self.positional, *(f"{k}=..." for k in self.keywords)]
        return f"{hook_name}({', '.join(parts)})"


_EXTRA_POSITIONAL: Final = "..."


def placeholder_calls(
    signature: inspect.Signature, implementation: inspect.Signature | None = None
) -> Iterator[Call]:
    """Calls that the hook signature allows, covering each way a parameter can be passed.

    With the ``implementation`` known, the extras a hook's ``*args``/``**kwargs`` admit are
    chosen to probe it: one positional more than it can take, keywords named like its
    positional parameters.
    """
    params = list(signature.parameters.values())
    positional = [p for p in params if _positional(p)]
    keyword_only = [p for p in params if p.kind is p.KEYWORD_ONLY]
    var_positional = next((p for p in params if p.kind is p.VAR_POSITIONAL), None)
    var_keyword = next((p for p in params if p.kind is p.VAR_KEYWORD), None)
    optional = [p.name for p in (*positional, *keyword_only) if p.default is not p.empty]

    positional_only = [p for p in positional if p.kind is p.POSITIONAL_ONLY]
    # The extras that *args and **kwargs admit do not depend on which optionals are given.
    all_positional_extras: list[tuple[str, ...]] = [()]
    if var_positional is not None:
        all_positional_extras = [
            (_EXTRA_POSITIONAL,) * count
            for count in _extra_positional_counts(len(positional), implementation)
        ]
    extra_keywords: list[tuple[str, ...]] = [()]
    if var_keyword is not None:
        extra_keywords = [(name,) for name in _extra_keywords(signature, implementation)]

    given_sets: list[frozenset[str]] = [frozenset(optional), frozenset()]
    given_sets += [frozenset(optional) - {name} for name in optional]
    seen: set[tuple[tuple[str, ...], tuple[str, ...]]] = set()
    for given in given_sets:
        present = [p for p in positional if p.default is p.empty or p.name in given]
        # Positional-only parameters can only be passed by position, so the ones given must be
        # a leading run of them; past an omitted one, none can be given.
        given_positional_only = [p for p in positional_only if p in present]
        if given_positional_only != positional_only[: len(given_positional_only)]:
            continue
        leading = 0
        while leading < len(positional) and positional[leading] in present:
            leading += 1
        for cut in range(len(given_positional_only), leading + 1):
            by_position = tuple(p.name for p in positional[:cut])
            by_keyword = tuple(p.name for p in present if p.name not in by_position)
            by_keyword += tuple(
                p.name for p in keyword_only if p.default is p.empty or p.name in given
            )
            # Extra positionals only follow every positional parameter given by position.
            extra_positionals = all_positional_extras if cut == len(positional) else [()]
            for more_positional in extra_positionals:
                for more_keywords in extra_keywords:
                    key = (by_position + more_positional, by_keyword + more_keywords)
                    if key not in seen:
                        seen.add(key)
                        yield Call(*key)


def _extra_positional_counts(
    hook_positional: int, implementation: inspect.Signature | None
) -> list[int]:
    """How many extra positional arguments to try for a hook's ``*args``: none, one, and more
    than the implementation has positional parameters for."""
    capacity = 2
    if implementation is not None:
        capacity = sum(_positional(p) for p in implementation.parameters.values())
    return sorted({0, 1, max(2, capacity - hook_positional + 1)})


def _extra_keywords(
    signature: inspect.Signature, implementation: inspect.Signature | None
) -> list[str]:
    """Keywords to try for a hook's ``**kwargs``: a fresh name, and names that the hook's
    ``**kwargs`` receives but an implementation might bind elsewhere (the hook's positional-only
    names, and the implementation's positional parameters that the hook does not have)."""
    fresh = _EXTRA_KEYWORD
    while fresh in signature.parameters:
        fresh += "_"
    names = [fresh]
    names += [p.name for p in signature.parameters.values() if p.kind is p.POSITIONAL_ONLY]
    if implementation is not None:
        names += [
            p.name
            for p in implementation.parameters.values()
            if _positional(p) and p.name not in signature.parameters
        ]
    return list(dict.fromkeys(names))


def first_rejected_call(
    hook_signature: inspect.Signature, implementation: inspect.Signature, name: str = "method"
) -> tuple[Call, str] | None:
    """The first placeholder call the implementation cannot take, with the reason; else None."""
    accepts = _stub(implementation, name)
    for call in placeholder_calls(hook_signature, implementation):
        args = [None] * len(call.positional)
        kwargs = dict.fromkeys(call.keywords)
        try:
            accepts(*args, **kwargs)
        except TypeError as exc:
            return call, str(exc).removeprefix(f"{name}() ")
    return None


def _stub(signature: inspect.Signature, name: str) -> Callable[..., Any]:
    """A function with ``signature``'s parameters (no annotations, defaults None) that does
    nothing: calling it binds arguments exactly as a call of the implementation would."""
    bare = signature.replace(
        parameters=[
            p.replace(annotation=p.empty, default=None if p.default is not p.empty else p.empty)
            for p in signature.parameters.values()
        ],
        return_annotation=signature.empty,
    )
    namespace: dict[str, Any] = {}
    try:
        exec(f"def {name}{bare}: pass", {}, namespace)  # noqa: S102
    except SyntaxError:  # names no def can spell (some builtins' signatures): bind instead
        return bare.bind
    stub: Callable[..., Any] = namespace[name]
    return stub


def dropped_keywords(
    hook_signature: inspect.Signature, implementation: inspect.Signature
) -> frozenset[str]:
    """The hook's keyword-only parameters that the implementation does not declare.

    A callback may declare only the keyword-only parameters it needs (as Lightning Fabric 2.6
    allows); the dispatcher then passes it just those, decided here, once. An implementation
    with ``**kwargs`` takes them all. Positional-or-keyword parameters are never dropped: a
    caller may pass them by position.
    """
    params = implementation.parameters.values()
    if any(p.kind is p.VAR_KEYWORD for p in params):
        return frozenset()
    declared = {
        p.name for p in params if p.kind is p.KEYWORD_ONLY or p.kind is p.POSITIONAL_OR_KEYWORD
    }
    return frozenset(
        p.name
        for p in hook_signature.parameters.values()
        if p.kind is p.KEYWORD_ONLY and p.name not in declared
    )


def without(signature: inspect.Signature, names: frozenset[str]) -> inspect.Signature:
    """``signature`` less the parameters called ``names``."""
    if not names:
        return signature
    return signature.replace(
        parameters=[p for p in signature.parameters.values() if p.name not in names]
    )


def inconsistent_parameter(
    hook_signature: inspect.Signature, implementation: inspect.Signature
) -> str | None:
    """A hook parameter that the implementation binds differently by position and by keyword.

    A positional-or-keyword hook parameter may arrive either way (and the dispatcher forwards it
    by position), so both must reach the same parameter of the implementation: with hook
    ``(self, e)`` and implementation ``(self, *args, e=0)``, ``e=2`` reaches ``e`` but ``2`` lands
    in ``*args``. Catch-alls (``*args`` and ``**kwargs`` both) are consistent. Returns a
    description of the first such parameter, or None.
    """
    impl = list(implementation.parameters.values())
    impl_positional = [p for p in impl if _positional(p)]
    by_name = {p.name: p for p in impl}
    index = 0
    for p in hook_signature.parameters.values():
        if not _positional(p):
            continue
        if p.kind is p.POSITIONAL_OR_KEYWORD:
            by_position = impl_positional[index].name if index < len(impl_positional) else None
            target = by_name.get(p.name)
            by_keyword = (
                target.name
                if target is not None and target.kind is not target.POSITIONAL_ONLY
                else None
            )
            if (by_position is not None or by_keyword is not None) and by_position != by_keyword:
                where_position = f"parameter {by_position!r}" if by_position else "*args"
                where_keyword = f"parameter {by_keyword!r}" if by_keyword else "**kwargs"
                return (
                    f"the hook's parameter {p.name!r} reaches its {where_position} when passed by "
                    f"position but its {where_keyword} when passed by keyword"
                )
        index += 1
    return None


_SHAPE_FLAGS: Final = 0x04 | 0x08 | 0x20 | 0x80 | 0x200
"""CO_VARARGS | CO_VARKEYWORDS | CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR (as in
``inspect``, spelled out so that ``inspect`` is not imported at import time)."""


class Mirror:
    """The parameter layout of a plain function, read from its code object (no ``inspect``).

    Registration's fast path: a method with the same layout as the hook's spec function (same
    parameter names and kinds after ``self``, the same ``*args``/``**kwargs``, sync or async, and
    a default wherever the hook has one) accepts every call of the hook, binding each argument
    to the same parameter, so the placeholder calls need not be tried.
    """

    __slots__ = (
        "argcount",
        "flags",
        "keyword_defaults",
        "kwonlyargcount",
        "names",
        "positional_defaults",
        "posonlyargcount",
    )

    def __init__(self, code: CodeType, positional_defaults: int, keyword_defaults: frozenset[str]):
        self.argcount: Final = code.co_argcount
        self.posonlyargcount: Final = code.co_posonlyargcount
        self.kwonlyargcount: Final = code.co_kwonlyargcount
        self.names: Final = code.co_varnames[1 : code.co_argcount + code.co_kwonlyargcount]
        """The parameter names after ``self``."""
        self.flags: Final = code.co_flags & _SHAPE_FLAGS
        self.positional_defaults: Final = positional_defaults
        self.keyword_defaults: Final = keyword_defaults

    @classmethod
    def of(cls, function: FunctionType) -> Mirror | None:
        """The layout of ``function``, or None if ``inspect`` might see another signature."""
        if function.__dict__:  # __signature__, __wrapped__, a coroutine marker... : ask inspect
            return None
        code = function.__code__
        if code.co_argcount == 0:
            return None
        return cls(code, len(function.__defaults__ or ()), frozenset(function.__kwdefaults__ or ()))

    def mirrored_by(self, function: FunctionType) -> bool:
        """Does ``function``, of this layout (or one with more defaults), accept every call of
        the hook this mirrors, binding alike? Read straight from its code: it runs per method."""
        if function.__dict__:
            return False
        code = function.__code__
        if (
            code.co_argcount != self.argcount
            or code.co_posonlyargcount != self.posonlyargcount
            or code.co_kwonlyargcount != self.kwonlyargcount
            or code.co_flags & _SHAPE_FLAGS != self.flags
            or code.co_varnames[1 : self.argcount + self.kwonlyargcount] != self.names
        ):
            return False
        defaults = function.__defaults__
        if self.positional_defaults and (
            defaults is None or len(defaults) < self.positional_defaults
        ):
            return False
        if self.keyword_defaults:
            keyword_defaults = function.__kwdefaults__
            return keyword_defaults is not None and keyword_defaults.keys() >= self.keyword_defaults
        return True
