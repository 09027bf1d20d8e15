"""The error codes of protocall's mypy plugin, one per kind of mistake.

Each is a mypy :class:`~mypy.errorcodes.ErrorCode` of its own so that a user can silence one
kind (``# type: ignore[protocall-no-hook]``) without hiding the others, and so that tests match
messages by code rather than by wording.
"""

from __future__ import annotations

from typing import Final

from mypy.errorcodes import ErrorCode

__all__ = [
    "ASYNC",
    "CALL_RESULT",
    "NEAR_MISS",
    "NOT_INSTANCE",
    "NO_HOOK",
    "PRIORITIZED",
    "SIGNATURE",
    "UNKNOWN_HOOK",
]

_CATEGORY: Final = "protocall"

SIGNATURE: Final = ErrorCode(
    "protocall-signature",
    "A callback's method named like a hook cannot accept every call of the hook",
    _CATEGORY,
)
ASYNC: Final = ErrorCode(
    "protocall-async",
    "A callback implements a sync hook with `async def`, or an async hook with plain `def`",
    _CATEGORY,
)
NO_HOOK: Final = ErrorCode(
    "protocall-no-hook", "A callback implements no hook of the manager's spec", _CATEGORY
)
NEAR_MISS: Final = ErrorCode(
    "protocall-near-miss",
    "A callback's public method is named almost like a hook that it does not implement",
    _CATEGORY,
)
NOT_INSTANCE: Final = ErrorCode(
    "protocall-not-instance",
    "A class is registered where a callback instance is expected",
    _CATEGORY,
)
PRIORITIZED: Final = ErrorCode(
    "protocall-prioritized",
    "register() is given a Prioritized(...), which is for the constructor's list: "
    "pass register's priority= instead",
    _CATEGORY,
)
UNKNOWN_HOOK: Final = ErrorCode(
    "protocall-unknown-hook",
    "emit() or first() names a hook that the manager's spec does not declare",
    _CATEGORY,
)
CALL_RESULT: Final = ErrorCode(
    "protocall-call-result",
    "manager.call.<hook> of a hook that returns a value, which call would discard: "
    "use emit or first",
    _CATEGORY,
)
