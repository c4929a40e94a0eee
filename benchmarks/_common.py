"""What every benchmark shares: the fake server in a child process, timing, stats, environment.

The fake always runs in a separate process (``python -m screendesk_async.testing``), so the
client's CPU time is its own: on a 2-core machine the server gets one core and the client the
other. Timings are wall-clock seconds from ``time.perf_counter``; every comparison runs its
variants interleaved (a, b, c, a, b, c, ...) after one warm-up each, so a noisy neighbour slows
all of them alike, and ratios are taken between medians of the same run.
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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

from screendesk_async.testing import FakeScreendesk

#: Seed of every fake server (and so of every token and record).
SEED = 7
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


class FakeProcess:
    """A fake Screendesk served by ``python -m screendesk_async.testing`` in a child process."""

    def __init__(
        self,
        *,
        recordings: int,
        page_size: int,
        latency: float = 0.0,
        workers: int = 1,
        tls: tuple[Path, Path] | None = None,
        seed: int = SEED,
    ) -> None:
        self.token = FakeScreendesk(seed=seed).admin_token  # not started: the token only
        self.args = [
            sys.executable,
            "-m",
            "screendesk_async.testing",
            "--port",
            "0",
            "--recordings",
            str(recordings),
            "--page-size",
            str(page_size),
            "--latency",
            str(latency),
            "--seed",
            str(seed),
            "--workers",
            str(workers),
        ]
        if tls is not None:
            self.args += ["--tls-cert", str(tls[0]), "--tls-key", str(tls[1])]
        self._process: subprocess.Popen[str] | None = None
        self.url = ""

    def __enter__(self) -> FakeProcess:
        process = subprocess.Popen(self.args, stdout=subprocess.PIPE, text=True)
        self._process = process
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith("READY "):
            self.__exit__()
            raise RuntimeError(f"the fake server did not start: {line!r}")
        self.url = line.removeprefix("READY ")
        return self

    def __exit__(self, *exc: object) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:  # pragma: no cover - a wedged server
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server process and its workers have used so far."""
        if self._process is None:
            return 0.0
        return sum(_cpu_of(pid) for pid in _tree(self._process.pid))


def _tree(pid: int) -> list[int]:
    pids = [pid]
    with contextlib.suppress(OSError):
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        for child in children:
            pids.extend(_tree(int(child)))
    return pids


def _cpu_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    # utime and stime are fields 14 and 15 of /proc/PID/stat (12 and 13 after the name).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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


def _git_revision() -> str:
    root = Path(__file__).resolve().parent.parent
    try:
        revision = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
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
