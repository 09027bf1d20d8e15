"""Rules that the run time and the mypy plugin share, so that both decide alike.

Only what both sides need lives here, in plain Python with no import of mypy or of the rest of
protocall: which method names look like a misspelt hook name.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Final

__all__ = ["NEAR_MISS_CUTOFF", "is_near_miss_candidate", "near_miss"]

NEAR_MISS_CUTOFF: Final = 0.85
"""How similar (``difflib`` ratio) a method name must be to a hook name to be reported."""


def is_near_miss_candidate(name: str, hooks: Iterable[str]) -> bool:
    """Is ``name`` a method name that could be a misspelt hook? Public, and not a hook."""
    return not name.startswith("_") and name not in hooks


def near_miss(name: str, hooks: Iterable[str]) -> str | None:
    """The hook that the method name ``name`` most likely misspells, or None.

    ``on_train_bach_end`` next to the hook ``on_train_batch_end`` is one; a public method that
    is a hook name itself, or private (``_helper``), never is.
    """
    hooks = list(hooks)
    if not is_near_miss_candidate(name, hooks):
        return None
    letters = _letters(name)
    candidates = [hook for hook in hooks if _may_be_close(name, letters, hook)]
    if not candidates:
        return None
    import difflib  # only when a callback class is read: it is slow to import

    close = difflib.get_close_matches(name, candidates, n=1, cutoff=NEAR_MISS_CUTOFF)
    return close[0] if close else None


@lru_cache(maxsize=4096)
def _letters(word: str) -> dict[str, int]:
    """How many times each character occurs in ``word``."""
    counts: dict[str, int] = {}
    for char in word:
        counts[char] = counts.get(char, 0) + 1
    return counts


def _may_be_close(name: str, letters: dict[str, int], hook: str) -> bool:
    """``difflib``'s own upper bounds on the similarity of ``name`` and ``hook``
    (``real_quick_ratio``: the lengths; ``quick_ratio``: the characters in common, counted),
    computed alike, without a ``SequenceMatcher``: a hook that fails them is one that
    ``get_close_matches`` skips, so leaving it out changes nothing but the time taken."""
    total = len(name) + len(hook)
    if 2.0 * min(len(name), len(hook)) / total < NEAR_MISS_CUTOFF:
        return False
    matches = 0
    for char, count in _letters(hook).items():
        mine = letters.get(char)
        if mine:
            matches += count if count < mine else mine
    return 2.0 * matches / total >= NEAR_MISS_CUTOFF
