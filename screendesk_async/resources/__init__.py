"""The resource classes behind ``sd.recordings``, ``sd.users`` and ``sd.scim.users``."""

from __future__ import annotations

from .recordings import AsyncRecordings
from .users import AsyncUsers

__all__ = ["AsyncRecordings", "AsyncUsers"]
