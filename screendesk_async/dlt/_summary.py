"""What a load did, as the command line and ``load --json`` tell it."""

from __future__ import annotations

from typing import Any

import attrs


@attrs.frozen
class TableSummary:
    """What one load did to one table.

    ``read`` is how many distinct records the listing sent; of those, ``new`` were added,
    ``changed`` replaced a row of another content, and ``unchanged`` were left as they were
    (not written again: the incremental cursor or the row's content hash says so). The three
    are ``None`` where the destination cannot be asked (no SQL). ``loaded`` is how many rows
    dlt wrote.
    """

    table: str
    read: int
    loaded: int
    new: int | None
    changed: int | None
    unchanged: int | None

    def line(self) -> str:
        """``users: 60 read: 0 new, 1 changed, 59 unchanged``."""
        text = f"{self.table}: {self.read} read"
        if self.new is None or self.changed is None or self.unchanged is None:
            return f"{text}, {self.loaded} loaded"
        return f"{text}: {self.new} new, {self.changed} changed, {self.unchanged} unchanged"


@attrs.frozen
class LoadSummary:
    """What a load did: its load ids, per-table counts, where the data went, what it skipped.

    ``skipped`` maps a resource the load left out to why (``scim_users`` without a SCIM token).
    """

    pipeline: str
    destination: str
    location: str | None
    dataset: str
    load_ids: tuple[str, ...]
    tables: tuple[TableSummary, ...]
    elapsed: float
    skipped: dict[str, str] = attrs.field(factory=dict)

    def lines(self) -> list[str]:
        """The human summary: where, then one line per table and per skipped resource."""
        where = f"{self.destination} dataset {self.dataset!r}"
        if self.location:
            where += f" at {self.location}"
        if self.load_ids:
            loads = ", ".join(self.load_ids)
            head = f"loaded into {where} in {self.elapsed:.2f} s (load id {loads})"
        else:
            head = f"nothing new to load into {where} ({self.elapsed:.2f} s)"
        skipped = [f"  {name}: skipped: {why}" for name, why in self.skipped.items()]
        return [head, *(f"  {table.line()}" for table in self.tables), *skipped]

    def to_dict(self) -> dict[str, Any]:
        """Every figure as JSON-ready values (``load --json``)."""
        data = attrs.asdict(self)
        data["load_ids"] = list(self.load_ids)
        data["elapsed"] = round(self.elapsed, 3)
        data["tables"] = {
            t.table: {k: v for k, v in attrs.asdict(t).items() if k != "table"} for t in self.tables
        }
        return data
