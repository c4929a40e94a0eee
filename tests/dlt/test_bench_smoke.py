"""The load benchmarks at a tiny size: they run and produce figures (not the targets)."""

from __future__ import annotations

import math

from benchmarks import bench_load, bench_load_memory, bench_load_rival, bench_load_scale


def test_load_benchmark() -> None:
    result = bench_load.run(bench_load.QUICK)
    assert set(result.wall) == {bench_load.A, bench_load.B, bench_load.C}
    for samples in result.wall.values():
        assert samples.values
        assert all(math.isfinite(value) and value > 0 for value in samples.values)
    assert result.b_over_a > 0
    assert list(result.phases) == list(bench_load.PHASES)
    for part in result.phases.values():
        assert len(part.values) == bench_load.QUICK.repeat
        assert all(math.isfinite(value) and value >= 0 for value in part.values)
    text = "\n".join(bench_load.markdown(result))
    assert "## 6. Loading into a warehouse" in text
    assert "b/a = " in text
    assert "| extract |" in text
    assert bench_load.targets(result) == []  # the figure, no target at 20,000
    assert "b/a = " in "\n".join(bench_load.report(result))


def test_load_at_scale_benchmark() -> None:
    result = bench_load_scale.run(bench_load_scale.QUICK)
    assert set(result.wall) == {bench_load_scale.A, bench_load_scale.B}
    assert all(value > 0 for samples in result.wall.values() for value in samples.values)
    assert "b/a = " in "\n".join(bench_load_scale.markdown(result))
    assert len(bench_load_scale.targets(result)) == 1


def test_load_rival_benchmark() -> None:
    """dlt's ``rest_api`` source really loads the account (each variant checks its rows)."""
    result = bench_load_rival.run(bench_load_rival.QUICK)
    assert set(result.wall) == {bench_load_rival.A, bench_load_rival.B}
    assert all(value > 0 for samples in result.wall.values() for value in samples.values)
    assert "rest_api" in "\n".join(bench_load_rival.markdown(result))
    assert len(bench_load_rival.targets(result)) == 1


def test_load_memory_benchmark() -> None:
    result = bench_load_memory.run(bench_load_memory.QUICK)
    assert all(value > 0 for samples in result.peak.values() for value in samples.values)
    assert result.ratio > 0
    assert "## 9. Memory of a load" in "\n".join(bench_load_memory.markdown(result))
    assert len(bench_load_memory.targets(result)) == 1
