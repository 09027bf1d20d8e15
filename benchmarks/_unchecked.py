"""The unchecked manager with callbacks that lack ``**kwargs``: Fabric 2.6's keyword filtering.

Lightning Fabric 2.6's ``call`` passes each callback only the keywords its method names, unless
the method takes ``**kwargs`` (design, semantics 9: protocall resolves that once per callback,
hook and keyword shape, not per call). The hook is always called as
``on_train_batch_end(loss=..., output=...)``; half of the N callbacks implement it, as:

* ``name every keyword``: ``def on_train_batch_end(self, *, loss, output)``, nothing to filter;
* ``name a subset``: ``def on_train_batch_end(self, *, loss)``, ``output`` must be left out;
* ``take **kwargs``: ``def on_train_batch_end(self, **kwargs)``, gets both;
* ``mix the three``: the three kinds in turn.

Each is dispatched through the unchecked ``call.on_train_batch_end(...)`` and ``emit("...")`` and
paired with the hand loop of the dispatch table (fresh ``*, loss, output`` callbacks called with
both keywords); the uniform kinds are also paired with a hand loop that calls each method with
exactly the keywords it names. A kind that the code under test cannot dispatch (before keyword
filtering existed, ``name a subset`` raised ``TypeError``) is reported, not timed.

Target: each kind within 1.2x of the unchecked dispatch of the code before the rewrite, compared
as ratios to the hand loop, per N. Those ratios are recorded per Python version in
``unchecked_baseline.json`` (``bench.py --save-unchecked-baseline``). A kind that could not run
then is compared with what its implementers would have cost: ``name a subset`` with ``name every
keyword``, and ``mix the three`` with the recorded ratios of its implementers' kinds, each
weighted by how many of the N implementers are of it (a dispatch's time adds up per callback,
and a method that takes ``**kwargs`` costs more to call, whoever calls it).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final, TypedDict

from _contenders import (
    Bystander,
    Contender,
    Counting,
    Implementer,
    case_namespace,
    fresh,
    half,
    hand_contenders,
    usable,
)
from _harness import Case, Settings, paired, run_rounds
from _report import Ratio, Target, ratio, show_ratio, table, verdict

from protocall import CallbackManager

__all__ = [
    "BASELINE_FILE",
    "UNCHECKED_SIZES",
    "KindRow",
    "load_baseline",
    "measure_unchecked",
    "print_unchecked",
    "save_baseline",
    "unchecked_targets",
]

UNCHECKED_SIZES: Final = (1, 4, 16, 64)
LIMIT: Final = 1.2
BASELINE_FILE: Final = Path(__file__).resolve().parent / "unchecked_baseline.json"
HAND: Final = "hand loop"
STYLES: Final = {
    "unchecked call.hook": "unchecked.call.on_train_batch_end(loss=loss, output=output)",
    "unchecked emit('hook')": "unchecked.emit('on_train_batch_end', loss=loss, output=output)",
}
ALL_NAMED: Final = "name every keyword"


class Subset(Counting):
    """Names only ``loss``: Fabric 2.6 leaves ``output`` out."""

    def on_train_start(self) -> None:
        self.count += 1

    def on_train_batch_end(self, *, loss: float) -> None:
        self.count += 1


class TakesAll(Counting):
    """Takes ``**kwargs``: gets every keyword."""

    def on_train_start(self) -> None:
        self.count += 1

    def on_train_batch_end(self, **kwargs: object) -> None:
        self.count += 1


KINDS: Final[dict[str, tuple[tuple[type[Counting], ...], str | None]]] = {
    # kind: (the implementers' classes, in turn; the exact hand call, if one fits every one)
    ALL_NAMED: ((Implementer,), "loss=loss, output=output"),
    "name a subset": ((Subset,), "loss=loss"),
    "take **kwargs": ((TakesAll,), "loss=loss, output=output"),
    "mix the three": ((Implementer, Subset, TakesAll), None),
}


class KindRow(TypedDict, total=False):
    median_s: float
    vs_hand: Ratio
    vs_exact_hand: Ratio
    problem: str


def _callbacks(n: int, classes: Sequence[type[Counting]]) -> list[Counting]:
    k = half(n)
    step = n // k
    made: list[Counting] = []
    for i in range(n):
        if i % step == 0 and i // step < k:
            made.append(classes[(i // step) % len(classes)]())
        else:
            made.append(Bystander())
    return made


def _contenders(n: int) -> list[Contender]:
    tag = f" /{n}"
    reference = [Implementer() for _ in range(half(n))]  # only the hand loop uses them
    contenders = [c for c in hand_contenders(reference, tag) if c.case.name == HAND + tag]
    for kind, (classes, exact) in KINDS.items():
        callbacks = _callbacks(n, classes)
        implementers = [cb for cb in callbacks if not isinstance(cb, Bystander)]
        unchecked = CallbackManager(None, callbacks)
        for style, stmt in STYLES.items():
            contenders.append(
                Contender(
                    Case(f"{style}: {kind}{tag}", stmt, case_namespace(unchecked=unchecked)),
                    implementers,
                )
            )
        if exact is not None:
            twins = fresh(implementers)
            methods = tuple(twin.on_train_batch_end for twin in twins)  # type: ignore[attr-defined]
            case = Case(
                f"exact hand loop: {kind}{tag}",
                f"for m in methods:\n    m({exact})",
                case_namespace(methods=methods),
            )
            contenders.append(Contender(case, twins))
    return contenders


def measure_unchecked(settings: Settings) -> dict[str, dict[str, dict[int, KindRow]]]:
    """Per style, per kind, per N: time and paired ratios (or why the kind could not run)."""
    results: dict[str, dict[str, dict[int, KindRow]]] = {
        style: {kind: {} for kind in KINDS} for style in STYLES
    }
    for n in UNCHECKED_SIZES:
        tag = f" /{n}"
        contenders, problems = usable(_contenders(n))
        if HAND + tag in problems:
            raise AssertionError(f"{HAND}{tag}: {problems[HAND + tag]}")
        series = run_rounds([c.case for c in contenders], settings)
        for style in STYLES:
            for kind in KINDS:
                name = f"{style}: {kind}{tag}"
                if name in problems:
                    results[style][kind][n] = {"problem": problems[name]}
                    continue
                row: KindRow = {
                    "median_s": series.median(name),
                    "vs_hand": ratio(paired(series, name, HAND + tag)),
                }
                exact = f"exact hand loop: {kind}{tag}"
                if exact in series.times:
                    row["vs_exact_hand"] = ratio(paired(series, name, exact))
                results[style][kind][n] = row
        print(
            f"  unchecked keyword filtering N={n}: {len(contenders)} cases x {settings.rounds} rounds",
            file=sys.stderr,
        )
    return results


def print_unchecked(
    results: Mapping[str, Mapping[str, Mapping[int, KindRow]]], baseline: Mapping[str, Any] | None
) -> None:
    header = ["style", *(f"N={n}" for n in UNCHECKED_SIZES)]

    def cell(row: KindRow, key: str) -> str:
        if "problem" in row:
            return "-"
        return show_ratio(row[key]) if key in row else ""  # type: ignore[literal-required]

    rows: list[Sequence[str]] = []
    notes: list[str] = []
    for style, kinds in results.items():
        for kind, by_n in kinds.items():
            label = f"{style}, callbacks that {kind}"
            rows.append([label, *(cell(by_n[n], "vs_hand") for n in UNCHECKED_SIZES)])
            failed: dict[str, list[str]] = {}
            for n in UNCHECKED_SIZES:
                if "problem" in by_n[n]:
                    failed.setdefault(by_n[n]["problem"], []).append(str(n))
            notes += [
                f"{label}: not timed at N={', '.join(sizes)}: {problem}"
                for problem, sizes in failed.items()
            ]
    table(
        "Unchecked, keyword filtering: paired ratio to the hand loop (all keywords to *, loss, output)",
        header,
        rows,
    )
    for note in notes:
        print(f"Note: {note}")
    rows = [
        [
            f"{style}, callbacks that {kind}",
            *(cell(by_n[n], "vs_exact_hand") for n in UNCHECKED_SIZES),
        ]
        for style, kinds in results.items()
        for kind, by_n in kinds.items()
        if any("vs_exact_hand" in by_n[n] for n in UNCHECKED_SIZES)
    ]
    table(
        "Unchecked, keyword filtering: paired ratio to a hand loop passing exactly the keywords named",
        header,
        rows,
    )
    if baseline is None:
        print(f"\nNo unchecked baseline recorded for Python {_version()} in {BASELINE_FILE.name}.")
        return
    rows = [
        [f"{style}, callbacks that {kind}", *(f"{ratios[str(n)]:.2f}x" for n in UNCHECKED_SIZES)]
        for style, kinds in baseline["ratios"].items()
        for kind, ratios in kinds.items()
    ]
    table(
        f"Unchecked baseline (recorded: commit {baseline['commit']}, Python {baseline['python']}, {baseline['mode']} run): ratio to the hand loop",
        header,
        rows,
    )


def _version() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def load_baseline() -> dict[str, Any] | None:
    """The recorded baseline of this Python version, if any."""
    try:
        document = json.loads(BASELINE_FILE.read_text())
    except FileNotFoundError:
        return None
    entry: dict[str, Any] | None = document.get("python", {}).get(_version())
    return entry


def save_baseline(
    results: Mapping[str, Mapping[str, Mapping[int, KindRow]]], *, commit: str, mode: str
) -> None:
    """Record this run's ratios (of the kinds that ran) as this Python version's baseline."""
    try:
        document: dict[str, Any] = json.loads(BASELINE_FILE.read_text())
    except FileNotFoundError:
        document = {}
    document["about"] = (
        "Unchecked dispatch before the core rewrite: per Python version, style and kind of callback, "
        "the median paired ratio to the hand loop, per N. Written by bench.py --save-unchecked-baseline; "
        "the target is each kind within 1.2x of these (see _unchecked.py)."
    )
    ratios = {
        style: {
            kind: {str(n): round(row["vs_hand"]["median"], 4) for n, row in by_n.items()}
            for kind, by_n in kinds.items()
            if all("vs_hand" in row for row in by_n.values())
        }
        for style, kinds in results.items()
    }
    document.setdefault("python", {})[_version()] = {
        "commit": commit,
        "python": sys.version.split()[0],
        "mode": mode,
        "ratios": ratios,
    }
    BASELINE_FILE.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")


_RECORDED_AS: Final[dict[type[Counting], str]] = {
    Implementer: ALL_NAMED,
    Subset: ALL_NAMED,  # (could not run before the rewrite: it names every keyword it takes)
    TakesAll: "take **kwargs",
}
"""The recorded kind each implementer class is held to."""


def _reference(kind: str, recorded: Mapping[str, Mapping[str, float]]) -> dict[int, float] | None:
    """Per N, the recorded ratio that ``kind`` is held to: the mean of its implementers' own
    kinds' ratios (see the module docstring); None if one of them was not recorded."""
    classes = KINDS[kind][0]
    reference: dict[int, float] = {}
    for n in UNCHECKED_SIZES:
        count = half(n)
        rows = [recorded.get(_RECORDED_AS[classes[i % len(classes)]]) for i in range(count)]
        if any(row is None for row in rows):
            return None
        reference[n] = sum(row[str(n)] for row in rows if row is not None) / count
    return reference


def unchecked_targets(
    results: Mapping[str, Mapping[str, Mapping[int, KindRow]]], baseline: Mapping[str, Any] | None
) -> list[Target]:
    targets: list[Target] = []
    for style, kinds in results.items():
        for kind, by_n in kinds.items():
            title = f"{style}, callbacks that {kind}: <= {LIMIT}x the recorded baseline at every N"
            if baseline is None:
                targets.append(Target(title, f"no baseline for Python {_version()}", "SKIP"))
                continue
            recorded = baseline["ratios"].get(style, {})
            reference = _reference(kind, recorded)
            failing = [f"N={n}: {row['problem']}" for n, row in by_n.items() if "problem" in row]
            if failing:
                targets.append(Target(title, failing[0][:70], "MISS"))
                continue
            if reference is None:
                targets.append(Target(title, "the baseline lacks this style", "SKIP"))
                continue
            over = {n: row["vs_hand"]["median"] / reference[n] for n, row in by_n.items()}
            worst = max(over, key=over.__getitem__)
            shown = f"worst N={worst}: {over[worst]:.2f}x ({by_n[worst]['vs_hand']['median']:.2f}x vs {reference[worst]:.2f}x)"
            targets.append(Target(title, shown, verdict(over[worst] <= LIMIT)))
    return targets
