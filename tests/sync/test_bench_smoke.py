"""The sync-overhead benchmark runs (tiny), so it cannot rot between real runs."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_sync_overhead.py"


def test_sync_overhead_benchmark_runs(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = importlib.util.spec_from_file_location("bench_sync_overhead", BENCH)
    assert spec is not None
    assert spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, bench)  # for its dataclass
    spec.loader.exec_module(bench)
    assert bench.main(["--calls", "5", "--repeat", "1", "--markdown"]) == 0
    out = capsys.readouterr().out
    assert "| (b) Screendesk (sync facade) |" in out
    assert "b/a = " in out
    assert "c/b = " in out
