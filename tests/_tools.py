"""External tools for the tests that run real type checkers in their own environments.

Some checks need a tool at a version other than the one the dev extra installs (the oldest mypy
we support, for instance). :func:`tool_venv` makes a virtual environment for it once, under
``.cache/tool-venvs/`` of the checkout, and reuses it on later runs; a file lock keeps parallel
test processes from building the same one twice.
"""

from __future__ import annotations

import fcntl
import hashlib
import subprocess
import sys
import venv
from collections.abc import Sequence
from pathlib import Path
from typing import Final

__all__ = ["REPO_ROOT", "tool_venv"]

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
_VENVS: Final = REPO_ROOT / ".cache" / "tool-venvs"


def tool_venv(name: str, requirements: Sequence[str], *, python: str | None = None) -> Path:
    """The ``bin`` directory of a cached venv named ``name`` with ``requirements`` installed.

    ``python`` is the interpreter to build it with (default: the one running the tests); the
    venv is rebuilt when the requirements or the interpreter change.
    """
    interpreter = python or sys.executable
    key = hashlib.sha256(repr((interpreter, list(requirements))).encode()).hexdigest()[:12]
    root = _VENVS / f"{name}-{key}"
    bin_dir = root / "bin"
    marker = root / ".complete"
    _VENVS.mkdir(parents=True, exist_ok=True)
    with open(_VENVS / f"{name}-{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists():
            if interpreter == sys.executable:
                venv.EnvBuilder(with_pip=True, clear=True).create(root)
            else:
                subprocess.run([interpreter, "-m", "venv", "--clear", str(root)], check=True)
            subprocess.run(
                [str(bin_dir / "python"), "-m", "pip", "install", "--quiet", *requirements],
                check=True,
            )
            marker.write_text("\n".join(requirements))
    return bin_dir
