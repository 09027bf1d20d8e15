"""The checks of one implementation against one hook, and the messages registration gives.

``_validate`` decides which attribute of a callback implements which hook; this module says
whether that implementation can take every call the hook's signature allows (with
:mod:`inspect` and ``_signatures``), and words every refusal the same way: the class, the hook,
what fails and the fix.
"""

from __future__ import annotations

from types import FunctionType, MethodType
from typing import TYPE_CHECKING, Final

from ._compat import defined_as_protocol
from ._hook import Hook, as_written
from ._signatures import dropped_keywords, first_rejected_call, inconsistent_parameter, without
from ._spec import HookTable

if TYPE_CHECKING:
    import inspect

__all__ = [
    "NOTHING",
    "Verdict",
    "check_function",
    "check_value",
    "near_miss_message",
    "no_hook_message",
]

NOTHING: Final[frozenset[str]] = frozenset()
"""No keyword left out."""

Verdict = tuple[str | None, frozenset[str]]
"""A problem (None if fine) and the hook's keyword-only parameters the method leaves out."""


class _SelfPlaceholder:
    """Bound as ``self`` to read a class function's signature as its instances see it."""


_SELF: Final = _SelfPlaceholder()


def check_function(function: FunctionType, hook: Hook, cls: type, shown: str) -> Verdict:
    """Problems of a plain function of the class used as the method for ``hook``."""
    import inspect

    try:
        signature = inspect.signature(MethodType(function, _SELF))
    except ValueError:
        return (
            f"cannot register {cls.__qualname__}: its method {shown} takes no `self`, so it "
            f"cannot be called as a method for the hook {hook.label}. Declare it as "
            f"{hook.describe()}.",
            NOTHING,
        )
    return _check_signature(
        function, signature, hook, cls, shown, shown_signature=inspect.signature(function)
    )


def check_value(value: object, hook: Hook, cls: type, shown: str) -> Verdict:
    """Problems of an arbitrary attribute value used as the method for ``hook``."""
    import inspect

    if not callable(value):
        return (
            f"cannot register {cls.__qualname__}: its attribute {shown} is named like the hook "
            f"{hook.label} but is not callable (it is {type(value).__name__} {value!r:.60}). "
            f"Make it a method, {hook.describe()}, or set it to None to not implement the hook.",
            NOTHING,
        )
    try:
        signature = inspect.signature(value)
    except (ValueError, TypeError):
        signature = None  # a builtin without signature metadata: nothing to compare
    return _check_signature(value, signature, hook, cls, shown, shown_signature=signature)


def _check_signature(
    value: object,
    signature: inspect.Signature | None,
    hook: Hook,
    cls: type,
    shown: str,
    *,
    shown_signature: inspect.Signature | None,
) -> Verdict:
    is_async = _is_async(value)
    if is_async != hook.is_async:
        this, that = ("an `async def`", "synchronous") if is_async else ("a plain `def`", "async")
        change = "drop `async`" if is_async else "declare it `async def`"
        return (
            f"cannot register {cls.__qualname__}: {shown} is {this} but the hook {hook.label} "
            f"is {that}; {change}: {hook.describe()}.",
            NOTHING,
        )
    if signature is None:
        return None, NOTHING
    shown_parameters = "" if shown_signature is None else str(as_written(shown_signature))
    dropped: frozenset[str] = NOTHING
    for hook_signature in hook.signatures:
        leaves_out = dropped_keywords(hook_signature, signature)
        dropped |= leaves_out
        rejected = first_rejected_call(without(hook_signature, leaves_out), signature, hook.name)
        if rejected is not None:
            call, reason = rejected
            return (
                f"cannot register {cls.__qualname__}: {shown}{shown_parameters} cannot accept "
                f"every call of the hook {hook.label}: the call {call.render(hook.name)} fails "
                f"({reason}). Give it the hook's parameters: {hook.describe()}.",
                NOTHING,
            )
        inconsistent = inconsistent_parameter(hook_signature, signature)
        if inconsistent is not None:
            return (
                f"cannot register {cls.__qualname__}: {shown}{shown_parameters} takes the calls "
                f"of the hook {hook.label} inconsistently: {inconsistent}. Give it the hook's "
                f"parameters: {hook.describe()}.",
                NOTHING,
            )
    return None, dropped


def _is_async(value: object) -> bool:
    import inspect

    if inspect.iscoroutinefunction(value):
        return True
    if isinstance(value, (FunctionType, MethodType)):
        return False
    call = getattr(type(value), "__call__", None)  # noqa: B004 - inspects the class's __call__
    return call is not None and inspect.iscoroutinefunction(call)


def no_hook_message(table: HookTable, cls: type, near_misses: tuple[tuple[str, str], ...]) -> str:
    name = cls.__qualname__
    message = (
        f"cannot register {name}: it implements no hook of {table.spec_name}. Implement at "
        f"least one of {', '.join(table.hooks)} with the hook's signature"
    )
    protocol_bases = [
        k.__qualname__
        for k in cls.__mro__[1:]
        if defined_as_protocol(k) and k.__module__ != "typing"
    ]
    if protocol_bases:
        message += (
            f" (it subclasses {', '.join(protocol_bases)}, but methods inherited from a "
            f"Protocol do not count: override the ones you implement)"
        )
    message += "."
    for method, hook in near_misses:
        message += f" {name}.{method} looks like a misspelling of {hook}."
    return message


def near_miss_message(spec_name: str, cls: type, method: str, hook: str) -> str:
    """The warning for a method named almost like a hook."""
    name = cls.__qualname__
    return (
        f"{name}.{method} looks like a misspelling of the hook {spec_name}.{hook} and will never "
        f"be called: rename it to {hook} (or to _{method} if it is not meant as a hook)."
    )
