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
from . import _arrow

#: ``_arrow.JSON_TIMESTAMP`` for Arrow's ``strftime``, whose ``%S`` of a microsecond timestamp
#: already holds the six decimals (the tests compare both paths' text).
_ARROW_JSON_TIMESTAMP: Final = "%Y-%m-%dT%H:%M:%SZ"
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


def _timestamps_as_text(values: pa.Array) -> pa.Array:
    """``values`` with every timestamp inside spelled as ``_arrow.JSON_TIMESTAMP`` text."""
    type_ = values.type
    if pa.types.is_timestamp(type_):
        return pc.strftime(values, format=_ARROW_JSON_TIMESTAMP)
    if pa.types.is_struct(type_):
        children = [_timestamps_as_text(values.field(i)) for i in range(type_.num_fields)]
        names = [field.name for field in type_]
        return pa.StructArray.from_arrays(children, names=names, mask=values.is_null())
    if pa.types.is_list(type_):
        inner = _timestamps_as_text(values.values)
        return pa.ListArray.from_arrays(values.offsets, inner, mask=values.is_null())
    return values


def _json_text(values: pa.ChunkedArray) -> pa.Array:
    """A list-of-structs column as ``_arrow``'s JSON text (null entries skipped, as the models)."""
    dumps = orjson.dumps
    entries_of = _timestamps_as_text(values.combine_chunks()).to_pylist()
    texts = [
        None if entries is None else dumps([e for e in entries if e is not None]).decode()
        for entries in entries_of
    ]
    return pa.array(texts, type=pa.string())


def read_lines(cls: type, lines: bytes, key: str | None = None) -> pa.Table | None:
    """The table of the records in ``lines`` (one JSON object a line), or None.

    None when ``cls`` is not supported or a value does not have its declared JSON type: the
    caller then structures the records through the models (:func:`table_of_lines`).
    """
    schema = read_schema(cls)
    if schema is None:
        return None
    try:
        table = pj.read_json(
            io.BytesIO(lines),
            read_options=pj.ReadOptions(block_size=max(_BLOCK_SIZE, len(lines) + 1)),
            parse_options=pj.ParseOptions(
                explicit_schema=schema, unexpected_field_behavior="ignore"
            ),
        )
    except pa.ArrowInvalid:
        return None
    while any(pa.types.is_struct(field.type) for field in table.schema):
        table = table.flatten()  # a child of a null object is null
    wire = _wire_names(cls)
    arrays = []
    for column in _arrow.columns(cls):
        values = table.column(wire[column.name])
        if column.json:
            arrays.append(_json_text(values))
            continue
        if not column.nullable:
            values = pc.fill_null(values, "")  # a missing identifier reads as the models' ""
        arrays.append(values)
    return pa.Table.from_arrays(arrays, schema=_arrow.arrow_schema(cls, key))


def table_of_lines(cls: type, lines: bytes, key: str | None = None) -> pa.Table:
    """The table of the records in ``lines``: read by Arrow where it can, else via the models."""
    table = read_lines(cls, lines, key)
    if table is not None:
        return table
    records = orjson.loads(b"[" + b",".join(lines.splitlines()) + b"]")
    return _arrow.to_table(cls, structure_list(records, cls), key)
