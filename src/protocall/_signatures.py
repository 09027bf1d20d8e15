"""Can an implementation accept every call that a hook signature allows?

Type checkers compare parameter types; at run time we compare shapes. From the hook's signature we
build placeholder calls covering what a caller may do — give or omit each optional parameter, pass
positional-or-keyword parameters by position or by keyword, add extra arguments where the hook has
``*args``/``**kwargs`` — and try :meth:`inspect.Signature.bind` of the implementation on each. A
renamed positional-or-keyword parameter fails (a caller may pass it by keyword), a missing
parameter fails, an extra required parameter fails.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

__all__ = ["Call", "dropped_keywords", "first_rejected_call", "placeholder_calls", "without"]

_POSITIONAL: Final = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
_EXTRA_KEYWORD: Final = "any_other_keyword"
"""Stands for the keywords a hook's ``**kwargs`` admits (renamed if a parameter has this name)."""


@dataclass(frozen=True, slots=True)
class Call:
    """A placeholder call: which parameters go by position, which by keyword."""

    positional: tuple[str, ...]
    keywords: tuple[str, ...]

    def render(self, hook_name: str) -> str:
        parts = [*self.positional, *(f"{k}=..." for k in self.keywords)]
        return f"{hook_name}({', '.join(parts)})"


def placeholder_calls(signature: inspect.Signature) -> Iterator[Call]:
    """Calls that the hook signature allows, covering each way a parameter can be passed."""
    params = list(signature.parameters.values())
    positional = [p for p in params if p.kind in _POSITIONAL]
    keyword_only = [p for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY]
    var_positional = next(
        (p for p in params if p.kind is inspect.Parameter.VAR_POSITIONAL), None
    )
    var_keyword = next((p for p in params if p.kind is inspect.Parameter.VAR_KEYWORD), None)
    optional = [p.name for p in (*positional, *keyword_only) if p.default is not p.empty]

    given_sets: list[frozenset[str]] = [frozenset(optional), frozenset()]
    given_sets += [frozenset(optional) - {name} for name in optional]
    seen: set[Call] = set()
    for given in given_sets:
        present = [p for p in positional if p.default is p.empty or p.name in given]
        # Positional-only parameters can only be passed by position, so the ones given must be
        # a leading run of them; past an omitted one, none can be given.
        positional_only = [p for p in positional if p.kind is inspect.Parameter.POSITIONAL_ONLY]
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
            if var_positional is not None and cut == len(positional):
                by_position += (f"*{var_positional.name}", f"*{var_positional.name}")
            if var_keyword is not None:
                extra = _EXTRA_KEYWORD
                while extra in signature.parameters:
                    extra += "_"
                by_keyword += (extra,)
            call = Call(by_position, by_keyword)
            if call not in seen:
                seen.add(call)
                yield call


def first_rejected_call(
    hook_signature: inspect.Signature, implementation: inspect.Signature
) -> tuple[Call, str] | None:
    """The first placeholder call the implementation cannot bind, with the reason; else None."""
    for call in placeholder_calls(hook_signature):
        args = [object()] * len(call.positional)
        kwargs = dict.fromkeys(call.keywords, None)
        try:
            implementation.bind(*args, **kwargs)
        except TypeError as exc:
            return call, str(exc)
    return None


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
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return frozenset()
    declared = {
        p.name
        for p in params
        if p.kind in (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    }
    return frozenset(
        p.name
        for p in hook_signature.parameters.values()
        if p.kind is inspect.Parameter.KEYWORD_ONLY and p.name not in declared
    )


def without(signature: inspect.Signature, names: frozenset[str]) -> inspect.Signature:
    """``signature`` less the parameters called ``names``."""
    if not names:
        return signature
    return signature.replace(
        parameters=[p for p in signature.parameters.values() if p.name not in names]
    )
