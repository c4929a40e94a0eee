"""Typed asyncio client for the Screendesk API (REST v2 and SCIM 2.0), with a sync facade.

Example::

    from screendesk_async import AsyncScreendesk

    async with AsyncScreendesk() as sd:          # token from $SCREENDESK_API_TOKEN
        async for recording in sd.recordings.list(concurrency=8):
            print(recording.uuid, recording.title)
"""

from __future__ import annotations

from . import errors, models
from ._client import AsyncScreendesk
from ._logging import RedactingFilter
from ._sync import Screendesk
from ._types import NOT_GIVEN, NotGiven
from ._version import __version__

__all__ = [
    "NOT_GIVEN",
    "AsyncScreendesk",
    "NotGiven",
    "RedactingFilter",
    "Screendesk",
    "__version__",
    "errors",
    "models",
]
