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

import ast
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pytest
from _checkers import OLDEST_MYPY
from _mypy_runs import (
    CASE_FILES,
    CASES_DIR,
    OUTPUT_FLAGS,
    VERSIONS,
    Reported,
    expectations,
    mypy_env,
    mypy_python,
    mypy_version,
    parse_errors,
)
from _tools import REPO_ROOT

PLUGIN_DIR: Final = REPO_ROOT / "src" / "protocall" / "mypy_plugin"


@dataclass(frozen=True, slots=True)
class Run:
    """One mypy run over every case file."""

    label: str
    """``oldest`` or ``newest``."""
    version: str
    errors: dict[str, list[Reported]]
    output: str


def _run_mypy(version: str) -> Run:
    python = mypy_python(version)
    result = subprocess.run(
        [
            str(python),
            "-m",
            "mypy",
            "--config-file",
            "mypy.ini",
            "--no-incremental",
            "--cache-dir",
            os.devnull,
            *OUTPUT_FLAGS,
            *CASE_FILES,
        ],
        cwd=CASES_DIR,
        env=mypy_env(MYPYPATH=str(REPO_ROOT / "src")),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode in (0, 1), f"mypy ({version}) failed to run:\n{output}"
    return Run(version, mypy_version(python), parse_errors(result.stdout), output)


_RUNS: dict[str, Run] = {}
"""Runs by label: pytest may set a parametrized session fixture up again when it reorders tests."""


@pytest.fixture(scope="session", params=VERSIONS)
def mypy_run(request: pytest.FixtureRequest) -> Run:
    """mypy's report on all case files, once per version and session."""
    version: str = request.param
    if version not in _RUNS:
        _RUNS[version] = _run_mypy(version)
    return _RUNS[version]


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
        f"{mypy_run.version} on {case}:\nmissing (line, code, pattern):\n"
        + "\n".join(missing)
        + "\nunexpected:\n"
        + "\n".join(unexpected)
        + f"\nall reported:\n{shown}"
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
    assert instance.get_attribute_hook("protocall._manager.CallbackManager.call") is not None
    assert instance.get_attribute_hook("protocall._manager.CallbackManager.spec") is None
    assert instance.get_function_hook("builtins.print") is None


def _runtime_imports(module: Path) -> set[str]:
    """The runtime modules (``protocall._x``) that a module of the plugin imports."""
    runtime = REPO_ROOT / "src" / "protocall"
    found: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 2:
            names = [node.module] if node.module else [alias.name for alias in node.names]
            found.update(n.split(".")[0] for n in names if (runtime / f"{n}.py").exists())
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] == "protocall" and len(parts) > 1 and parts[1] != "mypy_plugin":
                found.add(parts[1])
    return found


def test_cache_key_covers_every_module_the_plugin_runs() -> None:
    """mypy hashes only ``mypy_plugin/__init__.py``; the plugin's ``report_config_data`` digest
    must cover its other modules and the runtime modules whose rules it shares, or a change to
    them would leave mypy's cached errors stale."""
    from protocall.mypy_plugin import digested_sources

    digested = {path.resolve() for path in digested_sources()}
    modules = sorted(PLUGIN_DIR.glob("*.py"))
    assert {path.resolve() for path in modules} <= digested
    shared = {name for module in modules for name in _runtime_imports(module)}
    assert "_errors" in shared  # the scan finds the imports it is meant to find
    missing = {
        name for name in shared if (PLUGIN_DIR.parent / f"{name}.py").resolve() not in digested
    }
    assert not missing, f"runtime modules the plugin imports but does not digest: {missing}"


_UNCACHED: Final = frozenset(
    {
        "arguments",
        "body",
        "decorators",
        "defs",
        "definition",
        "initializer",
        "original_def",
        "unanalyzed_type",
        "variable",
    }
)
"""Attributes of mypy's nodes (and ``CallableType.definition``) that its incremental cache does
not restore: a plugin that reads them crashes or answers differently once the module that
defines the node is loaded from the cache."""


_CHECKED_MODULE_SYNTAX: Final = {"syntax.py": frozenset({"body", "defs"})}
"""Modules that read the statements of the module being checked, and which attributes they may
read for that: mypy always has the full tree of the module it checks (``checker.tree`` and the
functions on the checker's scope stack), never one loaded from the cache. Every other attribute
of :data:`_UNCACHED` stays forbidden there too."""


@pytest.mark.parametrize("module", sorted(p.name for p in PLUGIN_DIR.glob("*.py")))
def test_plugin_reads_no_attribute_lost_in_the_cache(module: str) -> None:
    tree = ast.parse((PLUGIN_DIR / module).read_text(encoding="utf-8"))
    allowed = _CHECKED_MODULE_SYNTAX.get(module, frozenset())
    read = sorted(
        f"line {node.lineno}: .{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in _UNCACHED - allowed
    )
    assert not read, f"{module} reads node attributes that mypy does not cache: {read}"
