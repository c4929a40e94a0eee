"""What every benchmark shares: timing, stats, the command line, tables, the environment.

Timings are wall-clock seconds from ``time.perf_counter``; every comparison runs its variants
interleaved (a, b, c, a, b, c, ...) after one warm-up each, so a noisy neighbour slows all of
them alike, and ratios are taken between medians of the same run. The fake server in its child
process, and the account a benchmark reads from it, are ``_fake.py``'s.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import gc
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

#: Library versions reported with the results.
PACKAGES = (
    "screendesk-async",
    "aiohttp",
    "attrs",
    "cattrs",
    "orjson",
    "pydantic",
    "pydantic-core",
    "msgspec",
    "requests",
    "trustme",
    "dlt",
    "duckdb",
    "pyarrow",
)


@dataclass
class Samples:
    """Repeated measurements of one variant (seconds, bytes, records/s: whatever was measured)."""

    name: str
    values: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    def spread(self, scale: float = 1.0, digits: int = 2) -> str:
        """``min–max`` scaled, e.g. ``0.41–0.47``."""
        return f"{self.low * scale:.{digits}f}–{self.high * scale:.{digits}f}"

    def seconds(self, digits: int = 3) -> str:
        """Printed times: ``median   0.449 s  (min 0.383, max 0.535)``."""
        d = digits
        return f"median {self.median:7.{d}f} s  (min {self.low:.{d}f}, max {self.high:.{d}f})"


def timing_lines(wall: dict[str, Samples], records: int, digits: int = 3) -> list[str]:
    """One printed line per variant of a listing of ``records``: its times and records/s."""
    return [
        f"  {name:40} {samples.seconds(digits)}; {records / samples.median:,.0f} records/s"
        for name, samples in wall.items()
    ]


def timing_table(wall: dict[str, Samples], records: int, digits: int = 3) -> list[str]:
    """The markdown table of the variants of a listing of ``records``: times and records/s."""
    rows = [
        [name, f"{v.median:.{digits}f}", v.spread(digits=digits), f"{records / v.median:,.0f}"]
        for name, v in wall.items()
    ]
    return table(["variant", "median s", "min–max s", "records/s"], rows, align="l")


def interleaved(
    variants: dict[str, Callable[[], float]],
    repeat: int,
    *,
    warmup: bool = True,
    skip_warmup: Sequence[str] = (),
    repeats: dict[str, int] | None = None,
) -> dict[str, Samples]:
    """Run every variant ``repeat`` times, interleaved, after one untimed warm-up each.

    ``skip_warmup`` names variants that need none (slow ones, once the server is warm);
    ``repeats`` gives some variants more runs (fast ones, whose medians need them more).
    """
    counts = {name: max(repeat, (repeats or {}).get(name, repeat)) for name in variants}
    samples = {name: Samples(name) for name in variants}
    if warmup:
        for name, measure in variants.items():
            if name not in skip_warmup:
                measure()
    for round_number in range(max(counts.values(), default=0)):
        for name, measure in variants.items():
            if round_number < counts[name]:
                gc.collect()  # no variant pays for the garbage of the one before
                samples[name].values.append(measure())
    return samples


def ratio_line(label: str, value: float, target: str, met: bool) -> str:
    """One printed line: ``label = value (target ...): met``."""
    return f"{label} = {value:.2f} (target {target}): {'met' if met else 'NOT met'}"


@contextlib.contextmanager
def scratch_dir() -> Iterator[Path]:
    """A temporary directory for outputs, removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix="screendesk-bench-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def gc_timer() -> Iterator[list[float]]:
    """Collect the time spent in garbage collection: yields ``[seconds, collections]``."""
    totals = [0.0, 0.0]
    started = [0.0]

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            totals[0] += time.perf_counter() - started[0]
            totals[1] += 1

    gc.callbacks.append(callback)
    try:
        yield totals
    finally:
        gc.callbacks.remove(callback)


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    return platform.processor() or "unknown"


def _memory() -> str:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    return "unknown"


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _git(*args: str) -> str:
    root = Path(__file__).resolve().parent.parent
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()


def _git_revision() -> str:
    try:
        revision = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return revision + (" (with uncommitted changes)" if dirty else "")


def environment() -> list[tuple[str, str]]:
    """What the figures were measured on, as ``(label, value)`` rows."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        ("date", f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"),
        ("machine", f"{cores} cores ({_cpu_model()}), {_memory()} RAM, {platform.platform()}"),
        (
            "Python",
            f"{platform.python_implementation()} {platform.python_version()} ({sys.executable})",
        ),
        ("libraries", ", ".join(f"{name} {_version(name)}" for name in PACKAGES)),
        ("commit", _git_revision()),
    ]


def table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> list[str]:
    """A markdown table; ``align`` has one character per column, ``l`` or ``r`` (default r)."""
    marks = [":---" if (align[i : i + 1] or "r") == "l" else "---:" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(marks) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


SizeT = TypeVar("SizeT", bound="DataclassInstance")
ResultT = TypeVar("ResultT")


def size_parser(doc: str, repeat_help: str = "runs of each variant") -> argparse.ArgumentParser:
    """A benchmark's own command line: ``--quick`` (the smoke size) and ``--repeat N``."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny size (smoke test)")
    parser.add_argument("--repeat", type=int, help=repeat_help)
    return parser


def chosen_size(
    args: argparse.Namespace, quick: SizeT, default: SizeT, repeats: Sequence[str] = ("repeat",)
) -> SizeT:
    """``quick`` or ``default`` as the command line asks, ``--repeat`` setting ``repeats``."""
    size = quick if args.quick else default
    if args.repeat:
        size = dataclasses.replace(size, **dict.fromkeys(repeats, args.repeat))
    return size


def standalone(
    doc: str,
    argv: Sequence[str] | None,
    sizes: tuple[SizeT, SizeT],
    run: Callable[[SizeT], ResultT],
    report: Callable[[ResultT], list[str]],
    *,
    repeat_help: str = "runs of each variant",
    repeats: Sequence[str] = ("repeat",),
) -> int:
    """A benchmark run on its own (``python -m benchmarks.bench_x [--quick] [--repeat N]``).

    ``sizes`` is ``(quick, default)``; the report is printed.
    """
    args = size_parser(doc, repeat_help).parse_args(argv)
    print("\n".join(report(run(chosen_size(args, *sizes, repeats)))))
    return 0


def met(ok: bool) -> str:
    """The verdict cell of a target row."""
    return "**met**" if ok else "**not met**"


def verdicts(rows: Iterable[tuple[str, str, bool]]) -> list[str]:
    """The markdown table of ``(target, measured, met)`` rows, each with its verdict."""
    cells = [[target, measured, met(ok)] for target, measured, ok in rows]
    return table(["target", "measured", "verdict"], cells, align="lll")
