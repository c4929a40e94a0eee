"""6. Loading into a warehouse: ``screendesk load recordings`` (dlt → DuckDB) vs the JSONL export.

The same account (``pages`` × ``per_page`` recordings, ``latency`` per request, the fake in a
separate process), side by side, interleaved:

(a) ``screendesk_async.export.export()`` to JSONL (what ``screendesk export recordings`` runs),
    concurrency 16;
(b) ``screendesk_async.dlt`` into a new DuckDB file: the source's ``recordings`` resource
    (the records' JSON read into Arrow tables with the models' schema), merged on ``uuid``,
    through a new dlt pipeline — the whole first load: extract, normalize, load, DuckDB's
    commit;
(c) the same pipeline run again with nothing changed (the incremental re-run; shown, no target).

No target: at this size dlt's cost per run (about 0.4 s of CPU, whatever the size) is most of
(b), so the ratio says little about the library; the target is a load of 200,000
(``bench_load_scale``). The figures, and where (b)'s time goes, are shown.

    python -m benchmarks.bench_load [--quick] [--repeat N]
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dlt
import duckdb

from benchmarks._common import (
    Samples,
    interleaved,
    standalone,
    table,
    timing_lines,
    timing_table,
)
from benchmarks._fake import Listing, account, exported
from benchmarks.bench_export import library_export
from screendesk_async.dlt import screendesk_source
from screendesk_async.dlt._pipeline import load, make_pipeline

DEFAULT = Listing()
QUICK = Listing(pages=4, per_page=10, latency=0.002, repeat=1)

A, B, C = (
    "(a) JSONL `export()`",
    "(b) dlt load into DuckDB (first load)",
    "(c) dlt re-run, nothing changed",
)

#: Where a first load's time goes, from dlt's trace of each (b) run: before its extract step
#: (the pipeline, opening the DuckDB file, the row count, dlt's state sync, while the listing
#: starts), its three steps, and after its load step (the close, the summary).
PHASES = ("before extract", "extract", "normalize", "load", "after load")


@dataclass
class Result:
    size: Listing
    wall: dict[str, Samples]
    records: int
    phases: dict[str, Samples]

    @property
    def b_over_a(self) -> float:
        return self.wall[B].median / self.wall[A].median


def _load(url: str, token: str, root: Path, concurrency: int) -> dlt.Pipeline:
    pipeline = make_pipeline(
        destination=root / "warehouse.duckdb",
        pipelines_dir=root / "pipelines",
    )
    source = screendesk_source(token, base_url=url, max_concurrency=concurrency)
    load(pipeline, source, ["recordings"])
    return pipeline


def _phases(pipeline: dlt.Pipeline, started: float, ended: float) -> dict[str, float]:
    """``PHASES`` of one run, in seconds (``started``/``ended``: wall clock, ``time.time()``)."""
    trace = pipeline.last_trace
    steps: dict[str, Any] = {step.step: step for step in trace.steps} if trace else {}
    if not {"extract", "normalize", "load"} <= steps.keys():
        raise AssertionError(f"the load's trace has the steps {sorted(steps)}")

    def duration(name: str) -> float:
        return float((steps[name].finished_at - steps[name].started_at).total_seconds())

    return {
        "before extract": steps["extract"].started_at.timestamp() - started,
        "extract": duration("extract"),
        "normalize": duration("normalize"),
        "load": duration("load"),
        "after load": ended - steps["load"].finished_at.timestamp(),
    }


def _count(root: Path) -> int:
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as db:
        row = db.execute(
            "SELECT COUNT(DISTINCT uuid) FROM screendesk_dataset.recordings"
        ).fetchone()
    return int(row[0]) if row else 0


def run(size: Listing) -> Result:
    records = size.records
    with account(size) as (fake, fresh):
        url, token, conc = fake.url, fake.token, size.concurrency
        loaded: list[Path] = []
        phases: list[dict[str, float]] = []

        def timed(action: Callable[[], object]) -> float:
            started = time.perf_counter()
            action()
            return time.perf_counter() - started

        def export_once() -> float:
            output = fresh() / "r.jsonl"
            elapsed = timed(lambda: asyncio.run(library_export(url, token, output, conc)))
            exported(output, records)
            return elapsed

        def load_once() -> float:
            root = fresh()
            started, clock = time.time(), time.perf_counter()
            pipeline = _load(url, token, root, conc)
            elapsed = time.perf_counter() - clock
            phases.append(_phases(pipeline, started, started + elapsed))
            if _count(root) != records:
                raise AssertionError(f"the load holds {_count(root)} recordings, not {records}")
            loaded.append(root)
            return elapsed

        def rerun() -> float:
            # The last first load's pipeline, again: the incremental cursor skips every row.
            root = loaded[-1]
            elapsed = timed(lambda: _load(url, token, root, conc))
            if _count(root) != records:
                raise AssertionError("the re-run changed the number of recordings")
            return elapsed

        wall = interleaved({A: export_once, B: load_once, C: rerun}, size.repeat)
    timed_runs = phases[-size.repeat :]  # not the warm-up's
    split = {name: Samples(name, [run[name] for run in timed_runs]) for name in PHASES}
    return Result(size, wall, records, split)


def targets(result: Result) -> list[tuple[str, str, bool]]:
    """No target rows: the ratio is shown in the section (see the module's documentation)."""
    return []


#: What each of ``PHASES`` holds, for the table.
_PHASE_NOTES = {
    "before extract": "the pipeline, opening the DuckDB file once, the row count, dlt's state "
    "sync; the pages start arriving meanwhile",
    "extract": "the pages as (a) reads them, read into Arrow tables by pyarrow's JSON reader "
    "in worker threads while the next pages arrive; dlt writing them to parquet",
    "normalize": "dlt checking the parquet files against the schema, moving them to the load",
    "load": "DuckDB's insert from parquet with its checkpoint into the file; dlt's schema, "
    "state and load bookkeeping",
    "after load": "closing the DuckDB file, the summary",
}


def report(result: Result) -> list[str]:
    """Printed figures and the ratio."""
    s = result.size
    lines = [
        f"load: {s.pages} pages x {s.per_page} recordings, {s.latency * 1000:.0f} ms latency, "
        f"concurrency {s.concurrency}, {s.repeat} runs"
    ]
    lines += timing_lines(result.wall, result.records)
    split = ", ".join(f"{name} {part.median:.3f}" for name, part in result.phases.items())
    lines.append(f"  (b) medians, s: {split}")
    lines.append(f"  b/a = {result.b_over_a:.2f} (no target at this size)")
    return lines


def markdown(result: Result) -> list[str]:
    s = result.size
    ratio = result.b_over_a
    lines = [
        "## 6. Loading into a warehouse (dlt → DuckDB)",
        "",
        f"{s.pages} pages × {s.per_page} recordings ({result.records:,} records), "
        f"{s.latency * 1000:.0f} ms latency per request, concurrency {s.concurrency}; {s.repeat} "
        "runs of each, interleaved, after a warm-up. (b) is a whole first load into a new "
        "DuckDB file through a new dlt pipeline: extract, normalize, load (the resource merges "
        "on `uuid`; into an empty table that is an append); (c) runs that pipeline again with "
        "nothing changed. dlt's cost per run whatever the size is what makes the quick run's "
        "ratio meaningless.",
        "",
    ]
    lines += timing_table(result.wall, result.records)
    lines += [
        "",
        "Where (b)'s time goes, from dlt's trace of each run of (b) (medians, which add up to "
        "about (b)'s):",
        "",
        *table(
            ["phase of (b)", "median s", "min–max s", "what it holds"],
            [
                [name, f"{part.median:.3f}", part.spread(digits=3), _PHASE_NOTES[name]]
                for name, part in result.phases.items()
            ],
            align="lrrl",
        ),
        "",
        "(a)'s time is what the extract step's fetching takes; what the library does to keep "
        "the rest small, and what is left, is in [README.md](README.md).",
        "",
        f"b/a = {ratio:.2f}: no target at this size (dlt's cost per run dominates); the "
        "targets are sections 7–9.",
    ]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    return standalone(__doc__, argv, (QUICK, DEFAULT), run, report)


if __name__ == "__main__":
    sys.exit(main())
