"""The mypy plugin ``protocall.mypy_plugin``, proven with real mypy runs: oldest and newest.

Each case file in ``tests/mypy_plugin/`` is a user's module checked with the plugin enabled
(``tests/mypy_plugin/mypy.ini``: strict, ``plugins = protocall.mypy_plugin``). Every line that
must be reported ends with one marker per expected error::

    manager.register(Renamed())  # E: protocall-signature rename "stp" to "step"

``# E: <code>`` names the error code (``a|b`` accepts either: mypy versions differ on a few of
their own codes); an optional regular expression after it must be found in the message
(``re.search``). Messages are matched by code and pattern, never by their full text,
so a mypy upgrade that rewords its own messages does not break the cases. Per file and line, the
reported errors must match the markers one to one: an error missed and an error too many both
fail. A file without markers must be clean; valid uses pin their types with
``assert_type``, which mypy reports (``assert-type``) when a type differs.

mypy runs once per version over all the case files: the newest from the test environment (the
``dev`` extra), the oldest supported (:data:`_checkers.OLDEST_MYPY`) from a cached venv with the
project installed editable, because mypy imports a plugin into its own process.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pytest

from _checkers import OLDEST_MYPY, find_python
from _tools import REPO_ROOT, tool_venv

CASES_DIR: Final = REPO_ROOT / "tests" / "mypy_plugin"
CASE_FILES: Final = tuple(sorted(path.name for path in CASES_DIR.glob("*.py")))
VERSIONS: Final = ("oldest", "newest")

_MARKER: Final = re.compile(r"#\s*E:\s*(?P<codes>[\w|-]+)(?P<pattern>(?:(?!#\s*E:).)*)")
_ERROR: Final = re.compile(
    r"^(?P<file>[^:\n]+\.py):(?P<line>\d+): error: (?P<message>.*?)(?:  \[(?P<code>[\w-]+)\])?$",
    re.MULTILINE,
)


@dataclass(frozen=True, slots=True)
class Expected:
    line: int
    codes: frozenset[str]
    """The error code; ``a|b`` accepts either (mypy versions differ on some of their own codes)."""
    pattern: str


@dataclass(frozen=True, slots=True)
class Reported:
    line: int
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Run:
    """One mypy run over every case file."""

    label: str
    """``oldest`` or ``newest``."""
    version: str
    errors: dict[str, list[Reported]]
    output: str


def _oldest_python() -> Path:
    """The interpreter of a venv with the oldest mypy and protocall (editable) installed.

    mypy 1.11 has no wheels for Python 3.13, so on 3.13 and later its venv is built with
    python3.12 or python3.11, found as ``.ci/run`` finds them.
    """
    interpreter: str | None = None
    if sys.version_info >= (3, 13):
        interpreter = find_python("3.12") or find_python("3.11")
        if interpreter is None:
            pytest.fail(f"mypy {OLDEST_MYPY} needs python3.12 or python3.11 on the PATH")
    requirements = [f"mypy=={OLDEST_MYPY}", "-e", str(REPO_ROOT)]
    return tool_venv("mypy-plugin", requirements, python=interpreter) / "python"


def _run_mypy(version: str) -> Run:
    python = Path(sys.executable) if version == "newest" else _oldest_python()
    env = {k: v for k, v in os.environ.items() if k not in ("MYPYPATH", "FORCE_COLOR")}
    env.update(NO_COLOR="1", PYTHONDONTWRITEBYTECODE="1", MYPYPATH=str(REPO_ROOT / "src"))
    result = subprocess.run(
        [
            str(python), "-m", "mypy",
            "--config-file", "mypy.ini",
            "--no-incremental", "--cache-dir", os.devnull,
            "--no-pretty", "--no-error-summary", "--hide-error-context", "--show-error-codes",
            *CASE_FILES,
        ],
        cwd=CASES_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode in (0, 1), f"mypy ({version}) failed to run:\n{output}"
    errors: dict[str, list[Reported]] = {}
    for match in _ERROR.finditer(result.stdout):
        reported = Reported(int(match["line"]), match["code"] or "", match["message"])
        errors.setdefault(Path(match["file"]).name, []).append(reported)
    mypy_version = subprocess.run(
        [str(python), "-m", "mypy", "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return Run(version, mypy_version, errors, output)


_RUNS: dict[str, Run] = {}
"""Runs by label: pytest may set a parametrized session fixture up again when it reorders tests."""


@pytest.fixture(scope="session", params=VERSIONS)
def mypy_run(request: pytest.FixtureRequest) -> Run:
    """mypy's report on all case files, once per version and session."""
    version: str = request.param
    if version not in _RUNS:
        _RUNS[version] = _run_mypy(version)
    return _RUNS[version]


def expectations(file: str) -> list[Expected]:
    """The ``# E: <code> [pattern]`` markers of a case file."""
    found: list[Expected] = []
    for number, text in enumerate((CASES_DIR / file).read_text().splitlines(), start=1):
        for marker in _MARKER.finditer(text):
            codes = frozenset(marker["codes"].split("|"))
            found.append(Expected(number, codes, marker["pattern"].strip()))
    return found


@pytest.mark.parametrize("case", CASE_FILES)
def test_case(mypy_run: Run, case: str) -> None:
    reported = mypy_run.errors.get(case, [])
    unmatched = list(reported)
    missing: list[str] = []
    for expected in expectations(case):
        match = next(
            (
                r
                for r in unmatched
                if r.line == expected.line
                and r.code in expected.codes
                and re.search(expected.pattern, r.message)
            ),
            None,
        )
        if match is None:
            codes = "|".join(sorted(expected.codes))
            missing.append(f"  {case}:{expected.line}: [{codes}] {expected.pattern}")
        else:
            unmatched.remove(match)
    unexpected = [f"  {case}:{r.line}: {r.message}  [{r.code}]" for r in unmatched]
    shown = "\n".join(f"  {case}:{r.line}: {r.message}  [{r.code}]" for r in reported)
    assert not missing and not unexpected, (
        f"{mypy_run.version} on {case}:\nmissing (line, code, pattern):\n" + "\n".join(missing)
        + "\nunexpected:\n" + "\n".join(unexpected) + f"\nall reported:\n{shown}"
    )


def test_versions(mypy_run: Run) -> None:
    """The plugin loaded (a plugin that fails to import makes mypy exit 2, which ``_run_mypy``
    rejects), found things to report, and the oldest mypy is the one the docs promise."""
    if mypy_run.label == "oldest":
        assert f"mypy {OLDEST_MYPY} " in mypy_run.version + " ", mypy_run.version
    assert any(
        r.code.startswith("protocall-") for errors in mypy_run.errors.values() for r in errors
    ), f"{mypy_run.version} reported no protocall error:\n{mypy_run.output}"


def test_plugin_entry_point() -> None:
    """``plugin(version)`` returns the plugin class, which mypy instantiates with its options."""
    from mypy.options import Options
    from mypy.plugin import Plugin

    from protocall.mypy_plugin import ProtocallPlugin, plugin

    cls = plugin("1.11.2")
    assert cls is ProtocallPlugin and issubclass(cls, Plugin)
    instance = cls(Options())
    instance.set_modules({})
    assert instance.get_function_hook("protocall._manager.CallbackManager") is not None
    assert instance.get_method_hook("protocall._manager.CallbackManager.register") is not None
    assert instance.get_method_hook("protocall._manager.CallbackManager.emit") is not None
    assert instance.get_method_hook("protocall._manager.CallbackManager.first") is not None
    assert instance.get_method_hook("protocall._manager.CallbackManager.unregister") is None
    assert instance.get_method_hook("builtins.list.append") is None
