"""Interrupting protocall at a chosen line: the tests that a KeyboardInterrupt leaves no half
state (design, semantics 12) run a change once per line it executes, interrupted at that line.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from typing import Any

__all__ = ["interrupted_at"]


def interrupted_at(
    line: int, run: Callable[[], object], counts: Callable[[types.FrameType], bool]
) -> bool:
    """Run ``run`` with a KeyboardInterrupt raised at the ``line``-th executed line of the
    frames that ``counts``; whether it was raised (False: ``run`` has fewer such lines)."""
    seen = 0

    def interrupting(frame: types.FrameType, event: str, arg: object) -> Any:
        nonlocal seen
        if event == "line" and counts(frame):
            seen += 1
            if seen == line:
                raise KeyboardInterrupt
        return interrupting

    previous = sys.gettrace()
    sys.settrace(interrupting)
    try:
        run()
    except KeyboardInterrupt:
        return True
    finally:
        sys.settrace(previous)
    return False
