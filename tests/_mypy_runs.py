"""How the mypy plugin's tests run mypy: the newest and the oldest supported version.

mypy imports a plugin into its own process, so each version runs in an interpreter that has
both mypy and protocall installed: the newest is the test environment's own (the ``dev``
extra), the oldest (:data:`_checkers.OLDEST_MYPY`) a cached venv with the project installed
editable. Both tests of the plugin (``test_mypy_plugin.py``, ``test_mypy_incremental.py``) read
mypy's report with :func:`parse_errors`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from _checkers import OLDEST_MYPY, find_python
from _tools import REPO_ROOT, tool_venv

__all__ = [
    "OUTPUT_FLAGS",
    "VERSIONS",
    "Reported",
    "mypy_env",
    "mypy_python",
    "mypy_version",
    "parse_errors",
]

VERSIONS: Final = ("oldest", "newest")

OUTPUT_FLAGS: Final = (
    "--no-pretty",
    "--no-error-summary",
    "--hide-error-context",
    "--show-error-codes",
    "--show-traceback",
)
"""One line per error, with its code; a crash shows its traceback."""

_ERROR: Final = re.compile(
    r"^(?P<file>[^:\n]+\.py):(?P<line>\d+): error: (?P<message>.*?)(?:  \[(?P<code>[\w-]+)\])?$",
    re.MULTILINE,
)


@dataclass(frozen=True, slots=True)
class Reported:
    """One error mypy reported."""

    line: int
    code: str
    message: str


def mypy_python(version: str) -> Path:
    """The interpreter that runs mypy of ``version`` (``oldest`` or ``newest``) with the plugin.

    mypy 1.11 has no wheels for Python 3.13, so on 3.13 and later the oldest one's venv is built
    with python3.12 or python3.11, found as ``.ci/run`` finds them.
    """
    if version == "newest":
        return Path(sys.executable)
    if version != "oldest":
        raise ValueError(f"unknown mypy version {version!r}: expected one of {VERSIONS}")
    interpreter: str | None = None
    if sys.version_info >= (3, 13):
        interpreter = find_python("3.12") or find_python("3.11")
        if interpreter is None:
            raise FileNotFoundError(f"mypy {OLDEST_MYPY} needs python3.12 or python3.11 on the PATH")
    requirements = [f"mypy=={OLDEST_MYPY}", "-e", str(REPO_ROOT)]
    return tool_venv("mypy-plugin", requirements, python=interpreter) / "python"


def mypy_env(**extra: str) -> dict[str, str]:
    """The environment for a mypy run: no colours, no byte code, no inherited ``MYPYPATH``."""
    env = {k: v for k, v in os.environ.items() if k not in ("MYPYPATH", "FORCE_COLOR")}
    env.update(NO_COLOR="1", PYTHONDONTWRITEBYTECODE="1", **extra)
    return env


def mypy_version(python: Path) -> str:
    """``mypy X.Y.Z (compiled: ...)`` as ``python -m mypy --version`` prints it."""
    result = subprocess.run(
        [str(python), "-m", "mypy", "--version"], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def parse_errors(output: str) -> dict[str, list[Reported]]:
    """The errors of mypy's ``output`` (notes left out), by file name, in reported order."""
    errors: dict[str, list[Reported]] = {}
    for match in _ERROR.finditer(output):
        reported = Reported(int(match["line"]), match["code"] or "", match["message"])
        errors.setdefault(Path(match["file"]).name, []).append(reported)
    return errors
