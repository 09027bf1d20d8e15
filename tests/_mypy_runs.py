"""How the mypy plugin's tests run mypy: the newest and the oldest supported version.

mypy imports a plugin into its own process, so each version runs in an interpreter that has
both mypy and protocall installed: the newest is the test environment's own (the ``dev``
extra), the oldest (:data:`_checkers.OLDEST_MYPY`) a cached venv with the project installed
editable. Both tests of the plugin (``test_mypy_plugin.py``, ``test_mypy_incremental.py``) read
mypy's report with :func:`parse_errors`; the plugin's case files (``tests/mypy_plugin/``) mark
the errors expected on each line, read by :func:`expectations` (also by
``test_plugin_runtime_agreement.py``, which holds the run time to the same verdicts).
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
    "CASES_DIR",
    "CASE_FILES",
    "OUTPUT_FLAGS",
    "VERSIONS",
    "Expected",
    "Reported",
    "expectations",
    "mypy_env",
    "mypy_python",
    "mypy_version",
    "parse_errors",
    "silenced",
]

VERSIONS: Final = ("oldest", "newest")

CASES_DIR: Final = REPO_ROOT / "tests" / "mypy_plugin"
"""The plugin's case files: each a user's module, with the errors expected on each line."""
CASE_FILES: Final = tuple(sorted(path.name for path in CASES_DIR.glob("*.py")))

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


_MARKER: Final = re.compile(r"#\s*E:\s*(?P<codes>[\w|-]+)(?P<pattern>(?:(?!#\s*E:).)*)")
_IGNORED: Final = re.compile(r"#\s*type:\s*ignore\[(?P<codes>[\w, -]+)\]")


@dataclass(frozen=True, slots=True)
class Expected:
    """An error that a case file marks on one of its lines: ``# E: <code> [pattern]``."""

    line: int
    codes: frozenset[str]
    """The error code; ``a|b`` accepts either (mypy versions differ on some of their own codes)."""
    pattern: str


def expectations(file: str) -> list[Expected]:
    """The ``# E: <code> [pattern]`` markers of a case file."""
    found: list[Expected] = []
    for number, text in enumerate((CASES_DIR / file).read_text().splitlines(), start=1):
        for marker in _MARKER.finditer(text):
            codes = frozenset(marker["codes"].split("|"))
            found.append(Expected(number, codes, marker["pattern"].strip()))
    return found


def silenced(file: str) -> dict[int, frozenset[str]]:
    """Per line, the codes a case file silences (``# type: ignore[code, ...]``): errors that
    are reported, but not shown."""
    found: dict[int, frozenset[str]] = {}
    for number, text in enumerate((CASES_DIR / file).read_text().splitlines(), start=1):
        for marker in _IGNORED.finditer(text):
            codes = frozenset(code.strip() for code in marker["codes"].split(","))
            found[number] = found.get(number, frozenset()) | codes
    return found


@dataclass(frozen=True, slots=True)
class Reported:
    """One error mypy reported."""

    line: int
    code: str
    message: str


def mypy_python(version: str) -> Path:
    """The interpreter that runs mypy of ``version`` (``oldest`` or ``newest``) with the plugin.

    On Python 3.13 and later the oldest one's venv is built with python3.12 or python3.11,
    found as ``.ci/run`` finds them (older mypy releases had no wheels for 3.13).
    """
    if version == "newest":
        return Path(sys.executable)
    if version != "oldest":
        raise ValueError(f"unknown mypy version {version!r}: expected one of {VERSIONS}")
    interpreter: str | None = None
    if sys.version_info >= (3, 13):
        interpreter = find_python("3.12") or find_python("3.11")
        if interpreter is None:
            raise FileNotFoundError(
                f"mypy {OLDEST_MYPY} needs python3.12 or python3.11 on the PATH"
            )
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
