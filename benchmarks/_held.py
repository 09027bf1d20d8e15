"""Held hook callers: ``on_x = manager.call.on_x`` hoisted out of the loop, then ``on_x(...)``.

A library may fetch a hook's caller once and call it in its loop. Held callers are live (design,
semantics 11): they dispatch to the registrations current at each call, also after a
``register``/``unregister`` made since they were fetched. Per N (half of the callbacks implement
the hook), this times:

* ``manager.call.on_x(...)``, looked up at each call;
* the held caller, fetched after the manager's last change;
* on another manager, the held caller fetched *before* a change (one callback registered and
  one unregistered after it was fetched; the manager had dispatched before), and the looked-up
  form on that manager.

Each run is checked to call the current implementers once each and the unregistered one not at
all; a held caller that does not (it still calls the registrations of when it was fetched) is
reported as stale and not timed. Ratios are paired with the hand loop over fresh instances, and
the held forms also with the looked-up form on the same manager.

Target: a held caller costs at most 1.05x the looked-up form, at N >= 16, with or without a
change since it was fetched. N=1 is measured too, for information: there the lookup weighs
most, on CPython 3.11 especially.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Final, TypedDict

from _contenders import (
    Contender,
    Implementer,
    Spec,
    case_namespace,
    half,
    hand_contenders,
    population,
    usable,
)
from _harness import Case, Settings, paired, run_rounds
from _report import Ratio, Target, ns, ratio, show_ratio, table, verdict

from protocall import CallbackManager

__all__ = ["HELD_SIZES", "HeldRow", "held_targets", "measure_held", "print_held"]

HELD_SIZES: Final = (1, 16, 64)
TARGET_SIZES: Final = (16, 64)
"""The target is set from N=16 on; N=1 is shown for what holding saves where the lookup is
dear (CPython 3.11, which never specialises ``manager.call.on_x``: see ``_caller``)."""
LIMIT: Final = 1.05
HAND: Final = "hand loop"
LOOKED_UP: Final = "manager.call.on_x(...), looked up each call"
HELD: Final = "on_x(...), held"
LOOKED_UP_CHANGED: Final = "manager.call.on_x(...), after a change"
HELD_CHANGED: Final = "on_x(...), held across a change"
BASELINE: Final = {HELD: LOOKED_UP, HELD_CHANGED: LOOKED_UP_CHANGED}
"""Each held form, and the looked-up form on the same manager it is compared with."""
TITLES: Final = {
    HELD: "held on_x(...)",
    HELD_CHANGED: "held on_x(...) across a register+unregister",
}


class HeldRow(TypedDict, total=False):
    median_s: float
    vs_hand: Ratio
    vs_looked_up: Ratio
    problem: str


def _contenders(n: int) -> list[Contender]:
    k = half(n)
    kw = "loss=loss, output=output"
    callbacks = population(n, k)
    implementers = [cb for cb in callbacks if isinstance(cb, Implementer)]
    manager: CallbackManager[Spec] = CallbackManager(Spec, callbacks)
    manager.call.on_train_batch_end(loss=0.0, output=None)
    held = manager.call.on_train_batch_end

    others = population(n, k)
    changed: CallbackManager[Spec] = CallbackManager(Spec, others)
    changed.call.on_train_batch_end(loss=0.0, output=None)
    held_before = changed.call.on_train_batch_end
    removed = next(cb for cb in others if isinstance(cb, Implementer))
    extra = changed.register(Implementer())
    changed.unregister(removed)
    current = [*(cb for cb in others if isinstance(cb, Implementer) and cb is not removed), extra]

    tag = f" /{n}"
    hand = [c for c in hand_contenders(implementers, tag) if c.case.name == HAND + tag]
    return [
        *hand,
        Contender(
            Case(
                LOOKED_UP + tag,
                f"manager.call.on_train_batch_end({kw})",
                case_namespace(manager=manager),
            ),
            implementers,
        ),
        Contender(Case(HELD + tag, f"on_x({kw})", case_namespace(on_x=held)), implementers),
        Contender(
            Case(
                LOOKED_UP_CHANGED + tag,
                f"manager.call.on_train_batch_end({kw})",
                case_namespace(manager=changed),
            ),
            current,
            [removed],
        ),
        Contender(
            Case(HELD_CHANGED + tag, f"on_x({kw})", case_namespace(on_x=held_before)),
            current,
            [removed],
        ),
    ]


def measure_held(settings: Settings) -> dict[int, dict[str, HeldRow]]:
    """Per N, per form: time, paired ratio to the hand loop and (held forms) to the looked-up form."""
    results: dict[int, dict[str, HeldRow]] = {}
    for n in HELD_SIZES:
        tag = f" /{n}"
        contenders, problems = usable(_contenders(n))
        if HAND + tag in problems:
            raise AssertionError(f"{HAND}{tag}: {problems[HAND + tag]}")
        series = run_rounds([c.case for c in contenders], settings)
        rows: dict[str, HeldRow] = {}
        for name in (HAND, LOOKED_UP, HELD, LOOKED_UP_CHANGED, HELD_CHANGED):
            if name + tag in problems:
                rows[name] = {"problem": problems[name + tag]}
                continue
            row: HeldRow = {
                "median_s": series.median(name + tag),
                "vs_hand": ratio(paired(series, name + tag, HAND + tag)),
            }
            baseline = BASELINE.get(name)
            if baseline is not None and baseline + tag not in problems:
                row["vs_looked_up"] = ratio(paired(series, name + tag, baseline + tag))
            rows[name] = row
        results[n] = rows
        print(
            f"  held callers N={n}: {len(contenders)} cases x {settings.rounds} rounds",
            file=sys.stderr,
        )
    return results


def print_held(results: Mapping[int, Mapping[str, HeldRow]]) -> None:
    header = [
        "form",
        *(f"N={n}: {what}" for n in results for what in ("time", "vs hand loop", "vs looked up")),
    ]
    names = list(next(iter(results.values())))
    rows: list[Sequence[str]] = []
    notes: list[str] = []
    for name in names:
        cells = [name]
        for n, by_name in results.items():
            row = by_name[name]
            if "problem" in row:
                cells += ["-", "-", "-"]
                notes.append(f"{name} /{n}: not timed: {row['problem']}")
                continue
            cells.append(ns(row["median_s"]))
            cells.append(show_ratio(row["vs_hand"]) if name != HAND else "")
            cells.append(show_ratio(row["vs_looked_up"]) if "vs_looked_up" in row else "")
        rows.append(cells)
    table("Held hook callers (half of N implement the hook)", header, rows)
    for note in notes:
        print(f"Note: {note}")


def held_targets(results: Mapping[int, Mapping[str, HeldRow]]) -> list[Target]:
    targets: list[Target] = []
    for name, baseline in BASELINE.items():
        for n, rows in results.items():
            if n not in TARGET_SIZES:
                continue
            title = f"{TITLES[name]} <= {LIMIT}x manager.call.on_x(...) at N={n}"
            row = rows[name]
            if "problem" in row:
                targets.append(Target(title, f"not live: {row['problem']}"[:70], "MISS"))
            elif "vs_looked_up" not in row:
                targets.append(
                    Target(title, f"no baseline: {rows[baseline].get('problem', '?')}"[:70], "MISS")
                )
            else:
                r = row["vs_looked_up"]["median"]
                targets.append(Target(title, f"{r:.2f}x", verdict(r <= LIMIT)))
    return targets
