"""The mypy plugin's report of a method named almost like a hook: ``on_eror`` for ``on_error``.

Such a method is never called, which is the silent failure protocall exists to prevent. The
runtime warns when it registers the callback (``HookNameWarning``); the plugin reports it as the
error ``protocall-near-miss``. Both decide with the same rule, :func:`protocall._rules.near_miss`,
over the same names: the public methods of the callback's class and of its bases that are not
Protocols, in name order, each close to a hook that the callback does not implement. (A
callback that implements no hook at all is refused; that error names its near misses itself.)

Only what mypy keeps in its cache is read: the classes' symbol tables and their nodes' kinds
and flags, so the verdict is the same for a callback class loaded from the cache.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache

from mypy.nodes import Decorator, FuncDef, OverloadedFuncDef, SymbolNode, TypeInfo, Var
from mypy.types import FunctionLike, get_proper_type

from .._rules import near_miss
from .spec import Spec

__all__ = ["near_miss_message", "near_misses"]


def near_misses(
    spec: Spec, callback: TypeInfo, implemented: Collection[str]
) -> list[tuple[str, str]]:
    """``(method, hook)`` for each method of ``callback`` that misspells a hook it does not
    implement, by method name."""
    methods: set[str] = set()
    for klass in callback.mro:
        if klass.fullname == "builtins.object" or klass.is_protocol:
            continue  # the runtime reads neither: object is in every MRO, Protocols do not count
        methods.update(name for name, symbol in klass.names.items() if _is_method(symbol.node))
    found: list[tuple[str, str]] = []
    for method in sorted(methods):
        hook = _near_miss(method, spec.names)
        if hook is not None and hook not in implemented:
            found.append((method, hook))
    return found


@lru_cache(maxsize=65536)
def _near_miss(method: str, hooks: tuple[str, ...]) -> str | None:
    """:func:`protocall._rules.near_miss`, remembered: a fact about two names, never stale."""
    return near_miss(method, hooks)


def near_miss_message(spec: Spec, callback: TypeInfo, method: str, hook: str) -> str:
    """The error for one near miss, naming the fix as the runtime's warning does."""
    return (
        f'"{callback.name}.{method}" looks like a misspelling of the hook "{spec.name}.{hook}" '
        f'and will never be called: rename it to "{hook}" (or to "_{method}" if it is not meant '
        f"as a hook)"
    )


def _is_method(node: SymbolNode | None) -> bool:
    """Whether a class member is callable as the runtime sees it (``callable()``, or a static
    or class method); a property is not."""
    if isinstance(node, FuncDef):
        return not node.is_property
    if isinstance(node, Decorator):
        return not node.func.is_property
    if isinstance(node, OverloadedFuncDef):
        return not node.is_property
    if isinstance(node, TypeInfo):
        return True  # a nested class is callable
    if isinstance(node, Var) and node.is_initialized_in_class and node.type is not None:
        return isinstance(get_proper_type(node.type), FunctionLike)
    return False
