"""The resource classes behind ``sd.recordings``, ``sd.users`` and ``sd.scim.users``."""

from __future__ import annotations

from .recordings import AsyncRecordings
from .scim import AsyncScim, AsyncScimUsers
from .users import AsyncUsers

__all__ = ["AsyncRecordings", "AsyncScim", "AsyncScimUsers", "AsyncUsers"]
