"""Every benchmark runs at a tiny size and produces figures (not the targets): they cannot rot.

The real runs are ``nox -s bench``; these take a few seconds each.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from benchmarks import (
    bench_export,
    bench_memory,
    bench_scaling,
    bench_sync_tls,
    bench_typed,
    run,
)
from benchmarks._common import Samples


def _numbers(samples: dict[str, Samples]) -> None:
    assert samples
    for series in samples.values():
        assert series.values
        assert all(math.isfinite(value) and value > 0 for value in series.values)


def _rendered(lines: list[str], *needles: str) -> str:
    text = "\n".join(lines)
    for needle in needles:
        assert needle in text
    return text


def test_export_benchmark() -> None:
    result = bench_export.run(bench_export.QUICK)
    _numbers(result.wall)
    assert set(result.wall) == {bench_export.A, bench_export.B, bench_export.C}
    assert result.a_over_b > 0
    assert result.c_over_a > 0
    _rendered(bench_export.markdown(result), "## 1. Export throughput", "a/b = ", "c/a = ")
    assert len(bench_export.targets(result)) == 2
    assert "a/b = " in "\n".join(bench_export.report(result))


def test_typed_benchmark() -> None:
    result = bench_typed.run(bench_typed.QUICK)
    _numbers(result.end_to_end)
    _numbers(result.structuring)
    assert result.records == bench_typed.QUICK.structure_pages * bench_typed.QUICK.per_page
    _rendered(bench_typed.markdown(result), "## 2. Typed iteration", "msgspec", "pydantic")
    assert len(bench_typed.targets(result)) == 2
    assert "ours/msgspec" in "\n".join(bench_typed.report(result))


def test_sync_tls_benchmark() -> None:
    result = bench_sync_tls.run(bench_sync_tls.QUICK)
    _numbers(result.plain)
    _numbers(result.tls)
    assert set(result.tls) == set(bench_sync_tls.VARIANTS)
    _rendered(bench_sync_tls.markdown(result), "TLS µs/call", "requests")
    assert len(bench_sync_tls.targets(result)) == 4


def test_memory_benchmark() -> None:
    result = bench_memory.run(bench_memory.QUICK)
    _numbers({str(n): samples for n, samples in result.peak.items()})
    assert result.ratio > 0
    _rendered(bench_memory.markdown(result), "## 4. Memory", "peak RSS")


def test_scaling_benchmark() -> None:
    size, levels = bench_scaling.run(bench_scaling.QUICK)
    assert [level.concurrency for level in levels] == list(size.levels)
    for level in levels:
        _numbers({"wall": level.wall})
        assert level.decode
        assert level.write
        assert level.cpu
    _rendered(bench_scaling.markdown((size, levels)), "## 5. Scaling", "| 4 |")


def test_runner_writes_a_report_with_the_sync_overhead_section(tmp_path: Path) -> None:
    output = tmp_path / "RESULTS.md"
    assert run.main(["--quick", "--only", "sync", "--output", str(output)]) == 0
    text = output.read_text(encoding="utf-8")
    assert text.startswith("# Benchmark results")
    assert "| machine |" in text
    assert "## Sync facade overhead" in text
    assert "b/a = " in text


def test_runner_quick_writes_nothing_by_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(run, "RESULTS", tmp_path / "RESULTS.md")
    assert run.main(["--quick", "--only", "sync"]) == 0
    assert not (tmp_path / "RESULTS.md").exists()
