"""The demo: ``python -m protocall demo``, its training loop, its callbacks and its report."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from dataclasses import replace
from functools import cache

import pytest

from protocall import CallbackManager, HookNameWarning, Profiler, RegistrationError
from protocall.demo import (
    HOOK_NAMES,
    EarlyStopping,
    EpochProgress,
    IterationTimer,
    LearningRateMonitor,
    TrainHooks,
    TrainResult,
    main,
    registration_checks,
    run_demo,
    step_lr,
    train,
)

Event = tuple[str, dict[str, object]]

SUMMARY = re.compile(
    r"summary: (\d+) of (\d+) epochs( \(stopped early by should_stop\))?, val loss \d\.\d{4}, "
    r"val accuracy \d+\.\d%, (\d+) iterations in \d+ ms"
)
EPOCH = re.compile(
    r"epoch +(\d+)/(\d+)  lr \d\.\d{4}  train loss \d\.\d{4}  val loss \d\.\d{4}  "
    r"val acc \d+\.\d%"
)


class Recorder:
    """Implements every hook of the demo's loop, records each call, and votes to stop at
    ``stop_at`` (never when None)."""

    def __init__(self, stop_at: int | None = None) -> None:
        self.events: list[Event] = []
        self.stop_at = stop_at

    def on_train_start(self, **kwargs: object) -> None:
        self.events.append(("on_train_start", kwargs))

    def on_train_epoch_start(self, **kwargs: object) -> None:
        self.events.append(("on_train_epoch_start", kwargs))

    def on_train_batch_start(self, **kwargs: object) -> None:
        self.events.append(("on_train_batch_start", kwargs))

    def on_train_batch_end(self, **kwargs: object) -> None:
        self.events.append(("on_train_batch_end", kwargs))

    def on_train_epoch_end(self, **kwargs: object) -> None:
        self.events.append(("on_train_epoch_end", kwargs))

    def on_validation_end(self, **kwargs: object) -> None:
        self.events.append(("on_validation_end", kwargs))

    def should_stop(self, *, epoch: int, val_loss: float) -> bool:
        self.events.append(("should_stop", {"epoch": epoch, "val_loss": val_loss}))
        return epoch == self.stop_at

    def on_train_end(self, *, result: TrainResult) -> None:
        self.events.append(("on_train_end", {"result": result}))

    def names(self) -> list[str]:
        return [name for name, _ in self.events]

    def of(self, hook: str) -> list[dict[str, object]]:
        return [arguments for name, arguments in self.events if name == hook]


def floating(value: object) -> float:
    assert isinstance(value, float), value
    return value


def discard(line: str) -> None:
    """An echo that drops its lines."""


def run_module(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "protocall", "demo", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
        check=False,
    )


@cache
def demo_output(*args: str) -> tuple[str, ...]:
    """The lines ``python -m protocall demo *args`` prints (it must succeed quietly); run once."""
    result = run_module(*args)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return tuple(result.stdout.splitlines())


def quiet_demo(epochs: int = 20) -> TrainResult:
    lines: list[str] = []
    result = run_demo(epochs=epochs, quiet=True, echo=lines.append)
    assert len(lines) == 1
    return result


# -- python -m protocall demo ------------------------------------------------------------------


def test_the_demo_prints_its_sections_in_order() -> None:
    lines = demo_output()
    assert lines[0].startswith("protocall demo: ")
    registered = lines.index(
        "registered: CallbackManager(TrainHooks, "
        "[IterationTimer, LearningRateMonitor, EarlyStopping, EpochProgress])"
    )
    first_epoch = next(i for i, line in enumerate(lines) if EPOCH.fullmatch(line))
    profiler = next(i for i, line in enumerate(lines) if line.startswith("protocall profiler: "))
    missed = next(i for i, line in enumerate(lines) if line.startswith("what a string-based call"))
    assert 0 < registered < first_epoch < profiler < missed < len(lines) - 1
    assert SUMMARY.fullmatch(lines[-1]), lines[-1]


def test_the_demo_lists_the_implementers_of_every_hook() -> None:
    implementers = {
        match[1]: match[2]
        for line in demo_output()
        if (match := re.fullmatch(r"  (\w+) +-> (.+)", line))
    }
    assert implementers == {
        "on_train_start": "EpochProgress",
        "on_train_epoch_start": "LearningRateMonitor, EpochProgress",
        "on_train_batch_start": "IterationTimer",
        "on_train_batch_end": "IterationTimer, LearningRateMonitor",
        "on_train_epoch_end": "EpochProgress",
        "on_validation_end": "EpochProgress",
        "should_stop": "EarlyStopping",
        "on_train_end": "IterationTimer, LearningRateMonitor, EarlyStopping",
    }


def test_the_demo_prints_one_progress_line_per_epoch_and_stops_early() -> None:
    lines = demo_output()
    epochs = [match for line in lines if (match := EPOCH.fullmatch(line))]
    assert [int(match[1]) for match in epochs] == list(range(1, len(epochs) + 1))
    assert {match[2] for match in epochs} == {"20"}
    summary = SUMMARY.fullmatch(lines[-1])
    assert summary is not None
    assert summary[3] is not None  # stopped early
    assert int(summary[1]) == len(epochs) < 20
    assert int(summary[4]) == 20 * len(epochs)  # 400 examples in batches of 20
    stop = [line for line in lines if line.startswith("  [EarlyStopping] ")]
    assert len(stop) == 1
    assert stop[0].startswith(f"  [EarlyStopping] stop after epoch {len(epochs)}: ")


def test_the_demo_reports_iteration_times_and_learning_rate_changes() -> None:
    lines = demo_output()
    steps = len([line for line in lines if EPOCH.fullmatch(line)]) * 20
    timer = [line for line in lines if line.startswith("  [IterationTimer] ")]
    assert len(timer) == 1
    assert re.fullmatch(
        rf"  \[IterationTimer\] {steps} iterations: mean \d+\.\d µs per iteration "
        r"\(fastest \d+\.\d µs, slowest \d+\.\d µs\)",
        timer[0],
    )
    rates = [line for line in lines if line.startswith("  [LearningRateMonitor] epoch ")]
    assert rates[0] == "  [LearningRateMonitor] epoch 1: lr 0.3000"
    assert rates[1] == "  [LearningRateMonitor] epoch 4: lr 0.3000 -> 0.1500"
    summary = [line for line in lines if line.startswith(f"  [LearningRateMonitor] {steps} steps")]
    assert summary == [
        f"  [LearningRateMonitor] {steps} steps, {len(rates) - 1} changes of the learning rate: "
        + " -> ".join(f"{step_lr(epoch):g}" for epoch in range(1, steps // 20 + 1, 3))
    ]


def test_the_demo_prints_the_profiler_table_with_a_row_per_hook_and_callback() -> None:
    lines = demo_output()
    start = next(i for i, line in enumerate(lines) if line.startswith("protocall profiler: "))
    assert re.fullmatch(
        r"protocall profiler: \d+ hook calls, [\d.]+ (ns|µs|ms|s) in total", lines[start]
    )
    assert lines[start + 2].split() == ["Hook", "Callback", "Mean", "Calls", "Total", "%"]
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("Total "))
    rows = {tuple(line.split()[:2]) for line in lines[start + 4 : end - 1]}
    assert rows == {
        ("on_train_start", "EpochProgress"),
        ("on_train_epoch_start", "LearningRateMonitor"),
        ("on_train_epoch_start", "EpochProgress"),
        ("on_train_batch_start", "IterationTimer"),
        ("on_train_batch_end", "IterationTimer"),
        ("on_train_batch_end", "LearningRateMonitor"),
        ("on_train_epoch_end", "EpochProgress"),
        ("on_validation_end", "EpochProgress"),
        ("should_stop", "EarlyStopping"),
        ("on_train_end", "IterationTimer"),
        ("on_train_end", "LearningRateMonitor"),
        ("on_train_end", "EarlyStopping"),
    }


def test_the_demo_shows_what_a_string_based_call_would_have_missed() -> None:
    lines = demo_output()
    start = next(i for i, line in enumerate(lines) if line.startswith("what a string-based call"))
    section = "\n".join(lines[start + 1 : -2])
    items = re.split(r"^  (?=\S)", section, flags=re.MULTILINE)[1:]
    found = {item.split(":\n", 1)[0]: " ".join(item.split(":\n", 1)[1].split()) for item in items}
    assert list(found) == [
        "a misspelled hook, warned at registration",
        "a wrong signature, refused at registration",
        "a misspelled hook name at the call site, refused",
        "an answer that call would discard, refused",
    ]
    warned, refused, unknown, discarded = found.values()
    assert warned.startswith("HookNameWarning: MisspelledHook.on_train_bach_end ")
    assert "TrainHooks.on_train_batch_end" in warned
    assert refused.startswith("RegistrationError: cannot register WrongSignature: ")
    assert "'accuracy'" in refused
    assert unknown.startswith("UnknownHookError: TrainHooks has no hook 'on_train_bach_end'.")
    assert discarded.startswith("TypeError: TrainHooks.should_stop returns a value (bool)")
    assert "manager.emit" in discarded


def test_quiet_prints_only_the_summary() -> None:
    lines = demo_output("--quiet")
    assert len(lines) == 1
    assert SUMMARY.fullmatch(lines[0]), lines[0]
    untimed = lines[0].rsplit(" in ", 1)[0]
    assert untimed == demo_output()[-1].rsplit(" in ", 1)[0]


def test_epochs_bounds_the_run() -> None:
    lines = demo_output("--epochs", "2")
    assert [line.split("  ")[0] for line in lines if EPOCH.fullmatch(line)] == [
        "epoch 1/2",
        "epoch 2/2",
    ]
    summary = SUMMARY.fullmatch(lines[-1])
    assert summary is not None
    assert (summary[1], summary[2], summary[3], summary[4]) == ("2", "2", None, "40")
    assert "  [EarlyStopping] did not stop the run (best val loss 0.3108)" in lines


def test_epochs_and_quiet_together() -> None:
    lines = demo_output("--epochs", "3", "--quiet")
    assert len(lines) == 1
    assert lines[0].startswith("summary: 3 of 3 epochs, ")


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_a_bad_epoch_count_is_a_usage_error(value: str) -> None:
    result = run_module("--epochs", value)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("usage: python -m protocall demo")
    assert "--epochs" in result.stderr


def test_demo_help_lists_the_options() -> None:
    result = run_module("--help")
    assert result.returncode == 0
    assert "--epochs N" in result.stdout
    assert "--quiet" in result.stdout


def test_main_runs_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--epochs", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("protocall demo: ")
    assert out.count("\nepoch ") == 3
    assert main(["--quiet"]) == 0
    assert SUMMARY.fullmatch(capsys.readouterr().out.rstrip("\n"))


# -- the training loop ---------------------------------------------------------------------------


def test_train_calls_the_hooks_in_sequence_with_their_arguments() -> None:
    recorder = Recorder()
    result = train(
        CallbackManager(TrainHooks, [recorder]), max_epochs=2, train_size=60, batch_size=20
    )
    per_epoch = [
        "on_train_epoch_start",
        *["on_train_batch_start", "on_train_batch_end"] * 3,
        "on_train_epoch_end",
        "on_validation_end",
        "should_stop",
    ]
    assert recorder.names() == ["on_train_start", *per_epoch * 2, "on_train_end"]
    assert recorder.of("on_train_start") == [{"max_epochs": 2, "batches_per_epoch": 3}]
    assert recorder.of("on_train_epoch_start") == [
        {"epoch": 1, "lr": step_lr(1)},
        {"epoch": 2, "lr": step_lr(2)},
    ]
    starts = recorder.of("on_train_batch_start")
    assert [(a["epoch"], a["batch_idx"], a["step"]) for a in starts] == [
        (1, 0, 0),
        (1, 1, 1),
        (1, 2, 2),
        (2, 0, 3),
        (2, 1, 4),
        (2, 2, 5),
    ]
    ends = recorder.of("on_train_batch_end")
    assert [(a["epoch"], a["batch_idx"], a["step"], a["lr"]) for a in ends] == [
        (a["epoch"], a["batch_idx"], a["step"], step_lr(1)) for a in starts
    ]
    assert all(0 < floating(a["loss"]) < 1 for a in ends)
    validations = recorder.of("on_validation_end")
    assert [a["epoch"] for a in validations] == [1, 2]
    assert recorder.of("should_stop") == [
        {"epoch": a["epoch"], "val_loss": a["val_loss"]} for a in validations
    ]
    assert recorder.of("on_train_end") == [{"result": result}]
    assert result.epochs_run == 2 and result.steps == 6 and not result.stopped_early
    assert result.val_loss == validations[-1]["val_loss"]
    assert result.val_accuracy == validations[-1]["val_accuracy"]
    assert result.train_loss == recorder.of("on_train_epoch_end")[-1]["train_loss"]


def test_training_learns_a_separating_line() -> None:
    recorder = Recorder()
    result = train(CallbackManager(TrainHooks, [recorder]), max_epochs=10)
    losses = [floating(a["train_loss"]) for a in recorder.of("on_train_epoch_end")]
    assert losses == sorted(losses, reverse=True)
    assert result.val_accuracy > 0.85
    assert result.val_loss < math.log(2) / 2


def test_a_true_answer_from_should_stop_ends_training_after_that_epoch() -> None:
    recorder = Recorder(stop_at=2)
    result = train(CallbackManager(TrainHooks, [recorder]), max_epochs=20)
    assert result.epochs_run == 2 and result.stopped_early
    assert recorder.names()[-2:] == ["should_stop", "on_train_end"]
    assert len(recorder.of("on_validation_end")) == 2


def test_every_implementer_of_should_stop_is_asked_and_any_true_stops() -> None:
    says_no, says_yes, asked_last = Recorder(), Recorder(stop_at=3), Recorder()
    result = train(CallbackManager(TrainHooks, [says_no, says_yes, asked_last]), max_epochs=20)
    assert result.epochs_run == 3
    assert len(asked_last.of("should_stop")) == 3


def test_a_stop_at_the_last_epoch_is_not_early() -> None:
    result = train(CallbackManager(TrainHooks, [Recorder(stop_at=4)]), max_epochs=4)
    assert result.epochs_run == 4 and not result.stopped_early


def test_train_with_no_callbacks_runs_and_is_deterministic() -> None:
    first, second = train(CallbackManager(TrainHooks)), train(CallbackManager(TrainHooks))
    assert replace(first, seconds=0.0) == replace(second, seconds=0.0)
    assert first.epochs_run == 20 and first.steps == 400  # no callback: nothing stops it


# -- the callbacks -----------------------------------------------------------------------------


def test_the_demo_callbacks_implement_the_hooks_they_declare() -> None:
    timer, rates, stopper, progress = (
        IterationTimer(),
        LearningRateMonitor(),
        EarlyStopping(),
        EpochProgress(),
    )
    manager = CallbackManager(TrainHooks, [timer, rates, stopper, progress])
    assert manager.hooks_of(timer) == {"on_train_batch_start", "on_train_batch_end", "on_train_end"}
    assert manager.hooks_of(rates) == {"on_train_epoch_start", "on_train_batch_end", "on_train_end"}
    assert manager.hooks_of(stopper) == {"should_stop", "on_train_end"}
    assert manager.hooks_of(progress) == {
        "on_train_start",
        "on_train_epoch_start",
        "on_train_epoch_end",
        "on_validation_end",
    }
    assert set(HOOK_NAMES) == frozenset[str]().union(*map(manager.hooks_of, manager.callbacks))


def test_early_stopping_waits_patience_epochs_without_an_improvement_of_min_delta() -> None:
    lines: list[str] = []
    stopper = EarlyStopping(patience=2, min_delta=0.01, echo=lines.append)
    losses = [0.5, 0.4, 0.395, 0.35, 0.345, 0.342]
    answers = [stopper.should_stop(epoch=e, val_loss=v) for e, v in enumerate(losses, 1)]
    assert answers == [False, False, False, False, False, True]
    assert (stopper.best, stopper.best_epoch, stopper.stopped_epoch) == (0.35, 4, 6)
    assert lines == [
        "  [EarlyStopping] stop after epoch 6: val loss has not improved by more than 0.01 "
        "for 2 epochs (best 0.3500 at epoch 4)"
    ]


def test_early_stopping_stops_the_default_demo_run() -> None:
    stopper = EarlyStopping(patience=3, min_delta=2e-3, echo=discard)
    result = train(CallbackManager(TrainHooks, [stopper]), max_epochs=20)
    assert result.stopped_early
    assert stopper.stopped_epoch == result.epochs_run == stopper.best_epoch + 3
    assert quiet_demo().epochs_run == result.epochs_run  # the demo's run is this one


def test_the_iteration_timer_times_every_iteration() -> None:
    lines: list[str] = []
    timer = IterationTimer(lines.append)
    result = train(CallbackManager(TrainHooks, [timer]), max_epochs=2)
    assert len(timer.durations_ns) == result.steps == 40
    assert all(duration >= 0 for duration in timer.durations_ns)
    assert timer.mean_ns == sum(timer.durations_ns) / 40
    assert len(lines) == 1 and lines[0].startswith("  [IterationTimer] 40 iterations: mean ")


def test_the_learning_rate_monitor_records_the_schedule() -> None:
    lines: list[str] = []
    monitor = LearningRateMonitor(lines.append)
    train(CallbackManager(TrainHooks, [monitor]), max_epochs=7)
    assert monitor.history == [(step, step_lr(step // 20 + 1)) for step in range(140)]
    assert monitor.changes == [(1, 0.3), (4, 0.15), (7, 0.075)]
    assert (
        lines[-1]
        == "  [LearningRateMonitor] 140 steps, 2 changes of the learning rate: 0.3 -> 0.15 -> 0.075"
    )


def test_the_epoch_progress_line() -> None:
    lines: list[str] = []
    progress = EpochProgress(lines.append)
    train(CallbackManager(TrainHooks, [progress]), max_epochs=12)
    assert lines == progress.lines
    assert len(lines) == 12
    assert all(EPOCH.fullmatch(line) for line in lines)
    assert lines[0].startswith("epoch  1/12  lr 0.3000  ")


def test_the_profiler_counts_every_callback_call() -> None:
    timer = IterationTimer(discard)
    manager = CallbackManager(TrainHooks, [timer, EarlyStopping(echo=discard)])
    profiler = Profiler()
    manager.add_monitor(profiler)
    result = train(manager, max_epochs=3)
    counts = {(row.hook, row.callback): row.count for row in profiler.rows()}
    assert counts == {
        ("on_train_batch_start", "IterationTimer"): result.steps,
        ("on_train_batch_end", "IterationTimer"): result.steps,
        ("on_train_end", "IterationTimer"): 1,
        ("should_stop", "EarlyStopping"): 3,
        ("on_train_end", "EarlyStopping"): 1,
    }


def test_registration_checks_report_the_warning_the_refusal_and_the_call_errors() -> None:
    checks = dict(registration_checks())
    assert len(checks) == 4
    assert checks["a misspelled hook, warned at registration"].startswith(
        f"{HookNameWarning.__name__}: "
    )
    assert checks["a wrong signature, refused at registration"].startswith(
        f"{RegistrationError.__name__}: "
    )
    assert all("\n" not in message for message in checks.values())
