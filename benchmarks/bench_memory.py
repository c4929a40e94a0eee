"""4. Memory: peak RSS of a raw (JSONL) export of a small and a ten times larger listing.

Each export runs in a fresh child process (``python -m benchmarks.bench_memory --child``), which
reports its own peak RSS once the export is done (``_peak_memory.py``, the harness it shares
with ``bench_load_memory``). The fake generates the records on the fly (a million cost it no
memory) and runs with ``--workers 2``: generating 2 GB of JSON is the slow part, and only
memory is measured here, not time. A streaming export holds one window of pages whatever the
listing's size, so the larger export's peak should be about the smaller one's.

Both exports run ``repeat`` times, interleaved, and their medians are compared: a peak RSS
varies by up to a quarter from run to run (how many pages wait in the window when the peak comes
depends on timing), more than the target's margin, so one large run is not enough.

Target: peak RSS of the larger <= 1.2 x the smaller.

    python -m benchmarks.bench_memory [--quick] [--repeat N]
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from benchmarks import _peak_memory
from benchmarks._common import standalone
from benchmarks._fake import FakeProcess
from benchmarks._peak_memory import Job, Peaks, Sizes

DEFAULT = Sizes()
QUICK = _peak_memory.QUICK
TARGET = 1.2


def job(told: Job, output: Path) -> Mapping[str, object]:
    """In the child process: export pages 1..N to ``output``; the record count."""
    from screendesk_async import AsyncScreendesk
    from screendesk_async.export import export

    async def go() -> int:
        concurrency = told.concurrency
        async with AsyncScreendesk(
            told.token, base_url=told.url, max_concurrency=concurrency
        ) as sd:
            summary = await export(
                sd,
                "recordings",
                output,
                concurrency=concurrency,
                pages=(1, -(-told.records // told.per_page)),
            )
        return summary.records

    return {"records": asyncio.run(go())}


def run(size: Sizes) -> Peaks:
    peaks = Peaks.of(size, TARGET)
    with FakeProcess(recordings=size.large, page_size=size.per_page, workers=size.workers) as fake:
        for _ in range(size.repeat):
            for records in (size.small, size.large):
                found, _ = peaks.measure("benchmarks.bench_memory:job", "out.jsonl", fake, records)
                if found["records"] != records:
                    raise AssertionError(f"exported {found['records']} records, not {records}")
    return peaks


def targets(result: Peaks) -> list[tuple[str, str, bool]]:
    """``(target, measured, met)`` rows for the summary."""
    return [result.verdict("4. peak RSS:", " records")]


def report(result: Peaks) -> list[str]:
    s = result.size
    return [
        f"memory: peak RSS of a JSONL export, page size {s.per_page}, concurrency {s.concurrency}",
        *result.lines("records", "", "export"),
    ]


def markdown(result: Peaks) -> list[str]:
    s = result.size
    intro = (
        f"Peak RSS of the library's JSONL `export()` in a fresh process per run "
        f"(`VmHWM`, interpreter and imports included), page size {s.per_page}, "
        f"concurrency {s.concurrency}; {s.repeat} runs of each, interleaved (a peak RSS "
        "varies by up to a quarter from run to run, with the timing of the pages). The fake "
        f"generates the records on the fly with {s.workers} worker processes (only memory is "
        "measured here; the export time is shown for scale and includes the fake generating "
        "the records)."
    )
    header = ["records", "JSONL MB", "median peak RSS MiB", "min–max MiB", "export s"]
    return result.section("## 4. Memory", intro, header)


def main(argv: Sequence[str] | None = None) -> int:
    return standalone(__doc__, argv, (QUICK, DEFAULT), run, report, repeat_help="runs of each size")


if __name__ == "__main__":
    sys.exit(main())
