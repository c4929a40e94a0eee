"""The fake Screendesk in a child process, and the account of recordings a benchmark reads.

The fake always runs in a separate process (``python -m screendesk_async.testing``), so the
client's CPU time is its own: on a 2-core machine the server gets one core and the client the
other. ``Listing`` is the size most benchmarks share (an account of ``pages`` × ``per_page``
recordings, ``latency`` per request, read at ``concurrency``); ``account`` serves one and hands
out a new directory for each run's output.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from benchmarks._common import scratch_dir
from screendesk_async.testing import FakeScreendesk

#: Seed of every fake server (and so of every token and record).
SEED = 7


class FakeProcess:
    """A fake Screendesk served by ``python -m screendesk_async.testing`` in a child process.

    ``page_size`` None: the fake's own default.
    """

    def __init__(
        self,
        *,
        recordings: int,
        page_size: int | None = None,
        latency: float = 0.0,
        workers: int = 1,
        tls: tuple[Path, Path] | None = None,
        seed: int = SEED,
    ) -> None:
        self.token = FakeScreendesk(seed=seed).admin_token  # not started: the token only
        self.args = [sys.executable, "-m", "screendesk_async.testing", "--port", "0"]
        self.args += ["--recordings", str(recordings), "--latency", str(latency)]
        self.args += ["--seed", str(seed), "--workers", str(workers)]
        if page_size is not None:
            self.args += ["--page-size", str(page_size)]
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


@dataclass(frozen=True)
class Listing:
    """An account of ``pages`` × ``per_page`` recordings, ``latency`` seconds per request.

    Read at ``concurrency`` requests in flight, ``repeat`` runs of each variant.
    """

    pages: int = 200
    per_page: int = 100
    latency: float = 0.020
    concurrency: int = 16
    repeat: int = 5

    @property
    def records(self) -> int:
        """How many recordings the account holds."""
        return self.pages * self.per_page


@contextlib.contextmanager
def account(size: Listing) -> Iterator[tuple[FakeProcess, Callable[[], Path]]]:
    """The fake of ``size`` in its process, and a maker of a new directory for each run."""
    with (
        FakeProcess(recordings=size.records, page_size=size.per_page, latency=size.latency) as fake,
        scratch_dir() as tmp,
    ):
        made = itertools.count(1)

        def fresh() -> Path:
            path = tmp / f"run-{next(made)}"
            path.mkdir()
            return path

        yield fake, fresh


def exported(output: Path, records: int) -> None:
    """Check that the JSONL file ``output`` holds ``records`` records, then remove it."""
    lines = output.read_bytes().count(b"\n")
    output.unlink()
    if lines != records:
        raise AssertionError(f"the export wrote {lines} records, not {records}")
