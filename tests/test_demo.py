"""The demo: ``python -m protocall demo`` and the training loop behind it."""

import os
import re
import subprocess
import sys

import pytest

from protocall import CallbackManager
from protocall.demo import IterationTimer, LossLogger, TrainHooks, main, train

Event = tuple[str, dict[str, float]]


class RecordingCallback:
    """Implements every hook of the demo's loop and records each call with its arguments."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def on_train_start(self, *, epochs: int) -> None:
        self.events.append(("on_train_start", {"epochs": epochs}))

    def on_train_batch_start(self, *, iteration: int) -> None:
        self.events.append(("on_train_batch_start", {"iteration": iteration}))

    def on_train_batch_end(self, *, iteration: int, loss: float) -> None:
        self.events.append(("on_train_batch_end", {"iteration": iteration, "loss": loss}))

    def on_train_end(self, *, final_loss: float) -> None:
        self.events.append(("on_train_end", {"final_loss": final_loss}))


def run_module(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "protocall", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
        check=False,
    )


def test_python_m_protocall_demo_exits_0_and_prints_both_callbacks_output_in_order() -> None:
    result = run_module("demo")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("[")]
    timer = [i for i, line in enumerate(lines) if line.startswith("[IterationTimer]")]
    logger = [i for i, line in enumerate(lines) if line.startswith("[LossLogger]")]
    assert len(timer) == 12  # 3 epochs x 4 batches, one line per iteration
    assert len(logger) == 12 + 2  # plus the start and end lines
    assert re.fullmatch(r"\[LossLogger\] training for 3 epochs", lines[0])
    assert re.fullmatch(r"\[LossLogger\] done: final loss \d+\.\d+ after 12 iterations", lines[-1])
    for iteration in range(12):
        # on_train_batch_end: IterationTimer was registered first, so it prints first
        assert re.fullmatch(rf"\[IterationTimer\] iteration +{iteration} took +\d+\.\d µs", lines[1 + 2 * iteration])
        assert re.fullmatch(rf"\[LossLogger\] +iteration +{iteration} loss \d+\.\d+", lines[2 + 2 * iteration])


def test_the_demo_shows_the_registered_callbacks_and_the_implementers_of_each_hook() -> None:
    result = run_module("demo")
    assert "registered: CallbackManager(TrainHooks, [IterationTimer, LossLogger])" in result.stdout
    implementers = dict(
        re.findall(r"^  (on_\w+) +-> (.+)$", result.stdout, flags=re.MULTILINE)
    )
    assert implementers == {
        "on_train_start": "LossLogger",
        "on_train_batch_start": "IterationTimer",
        "on_train_batch_end": "IterationTimer, LossLogger",
        "on_train_end": "LossLogger",
    }


def test_train_calls_the_hooks_in_sequence_with_their_arguments() -> None:
    recorder = RecordingCallback()
    final = train(CallbackManager(TrainHooks, [recorder]), epochs=2, batches=3)
    names = [name for name, _ in recorder.events]
    per_iteration = ["on_train_batch_start", "on_train_batch_end"]
    assert names == ["on_train_start", *per_iteration * 6, "on_train_end"]
    start: Event = ("on_train_start", {"epochs": 2})
    assert recorder.events[0] == start
    iterations = [args["iteration"] for _, args in recorder.events if "iteration" in args]
    assert iterations == [i for i in range(6) for _ in range(2)]
    end: Event = ("on_train_end", {"final_loss": final})
    assert recorder.events[-1] == end
    last_batch_end = recorder.events[-2][1]
    assert last_batch_end["loss"] == final


def test_train_lowers_the_loss() -> None:
    recorder = RecordingCallback()
    train(CallbackManager(TrainHooks, [recorder]))
    losses = [args["loss"] for name, args in recorder.events if name == "on_train_batch_end"]
    assert len(losses) == 12
    assert losses[-1] < losses[0] / 2


def test_train_with_no_callbacks_runs_and_is_deterministic() -> None:
    assert train(CallbackManager(TrainHooks)) == train(CallbackManager(TrainHooks))


def test_the_demo_callbacks_implement_the_hooks_they_declare() -> None:
    timer, logger = IterationTimer(), LossLogger()
    manager = CallbackManager(TrainHooks, [timer, logger])
    assert manager.hooks_of(timer) == {"on_train_batch_start", "on_train_batch_end"}
    assert manager.hooks_of(logger) == {"on_train_start", "on_train_batch_end", "on_train_end"}


def test_the_loss_logger_records_every_loss(capsys: pytest.CaptureFixture[str]) -> None:
    logger = LossLogger()
    final = train(CallbackManager(TrainHooks, [logger]), epochs=1, batches=4)
    assert len(logger.losses) == 4
    assert logger.losses[-1] == final
    assert "[LossLogger] done" in capsys.readouterr().out


def test_demo_main_runs_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    main()
    out = capsys.readouterr().out
    assert out.startswith("protocall demo: a training loop with hooks declared as Protocols\n")
    assert out.count("[IterationTimer]") == 12
