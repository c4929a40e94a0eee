"""9. Memory of a load: peak RSS of ``screendesk load`` of a small and a ten times larger account.

Each load runs in a fresh child process (``python -m benchmarks.bench_load_memory --child``):
the command's own ``main`` (recordings into a new DuckDB file), then the child reports its
peak RSS, ``VmHWM`` of ``/proc/self/status`` (as ``bench_memory`` measures an export). The fake
generates the records on the fly with two workers (only memory is measured here). A load holds
a bounded number of pages, tables and keys whatever the account's size, so the larger load's
peak should be about the smaller one's.

Target: peak RSS of the larger <= 1.3 x the smaller.

    python -m benchmarks.bench_load_memory [--quick] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

from benchmarks._common import (
    Samples,
    chosen_size,
    met,
    ratio_line,
    scratch_dir,
    size_parser,
    table,
)
from benchmarks._fake import FakeProcess
from benchmarks._processes import ROOT, environment, load_command
from benchmarks.bench_memory import _peak_rss


@dataclass(frozen=True)
class Size:
    small: int = 100_000
    large: int = 1_000_000
    per_page: int = 250
    concurrency: int = 16
    repeat: int = 2
    workers: int = 2


QUICK = Size(small=200, large=2_000, per_page=50, concurrency=4, repeat=1, workers=1)
TARGET = 1.3


def _child(url: str, token: str, concurrency: int) -> None:
    """In the child: ``screendesk load recordings`` in this process; peak RSS, rows, time."""
    from screendesk_async.cli._app import main

    with scratch_dir() as tmp:
        started = time.perf_counter()
        status = main(load_command(url, token, tmp / "w.duckdb", concurrency)[3:])  # its JSON
        elapsed = time.perf_counter() - started
        size = (tmp / "w.duckdb").stat().st_size
    if status != 0:
        raise SystemExit(f"the load exited with {status}")
    print(json.dumps({"peak": _peak_rss(), "elapsed": elapsed, "bytes": size}))


@dataclass
class Result:
    size: Size
    peak: dict[int, Samples]  # bytes
    elapsed: dict[int, Samples]
    file_bytes: dict[int, int]

    @property
    def ratio(self) -> float:
        return self.peak[self.size.large].median / self.peak[self.size.small].median


def run(size: Size) -> Result:
    peak = {n: Samples(f"{n:,}") for n in (size.small, size.large)}
    elapsed = {n: Samples(f"{n:,}") for n in (size.small, size.large)}
    file_bytes: dict[int, int] = {}
    with scratch_dir() as data:
        for records in (size.small, size.large):
            # One account per size: a listing is all of its account's recordings.
            with FakeProcess(
                recordings=records, page_size=size.per_page, workers=size.workers
            ) as fake:
                for _ in range(size.repeat):
                    command = [sys.executable, "-m", "benchmarks.bench_load_memory", "--child"]
                    command += ["--url", fake.url, "--token", fake.token]
                    command += ["--concurrency", str(size.concurrency)]
                    done = subprocess.run(
                        command,
                        cwd=ROOT,
                        env=environment(data),
                        check=True,
                        capture_output=True,
                        text=True,
                    )
                    *_, summary, line = done.stdout.strip().splitlines()
                    loaded = json.loads(summary)["tables"]["recordings"]["new"]
                    if loaded != records:
                        raise AssertionError(f"the load added {loaded} recordings, not {records}")
                    found = json.loads(line)
                    peak[records].values.append(found["peak"])
                    elapsed[records].values.append(found["elapsed"])
                    file_bytes[records] = found["bytes"]
    return Result(size, peak, elapsed, file_bytes)


def targets(result: Result) -> list[tuple[str, str, bool]]:
    """``(target, measured, met)`` rows for the summary."""
    s = result.size
    label = f"9. load peak RSS: {s.large:,} ≤ {TARGET} × {s.small:,} recordings"
    return [(label, f"{result.ratio:.2f} ×", result.ratio <= TARGET)]


def report(result: Result) -> list[str]:
    s = result.size
    lines = [f"load memory: peak RSS of `screendesk load recordings`, page size {s.per_page}"]
    for n, samples in result.peak.items():
        lines.append(
            f"  {n:>10,} recordings (DuckDB file {result.file_bytes[n] / 1e6:,.0f} MB): peak RSS "
            f"median {samples.median / 2**20:.1f} MiB (min {samples.low / 2**20:.1f}, max "
            f"{samples.high / 2**20:.1f}); load {result.elapsed[n].median:.1f} s"
        )
    lines.append(
        "  " + ratio_line("large/small", result.ratio, f"<= {TARGET}", result.ratio <= TARGET)
    )
    return lines


def markdown(result: Result) -> list[str]:
    s = result.size
    rows = [
        [
            f"{n:,}",
            f"{result.file_bytes[n] / 1e6:,.0f}",
            f"{samples.median / 2**20:.1f}",
            samples.spread(1 / 2**20, 1),
            f"{result.elapsed[n].median:.1f}",
        ]
        for n, samples in result.peak.items()
    ]
    return [
        "## 9. Memory of a load",
        "",
        "Peak RSS of `screendesk load recordings` into a new DuckDB file, in a fresh process per "
        "run (`VmHWM`, interpreter, dlt, pyarrow and DuckDB included), page size "
        f"{s.per_page}, concurrency {s.concurrency}; {s.repeat} runs of each size. The fake "
        f"generates the records with {s.workers} worker processes (the load time includes it).",
        "",
        *table(["recordings", "DuckDB MB", "median peak RSS MiB", "min–max MiB", "load s"], rows),
        "",
        *table(
            ["target", "measured", "verdict"],
            [
                [
                    f"peak RSS of {s.large:,} ≤ {TARGET} × {s.small:,}",
                    f"{result.ratio:.2f} ×",
                    met(result.ratio <= TARGET),
                ]
            ],
            align="lll",
        ),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = size_parser(__doc__, "runs of each size")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--concurrency", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.url, args.token, args.concurrency)
        return 0
    print("\n".join(report(run(chosen_size(args, QUICK, Size())))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
