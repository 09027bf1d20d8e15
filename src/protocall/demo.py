"""The demo: a small training loop whose hooks are Protocols (``python -m protocall demo``).

Pure Python (no numpy, no torch): a logistic regression learns to separate two overlapping
clouds of points by minibatch SGD with a step learning-rate schedule. The loop (the "library")
declares its hooks as Protocols and calls them through a ``CallbackManager[TrainHooks]``:

- notifications through ``manager.call.<hook>(...)``, typed as the spec, so a misspelled hook or
  a wrong argument is a type error at the call site;
- the one hook that answers, ``should_stop``, through ``manager.emit(TrainHooks.should_stop,
  ...)``, which returns every implementer's answer as a ``list[bool]``. (``manager.call`` refuses
  a hook that returns something: it would discard the answers.)

Ready callbacks (the "user" side): :class:`IterationTimer`, :class:`LearningRateMonitor`,
:class:`EarlyStopping` and :class:`EpochProgress`; a :class:`protocall.Profiler` watches every
callback call as a monitor. The demo ends by showing what a string-based call
(``fabric.call("on_train_batch_end", ...)``) would have let through silently.

Options: ``--epochs N`` (the most epochs to train), ``--quiet`` (only the final summary).
"""

from __future__ import annotations

import argparse
import math
import random
import textwrap
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from . import CallbackManager, HookNameWarning, Profiler, RegistrationError, UnknownHookError

__all__ = [
    "EarlyStopping",
    "EpochProgress",
    "IterationTimer",
    "LearningRateMonitor",
    "TrainHooks",
    "TrainResult",
    "add_arguments",
    "main",
    "run",
    "run_demo",
    "train",
]

Echo = Callable[[str], None]
"""Where the callbacks and the demo write their lines (``print``, or a list's ``append``)."""

Example = tuple[float, float, int]
"""One example: two features and a label, 0 or 1."""


# -- The library side: the loop declares its hooks as Protocols ------------------------------
#
# One small Protocol per hook, so that a callback subclasses exactly the hooks it implements and
# the type checkers compare its methods with the hooks'. Epochs count from 1; ``batch_idx`` from
# 0 within an epoch; ``step`` from 0 over the whole run.


class OnTrainStart(Protocol):
    def on_train_start(self, *, max_epochs: int, batches_per_epoch: int) -> None: ...


class OnTrainEpochStart(Protocol):
    def on_train_epoch_start(self, *, epoch: int, lr: float) -> None: ...


class OnTrainBatchStart(Protocol):
    def on_train_batch_start(self, *, epoch: int, batch_idx: int, step: int) -> None: ...


class OnTrainBatchEnd(Protocol):
    def on_train_batch_end(
        self, *, epoch: int, batch_idx: int, step: int, loss: float, lr: float
    ) -> None: ...


class OnTrainEpochEnd(Protocol):
    def on_train_epoch_end(self, *, epoch: int, train_loss: float) -> None: ...


class OnValidationEnd(Protocol):
    def on_validation_end(self, *, epoch: int, val_loss: float, val_accuracy: float) -> None: ...


class ShouldStop(Protocol):
    def should_stop(self, *, epoch: int, val_loss: float) -> bool:
        """True to stop training after this epoch. Every implementer is asked; any True stops."""
        ...


class OnTrainEnd(Protocol):
    def on_train_end(self, *, result: TrainResult) -> None: ...


class TrainHooks(
    OnTrainStart,
    OnTrainEpochStart,
    OnTrainBatchStart,
    OnTrainBatchEnd,
    OnTrainEpochEnd,
    OnValidationEnd,
    ShouldStop,
    OnTrainEnd,
    Protocol,
):
    """Every hook the training loop calls."""


HOOK_NAMES: Final = (
    "on_train_start",
    "on_train_epoch_start",
    "on_train_batch_start",
    "on_train_batch_end",
    "on_train_epoch_end",
    "on_validation_end",
    "should_stop",
    "on_train_end",
)
"""The hooks of :class:`TrainHooks`, in the order the loop first calls them."""


@dataclass(frozen=True)
class TrainResult:
    """How a run of :func:`train` ended."""

    epochs_run: int
    max_epochs: int
    steps: int
    """Iterations (batches) trained, over all epochs."""
    stopped_early: bool
    train_loss: float
    val_loss: float
    val_accuracy: float
    weights: tuple[float, float, float]
    """``(w1, w2, bias)`` of the fitted model."""
    seconds: float


def make_dataset(size: int, *, seed: int) -> list[Example]:
    """``size`` points from two overlapping Gaussian clouds, centred on (3, 1) (label 1) and
    (1, -1) (label 0): no line separates them exactly, so the loss levels off."""
    rng = random.Random(seed)
    examples: list[Example] = []
    for index in range(size):
        label = index % 2
        x1, x2 = (3.0, 1.0) if label else (1.0, -1.0)
        examples.append((rng.gauss(x1, 1.2), rng.gauss(x2, 1.2), label))
    rng.shuffle(examples)
    return examples


def step_lr(epoch: int, *, base: float = 0.3, every: int = 3, gamma: float = 0.5) -> float:
    """The learning rate of ``epoch`` (from 1): ``base``, multiplied by ``gamma`` every ``every``
    epochs (PyTorch's ``StepLR``)."""
    return base * gamma ** ((epoch - 1) // every)


def _log_loss(logit: float, label: int) -> float:
    """Binary cross-entropy of a logit, computed without overflow."""
    z = logit if label else -logit
    return math.log1p(math.exp(-z)) if z > -30.0 else -z


def _sigmoid(logit: float) -> float:
    if logit >= 0.0:
        return 1.0 / (1.0 + math.exp(-logit))
    e = math.exp(logit)
    return e / (1.0 + e)


def evaluate(weights: Sequence[float], examples: Sequence[Example]) -> tuple[float, float]:
    """(mean log loss, accuracy) of the model on ``examples``."""
    w1, w2, b = weights
    loss = correct = 0.0
    for x1, x2, label in examples:
        logit = w1 * x1 + w2 * x2 + b
        loss += _log_loss(logit, label)
        correct += (logit > 0.0) == bool(label)
    return loss / len(examples), correct / len(examples)


def train(
    callbacks: CallbackManager[TrainHooks],
    *,
    max_epochs: int = 20,
    train_size: int = 400,
    val_size: int = 200,
    batch_size: int = 20,
    schedule: Callable[[int], float] = step_lr,
    seed: int = 0,
) -> TrainResult:
    """Fit a logistic regression by minibatch SGD, calling the hooks as it goes.

    After each epoch's validation the ``should_stop`` hook is asked; training stops when any
    implementer answers True.
    """
    started = time.perf_counter()
    data = make_dataset(train_size + val_size, seed=seed)
    train_set, val_set = data[:train_size], data[train_size:]
    batches = math.ceil(train_size / batch_size)
    rng = random.Random(seed + 1)
    w1 = w2 = b = 0.0
    step = 0
    epoch = 0
    train_loss = val_loss = val_accuracy = math.nan
    stopped_early = False
    callbacks.call.on_train_start(max_epochs=max_epochs, batches_per_epoch=batches)
    for epoch in range(1, max_epochs + 1):
        lr = schedule(epoch)
        callbacks.call.on_train_epoch_start(epoch=epoch, lr=lr)
        rng.shuffle(train_set)
        epoch_loss = 0.0
        for batch_idx in range(batches):
            callbacks.call.on_train_batch_start(epoch=epoch, batch_idx=batch_idx, step=step)
            batch = train_set[batch_idx * batch_size : (batch_idx + 1) * batch_size]
            loss = g1 = g2 = gb = 0.0
            for x1, x2, label in batch:
                logit = w1 * x1 + w2 * x2 + b
                loss += _log_loss(logit, label)
                error = _sigmoid(logit) - label
                g1 += error * x1
                g2 += error * x2
                gb += error
            n = len(batch)
            w1, w2, b = w1 - lr * g1 / n, w2 - lr * g2 / n, b - lr * gb / n
            loss /= n
            epoch_loss += loss
            callbacks.call.on_train_batch_end(
                epoch=epoch, batch_idx=batch_idx, step=step, loss=loss, lr=lr
            )
            step += 1
        train_loss = epoch_loss / batches
        callbacks.call.on_train_epoch_end(epoch=epoch, train_loss=train_loss)
        val_loss, val_accuracy = evaluate((w1, w2, b), val_set)
        callbacks.call.on_validation_end(epoch=epoch, val_loss=val_loss, val_accuracy=val_accuracy)
        # A hook that answers: emit returns every implementer's answer (list[bool]), in order.
        if any(callbacks.emit(TrainHooks.should_stop, epoch=epoch, val_loss=val_loss)):
            stopped_early = epoch < max_epochs
            break
    result = TrainResult(
        epochs_run=epoch,
        max_epochs=max_epochs,
        steps=step,
        stopped_early=stopped_early,
        train_loss=train_loss,
        val_loss=val_loss,
        val_accuracy=val_accuracy,
        weights=(w1, w2, b),
        seconds=time.perf_counter() - started,
    )
    callbacks.call.on_train_end(result=result)
    return result


# -- The user side: callbacks implement the hooks they need -----------------------------------


def _silent(line: str) -> None:
    """An :data:`Echo` that prints nothing (``--quiet``)."""


def format_us(ns: float) -> str:
    """A duration in nanoseconds as microseconds: ``12.3 µs``."""
    return f"{ns / 1000:.1f} µs"


class IterationTimer(OnTrainBatchStart, OnTrainBatchEnd, OnTrainEnd):
    """Times every iteration (from ``on_train_batch_start`` to ``on_train_batch_end``) and
    reports the mean at the end. Subclasses the hook Protocols: checkers compare its methods."""

    def __init__(self, echo: Echo = print) -> None:
        self.echo = echo
        self.durations_ns: list[int] = []
        self._started = 0

    def on_train_batch_start(self, *, epoch: int, batch_idx: int, step: int) -> None:
        self._started = time.perf_counter_ns()

    def on_train_batch_end(
        self, *, epoch: int, batch_idx: int, step: int, loss: float, lr: float
    ) -> None:
        self.durations_ns.append(time.perf_counter_ns() - self._started)

    @property
    def mean_ns(self) -> float:
        """The mean time per iteration, in nanoseconds (0 before the first)."""
        return sum(self.durations_ns) / len(self.durations_ns) if self.durations_ns else 0.0

    def on_train_end(self, *, result: TrainResult) -> None:
        if self.durations_ns:
            self.echo(
                f"  [IterationTimer] {len(self.durations_ns)} iterations: "
                f"mean {format_us(self.mean_ns)} per iteration "
                f"(fastest {format_us(min(self.durations_ns))}, "
                f"slowest {format_us(max(self.durations_ns))})"
            )


class LearningRateMonitor:
    """Records the learning rate of every step and reports each change of it.

    Duck-typed (no Protocol base): registration checks its methods against the spec all the same.
    Its ``on_train_batch_end`` takes only the two keyword-only arguments it needs (``step`` and
    ``lr``): the manager passes it just those.
    """

    def __init__(self, echo: Echo = print) -> None:
        self.echo = echo
        self.history: list[tuple[int, float]] = []
        """``(step, lr)`` for every step."""
        self.changes: list[tuple[int, float]] = []
        """``(epoch, lr)`` for the first epoch and each epoch whose rate differs from the last."""

    def on_train_epoch_start(self, *, epoch: int, lr: float) -> None:
        if not self.changes:
            self.changes.append((epoch, lr))
            self.echo(f"  [LearningRateMonitor] epoch {epoch}: lr {lr:.4f}")
        elif lr != self.changes[-1][1]:
            self.echo(
                f"  [LearningRateMonitor] epoch {epoch}: lr {self.changes[-1][1]:.4f} -> {lr:.4f}"
            )
            self.changes.append((epoch, lr))

    def on_train_batch_end(self, *, step: int, lr: float) -> None:
        self.history.append((step, lr))

    def on_train_end(self, *, result: TrainResult) -> None:
        changes = len(self.changes) - 1
        rates = " -> ".join(f"{lr:g}" for _, lr in self.changes)
        self.echo(
            f"  [LearningRateMonitor] {len(self.history)} steps, "
            f"{changes} change{'' if changes == 1 else 's'} of the learning rate: {rates}"
        )


class EarlyStopping(ShouldStop, OnTrainEnd):
    """Answers ``should_stop`` with True once the validation loss has not improved by more than
    ``min_delta`` for ``patience`` epochs in a row (as Lightning's ``EarlyStopping`` does)."""

    def __init__(self, *, patience: int = 3, min_delta: float = 0.0, echo: Echo = print) -> None:
        self.patience = patience
        self.min_delta = min_delta
        self.echo = echo
        self.best: float = math.inf
        """The lowest validation loss so far."""
        self.best_epoch: int = 0
        """The epoch of :attr:`best` (0 before the first)."""
        self.wait: int = 0
        """Epochs since the last improvement."""
        self.stopped_epoch: int | None = None

    def should_stop(self, *, epoch: int, val_loss: float) -> bool:
        if val_loss < self.best - self.min_delta:
            self.best, self.best_epoch, self.wait = val_loss, epoch, 0
            return False
        self.wait += 1
        if self.wait < self.patience:
            return False
        self.stopped_epoch = epoch
        self.echo(
            f"  [EarlyStopping] stop after epoch {epoch}: val loss has not improved by more than "
            f"{self.min_delta:g} for {self.wait} epochs (best {self.best:.4f} at epoch "
            f"{self.best_epoch})"
        )
        return True

    def on_train_end(self, *, result: TrainResult) -> None:
        if self.stopped_epoch is None:
            self.echo(f"  [EarlyStopping] did not stop the run (best val loss {self.best:.4f})")


class EpochProgress:
    """One progress line per epoch: learning rate, training loss, validation loss and accuracy.

    Duck-typed, and each method names only the keyword-only arguments it uses.
    """

    def __init__(self, echo: Echo = print) -> None:
        self.echo = echo
        self.lines: list[str] = []
        self._max_epochs = 0
        self._lr = math.nan
        self._train_loss = math.nan

    def on_train_start(self, *, max_epochs: int) -> None:
        self._max_epochs = max_epochs

    def on_train_epoch_start(self, *, lr: float) -> None:
        self._lr = lr

    def on_train_epoch_end(self, *, train_loss: float) -> None:
        self._train_loss = train_loss

    def on_validation_end(self, *, epoch: int, val_loss: float, val_accuracy: float) -> None:
        width = len(str(self._max_epochs))
        line = (
            f"epoch {epoch:>{width}}/{self._max_epochs}  lr {self._lr:.4f}  "
            f"train loss {self._train_loss:.4f}  val loss {val_loss:.4f}  "
            f"val acc {val_accuracy:.1%}"
        )
        self.lines.append(line)
        self.echo(line)


# -- What a string-based call would have missed ------------------------------------------------


class MisspelledHook:
    """``on_train_bach_end``: with ``fabric.call("on_train_batch_end", ...)`` it never fires."""

    def on_train_start(self, *, max_epochs: int) -> None: ...

    def on_train_bach_end(self, *, loss: float) -> None: ...


class WrongSignature:
    """Requires an argument the hook never passes: Fabric fails only when the hook is reached."""

    def on_train_batch_end(self, *, loss: float, accuracy: float) -> None: ...


def registration_checks() -> list[tuple[str, str]]:
    """What protocall reports where a string-based ``call`` stays silent: (what, message) pairs.

    Each case runs against a fresh manager of :class:`TrainHooks`, so training is unaffected.
    """
    checks: list[tuple[str, str]] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        CallbackManager(TrainHooks).register(MisspelledHook())
    for warning in caught:
        if issubclass(warning.category, HookNameWarning):
            checks.append(
                (
                    "a misspelled hook, warned at registration",
                    _named(warning.category, warning.message),
                )
            )
    try:
        CallbackManager(TrainHooks).register(WrongSignature())
    except RegistrationError as error:
        checks.append(("a wrong signature, refused at registration", _named(type(error), error)))
    manager = CallbackManager(TrainHooks, [EarlyStopping(echo=_silent)])
    try:
        manager.emit("on_train_bach_end", loss=0.5)
    except UnknownHookError as error:
        checks.append(
            ("a misspelled hook name at the call site, refused", _named(type(error), error))
        )
    try:
        manager.call.should_stop(epoch=1, val_loss=0.5)
    except TypeError as error:
        checks.append(("an answer that call would discard, refused", _named(type(error), error)))
    return checks


def _named(kind: type[BaseException], message: object) -> str:
    """``ErrorType: message``, on one line."""
    text = " ".join(line.strip() for line in str(message).splitlines() if line.strip())
    return f"{kind.__name__}: {text}"


# -- The demo -----------------------------------------------------------------------------------


def run_demo(*, epochs: int = 20, quiet: bool = False, echo: Echo = print) -> TrainResult:
    """Train with the ready callbacks and the profiler; write the report with ``echo``.

    With ``quiet`` only the final summary line is written.
    """
    say = _silent if quiet else echo
    say("protocall demo: a training loop whose hooks are Protocols (logistic regression, SGD)")
    say("")
    timer = IterationTimer(say)
    lr_monitor = LearningRateMonitor(say)
    early_stopping = EarlyStopping(patience=3, min_delta=2e-3, echo=say)
    progress = EpochProgress(say)
    manager = CallbackManager(TrainHooks, [timer, lr_monitor, early_stopping, progress])
    profiler = Profiler()
    manager.add_monitor(profiler)
    say(f"registered: {manager!r}")
    for name in HOOK_NAMES:
        implementers = ", ".join(type(c).__name__ for c in manager.implementers(name)) or "-"
        say(f"  {name:<22} -> {implementers}")
    say("monitor: protocall.Profiler, added with manager.add_monitor(profiler)")
    say("")
    result = train(manager, max_epochs=epochs)
    say("")
    say(str(profiler))
    say("")
    say('what a string-based call (fabric.call("on_train_batch_end", ...)) would have missed:')
    for what, message in registration_checks():
        say(f"  {what}:")
        say(textwrap.fill(message, 100, initial_indent="    ", subsequent_indent="      "))
    say("")
    stopped = " (stopped early by should_stop)" if result.stopped_early else ""
    echo(
        f"summary: {result.epochs_run} of {result.max_epochs} epochs{stopped}, "
        f"val loss {result.val_loss:.4f}, val accuracy {result.val_accuracy:.1%}, "
        f"{result.steps} iterations in {result.seconds * 1000:.0f} ms"
    )
    return result


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not at least 1")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The demo's options, for its own parser and for ``python -m protocall demo``."""
    parser.add_argument(
        "--epochs",
        type=_positive_int,
        default=20,
        metavar="N",
        help="train for at most N epochs (default: 20; early stopping may end sooner)",
    )
    parser.add_argument("--quiet", action="store_true", help="print only the final summary")


def run(args: argparse.Namespace) -> int:
    """Run the demo with parsed options (see :func:`add_arguments`); the exit status."""
    epochs: int = args.epochs
    quiet: bool = args.quiet
    run_demo(epochs=epochs, quiet=quiet)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m protocall demo [--epochs N] [--quiet]``; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m protocall demo", description="Run the demo training loop."
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))
