"""8. ``screendesk load`` vs dlt's own ``rest_api`` source configured for Screendesk.

The same account (``pages`` × ``per_page`` recordings, ``latency`` per request, the fake in a
separate process), each a fresh process into a new DuckDB file, interleaved:

(a) ``screendesk load recordings`` (concurrency 16);
(b) dlt's ``rest_api`` source: ``page_number`` paginator, bearer token, merged on ``uuid``
    (``benchmarks/rest_api_rival.py``), what a data engineer writes instead.

Target: b/a >= 10.

    python -m benchmarks.bench_load_rival [--quick] [--repeat N]
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from benchmarks._common import interleaved, standalone
from benchmarks._fake import Listing, account
from benchmarks._processes import rest_api_command, timed
from benchmarks.bench_load_scale import Result, load_once, printed, section

DEFAULT = Listing(pages=200, repeat=3)
QUICK = Listing(pages=2, per_page=10, latency=0.002, repeat=1)
A, B = "(a) `screendesk load recordings`", "(b) dlt `rest_api` source"
TARGET = 10.0


def run(size: Listing) -> Result:
    records = size.records
    with account(size) as (fake, fresh):

        def rival() -> float:
            root = fresh()
            command = rest_api_command(fake.url, fake.token, root / "w.duckdb", root / "p")
            elapsed, out = timed(command, root)
            if int(out.strip()) != records:
                raise AssertionError(f"rest_api loaded {out.strip()} recordings, not {records}")
            return elapsed

        # The rival's warm-up would cost as much as its runs: the fake is warm after (a)'s.
        ours = {A: lambda: load_once(fake, size, fresh()), B: rival}
        wall = interleaved(ours, size.repeat, skip_warmup=[B])
    return Result(size, wall, records)


def targets(result: Result) -> list[tuple[str, str, bool]]:
    """``(target, measured, met)`` rows for the summary."""
    ratio = result.b_over_a
    return [("8. load: rest_api (b) ≥ 10 × ours (a)", f"{ratio:.1f} ×", ratio >= TARGET)]


def report(result: Result) -> list[str]:
    s = result.size
    header = (
        f"load vs rest_api: {result.records:,} recordings, {s.latency * 1000:.0f} ms latency, "
        f"{s.repeat} runs"
    )
    return printed(result, header, f">= {TARGET:.0f}", result.b_over_a >= TARGET)


def markdown(result: Result) -> list[str]:
    s = result.size
    ratio = result.b_over_a
    intro = (
        f"{s.pages} pages × {s.per_page} recordings ({result.records:,} records), "
        f"{s.latency * 1000:.0f} ms latency per request; each a fresh process into a new DuckDB "
        f"file, {s.repeat} runs of each, interleaved. (b) is dlt's generic REST source "
        "configured for Screendesk (`benchmarks/rest_api_rival.py`: `page_number` paginator, "
        "merge on `uuid`): it reads one page at a time and normalizes dicts in Python, nested "
        "lists into child tables (it keeps `tags` as `recordings__tags`)."
    )
    verdict = (f"(b) ≥ {TARGET:.0f} × (a)", f"b/a = {ratio:.1f}", ratio >= TARGET)
    return section(result, "## 8. `screendesk load` vs dlt's `rest_api` source", intro, verdict)


def main(argv: Sequence[str] | None = None) -> int:
    return standalone(__doc__, argv, (QUICK, DEFAULT), run, report)


if __name__ == "__main__":
    sys.exit(main())
