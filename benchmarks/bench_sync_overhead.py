"""What the sync facade costs per call: sequential ``get()`` calls against the fake on loopback.

Three ways to make the same calls, against one fake server running in a separate process:

(a) ``AsyncScreendesk``: ``await sd.recordings.get(uuid)`` in one loop, one session;
(b) ``Screendesk``: ``sd.recordings.get(uuid)``, the sync facade (one loop thread, one session);
(c) naive: ``asyncio.run()`` per call, with a new ``AsyncScreendesk`` (and session) per call,
    the wrapper legacy code tends to write by hand.

Each variant runs ``--calls`` calls, ``--repeat`` times (the variants interleaved, in a rotating
order, after one warm-up call each); the median, fastest and slowest time per call are reported,
with the ratios b/a (the facade's overhead) and c/b (what the facade saves over the naive
wrapper).

    python benchmarks/bench_sync_overhead.py --calls 1000 --repeat 5 --markdown
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata

from benchmarks._fake import SEED, FakeProcess
from screendesk_async import AsyncScreendesk, Screendesk
from screendesk_async.testing import FakeScreendesk

RECORDINGS = 100


@dataclass
class Result:
    name: str
    per_call: list[float]  # seconds per call, one value per repeat

    @property
    def median(self) -> float:
        return statistics.median(self.per_call)


def time_async(url: str, token: str, uuid: str, calls: int) -> float:
    async def run() -> float:
        async with AsyncScreendesk(token, base_url=url) as sd:
            await sd.recordings.get(uuid)  # warm-up: session and connection
            started = time.perf_counter()
            for _ in range(calls):
                await sd.recordings.get(uuid)
            return time.perf_counter() - started

    return asyncio.run(run()) / calls


def time_sync(url: str, token: str, uuid: str, calls: int) -> float:
    with Screendesk(token, base_url=url) as sd:
        sd.recordings.get(uuid)  # warm-up: loop thread, session and connection
        started = time.perf_counter()
        for _ in range(calls):
            sd.recordings.get(uuid)
        return (time.perf_counter() - started) / calls


class NaiveSync:
    """The hand-rolled wrapper: a new event loop, client and session for every call."""

    def __init__(self, token: str, base_url: str) -> None:
        self._token, self._base_url = token, base_url

    def get(self, uuid: str) -> object:
        async def one() -> object:
            async with AsyncScreendesk(self._token, base_url=self._base_url) as sd:
                return await sd.recordings.get(uuid)

        return asyncio.run(one())


def time_naive(url: str, token: str, uuid: str, calls: int) -> float:
    client = NaiveSync(token, url)
    client.get(uuid)
    started = time.perf_counter()
    for _ in range(calls):
        client.get(uuid)
    return (time.perf_counter() - started) / calls


VARIANTS: dict[str, Callable[[str, str, str, int], float]] = {
    "(a) AsyncScreendesk": time_async,
    "(b) Screendesk (sync facade)": time_sync,
    "(c) naive asyncio.run() per call": time_naive,
}


def run(calls: int, repeat: int) -> list[Result]:
    fake = FakeScreendesk(recordings=RECORDINGS, seed=SEED)  # not started: tokens and data only
    token, uuid = fake.admin_token, fake.recordings_raw(last_page=1)[0]["uuid"]
    results = [Result(name, []) for name in VARIANTS]
    runs = list(zip(results, VARIANTS.values(), strict=True))
    with FakeProcess(recordings=RECORDINGS) as server:
        url = server.url
        for round_ in range(repeat):
            # A different variant goes first each round, so none always runs on a cold machine.
            shift = round_ % len(runs)
            for result, measure in runs[shift:] + runs[:shift]:
                result.per_call.append(measure(url, token, uuid, calls))
    return results


def _cpu_model() -> str:
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    return platform.processor() or "unknown"


def environment() -> str:
    versions = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("screendesk-async", "aiohttp")
    )
    return (
        f"{datetime.now(UTC):%Y-%m-%d}; {os.cpu_count()} CPUs ({_cpu_model()}); "
        f"{platform.python_implementation()} {platform.python_version()} on {platform.system()}; "
        f"{versions}"
    )


def report(results: list[Result], calls: int, repeat: int, *, markdown: bool) -> str:
    a, b, c = (result.median for result in results)
    lines = []
    if markdown:
        lines += [
            f"{calls:,} sequential `recordings.get()` calls against the fake server (a separate "
            f"process, loopback, no added latency), {repeat} runs each, interleaved. "
            "Run: `python benchmarks/bench_sync_overhead.py --calls "
            f"{calls} --repeat {repeat} --markdown`.",
            "",
            f"Machine: {environment()}.",
            "",
            "| variant | median µs/call | min-max µs/call |",
            "|---|---:|---:|",
        ]
        for result in results:
            low, high = min(result.per_call), max(result.per_call)
            lines.append(
                f"| {result.name} | {result.median * 1e6:.0f} | {low * 1e6:.0f}-{high * 1e6:.0f} |"
            )
        lines += [
            "",
            f"- **b/a = {b / a:.2f}** (target ≤ 1.3): the facade's cost over awaiting directly.",
            f"- **c/b = {c / b:.1f}** (target ≥ 2): the naive wrapper's cost over the facade.",
        ]
    else:
        lines.append(f"{calls} calls x {repeat} runs; {environment()}")
        for result in results:
            low, high = min(result.per_call), max(result.per_call)
            lines.append(
                f"{result.name:34} median {result.median * 1e6:8.0f} us/call "
                f"(min {low * 1e6:.0f}, max {high * 1e6:.0f})"
            )
        lines.append(f"b/a = {b / a:.2f} (target <= 1.3); c/b = {c / b:.1f} (target >= 2)")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Sync facade overhead per get() call.")
    parser.add_argument("--calls", type=int, default=1000, help="calls per run (default 1000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each variant (default 5)")
    parser.add_argument("--markdown", action="store_true", help="print a RESULTS.md section")
    args = parser.parse_args(argv)
    if args.calls < 1 or args.repeat < 1:
        parser.error("--calls and --repeat must be >= 1")
    results = run(args.calls, args.repeat)
    print(report(results, args.calls, args.repeat, markdown=args.markdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
