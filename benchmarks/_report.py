"""Shared reporting: ratio summaries, plain-text tables and target verdicts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict

from _harness import summary

__all__ = ["Ratio", "Target", "ns", "ratio", "show_ratio", "table", "verdict"]


class Ratio(TypedDict):
    """The median of per-round paired ratios, with its quartiles."""

    median: float
    q1: float
    q3: float


@dataclass(frozen=True, slots=True)
class Target:
    """One of the issue's targets and how this run measured it."""

    name: str
    measured: str
    verdict: str  # PASS, MISS, SKIP (or YES/NO for a question)


def ns(seconds: float) -> str:
    """A time, in ns below 100 µs, else in µs (or ms from 10 ms on)."""
    if seconds < 1e-4:
        return f"{seconds * 1e9:,.0f} ns"
    if seconds < 1e-2:
        return f"{seconds * 1e6:,.1f} µs"
    return f"{seconds * 1e3:,.1f} ms"


def ratio(values: Sequence[float]) -> Ratio:
    median, q1, q3 = summary(values)
    return {"median": median, "q1": q1, "q3": q3}


def show_ratio(r: Ratio) -> str:
    return f"{r['median']:6.2f}x [{r['q1']:.2f}-{r['q3']:.2f}]"


def table(
    title: str, header: Sequence[str], rows: Sequence[Sequence[str]], *, left: int = 1
) -> None:
    """Print a plain-text table; the first ``left`` columns are left-aligned, the rest right."""
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)
    ]
    print(f"\n## {title}\n")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(
            "  ".join(
                c.ljust(w) if i < left else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=False))
            )
        )


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"
