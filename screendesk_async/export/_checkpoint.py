"""The checkpoint beside a partial export: what has been durably written, and how to go on."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any, Final

import attrs
import orjson

from ..errors import ExportError

VERSION: Final = 1
#: Ids remembered for dropping duplicates (records shifted across a page boundary while the
#: listing changed); constant memory whatever the size of the export.
RECENT_IDS: Final = 50_000
#: Of those, how many are saved in the checkpoint (enough for several pages of drift).
SAVED_IDS: Final = 2_000


@attrs.define
class Checkpoint:
    """Progress of one export. Saved atomically; the partial file is cut back to ``size``.

    Attributes:
        kind, fmt: What is being exported, and how.
        first_page, last_page: The slice asked for (``last_page`` ``None`` = to the end).
        next_page: The first page not yet written.
        size: Bytes of the partial file that are durable and end on a page boundary.
        records, pages, duplicates: Counts so far.
        initial_total: The listing's record count when the export started.
        columns: The CSV columns (``None`` for JSONL).
        recent_ids: The ids of the last records written, oldest first.
    """

    kind: str
    fmt: str
    first_page: int
    last_page: int | None
    next_page: int
    size: int = 0
    records: int = 0
    pages: int = 0
    duplicates: int = 0
    initial_total: int | None = None
    columns: list[str] | None = None
    recent_ids: list[str] = attrs.field(factory=list)
    version: int = VERSION

    def save(self, path: Path) -> None:
        """Write atomically: a crash leaves the old checkpoint or the new one, never half."""
        # Not recursive: asdict would copy every id one by one, only to keep the last few.
        data = attrs.asdict(self, recurse=False)
        data["recent_ids"] = self.recent_ids[-SAVED_IDS:]
        temporary = path.with_name(path.name + ".tmp")
        with temporary.open("wb") as stream:
            stream.write(orjson.dumps(data))
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)

    @classmethod
    def load(cls, path: Path) -> Checkpoint:
        """Read a checkpoint, or raise ``ExportError`` saying what is wrong with it."""
        try:
            data: Any = orjson.loads(path.read_bytes())
            if not isinstance(data, dict) or data.get("version") != VERSION:
                raise ValueError("unknown checkpoint version")
            return cls(**data)
        except FileNotFoundError:
            raise ExportError(f"nothing to resume: {path} does not exist") from None
        except (ValueError, TypeError) as exc:
            raise ExportError(f"unreadable checkpoint {path}: {exc}") from None

    @staticmethod
    def remove(path: Path) -> None:
        """Delete a checkpoint if it exists."""
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
