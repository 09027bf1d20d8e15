"""A griffe extension for the API reference: reST roles in docstrings become code spans.

protocall's docstrings name other objects the Sphinx way (``:class:`~protocall.Profiler```,
``:meth:`emit```); Markdown has no roles, so ``mkdocs.yml`` loads this extension, which
rewrites each role as inline code of the name it shows (the last part after a ``~``).
"""

from __future__ import annotations

import re
from typing import Any

from griffe import Extension, Object

_ROLE = re.compile(r":(?:py:)?(?:class|meth|func|attr|data|exc|mod|obj|const):`(?P<target>[^`]+)`")


def _shown(match: re.Match[str]) -> str:
    target = match["target"]
    if target.startswith("~"):
        target = target[1:].rsplit(".", 1)[-1]
    return f"`{target}`"


class SphinxRoles(Extension):
    """Rewrite ``:role:`target``` as ``target`` in every docstring."""

    def on_object(self, *, obj: Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = _ROLE.sub(_shown, obj.docstring.value)
