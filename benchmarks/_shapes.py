"""``manager.call.<hook>`` against the hand loop, per kind of hook signature.

The same callbacks implement two hooks of the same arguments: ``on_train_batch_end(self, *,
loss, output)`` (keyword-only, as the README recommends) and ``on_validation_batch_end(self,
loss, output)`` (positional-or-keyword). The positional-or-keyword hook is called both ways a
caller may: positionally and by keyword. Each protocall case is paired with the hand loop that
calls the same methods the same way, over fresh, never-registered instances (see
``_contenders``). Half of the N callbacks implement the hooks (the one at N=1).

Targets: at most 1.5x the hand loop at N=1, 1.1x at N=16, 1.0x at N=64, for every signature.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Final, Protocol, TypedDict

from _contenders import Contender, Counting, case_namespace, fresh, half, verify
from _harness import Case, Settings, paired, run_rounds
from _report import Ratio, Target, ns, ratio, show_ratio, table, verdict

from protocall import CallbackManager

__all__ = ["SHAPE_SIZES", "ShapeRow", "measure_shapes", "print_shapes", "shape_targets"]

SHAPE_SIZES: Final = (1, 4, 16, 64)
LIMITS: Final = {1: 1.5, 16: 1.1, 64: 1.0}


class OnTrainStart(Protocol):
    def on_train_start(self) -> None: ...


class OnTrainBatchEnd(Protocol):
    def on_train_batch_end(self, *, loss: float, output: object) -> None: ...


class OnValidationBatchEnd(Protocol):
    def on_validation_batch_end(self, loss: float, output: object) -> None: ...


class ShapesSpec(OnTrainStart, OnTrainBatchEnd, OnValidationBatchEnd, Protocol):
    """A keyword-only hook and a positional-or-keyword one, with the same arguments."""


class BothShapes(Counting):
    def on_train_start(self) -> None:
        self.count += 1

    def on_train_batch_end(self, *, loss: float, output: object) -> None:
        self.count += 1

    def on_validation_batch_end(self, loss: float, output: object) -> None:
        self.count += 1


class StartOnly(Counting):
    def on_train_start(self) -> None:
        self.count += 1


SIGNATURES: Final = {
    # signature label: (hook, arguments as the caller passes them)
    "keyword-only": ("on_train_batch_end", "loss=loss, output=output"),
    "positional-or-keyword, called positionally": ("on_validation_batch_end", "loss, output"),
    "positional-or-keyword, called by keyword": (
        "on_validation_batch_end",
        "loss=loss, output=output",
    ),
}


class ShapeRow(TypedDict):
    hand_s: float
    call_s: float
    vs_hand: Ratio


def _contenders(n: int) -> list[Contender]:
    k = half(n)
    step = n // k
    callbacks: list[Counting] = [
        BothShapes() if i % step == 0 and i // step < k else StartOnly() for i in range(n)
    ]
    implementers = [cb for cb in callbacks if isinstance(cb, BothShapes)]
    twins = fresh(implementers)
    manager: CallbackManager[ShapesSpec] = CallbackManager(ShapesSpec, callbacks)
    contenders: list[Contender] = []
    for label, (hook, arguments) in SIGNATURES.items():
        methods = tuple(getattr(twin, hook) for twin in twins)
        contenders.append(
            Contender(
                Case(
                    f"hand: {label} /{n}",
                    f"for m in methods:\n    m({arguments})",
                    case_namespace(methods=methods),
                ),
                twins,
            )
        )
        contenders.append(
            Contender(
                Case(
                    f"call: {label} /{n}",
                    f"manager.call.{hook}({arguments})",
                    case_namespace(manager=manager),
                ),
                implementers,
            )
        )
    return contenders


def measure_shapes(settings: Settings) -> dict[str, dict[int, ShapeRow]]:
    """Per signature, per N: the hand loop's and call.hook's times, and their paired ratio."""
    results: dict[str, dict[int, ShapeRow]] = {label: {} for label in SIGNATURES}
    for n in SHAPE_SIZES:
        contenders = _contenders(n)
        verify(contenders)
        series = run_rounds([c.case for c in contenders], settings)
        for label in SIGNATURES:
            call, hand = f"call: {label} /{n}", f"hand: {label} /{n}"
            results[label][n] = {
                "hand_s": series.median(hand),
                "call_s": series.median(call),
                "vs_hand": ratio(paired(series, call, hand)),
            }
        print(
            f"  signatures N={n}: {len(contenders)} cases x {settings.rounds} rounds",
            file=sys.stderr,
        )
    return results


def print_shapes(results: Mapping[str, Mapping[int, ShapeRow]]) -> None:
    header = ["hook signature", *(f"N={n}" for n in SHAPE_SIZES)]
    times: list[Sequence[str]] = []
    for label, rows in results.items():
        times.append([f"hand loop, {label}", *(ns(rows[n]["hand_s"]) for n in SHAPE_SIZES)])
        times.append([f"call.hook, {label}", *(ns(rows[n]["call_s"]) for n in SHAPE_SIZES)])
    table("Signatures: median time per call (half of N implement the hook)", header, times)
    ratios = [
        [label, *(show_ratio(rows[n]["vs_hand"]) for n in SHAPE_SIZES)]
        for label, rows in results.items()
    ]
    table(
        "Signatures: call.hook, paired ratio to the hand loop calling the same way", header, ratios
    )


def shape_targets(results: Mapping[str, Mapping[int, ShapeRow]]) -> list[Target]:
    targets: list[Target] = []
    for label, rows in results.items():
        for n, limit in LIMITS.items():
            r = rows[n]["vs_hand"]["median"]
            targets.append(
                Target(
                    f"call.hook ({label}) <= {limit}x hand loop at N={n}",
                    f"{r:.2f}x",
                    verdict(r <= limit),
                )
            )
    return targets
