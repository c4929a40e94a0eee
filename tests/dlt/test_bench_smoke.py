"""The load benchmark at a tiny size: it runs and produces figures (not the target)."""

from __future__ import annotations

import math

from benchmarks import bench_load


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
    assert len(bench_load.targets(result)) == 1
    assert "b/a = " in "\n".join(bench_load.report(result))
