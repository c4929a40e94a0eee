"""Helpers the suites share (one copy, so they cannot drift)."""

from __future__ import annotations

from typing import Any

from screendesk_async import AsyncScreendesk, models
from screendesk_async._config import ClientConfig


def recording_matches(recording: object, raw: dict[str, Any]) -> None:
    """``recording`` is the structured form of the server's ``raw`` recording."""
    assert isinstance(recording, models.Recording)
    assert recording.title == raw["title"]
    assert recording.metadata is not None
    assert recording.metadata.created_at is not None
    assert recording.metadata.created_at.tzinfo is not None
    assert recording.metadata.duration == raw["metadata"]["duration"]
    assert recording.user is not None
    assert recording.user.email == raw["user"]["email"]


def config_of(token: str | None = None, **settings: Any) -> ClientConfig:
    """The configuration the client resolves from these arguments (its one declaration)."""
    return AsyncScreendesk(token, **settings)._transport.config
