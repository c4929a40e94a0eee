"""Recordings (``/api/v2/recordings``), field for field as the API documents them."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Final

import attrs

from ._base import Model


class RecordingType:
    """Values of ``RecordingMetadata.recording_type`` seen in the docs; others are kept as sent.

    The docs mark it as an enum without publishing its values; their example is ``"Received"``.
    """

    RECEIVED: Final = "Received"


@attrs.frozen(kw_only=True)
class HelpdeskInfo(Model):
    """The helpdesk conversation or ticket a recording belongs to (``{}`` → every field None)."""

    platform: str | None = None
    conversation_id: str | None = None
    ticket_id: str | None = None
    user_id: str | None = None
    operator_id: str | None = None
    customer_id: str | None = None
    issue_id: str | None = None


@attrs.frozen(kw_only=True)
class RecordingMetadata(Model):
    """Timestamps, duration (seconds), views, origin and helpdesk of a recording."""

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
    """Where the recorded customer was: vendor, IP address, timezone, network type and ISP."""

    vendor: str | None = None
    ip_address: str | None = None
    timezone: str | None = None
    network_type: str | None = None
    isp: str | None = None


@attrs.frozen(kw_only=True)
class Customer(Model):
    """The customer who was recorded."""

    email: str | None = None


@attrs.frozen(kw_only=True)
class RecordingUser(Model):
    """The Screendesk user (agent) the recording belongs to."""

    email: str | None = None
    name: str | None = None


@attrs.frozen(kw_only=True)
class ParticipantInsight(Model):
    """One participant of a live call."""

    participant_id: str | None = None
    display_name: str | None = None
    role: str | None = None
    browser: str | None = None
    os: str | None = None
    device: str | None = None
    device_type: str | None = None
    user_agent: str | None = None
    joined_at: datetime | None = None
    left_at: datetime | None = None


@attrs.frozen(kw_only=True)
class RoomInsights(Model):
    """Insights of a live call (``None`` on recordings that were not live calls)."""

    started_at: datetime | None = None
    ended_at: datetime | None = None
    duration: int | None = None
    total_participant_minutes: float | None = None
    total_unique_participants: int | None = None
    participants_insights: list[ParticipantInsight] | None = None


@attrs.frozen(kw_only=True)
class Recording(Model):
    """A screen recording.

    ``uuid`` identifies it; every other field may be ``None`` when the API omits it.
    """

    _wire_identifier: ClassVar[str] = "uuid"

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
