"""Arrow tables of models, with a schema derived from the attrs classes themselves.

dlt loads ``pyarrow`` tables through its fast path (no per-row normalizer), but it takes their
schema as given: a table whose types were inferred from one batch (a column all ``null`` in
page 1, strings in page 2) would conflict with the next. So the schema is never inferred. It is
derived once per model by walking its attrs fields, whatever they are:

- ``str`` → ``string``, ``int`` → ``int64``, ``float`` → ``float64``, ``bool`` → ``bool``,
  ``datetime`` → ``timestamp[us, tz=UTC]``;
- a nested model is **flattened** into columns named with dlt's own separator
  (``metadata__updated_at``), exactly the names dlt would give the same record as a dict, so
  they filter, sort and index like any column, and the incremental cursor is a plain column;
- a list (of models or scalars), or a dict the model keeps as it came (``extra``), becomes a
  column of JSON text that dlt declares ``json`` (DuckDB ``JSON``, PostgreSQL ``jsonb``,
  BigQuery ``JSON``…; timestamps inside in ISO 8601, in UTC: ``JSON_TIMESTAMP``). It stays in
  the row it belongs to, so a ``merge`` replaces it whole, and SQL reads it with the JSON
  functions of the destination (DuckDB ``json_each``, PostgreSQL ``jsonb_array_elements``).
  JSON text rather than ``list<struct>`` because not every destination's loader takes nested
  Arrow types (PostgreSQL's CSV path does not).

Only non-optional fields (the identifiers, e.g. ``Recording.uuid``) are declared non-null.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from itertools import repeat
from operator import attrgetter, is_
from typing import Any, Final

import attrs
import orjson
import pyarrow as pa

#: dlt's separator between the parts of a flattened column name.
SEPARATOR: Final = "__"

_SCALARS: Final[dict[Any, pa.DataType]] = {
    str: pa.string(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
    datetime: pa.timestamp("us", tz="UTC"),
}

#: How a timestamp inside a JSON column is written: in UTC, to the microsecond
#: (``2026-01-01T09:30:00.000000Z``), one spelling per instant whatever offset the API sent.
JSON_TIMESTAMP: Final = "%Y-%m-%dT%H:%M:%S.%fZ"

Convert = Callable[[Any], Any]


def _unwrap(field_type: Any) -> tuple[Any, bool]:
    """``X | None`` → ``(X, True)``; any other type → ``(type, False)``."""
    args = typing.get_args(field_type)
    if type(field_type) is types.UnionType or typing.get_origin(field_type) is typing.Union:
        rest = [arg for arg in args if arg is not type(None)]
        if len(rest) == 1:
            return rest[0], len(rest) < len(args)
    return field_type, False


def _fields(cls: type) -> list[tuple[str, Any]]:
    hints = typing.get_type_hints(cls)
    return [(field.name, hints[field.name]) for field in attrs.fields(cls)]


@functools.cache
def _getter(cls: type) -> tuple[tuple[str, ...], Callable[[Any], Any]]:
    names = tuple(field.name for field in attrs.fields(cls))
    return names, attrgetter(*names) if len(names) > 1 else (lambda obj: (getattr(obj, names[0]),))


def _model_as_dict(value: Any) -> Any:
    """Orjson's ``default``: a nested model as a dict of its fields, a timestamp in UTC."""
    if isinstance(value, datetime):
        # One spelling per instant, whichever offset the API sent (as ``_wire`` writes it).
        return value.astimezone(UTC).strftime(JSON_TIMESTAMP)
    cls: type = type(value)
    if not attrs.has(cls):
        raise TypeError(f"{cls.__name__} is not JSON serializable")
    names, get = _getter(cls)
    return dict(zip(names, get(value), strict=True))


def _json(value: Any) -> str | None:
    """JSON text of a list, dict or model; an empty container (an empty ``extra``) is null."""
    if value is None or value == {}:
        return None
    return orjson.dumps(
        value, default=_model_as_dict, option=orjson.OPT_PASSTHROUGH_DATETIME
    ).decode()


@attrs.frozen
class Column:
    """One column of a model's table: its name, the attribute path to its value, its type."""

    name: str
    path: tuple[str, ...]
    type: pa.DataType
    nullable: bool
    #: Encodes a value as JSON text, for the columns that dlt declares ``json``.
    convert: Convert | None = None

    @property
    def json(self) -> bool:
        """Whether the column holds JSON text (a list, or an object the model keeps as is)."""
        return self.convert is not None

    def field(self) -> pa.Field:
        """The column as an Arrow field."""
        return pa.field(self.name, self.type, nullable=self.nullable)


def _columns(cls: type, path: tuple[str, ...], optional_parent: bool) -> list[Column]:
    out: list[Column] = []
    for name, hint in _fields(cls):
        base, optional = _unwrap(hint)
        here = (*path, name)
        # Only a scalar declared without ``| None`` (an identifier) is never null.
        nullable = optional or optional_parent or base not in _SCALARS
        if attrs.has(base):
            out.extend(_columns(base, here, nullable))
            continue
        name = SEPARATOR.join(here)
        if base in _SCALARS:
            out.append(Column(name, here, _SCALARS[base], nullable))
        else:
            out.append(Column(name, here, pa.string(), nullable, _json))
    return out


@functools.cache
def columns(cls: type) -> tuple[Column, ...]:
    """Every column of ``cls``'s table, in the order its fields are declared.

    >>> from screendesk_async.models import Customer
    >>> [column.name for column in columns(Customer)]
    ['email']
    """
    if not attrs.has(cls):
        raise TypeError(f"{cls!r} is not an attrs model")
    return tuple(_columns(cls, (), False))


def json_columns(cls: type) -> tuple[str, ...]:
    """The columns of ``cls``'s table that hold JSON text."""
    return tuple(column.name for column in columns(cls) if column.json)


@functools.cache
def arrow_schema(cls: type, key: str | None = None) -> pa.Schema:
    """The Arrow schema of ``cls``'s table (see the module's documentation).

    ``key`` names a primary-key column, declared non-null even where the model allows
    ``None`` (as dlt declares a primary key).
    """
    fields = [column.field() for column in columns(cls)]
    if key is not None:
        if key not in {column.name for column in columns(cls)}:
            raise ValueError(f"{cls.__name__} has no column {key!r}")
        fields = [f.with_nullable(False) if f.name == key else f for f in fields]
    return pa.schema(fields)


def _attribute(name: str, objects: list[Any]) -> list[Any]:
    get = attrgetter(name)
    # The common case (every record has its metadata…) runs in C; ``None in objects`` would
    # call each model's Python ``__eq__``.
    if not any(map(is_, objects, repeat(None))):
        return list(map(get, objects))
    return [None if obj is None else get(obj) for obj in objects]


def to_table(cls: type, items: Sequence[Any], key: str | None = None) -> pa.Table:
    """An Arrow table of ``items`` (instances of ``cls``), one row each, in order.

    ``key`` as for :func:`arrow_schema`.

    Values are gathered a column at a time: the objects at each attribute path are collected
    once and shared by every column under it.
    """
    objects: dict[tuple[str, ...], list[Any]] = {(): list(items)}

    def at(path: tuple[str, ...]) -> list[Any]:
        found = objects.get(path)
        if found is None:
            found = objects[path] = _attribute(path[-1], at(path[:-1]))
        return found

    arrays = []
    for column in columns(cls):
        values = at(column.path)
        if column.convert is not None:
            values = list(map(column.convert, values))
        arrays.append(pa.array(values, type=column.type))
    return pa.Table.from_arrays(arrays, schema=arrow_schema(cls, key))
