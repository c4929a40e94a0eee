"""Recordings (``/api/v2/recordings``)."""

from __future__ import annotations

from datetime import datetime
from typing import Final

import attrs

from ._base import Model


class RecordingType:
    """Known values of ``RecordingMetadata.recording_type``; others are kept as sent."""

    RECEIVED: Final = "Received"
    SENT: Final = "Sent"
    LIVE: Final = "Live"


@attrs.frozen(kw_only=True)
class HelpdeskInfo(Model):
    """The helpdesk ticket a recording is attached to (may be empty)."""

    platform: str | None = None
    ticket_id: str | None = None
    ticket_url: str | None = None


@attrs.frozen(kw_only=True)
class RecordingMetadata(Model):
    """Timestamps, duration (seconds), views and origin of a recording."""

    created_at: datetime | None = None
    updated_at: datetime | None = None
    duration: int | None = None
    impressions_count: int | None = None
    recording_type: str | None = None
    recording_source: str | None = None
    url: str | None = None
    helpdesk_info: HelpdeskInfo | None = None


@attrs.frozen(kw_only=True)
class TechnicalDetails(Model):
    """The recorded customer's browser, system and screen."""

    browser: str | None = None
    browser_version: str | None = None
    os: str | None = None
    os_version: str | None = None
    device_type: str | None = None
    screen_resolution: str | None = None
    user_agent: str | None = None


@attrs.frozen(kw_only=True)
class Customer(Model):
    """The customer who was recorded."""

    name: str | None = None
    email: str | None = None


@attrs.frozen(kw_only=True)
class RecordingUser(Model):
    """The Screendesk user (agent) the recording belongs to."""

    name: str | None = None
    email: str | None = None


@attrs.frozen(kw_only=True)
class ParticipantInsight(Model):
    """One participant of a live call."""

    name: str | None = None
    email: str | None = None
    role: str | None = None
    joined_at: datetime | None = None
    left_at: datetime | None = None
    talk_time: int | None = None
    talk_ratio: float | None = None


@attrs.frozen(kw_only=True)
class RoomInsights(Model):
    """Insights of a live call (``None`` on recordings that were not live calls)."""

    duration: int | None = None
    participants_count: int | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    participants_insights: list[ParticipantInsight] | None = None


@attrs.frozen(kw_only=True)
class Recording(Model):
    """A screen recording.

    ``uuid`` identifies it; every other field may be ``None`` when the API omits it.
    """

    uuid: str = ""
    title: str | None = None
    summary: str | None = None
    description: str | None = None
    metadata: RecordingMetadata | None = None
    technical_details: TechnicalDetails | None = None
    console_logs: str | None = None
    customer: Customer | None = None
    user: RecordingUser | None = None
    room_insights: RoomInsights | None = None
