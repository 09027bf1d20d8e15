"""The interpreter's floor under protocall's by-argument dispatch styles.

``manager.emit(hook, /, *args, **kwargs)`` and the unchecked manager's ``call.<hook>(*args,
**kwargs)`` take their arguments as ``*args``/``**kwargs``, because the hook (or, unchecked, the
hook's parameters) is only known at run time. So whatever such a function does next, CPython has
packed the keywords into a dict, and must unpack them again to call an implementer: either once
into a generated function with the hook's exact parameters (what protocall does), or once per
implementer. The contenders here are the least a pure-Python function with the same signature
can do, each way, without validation, error policies or the hook lookup's fallbacks. If the
faster of the two is still slower than a peer, no Python-level implementation of that
signature can beat the peer: the interpreter itself prevents it.

psygnal's ``emit_fast`` is compiled with mypyc, takes positional arguments only and returns no
results, so it pays none of this.

Like the hand loop, the floors call fresh instances that no manager has registered (see
``_contenders``): what registration does to an instance is part of protocall's cost, not of the
floor's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

from _contenders import (
    Contender,
    Implementer,
    Spec,
    case_namespace,
    fresh,
    half,
    population,
    protocall_contenders,
    psygnal_contenders,
)
from _harness import Case

__all__ = ["FLOOR_SIZES", "floor_contenders"]

FLOOR_SIZES = (1, 4)
"""The sizes at which a by-argument style loses to a peer."""


def _straight_call(methods: Sequence[Callable[..., Any]]) -> Callable[..., None]:
    """``def f(*args, **kwargs)`` calling each method with them once, in one straight line."""
    calls = "; ".join(f"_m{i}(*args, **kwargs)" for i in range(len(methods)))
    scope: dict[str, Any] = {f"_m{i}": m for i, m in enumerate(methods)}
    exec(f"def f(*args, **kwargs):\n    {calls}\n", scope)  # noqa: S102
    function: Callable[..., None] = scope["f"]
    return function


def _unpacking_emit(
    table: dict[object, Sequence[Callable[..., Any]]], n: int
) -> Callable[..., list[Any]]:
    """``def emit(hook, /, *args, **kwargs)``: look the hook's methods up, call each with them."""
    calls = ", ".join(f"_ms[{i}](*args, **kwargs)" for i in range(n))
    scope: dict[str, Any] = {"_table": table}
    exec(  # noqa: S102
        f"def emit(hook, /, *args, **kwargs):\n    _ms = _table[hook]\n    return [{calls}]\n",
        scope,
    )
    function: Callable[..., list[Any]] = scope["emit"]
    return function


def _exact(methods: Sequence[Callable[..., Any]]) -> Callable[..., list[Any]]:
    """The hook's own parameters and one keyword call per method: protocall's generated shape."""
    calls = ", ".join(f"_m{i}(loss=loss, output=output)" for i in range(len(methods)))
    scope: dict[str, Any] = {f"_m{i}": m for i, m in enumerate(methods)}
    exec(f"def f(*, loss, output):\n    return [{calls}]\n", scope)  # noqa: S102
    function: Callable[..., list[Any]] = scope["f"]
    return function


def floor_contenders(n: int, peers: Sequence[str]) -> list[Contender]:
    """At ``n`` callbacks: the hand loop, protocall's by-argument styles, their floors, the peer."""
    k = half(n)
    callbacks = population(n, k)
    tag = f" /{n}"
    keep = ("hand loop", "emit(Spec.hook)", "unchecked call.hook")
    ours = [
        c for c in protocall_contenders(callbacks, tag) if c.case.name.removesuffix(tag) in keep
    ]
    twins = fresh([cb for cb in callbacks if isinstance(cb, Implementer)])
    methods = [cb.on_train_batch_end for cb in twins]
    hook = Spec.on_train_batch_end

    def emit_repacking(hook: object, /, *args: Any, **kwargs: Any) -> list[Any]:
        return repacking[hook](*args, **kwargs)

    repacking: dict[object, Callable[..., list[Any]]] = {hook: _exact(methods)}
    floor = SimpleNamespace(
        emit_unpacking=_unpacking_emit({hook: methods}, len(methods)),
        emit_repacking=emit_repacking,
        call=SimpleNamespace(on_train_batch_end=_straight_call(methods)),
    )
    kw = "loss=loss, output=output"
    namespace = case_namespace(floor=floor, Spec=Spec)
    floors = [
        (
            f"emit floor: unpack per call{tag}",
            f"floor.emit_unpacking(Spec.on_train_batch_end, {kw})",
        ),
        (f"emit floor: repack once{tag}", f"floor.emit_repacking(Spec.on_train_batch_end, {kw})"),
        (f"unchecked call floor{tag}", f"floor.call.on_train_batch_end({kw})"),
    ]
    contenders = ours + [Contender(Case(name, stmt, namespace), twins) for name, stmt in floors]
    if "psygnal" in peers:
        contenders += [c for c in psygnal_contenders(k, tag) if "emit_fast" in c.case.name]
    return contenders
