"""The checkpoint beside a partial export: whose export it is, what is durable, how to go on."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from pathlib import Path
from typing import Any, Final

import attrs
import msgspec
import orjson

from ..errors import ExportError
from ._files import open_existing, replace_new

#: 2: the checkpoint records the server and a salted hash of the token it was made with.
VERSION: Final = 2
#: Ids remembered for dropping duplicates (records shifted across a page boundary while the
#: listing changed); constant memory whatever the size of the export.
RECENT_IDS: Final = 50_000
#: Of those, how many are saved in the checkpoint (enough for several pages of drift).
SAVED_IDS: Final = 2_000
#: A checkpoint is a few tens of KiB (the saved ids); anything far larger is not one.
_MAX_SIZE: Final = 16 << 20


def token_digest(salt: str, token: str) -> str:
    """A salted SHA-256 of ``token``: tells two tokens apart without keeping either."""
    return hashlib.sha256(bytes.fromhex(salt) + token.encode()).hexdigest()


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
        base_url: The API the records come from (REST or SCIM base URL).
        token_salt, token_sha256: The token they were read with, as a salted hash (never the
            token): a resume with another account's token would mix two accounts in one file.
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
    base_url: str = ""
    token_salt: str = ""
    token_sha256: str = ""
    version: int = VERSION

    def sign(self, base_url: str, token: str) -> None:
        """Record the API and the token this export reads with (a new salt, the hash)."""
        self.base_url = base_url
        self.token_salt = secrets.token_hex(16)
        self.token_sha256 = token_digest(self.token_salt, token)

    def mismatch(self, base_url: str, token: str) -> str | None:
        """How a resume with ``base_url`` and ``token`` differs from this export; None if not."""
        if base_url != self.base_url:
            return f"it reads from {self.base_url}, not {base_url}"
        try:
            same = hmac.compare_digest(token_digest(self.token_salt, token), self.token_sha256)
        except ValueError:  # not a salt at all
            same = False
        return None if same else "it was made with another token (another account?)"

    def save(self, path: Path) -> None:
        """Write atomically: a crash leaves the old checkpoint or the new one, never half.

        The temporary file is created anew (a link planted in its place is removed, never
        written through); the rename replaces ``path`` itself, never a link's target.
        """
        # Not recursive: asdict would copy every id one by one, only to keep the last few.
        data = attrs.asdict(self, recurse=False)
        data["recent_ids"] = self.recent_ids[-SAVED_IDS:]
        temporary = path.with_name(path.name + ".tmp")
        with os.fdopen(replace_new(temporary), "wb") as stream:
            stream.write(orjson.dumps(data))
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)

    @classmethod
    def load(cls, path: Path) -> Checkpoint:
        """Read a checkpoint, or raise ``ExportError`` saying what is wrong with it."""
        try:
            with os.fdopen(open_existing(path, os.O_RDONLY), "rb") as stream:
                data: Any = orjson.loads(stream.read(_MAX_SIZE))
            if not isinstance(data, dict) or data.get("version") != VERSION:
                raise ValueError(
                    "written by another version of screendesk_async; --force to start over"
                )
            # Strict: a field of the wrong type (a hand edit, another program) is named here,
            # not met later as a TypeError; orjson above already bounds the nesting.
            return msgspec.convert(data, cls)
        except FileNotFoundError:
            raise ExportError(f"nothing to resume: {path} does not exist") from None
        except (ValueError, TypeError) as exc:
            raise ExportError(f"unreadable checkpoint {path}: {exc}") from None

    @staticmethod
    def remove(path: Path) -> None:
        """Delete a checkpoint if it exists."""
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
