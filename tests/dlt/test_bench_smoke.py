"""The load benchmarks at a tiny size: they run and produce figures (not the targets)."""

from __future__ import annotations

from types import ModuleType

import pytest

from benchmarks import bench_load, bench_load_memory, bench_load_rival, bench_load_scale

from ..bench_checks import Rendered, assert_figures, ran

RENDERED = {
    # The load's figure has no target at 20,000 records.
    "load": Rendered(
        bench_load, ("## 6. Loading into a warehouse", "b/a = ", "| extract |"), 0, "b/a = "
    ),
    "load_scale": Rendered(bench_load_scale, ("b/a = ",), 1),
    "load_rival": Rendered(bench_load_rival, ("rest_api",), 1),
    "load_memory": Rendered(bench_load_memory, ("## 9. Memory of a load",), 1),
}


@pytest.mark.parametrize("rendered", RENDERED.values(), ids=RENDERED.keys())
def test_a_load_benchmark_renders_its_section_targets_and_report(rendered: Rendered) -> None:
    rendered.check()


def test_load_benchmark() -> None:
    result = ran(bench_load)
    assert set(result.wall) == {bench_load.A, bench_load.B, bench_load.C}
    assert_figures(result.wall)
    assert result.b_over_a > 0
    assert list(result.phases) == list(bench_load.PHASES)
    assert_figures(result.phases, zero=True)
    assert all(len(part.values) == bench_load.QUICK.repeat for part in result.phases.values())


@pytest.mark.parametrize("bench", [bench_load_scale, bench_load_rival], ids=["scale", "rival"])
def test_a_load_benchmark_times_both_variants(bench: ModuleType) -> None:
    """Both variants are timed (the rival's: dlt's ``rest_api`` source really loads the account;
    each variant checks its rows).
    """
    result = ran(bench)
    assert set(result.wall) == {bench.A, bench.B}
    assert_figures(result.wall)


def test_load_memory_benchmark() -> None:
    result = ran(bench_load_memory)
    assert_figures(result.peak)
    assert result.ratio > 0
