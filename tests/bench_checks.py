"""What a benchmark's tiny run must show: figures that are numbers, and its rendered output.

Shared by tests/bench and tests/dlt, whose benchmarks all have ``run``, ``QUICK``,
``markdown``, ``targets`` and ``report``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from benchmarks._common import Samples


@functools.cache
def ran(bench: ModuleType) -> Any:
    """``bench.run(bench.QUICK)``, once for all the tests that look at its result."""
    return bench.run(bench.QUICK)


def assert_figures(samples: Mapping[Any, Samples], *, zero: bool = False) -> None:
    """Every series has figures, each finite and above zero (with ``zero``: or zero)."""
    assert samples
    for series in samples.values():
        assert series.values
        assert all(math.isfinite(value) for value in series.values)
        assert all(value >= 0 if zero else value > 0 for value in series.values)


@dataclass(frozen=True)
class Rendered:
    """What a benchmark's output says: in its markdown, its number of targets, in its report."""

    bench: ModuleType
    says: tuple[str, ...]
    targets: int | None = None
    report: str | None = None

    def check(self) -> None:
        """Assert each of these of the benchmark's output for its :func:`ran` result."""
        result = ran(self.bench)
        markdown = "\n".join(self.bench.markdown(result))
        for needle in self.says:
            assert needle in markdown
        if self.targets is not None:
            assert len(self.bench.targets(result)) == self.targets
        if self.report is not None:
            assert self.report in "\n".join(self.bench.report(result))
