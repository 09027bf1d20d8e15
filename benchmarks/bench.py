"""protocall's benchmark: dispatch against a hand-written loop and the peers, in one process.

    python benchmarks/bench.py            # the full run (about 1-2 minutes)
    python benchmarks/bench.py --quick    # a smoke run, under a minute
    python benchmarks/bench.py --json out.json

    python benchmarks/bench.py --only body,held    # some sections only
    python benchmarks/bench.py --save-unchecked-baseline   # record unchecked_baseline.json

Measures dispatch for N in {1, 4, 16, 64} callbacks (half implement the hook) against a hand loop
over fresh, never-registered instances of the same classes and against the peers; call.hook per
kind of hook signature (``_shapes``); held hook callers (``_held``); what registering an instance
does to the speed of a realistic callback body (``_body``); the unchecked manager's keyword
filtering (``_unchecked``); the floor under the by-argument styles (``_floor``); the scaling with
non-implementers (1 implementer among 1, 64 and 1,024 callbacks); registration (also against 10-
and 40-hook specs) and unregistration (``_registration``); import time and memory per registered
callback; the lifecycle features: monitoring, weak registration, weak callbacks dropped
(``_lifecycle``). Contenders are interleaved in rounds and every ratio is paired with the baseline
measured in the same round (see ``_harness``). The peers (Lightning Fabric, pluggy, psygnal,
blinker: ``pip install -e '.[bench]'``) are optional and skipped when absent. The issue's
targets are printed as PASS/MISS, for information: the exit status is 0 whatever they say,
because the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import itertools
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _body import body_targets, measure_body, print_body
from _contenders import PEERS, dispatch_contenders, missing_peers, scaling_contenders, verify
from _floor import FLOOR_SIZES, floor_contenders
from _harness import Series, Settings, paired, run_oneshots, run_rounds
from _held import held_targets, measure_held, print_held
from _imports import ImportRow, import_rows
from _lifecycle import DROPPED, lifecycle_targets, measure_lifecycle, print_lifecycle
from _registration import (
    UNREGISTER_SIZES,
    WIDE_IMPLEMENTED,
    WIDE_SPECS,
    MemoryRow,
    known_class_name,
    memory_rows,
    registration_cases,
    unregister_cases,
    unregister_name,
    wide_registration_cases,
)
from _report import Target, ns, ratio, show_ratio, table, verdict
from _shapes import measure_shapes, print_shapes, shape_targets
from _unchecked import (
    load_baseline,
    measure_unchecked,
    print_unchecked,
    save_baseline,
    unchecked_targets,
)

SIZES: Final = (1, 4, 16, 64)
SCALING: Final = (1, 64, 1024)
HAND: Final = "hand loop"
LISTCOMP: Final = "hand listcomp"
PROTOCALL_STYLES: Final = (
    "call.hook",
    "emit(Spec.hook)",
    "emit('hook')",
    "unchecked emit('hook')",
    "unchecked call.hook",
)
SECTIONS: Final = (
    "dispatch",
    "signatures",
    "held",
    "body",
    "unchecked",
    "floor",
    "scaling",
    "registration",
    "unregister",
    "imports",
    "memory",
    "lifecycle",
)


@dataclass(frozen=True, slots=True)
class Mode:
    """How much to measure."""

    dispatch: Settings
    scaling: Settings
    body: Settings
    registration_rounds: int
    unregister_rounds: int
    unregister_budget_s: float
    import_rounds: int
    memory_count: int
    lifecycle: Settings
    dropped_count: int


FULL: Final = Mode(
    dispatch=Settings(rounds=301, block_seconds=0.001),
    scaling=Settings(rounds=201, block_seconds=0.001),
    body=Settings(rounds=601, block_seconds=0.001),
    registration_rounds=61,
    unregister_rounds=9,
    unregister_budget_s=30.0,
    import_rounds=21,
    memory_count=1024,
    lifecycle=Settings(rounds=401, block_seconds=0.001),
    dropped_count=DROPPED,
)
QUICK: Final = Mode(
    dispatch=Settings(rounds=21, block_seconds=0.0004),
    scaling=Settings(rounds=15, block_seconds=0.0004),
    body=Settings(rounds=41, block_seconds=0.0004),
    registration_rounds=7,
    unregister_rounds=3,
    unregister_budget_s=4.0,
    import_rounds=3,
    memory_count=256,
    lifecycle=Settings(rounds=31, block_seconds=0.0004),
    dropped_count=DROPPED,
)


def _machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions: dict[str, str] = {}
    for dist in ("protocall", "lightning", "torch", "pluggy", "psygnal", "blinker"):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            versions[dist] = importlib.metadata.version(dist)
    import protocall

    location = Path(protocall.__file__).resolve().parent
    return {
        "commit": _commit(location),
        "protocall_path": str(location),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "versions": versions,
    }


def _commit(package: Path) -> str:
    """The commit of the checkout that holds the imported protocall (``+dirty`` with uncommitted
    changes under ``src``), or "" when it is not in a git checkout."""
    try:
        root = subprocess.run(
            ["git", "-C", str(package), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            check=True,
        )
        top = root.stdout.strip()
        head = subprocess.run(
            ["git", "-C", top, "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
        dirty = subprocess.run(
            ["git", "-C", top, "status", "--porcelain", "--", "src"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return ""
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


# -- The measurements -------------------------------------------------------------------------


def measure_dispatch(mode: Mode, peers: Sequence[str]) -> dict[int, dict[str, dict[str, Any]]]:
    """Per N, per contender: median time and paired ratios to the hand loop (and listcomp)."""
    results: dict[int, dict[str, dict[str, Any]]] = {}
    for n in SIZES:
        contenders = dispatch_contenders(n, peers)
        verify(contenders)
        series = run_rounds([c.case for c in contenders], mode.dispatch)
        tag = f" /{n}"
        rows: dict[str, dict[str, Any]] = {}
        for contender in contenders:
            name = contender.case.name
            short = name.removesuffix(tag)
            row: dict[str, Any] = {
                "median_s": series.median(name),
                "vs_hand": ratio(paired(series, name, HAND + tag)),
            }
            if short.startswith(("emit", "unchecked emit", LISTCOMP)):
                row["vs_listcomp"] = ratio(paired(series, name, LISTCOMP + tag))
            rows[short] = row
        results[n] = rows
        print(
            f"  dispatch N={n}: {len(contenders)} contenders x {mode.dispatch.rounds} rounds",
            file=sys.stderr,
        )
    return results


def measure_floor(mode: Mode, peers: Sequence[str]) -> dict[int, dict[str, Any]]:
    """Per N of ``FLOOR_SIZES``: the by-argument styles and their floors, paired to the hand loop.

    The floor of emit is, per round, the faster of its two ways (unpack per call, repack once).
    """
    results: dict[int, dict[str, Any]] = {}
    for n in FLOOR_SIZES:
        contenders = floor_contenders(n, peers)
        verify(contenders)
        series = run_rounds([c.case for c in contenders], mode.dispatch)
        tag = f" /{n}"
        rows: dict[str, Any] = {
            c.case.name.removesuffix(tag): ratio(paired(series, c.case.name, HAND + tag))
            for c in contenders
        }
        best = [
            min(a, b)
            for a, b in zip(
                paired(series, f"emit floor: unpack per call{tag}", HAND + tag),
                paired(series, f"emit floor: repack once{tag}", HAND + tag),
                strict=True,
            )
        ]
        rows["emit floor (the faster way)"] = ratio(best)
        del rows[HAND]
        results[n] = rows
        print(
            f"  floor N={n}: {len(contenders)} contenders x {mode.dispatch.rounds} rounds",
            file=sys.stderr,
        )
    return results


def measure_scaling(mode: Mode, peers: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Per contender: time at 1 among 1, 64, 1024, and paired ratios of each to 1 among 1."""
    contenders = [c for n in SCALING for c in scaling_contenders(n, peers)]
    verify(contenders)
    series = run_rounds([c.case for c in contenders], mode.scaling)
    results: dict[str, dict[str, Any]] = {}
    for contender in contenders:
        name = contender.case.name
        short, _, size = name.rpartition(" 1/")
        entry = results.setdefault(short, {})
        entry[f"1/{size}"] = {
            "median_s": series.median(name),
            "vs_1_of_1": ratio(paired(series, name, f"{short} 1/1")),
            "vs_hand": ratio(paired(series, name, f"{HAND} 1/{size}")),
        }
    print(f"  scaling: {len(contenders)} cases x {mode.scaling.rounds} rounds", file=sys.stderr)
    return results


def measure_registration(mode: Mode, peers: Sequence[str]) -> tuple[Series, dict[str, Any]]:
    """Registration times, and the paired ratio of 64 distinct classes to psygnal's 64 connects."""
    cases = registration_cases(peers) + wide_registration_cases()
    series = run_oneshots(cases, mode.registration_rounds)
    distinct = next(
        c.name
        for c in cases
        if c.name.endswith("CallbackManager(Spec, list)") and "distinct" in c.name
    )
    ratios: dict[str, Any] = {}
    for case in cases:
        if case.name.startswith("psygnal"):
            ratios[case.name] = ratio(paired(series, distinct, case.name))
    print(
        f"  registration: {len(cases)} cases x {mode.registration_rounds} rounds", file=sys.stderr
    )
    return series, ratios


def measure_unregister(mode: Mode) -> Series:
    """Unregistering 2.5k, 5k and 10k callbacks newest-first (fewer rounds if it is slow)."""
    cases = unregister_cases()
    series = run_oneshots(cases, mode.unregister_rounds, budget_seconds=mode.unregister_budget_s)
    rounds = min(len(t) for t in series.times.values())
    print(f"  unregister: {len(cases)} cases x {rounds} rounds", file=sys.stderr)
    return series


# -- Main -------------------------------------------------------------------------------------


def _sections(text: str) -> list[str]:
    chosen = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}"
        )
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: fewer, shorter rounds (< 1 minute)"
    )
    parser.add_argument(
        "--json", metavar="PATH", type=Path, help="also write every number to this JSON file"
    )
    parser.add_argument(
        "--skip-peers", action="store_true", help="measure protocall and the hand loop only"
    )
    parser.add_argument(
        "--only",
        metavar="SECTIONS",
        type=_sections,
        default=list(SECTIONS),
        help=f"comma-separated, of: {', '.join(SECTIONS)}",
    )
    parser.add_argument(
        "--save-unchecked-baseline",
        action="store_true",
        help="record this run's unchecked ratios as this Python version's baseline (unchecked_baseline.json)",
    )
    args = parser.parse_args(argv)
    mode = QUICK if args.quick else FULL
    sections: list[str] = args.only
    if args.save_unchecked_baseline and "unchecked" not in sections:
        parser.error("--save-unchecked-baseline needs the unchecked section")
    started = time.perf_counter()

    absent = list(PEERS) if args.skip_peers else missing_peers()
    peers = [p for p in PEERS if p not in absent]
    machine = _machine()
    print(f"# protocall benchmark ({'quick' if args.quick else 'full'})")
    print(f"Python {machine['python']} ({machine['implementation']}) on {machine['platform']}")
    print(f"CPU: {machine['cpu']} ({machine['cpus']} logical CPUs)")
    print(
        f"protocall: {machine['protocall_path']} (commit: {machine['commit'] or 'not in a git checkout'})"
    )
    print(
        "Versions: "
        + (
            ", ".join(f"{k} {v}" for k, v in machine["versions"].items())
            or "(no installed distributions found)"
        )
    )
    if args.skip_peers:
        print("Note: the peers are skipped (--skip-peers).")
    for module in [] if args.skip_peers else absent:
        print(
            f"Note: {PEERS[module]} is not installed ({module}); skipped. `pip install -e '.[bench]'` adds the peers."
        )
    print(
        "Times are per dispatch, net of the timing loop; ratios are medians of per-round paired ratios [quartiles]."
    )
    print("Every hand loop calls fresh instances that no manager has registered.")

    measures: dict[str, Callable[[], Any]] = {
        "dispatch": lambda: measure_dispatch(mode, peers),
        "signatures": lambda: measure_shapes(mode.dispatch),
        "held": lambda: measure_held(mode.dispatch),
        "body": lambda: measure_body(mode.body),
        "unchecked": lambda: measure_unchecked(mode.dispatch),
        "floor": lambda: measure_floor(mode, peers),
        "scaling": lambda: measure_scaling(mode, peers),
        "registration": lambda: measure_registration(mode, peers),
        "unregister": lambda: measure_unregister(mode),
        "imports": lambda: import_rows(
            ["protocall", *(m for m in ("pluggy", "blinker", "psygnal") if m in peers)],
            mode.import_rounds,
        ),
        "memory": lambda: memory_rows(peers, mode.memory_count),
        "lifecycle": lambda: measure_lifecycle(mode.lifecycle, mode.dropped_count),
    }
    results = {name: measure() for name, measure in measures.items() if name in sections}
    baseline = load_baseline()

    targets: list[Target] = []
    if "dispatch" in results:
        _print_dispatch(results["dispatch"])
        targets += _dispatch_targets(results["dispatch"])
    if "signatures" in results:
        print_shapes(results["signatures"])
        targets += shape_targets(results["signatures"])
    if "held" in results:
        print_held(results["held"])
        targets += held_targets(results["held"])
    if "body" in results:
        print_body(results["body"])
        targets += body_targets(results["body"])
    if "unchecked" in results:
        print_unchecked(results["unchecked"], baseline)
        targets += unchecked_targets(results["unchecked"], baseline)
    if "floor" in results:
        _print_floor(results["floor"])
        targets += _floor_targets(results["floor"])
    if "scaling" in results:
        _print_scaling(results["scaling"])
        targets += _scaling_targets(results["scaling"])
    if "registration" in results:
        series, ratios = results["registration"]
        _print_registration(series, ratios)
        targets += _registration_targets(series, ratios)
    if "unregister" in results:
        _print_unregister(results["unregister"])
        targets += _unregister_targets(results["unregister"])
    if "imports" in results:
        _print_imports(results["imports"])
        targets += _import_targets(results["imports"])
    if "memory" in results:
        _print_memory(results["memory"])
    if "lifecycle" in results:
        print_lifecycle(results["lifecycle"])
        targets += lifecycle_targets(results["lifecycle"])
    table(
        "Targets (informational)",
        ["target", "measured", "verdict"],
        [[t.name, t.measured, t.verdict] for t in targets],
        left=3,
    )
    elapsed = time.perf_counter() - started
    shown = list(argv) if argv is not None else sys.argv[1:]
    print(
        f"\nCommand: python benchmarks/bench.py{''.join(' ' + a for a in shown)} ({elapsed:.0f} s)"
    )

    if args.save_unchecked_baseline:
        save_baseline(
            results["unchecked"], commit=machine["commit"], mode="quick" if args.quick else "full"
        )
        print(
            f"Recorded the unchecked baseline of Python {sys.version_info.major}.{sys.version_info.minor}"
        )
    if args.json:
        document = {
            "mode": "quick" if args.quick else "full",
            "machine": machine,
            "skipped_peers": absent,
            **{name: _jsonable(name, value) for name, value in results.items()},
            "unchecked_baseline": baseline,
            "targets": [asdict(t) for t in targets],
            "seconds": elapsed,
        }
        args.json.write_text(json.dumps(document, indent=2) + "\n")
        print(f"Wrote {args.json}")
    return 0


def _jsonable(section: str, value: Any) -> Any:
    if section == "registration":
        series, ratios = value
        return {
            "median_s": {name: series.median(name) for name in series.times},
            "vs_psygnal": ratios,
        }
    if section == "unregister":
        return {
            name: {"median_s": value.median(name), "rounds": len(times)}
            for name, times in value.times.items()
        }
    if section in ("imports", "memory"):
        return [asdict(row) for row in value]
    return value  # dicts (int keys become strings)


# -- Printing and targets, per section ---------------------------------------------------------


def _print_dispatch(dispatch: Mapping[int, Mapping[str, Mapping[str, Any]]]) -> None:
    names = list(next(iter(dispatch.values())))
    header = ["contender", *(f"N={n}" for n in dispatch)]
    times = [[name, *(ns(dispatch[n][name]["median_s"]) for n in dispatch)] for name in names]
    table("Dispatch: median time per call (half of N implement the hook)", header, times)
    ratios = [
        [name, *(show_ratio(dispatch[n][name]["vs_hand"]) for n in dispatch)] for name in names
    ]
    table(
        "Dispatch: paired ratio to the hand-written loop over bound methods (of never-registered instances)",
        header,
        ratios,
    )
    emits = [n for n in names if "vs_listcomp" in dispatch[SIZES[0]][n] and n != LISTCOMP]
    rows = [
        [name, *(show_ratio(dispatch[n][name]["vs_listcomp"]) for n in dispatch)] for name in emits
    ]
    table("Emit: paired ratio to a hand-written list comprehension", header, rows)


def _print_floor(floor: Mapping[int, Mapping[str, Any]]) -> None:
    header = ["contender (paired ratio to the hand loop)", *(f"N={n}" for n in floor)]
    names = list(next(iter(floor.values())))
    rows = [[name, *(show_ratio(floor[n][name]) for n in floor)] for name in names]
    table(
        "Floor: the least a Python function taking *args/**kwargs can do (see _floor.py)",
        header,
        rows,
    )


def _print_scaling(scaling: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> None:
    header = [
        "contender",
        *(f"1 of {n}" for n in SCALING),
        *(f"1 of {n} / 1 of 1" for n in SCALING[1:]),
    ]
    rows = [
        [
            name,
            *(ns(entry[f"1/{n}"]["median_s"]) for n in SCALING),
            *(show_ratio(entry[f"1/{n}"]["vs_1_of_1"]) for n in SCALING[1:]),
        ]
        for name, entry in scaling.items()
    ]
    table("Scaling: one implementer among many registered callbacks", header, rows)


def _print_registration(series: Series, ratios: Mapping[str, Any]) -> None:
    rows = [[name, ns(series.median(name))] for name in series.times]
    table("Registration: median time (per instance where so labelled)", ["operation", "time"], rows)
    for name, r in ratios.items():
        print(
            f"\nPaired ratio, 64 distinct classes (CallbackManager) to {name}: {show_ratio(r).strip()}"
        )


def _print_unregister(series: Series) -> None:
    rows: list[Sequence[str]] = []
    for kind in ("checked", "unchecked"):
        previous: float | None = None
        for size in UNREGISTER_SIZES:
            name = unregister_name(kind, size)
            total = series.median(name)
            growth = "" if previous is None else f"{total / previous:.2f}x"
            rows.append([name, ns(total), ns(total / size), growth, str(len(series.times[name]))])
            previous = total
    table(
        "Unregister every callback, newest first (known class, dispatchers built): linear doubles per doubling, quadratic quadruples",
        ["operation", "total", "per callback", "vs half as many", "rounds"],
        rows,
    )


def _print_imports(imports: Sequence[ImportRow]) -> None:
    rows = [[r.module, f"{r.importtime_ms:.1f} ms", f"{r.wall_ms:.1f} ms"] for r in imports]
    table(
        f"Import time (fresh interpreters, median of {imports[0].samples})",
        ["module", "-X importtime", "wall - python -c pass"],
        rows,
    )


def _print_memory(memory: Sequence[MemoryRow]) -> None:
    rows = [[r.name, f"{r.bytes_per_callback:,.0f} B"] for r in memory]
    table("Memory per registered callback (tracemalloc)", ["what", "bytes"], rows)


def _dispatch_targets(dispatch: Mapping[int, Mapping[str, Mapping[str, Any]]]) -> list[Target]:
    """emit against the list comprehension, and each style against the peers.

    (call.hook against the hand loop is targeted per hook signature, in the signatures section.)
    """
    targets: list[Target] = []
    r = dispatch[16]["emit(Spec.hook)"]["vs_listcomp"]["median"]
    targets.append(
        Target("emit(Spec.hook) <= 1.3x listcomp at N=16", f"{r:.2f}x", verdict(r <= 1.3))
    )
    for style in PROTOCALL_STYLES:
        name = f"{style} faster than every peer at every N"
        margins: list[tuple[float, int, str, float, float]] = []
        for n, rows in dispatch.items():
            peers = {
                k: v["vs_hand"]["median"]
                for k, v in rows.items()
                if k not in PROTOCALL_STYLES and not k.startswith("hand")
            }
            if peers:
                best = min(peers, key=peers.__getitem__)
                ours = rows[style]["vs_hand"]["median"]
                margins.append((ours / peers[best], n, best, ours, peers[best]))
        if not margins:
            targets.append(Target(name, "no peer installed", "SKIP"))
            continue
        worst = max(margins)
        targets.append(
            Target(
                name,
                f"closest at N={worst[1]}: {worst[3]:.2f}x vs {worst[2]} {worst[4]:.2f}x",
                verdict(worst[0] < 1),
            )
        )
    return targets


def _scaling_targets(scaling: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> list[Target]:
    targets: list[Target] = []
    for style in ("call.hook", "emit(Spec.hook)"):
        r = scaling[style]["1/1024"]["vs_1_of_1"]["median"]
        targets.append(Target(f"{style}: 1 of 1024 <= 1.1x 1 of 1", f"{r:.2f}x", verdict(r <= 1.1)))
    return targets


def _registration_targets(
    registration: Series, registration_ratios: Mapping[str, Any]
) -> list[Target]:
    targets: list[Target] = []
    psygnal = [k for k in registration_ratios if k.startswith("psygnal")]
    title = "register 64 distinct classes faster than psygnal connecting 64 slots"
    if psygnal:
        r = registration_ratios[psygnal[0]]["median"]
        targets.append(Target(title, f"{r:.2f}x (paired)", verdict(r < 1)))
    else:
        targets.append(Target(title, "psygnal not installed", "SKIP"))
    per = registration.median("known class, per instance: register()")
    targets.append(
        Target("known class: register() per instance <= 5 µs", ns(per), verdict(per <= 5e-6))
    )
    hooks = WIDE_SPECS[0]
    for implemented in (WIDE_IMPLEMENTED, hooks):
        per = registration.median(known_class_name(hooks, implemented, "register()"))
        targets.append(
            Target(
                f"known class, {hooks}-hook spec, implements {implemented}: register() per instance <= 5 µs",
                ns(per),
                verdict(per <= 5e-6),
            )
        )
    return targets


def _unregister_targets(series: Series) -> list[Target]:
    targets: list[Target] = []
    for kind in ("checked", "unchecked"):
        times = [series.median(unregister_name(kind, size)) for size in UNREGISTER_SIZES]
        growth = [b / a for a, b in itertools.pairwise(times)]
        shown = (
            ", ".join(f"{g:.2f}x" for g in growth)
            + f"; {ns(times[-1])} for {UNREGISTER_SIZES[-1]:,}"
        )
        targets.append(
            Target(
                f"{kind}: unregister newest-first not quadratic (<= 2.5x per doubling)",
                shown,
                verdict(max(growth) <= 2.5),
            )
        )
    return targets


def _import_targets(imports: Sequence[ImportRow]) -> list[Target]:
    by_module = {r.module: r for r in imports}
    title = "import protocall no slower than import blinker"
    if "blinker" not in by_module:
        return [Target(title, "blinker not installed", "SKIP")]
    ours, theirs = by_module["protocall"].importtime_ms, by_module["blinker"].importtime_ms
    return [Target(title, f"{ours:.1f} ms vs {theirs:.1f} ms", verdict(ours <= theirs))]


def _floor_targets(floor: Mapping[int, Mapping[str, Any]]) -> list[Target]:
    """Where a by-argument style misses a peer: is it at the floor, and is the floor too slow?"""
    targets: list[Target] = []
    for style, floor_name in (
        ("emit(Spec.hook)", "emit floor (the faster way)"),
        ("unchecked call.hook", "unchecked call floor"),
    ):
        over = [floor[n][style]["median"] / floor[n][floor_name]["median"] for n in floor]
        shown = ", ".join(f"N={n}: {r:.2f}x" for n, r in zip(floor, over, strict=True))
        targets.append(
            Target(
                f"{style} within 10% of its floor at N <= {max(floor)}",
                shown,
                verdict(max(over) <= 1.1),
            )
        )
        peer = "psygnal emit_fast"
        if peer in floor[min(floor)]:
            slower = [floor[n][floor_name]["median"] / floor[n][peer]["median"] for n in floor]
            shown = ", ".join(f"N={n}: {r:.2f}x" for n, r in zip(floor, slower, strict=True))
            prevented = min(slower) > 1
            targets.append(
                Target(
                    f"{floor_name.split(' (')[0]} slower than {peer}: the interpreter prevents the peer target",
                    shown,
                    "YES" if prevented else "NO",
                )
            )
    return targets


if __name__ == "__main__":
    raise SystemExit(main())
