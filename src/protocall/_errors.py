"""The exceptions and warnings protocall raises, and the helpers that word them.

Every message names the callback class, the hook and what to change, so that a user who
meets one knows the fix without reading protocall's source.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["HookNameWarning", "RegistrationError", "UnknownHookError", "closest_names"]


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
    return difflib.get_close_matches(name, list(candidates), n=3, cutoff=cutoff)


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """`` Did you mean 'x'?`` for the closest candidates, or an empty string."""
    close = closest_names(name, candidates)
    if not close:
        return ""
    return " Did you mean " + " or ".join(repr(c) for c in close) + "?"
