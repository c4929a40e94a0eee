"""What an export did, for its last line (or ``--json``), and what it warns of."""

from __future__ import annotations

from typing import Any

import attrs

from ._sinks import STDOUT


@attrs.frozen
class ExportSummary:
    """What an export did, for its final summary (``line()``, or ``to_dict()`` for scripts).

    ``records`` and ``pages`` count this run only (a resume's rate is this run's);
    ``total_records`` and ``total_pages`` count the whole output.
    """

    kind: str
    output: str
    format: str
    compressed: bool
    resumed: bool
    records: int
    pages: int
    total_records: int
    total_pages: int
    duplicates: int
    head_records: int
    retries: int
    elapsed: float
    initial_total: int | None
    final_total: int | None
    listing_pages: int | None
    warnings: tuple[str, ...] = ()
    #: False when nothing was there to write (every page asked for is past the last one): the
    #: output was then not created.
    written: bool = True

    @property
    def rate(self) -> float:
        """Records per second of this run."""
        return self.records / self.elapsed if self.elapsed > 0 else 0.0

    def line(self) -> str:
        """One human line: records, pages, retries, elapsed, rate, and any drift."""
        where = "stdout" if self.output == STDOUT else self.output
        if not self.written:
            return f"nothing exported: {where} was not created"
        more = " more" if self.resumed else ""
        text = (
            f"exported {self.records}{more} {self.kind} ({self.pages} pages) to {where} "
            f"in {self.elapsed:.2f} s ({self.rate:,.0f} records/s, {self.retries} retries)"
        )
        if self.resumed:
            text = (
                f"resumed: {text}; {self.total_records} {self.kind} "
                f"({self.total_pages} pages) in all"
            )
        if self.duplicates:
            text += f"; {self.duplicates} duplicates dropped"
        initial, final = self.initial_total, self.final_total
        if initial is not None and final is not None and initial != final:
            text += f"; the listing changed during the export: {initial} → {final} records"
            if final > initial:
                text += f" ({self.head_records} new records picked up from the head pages)"
            else:
                text += " (records removed meanwhile may have hidden others: export again)"
        return text

    def to_dict(self) -> dict[str, Any]:
        """Every figure, with ``rate``, as JSON-ready values."""
        data = attrs.asdict(self)
        data["warnings"] = list(self.warnings)
        data["rate"] = round(self.rate, 1)
        data["elapsed"] = round(self.elapsed, 3)
        return data


def slice_warnings(first: int, last: int | None, count: int | None) -> tuple[str, ...]:
    """What to say of the page slice ``first``-``last`` of a listing of ``count`` pages.

    >>> slice_warnings(15, 99, 16)
    ('pages 17-99 are beyond the last page (16): exported pages 15-16',)
    """
    if count is None or (first, last) == (1, None):
        return ()
    asked = f"{first}-{'' if last is None else last}"
    if first > count:
        return (f"pages {asked} are beyond the last page ({count}): nothing to export",)
    if last is not None and last > count:
        clipped = f"exported pages {first}-{count}"
        return (f"pages {count + 1}-{last} are beyond the last page ({count}): {clipped}",)
    return ()
