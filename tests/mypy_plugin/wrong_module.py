"""A module whose function named like a hook does not fit it (see ``exactness.py``)."""

from __future__ import annotations


def summary(title: str) -> str:
    return title


async def on_train_start() -> None:
    pass
