"""Memos that live while mypy type-checks one module.

A spec's hooks and the verdict on a callback class are the same at every registration of one
module, and reading them again for each is most of the plugin's cost in a module that registers
many callbacks. They cannot be kept longer: under ``dmypy`` one plugin instance serves every run,
and a class may change between two runs (in place: ``dmypy`` merges a re-parsed module into the
old nodes). Within one type-check of a module nothing it can see changes, and mypy starts each
one with a fresh ``scope`` on its checker (a new checker, or ``reset()`` under ``dmypy``): that
object is the memo's key. The memo holds it, so it cannot be collected and its ``id`` reused.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from mypy.checker import TypeChecker
from mypy.plugin import CheckerPluginInterface

__all__ = ["CheckMemo"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class CheckMemo(Generic[K, V]):
    """Values computed while one module is type-checked, by key."""

    __slots__ = ("_owner", "_values")

    def __init__(self) -> None:
        self._owner: object = None
        self._values: dict[K, V] = {}

    def get(self, api: CheckerPluginInterface | None, key: K, compute: Callable[[], V]) -> V:
        """The value for ``key``, computed once per module check (every time without a
        checker to tie it to)."""
        owner = api.scope if isinstance(api, TypeChecker) else None
        if owner is None:
            return compute()
        if owner is not self._owner:
            self._owner = owner
            self._values = {}
        try:
            return self._values[key]
        except KeyError:
            value = self._values[key] = compute()
            return value
