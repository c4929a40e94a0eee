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

import contextlib
import itertools
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks._common import (
    FakeProcess,
    Samples,
    interleaved,
    met,
    ratio_line,
    scratch_dir,
    standalone,
    table,
)
from benchmarks._processes import export_command, load_command, timed


@dataclass(frozen=True)
class Size:
    pages: int = 2_000
    per_page: int = 100
    latency: float = 0.020
    concurrency: int = 16
    repeat: int = 3


QUICK = Size(pages=4, per_page=10, latency=0.002, repeat=1)
A, B = "(a) `screendesk export recordings`", "(b) `screendesk load recordings`"
TARGET = 1.3


@dataclass
class Result:
    """Two variants' wall times over one account; ``b_over_a`` compares their medians."""

    size: Size
    wall: dict[str, Samples]
    records: int

    @property
    def b_over_a(self) -> float:
        first, second = self.wall.values()
        return second.median / first.median


@contextlib.contextmanager
def account(size: Size) -> Iterator[tuple[FakeProcess, Callable[[], Path]]]:
    """The fake of ``size`` in its process, and a maker of a new directory for each run."""
    records = size.pages * size.per_page
    with (
        FakeProcess(recordings=records, page_size=size.per_page, latency=size.latency) as fake,
        scratch_dir() as tmp,
    ):
        made = itertools.count(1)

        def fresh() -> Path:
            path = tmp / f"run-{next(made)}"
            path.mkdir()
            return path

        yield fake, fresh


def load_once(fake: FakeProcess, size: Size, root: Path) -> float:
    """``screendesk load recordings`` into a new file under ``root``: its wall time."""
    records = size.pages * size.per_page
    duckdb = root / "w.duckdb"
    elapsed, out = timed(load_command(fake.url, fake.token, duckdb, size.concurrency), root)
    loaded = json.loads(out)["tables"]["recordings"]["new"]
    duckdb.unlink()
    if loaded != records:
        raise AssertionError(f"the load added {loaded} recordings, not {records}")
    return elapsed


def run(size: Size) -> Result:
    records = size.pages * size.per_page
    with account(size) as (fake, fresh):

        def export_once() -> float:
            root = fresh()
            output = root / "r.jsonl"
            elapsed, _ = timed(export_command(fake.url, fake.token, output, size.concurrency), root)
            lines = output.read_bytes().count(b"\n")
            output.unlink()
            if lines != records:
                raise AssertionError(f"the export wrote {lines} records, not {records}")
            return elapsed

        wall = interleaved({A: export_once, B: lambda: load_once(fake, size, fresh())}, size.repeat)
    return Result(size, wall, records)


def variant_lines(result: Result) -> list[str]:
    """One printed line per variant."""
    return [
        f"  {name:40} median {samples.median:7.2f} s  (min {samples.low:.2f}, "
        f"max {samples.high:.2f}); {result.records / samples.median:,.0f} records/s"
        for name, samples in result.wall.items()
    ]


def variant_rows(result: Result) -> list[str]:
    """The markdown table of the variants."""
    rows = [
        [name, f"{v.median:.2f}", v.spread(), f"{result.records / v.median:,.0f}"]
        for name, v in result.wall.items()
    ]
    return table(["variant", "median s", "min–max s", "records/s"], rows, align="l")


def targets(result: Result) -> list[tuple[str, str, bool]]:
    """``(target, measured, met)`` rows for the summary."""
    ratio = result.b_over_a
    label = f"7. load of {result.records:,}: (b) ≤ {TARGET} × export (a)"
    return [(label, f"{ratio:.2f} ×", ratio <= TARGET)]


def report(result: Result) -> list[str]:
    s = result.size
    ratio = result.b_over_a
    return [
        f"load at scale: {result.records:,} recordings ({s.pages} pages), "
        f"{s.latency * 1000:.0f} ms latency, concurrency {s.concurrency}, {s.repeat} runs",
        *variant_lines(result),
        "  " + ratio_line("b/a", ratio, f"<= {TARGET}", ratio <= TARGET),
    ]


def markdown(result: Result) -> list[str]:
    s = result.size
    ratio = result.b_over_a
    return [
        "## 7. A load at scale (dlt → DuckDB) vs the JSONL export",
        "",
        f"{s.pages:,} pages × {s.per_page} recordings ({result.records:,} records), "
        f"{s.latency * 1000:.0f} ms latency per request, concurrency {s.concurrency}; each "
        "command a fresh process (imports included), "
        f"{s.repeat} runs of each, interleaved, after a warm-up. (b) is a first load into a new "
        "DuckDB file.",
        "",
        *variant_rows(result),
        "",
        *table(
            ["target", "measured", "verdict"],
            [[f"(b) ≤ {TARGET} × (a)", f"b/a = {ratio:.2f}", met(ratio <= TARGET)]],
            align="lll",
        ),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    return standalone(__doc__, argv, (QUICK, Size()), run, report)


if __name__ == "__main__":
    sys.exit(main())
