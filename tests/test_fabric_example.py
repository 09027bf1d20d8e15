"""examples/fabric_train.py: a real Lightning Fabric loop whose hooks go through a typed
``CallbackManager`` instead of ``fabric.call("...")``. Skipped without Lightning."""

from __future__ import annotations

import importlib.util
import math
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, Final

import pytest

from protocall import CallbackManager, HookNameWarning, RegistrationError

lightning_fabric: Any = pytest.importorskip("lightning.fabric")

EXAMPLE: Final = Path(__file__).resolve().parent.parent / "examples" / "fabric_train.py"
SMALL: Final = {"epochs": 3, "samples": 64, "batch_size": 16}
"""Small sizes: 4 batches per epoch, 12 in all."""


@pytest.fixture(scope="module")
def example() -> Iterator[ModuleType]:
    """The example imported as a module (examples/ is not a package)."""
    name = "protocall_example_fabric_train"
    spec = importlib.util.spec_from_file_location(name, EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[name]


def run_main(example: ModuleType, **options: Any) -> tuple[Any, list[str]]:
    lines: list[str] = []
    result = example.main(**{**SMALL, **options}, echo=lines.append)
    return result, lines


def test_main_trains_with_a_real_fabric_and_the_callbacks_see_every_batch(
    example: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[dict[str, object]] = []
    real_fabric = lightning_fabric.Fabric

    def spy(**kwargs: object) -> Any:
        made.append(kwargs)
        return real_fabric(**kwargs)

    monkeypatch.setattr(lightning_fabric, "Fabric", spy)
    result, lines = run_main(example)
    assert made == [{"accelerator": "cpu", "devices": 1}]
    assert len(result.batch_losses) == 12
    assert len(result.epoch_losses) == 3
    assert result.epoch_losses == sorted(result.epoch_losses, reverse=True)
    for epoch in range(3):
        batch = result.batch_losses[4 * epoch : 4 * epoch + 4]
        assert math.isclose(result.epoch_losses[epoch], sum(batch) / 4)
    assert lines[0] == "training for 3 epochs of 4 batches"
    assert [line.split(":")[0] for line in lines[1:4]] == ["epoch 0", "epoch 1", "epoch 2"]
    assert lines[4] == f"done: final loss {result.batch_losses[-1]:.4f}"
    assert lines[5].startswith("fitted: w = [")
    assert len(result.weight) == 4 and isinstance(result.bias, float)


def test_the_fabric_habit_emit_by_name_runs_the_same_callbacks(example: ModuleType) -> None:
    typed, typed_lines = run_main(example)
    by_name, by_name_lines = run_main(example, by_name=True)
    assert by_name.batch_losses == typed.batch_losses
    assert by_name.epoch_losses == typed.epoch_losses

    def untimed(lines: list[str]) -> list[str]:
        return [line.split(" (")[0] for line in lines]

    assert untimed(by_name_lines) == untimed(typed_lines)


def test_a_misspelled_name_raises_where_fabric_call_does_nothing(example: ModuleType) -> None:
    _, lines = run_main(example, epochs=1)
    assert lines[-1].startswith(
        "a misspelled hook name: UnknownHookError: FabricHooks has no hook 'on_train_bach_end'."
    )
    history = example.LossHistory()
    fabric = lightning_fabric.Fabric(accelerator="cpu", devices=1, callbacks=[history])
    fabric.call("on_train_bach_end", loss=1.0, batch_idx=0)  # Fabric: nobody called, no error
    assert history.batch_losses == []


def test_fabric_call_and_the_manager_reach_the_same_callbacks(example: ModuleType) -> None:
    via_fabric, via_manager = example.LossHistory(), example.LossHistory()
    fabric = lightning_fabric.Fabric(accelerator="cpu", devices=1, callbacks=[via_fabric])
    hooks = CallbackManager(example.FabricHooks, [via_manager])
    for batch_idx, loss in enumerate([0.5, 0.25]):
        fabric.call("on_train_batch_end", loss=loss, batch_idx=batch_idx)
        hooks.emit("on_train_batch_end", loss=loss, batch_idx=batch_idx)
    fabric.call("on_train_epoch_end", epoch=0, mean_loss=0.375)
    hooks.call.on_train_epoch_end(epoch=0, mean_loss=0.375)
    assert via_manager.batch_losses == via_fabric.batch_losses == [0.5, 0.25]
    assert via_manager.epoch_losses == via_fabric.epoch_losses == [0.375]


def test_callbacks_are_checked_against_the_fabric_style_spec(example: ModuleType) -> None:
    class WrongSignature:
        def on_train_batch_end(self, *, loss: float, step: int) -> None: ...

    class Misspelled:
        def on_train_start(self, *, epochs: int, batches: int) -> None: ...

        def on_train_bach_end(self, *, loss: float, batch_idx: int) -> None: ...

    hooks = CallbackManager(example.FabricHooks)
    with pytest.raises(RegistrationError, match=r"WrongSignature\.on_train_batch_end"):
        hooks.register(WrongSignature())
    with pytest.warns(HookNameWarning, match="on_train_bach_end"):
        hooks.register(Misspelled())
    logger = hooks.register(example.EpochLogger())
    assert hooks.hooks_of(logger) == {
        "on_train_start",
        "on_train_epoch_start",
        "on_train_epoch_end",
        "on_train_end",
    }


def test_the_example_runs_as_a_script_without_warnings() -> None:
    completed = subprocess.run(
        [sys.executable, "-W", "error", str(EXAMPLE), "--epochs", "2", "--by-name"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    lines = completed.stdout.splitlines()
    assert lines[0] == "training for 2 epochs of 8 batches"
    assert lines[-2].startswith("fitted: w = [")
