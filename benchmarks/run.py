"""Run every benchmark and write ``benchmarks/RESULTS.md`` (``nox -s bench``).

Each benchmark starts its own fake server in a separate process, runs its comparisons side by
side (interleaved, at least 5 times), prints its figures and ratios as it goes, and returns
them for the report. ``--quick`` runs everything at a tiny size (the smoke tests do, in CI); it
writes no report unless ``--output`` is given.

    python -m benchmarks [--quick] [--output PATH] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks import (
    bench_export,
    bench_load,
    bench_load_memory,
    bench_load_rival,
    bench_load_scale,
    bench_memory,
    bench_scaling,
    bench_sync_overhead,
    bench_sync_tls,
    bench_typed,
)
from benchmarks._common import environment, met, table

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


Target = tuple[str, str, bool]
Section = tuple[list[str], list[Target]]


def _sync_overhead(quick: bool) -> Section:
    """Item 3 on plain loopback: ``bench_sync_overhead.py`` (another module's), run as is."""
    argv = ["--calls", "5", "--repeat", "1"] if quick else ["--calls", "1000", "--repeat", "5"]
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        status = bench_sync_overhead.main([*argv, "--markdown"])
    if status != 0:
        raise RuntimeError(f"bench_sync_overhead.py exited with {status}")
    text = captured.getvalue().strip()
    print(text)
    targets: list[Target] = []
    found = re.search(r"b/a = ([0-9.]+)", text)
    if found:
        value = float(found.group(1))
        targets.append(("3. plain: facade ÷ async per call ≤ 1.3", f"{value:.2f}", value <= 1.3))
    return ["## Sync facade overhead", "", text], targets


def _section(module: Any, quick: bool) -> Callable[[], Section]:
    def run() -> Section:
        full = getattr(module, "DEFAULT", None) or module.Size()  # a module's own full size
        result = module.run(module.QUICK if quick else full)
        print("\n".join(module.report(result)), flush=True)
        return module.markdown(result), module.targets(result)

    return run


def sections(quick: bool) -> dict[str, Callable[[], Section]]:
    """The benchmarks in report order, by name."""
    return {
        "export": _section(bench_export, quick),
        "typed": _section(bench_typed, quick),
        "sync": lambda: _sync_overhead(quick),
        "sync-tls": _section(bench_sync_tls, quick),
        "memory": _section(bench_memory, quick),
        "scaling": _section(bench_scaling, quick),
        "load": _section(bench_load, quick),
        "load-scale": _section(bench_load_scale, quick),
        "load-rival": _section(bench_load_rival, quick),
        "load-memory": _section(bench_load_memory, quick),
    }


def render(parts: dict[str, Section], elapsed: float, quick: bool) -> str:
    """The whole RESULTS.md."""
    targets = [target for _, section_targets in parts.values() for target in section_targets]
    lines = [
        "# Benchmark results",
        "",
        "Written by `nox -s bench` (`python -m benchmarks`); do not edit by hand. Every "
        "comparison runs in one go, its variants interleaved, against the fake Screendesk "
        "(`python -m screendesk_async.testing`) in a separate process, so the client's CPU "
        "time is its own: on 2 cores the fake gets one and the client the other. Figures are "
        "medians with the min–max of the runs; ratios are between medians of the same run. "
        "The machine is shared and noisy: compare ratios, not absolute figures across runs. "
        "How each benchmark works, and what the library's optimisation bought: "
        "[README.md](README.md).",
        "",
        *table(["", ""], environment(), align="ll"),
        f"| run | {'quick (smoke size)' if quick else 'full'}, {elapsed / 60:.1f} min |",
        "",
        "## Targets",
        "",
        *table(
            ["target", "measured", "verdict"],
            [[name, measured, met(ok)] for name, measured, ok in targets],
            align="lll",
        ),
        "",
        "Items 5 (scaling) and 6 (a load of 20,000 recordings, where dlt's cost per run "
        "dominates) have no target: their tables show where the time goes.",
        "",
    ]
    for body, _ in parts.values():
        lines += [*body, ""]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    available = sections(quick=False)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    parser.add_argument("--output", type=Path, help=f"where to write the report ({RESULTS})")
    parser.add_argument("--only", nargs="+", choices=list(available), help="run only these")
    args = parser.parse_args(argv)
    output = args.output or (None if args.quick else RESULTS)
    chosen = sections(args.quick)
    if args.only:
        chosen = {name: run for name, run in chosen.items() if name in args.only}
    started = time.perf_counter()
    parts: dict[str, Section] = {}
    for name, run in chosen.items():
        print(f"== {name}", flush=True)
        section_started = time.perf_counter()
        parts[name] = run()
        print(f"   ({time.perf_counter() - section_started:.0f} s)", flush=True)
    elapsed = time.perf_counter() - started
    if output is not None:
        output.write_text(render(parts, elapsed, args.quick), encoding="utf-8")
        print(f"wrote {output} in {elapsed / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
