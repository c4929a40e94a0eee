"""Fields the models do not declare: columns too, named and shaped as the declared ones are.

The API adds fields before the library knows them (the fake's ``tags``). A warehouse that drops
them falls behind the API until the library is upgraded, so they land, by the rules of the
declared fields (``_arrow``): an object is flattened into ``parent__child`` columns, at any
depth, also inside a declared object (``metadata__language``); a list is a JSON column; a
scalar is a column of the type pyarrow's JSON reader infers from the batch (string, bigint,
double, bool; timestamp, in UTC, for an ISO 8601 string to the second, as dlt's own
detection does). A key inside an entry of a declared list (``participants_insights``) stays in
that entry's JSON. A column whose every value in a batch is null is left out of that batch, as
dlt leaves out a field that is always ``None``. dlt's schema evolution adds each column when it
first comes; a value of another type than the column's later goes to a variant column
(``score__v_double``), as for any dlt source. The declared columns keep their declared types.

Arrow's reader infers these columns while it reads the declared ones (``_wire``), in C++; for a
batch read through the models instead, the unknown part of each record is read by the same
reader, so both ways give the same columns. A batch whose unknown values Arrow cannot type
together (a number in one record, text in the next) has each unknown top-level field as a JSON
column instead.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any, Final, NamedTuple

import orjson
import pyarrow as pa
import pyarrow.json as pj

from ..models._shape import nested_model, shape
from . import _arrow

#: Arrow field metadata marking an unknown field's column as JSON text (for dlt's hints).
JSON_MARK: Final = b"screendesk.json"
_UTC: Final = pa.timestamp("us", tz="UTC")
#: ``_arrow.JSON_TIMESTAMP`` for Arrow's ``strftime`` (its ``%S`` holds the decimals).
ARROW_JSON_TIMESTAMP: Final = "%Y-%m-%dT%H:%M:%SZ"


class Column(NamedTuple):
    """An unknown field's column: its name, values, and whether they are JSON text."""

    name: str
    values: pa.Array
    json: bool

    def field(self) -> pa.Field:
        """The column as an Arrow field (JSON ones marked with ``JSON_MARK``)."""
        metadata = {JSON_MARK: b"1"} if self.json else None
        return pa.field(self.name, self.values.type, metadata=metadata)


def timestamps_as_text(values: pa.Array) -> pa.Array:
    """``values`` with every timestamp inside spelled as ``_arrow.JSON_TIMESTAMP`` text."""
    import pyarrow.compute as pc

    type_ = values.type
    if pa.types.is_timestamp(type_):
        return pc.strftime(values, format=ARROW_JSON_TIMESTAMP)
    if pa.types.is_struct(type_):
        children = [timestamps_as_text(values.field(i)) for i in range(type_.num_fields)]
        names = [field.name for field in type_]
        return pa.StructArray.from_arrays(children, names=names, mask=values.is_null())
    if pa.types.is_list(type_):
        inner = timestamps_as_text(values.values)
        return pa.ListArray.from_arrays(values.offsets, inner, mask=values.is_null())
    return values


#: What a JSON string must escape: its quote, a backslash, a control character.
_ESCAPED: Final = r'["\\\x00-\x1f]'


def _strings_json(values: pa.Array) -> pa.Array | None:
    """A list-of-strings column as JSON text, in Arrow (a tag list per record, in C++).

    None where a string needs an escape: the caller then encodes it value by value.
    """
    import pyarrow.compute as pc

    if values.offset:
        values = pa.concat_arrays([values])  # unsliced: its offsets start at its values'
    items = values.values
    if pc.any(pc.match_substring_regex(items, _ESCAPED)).as_py():
        return None
    quoted = pc.binary_join_element_wise('"', items, '"', "")
    lists = pa.ListArray.from_arrays(values.offsets, quoted, mask=values.is_null())
    return pc.binary_join_element_wise("[", pc.binary_join(lists, ","), "]", "")


def _json_column(values: pa.Array) -> pa.Array:
    if pa.types.is_list(values.type) and pa.types.is_string(values.type.value_type):
        fast = _strings_json(values)
        if fast is not None:
            return fast
    dumps = orjson.dumps
    texts = [
        None if v is None else dumps(v).decode() for v in timestamps_as_text(values).to_pylist()
    ]
    return pa.array(texts, type=pa.string())


def _emit(path: tuple[str, ...], values: pa.Array, out: list[Column]) -> None:
    type_ = values.type
    if pa.types.is_null(type_) or values.null_count == len(values):
        return
    if pa.types.is_struct(type_):
        for field, child in zip(type_, values.flatten(), strict=True):
            _emit((*path, field.name), child, out)
    elif pa.types.is_list(type_) or pa.types.is_large_list(type_):
        out.append(Column(_arrow.SEPARATOR.join(path), _json_column(values), json=True))
    elif pa.types.is_timestamp(type_):
        out.append(Column(_arrow.SEPARATOR.join(path), values.cast(_UTC), json=False))
    else:
        out.append(Column(_arrow.SEPARATOR.join(path), values, json=False))


def _walk(
    fields: Iterable[tuple[str, pa.Array]], cls: type, path: tuple[str, ...], out: list[Column]
) -> None:
    declared = {f.wire: f for f in shape(cls).fields}
    for name, values in fields:
        field = declared.get(name)
        if field is None:
            _emit((*path, name), values, out)
            continue
        nested = nested_model(field.type)
        if nested is not None and pa.types.is_struct(values.type):
            children = zip([f.name for f in values.type], values.flatten(), strict=True)
            _walk(children, nested, (*path, field.name), out)


def columns(table: pa.Table, cls: type, documented: Iterable[str]) -> list[Column]:
    """The unknown fields of ``table`` (records of ``cls`` read with inference) as columns.

    ``documented`` are the declared columns' names: an unknown one spelled the same is
    left out (the declared column is that name's).
    """
    out: list[Column] = []
    fields = ((name, table.column(name).combine_chunks()) for name in table.column_names)
    _walk(fields, cls, (), out)
    taken = set(documented)
    return [column for column in out if column.name not in taken]


def unknown_part(record: Any, cls: type) -> dict[str, Any]:
    """The keys of ``record`` that ``cls`` does not declare, nested ones under their parent."""
    if not isinstance(record, dict):
        return {}
    declared = shape(cls)
    known = declared.known_keys
    fields = {key: f for f in declared.fields for key in (f.wire, *f.aliases)}
    out: dict[str, Any] = {}
    for key, value in record.items():
        if key not in known:
            if value is not None:
                out[key] = value
            continue
        nested = nested_model(fields[key].type)
        if nested is not None:
            inner = unknown_part(value, nested)
            if inner:
                out[fields[key].wire] = inner
    return out


def columns_of_records(records: list[Any], cls: type, documented: Iterable[str]) -> list[Column]:
    """:func:`columns` for decoded records (the batches read through the models)."""
    parts = [unknown_part(record, cls) for record in records]
    if not any(parts):
        return []
    lines = b"".join(orjson.dumps(part) + b"\n" for part in parts)
    try:
        table = pj.read_json(io.BytesIO(lines))
    except pa.ArrowInvalid:  # values Arrow cannot type together: JSON columns
        return _as_json(parts, documented)
    return columns(table, cls, documented)


def _as_json(parts: list[dict[str, Any]], documented: Iterable[str]) -> list[Column]:
    names = list(dict.fromkeys(key for part in parts for key in part))
    taken = set(documented)
    return [
        Column(
            name,
            pa.array(
                [
                    None if part.get(name) is None else orjson.dumps(part[name]).decode()
                    for part in parts
                ],
                type=pa.string(),
            ),
            json=True,
        )
        for name in names
        if name not in taken
    ]


def with_columns(table: pa.Table, unknown: list[Column]) -> pa.Table:
    """``table`` with the ``unknown`` columns after its own."""
    for column in unknown:
        table = table.append_column(column.field(), column.values)
    return table


def json_columns(table: pa.Table) -> list[str]:
    """The columns of ``table`` that hold an unknown field's JSON text."""
    return [f.name for f in table.schema if f.metadata and JSON_MARK in f.metadata]
