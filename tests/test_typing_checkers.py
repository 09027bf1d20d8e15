"""The typed API, proven at the user's call site by the real type checkers, without the plugin.

Each case file in ``tests/typing/`` is a user's module. A ``pass_*.py`` file must produce no
diagnostic at all (it pins every public result type with ``assert_type``); in a ``fail_*.py``
file every line that must be reported ends with ``# E: <why>``. For each checker the test
asserts that the set of reported lines is exactly the set of marked lines: an error missed and an
error too many both fail, so a file that merely "has errors" proves nothing.

Each checker runs once per session over all the case files (all checkers concurrently); the
assertions are parametrized per checker and file. The checkers and their settings:

* mypy, oldest supported (:data:`_checkers.OLDEST_MYPY`, in a cached venv) and newest (the dev
  extra's), ``--strict`` (``tests/typing/mypy.ini``);
* pyright, strict (``tests/typing/pyrightconfig.json``);
* ty, its defaults;
* pyrefly, its ``default`` preset (``tests/typing/pyrefly.toml``; without a configuration
  file pyrefly uses ``basic``, which checks much less: the docs tell users to set it).

Where a checker is wrong (misses a marked error, or reports valid code), the case stays and the
gap is recorded in :data:`KNOWN_GAPS` with the checker's version: the test then expects exactly
that gap, so it fails, and says so, when a new version fixes it. Where the annotations themselves
cannot say what a line marks (``manager.call`` of a hook that returns a value is typed as that
value; the union of per-hook Protocols measured in ``fail_callback_union.py``), the line is
recorded in :data:`LIMITS`, expected of every checker alike: the mypy plugin is what reports it.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import pytest
from _checkers import REPO_ROOT, oldest_mypy, run_tool, script

CASES_DIR: Final = REPO_ROOT / "tests" / "typing"
CASE_FILES: Final = tuple(
    sorted(path.name for pattern in ("pass_*.py", "fail_*.py") for path in CASES_DIR.glob(pattern))
)
_MARKER: Final = re.compile(r"#\s*E:\s*\S")

CheckerName = Literal["mypy-oldest", "mypy", "pyright", "ty", "pyrefly"]
CHECKERS: Final[tuple[CheckerName, ...]] = ("mypy-oldest", "mypy", "pyright", "ty", "pyrefly")


# -- known gaps and limits --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Gap:
    """A checker that is wrong about one line of a case file."""

    checker: CheckerName
    version: str
    """The checker version the gap was recorded with."""
    file: str
    line: int
    kind: Literal["missed", "false positive"]
    """``missed``: a marked line it does not report; ``false positive``: an unmarked line it reports."""
    why: str


@dataclass(frozen=True, slots=True)
class Limit:
    """A line that every checker gets wrong, because no annotation can say what is marked.

    The line is marked with what registration or dispatch does at run time (and the mypy plugin
    reports); the annotations cannot express it, so no checker could report it without the plugin.
    """

    file: str
    line: int
    kind: Literal["missed", "false positive"]
    why: str


_RECORDED_WITH: Final[Mapping[CheckerName, str]] = {
    "mypy-oldest": "1.17.0",
    "mypy": "2.4.1",
    "pyright": "1.1.414",
    "ty": "0.0.108",
    "pyrefly": "1.5.0",
}


def _gaps(
    checkers: tuple[CheckerName, ...],
    file: str,
    lines: tuple[int, ...],
    kind: Literal["missed", "false positive"],
    why: str,
) -> tuple[Gap, ...]:
    """The same gap of several checkers (each at the version it was recorded with) on several lines."""
    return tuple(
        Gap(checker, _RECORDED_WITH[checker], file, line, kind, why)
        for checker in checkers
        for line in lines
    )


_MYPY: Final[tuple[CheckerName, ...]] = ("mypy-oldest", "mypy")
_MYPY_6709: Final = (
    "mypy does not check parameter names of positional-or-keyword parameters (by design: "
    "python/mypy#6709); pyright, ty and pyrefly do. Hence keyword-only hook parameters."
)

KNOWN_GAPS: Final[tuple[Gap, ...]] = (
    *_gaps(_MYPY, "fail_callbacks.py", (37,), "missed", _MYPY_6709),
    *_gaps(
        ("ty",),
        "fail_callbacks.py",
        (65,),
        "missed",
        "ty does not report a non-callable class attribute that overrides a Protocol method",
    ),
    *_gaps(
        (*_MYPY, "pyrefly"),
        "fail_variance.py",
        (44,),
        "missed",
        "deleting a property without a deleter is not reported",
    ),
    *_gaps(
        (*_MYPY, "ty", "pyrefly"),
        "pass_hook_results.py",
        (38, 44),
        "false positive",
        "a hook declared -> Any matches both the list overload of emit and the awaitable one; by the "
        "typing spec's overload rules (an Any argument that makes overloads with different results "
        "match) the call is Any. pyright takes the first match: list[Any].",
    ),
    *_gaps(
        ("ty",),
        "pass_hook_results.py",
        (40, 41, 42, 43),
        "false positive",
        "ty solves a generic or Self hook's result to Never to match the first overload of emit "
        "and first (the one for hooks declared -> Any): list[Any] and Any, not the hook's result",
    ),
    *_gaps(
        ("pyright", "ty"),
        "pass_generic_specs.py",
        (64,),
        "false positive",
        "a bare generic class has Unknown type arguments (pyright strict reports "
        "reportUnknownMemberType; the result is list[Unknown]): write Hooks[int].on_predict",
    ),
    *_gaps(
        ("ty",),
        "pass_overloaded_hooks.py",
        (42, 43, 44, 45, 46),
        "false positive",
        "ty captures an overloaded function's first overload's parameters in a ParamSpec and "
        "the union of all the overloads' results",
    ),
    *_gaps(
        ("pyrefly",),
        "pass_overloaded_hooks.py",
        (44, 46),
        "false positive",
        "pyrefly gives the first overload's result for an overloaded hook passed to emit or first",
    ),
    *_gaps(
        ("pyrefly",),
        "fail_overloaded_hooks.py",
        (31, 32, 33),
        "missed",
        "pyrefly checks no arguments (and gives the first overload's result) for an overloaded "
        "hook passed to emit",
    ),
    *_gaps(_MYPY, "fail_callback_union.py", (141,), "missed", _MYPY_6709),
)

_CALL_IS_T: Final = (
    "manager.call is typed as the spec, so a hook's declared result is what call returns; no "
    "annotation says None for the hooks that return a value. At run time call raises TypeError "
    "(semantics 10); the mypy plugin reports protocall-call-result."
)
_UNION_MISSES: Final = (
    "the union of the per-hook Protocols is satisfied by the one hook that is right (or by a "
    "nominal subclass, or by Any) and cannot see the others, nor the list as a whole; "
    "registration rejects it, and CallbackOf with the mypy plugin reports it"
)
_UNION_REJECTS: Final = (
    "the union of the per-hook Protocols rejects what registration accepts (a Prioritized "
    "wrapper, an argument subset); CallbackOf accepts it"
)

LIMITS: Final[tuple[Limit, ...]] = (
    *(Limit("fail_call.py", line, "missed", _CALL_IS_T) for line in (53, 54, 61)),
    *(Limit("fail_callback_union.py", line, "false positive", _UNION_REJECTS) for line in (72, 73)),
    *(
        Limit("fail_callback_union.py", line, "missed", _UNION_MISSES)
        for line in (136, 138, 143, 145, 146, 147)
    ),
)


# -- running the checkers ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Report:
    """What one checker said about the case files."""

    version: str
    lines: Mapping[str, frozenset[int]]
    """Per case file, the lines with an error or warning."""
    output: str


def _collect(found: Iterator[tuple[str, int]]) -> dict[str, frozenset[int]]:
    lines: dict[str, set[int]] = {}
    for file, line in found:
        lines.setdefault(Path(file).name, set()).add(line)
    return {file: frozenset(numbers) for file, numbers in lines.items()}


def _version(executable: str | Path) -> str:
    output = run_tool([str(executable), "--version"], timeout=120).stdout
    match = re.search(r"\d+\.\d+(?:\.\d+)*", output)
    assert match is not None, f"no version in {output!r}"
    return match.group()


_MYPY_ERROR: Final = re.compile(r"^(?P<file>[^:\n]+\.py):(?P<line>\d+): error:", re.MULTILINE)


def _run_mypy(executable: str | Path, label: str) -> Report:
    version = _version(executable)
    result = run_tool(
        [
            str(executable),
            "--config-file",
            "mypy.ini",
            "--cache-dir",
            str(REPO_ROOT / ".cache" / "mypy-typing-cases" / f"{label}-{version}"),
            "--python-executable",
            sys.executable,
            *CASE_FILES,
        ],
        cwd=CASES_DIR,
    )
    output = result.stdout + result.stderr
    assert result.returncode in (0, 1), f"mypy {version} failed to run:\n{output}"
    found = ((m["file"], int(m["line"])) for m in _MYPY_ERROR.finditer(result.stdout))
    return Report(version, _collect(found), output)


def _run_pyright() -> Report:
    executable = script("pyright")
    version = _version(executable)
    result = run_tool(
        [
            executable,
            "--outputjson",
            "--project",
            "pyrightconfig.json",
            "--pythonpath",
            sys.executable,
            *CASE_FILES,
        ],
        cwd=CASES_DIR,
    )
    output = result.stdout + result.stderr
    assert result.returncode in (0, 1), f"pyright {version} failed to run:\n{output}"
    diagnostics: list[dict[str, Any]] = json.loads(result.stdout)["generalDiagnostics"]
    found = (
        (str(diagnostic["file"]), int(diagnostic["range"]["start"]["line"]) + 1)  # 0-based
        for diagnostic in diagnostics
        if diagnostic["severity"] in ("error", "warning")
    )
    return Report(version, _collect(found), output)


_TY_DIAGNOSTIC: Final = re.compile(
    r"^(?P<file>[^:\n]+\.py):(?P<line>\d+):\d+: (?:error|warning)\[", re.MULTILINE
)


def _run_ty() -> Report:
    executable = script("ty")
    version = _version(executable)
    result = run_tool(
        [
            executable,
            "check",
            "--python",
            sys.executable,
            "--python-version",
            "3.11",
            "--output-format",
            "concise",
            "--color",
            "never",
            *CASE_FILES,
        ],
        cwd=CASES_DIR,
    )
    output = result.stdout + result.stderr
    assert result.returncode in (0, 1), f"ty {version} failed to run:\n{output}"
    found = ((m["file"], int(m["line"])) for m in _TY_DIAGNOSTIC.finditer(result.stdout))
    return Report(version, _collect(found), output)


def _run_pyrefly() -> Report:
    executable = script("pyrefly")
    version = _version(executable)
    result = run_tool(
        [
            executable,
            "check",
            "--config",
            "pyrefly.toml",
            "--python-interpreter-path",
            sys.executable,
            "--output-format",
            "json",
            "--summary",
            "none",
            *CASE_FILES,
        ],
        cwd=CASES_DIR,
    )
    output = result.stdout + result.stderr
    assert result.returncode in (0, 1), f"pyrefly {version} failed to run:\n{output}"
    errors: list[dict[str, Any]] = json.loads(result.stdout)["errors"]
    found = (
        (str(error["path"]), int(error["line"]))
        for error in errors
        if error["severity"] in ("error", "warn", "warning")
    )
    return Report(version, _collect(found), output)


_RUNNERS: Final[Mapping[CheckerName, Callable[[], Report]]] = {
    "mypy-oldest": lambda: _run_mypy(oldest_mypy(), "oldest"),
    "mypy": lambda: _run_mypy(script("mypy"), "newest"),
    "pyright": _run_pyright,
    "ty": _run_ty,
    "pyrefly": _run_pyrefly,
}


class Reports:
    """Every checker's report, each produced once per session; the checkers run concurrently."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=len(CHECKERS))
        self._futures: dict[CheckerName, Future[Report]] = {}

    def __getitem__(self, checker: CheckerName) -> Report:
        if not self._futures:
            self._futures = {name: self._executor.submit(_RUNNERS[name]) for name in CHECKERS}
        return self._futures[checker].result()

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="session")
def reports() -> Iterator[Reports]:
    runner = Reports()
    yield runner
    runner.close()


# -- the case files --------------------------------------------------------------------------


def marked_lines(file: str) -> frozenset[int]:
    """The lines of case file ``file`` that end with an ``# E: <why>`` marker."""
    text = (CASES_DIR / file).read_text(encoding="utf-8")
    return frozenset(
        number for number, line in enumerate(text.splitlines(), 1) if _MARKER.search(line)
    )


def expected_lines(checker: CheckerName, file: str) -> frozenset[int]:
    """The marked lines, corrected by the limits and the known gaps of ``checker``."""
    gaps: list[Gap | Limit] = [
        gap for gap in KNOWN_GAPS if gap.checker == checker and gap.file == file
    ]
    gaps.extend(limit for limit in LIMITS if limit.file == file)
    missed = {gap.line for gap in gaps if gap.kind == "missed"}
    spurious = {gap.line for gap in gaps if gap.kind == "false positive"}
    return (marked_lines(file) - missed) | spurious


def test_the_case_files_are_there() -> None:
    assert any(name.startswith("pass_") for name in CASE_FILES)
    assert any(name.startswith("fail_") for name in CASE_FILES)
    for file in CASE_FILES:
        if file.startswith("pass_"):
            assert not marked_lines(file), f"{file}: a pass_ file has no # E: markers"
        else:
            assert marked_lines(file), f"{file}: a fail_ file marks the lines it expects reported"


def _gap_id(gap: Gap | Limit) -> str:
    checker = gap.checker if isinstance(gap, Gap) else "all"
    return f"{checker}-{gap.file}-{gap.line}"


@pytest.mark.parametrize("gap", [*KNOWN_GAPS, *LIMITS], ids=_gap_id)
def test_known_gaps_point_at_their_case(gap: Gap | Limit) -> None:
    """A recorded gap or limit names an existing line of a case file, marked or not as its kind says."""
    assert isinstance(gap, Limit) or gap.checker in CHECKERS
    assert gap.file in CASE_FILES
    lines = (CASES_DIR / gap.file).read_text(encoding="utf-8").splitlines()
    assert 1 <= gap.line <= len(lines)
    marked = gap.line in marked_lines(gap.file)
    assert marked == (gap.kind == "missed"), (
        f"{gap.file}:{gap.line} is {'' if marked else 'not '}marked, but the gap says {gap.kind!r}: "
        f"did the case file change? The line now reads {lines[gap.line - 1].strip()!r}"
    )


@pytest.mark.parametrize("file", CASE_FILES)
@pytest.mark.parametrize("checker", CHECKERS)
def test_checker_reports_exactly_the_marked_lines(
    checker: CheckerName, file: str, reports: Reports
) -> None:
    report = reports[checker]
    reported = report.lines.get(file, frozenset())
    expected = expected_lines(checker, file)
    if reported == expected:
        return
    text = (CASES_DIR / file).read_text(encoding="utf-8").splitlines()
    gaps = {gap.line: gap for gap in KNOWN_GAPS if gap.checker == checker and gap.file == file}
    limits = {limit.line: limit for limit in LIMITS if limit.file == file}

    def describe(line: int) -> str:
        gap, limit = gaps.get(line), limits.get(line)
        note = ""
        if gap is not None:
            note = f"  [known gap recorded with {checker} {gap.version}: {gap.why}]"
        elif limit is not None:
            note = f"  [a limit of the annotations, on every checker: {limit.why}]"
        return f"  {file}:{line}: {text[line - 1].strip()}{note}"

    unexpected = sorted(reported - expected)
    missing = sorted(expected - reported)
    message = [f"{checker} {report.version} on {file}:"]
    if unexpected:
        message.append("reported lines that are not marked # E: (or a known gap that was fixed):")
        message.extend(describe(line) for line in unexpected)
    if missing:
        message.append("did not report marked lines (or fixed a known false positive):")
        message.extend(describe(line) for line in missing)
    message.append("checker output:")
    message.append(report.output)
    pytest.fail("\n".join(message), pytrace=False)


def test_no_checker_reports_a_file_that_is_not_a_case(reports: Reports) -> None:
    for checker in CHECKERS:
        stray = set(reports[checker].lines) - set(CASE_FILES)
        assert not stray, f"{checker} reported errors outside the case files: {sorted(stray)}"
