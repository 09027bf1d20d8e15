"""The README's code runs as shown, and its two commands are the ones CI runs.

Every ``python`` block of the README runs, in order, in one namespace (a later block uses what an
earlier one defined); the example prints what the text after it says.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def blocks(language: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def test_every_python_block_runs_in_order(capsys: pytest.CaptureFixture[str]) -> None:
    python = blocks("python")
    assert len(python) >= 2
    namespace: dict[str, object] = {"__name__": "readme"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a block that warns unexpectedly fails
        for number, block in enumerate(python):
            exec(compile(block, f"README.md:block {number}", "exec"), namespace)  # noqa: S102
    out = capsys.readouterr().out.splitlines()
    assert out == ["iteration 0: loss 1.000", "iteration 4: loss 0.200", "stopped at iteration 6"]
    text = README.read_text(encoding="utf-8")
    said = "It prints `iteration 0: loss 1.000`, `iteration 4: loss 0.200`, then `stopped at iteration 6`."
    assert said in text


def test_the_two_commands_are_the_ones_ci_runs() -> None:
    demo, tests = blocks("sh")[:2]
    assert demo.strip().endswith("python -m protocall demo")
    assert "pip install -e '.[dev]'" in tests and tests.strip().endswith("python -m pytest")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pip install -e '.[dev]'" in ci
    assert re.search(r"^\s*python -m pytest\b", ci, flags=re.M)


def test_the_readme_stays_a_front_door() -> None:
    words = len(README.read_text(encoding="utf-8").split())
    assert words <= 1500, f"README has {words} words: move detail into docs/"


def test_the_readme_links_point_at_files_that_exist() -> None:
    text = README.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
        if "://" not in target:
            assert (ROOT / target).exists(), target
