"""Protocol introspection across Python versions, without paying for it at import time.

``typing.is_protocol`` and ``typing.get_protocol_members`` arrived in Python 3.13; before that
they come from ``typing_extensions``, which is imported only when a spec is first read (importing
it costs more than the rest of protocall).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["declares_protocol", "defined_as_protocol", "is_protocol", "protocol_members"]


def is_protocol(cls: type) -> bool:
    """Is ``cls`` a Protocol class (not merely a class that implements one)?"""
    if sys.version_info >= (3, 13):
        import typing

        return typing.is_protocol(cls)
    import typing_extensions

    return typing_extensions.is_protocol(cls)


def protocol_members(cls: type) -> frozenset[str]:
    """The names a Protocol declares, its bases' included."""
    if sys.version_info >= (3, 13):
        import typing

        return typing.get_protocol_members(cls)
    import typing_extensions

    return typing_extensions.get_protocol_members(cls)


def defined_as_protocol(cls: type) -> bool:
    """Fast check for one class of an MRO: was it declared as a Protocol?

    ``Protocol.__init_subclass__`` records the answer in each class's own namespace, so this is a
    dictionary lookup (``typing.Protocol`` itself counts as one).
    """
    return declares_protocol(vars(cls))


def declares_protocol(namespace: Mapping[str, object]) -> bool:
    """:func:`defined_as_protocol` for a class whose namespace is already at hand."""
    return bool(namespace.get("_is_protocol", False))
