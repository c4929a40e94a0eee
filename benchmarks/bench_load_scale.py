"""7. A load at scale: ``screendesk load recordings`` vs ``screendesk export recordings``.

The same account of ``pages`` × ``per_page`` recordings (``latency`` per request, the fake in a
separate process), each command a fresh process as a cron job starts it, side by side,
interleaved:

(a) ``screendesk export recordings -o FILE.jsonl`` (concurrency 16);
(b) ``screendesk load recordings --duckdb NEW.duckdb`` (concurrency 16): a first load into a
    new DuckDB file, its state the destination's own.

Target: b/a <= 1.3 at 200,000 recordings.

    python -m benchmarks.bench_load_scale [--quick] [--repeat N]
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks._common import (
    Samples,
    interleaved,
    ratio_line,
    standalone,
    timing_lines,
    timing_table,
    verdicts,
)
from benchmarks._fake import FakeProcess, Listing, account, exported
from benchmarks._processes import export_command, load_command, loaded, timed

DEFAULT = Listing(pages=2_000, repeat=3)
QUICK = Listing(pages=4, per_page=10, latency=0.002, repeat=1)
A, B = "(a) `screendesk export recordings`", "(b) `screendesk load recordings`"
TARGET = 1.3


@dataclass
class Result:
    """Two variants' wall times over one account; ``b_over_a`` compares their medians."""

    size: Listing
    wall: dict[str, Samples]
    records: int

    @property
    def b_over_a(self) -> float:
        first, second = self.wall.values()
        return second.median / first.median


def load_once(fake: FakeProcess, size: Listing, root: Path) -> float:
    """``screendesk load recordings`` into a new file under ``root``: its wall time."""
    duckdb = root / "w.duckdb"
    elapsed, out = timed(load_command(fake.url, fake.token, duckdb, size.concurrency), root)
    duckdb.unlink()
    loaded(out, size.records)
    return elapsed


def run(size: Listing) -> Result:
    with account(size) as (fake, fresh):

        def export_once() -> float:
            root = fresh()
            output = root / "r.jsonl"
            elapsed, _ = timed(export_command(fake.url, fake.token, output, size.concurrency), root)
            exported(output, size.records)
            return elapsed

        wall = interleaved({A: export_once, B: lambda: load_once(fake, size, fresh())}, size.repeat)
    return Result(size, wall, size.records)


def printed(result: Result, header: str, target: str, ok: bool) -> list[str]:
    """A comparison's printed report: ``header``, each variant, b/a against ``target``."""
    lines = timing_lines(result.wall, result.records, digits=2)
    return [header, *lines, "  " + ratio_line("b/a", result.b_over_a, target, ok)]


def section(result: Result, title: str, intro: str, verdict: tuple[str, str, bool]) -> list[str]:
    """A comparison's RESULTS.md section: ``title``, ``intro``, the variants, the verdict."""
    variants = timing_table(result.wall, result.records, digits=2)
    return [title, "", intro, "", *variants, "", *verdicts([verdict])]


def targets(result: Result) -> list[tuple[str, str, bool]]:
    """``(target, measured, met)`` rows for the summary."""
    ratio = result.b_over_a
    label = f"7. load of {result.records:,}: (b) ≤ {TARGET} × export (a)"
    return [(label, f"{ratio:.2f} ×", ratio <= TARGET)]


def report(result: Result) -> list[str]:
    s = result.size
    header = (
        f"load at scale: {result.records:,} recordings ({s.pages} pages), "
        f"{s.latency * 1000:.0f} ms latency, concurrency {s.concurrency}, {s.repeat} runs"
    )
    return printed(result, header, f"<= {TARGET}", result.b_over_a <= TARGET)


def markdown(result: Result) -> list[str]:
    s = result.size
    ratio = result.b_over_a
    intro = (
        f"{s.pages:,} pages × {s.per_page} recordings ({result.records:,} records), "
        f"{s.latency * 1000:.0f} ms latency per request, concurrency {s.concurrency}; each "
        "command a fresh process (imports included), "
        f"{s.repeat} runs of each, interleaved, after a warm-up. (b) is a first load into a new "
        "DuckDB file."
    )
    verdict = (f"(b) ≤ {TARGET} × (a)", f"b/a = {ratio:.2f}", ratio <= TARGET)
    return section(
        result, "## 7. A load at scale (dlt → DuckDB) vs the JSONL export", intro, verdict
    )


def main(argv: Sequence[str] | None = None) -> int:
    return standalone(__doc__, argv, (QUICK, DEFAULT), run, report)


if __name__ == "__main__":
    sys.exit(main())
