"""Import time, measured in fresh interpreters.

Two measures, both interleaved across modules in rounds, medians reported:

* ``-X importtime``: the cumulative microseconds the interpreter reports for the module's own
  top-level import (everything it imports that was not already loaded at startup);
* wall clock: ``python -c "import x"`` minus ``python -c pass`` in the same round, which also
  counts what ``-X importtime`` cannot see (e.g. ``.pth`` processing is in both and cancels).

Every module loads from bytecode, as after a normal install: the interpreters run with
``PYTHONPYCACHEPREFIX`` set to a temporary folder (filled by a warm-up import) and without
``PYTHONDONTWRITEBYTECODE``, which would otherwise make an editable install compile protocall's
source on every import while the peers load their installed ``.pyc`` files.
"""

from __future__ import annotations

import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

__all__ = ["ImportRow", "import_rows"]

_LINE: Final = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| (\S.*)$")


@dataclass(frozen=True, slots=True)
class ImportRow:
    """Median import cost of one module, in milliseconds."""

    module: str
    importtime_ms: float
    wall_ms: float
    samples: int


def _environment(pycache: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = pycache
    return env


def _importtime_us(module: str, env: Mapping[str, str]) -> int:
    """The cumulative ``-X importtime`` microseconds of ``module``'s top-level import."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    for line in done.stderr.splitlines():
        match = _LINE.match(line)
        if match and match.group(3) == module:
            return int(match.group(2))
    raise RuntimeError(f"no -X importtime line for {module}")


def _wall_s(code: str, env: Mapping[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    return time.perf_counter() - t0


def import_rows(modules: Sequence[str], rounds: int, seed: int = 20260) -> list[ImportRow]:
    """Median import times of ``modules``, each measured once per round in shuffled order."""
    rng = random.Random(seed)
    cumulative: dict[str, list[float]] = {m: [] for m in modules}
    wall: dict[str, list[float]] = {m: [] for m in modules}
    order = list(modules)
    with tempfile.TemporaryDirectory(prefix="protocall-bench-pycache-") as pycache:
        env = _environment(pycache)
        for module in modules:  # write the bytecode, warm the file system cache
            _importtime_us(module, env)
            _importtime_us(module, env)
        for _ in range(rounds):
            rng.shuffle(order)
            for module in order:
                cumulative[module].append(_importtime_us(module, env) / 1000)
                empty = _wall_s("pass", env)
                wall[module].append((_wall_s(f"import {module}", env) - empty) * 1000)
    return [
        ImportRow(m, statistics.median(cumulative[m]), statistics.median(wall[m]), rounds)
        for m in modules
    ]
