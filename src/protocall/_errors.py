"""The exceptions and warnings protocall raises, and the helpers that word them.

Every message names the callback class, the hook and what to change, so that a user who
meets one knows the fix without reading protocall's source.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Sequence
from typing import Final, Self

__all__ = [
    "HookErrorGroup",
    "HookNameWarning",
    "RegistrationError",
    "UnknownHookError",
    "closest_names",
    "did_you_mean",
    "warn_at_caller",
]


class RegistrationError(TypeError):
    """A callback cannot be registered with a :class:`~protocall.CallbackManager`.

    A subclass of :class:`TypeError` because the callback does not have the type the spec asks
    for: it is a class instead of an instance, a hook method has an incompatible signature or the
    wrong sync/async kind, or it implements no hook at all. A failed registration leaves the
    manager exactly as it was.
    """


class UnknownHookError(AttributeError):
    """A hook name that the manager's spec does not declare.

    A subclass of :class:`AttributeError` because ``manager.call.typo`` is an attribute lookup;
    the message lists the closest hook names.
    """


class HookNameWarning(UserWarning):
    """A public method of a callback is named almost like a hook, so it will never be called.

    ``on_train_bach_end`` next to a spec hook ``on_train_batch_end`` is most likely a typo: the
    callback registers fine (it may implement other hooks) but that method never fires.
    """


def closest_names(name: str, candidates: Iterable[str], *, cutoff: float = 0.7) -> list[str]:
    """The candidates closest to ``name``, best first (at most three)."""
    import difflib  # only on the error path: it is slow to import

    return difflib.get_close_matches(name, list(candidates), n=3, cutoff=cutoff)


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """`` Did you mean 'x'?`` for the closest candidates, or an empty string."""
    close = closest_names(name, candidates)
    if not close:
        return ""
    return " Did you mean " + " or ".join(repr(c) for c in close) + "?"


class HookErrorGroup(ExceptionGroup[Exception]):
    """The failures of one hook call under ``errors="collect"``, raised after every implementer ran.

    Each exception carries the note naming its callback and hook. ``results`` holds what the
    implementers that did not fail returned (for ``emit``: in call order; for ``first``: the
    first non-None result, if one was found), so that no result is lost.
    """

    hook: str
    results: list[object]

    def __new__(
        cls,
        message: str,
        exceptions: Sequence[Exception],
        *,
        hook: str = "",
        results: Sequence[object] = (),
    ) -> Self:
        group = super().__new__(cls, message, exceptions)
        group.hook = hook
        group.results = list(results)
        return group

    def __init__(
        self,
        message: str,
        exceptions: Sequence[Exception],
        *,
        hook: str = "",
        results: Sequence[object] = (),
    ) -> None:
        super().__init__(message, exceptions)

    def derive(self, excs: Sequence[Exception]) -> HookErrorGroup:  # type: ignore[override]
        """Keep ``hook`` and ``results`` on the groups that ``split``/``subgroup`` make."""
        return HookErrorGroup(self.message, excs, hook=self.hook, results=self.results)


_PACKAGE: Final = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _is_protocall(filename: str) -> bool:
    """Is this a frame of protocall: one of its modules, or a generated dispatcher?"""
    return filename.startswith((_PACKAGE, "<protocall"))


def warn_at_caller(message: str, category: type[Warning]) -> None:
    """Warn, pointing at the first frame outside protocall: the user's line that registered a
    callback or called a hook, however many of protocall's frames lie between."""
    import inspect  # only on a warning's path

    frame = inspect.currentframe()
    level = 1
    while frame is not None and _is_protocall(frame.f_code.co_filename):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)
