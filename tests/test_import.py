"""Importing protocall stays cheap: the heavy modules load only when they are needed."""

from __future__ import annotations

import inspect
import subprocess
import sys

from protocall import _signatures

DEFERRED = ("inspect", "asyncio", "linecache", "typing_extensions", "difflib", "dataclasses")


def test_import_protocall_loads_none_of_the_deferred_modules() -> None:
    code = (
        "import sys; before = set(sys.modules); import protocall; "
        f"print(sorted(m for m in {DEFERRED!r} if m in set(sys.modules) - before))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_spelled_out_code_flags_are_inspects() -> None:
    expected = (
        inspect.CO_VARARGS
        | inspect.CO_VARKEYWORDS
        | inspect.CO_GENERATOR
        | inspect.CO_COROUTINE
        | inspect.CO_ASYNC_GENERATOR
    )
    assert expected == _signatures._SHAPE_FLAGS  # pyright: ignore[reportPrivateUsage]
