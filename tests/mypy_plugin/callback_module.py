"""A module used as a callback (see ``exactness.py``): its functions are its hooks, without self.

Registering the module itself is valid at run time: registration reads the module's attributes,
as it reads an instance's ``__dict__``.
"""

from __future__ import annotations


def on_train_start() -> None:
    pass


def summary(name: str) -> str:
    return name


def helper() -> None:
    """Not a hook, and a module has no near misses: never reported."""
