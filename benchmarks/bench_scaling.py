"""5. Scaling: export time at concurrency 1, 2, 4, ..., 32 with 20 ms latency, against the ideal.

The library's ``export()`` (JSONL) of pages × per_page recordings from the fake (a separate
process) with ``latency`` per request. The ideal is ``pages × latency / concurrency``: pure
waiting, no client work. Next to each time: the client's CPU time and how busy that kept its
core (CPU / wall), and where the CPU went — decoding the JSON bodies (``orjson.loads``, with
the GC it triggers), writing the records (``orjson.dumps`` and the file), garbage collection
overall, and the rest (HTTP, asyncio, pagination, checkpoints). The decode and write times are
measured by wrapping the library's own functions for the run.

    python -m benchmarks.bench_scaling [--quick] [--repeat N]
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from benchmarks._common import Samples, gc_timer, interleaved, standalone, table
from benchmarks._fake import Listing, account
from benchmarks.bench_export import library_export
from screendesk_async import _transport
from screendesk_async.export import _sinks


@dataclass(frozen=True)
class Size(Listing):
    """The account; ``levels`` are the concurrencies measured (``concurrency``: the warm-up's)."""

    levels: tuple[int, ...] = (1, 2, 4, 8, 16, 32)


QUICK = Size(pages=4, per_page=10, latency=0.002, levels=(1, 4), repeat=1)


@dataclass
class Level:
    concurrency: int
    ideal: float
    wall: Samples
    cpu: list[float] = field(default_factory=list)
    decode: list[float] = field(default_factory=list)
    write: list[float] = field(default_factory=list)
    gc: list[float] = field(default_factory=list)

    def median_of(self, values: list[float]) -> float:
        ordered = sorted(values)
        return ordered[len(ordered) // 2]


@contextlib.contextmanager
def _timing(owner: Any, name: str, total: list[float]) -> Iterator[None]:
    """Add the time spent in ``owner.name`` to ``total[0]`` while inside."""
    original = getattr(owner, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            total[0] += time.perf_counter() - started

    setattr(owner, name, timed)
    try:
        yield
    finally:
        setattr(owner, name, original)


def run(size: Size) -> tuple[Size, list[Level]]:
    levels = {c: Level(c, size.pages * size.latency / c, Samples(str(c))) for c in size.levels}
    with account(size) as (fake, fresh):
        url, token = fake.url, fake.token
        output = fresh() / "out.jsonl"
        # Untimed: fills the fake's page cache, so that no level pays for it.
        asyncio.run(library_export(url, token, output, size.concurrency))

        def measure(level: Level) -> Callable[[], float]:
            def once() -> float:
                decode, write = [0.0], [0.0]
                with (
                    _timing(_transport, "decode_body", decode),
                    _timing(_sinks.Sink, "write", write),  # on the writer thread
                    gc_timer() as collected,
                ):
                    cpu = time.process_time()
                    started = time.perf_counter()
                    asyncio.run(library_export(url, token, output, level.concurrency))
                    elapsed = time.perf_counter() - started
                    level.cpu.append(time.process_time() - cpu)
                level.decode.append(decode[0])
                level.write.append(write[0])
                level.gc.append(collected[0])
                return elapsed

            return once

        samples = interleaved(
            {str(c): measure(level) for c, level in levels.items()}, size.repeat, warmup=False
        )
    for c, level in levels.items():
        level.wall = samples[str(c)]
    return size, list(levels.values())


def _verdict(size: Size, levels: list[Level]) -> str:
    """Where the client stops scaling, and why, from the figures."""
    first = levels[0]
    overhead = (first.wall.median - first.ideal) / size.pages * first.concurrency
    text = (
        f"At concurrency {first.concurrency} each request takes {overhead * 1000:.1f} ms "
        f"more than the {size.latency * 1000:.0f} ms latency (the fake handling it, sending "
        f"{size.per_page} records, the client decoding and writing them); that overhead is "
        "what keeps the low levels under the ideal. "
    )
    busy = [level for level in levels if level.median_of(level.cpu) / level.wall.median >= 0.8]
    if not busy:
        return text + "The client's core never saturates: the time is the latency."
    level = busy[0]
    cpu = level.median_of(level.cpu)
    decode, write = level.median_of(level.decode), level.median_of(level.write)
    collected = level.median_of(level.gc)
    rest = max(0.0, cpu - decode - write)
    return text + (
        f"From concurrency {level.concurrency} on the client stops scaling: its core is busy "
        f"{cpu / level.wall.median:.0%} of the wall time ({cpu:.2f} s of CPU for "
        f"{level.wall.median:.2f} s), so more requests in flight cannot help: the time is the "
        f"client's CPU, not the latency. Of that CPU, decoding the {size.pages} JSON bodies "
        f"takes {decode:.2f} s, writing the JSONL {write:.2f} s, and HTTP/asyncio/pagination/"
        f"checkpoints the other {rest:.2f} s; garbage collection, counted inside those, takes "
        f"{collected:.2f} s. The fake (its own process, the other core) is not the limit: it "
        "serves cached pages and waits out the latency."
    )


def targets(result: tuple[Size, list[Level]]) -> list[tuple[str, str, bool]]:
    """No target: a table to read (the summary says so)."""
    return []


def report(result: tuple[Size, list[Level]]) -> list[str]:
    size, levels = result
    lines = [
        f"scaling: {size.pages} pages x {size.per_page} recordings, "
        f"{size.latency * 1000:.0f} ms latency, {size.repeat} runs"
    ]
    for level in levels:
        lines.append(
            f"  c={level.concurrency:3}  ideal {level.ideal:6.3f} s  median "
            f"{level.wall.median:6.3f} s  efficiency {level.ideal / level.wall.median:4.0%}  "
            f"client CPU {level.median_of(level.cpu):.3f} s"
        )
    lines.append("  " + _verdict(size, levels))
    return lines


def markdown(result: tuple[Size, list[Level]]) -> list[str]:
    size, levels = result
    rows = []
    for level in levels:
        cpu = level.median_of(level.cpu)
        rows.append(
            [
                str(level.concurrency),
                f"{level.ideal:.3f}",
                f"{level.wall.median:.3f}",
                level.wall.spread(digits=3),
                f"{level.ideal / level.wall.median:.0%}",
                f"{cpu:.3f}",
                f"{cpu / level.wall.median:.0%}",
                f"{level.median_of(level.decode):.3f}",
                f"{level.median_of(level.write):.3f}",
                f"{level.median_of(level.gc):.3f}",
            ]
        )
    return [
        "## 5. Scaling with concurrency",
        "",
        f"The library's `export()` of {size.pages} pages × {size.per_page} recordings, "
        f"{size.latency * 1000:.0f} ms latency per request; {size.repeat} runs per level, "
        "interleaved. Ideal = pages × latency / concurrency. CPU columns are medians of the "
        "client process (decode = the bodies' decoding, msgspec keeping each record's bytes; "
        "write = the file writes, on the export's writer thread; GC time is inside those and "
        "the rest).",
        "",
        *table(
            [
                "concurrency",
                "ideal s",
                "median s",
                "min–max s",
                "ideal / median",
                "client CPU s",
                "CPU / wall",
                "decode s",
                "write s",
                "GC s",
            ],
            rows,
        ),
        "",
        _verdict(size, levels),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    return standalone(__doc__, argv, (QUICK, Size()), run, report, repeat_help="runs of each level")


if __name__ == "__main__":
    sys.exit(main())
