"""Peak RSS of a job run in a fresh child process: the harness of the memory benchmarks.

``bench_memory`` (an export) and ``bench_load_memory`` (a load) each run their job for a small
and a ten times larger listing, ``repeat`` times each, every run in a fresh child process
(``python -m benchmarks._peak_memory MODULE:JOB FILE ...``). The child imports the job, runs it
into FILE in a temporary directory, removed afterwards, then prints one JSON line: its
peak RSS, ``VmHWM`` of ``/proc/self/status`` (Linux's ``ru_maxrss`` would not do: it keeps the
parent's high-water mark across ``fork`` and ``exec``), else ``ru_maxrss`` on other systems;
the job's time; the file's size; and what the job returned. The fake generates the records on
the fly with ``workers`` processes: only memory is measured here, not time.
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import _processes
from benchmarks._common import Samples, ratio_line, scratch_dir, table, verdicts
from benchmarks._fake import FakeProcess


@dataclass(frozen=True)
class Sizes:
    """The two listings, how each is read, how often; the fake's worker processes."""

    small: int = 100_000
    large: int = 1_000_000
    per_page: int = 250
    concurrency: int = 16
    repeat: int = 3
    workers: int = 2


#: The smoke size.
QUICK = Sizes(small=200, large=2_000, per_page=50, concurrency=4, repeat=1, workers=1)


@dataclass(frozen=True)
class Job:
    """What a child is told: the fake's address and token, the listing, the concurrency."""

    url: str
    token: str
    records: int
    per_page: int
    concurrency: int


#: A benchmark's job, run in the child: it writes the file it is given; extra figures.
JobFunction = Callable[[Job, Path], Mapping[str, object]]


def peak_rss() -> int:
    """This process's peak resident set size, in bytes."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:  # pragma: no cover - not Linux
        pass
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB elsewhere
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


@dataclass
class Peaks:
    """Every run's peak RSS (bytes), time and output size, by listing size; the target ratio."""

    size: Sizes
    target: float
    peak: dict[int, Samples]
    elapsed: dict[int, Samples]
    output_bytes: dict[int, int]

    @classmethod
    def of(cls, size: Sizes, target: float) -> Peaks:
        """No runs yet."""
        peak = {n: Samples(f"{n:,}") for n in (size.small, size.large)}
        elapsed = {n: Samples(f"{n:,}") for n in (size.small, size.large)}
        return cls(size, target, peak, elapsed, {})

    @property
    def ratio(self) -> float:
        """The larger listing's median peak over the smaller one's."""
        return self.peak[self.size.large].median / self.peak[self.size.small].median

    def measure(
        self,
        job: str,
        output: str,
        fake: FakeProcess,
        records: int,
        env: dict[str, str] | None = None,
    ) -> tuple[dict[str, Any], list[str]]:
        """``job`` (``MODULE:FUNCTION``) writing ``output`` in a fresh child, against ``fake``.

        Returns what the child reported, and the lines it printed before that.
        """
        s = self.size
        command = [sys.executable, "-m", "benchmarks._peak_memory", job, output]
        command += ["--url", fake.url, "--token", fake.token]
        command += ["--records", str(records), "--per-page", str(s.per_page)]
        command += ["--concurrency", str(s.concurrency)]
        *printed, line = _processes.run(command, env).strip().splitlines()
        found: dict[str, Any] = json.loads(line)
        self.peak[records].values.append(found["peak"])
        self.elapsed[records].values.append(found["elapsed"])
        self.output_bytes[records] = found["bytes"]
        return found, printed

    def lines(self, unit: str, output: str, step: str) -> list[str]:
        """Printed: one line per size (``unit``, ``output`` naming the file), then the ratio."""
        lines = [
            f"  {n:>10,} {unit} ({output}{self.output_bytes[n] / 1e6:,.0f} MB): peak RSS median "
            f"{samples.median / 2**20:.1f} MiB (min {samples.low / 2**20:.1f}, max "
            f"{samples.high / 2**20:.1f}); {step} {self.elapsed[n].median:.1f} s"
            for n, samples in self.peak.items()
        ]
        ok = self.ratio <= self.target
        return [*lines, "  " + ratio_line("large/small", self.ratio, f"<= {self.target}", ok)]

    def section(self, title: str, intro: str, header: list[str]) -> list[str]:
        """The RESULTS.md section: ``title``, ``intro``, the table of sizes, the verdict.

        ``header`` names the table's columns: size, MB written, median peak RSS MiB, its
        spread, the job's time.
        """
        rows = [
            [
                f"{n:,}",
                f"{self.output_bytes[n] / 1e6:,.0f}",
                f"{samples.median / 2**20:.1f}",
                samples.spread(1 / 2**20, 1),
                f"{self.elapsed[n].median:.1f}",
            ]
            for n, samples in self.peak.items()
        ]
        verdict = self.verdict("peak RSS of")
        return [title, "", intro, "", *table(header, rows), "", *verdicts([verdict])]

    def verdict(self, before: str, after: str = "") -> tuple[str, str, bool]:
        """``(target, measured, met)``: ``before`` large ≤ target × small ``after``."""
        s = self.size
        label = f"{before} {s.large:,} ≤ {self.target} × {s.small:,}{after}"
        return label, f"{self.ratio:.2f} ×", self.ratio <= self.target


def _child(argv: Sequence[str] | None = None) -> int:
    """In the child: the job into its file in a scratch directory, then the JSON line."""
    parser = argparse.ArgumentParser(description="A memory benchmark's job, in this process.")
    parser.add_argument("job", help="MODULE:FUNCTION, called with the Job and the file's path")
    parser.add_argument("output", help="the name of the file the job writes")
    for name in ("--url", "--token"):
        parser.add_argument(name, required=True)
    for name in ("--records", "--per-page", "--concurrency"):
        parser.add_argument(name, type=int, required=True)
    args = parser.parse_args(argv)
    module, _, function = args.job.partition(":")
    job: JobFunction = getattr(importlib.import_module(module), function)
    told = Job(args.url, args.token, args.records, args.per_page, args.concurrency)
    with scratch_dir() as tmp:
        started = time.perf_counter()
        figures = job(told, tmp / args.output)
        elapsed = time.perf_counter() - started
        size = (tmp / args.output).stat().st_size
    print(json.dumps({**figures, "peak": peak_rss(), "elapsed": elapsed, "bytes": size}))
    return 0


if __name__ == "__main__":
    sys.exit(_child())
