"""protocall's benchmark: dispatch against a hand-written loop and the peers, in one process.

    python benchmarks/bench.py            # the full run (about 1-2 minutes)
    python benchmarks/bench.py --quick    # a smoke run, under a minute
    python benchmarks/bench.py --json out.json

Measures dispatch for N in {1, 4, 16, 64} callbacks (half implement the hook), the scaling with
non-implementers (1 implementer among 1, 64 and 1,024 callbacks), registration, import time and
memory per registered callback. Contenders are interleaved in rounds and every ratio is paired
with the baseline measured in the same round (see ``_harness``). The peers (Lightning Fabric,
pluggy, psygnal, blinker: ``pip install -e '.[bench]'``) are optional and skipped when absent.
The issue's targets are printed as PASS/MISS, for information: the exit status is 0 whatever
they say, because the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _contenders import PEERS, dispatch_contenders, missing_peers, scaling_contenders, verify  # noqa: E402
from _floor import FLOOR_SIZES, floor_contenders  # noqa: E402
from _harness import Series, Settings, paired, run_oneshots, run_rounds, summary  # noqa: E402
from _imports import ImportRow, import_rows  # noqa: E402
from _registration import MemoryRow, memory_rows, registration_cases  # noqa: E402

SIZES: Final = (1, 4, 16, 64)
SCALING: Final = (1, 64, 1024)
HAND: Final = "hand loop"
LISTCOMP: Final = "hand listcomp"
PROTOCALL_STYLES: Final = ("call.hook", "emit(Spec.hook)", "emit('hook')", "unchecked emit('hook')", "unchecked call.hook")


@dataclass(frozen=True, slots=True)
class Mode:
    """How much to measure."""

    dispatch: Settings
    scaling: Settings
    registration_rounds: int
    import_rounds: int
    memory_count: int


FULL: Final = Mode(Settings(rounds=301, block_seconds=0.001), Settings(rounds=201, block_seconds=0.001), 61, 21, 1024)
QUICK: Final = Mode(Settings(rounds=21, block_seconds=0.0004), Settings(rounds=15, block_seconds=0.0004), 7, 3, 256)


@dataclass(frozen=True, slots=True)
class Target:
    """One of the issue's targets and how this run measured it."""

    name: str
    measured: str
    verdict: str  # PASS, MISS or SKIP


# -- Reporting helpers ------------------------------------------------------------------------


def _ns(seconds: float) -> str:
    return f"{seconds * 1e9:,.0f} ns" if seconds < 1e-4 else f"{seconds * 1e6:,.1f} µs"


def _ratio(values: Sequence[float]) -> dict[str, float]:
    median, q1, q3 = summary(values)
    return {"median": median, "q1": q1, "q3": q3}


def _show_ratio(r: Mapping[str, float]) -> str:
    return f"{r['median']:6.2f}x [{r['q1']:.2f}-{r['q3']:.2f}]"


def _table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]], *, left: int = 1) -> None:
    """Print a plain-text table; the first ``left`` columns are left-aligned, the rest right."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    print(f"\n## {title}\n")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


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
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            pass
    return {
        "commit": _commit(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "versions": versions,
    }


def _commit() -> str:
    """The checkout's commit (``+dirty`` with uncommitted changes), or "" outside git."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", "src"], capture_output=True, text=True, check=True)
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
                "vs_hand": _ratio(paired(series, name, HAND + tag)),
            }
            if short.startswith(("emit", "unchecked emit", LISTCOMP)):
                row["vs_listcomp"] = _ratio(paired(series, name, LISTCOMP + tag))
            rows[short] = row
        results[n] = rows
        print(f"  dispatch N={n}: {len(contenders)} contenders x {mode.dispatch.rounds} rounds", file=sys.stderr)
    return results


def measure_floor(mode: Mode, peers: Sequence[str]) -> dict[int, dict[str, dict[str, float]]]:
    """Per N of ``FLOOR_SIZES``: the by-argument styles and their floors, paired to the hand loop.

    The floor of emit is, per round, the faster of its two ways (unpack per call, repack once).
    """
    results: dict[int, dict[str, dict[str, float]]] = {}
    for n in FLOOR_SIZES:
        contenders = floor_contenders(n, peers)
        verify(contenders)
        series = run_rounds([c.case for c in contenders], mode.dispatch)
        tag = f" /{n}"
        rows = {c.case.name.removesuffix(tag): _ratio(paired(series, c.case.name, HAND + tag)) for c in contenders}
        best = [min(a, b) for a, b in zip(paired(series, f"emit floor: unpack per call{tag}", HAND + tag), paired(series, f"emit floor: repack once{tag}", HAND + tag))]
        rows["emit floor (the faster way)"] = _ratio(best)
        del rows[HAND]
        results[n] = rows
        print(f"  floor N={n}: {len(contenders)} contenders x {mode.dispatch.rounds} rounds", file=sys.stderr)
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
            "vs_1_of_1": _ratio(paired(series, name, f"{short} 1/1")),
            "vs_hand": _ratio(paired(series, name, f"{HAND} 1/{size}")),
        }
    print(f"  scaling: {len(contenders)} cases x {mode.scaling.rounds} rounds", file=sys.stderr)
    return results


def measure_registration(mode: Mode, peers: Sequence[str]) -> tuple[Series, dict[str, dict[str, float]]]:
    """Registration times, and the paired ratio of 64 distinct classes to psygnal's 64 connects."""
    cases = registration_cases(peers)
    series = run_oneshots(cases, mode.registration_rounds)
    distinct = next(c.name for c in cases if c.name.endswith("CallbackManager(Spec, list)") and "distinct" in c.name)
    ratios: dict[str, dict[str, float]] = {}
    for case in cases:
        if case.name.startswith("psygnal"):
            ratios[case.name] = _ratio(paired(series, distinct, case.name))
    print(f"  registration: {len(cases)} cases x {mode.registration_rounds} rounds", file=sys.stderr)
    return series, ratios


# -- Main -------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a smoke run: fewer, shorter rounds (< 1 minute)")
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write every number to this JSON file")
    parser.add_argument("--skip-peers", action="store_true", help="measure protocall and the hand loop only")
    args = parser.parse_args(argv)
    mode = QUICK if args.quick else FULL
    started = time.perf_counter()

    absent = list(PEERS) if args.skip_peers else missing_peers()
    peers = [p for p in PEERS if p not in absent]
    machine = _machine()
    print(f"# protocall benchmark ({'quick' if args.quick else 'full'})")
    print(f"Python {machine['python']} ({machine['implementation']}) on {machine['platform']}")
    print(f"CPU: {machine['cpu']} ({machine['cpus']} logical CPUs)")
    print(f"protocall commit: {machine['commit'] or 'unknown'}")
    print("Versions: " + ", ".join(f"{k} {v}" for k, v in machine["versions"].items()))
    for module in absent:
        print(f"Note: {PEERS[module]} is not installed ({module}); skipped. `pip install -e '.[bench]'` adds the peers.")
    print("Times are per dispatch, net of the timing loop; ratios are medians of per-round paired ratios [quartiles].")

    dispatch = measure_dispatch(mode, peers)
    floor = measure_floor(mode, peers)
    scaling = measure_scaling(mode, peers)
    registration, registration_ratios = measure_registration(mode, peers)
    modules = ["protocall", *(m for m in ("pluggy", "blinker", "psygnal") if m in peers)]
    imports = import_rows(modules, mode.import_rounds)
    memory = memory_rows(peers, mode.memory_count)

    _print_dispatch(dispatch)
    _print_floor(floor)
    _print_scaling(scaling)
    _print_registration(registration, registration_ratios)
    _print_imports(imports)
    _print_memory(memory)
    targets = _targets(dispatch, scaling, registration, registration_ratios, imports, absent)
    targets += _floor_targets(floor)
    _table("Targets (informational)", ["target", "measured", "verdict"], [[t.name, t.measured, t.verdict] for t in targets], left=3)
    elapsed = time.perf_counter() - started
    print(f"\nCommand: python benchmarks/bench.py{' --quick' if args.quick else ''} ({elapsed:.0f} s)")

    if args.json:
        document = {
            "mode": "quick" if args.quick else "full",
            "machine": machine,
            "skipped_peers": absent,
            "dispatch": {str(n): rows for n, rows in dispatch.items()},
            "floor": {str(n): rows for n, rows in floor.items()},
            "scaling": scaling,
            "registration": {name: {"median_s": registration.median(name)} for name in registration.times},
            "registration_vs_psygnal": registration_ratios,
            "imports": [asdict(row) for row in imports],
            "memory": [asdict(row) for row in memory],
            "targets": [asdict(t) for t in targets],
            "seconds": elapsed,
        }
        args.json.write_text(json.dumps(document, indent=2) + "\n")
        print(f"Wrote {args.json}")
    return 0


def _print_dispatch(dispatch: Mapping[int, Mapping[str, Mapping[str, Any]]]) -> None:
    names = list(next(iter(dispatch.values())))
    header = ["contender", *(f"N={n}" for n in dispatch)]
    times = [[name, *(_ns(dispatch[n][name]["median_s"]) for n in dispatch)] for name in names]
    _table("Dispatch: median time per call (half of N implement the hook)", header, times)
    ratios = [[name, *(_show_ratio(dispatch[n][name]["vs_hand"]) for n in dispatch)] for name in names]
    _table("Dispatch: paired ratio to the hand-written loop over bound methods", header, ratios)
    emits = [n for n in names if "vs_listcomp" in dispatch[SIZES[0]][n] and n != LISTCOMP]
    rows = [[name, *(_show_ratio(dispatch[n][name]["vs_listcomp"]) for n in dispatch)] for name in emits]
    _table("Emit: paired ratio to a hand-written list comprehension", header, rows)


def _print_floor(floor: Mapping[int, Mapping[str, Mapping[str, float]]]) -> None:
    header = ["contender (paired ratio to the hand loop)", *(f"N={n}" for n in floor)]
    names = list(next(iter(floor.values())))
    rows = [[name, *(_show_ratio(floor[n][name]) for n in floor)] for name in names]
    _table("Floor: the least a Python function taking *args/**kwargs can do (see _floor.py)", header, rows)


def _print_scaling(scaling: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> None:
    header = ["contender", *(f"1 of {n}" for n in SCALING), *(f"1 of {n} / 1 of 1" for n in SCALING[1:])]
    rows = [
        [
            name,
            *(_ns(entry[f"1/{n}"]["median_s"]) for n in SCALING),
            *(_show_ratio(entry[f"1/{n}"]["vs_1_of_1"]) for n in SCALING[1:]),
        ]
        for name, entry in scaling.items()
    ]
    _table("Scaling: one implementer among many registered callbacks", header, rows)


def _print_registration(series: Series, ratios: Mapping[str, Mapping[str, float]]) -> None:
    rows = [[name, _ns(series.median(name))] for name in series.times]
    _table("Registration: median time (per instance where so labelled)", ["operation", "time"], rows)
    for name, ratio in ratios.items():
        print(f"\nPaired ratio, 64 distinct classes (CallbackManager) to {name}: {_show_ratio(ratio).strip()}")


def _print_imports(imports: Sequence[ImportRow]) -> None:
    rows = [[r.module, f"{r.importtime_ms:.1f} ms", f"{r.wall_ms:.1f} ms"] for r in imports]
    _table(f"Import time (fresh interpreters, median of {imports[0].samples})", ["module", "-X importtime", "wall - python -c pass"], rows)


def _print_memory(memory: Sequence[MemoryRow]) -> None:
    rows = [[r.name, f"{r.bytes_per_callback:,.0f} B"] for r in memory]
    _table("Memory per registered callback (tracemalloc)", ["what", "bytes"], rows)


def _targets(
    dispatch: Mapping[int, Mapping[str, Mapping[str, Any]]],
    scaling: Mapping[str, Mapping[str, Mapping[str, Any]]],
    registration: Series,
    registration_ratios: Mapping[str, Mapping[str, float]],
    imports: Sequence[ImportRow],
    absent: Sequence[str],
) -> list[Target]:
    targets: list[Target] = []
    for n, limit in ((1, 1.5), (16, 1.1), (64, 1.0)):
        r = dispatch[n]["call.hook"]["vs_hand"]["median"]
        targets.append(Target(f"call.hook <= {limit}x hand loop at N={n}", f"{r:.2f}x", _verdict(r <= limit)))
    r = dispatch[16]["emit(Spec.hook)"]["vs_listcomp"]["median"]
    targets.append(Target("emit(Spec.hook) <= 1.3x listcomp at N=16", f"{r:.2f}x", _verdict(r <= 1.3)))
    for style in PROTOCALL_STYLES:
        name = f"{style} faster than every peer at every N"
        margins: list[tuple[float, int, str, float, float]] = []
        for n, rows in dispatch.items():
            peers = {k: v["vs_hand"]["median"] for k, v in rows.items() if k not in PROTOCALL_STYLES and not k.startswith("hand")}
            if peers:
                best = min(peers, key=peers.__getitem__)
                ours = rows[style]["vs_hand"]["median"]
                margins.append((ours / peers[best], n, best, ours, peers[best]))
        if not margins:
            targets.append(Target(name, "no peer installed", "SKIP"))
            continue
        worst = max(margins)
        targets.append(
            Target(name, f"closest at N={worst[1]}: {worst[3]:.2f}x vs {worst[2]} {worst[4]:.2f}x", _verdict(worst[0] < 1))
        )
    for style in ("call.hook", "emit(Spec.hook)"):
        r = scaling[style]["1/1024"]["vs_1_of_1"]["median"]
        targets.append(Target(f"{style}: 1 of 1024 <= 1.1x 1 of 1", f"{r:.2f}x", _verdict(r <= 1.1)))
    psygnal = [k for k in registration_ratios if k.startswith("psygnal")]
    if psygnal:
        r = registration_ratios[psygnal[0]]["median"]
        targets.append(Target("register 64 distinct classes faster than psygnal connecting 64 slots", f"{r:.2f}x (paired)", _verdict(r < 1)))
    else:
        targets.append(Target("register 64 distinct classes faster than psygnal connecting 64 slots", "psygnal not installed", "SKIP"))
    per = registration.median("known class, per instance: register()")
    targets.append(Target("known class: register() per instance <= 5 µs", _ns(per), _verdict(per <= 5e-6)))
    by_module = {r.module: r for r in imports}
    if "blinker" in by_module:
        ours, theirs = by_module["protocall"].importtime_ms, by_module["blinker"].importtime_ms
        targets.append(Target("import protocall no slower than import blinker", f"{ours:.1f} ms vs {theirs:.1f} ms", _verdict(ours <= theirs)))
    else:
        targets.append(Target("import protocall no slower than import blinker", "blinker not installed", "SKIP"))
    return targets


def _floor_targets(floor: Mapping[int, Mapping[str, Mapping[str, float]]]) -> list[Target]:
    """Where a by-argument style misses a peer: is it at the floor, and is the floor too slow?"""
    targets: list[Target] = []
    for style, floor_name in (("emit(Spec.hook)", "emit floor (the faster way)"), ("unchecked call.hook", "unchecked call floor")):
        over = [floor[n][style]["median"] / floor[n][floor_name]["median"] for n in floor]
        shown = ", ".join(f"N={n}: {r:.2f}x" for n, r in zip(floor, over))
        targets.append(Target(f"{style} within 10% of its floor at N <= {max(floor)}", shown, _verdict(max(over) <= 1.1)))
        peer = "psygnal emit_fast"
        if peer in floor[min(floor)]:
            slower = [floor[n][floor_name]["median"] / floor[n][peer]["median"] for n in floor]
            shown = ", ".join(f"N={n}: {r:.2f}x" for n, r in zip(floor, slower))
            prevented = min(slower) > 1
            targets.append(Target(f"{floor_name.split(' (')[0]} slower than {peer}: the interpreter prevents the peer target", shown, "YES" if prevented else "NO"))
    return targets


if __name__ == "__main__":
    raise SystemExit(main())
