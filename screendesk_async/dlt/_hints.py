"""dlt's hints of the resources' tables, beyond what their Arrow schemas say.

The columns holding JSON text are declared ``json`` (also an unknown field's, ``_unknown``, when
it first comes); the version column sorts the copies of one key in a merge (``dedup_sort``) and
stays nullable; and dlt's notices about these hints, which it applies as intended, are dropped.
"""

from __future__ import annotations

import logging
from typing import Any, Final

import dlt
import pyarrow as pa
from dlt.common.schema.typing import TTableSchemaColumns

from . import _arrow, _unknown

#: The resources whose hints these are (their names in dlt's notices).
RESOURCES: Final = ("recordings", "users", "scim_users")


class _JsonHintNotice(logging.Filter):
    """Drops dlt's notices about hints of ours that it applies as intended.

    Our JSON columns are Arrow strings holding JSON text, declared ``json`` on purpose (see
    ``_arrow``): dlt keeps the hint but warns that it differs from the Arrow type. The version
    column's ``dedup_sort`` is for the merges: on a first load, an append (``_pipeline``), dlt
    warns that it does not apply. Both on every load of every resource.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        ours = any(f"In resource: {name}," in message for name in RESOURCES)
        if "when merging arrow schema with dlt schema" in message and ours:
            return False
        return not (
            '"dedup_sort" column hint' in message
            and any(f'in table "{name}"' in message for name in RESOURCES)
        )


_NOTICE_FILTER: Final = _JsonHintNotice()


def quiet_hint_notices() -> None:
    """Drop dlt's notices about these hints (once per process)."""
    dlt_logger = logging.getLogger("dlt")
    if _NOTICE_FILTER not in dlt_logger.filters:
        dlt_logger.addFilter(_NOTICE_FILTER)


def hints(model: type, version: str | None) -> TTableSchemaColumns:
    """Dlt's column hints: the JSON columns, and the version column (``dedup_sort``).

    Every other type is read from the Arrow schema; a merge sorts the copies of one key by
    the version column, newest first, and keeps that one.
    """
    hints: TTableSchemaColumns = {
        name: {"name": name, "data_type": "json"} for name in _arrow.json_columns(model)
    }
    if version is not None:
        # Nullable whatever a table says (see cursor_told_complete).
        hints[version] = {"name": version, "dedup_sort": "desc", "nullable": True}
    return hints


def cursor_told_complete(table: pa.Table, cursor: str) -> pa.Table:
    """``table``, its cursor column declared non-null when no row lacks a cursor value.

    dlt's incremental splits every table with a nullable cursor column into the rows with and
    without a value (two filters copying every column: about 10 % of a load's CPU); it skips
    that for a column declared non-null. The column stays nullable at the destination (its
    hint says so), so a table with a missing value is handed over as it is.
    """
    index = table.schema.get_field_index(cursor)
    if index < 0 or table.column(index).null_count:
        return table
    schema = table.schema.set(index, table.schema.field(index).with_nullable(False))
    return pa.Table.from_arrays(table.columns, schema=schema)


def with_json_hints(table: pa.Table, hinted: set[str]) -> Any:
    """``table``, with dlt's ``json`` hint for the unknown fields' JSON columns not hinted yet."""
    new = [name for name in _unknown.json_columns(table) if name not in hinted]
    if not new:
        return table
    hinted.update(new)
    columns: TTableSchemaColumns = {name: {"name": name, "data_type": "json"} for name in new}
    return dlt.mark.with_hints(table, dlt.mark.make_hints(columns=columns))
