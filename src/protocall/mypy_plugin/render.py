"""How the mypy plugin shows a hook in its messages: the ``def`` line that would implement it.

Drawn from the hook's type alone (parameter kinds, names and types, the return type), never from
its definition: a spec loaded from mypy's incremental cache has no ``FuncDef.arguments``, and a
message must read the same whether the spec was analysed in this run or loaded from the cache.
The type does not keep the names of positional-only parameters, so they are shown as
``__arg0``, ``__arg1``... before the ``/``: any name is right there, since callers cannot pass
them by keyword.
"""

from __future__ import annotations

from typing import Final

from mypy.messages import format_type_bare
from mypy.nodes import ARG_NAMED, ARG_NAMED_OPT, ARG_OPT, ARG_STAR, ARG_STAR2
from mypy.options import Options
from mypy.types import CallableType, Instance, get_proper_type

from .spec import Hook

__all__ = ["describe_hook", "describe_signature"]

_COROUTINE: Final = "typing.Coroutine"


def describe_hook(hook: Hook, options: Options, *, method: bool = True) -> str:
    """``[async ]def hook(self, <params>) -> R``: the declaration a message proposes as the fix
    (without ``self`` for a function of a module, ``method=False``).

    An overloaded hook is shown as its ``@overload`` declarations, separated by ``;``.
    """
    items = hook.signature.items
    shown = [
        describe_signature(hook.name, item, hook.is_async, options, method=method) for item in items
    ]
    if len(shown) == 1:
        return shown[0]
    return "; ".join(f"@overload {declaration}" for declaration in shown)


def describe_signature(
    name: str, signature: CallableType, is_async: bool, options: Options, *, method: bool = True
) -> str:
    """One ``def`` line for a method of type ``signature`` (bound: ``self`` is added back,
    unless ``method`` is false)."""
    params = _render_parameters(signature, options)
    if method:
        params.insert(0, "self")
    returns = get_proper_type(signature.ret_type)
    if is_async and isinstance(returns, Instance) and returns.type.fullname == _COROUTINE:
        result = format_type_bare(returns.args[-1], options)
    else:
        result = format_type_bare(signature.ret_type, options)
    prefix = "async def" if is_async else "def"
    return f"{prefix} {name}({', '.join(params)}) -> {result}"


def _positional_only(signature: CallableType) -> int:
    """How many leading parameters are positional-only: positional, and nameless in the type."""
    count = 0
    for kind, name in zip(signature.arg_kinds, signature.arg_names, strict=True):
        if not kind.is_positional() or name is not None:
            break
        count += 1
    return count


def _render_parameters(signature: CallableType, options: Options) -> list[str]:
    positional_only = _positional_only(signature)
    rendered: list[str] = []
    star_seen = False
    parameters = zip(signature.arg_kinds, signature.arg_names, signature.arg_types, strict=True)
    for index, (kind, name, typ) in enumerate(parameters):
        shown = name if name is not None else f"__arg{index}"
        annotation = format_type_bare(typ, options)
        if kind == ARG_STAR:
            star_seen = True
            rendered.append(f"*{shown}: {annotation}")
        elif kind == ARG_STAR2:
            rendered.append(f"**{shown}: {annotation}")
        else:
            if kind in (ARG_NAMED, ARG_NAMED_OPT) and not star_seen:
                star_seen = True
                rendered.append("*")
            default = " = ..." if kind in (ARG_OPT, ARG_NAMED_OPT) else ""
            rendered.append(f"{shown}: {annotation}{default}")
        if index == positional_only - 1:
            rendered.append("/")
    return rendered
