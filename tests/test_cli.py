"""The command line, ``python -m protocall``: run as a user runs it, in a subprocess, against
small modules written to a temporary directory on ``PYTHONPATH``."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

from protocall import CallbackManager, HookNameWarning, RegistrationError

HOOKS_MODULE = '''
from __future__ import annotations

from typing import Protocol


class OnStart(Protocol):
    def on_start(self, *, epochs: int) -> None: ...


class Hooks(OnStart, Protocol):
    """Every hook: one inherited, one async with positional-only and keyword-only parameters."""

    async def on_step(self, step: int, /, *, loss: float) -> list[str]: ...

    def on_end(self) -> None: ...


class NotAProtocol:
    def on_start(self, *, epochs: int) -> None: ...


class Good:
    def __init__(self, required: int) -> None:
        raise AssertionError("check must not call __init__")

    def on_start(self, *, epochs: int) -> None: ...

    def on_end(self) -> None: ...


class Subclass(OnStart):
    def on_start(self, *, epochs: int) -> None: ...


class RenamedParameter:
    def on_start(self, *, epoch: int) -> None: ...


class SyncForAsync:
    def on_step(self, step: int, /, *, loss: float) -> list[str]:
        return []


class NoHook:
    def run(self) -> None: ...


class NearMiss:
    def on_start(self, *, epochs: int) -> None: ...

    def on_stepp(self) -> None: ...


class Nested:
    class Inner:
        def on_end(self) -> None: ...


instance = Good.__new__(Good)


def function() -> None: ...
'''

GOOD = ("hooks_mod:Good", "hooks_mod:Subclass", "hooks_mod:Nested.Inner")
BAD = ("hooks_mod:RenamedParameter", "hooks_mod:SyncForAsync", "hooks_mod:NoHook")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A directory with ``hooks_mod.py`` (a spec, callbacks) and ``boom.py`` (fails on import)."""
    (tmp_path / "hooks_mod.py").write_text(textwrap.dedent(HOOKS_MODULE))
    (tmp_path / "boom.py").write_text('raise RuntimeError("boom at import")\n')
    return tmp_path


def run_cli(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m protocall *args`` with ``directory`` on ``PYTHONPATH``, run from elsewhere."""
    path = os.pathsep.join(p for p in (str(directory), os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "PYTHONPATH": path, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "protocall", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=directory.parent,
        timeout=60,
        check=False,
    )


def registration_verdict(directory: Path, target: str) -> tuple[list[str], list[str]]:
    """What registering an instance of ``target`` with ``CallbackManager(hooks_mod.Hooks)`` says
    in this process: (errors, warnings). The CLI must say the same.

    The module is loaded from its file under a name of its own, leaving ``sys.path`` and
    ``sys.modules`` as they were.
    """
    path = directory / "hooks_mod.py"
    location = importlib.util.spec_from_file_location(f"_cli_{directory.name}", path)
    assert location is not None and location.loader is not None
    module = importlib.util.module_from_spec(location)
    location.loader.exec_module(module)
    cls: type[object] = getattr(module, target.partition(":")[2])
    errors: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            CallbackManager(module.Hooks).register(cls.__new__(cls))
        except RegistrationError as error:
            errors.append(str(error))
    assert all(issubclass(w.category, HookNameWarning) for w in caught)
    return errors, [str(w.message) for w in caught]


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """Exit status 2, nothing on stdout, one line on stderr that contains every fragment."""
    assert result.returncode == 2, result
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("python -m protocall: error: ")
    for fragment in fragments:
        assert fragment in lines[0]


# -- help and demo -----------------------------------------------------------------------------


def test_help_lists_the_three_commands_and_exits_0(project: Path) -> None:
    result = run_cli(project, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: python -m protocall")
    commands = [line.split()[0] for line in result.stdout.splitlines() if line.startswith("    ")]
    assert commands == ["demo", "hooks", "check"]


@pytest.mark.parametrize("command", ["hooks", "check"])
def test_each_command_has_its_own_help(project: Path, command: str) -> None:
    result = run_cli(project, command, "--help")
    assert result.returncode == 0
    usage = " ".join(result.stdout.split())  # argparse wraps to the terminal's width
    assert usage.startswith(f"usage: python -m protocall {command} [-h] module:Spec")


def test_demo_still_runs(project: Path) -> None:
    result = run_cli(project, "demo")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("protocall demo: ")
    assert result.stderr == ""


# -- hooks -------------------------------------------------------------------------------------


def test_hooks_prints_one_signature_per_hook_in_declaration_order(project: Path) -> None:
    result = run_cli(project, "hooks", "hooks_mod:Hooks")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        "def on_start(self, *, epochs: int) -> None",
        "async def on_step(self, step: int, /, *, loss: float) -> list[str]",
        "def on_end(self) -> None",
    ]


def test_hooks_of_a_spec_that_is_not_a_protocol_is_a_one_line_error(project: Path) -> None:
    result = run_cli(project, "hooks", "hooks_mod:NotAProtocol")
    assert_one_line_error(result, "hooks_mod:NotAProtocol", "is not a Protocol")


# -- check -------------------------------------------------------------------------------------


def test_check_of_fitting_classes_exits_0_without_calling_init(project: Path) -> None:
    result = run_cli(project, "check", "hooks_mod:Hooks", *GOOD)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    assert result.stdout == "ok: 3 callback classes checked against hooks_mod:Hooks\n"


def test_check_prints_each_problem_with_the_message_of_registration_and_exits_1(
    project: Path,
) -> None:
    result = run_cli(project, "check", "hooks_mod:Hooks", "hooks_mod:Good", *BAD)
    assert result.returncode == 1
    assert result.stderr == ""
    expected = [
        f"{target}: {message}"
        for target in BAD
        for message in registration_verdict(project, target)[0]
    ]
    assert len(expected) == len(BAD)
    assert result.stdout.splitlines() == [
        *expected,
        "found problems in 3 of 4 callback classes checked against hooks_mod:Hooks",
    ]


@pytest.mark.parametrize(
    ("target", "fragment"),
    [
        ("hooks_mod:RenamedParameter", "on_start"),
        ("hooks_mod:SyncForAsync", "async"),
        ("hooks_mod:NoHook", "implements no hook"),
    ],
)
def test_check_reports_what_registration_rejects(project: Path, target: str, fragment: str) -> None:
    result = run_cli(project, "check", "hooks_mod:Hooks", target)
    assert result.returncode == 1
    problem, summary = result.stdout.splitlines()
    assert problem.startswith(f"{target}: ")
    assert fragment in problem
    assert summary.startswith("found problems in 1 of 1 callback class ")


def test_a_near_miss_is_a_warning_with_the_message_of_registration_and_exits_0(
    project: Path,
) -> None:
    result = run_cli(project, "check", "hooks_mod:Hooks", "hooks_mod:NearMiss")
    assert result.returncode == 0
    errors, warned = registration_verdict(project, "hooks_mod:NearMiss")
    assert errors == []
    assert len(warned) == 1
    assert "on_stepp" in warned[0]
    assert result.stdout.splitlines() == [
        f"hooks_mod:NearMiss: warning: {warned[0]}",
        "ok: 1 callback class checked against hooks_mod:Hooks",
    ]


# -- targets that cannot be used: one line, exit 2, no traceback --------------------------------


@pytest.mark.parametrize("command", [("hooks",), ("check", "hooks_mod:Hooks")])
def test_a_module_that_does_not_exist(project: Path, command: tuple[str, ...]) -> None:
    result = run_cli(project, *command, "no_such_module:Thing")
    assert_one_line_error(result, "cannot import 'no_such_module'", "ModuleNotFoundError")


def test_a_module_that_fails_on_import(project: Path) -> None:
    result = run_cli(project, "hooks", "boom:Hooks")
    assert_one_line_error(result, "importing 'boom' failed", "RuntimeError: boom at import")


@pytest.mark.parametrize("target", ["hooks_mod", "hooks_mod:", ":Hooks", "hooks_mod.Hooks"])
def test_a_target_not_of_the_form_module_colon_name(project: Path, target: str) -> None:
    result = run_cli(project, "hooks", target)
    assert_one_line_error(result, "is not of the form module:Name")


@pytest.mark.parametrize(
    ("target", "owner", "name"),
    [
        ("hooks_mod:Missing", "hooks_mod", "Missing"),
        ("hooks_mod:Nested.Missing", "hooks_mod.Nested", "Missing"),
    ],
)
def test_a_missing_attribute(project: Path, target: str, owner: str, name: str) -> None:
    result = run_cli(project, "check", "hooks_mod:Hooks", "hooks_mod:Good", target)
    assert_one_line_error(result, f"{owner!r} has no attribute {name!r}")


def test_check_against_a_spec_that_is_not_a_protocol(project: Path) -> None:
    result = run_cli(project, "check", "hooks_mod:NotAProtocol", "hooks_mod:Good")
    assert_one_line_error(result, "hooks_mod:NotAProtocol", "is not a Protocol")


def test_a_spec_that_is_not_a_class(project: Path) -> None:
    result = run_cli(project, "hooks", "hooks_mod:function")
    assert_one_line_error(result, "hooks_mod:function is a function, not a class")


@pytest.mark.parametrize(
    ("target", "kind"), [("hooks_mod:instance", "a Good"), ("hooks_mod:function", "a function")]
)
def test_a_callback_that_is_not_a_class(project: Path, target: str, kind: str) -> None:
    result = run_cli(project, "check", "hooks_mod:Hooks", "hooks_mod:Good", target)
    assert_one_line_error(result, f"{target} is {kind}, not a class")


# -- usage errors (argparse) -------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("demos",),
        ("demo", "extra"),
        ("hooks",),
        ("hooks", "hooks_mod:Hooks", "hooks_mod:Good"),
        ("check", "hooks_mod:Hooks"),
    ],
)
def test_usage_errors_print_usage_and_exit_2(project: Path, args: tuple[str, ...]) -> None:
    result = run_cli(project, *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("usage: python -m protocall")
    assert "Traceback" not in result.stderr
