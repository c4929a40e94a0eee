"""4. Memory: peak RSS of a raw (JSONL) export of a small and a ten times larger listing.

Each export runs in a fresh child process (``python -m benchmarks.bench_memory --child``), which
reports its own peak RSS once the export is done: ``VmHWM`` of ``/proc/self/status`` (Linux's
``ru_maxrss`` would not do: it keeps the parent's high-water mark across ``fork`` and ``exec``),
else ``ru_maxrss`` on other systems. The output goes to a temporary directory that is removed
afterwards. The fake generates the records on the fly (a million cost it no memory) and runs
with ``--workers 2``: generating 2 GB of JSON is the slow part, and only memory is measured
here, not time. A streaming export holds one window of pages whatever the listing's size, so
the larger export's peak should be about the smaller one's.

Both exports run ``repeat`` times, interleaved, and their medians are compared: a peak RSS
varies by up to a quarter from run to run (how many pages wait in the window when the peak comes
depends on timing), more than the target's margin, so one large run is not enough.

Target: peak RSS of the larger <= 1.2 x the smaller.

    python -m benchmarks.bench_memory [--quick] [--repeat N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

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


@dataclass(frozen=True)
class Size:
    small: int = 100_000
    large: int = 1_000_000
    per_page: int = 250
    concurrency: int = 16
    repeat: int = 3
    workers: int = 2


QUICK = Size(small=200, large=2_000, per_page=50, concurrency=4, repeat=1, workers=1)


def _peak_rss() -> int:
    """This process's peak resident set size, in bytes."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:  # pragma: no cover - not Linux
        pass
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB elsewhere
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def _child(url: str, token: str, records: int, per_page: int, concurrency: int) -> None:
    """In the child process: export pages 1..N, then print the peak RSS and the record count."""
    from screendesk_async import AsyncScreendesk
    from screendesk_async.export import export

    async def go(output: Path) -> int:
        async with AsyncScreendesk(token, base_url=url, max_concurrency=concurrency) as sd:
            summary = await export(
                sd,
                "recordings",
                output,
                concurrency=concurrency,
                pages=(1, -(-records // per_page)),
            )
        return summary.records

    with scratch_dir() as tmp:
        started = time.perf_counter()
        exported = asyncio.run(go(tmp / "out.jsonl"))
        elapsed = time.perf_counter() - started
        size = (tmp / "out.jsonl").stat().st_size
    print(json.dumps({"peak": _peak_rss(), "records": exported, "elapsed": elapsed, "bytes": size}))


@dataclass
class Result:
    size: Size
    peak: dict[int, Samples]  # bytes
    elapsed: dict[int, Samples]
    output_bytes: dict[int, int]

    @property
    def ratio(self) -> float:
        return self.peak[self.size.large].median / self.peak[self.size.small].median


def run(size: Size) -> Result:
    peak = {n: Samples(f"{n:,}") for n in (size.small, size.large)}
    elapsed = {n: Samples(f"{n:,}") for n in (size.small, size.large)}
    output_bytes: dict[int, int] = {}
    root = Path(__file__).resolve().parent.parent
    with FakeProcess(recordings=size.large, page_size=size.per_page, workers=size.workers) as fake:
        for _ in range(size.repeat):
            for records in (size.small, size.large):
                command = [sys.executable, "-m", "benchmarks.bench_memory", "--child"]
                command += ["--url", fake.url, "--token", fake.token, "--records", str(records)]
                command += ["--per-page", str(size.per_page)]
                command += ["--concurrency", str(size.concurrency)]
                line = subprocess.run(
                    command, cwd=root, check=True, capture_output=True, text=True
                ).stdout
                data = json.loads(line)
                if data["records"] != records:
                    raise AssertionError(f"exported {data['records']} records, not {records}")
                peak[records].values.append(data["peak"])
                elapsed[records].values.append(data["elapsed"])
                output_bytes[records] = data["bytes"]
    return Result(size, peak, elapsed, output_bytes)


def targets(result: Result) -> list[tuple[str, str, bool]]:
    """``(target, measured, met)`` rows for the summary."""
    s = result.size
    return [
        (
            f"4. peak RSS: {s.large:,} ≤ 1.2 × {s.small:,} records",
            f"{result.ratio:.2f} ×",
            result.ratio <= 1.2,
        )
    ]


def report(result: Result) -> list[str]:
    s = result.size
    lines = [
        f"memory: peak RSS of a JSONL export, page size {s.per_page}, concurrency {s.concurrency}"
    ]
    for n, samples in result.peak.items():
        lines.append(
            f"  {n:>10,} records ({result.output_bytes[n] / 1e6:,.0f} MB): peak RSS median "
            f"{samples.median / 2**20:.1f} MiB (min {samples.low / 2**20:.1f}, "
            f"max {samples.high / 2**20:.1f}); export {result.elapsed[n].median:.1f} s"
        )
    lines.append("  " + ratio_line("large/small", result.ratio, "<= 1.2", result.ratio <= 1.2))
    return lines


def markdown(result: Result) -> list[str]:
    s = result.size
    rows = [
        [
            f"{n:,}",
            f"{result.output_bytes[n] / 1e6:,.0f}",
            f"{samples.median / 2**20:.1f}",
            samples.spread(1 / 2**20, 1),
            f"{result.elapsed[n].median:.1f}",
        ]
        for n, samples in result.peak.items()
    ]
    return [
        "## 4. Memory",
        "",
        f"Peak RSS of the library's JSONL `export()` in a fresh process per run "
        f"(`VmHWM`, interpreter and imports included), page size {s.per_page}, "
        f"concurrency {s.concurrency}; {s.repeat} runs of each, interleaved (a peak RSS "
        "varies by up to a quarter from run to run, with the timing of the pages). The fake "
        f"generates the records on the fly with {s.workers} worker processes (only memory is "
        "measured here; the export time is shown for scale and includes the fake generating "
        "the records).",
        "",
        *table(
            ["records", "JSONL MB", "median peak RSS MiB", "min–max MiB", "export s"],
            rows,
        ),
        "",
        *table(
            ["target", "measured", "verdict"],
            [
                [
                    f"peak RSS of {s.large:,} ≤ 1.2 × {s.small:,}",
                    f"{result.ratio:.2f} ×",
                    met(result.ratio <= 1.2),
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
    parser.add_argument("--records", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--per-page", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--concurrency", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.url, args.token, args.records, args.per_page, args.concurrency)
        return 0
    print("\n".join(report(run(chosen_size(args, QUICK, Size())))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
