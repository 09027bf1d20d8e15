"""How the static-typing tests find and run the real tools: type checkers, language servers.

Every tool comes from the environment running the tests (the ``dev`` extra), except the oldest
supported mypy, which :func:`oldest_mypy` installs into a cached venv (see ``_tools.tool_venv``).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from _tools import REPO_ROOT, tool_venv

__all__ = [
    "OLDEST_MYPY",
    "REPO_ROOT",
    "find_python",
    "oldest_mypy",
    "run_tool",
    "script",
    "tool_env",
]

OLDEST_MYPY: Final = "1.17.0"
"""The oldest mypy that protocall supports (``mypy>=1.17`` in the dev extra).

Older ones type a method inherited from a generic Protocol, accessed on the class (``Hooks.on_x``
where ``class Hooks(OnX[int], Protocol)``), with the base's unbound type variable, so
``manager.emit(Hooks.on_x, ...)`` of such a hook is a false error (``tests/typing/
pass_generic_specs.py``); mypy 1.17 maps it through the base class's type arguments."""


def script(name: str) -> str:
    """The path of console script ``name`` installed next to the running interpreter."""
    for directory in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(directory) / name
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(
            f"{name} is not installed: install the dev extra (pip install -e '.[dev]')"
        )
    return found


def tool_env(*, path: str | None = None) -> dict[str, str]:
    """The environment for a tool: no colours, no pyright update nagging on stdout.

    ``path`` replaces ``PATH``.
    """
    env = dict(os.environ)
    if path is not None:
        env["PATH"] = path
    env.update(
        NO_COLOR="1",
        PYRIGHT_PYTHON_IGNORE_WARNINGS="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.pop("FORCE_COLOR", None)
    env.pop("MYPYPATH", None)
    return env


def run_tool(
    command: Sequence[str], *, timeout: float = 300, cwd: Path = REPO_ROOT, path: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` from the checkout, capturing text output; never raises on exit status."""
    return subprocess.run(
        list(command),
        cwd=cwd,
        env=tool_env(path=path),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def find_python(version: str) -> str | None:
    """An interpreter for ``version`` ("3.12"), found as ``.ci/run``'s ``find_python`` does."""
    candidates: list[str] = []
    found = shutil.which(f"python{version}")
    if found is not None:
        candidates.append(found)
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates.extend(sorted(glob.glob(f"{pyenv_root}/versions/{version}.*/bin/python{version}")))
    for candidate in candidates:
        probe = subprocess.run([candidate, "-c", "pass"], capture_output=True, check=False)
        if probe.returncode == 0:
            return candidate
    return None


def oldest_mypy() -> Path:
    """The ``mypy`` executable of the oldest supported version, in a cached venv.

    It checks code against the test environment's packages through ``--python-executable``.
    mypy 1.17 has compiled wheels for every Python protocall supports (3.11 to 3.13), so the venv
    is built with the interpreter running the tests.
    """
    return tool_venv("mypy", [f"mypy=={OLDEST_MYPY}"]) / "mypy"
