"""The full names under which mypy knows protocall's public objects.

mypy names a class or an alias after the module that defines it, not after the ``protocall``
package that re-exports it.
"""

from __future__ import annotations

from typing import Final

__all__ = ["CALLBACK_OF_FULLNAMES", "MANAGER_FULLNAME"]

MANAGER_FULLNAME: Final = "protocall._manager.CallbackManager"
"""Where ``CallbackManager`` is defined."""

CALLBACK_OF_FULLNAMES: Final = frozenset({"protocall._typing.CallbackOf", "protocall.CallbackOf"})
"""Where ``CallbackOf`` may be defined (a generic type alias, ``protocall._typing``)."""
