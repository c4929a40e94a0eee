"""Typed asyncio client for the Screendesk API (REST v2 and SCIM 2.0), with a sync facade.

Example::

    from screendesk_async import AsyncScreendesk

    async with AsyncScreendesk() as sd:          # token from $SCREENDESK_API_TOKEN
        async for recording in sd.recordings.list(concurrency=8):
            print(recording.uuid, recording.title)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import errors, models
from ._client import AsyncScreendesk
from ._logging import RedactingFilter
from ._types import NOT_GIVEN, NotGiven
from ._version import __version__

if TYPE_CHECKING:
    from ._sync._resources import Screendesk


def __getattr__(name: str) -> Any:
    # The sync facade is imported on first use: an async app, or the command line, does not
    # pay for it at start-up.
    if name == "Screendesk":
        from ._sync._resources import Screendesk

        return Screendesk
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
