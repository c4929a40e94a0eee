"""Writing records to the partial output file: JSONL as sent, or CSV with dotted columns."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence
from typing import IO, Any, Final, Protocol

import orjson

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


def flatten(record: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """``{"metadata": {"url": u}}`` → ``{"metadata.url": u}``; lists become JSON text.

    >>> flatten({"a": {"b": 1, "c": None}, "d": [1, 2], "e": True})
    {'a.b': '1', 'a.c': '', 'd': '[1,2]', 'e': 'true'}
    """
    flat: dict[str, str] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat.update(flatten(value, name + "."))
        elif isinstance(value, dict):
            continue  # an empty object ({} helpdesk_info) has no cells
        else:
            flat[name] = _cell(value)
    return flat


class Writer(Protocol):
    """Appends pages of records to a binary file."""

    def write(self, records: Sequence[dict[str, Any]]) -> None:
        """Append ``records``."""


class JsonlWriter:
    """One JSON object per line, exactly the fields the server sent, in its order."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream

    def write(self, records: Sequence[dict[str, Any]]) -> None:
        """Append ``records`` as lines."""
        if records:
            # Two writes rather than "+ b'\n'", which would copy the whole page once more.
            self._stream.write(b"\n".join(map(orjson.dumps, records)))
            self._stream.write(b"\n")


class CsvWriter:
    """CSV with one header row; nested fields dotted, lists as JSON, unknown fields in ``_extra``.

    The columns are fixed when the export starts (the models' fields plus any other field of
    the first page), so a resumed export appends rows to the same header.
    """

    def __init__(self, stream: IO[bytes], columns: Sequence[str]) -> None:
        self._stream = stream
        self.columns = tuple(columns)
        self._known = frozenset(self.columns)
        self._buffer = io.StringIO()
        self._csv = csv.writer(self._buffer, lineterminator="\n")

    @staticmethod
    def columns_for(known: Sequence[str], first_page: Iterable[dict[str, Any]]) -> list[str]:
        """The model's columns, then the first page's other fields, then ``_extra``."""
        columns = list(known)
        seen = set(columns)
        for record in first_page:
            for name in flatten(record):
                if name not in seen:
                    seen.add(name)
                    columns.append(name)
        columns.append(EXTRA_COLUMN)
        return columns

    def header(self) -> None:
        """Write the header row (a new export only)."""
        self._csv.writerow(self.columns)
        self._flush()

    def write(self, records: Sequence[dict[str, Any]]) -> None:
        """Append one row per record."""
        for record in records:
            flat = flatten(record)
            extra = {k: v for k, v in flat.items() if k not in self._known}
            row = [flat.get(column, "") for column in self.columns[:-1]]
            row.append(orjson.dumps(extra).decode() if extra else "")
            self._csv.writerow(row)
        self._flush()

    def _flush(self) -> None:
        self._stream.write(self._buffer.getvalue().encode("utf-8"))
        self._buffer.seek(0)
        self._buffer.truncate()


def sync_to_disk(stream: IO[bytes]) -> int:
    """Flush and fsync ``stream``; return its size, a page boundary to resume from."""
    stream.flush()
    os.fsync(stream.fileno())
    return stream.tell()
