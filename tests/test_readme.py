"""The README's code runs as shown: the opening example and the quickstart's three steps."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end]


def test_the_opening_example_runs() -> None:
    exec(compile(python_blocks()[0], "README.md:opening", "exec"), {"__name__": "readme"})


def test_the_quickstart_steps_run_together_and_print_what_they_say(
    capsys: pytest.CaptureFixture[str],
) -> None:
    steps = re.findall(r"```python\n(.*?)```", section("Quickstart"), flags=re.S)
    assert len(steps) == 3
    exec(compile("\n".join(steps), "README.md:quickstart", "exec"), {"__name__": "readme"})
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "training for 3 epochs"
    assert out[1].startswith("iteration 0 took ")
    assert out[2] == "loss 1.0000"
    assert len(out) == 1 + 12 * 2
