"""Writing records to the partial output file: JSONL as sent, or CSV with dotted columns."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any, Final, Protocol

import msgspec
import orjson

from ..errors import ResponseDecodeError
from ..models import Model, converter
from ..models._shape import nested_fields, wire_columns

#: A piece of a file to write: bytes, or a record kept as the server's bytes.
Chunk = bytes | msgspec.Raw
#: The CSV column that holds, as JSON, the fields of a record that no other column names.
EXTRA_COLUMN: Final = "_extra"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return orjson.dumps(value).decode()


def leaves(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"metadata": {"url": u}}`` → ``{"metadata.url": u}``: the values as the server sent them.

    >>> leaves({"a": {"b": 1, "c": None}, "d": [1, 2], "e": {}})
    {'a.b': 1, 'a.c': None, 'd': [1, 2]}
    """
    flat: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat.update(leaves(value, name + "."))
        elif not isinstance(value, dict):  # an empty object ({} helpdesk_info) has no cells
            flat[name] = value
    return flat


def flatten(record: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """``{"metadata": {"url": u}}`` → ``{"metadata.url": u}``; lists become JSON text.

    >>> flatten({"a": {"b": 1, "c": None}, "d": [1, 2], "e": True})
    {'a.b': '1', 'a.c': '', 'd': '[1,2]', 'e': 'true'}
    """
    return {name: _cell(value) for name, value in leaves(record, prefix).items()}


def parents(columns: Iterable[str]) -> frozenset[str]:
    """Every nested object that dotted ``columns`` lie under.

    >>> sorted(parents(["a.b.c", "d"]))
    ['a', 'a.b']
    """
    return frozenset(
        column[:at] for column in columns for at, char in enumerate(column) if char == "."
    )


def as_dicts(records: Sequence[Any]) -> list[dict[str, Any]]:
    """Records as dicts, whether decoded already or kept as the server's bytes."""
    return [
        record if isinstance(record, dict) else orjson.loads(bytes(record)) for record in records
    ]


def jsonl_chunks(records: Iterable[Any]) -> list[Chunk]:
    r"""``records`` (dicts, or each record's own JSON bytes) as JSON lines, to write in order.

    Not joined into one buffer: a block of a page's size, allocated and freed for every page,
    is what glibc's allocator returns worst to the system, so a long export's resident memory
    would creep up (``benchmarks/README.md``, memory). Each record stays its own chunk.

    >>> jsonl_chunks([{"a": 1}, {"b": [2]}])
    [b'{"a":1}', b'\n', b'{"b":[2]}', b'\n']
    """
    chunks: list[Chunk] = []
    for record in records:
        chunks.append(orjson.dumps(record) if isinstance(record, dict) else record)
        chunks.append(b"\n")
    return chunks


class Writer(Protocol):
    """Encodes pages of records for a binary file."""

    def encode(self, records: Sequence[Any]) -> list[Chunk]:
        """The bytes of ``records`` (dicts, or each record's own JSON bytes), in chunks."""


class JsonlWriter:
    """One JSON object per line, exactly the fields the server sent, in its order."""

    def encode(self, records: Sequence[Any]) -> list[Chunk]:
        """``records`` as lines; a record kept as bytes is written as it is."""
        return jsonl_chunks(records)


def _replaced(record: dict[str, Any], path: Sequence[str], value: Any) -> dict[str, Any]:
    """A copy of ``record`` with ``value`` at ``path`` (the caller's dicts are left alone)."""
    head, *rest = path
    return {**record, head: _replaced(record[head], rest, value) if rest else value}


def reread(record: dict[str, Any], nested: Sequence[tuple[Sequence[str], Any]]) -> dict[str, Any]:
    """``record`` with each nested object the server sent as a non-object read by the models.

    ``nested`` is the model's declaration (:func:`~..models._shape.nested_fields`). Such a
    value (SCIM ``roles`` as a list of names) goes through the converter's hook for the
    declared type, and its ``to_dict()`` stands in for it; one the converter cannot read is
    kept as sent (it then lands in ``_extra``).
    """
    for path, declared in nested:
        holder: Any = record
        for key in path[:-1]:
            holder = holder.get(key) if isinstance(holder, dict) else None
        value = holder.get(path[-1]) if isinstance(holder, dict) else None
        if value is None or isinstance(value, dict):
            continue
        model = converter.structure(value, declared)
        if model is not None:
            record = _replaced(record, path, converter.unstructure(model))
    return record


class CsvWriter:
    """CSV with one header row; nested fields dotted, lists as JSON, unknown fields in ``_extra``.

    The columns are fixed when the export starts (the models' fields plus any other field of
    the first page), so a resumed export appends rows to the same header. The cells are the
    server's values, in the shape the model declares: a nested object sent in another of its
    documented shapes is read through the converter (:func:`reread`).
    """

    def __init__(self, model: type[Model], columns: Sequence[str]) -> None:
        self.columns = tuple(columns)
        self._known = frozenset(self.columns)
        # A null nested object (``room_insights`` of a recording that was no live call) is
        # its dotted columns left empty, not a column or an extra field of its own.
        self._parents = parents(self.columns)
        self._nested = nested_fields(model)
        self._buffer = io.StringIO()
        self._csv = csv.writer(self._buffer, lineterminator="\n")

    @staticmethod
    def columns_for(model: type[Model], first_page: Iterable[dict[str, Any]]) -> list[str]:
        """``model``'s columns, then the first page's other fields, then ``_extra``."""
        columns = list(wire_columns(model))
        seen = set(columns) | parents(columns)
        nested = nested_fields(model)
        for record in first_page:
            for name in leaves(reread(record, nested)):
                if name not in seen:
                    seen.add(name)
                    columns.append(name)
        columns.append(EXTRA_COLUMN)
        return columns

    def header(self) -> bytes:
        """The header row (a new export only)."""
        self._csv.writerow(self.columns)
        return self._take()

    def encode(self, records: Sequence[Any]) -> list[Chunk]:
        """One row per record.

        Raises:
            errors.ResponseDecodeError: a record nests too deep for a CSV cell's JSON (orjson
                writes 254 levels at most) or to be read at all; the export stops there,
                resumably.
        """
        for record in records:
            try:
                self._csv.writerow(self._row(*as_dicts((record,))))
            except (TypeError, ValueError, RecursionError):
                raise ResponseDecodeError(
                    "a record nests too deep to be written as CSV (export it as JSONL)",
                    method="GET",
                ) from None
        return [self._take()]

    def _row(self, record: dict[str, Any]) -> list[str]:
        flat = leaves(reread(record, self._nested))
        extra = {
            k: v
            for k, v in flat.items()
            if k not in self._known and not (v is None and k in self._parents)
        }
        row = [_cell(flat.get(column)) for column in self.columns[:-1]]
        row.append(orjson.dumps(extra).decode() if extra else "")
        return row

    def _take(self) -> bytes:
        data = self._buffer.getvalue().encode("utf-8")
        self._buffer.seek(0)
        self._buffer.truncate()
        return data
