"""Error policies: what an exception raised by a callback does to the hook call.

The default ("raise") costs nothing: the generated dispatcher only adds a note naming the
callback and the hook, on the exception path. "collect" and a handler need a ``try`` around each
implementer; their dispatchers are generated in that form only for the managers that ask, and
they ask a :class:`Recovery` what each failure does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, Literal, TypeAlias

__all__ = ["ErrorHandler", "ErrorPolicy", "Recovery", "check_policy", "recovery"]

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


class Recovery:
    """An error policy other than "raise": what each failure does (see :data:`ErrorPolicy`)."""

    __slots__ = ("handler",)

    def __init__(self, handler: ErrorHandler | None) -> None:
        self.handler: Final = handler
        """The user's handler, or None to collect the failures."""

    def handle(
        self, callback: object, hook_name: str, exc: Exception, errors: list[Exception] | None
    ) -> list[Exception] | None:
        """Deal with ``exc`` from ``callback``; return the failures collected so far."""
        if self.handler is None:
            return [exc] if errors is None else [*errors, exc]
        self.handler(callback, hook_name, exc)
        return errors


def recovery(policy: ErrorPolicy) -> Recovery | None:
    """The dispatchers' side of the manager's error policy (None: propagate at once)."""
    if policy == "raise":
        return None
    if policy == "collect":
        return Recovery(None)
    return Recovery(policy)
