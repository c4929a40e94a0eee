"""1. Export throughput: the library's export against the practical limit and a legacy loop.

The fake serves ``pages`` pages of ``per_page`` recordings (about 2 KB of realistic JSON each)
with ``latency`` seconds added to every request, in a separate process. Each variant writes the
same JSONL (one server object per line, in page order):

(a) ``screendesk_async.export.export()`` (what ``screendesk export recordings --format jsonl``
    runs), concurrency 16, with its checkpoints and fsyncs;
(a') the ``screendesk export`` command itself, in a fresh process (start-up and imports
    included; shown, not a target);
(b) hand-written aiohttp + orjson, 16 requests in flight, no checkpoints (the practical limit);
(c) a sequential ``requests.Session`` loop with ``json`` (what a legacy script does);
(d) ``benchmarks/handwritten_export.py``, the ~20-line aiohttp + orjson script a user would
    write instead of the command (gathers every page, writes JSONL), also in a fresh process.

Targets: a/b <= 1.25, c/a >= 6, and the command no slower than the script it replaces:
a'/d <= 1.0 (medians of >= 5 interleaved pairs of processes, same server).

    python -m benchmarks.bench_export [--quick] [--repeat N]
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import requests

from benchmarks import _processes
from benchmarks._common import Samples, interleaved, ratio_line, standalone, table, verdicts
from benchmarks._fake import Listing, account
from screendesk_async import AsyncScreendesk
from screendesk_async.export import export


@dataclass(frozen=True)
class Size(Listing):
    """The account, plus more runs of (a) and (b), and whether the processes (a'), (d) run."""

    repeat_ab: int = 15  # (a) and (b): 0.5 s each, and their ratio is the tight target
    cli: bool = True


QUICK = Size(pages=4, per_page=10, latency=0.002, repeat=1, repeat_ab=1, cli=False)

A, A_CLI, B, C, D = (
    "(a) library `export()`",
    "(a') `screendesk export` command",
    "(b) hand-written aiohttp + orjson",
    "(c) sequential `requests.Session`",
    "(d) hand-written script, as a process",
)
HANDWRITTEN = Path(__file__).resolve().parent / "handwritten_export.py"
#: The command against the script a user would write instead (process against process).
CLI_TARGET = 1.0


async def library_export(url: str, token: str, output: Path, concurrency: int) -> None:
    """(a) The library's export function, as the CLI calls it."""
    async with AsyncScreendesk(token, base_url=url, max_concurrency=concurrency) as sd:
        await export(sd, "recordings", output, fmt="jsonl", concurrency=concurrency, force=True)


async def handwritten_export(url: str, token: str, output: Path, concurrency: int) -> None:
    """(b) What an expert writes by hand: a sliding window of 16 requests, written in order.

    (Creating every page's task up front, with the connector limiting the connections to 16,
    measured slower: 199 waiters on the pool and more pages decoded ahead of the writer.)
    """
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def fetch(page: int) -> Any:
            async with session.get(f"{url}/api/v2/recordings?page={page}") as reply:
                reply.raise_for_status()
                return orjson.loads(await reply.read())

        first = await fetch(1)
        pages = iter(range(2, first["pagination"]["pages"] + 1))
        window = deque(asyncio.ensure_future(fetch(page)) for page in islice(pages, concurrency))
        with output.open("wb") as stream:
            stream.write(b"\n".join(map(orjson.dumps, first["records"])) + b"\n")
            while window:
                data = await window.popleft()
                window.extend(asyncio.ensure_future(fetch(page)) for page in islice(pages, 1))
                stream.write(b"\n".join(map(orjson.dumps, data["records"])) + b"\n")


def requests_export(url: str, token: str, output: Path) -> None:
    """(c) The legacy script: one page after the other, ``json`` in and out."""
    with requests.Session() as session, output.open("w", encoding="utf-8") as stream:
        session.headers["Authorization"] = f"Bearer {token}"
        page = 1
        while True:
            reply = session.get(f"{url}/api/v2/recordings", params={"page": page}, timeout=30)
            reply.raise_for_status()
            data = reply.json()
            for record in data["records"]:
                stream.write(json.dumps(record) + "\n")
            if not data["pagination"].get("next_page"):
                break
            page += 1


def cli_export(url: str, token: str, output: Path, concurrency: int) -> None:
    """(a') The ``screendesk`` command in a new process."""
    env = {**os.environ, "SCREENDESK_API_TOKEN": token, "SCREENDESK_BASE_URL": url}
    command = [sys.executable, "-m", "screendesk_async", "export", "recordings"]
    command += ["--output", str(output), "--format", "jsonl"]
    command += ["--concurrency", str(concurrency), "--force"]
    _processes.run(command, env)


def script_export(url: str, token: str, output: Path, concurrency: int) -> None:
    """(d) The hand-written script in a new process."""
    command = [sys.executable, str(HANDWRITTEN), url, token, str(output), str(concurrency)]
    _processes.run(command, secrets=[token])


@dataclass
class Result:
    size: Size
    wall: dict[str, Samples]
    cpu: dict[str, Samples]
    server_cpu: dict[str, Samples]
    megabytes: float
    records: int

    @property
    def a_over_b(self) -> float:
        return self.wall[A].median / self.wall[B].median

    @property
    def c_over_a(self) -> float:
        return self.wall[C].median / self.wall[A].median

    @property
    def cli_over_script(self) -> float | None:
        if A_CLI not in self.wall or D not in self.wall:
            return None
        return self.wall[A_CLI].median / self.wall[D].median

    @property
    def ideal(self) -> float:
        return self.size.pages * self.size.latency / self.size.concurrency


def run(size: Size) -> Result:
    wall: dict[str, Samples] = {}
    cpu: dict[str, Samples] = {}
    server_cpu: dict[str, Samples] = {}
    outputs: dict[str, Path] = {}
    recordings = size.records
    with account(size) as (fake, fresh):
        url, token, conc = fake.url, fake.token, size.concurrency
        actions: dict[str, Callable[[Path], None]] = {
            A: lambda out: asyncio.run(library_export(url, token, out, conc)),
            B: lambda out: asyncio.run(handwritten_export(url, token, out, conc)),
            C: lambda out: requests_export(url, token, out),
        }
        if size.cli:
            actions[A_CLI] = lambda out: cli_export(url, token, out, conc)
            actions[D] = lambda out: script_export(url, token, out, conc)

        def timed(name: str, action: Callable[[Path], None]) -> Callable[[], float]:
            def measure() -> float:
                output = fresh() / "out.jsonl"
                server_before = fake.cpu_seconds()
                cpu_before = time.process_time()
                started = time.perf_counter()
                action(output)
                elapsed = time.perf_counter() - started
                cpu.setdefault(name, Samples(name)).values.append(time.process_time() - cpu_before)
                server = fake.cpu_seconds() - server_before
                server_cpu.setdefault(name, Samples(name)).values.append(server)
                previous = outputs.get(name)
                if previous is not None:
                    previous.unlink()
                outputs[name] = output
                return elapsed

            return measure

        # (c) needs no warm-up: (a)'s has filled the fake's page cache, and it takes 6 s.
        wall = interleaved(
            {name: timed(name, act) for name, act in actions.items()},
            size.repeat,
            skip_warmup=[C],
            repeats={A: size.repeat_ab, B: size.repeat_ab},
        )
        # Every variant wrote the same records; (a), (a') and (b) even the same bytes.
        reference = outputs[B].read_bytes()
        for name in (A, A_CLI, D):
            if name in outputs and outputs[name].read_bytes() != reference:
                raise AssertionError(f"{name} wrote a different file than (b)")
        legacy = [json.loads(line) for line in outputs[C].read_text("utf-8").splitlines()]
        if legacy != [orjson.loads(line) for line in reference.splitlines()]:
            raise AssertionError("(c) wrote different records than (b)")
        if len(legacy) != recordings:
            raise AssertionError(f"expected {recordings} records, got {len(legacy)}")
    for samples in (cpu, server_cpu):  # drop the warm-up run's figures
        for name, series in samples.items():
            if name != C:
                del series.values[0]
    return Result(size, wall, cpu, server_cpu, len(reference) / 1e6, recordings)


def targets(result: Result) -> list[tuple[str, str, bool]]:
    """``(target, measured, met)`` rows for the summary."""
    rows = [
        ("1. export: (a) ≤ 1.25 × (b)", f"{result.a_over_b:.2f} ×", result.a_over_b <= 1.25),
        ("1. export: (c) ≥ 6 × (a)", f"{result.c_over_a:.1f} ×", result.c_over_a >= 6),
    ]
    ratio = result.cli_over_script
    if ratio is not None:
        rows.append(
            ("1. export: command (a') ≤ 1.0 × script (d)", f"{ratio:.2f} ×", ratio <= CLI_TARGET)
        )
    return rows


def report(result: Result) -> list[str]:
    """Printed ratios."""
    s = result.size
    lines = [
        f"export: {s.pages} pages x {s.per_page} recordings ({result.megabytes:.1f} MB JSONL), "
        f"{s.latency * 1000:.0f} ms latency, concurrency {s.concurrency}, "
        f"{s.repeat_ab}/{s.repeat} runs"
    ]
    for name, samples in result.wall.items():
        lines.append(f"  {name:40} {samples.seconds()}; client CPU {result.cpu[name].median:.3f} s")
    lines.append("  " + ratio_line("a/b", result.a_over_b, "<= 1.25", result.a_over_b <= 1.25))
    lines.append("  " + ratio_line("c/a", result.c_over_a, ">= 6", result.c_over_a >= 6))
    ratio = result.cli_over_script
    if ratio is not None:
        lines.append("  " + ratio_line("a'/d", ratio, "<= 1.0", ratio <= CLI_TARGET))
    return lines


def markdown(result: Result) -> list[str]:
    s = result.size
    lines = [
        "## 1. Export throughput",
        "",
        f"{s.pages} pages × {s.per_page} recordings ({result.records:,} records, "
        f"{result.megabytes:.1f} MB of JSONL, {result.megabytes * 1e3 / result.records:.2f} KB "
        f"per record), {s.latency * 1000:.0f} ms latency per request, concurrency "
        f"{s.concurrency}; {s.repeat_ab} runs of (a) and (b), {s.repeat} of the others, "
        "interleaved, after a warm-up (but (c)). "
        f"Ideal (pages × latency / concurrency): {result.ideal:.2f} s. Client CPU is this "
        "process's user+system time; server CPU is the fake's (a separate process).",
        "",
    ]
    rows = []
    for name, samples in result.wall.items():
        child = name in (A_CLI, D)
        cpu = result.cpu[name].median if not child else float("nan")
        rows.append(
            [
                name,
                f"{samples.median:.3f}",
                samples.spread(digits=3),
                f"{result.records / samples.median:,.0f}",
                f"{result.megabytes / samples.median:.0f}",
                "(child process)" if child else f"{cpu:.3f}",
                f"{result.server_cpu[name].median:.3f}",
            ]
        )
    lines += table(
        [
            "variant",
            "median s",
            "min–max s",
            "records/s",
            "MB/s",
            "client CPU s",
            "server CPU s",
        ],
        rows,
        align="l",
    )
    lines += [
        "",
        *verdicts(
            [
                ("(a) ≤ 1.25 × (b)", f"a/b = {result.a_over_b:.2f}", result.a_over_b <= 1.25),
                ("(c) / (a) ≥ 6", f"c/a = {result.c_over_a:.1f}", result.c_over_a >= 6),
                *(
                    [("(a') ≤ 1.0 × (d)", f"a'/d = {ratio:.2f}", ratio <= CLI_TARGET)]
                    if (ratio := result.cli_over_script) is not None
                    else []
                ),
            ]
        ),
    ]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    return standalone(__doc__, argv, (QUICK, Size()), run, report)


if __name__ == "__main__":
    sys.exit(main())
