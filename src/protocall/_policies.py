"""Error policies: what an exception raised by a callback does to the hook call.

The default ("raise") costs nothing: the generated dispatcher only adds a note naming the
callback and the hook, on the exception path. "collect" and a handler need a ``try`` around each
implementer; their dispatchers are generated in that form only for the managers that ask.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final, Literal, TypeAlias

from ._dispatch import Recovery
from ._errors import HookErrorGroup

__all__ = ["ErrorHandler", "ErrorPolicy", "check_policy", "failure_note", "recovery"]

_NO_MARKER: Final = object()

ErrorHandler: TypeAlias = Callable[[Any, str, Exception], None]
"""``handler(callback, hook_name, exc)``: decides what a failure in a callback does.

Return to go on with the next implementer; raise (``exc`` or another) to stop the call."""

ErrorPolicy: TypeAlias = "Literal['raise', 'collect'] | ErrorHandler"
"""What an exception raised by a callback does (the ``errors=`` of the manager).

``"raise"``: propagate at once; ``"collect"``: call every implementer, then raise a
:class:`~protocall.HookErrorGroup`; a handler: called for each failure."""


def check_policy(errors: object) -> None:
    """:class:`ValueError` unless ``errors`` is an :data:`ErrorPolicy`."""
    if not (errors in ("raise", "collect") or callable(errors)):
        raise ValueError(
            f"errors= is 'raise', 'collect' or a handler (callback, hook_name, exc) -> None, "
            f"not {errors!r}"
        )


def failure_note(
    hook_label: str, callbacks: Sequence[object]
) -> Callable[[BaseException, int], None]:
    """The function that notes, on an exception, which callback raised it in which hook."""
    callbacks = tuple(callbacks)

    def fail(exc: BaseException, index: int) -> None:
        if 0 <= index < len(callbacks):
            culprit = type(callbacks[index]).__qualname__
            exc.add_note(
                f"protocall: raised by callback {culprit} (implementer {index + 1} of "
                f"{len(callbacks)}) in hook {hook_label}"
            )
        else:
            exc.add_note(f"protocall: raised while dispatching hook {hook_label}")

    return fail


def recovery(
    policy: ErrorPolicy,
    hook_label: str,
    hook_name: str,
    callbacks: Sequence[object],
    *,
    not_a_result: object = _NO_MARKER,
) -> Recovery | None:
    """The dispatcher's side of the manager's error policy (None: propagate at once).

    ``not_a_result`` marks what an unchecked manager's skipped attribute "returned": it is left
    out of a :class:`HookErrorGroup`'s ``results``.
    """
    if policy == "raise":
        return None
    if policy == "collect":

        def collect(
            exc: Exception, index: int, errors: list[Exception] | None
        ) -> list[Exception] | None:
            return [exc] if errors is None else [*errors, exc]

        def raise_collected(errors: list[Exception] | None, results: list[Any]) -> None:
            if errors:
                raise HookErrorGroup(
                    f"{len(errors)} of {len(callbacks)} callbacks raised in hook {hook_label}",
                    errors,
                    hook=hook_name,
                    results=[r for r in results if r is not not_a_result],
                )

        return Recovery(handle=collect, finish=raise_collected)
    handler = policy

    def delegate(
        exc: Exception, index: int, errors: list[Exception] | None
    ) -> list[Exception] | None:
        handler(callbacks[index], hook_name, exc)
        return errors

    def nothing(errors: list[Exception] | None, results: list[Any]) -> None:
        return None

    return Recovery(handle=delegate, finish=nothing)
