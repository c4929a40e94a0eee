"""Re-reading the head of a listing that grew during an export: which pages, which ids known.

Screendesk lists the newest records first, so records created while an export reads the
listing shift the others towards the end and appear at its head, on pages already written.
When the listing's count grew, the export reads the head pages again and writes the records it
has not written yet: their ids are read back from the start of the partial file.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import math
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from ._files import open_existing
from ._sources import Source


def head_pages(initial: int | None, final: int | None, page_items: int) -> tuple[int, int] | None:
    """``(pages to read again, ids to read back)`` when the listing grew; else None.

    >>> head_pages(100, 130, 25)
    (3, 130)
    """
    if initial is None or final is None or final <= initial or not page_items:
        return None
    added = final - initial
    pages = math.ceil(added / page_items) + 1
    return pages, (pages + 1) * page_items + added


def ids_at_head(partial: Path, source: Source, fmt: str, compressed: bool, limit: int) -> set[str]:
    """The ids of the first ``limit`` records of the partial file."""
    ids: set[str] = set()
    with contextlib.ExitStack() as files:
        raw = files.enter_context(os.fdopen(open_existing(partial, os.O_RDONLY), "rb"))
        stream: Iterable[bytes] = (
            files.enter_context(gzip.GzipFile(fileobj=raw, mode="rb")) if compressed else raw
        )
        if fmt == "csv":
            reader = csv.DictReader(line.decode("utf-8") for line in stream)
            rows: Iterator[Any] = reader
        else:
            rows = (orjson.loads(line) for line in stream if line.strip())
        for count, row in enumerate(rows):
            if count >= limit:
                break
            record_id = row.get(source.id_key)
            # An empty id (also a CSV cell of a null one) names no record: those are kept.
            if record_id is not None and record_id != "":
                ids.add(str(record_id))
    return ids
