"""Lightning Fabric with typed hooks: a real ``Fabric`` loop whose callbacks are called through a
``CallbackManager`` instead of ``fabric.call("...")``.

Fabric's own callback API is ``Fabric(callbacks=[...])`` and ``fabric.call("on_train_batch_end",
loss=loss, ...)``: a hook name is a string, so a misspelled method never fires, a wrong signature
fails only when the hook is reached, and nothing is type-checked. Here the loop keeps Fabric for
what it is for (devices, ``setup``, ``backward``) and declares its hooks, with Fabric's names, as
Protocols: the callbacks are checked when the manager is built, and every
``hooks.call.<hook>(...)`` is checked by mypy and pyright. Those used to writing
``fabric.call("on_train_batch_end", ...)`` can keep the habit with ``hooks.emit(
"on_train_batch_end", ...)`` (``--by-name``): the same callbacks run, still checked at
registration, and a misspelled name raises instead of doing nothing.

The model is a linear regression on random CPU tensors, trained for a few epochs.

Run: python examples/fabric_train.py [--epochs N] [--by-name]
(needs Lightning: pip install 'protocall[lightning]'; without it, the program says so and exits.)
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from protocall import CallbackManager, UnknownHookError

# -- The hooks, with Lightning's names, as a spec ---------------------------------------------


class OnTrainStart(Protocol):
    def on_train_start(self, *, epochs: int, batches: int) -> None: ...


class OnTrainEpochStart(Protocol):
    def on_train_epoch_start(self, *, epoch: int) -> None: ...


class OnTrainBatchEnd(Protocol):
    def on_train_batch_end(self, *, loss: float, batch_idx: int) -> None: ...


class OnTrainEpochEnd(Protocol):
    def on_train_epoch_end(self, *, epoch: int, mean_loss: float) -> None: ...


class OnTrainEnd(Protocol):
    def on_train_end(self, *, final_loss: float) -> None: ...


class FabricHooks(
    OnTrainStart, OnTrainEpochStart, OnTrainBatchEnd, OnTrainEpochEnd, OnTrainEnd, Protocol
):
    """Every hook the loop calls (the names Fabric users give their hooks)."""


# -- Callbacks: subclass the hooks they implement, or duck-type --------------------------------


Echo = Callable[[str], None]


class LossHistory(OnTrainBatchEnd, OnTrainEpochEnd):
    """Keeps every batch loss and every epoch's mean loss."""

    def __init__(self) -> None:
        self.batch_losses: list[float] = []
        self.epoch_losses: list[float] = []

    def on_train_batch_end(self, *, loss: float, batch_idx: int) -> None:
        self.batch_losses.append(loss)

    def on_train_epoch_end(self, *, epoch: int, mean_loss: float) -> None:
        self.epoch_losses.append(mean_loss)


class EpochLogger:
    """Duck-typed: one line per epoch, with its time. Registration checks it all the same."""

    def __init__(self, echo: Echo = print) -> None:
        self.echo = echo
        self._started = 0.0

    def on_train_start(self, *, epochs: int, batches: int) -> None:
        self.echo(f"training for {epochs} epochs of {batches} batches")

    def on_train_epoch_start(self, *, epoch: int) -> None:
        self._started = time.perf_counter()

    def on_train_epoch_end(self, *, epoch: int, mean_loss: float) -> None:
        elapsed_ms = (time.perf_counter() - self._started) * 1000
        self.echo(f"epoch {epoch}: mean loss {mean_loss:.4f} ({elapsed_ms:.1f} ms)")

    def on_train_end(self, *, final_loss: float) -> None:
        self.echo(f"done: final loss {final_loss:.4f}")


@dataclass
class Result:
    """What :func:`main` returns: the losses the callbacks saw, and the fitted parameters."""

    epoch_losses: list[float]
    batch_losses: list[float]
    weight: list[float]
    bias: float


# -- The loop: Fabric for the device work, the manager for the hooks ----------------------------


def train(
    hooks: CallbackManager[FabricHooks],
    *,
    epochs: int,
    samples: int,
    batch_size: int,
    features: int = 4,
    by_name: bool = False,
    seed: int = 0,
) -> tuple[list[float], float]:
    """Fit ``y = x @ w + b`` on random tensors with a real ``Fabric(accelerator="cpu",
    devices=1)``; return the fitted ``(w, b)``."""
    import torch
    from lightning.fabric import Fabric

    fabric: Any = Fabric(accelerator="cpu", devices=1)
    generator = torch.Generator().manual_seed(seed)
    true_w = torch.randn(features, 1, generator=generator)
    x = torch.randn(samples, features, generator=generator)
    y = x @ true_w + 0.5 + 0.01 * torch.randn(samples, 1, generator=generator)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(x, y),
        batch_size=batch_size,
        shuffle=True,
        generator=generator,
    )
    torch.manual_seed(seed)
    model = torch.nn.Linear(features, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    model, optimizer = fabric.setup(model, optimizer)
    loader = fabric.setup_dataloaders(loader)

    # Where a Fabric loop writes fabric.call("on_train_start", ...):
    hooks.call.on_train_start(epochs=epochs, batches=len(loader))
    loss_value = float("nan")
    for epoch in range(epochs):
        hooks.call.on_train_epoch_start(epoch=epoch)
        total = 0.0
        for batch_idx, (inputs, targets) in enumerate(loader):
            optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(model(inputs), targets)
            fabric.backward(loss)
            optimizer.step()
            loss_value = loss.item()
            total += loss_value
            if by_name:
                # The Fabric habit, fabric.call("on_train_batch_end", ...), kept: a name, but a
                # name the spec must declare (UnknownHookError otherwise), and callbacks that
                # were checked against it at registration.
                hooks.emit("on_train_batch_end", loss=loss_value, batch_idx=batch_idx)
            else:
                hooks.call.on_train_batch_end(loss=loss_value, batch_idx=batch_idx)  # type-checked
        hooks.call.on_train_epoch_end(epoch=epoch, mean_loss=total / len(loader))
    hooks.call.on_train_end(final_loss=loss_value)
    weight: list[float] = model.weight.detach().flatten().tolist()
    return weight, float(model.bias.item())


def main(
    *,
    epochs: int = 5,
    samples: int = 256,
    batch_size: int = 32,
    by_name: bool = False,
    echo: Echo = print,
) -> Result:
    """Train with a :class:`LossHistory` and an :class:`EpochLogger`; show what Fabric's string
    call would let through."""
    history = LossHistory()
    hooks = CallbackManager(FabricHooks, [history, EpochLogger(echo)])
    weight, bias = train(
        hooks, epochs=epochs, samples=samples, batch_size=batch_size, by_name=by_name
    )
    echo(f"fitted: w = [{', '.join(f'{w:.3f}' for w in weight)}], b = {bias:.3f}")
    try:  # with Fabric, fabric.call("on_train_bach_end", ...) would call nobody, silently
        hooks.emit("on_train_bach_end", loss=0.0, batch_idx=0)
    except UnknownHookError as error:
        echo(f"a misspelled hook name: {type(error).__name__}: {str(error).splitlines()[0]}")
    return Result(history.epoch_losses, history.batch_losses, weight, bias)


def _cli(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Lightning Fabric with typed protocall hooks.")
    parser.add_argument("--epochs", type=int, default=5, metavar="N")
    parser.add_argument(
        "--by-name", action="store_true", help='call hooks as hooks.emit("name", ...), Fabric style'
    )
    args = parser.parse_args(argv)
    if importlib.util.find_spec("lightning") is None:
        print("this example needs Lightning Fabric: pip install 'protocall[lightning]'")
        return 0
    main(epochs=args.epochs, by_name=args.by_name)
    return 0


if __name__ == "__main__":
    raise SystemExit(_cli())
