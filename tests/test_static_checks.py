"""The static checks, run by the test suite so that ``python -m pytest`` covers them.

* ``mypy --strict`` (``mypy.ini``) and pyright strict (``[tool.pyright]`` in ``pyproject.toml``)
  are clean on ``src/`` and ``tests/`` (the typing case files in ``tests/typing/`` are excluded
  there: ``tests/test_typing_checkers.py`` checks them, line by line);
* ``pyright --verifytypes protocall`` finds the public API 100% typed;
* the stubs in ``stubs/`` agree with the installed packages they describe (``mypy.stubtest``).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Final

import pytest
from _checkers import REPO_ROOT, run_tool, script

STUBS: Final = REPO_ROOT / "stubs"
STUB_PACKAGES: Final = tuple(
    sorted(
        path.stem if path.is_file() else path.name
        for path in STUBS.iterdir()
        if (path.is_dir() and (path / "__init__.pyi").exists()) or path.suffix == ".pyi"
    )
)


def test_mypy_strict_is_clean_on_src_and_tests() -> None:
    result = run_tool([sys.executable, "-m", "mypy", "--strict", "--config-file", "mypy.ini"])
    assert result.returncode == 0, f"mypy --strict reported errors:\n{result.stdout}{result.stderr}"


def test_pyright_strict_is_clean_on_src_and_tests() -> None:
    result = run_tool([script("pyright"), "--pythonpath", sys.executable])
    assert "typeCheckingMode" in (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert result.returncode == 0, (
        f"pyright (strict) reported errors:\n{result.stdout}{result.stderr}"
    )


def _verifytypes() -> dict[str, Any]:
    # --verifytypes finds the package through the `python` on the PATH, not --pythonpath.
    scripts = str(Path(sys.executable).parent)
    env_path = scripts + os.pathsep + os.environ.get("PATH", "")
    command = [script("pyright"), "--verifytypes", "protocall", "--ignoreexternal", "--outputjson"]
    result = run_tool(command, path=env_path)
    assert result.stdout.lstrip().startswith("{"), result.stdout + result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_public_api_is_completely_typed() -> None:
    report = _verifytypes()
    completeness: dict[str, Any] = report["typeCompleteness"]
    assert completeness["packageName"] == "protocall"
    assert completeness["pyTypedPath"], "pyright found no py.typed"
    unknown = [
        f"{symbol['name']}: {[d['message'] for d in symbol.get('diagnostics', [])]}"
        for symbol in completeness["symbols"]
        if not symbol["isTypeKnown"] and symbol.get("isExported", True)
    ]
    assert completeness["completenessScore"] == 1, "not completely typed:\n" + "\n".join(unknown)
    exported = {symbol["name"] for symbol in completeness["symbols"]}
    assert {"protocall.CallbackManager", "protocall._manager.CallbackManager.emit"} <= exported
    assert report["summary"]["errorCount"] == 0, report["generalDiagnostics"]


def test_there_are_stubs_to_check() -> None:
    assert "jedi" in STUB_PACKAGES


@pytest.mark.parametrize("module", STUB_PACKAGES)
def test_stubs_match_the_installed_package(module: str) -> None:
    """Every name and signature in the stub exists at run time (the stubs are partial on purpose)."""
    command = [
        sys.executable,
        "-m",
        "mypy.stubtest",
        module,
        "--mypy-config-file",
        "mypy.ini",
        "--ignore-missing-stub",
    ]
    allowlist = STUBS / f"{module}-allowlist.txt"
    if allowlist.exists():
        command += ["--allowlist", str(allowlist)]
    result = run_tool(command)
    assert result.returncode == 0, f"stubtest {module}:\n{result.stdout}{result.stderr}"
