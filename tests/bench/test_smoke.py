"""Every benchmark runs at a tiny size and produces figures (not the targets): they cannot rot.

The real runs are ``nox -s bench``; these take a few seconds each.
"""

from __future__ import annotations

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

from ..bench_checks import Rendered, assert_figures, ran

RENDERED = {
    "export": Rendered(bench_export, ("## 1. Export throughput", "a/b = ", "c/a = "), 2, "a/b = "),
    "typed": Rendered(
        bench_typed, ("## 2. Typed iteration", "msgspec", "pydantic"), 2, "ours/msgspec"
    ),
    "sync_tls": Rendered(bench_sync_tls, ("TLS µs/call", "requests"), 4),
    "memory": Rendered(bench_memory, ("## 4. Memory", "peak RSS")),
    "scaling": Rendered(bench_scaling, ("## 5. Scaling", "| 4 |")),
}


@pytest.mark.parametrize("rendered", RENDERED.values(), ids=RENDERED.keys())
def test_a_benchmark_renders_its_section_targets_and_report(rendered: Rendered) -> None:
    rendered.check()


def test_export_benchmark() -> None:
    result = ran(bench_export)
    assert_figures(result.wall)
    assert set(result.wall) == {bench_export.A, bench_export.B, bench_export.C}
    assert result.a_over_b > 0
    assert result.c_over_a > 0


def test_typed_benchmark() -> None:
    result = ran(bench_typed)
    assert_figures(result.end_to_end)
    assert_figures(result.structuring)
    assert result.records == bench_typed.QUICK.structure_pages * bench_typed.QUICK.per_page


def test_sync_tls_benchmark() -> None:
    result = ran(bench_sync_tls)
    assert_figures(result.plain)
    assert_figures(result.tls)
    assert set(result.tls) == set(bench_sync_tls.VARIANTS)


def test_memory_benchmark() -> None:
    result = ran(bench_memory)
    assert_figures(result.peak)
    assert result.ratio > 0


def test_scaling_benchmark() -> None:
    size, levels = ran(bench_scaling)
    assert [level.concurrency for level in levels] == list(size.levels)
    for level in levels:
        assert_figures({"wall": level.wall})
        assert level.decode
        assert level.write
        assert level.cpu


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
