"""Arrow tables read straight from the records' JSON lines, in C++, with the models' own types.

The listings' structuring (``models._batch``) and the column gathering of ``_arrow.to_table``
cost Python work per value: about 0.3 s each per 20,000 recordings, and decoding every record
into dicts first as much again. Here a batch of records, as the JSON lines the export's
decoder keeps (``export._sources.RawRestDecoder``), goes to :func:`pyarrow.json.read_json`
with an explicit schema derived from the same declarations: the wire names of
``models._shape.shape``, ``_arrow``'s types, nested objects as structs, lists of objects as
lists of structs. The structs are then flattened into ``_arrow``'s columns and the lists become
its JSON text, so the table is the one ``_arrow.to_table`` gives for the models of those records
(a test compares them over generated and malformed records).

Arrow's reader is strict where the models are lenient: a value whose JSON type is not the
declared one (``"5"`` for an integer, a string for an object…) fails the whole batch, which is
then structured through the models, value by value as they do (so it still reads as null), and
tabled by ``_arrow.to_table``. Only models whose shape this reader can follow qualify
(:func:`supports`): no older spellings, no ``extra``, and only scalars, nested models and lists
of models; anything else always takes the models' path.
"""

from __future__ import annotations

import functools
import io
import typing
from typing import Any, Final

import attrs
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from ..models._converter import structure_list
from ..models._shape import shape
from . import _arrow, _unknown

#: The reader's block: large enough that a batch of records is one or a few blocks (each
#: block is parsed on its own thread), and any one record fits.
_BLOCK_SIZE: Final = 8 << 20


def _item_type(hint: Any) -> Any:
    """``M`` of ``list[M]`` (None for any other type)."""
    if typing.get_origin(hint) is list:
        (item,) = typing.get_args(hint)
        return item
    return None


def _read_type(hint: Any, in_list: bool) -> pa.DataType | None:
    """The Arrow type the reader parses a field into; None where it cannot follow the model."""
    base, _ = _arrow._unwrap(hint)
    scalar = _arrow._SCALARS.get(base)
    if scalar is not None:
        return scalar
    if attrs.has(base):
        return _struct(base, in_list)
    item = _item_type(base)
    if item is not None and attrs.has(item) and not in_list:
        inner = _struct(item, in_list=True)
        return None if inner is None else pa.list_(inner)
    return None


def _struct(cls: type, in_list: bool) -> pa.StructType | None:
    declared = shape(cls)
    if declared.extra is not None:
        return None
    fields = []
    for field in declared.fields:
        # Inside a list the entries become JSON text under the models' attribute names.
        if field.aliases or (in_list and field.wire != field.name):
            return None
        type_ = _read_type(field.type, in_list)
        if type_ is None:
            return None
        fields.append(pa.field(field.wire, type_))
    return pa.struct(fields)


@functools.cache
def read_schema(cls: type) -> pa.Schema | None:
    """The schema the reader parses ``cls``'s records with (wire names), or None."""
    struct = _struct(cls, in_list=False)
    return None if struct is None else pa.schema(list(struct))


def supports(cls: type) -> bool:
    """Whether ``cls``'s records can be read here (see the module's documentation)."""
    return read_schema(cls) is not None


@functools.cache
def _wire_names(cls: type) -> dict[str, str]:
    """``_arrow`` column name → the flattened table's dotted wire name of the same field."""
    out: dict[str, str] = {}

    def walk(model: type, path: tuple[str, ...], wire: tuple[str, ...]) -> None:
        for field in shape(model).fields:
            nested = _arrow._unwrap(field.type)[0]
            if attrs.has(nested):
                walk(nested, (*path, field.name), (*wire, field.wire))
            else:
                out[_arrow.SEPARATOR.join((*path, field.name))] = ".".join((*wire, field.wire))

    walk(cls, (), ())
    return out


def _json_text(values: pa.ChunkedArray, declared: frozenset[str]) -> pa.Array:
    """A list-of-structs column as ``_arrow``'s JSON text (null entries skipped, as the models).

    A key the entries' model does not declare (``declared`` are the keys it does) stays in
    the entries that have it, and only those.
    """
    dumps = orjson.dumps
    combined = values.combine_chunks()
    entries_of = _unknown.timestamps_as_text(combined).to_pylist()
    item = combined.type.value_type
    if {field.name for field in item} - declared:
        entries_of = [
            None
            if entries is None
            else [
                None
                if e is None
                else {k: v for k, v in e.items() if v is not None or k in declared}
                for e in entries
            ]
            for entries in entries_of
        ]
    texts = [
        None if entries is None else dumps([e for e in entries if e is not None]).decode()
        for entries in entries_of
    ]
    return pa.array(texts, type=pa.string())


@functools.cache
def _declared_keys(cls: type, column: str) -> frozenset[str]:
    """The keys the entries of list column ``column`` of ``cls`` declare."""
    item = _entries_model(cls, column)
    return frozenset(f.wire for f in shape(item).fields) if item is not None else frozenset()


def _entries_model(cls: type, column: str) -> type | None:
    model: Any = cls
    for name in column.split(_arrow.SEPARATOR):
        hints = {f.name: f.type for f in shape(model).fields}
        hint = _arrow._unwrap(hints[name])[0]
        model = hint if attrs.has(hint) else _item_type(hint)
        if model is None:
            return None
    return model if attrs.has(model) else None


def read_lines(cls: type, lines: bytes, key: str | None = None) -> pa.Table | None:
    """The table of the records in ``lines`` (one JSON object a line), or None.

    The declared columns, then the unknown fields' (``_unknown``). None when ``cls`` is not
    supported or a value does not have its declared JSON type: the caller then structures the
    records through the models (:func:`table_of_lines`).
    """
    schema = read_schema(cls)
    if schema is None:
        return None
    try:
        table = pj.read_json(
            io.BytesIO(lines),
            read_options=pj.ReadOptions(block_size=max(_BLOCK_SIZE, len(lines) + 1)),
            parse_options=pj.ParseOptions(
                explicit_schema=schema, unexpected_field_behavior="infer"
            ),
        )
    except pa.ArrowInvalid:
        return None
    documented = [column.name for column in _arrow.columns(cls)]
    unknown = _unknown.columns(table, cls, documented)
    while any(pa.types.is_struct(field.type) for field in table.schema):
        table = table.flatten()  # a child of a null object is null
    wire = _wire_names(cls)
    arrays = []
    for column in _arrow.columns(cls):
        values = table.column(wire[column.name])
        if column.json:
            arrays.append(_json_text(values, _declared_keys(cls, column.name)))
            continue
        if not column.nullable:
            values = pc.fill_null(values, "")  # a missing identifier reads as the models' ""
        arrays.append(values)
    declared = pa.Table.from_arrays(arrays, schema=_arrow.arrow_schema(cls, key))
    return _unknown.with_columns(declared, unknown)


def _entries_with_unknown_keys(cls: type, records: list[Any], table: pa.Table) -> pa.Table:
    """``table`` (read through the models) with its list entries' undeclared keys.

    In the entries that have them, as :func:`read_lines` keeps them.
    """
    for column in _arrow.columns(cls):
        item = _entries_model(cls, column.name) if column.json else None
        if item is None:
            continue
        path = _wire_names(cls)[column.name].split(".")
        texts = table.column(column.name).to_pylist()
        changed = False
        for row, record in enumerate(records):
            raw: Any = record
            for key in path:
                raw = raw.get(key) if isinstance(raw, dict) else None
            if not isinstance(raw, list) or texts[row] is None:
                continue
            extra = [_unknown.unknown_part(entry, item) for entry in raw if isinstance(entry, dict)]
            if any(extra):
                entries = orjson.loads(texts[row])
                for entry, more in zip(entries, extra, strict=False):
                    entry.update(more)
                texts[row] = orjson.dumps(entries).decode()
                changed = True
        if changed:
            index = table.column_names.index(column.name)
            table = table.set_column(index, column.field(), pa.array(texts, type=pa.string()))
    return table


def table_of_lines(cls: type, lines: bytes, key: str | None = None) -> pa.Table:
    """The table of the records in ``lines``: read by Arrow where it can, else via the models.

    Either way the declared columns, then the unknown fields' (``_unknown``).
    """
    table = read_lines(cls, lines, key)
    if table is not None:
        return table
    return table_of_records(cls, orjson.loads(b"[" + b",".join(lines.splitlines()) + b"]"), key)


def table_of_records(cls: type, records: list[Any], key: str | None = None) -> pa.Table:
    """The table of decoded ``records`` through the models.

    The declared columns as the models read them (leniency included), then the unknown
    fields' as :func:`read_lines` gives them.
    """
    declared = _arrow.to_table(cls, structure_list(records, cls), key)
    if shape(cls).extra is not None:
        return declared  # the model keeps what it does not name (``extra``)
    declared = _entries_with_unknown_keys(cls, records, declared)
    documented = declared.column_names
    return _unknown.with_columns(declared, _unknown.columns_of_records(records, cls, documented))
