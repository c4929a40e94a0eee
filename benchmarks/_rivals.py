"""``models.Recording`` and its nested classes again, as pydantic v2 models and msgspec Structs.

Same fields, same types, same defaults (every field optional, ``None`` by default, timestamps as
``datetime``), frozen like the attrs models; unknown fields are ignored by all three. Only the
leniency differs: our converter turns a bad timestamp or number into ``None``, where pydantic
and msgspec reject the whole list (the fake's data has none).
"""

from __future__ import annotations

from datetime import datetime

import msgspec
import pydantic

# -- pydantic v2 -------------------------------------------------------------------------------
_FROZEN = pydantic.ConfigDict(frozen=True)


class PdHelpdeskInfo(pydantic.BaseModel):
    model_config = _FROZEN

    platform: str | None = None
    conversation_id: str | None = None
    ticket_id: str | None = None
    user_id: str | None = None
    operator_id: str | None = None
    customer_id: str | None = None
    issue_id: str | None = None


class PdRecordingMetadata(pydantic.BaseModel):
    model_config = _FROZEN

    created_at: datetime | None = None
    updated_at: datetime | None = None
    duration: int | None = None
    impressions_count: int | None = None
    recording_type: str | None = None
    recording_source: str | None = None
    url: str | None = None
    helpdesk_info: PdHelpdeskInfo | None = None


class PdTechnicalDetails(pydantic.BaseModel):
    model_config = _FROZEN

    vendor: str | None = None
    ip_address: str | None = None
    timezone: str | None = None
    network_type: str | None = None
    isp: str | None = None


class PdCustomer(pydantic.BaseModel):
    model_config = _FROZEN

    email: str | None = None


class PdRecordingUser(pydantic.BaseModel):
    model_config = _FROZEN

    email: str | None = None
    name: str | None = None


class PdParticipantInsight(pydantic.BaseModel):
    model_config = _FROZEN

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


class PdRoomInsights(pydantic.BaseModel):
    model_config = _FROZEN

    started_at: datetime | None = None
    ended_at: datetime | None = None
    duration: int | None = None
    total_participant_minutes: float | None = None
    total_unique_participants: int | None = None
    participants_insights: list[PdParticipantInsight] | None = None


class PdRecording(pydantic.BaseModel):
    model_config = _FROZEN

    uuid: str = ""
    title: str | None = None
    summary: str | None = None
    description: str | None = None
    metadata: PdRecordingMetadata | None = None
    technical_details: PdTechnicalDetails | None = None
    console_logs: str | None = None
    customer: PdCustomer | None = None
    user: PdRecordingUser | None = None
    room_insights: PdRoomInsights | None = None


# -- msgspec ------------------------------------------------------------------------------------
class MsHelpdeskInfo(msgspec.Struct, kw_only=True, frozen=True):
    platform: str | None = None
    conversation_id: str | None = None
    ticket_id: str | None = None
    user_id: str | None = None
    operator_id: str | None = None
    customer_id: str | None = None
    issue_id: str | None = None


class MsRecordingMetadata(msgspec.Struct, kw_only=True, frozen=True):
    created_at: datetime | None = None
    updated_at: datetime | None = None
    duration: int | None = None
    impressions_count: int | None = None
    recording_type: str | None = None
    recording_source: str | None = None
    url: str | None = None
    helpdesk_info: MsHelpdeskInfo | None = None


class MsTechnicalDetails(msgspec.Struct, kw_only=True, frozen=True):
    vendor: str | None = None
    ip_address: str | None = None
    timezone: str | None = None
    network_type: str | None = None
    isp: str | None = None


class MsCustomer(msgspec.Struct, kw_only=True, frozen=True):
    email: str | None = None


class MsRecordingUser(msgspec.Struct, kw_only=True, frozen=True):
    email: str | None = None
    name: str | None = None


class MsParticipantInsight(msgspec.Struct, kw_only=True, frozen=True):
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


class MsRoomInsights(msgspec.Struct, kw_only=True, frozen=True):
    started_at: datetime | None = None
    ended_at: datetime | None = None
    duration: int | None = None
    total_participant_minutes: float | None = None
    total_unique_participants: int | None = None
    participants_insights: list[MsParticipantInsight] | None = None


class MsRecording(msgspec.Struct, kw_only=True, frozen=True):
    uuid: str = ""
    title: str | None = None
    summary: str | None = None
    description: str | None = None
    metadata: MsRecordingMetadata | None = None
    technical_details: MsTechnicalDetails | None = None
    console_logs: str | None = None
    customer: MsCustomer | None = None
    user: MsRecordingUser | None = None
    room_insights: MsRoomInsights | None = None
