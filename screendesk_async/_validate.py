"""Argument checks that run before any request is sent (they raise ``ValueError``)."""

from __future__ import annotations

import re
from typing import Final

_UUID: Final = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
# SCIM ids are opaque, but an empty one, one with control characters or an absurdly long one
# can only be a caller's bug, and "." / ".." would change the path's meaning.
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
_MAX_ID_LENGTH: Final = 1024


def recording_uuid(value: object) -> str:
    """Return ``value`` if it is a canonical UUID string (``8-4-4-4-12`` hex digits)."""
    if not isinstance(value, str) or not _UUID.fullmatch(value):
        raise ValueError(f"not a well-formed recording uuid: {value!r}")
    return value


def opaque_id(value: object, *, what: str = "id") -> str:
    """Return ``value`` if it can be a SCIM id or externalId."""
    if (
        not isinstance(value, str)
        or not value.strip()
        or value in (".", "..")
        or len(value) > _MAX_ID_LENGTH
        or _CONTROL.search(value)
    ):
        raise ValueError(f"not a well-formed {what}: {value!r}")
    return value


def email(value: object) -> str:
    """Return ``value`` if it looks like an email address (``local@domain``)."""
    if (
        not isinstance(value, str)
        or value.count("@") != 1
        or value.startswith("@")
        or value.endswith("@")
        or _CONTROL.search(value)
        or any(ch.isspace() for ch in value)
    ):
        raise ValueError(f"not a well-formed email address: {value!r}")
    return value


def positive_int(value: object, name: str) -> int:
    """Return ``value`` if it is an ``int`` >= 1 (``bool`` is refused)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    return value


def optional_positive_int(value: object, name: str) -> int | None:
    """Like :func:`positive_int`, but ``None`` passes."""
    return None if value is None else positive_int(value, name)


def page_range(first_page: object, last_page: object) -> tuple[int, int | None]:
    """Check an inclusive ``first_page``..``last_page`` range (``last_page`` may be ``None``)."""
    first = positive_int(first_page, "first_page")
    last = optional_positive_int(last_page, "last_page")
    if last is not None and last < first:
        raise ValueError(f"last_page ({last}) must be >= first_page ({first})")
    return first, last
