"""The programs in examples/ run, each in its own interpreter, and print what they promise."""

from __future__ import annotations

import functools
import re
import subprocess
import sys
from pathlib import Path
from typing import Final

import pytest

EXAMPLES: Final = Path(__file__).resolve().parent.parent / "examples"


@functools.cache
def run_example(name: str) -> list[str]:
    """Run ``examples/<name>`` with warnings as errors; its stdout lines (it must succeed quietly).

    Cached: each program runs once per test session (callers must not change the list).
    """
    completed = subprocess.run(
        [sys.executable, "-W", "error", str(EXAMPLES / name)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=EXAMPLES.parent,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    return completed.stdout.splitlines()


@pytest.mark.parametrize("name", sorted(path.name for path in EXAMPLES.glob("*.py")))
def test_every_example_runs_without_errors_or_warnings(name: str) -> None:
    assert run_example(name)


def test_the_examples_that_this_file_checks_exist() -> None:
    names = {path.name for path in EXAMPLES.glob("*.py")}
    assert {"quickstart.py", "ordering_and_errors.py", "async_hooks.py"} <= names


def test_quickstart_calls_both_callbacks_for_every_batch() -> None:
    lines = run_example("quickstart.py")
    assert lines[0] == "training for 3 epochs"
    batches = lines[1:]
    assert len(batches) == 24
    for iteration in range(12):
        timer, logger = batches[2 * iteration], batches[2 * iteration + 1]
        assert re.fullmatch(rf"iteration {iteration} took \d+ µs", timer), timer
        assert logger == f"loss {1.0 / (iteration + 1):.4f}"


def test_ordering_and_errors_shows_priorities_reverse_and_first() -> None:
    lines = run_example("ordering_and_errors.py")
    assert lines[:10] == [
        "call order: ['cache', 'database', 'logger']",
        "on_setup (priority, then registration order):",
        "  set up cache",
        "  set up database",
        "  set up logger",
        "on_teardown (reversed):",
        "  tear down logger",
        "  tear down database",
        "  tear down cache",
        "first(resolve, key='lookup'): lookup from logger",
    ]


def test_ordering_and_errors_shows_the_collect_policy_and_argument_subsets() -> None:
    lines = run_example("ordering_and_errors.py")
    start = lines.index('errors="collect":')
    assert lines[start + 1 : start + 6] == [
        "  step loss 0.5",
        "  2 of 3 callbacks raised in hook Hooks.on_step",
        "  - RuntimeError('flaky at step 1'): protocall: raised by callback Flaky "
        "(implementer 1 of 3) in hook Hooks.on_step",
        "  - RuntimeError('flaky at step 1'): protocall: raised by callback Flaky "
        "(implementer 3 of 3) in hook Hooks.on_step",
        "errors=handler:",
    ]


def test_ordering_and_errors_shows_a_handler_that_continues() -> None:
    lines = run_example("ordering_and_errors.py")
    start = lines.index("errors=handler:")
    assert lines[start + 1 :] == [
        "  handler: Flaky.on_step raised RuntimeError('flaky at step 2'); continuing",
        "  step loss 0.25",
    ]


def test_async_hooks_awaits_in_order_then_saves_concurrently() -> None:
    lines = run_example("async_hooks.py")
    assert lines[:2] == ["  s3: epoch 1 done", "  disk: epoch 1 done"]
    took = re.fullmatch(r"  concurrent save took (\d+\.\d\d)s \(not 0\.3s\):", lines[2])
    assert took is not None, lines[2]
    assert float(took.group(1)) >= 0.2
    # Results come in call order although disk (0.1 s) finishes before s3 (0.2 s).
    assert lines[3:] == [
        "  - s3 saved ckpt/epoch-1 in 0.2s",
        "  - disk saved ckpt/epoch-1 in 0.1s",
    ]
