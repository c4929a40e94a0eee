"""9. Memory of a load: peak RSS of ``screendesk load`` of a small and a ten times larger account.

Each load runs in a fresh child process (``python -m benchmarks.bench_load_memory --child``):
the command's own ``main`` (recordings into a new DuckDB file), then the child reports its
peak RSS, ``VmHWM`` of ``/proc/self/status`` (``_peak_memory.py``, the harness that measures
``bench_memory``'s export too). The fake
generates the records on the fly with two workers (only memory is measured here). A load holds
a bounded number of pages, tables and keys whatever the account's size, so the larger load's
peak should be about the smaller one's.

Target: peak RSS of the larger <= 1.3 x the smaller.

    python -m benchmarks.bench_load_memory [--quick] [--repeat N]
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from benchmarks import _peak_memory
from benchmarks._common import scratch_dir, standalone
from benchmarks._fake import FakeProcess
from benchmarks._peak_memory import Job, Peaks, Sizes
from benchmarks._processes import SCREENDESK, environment, load_command, loaded

DEFAULT = Sizes(repeat=2)
QUICK = _peak_memory.QUICK
TARGET = 1.3


def job(told: Job, output: Path) -> Mapping[str, object]:
    """In the child: ``screendesk load recordings`` into ``output`` in this process (its JSON)."""
    from screendesk_async.cli._app import main

    command = load_command(told.url, told.token, output, told.concurrency)
    status = main(command[len(SCREENDESK) :])
    if status != 0:
        raise SystemExit(f"the load exited with {status}")
    return {}


def run(size: Sizes) -> Peaks:
    peaks = Peaks.of(size, TARGET)
    with scratch_dir() as data:
        for records in (size.small, size.large):
            # One account per size: a listing is all of its account's recordings.
            with FakeProcess(
                recordings=records, page_size=size.per_page, workers=size.workers
            ) as fake:
                for _ in range(size.repeat):
                    job, env = "benchmarks.bench_load_memory:job", environment(data)
                    _, printed = peaks.measure(job, "w.duckdb", fake, records, env)
                    loaded(printed[-1], records)
    return peaks


def targets(result: Peaks) -> list[tuple[str, str, bool]]:
    """``(target, measured, met)`` rows for the summary."""
    return [result.verdict("9. load peak RSS:", " recordings")]


def report(result: Peaks) -> list[str]:
    s = result.size
    return [
        f"load memory: peak RSS of `screendesk load recordings`, page size {s.per_page}",
        *result.lines("recordings", "DuckDB file ", "load"),
    ]


def markdown(result: Peaks) -> list[str]:
    s = result.size
    intro = (
        "Peak RSS of `screendesk load recordings` into a new DuckDB file, in a fresh process per "
        "run (`VmHWM`, interpreter, dlt, pyarrow and DuckDB included), page size "
        f"{s.per_page}, concurrency {s.concurrency}; {s.repeat} runs of each size. The fake "
        f"generates the records with {s.workers} worker processes (the load time includes it)."
    )
    header = ["recordings", "DuckDB MB", "median peak RSS MiB", "min–max MiB", "load s"]
    return result.section("## 9. Memory of a load", intro, header)


def main(argv: Sequence[str] | None = None) -> int:
    return standalone(__doc__, argv, (QUICK, DEFAULT), run, report, repeat_help="runs of each size")


if __name__ == "__main__":
    sys.exit(main())
