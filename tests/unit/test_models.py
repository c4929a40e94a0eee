"""Models and the converter: every documented shape, leniency, and the wire format back.

The SCIM user's own shapes are in ``test_scim_models.py``.
"""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest

from screendesk_async import models
from screendesk_async.models import converter

UUID = "0f8fad5b-d9cb-469f-a165-70867728950e"


def recording_json() -> dict[str, Any]:
    return {
        "uuid": UUID,
        "title": "Checkout fails",
        "summary": "The pay button does nothing",
        "description": None,
        "metadata": {
            "created_at": "2024-05-01T10:00:00Z",
            "updated_at": "2024-05-01T12:00:00+02:00",
            "duration": 93,
            "impressions_count": 4,
            "recording_type": "Received",
            "recording_source": "Zendesk Ticket",
            "url": "https://app.screendesk.io/recordings/x",
            "helpdesk_info": {
                "platform": "zendesk",
                "conversation_id": None,
                "ticket_id": "1234",
                "user_id": "u-1",
                "operator_id": "op-7",
                "customer_id": "c-9",
                "issue_id": None,
                "brand_new_field": {"x": 1},
            },
        },
        "technical_details": {
            "vendor": "Google Inc.",
            "ip_address": "203.0.113.7",
            "timezone": "Europe/Berlin",
            "network_type": "wifi",
            "isp": "Deutsche Telekom AG",
        },
        "console_logs": "TypeError: x is undefined",
        "customer": {"email": "grace@example.com"},
        "user": {"name": "Ada", "email": "ada@example.com"},
        "room_insights": {
            "started_at": "2024-05-01T10:00:00Z",
            "ended_at": "2024-05-01T10:10:00Z",
            "duration": 600,
            "total_participant_minutes": 19.5,
            "total_unique_participants": 2,
            "participants_insights": [
                {
                    "participant_id": "p-1",
                    "display_name": "Ada",
                    "role": "host",
                    "browser": "Chrome",
                    "os": "macOS",
                    "device": "MacBook Pro",
                    "device_type": "desktop",
                    "user_agent": "Mozilla/5.0",
                    "joined_at": "2024-05-01T10:00:00Z",
                    "left_at": "2024-05-01T10:10:00Z",
                },
                {"participant_id": 2, "display_name": None, "role": "brand-new-role"},
            ],
        },
        "some_future_field": [1, 2, 3],
    }


def test_full_recording_structures() -> None:
    rec = models.Recording.from_dict(recording_json())
    assert isinstance(rec, models.Recording)
    assert rec.uuid == UUID
    assert rec.title == "Checkout fails"
    assert rec.description is None
    assert rec.console_logs == "TypeError: x is undefined"

    meta = rec.metadata
    assert isinstance(meta, models.RecordingMetadata)
    assert meta.duration == 93
    assert meta.impressions_count == 4
    assert meta.recording_type == models.RecordingType.RECEIVED
    assert meta.recording_source == "Zendesk Ticket"
    assert meta.helpdesk_info == models.HelpdeskInfo(
        platform="zendesk", ticket_id="1234", user_id="u-1", operator_id="op-7", customer_id="c-9"
    )
    assert rec.technical_details == models.TechnicalDetails(
        vendor="Google Inc.",
        ip_address="203.0.113.7",
        timezone="Europe/Berlin",
        network_type="wifi",
        isp="Deutsche Telekom AG",
    )
    assert rec.customer == models.Customer(email="grace@example.com")
    assert rec.user == models.RecordingUser(name="Ada", email="ada@example.com")

    room = rec.room_insights
    assert isinstance(room, models.RoomInsights)
    assert room.duration == 600
    assert room.total_participant_minutes == 19.5
    assert room.total_unique_participants == 2
    assert room.participants_insights is not None
    first, second = room.participants_insights
    assert isinstance(first, models.ParticipantInsight)
    assert (first.participant_id, first.display_name, first.device) == ("p-1", "Ada", "MacBook Pro")
    assert (first.browser, first.os, first.device_type) == ("Chrome", "macOS", "desktop")
    assert first.joined_at == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    assert second.participant_id == "2"
    assert second.role == "brand-new-role"
    assert second.display_name is None


def test_recording_with_empty_helpdesk_info_and_null_room_insights() -> None:
    data = recording_json()
    data["metadata"]["helpdesk_info"] = {}
    data["room_insights"] = None
    rec = models.Recording.from_dict(data)
    assert rec.metadata is not None
    assert rec.metadata.helpdesk_info == models.HelpdeskInfo()
    assert rec.room_insights is None


def test_minimal_recording_missing_and_null_are_none() -> None:
    missing = models.Recording.from_dict({"uuid": UUID})
    nulls = models.Recording.from_dict(
        {
            "uuid": UUID,
            "title": None,
            "summary": None,
            "metadata": None,
            "technical_details": None,
            "customer": None,
            "user": None,
            "room_insights": None,
        }
    )
    assert missing == nulls == models.Recording(uuid=UUID)
    assert missing.title is None
    assert missing.metadata is None
    meta = models.RecordingMetadata.from_dict({"duration": None, "created_at": None})
    assert meta == models.RecordingMetadata()


def test_null_identifier_is_not_the_string_none() -> None:
    assert models.Recording.from_dict({"uuid": None}).uuid == ""
    assert models.User.from_dict({"email": None}).email == ""


def test_timestamps_are_aware_and_exact() -> None:
    rec = models.Recording.from_dict(recording_json())
    assert rec.metadata is not None
    created, updated = rec.metadata.created_at, rec.metadata.updated_at
    assert created is not None
    assert updated is not None
    assert created.tzinfo is not None
    assert updated.tzinfo is not None
    assert created == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    assert updated == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)  # 12:00+02:00 is 10:00Z
    assert updated.utcoffset() == timedelta(hours=2)
    assert updated == datetime(2024, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-01T10:00:00", datetime(2024, 5, 1, 10, 0, tzinfo=UTC)),
        ("2024-05-01T10:00:00.123456Z", datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=UTC)),
        ("2024-05-01T10:00:00-05:00", datetime(2024, 5, 1, 15, 0, tzinfo=UTC)),
        ("2024-05-01", datetime(2024, 5, 1, tzinfo=UTC)),
        ("yesterday", None),
        ("2024-13-45T99:00:00Z", None),
        ("", None),
        (None, None),
        ([], None),
        (True, None),
    ],
)
def test_timestamp_parsing(value: Any, expected: datetime | None) -> None:
    meta = models.RecordingMetadata.from_dict({"created_at": value})
    assert meta.created_at == expected
    if meta.created_at is not None:
        assert meta.created_at.tzinfo is not None


def test_unknown_fields_ignored() -> None:
    user = models.User.from_dict({"email": "a@b.c", "favourite_colour": "green", "x": {"y": 1}})
    assert user == models.User(email="a@b.c")


def test_unknown_enum_values_kept_as_strings() -> None:
    meta = models.RecordingMetadata.from_dict({"recording_type": "Hologram"})
    assert meta.recording_type == "Hologram"
    user = models.User.from_dict({"email": "a@b.c", "role": "editor"})
    assert user.role == "editor"
    assert models.User.from_dict({"email": "a@b.c", "role": "admin"}).role == models.Role.ADMIN


def test_unreadable_numbers_become_none_and_strings_are_read() -> None:
    meta = models.RecordingMetadata.from_dict({"duration": "12", "impressions_count": "many"})
    assert meta.duration == 12
    assert meta.impressions_count is None
    room = models.RoomInsights.from_dict(
        {"total_unique_participants": 3.0, "total_participant_minutes": "n/a", "duration": "7"}
    )
    assert (room.total_unique_participants, room.duration) == (3, 7)
    assert room.total_participant_minutes is None
    assert models.RoomInsights.from_dict({"total_participant_minutes": "2.5"}) == (
        models.RoomInsights(total_participant_minutes=2.5)
    )


def test_pagination_from_field() -> None:
    data = {
        "count": 250,
        "page": 2,
        "items": 100,
        "pages": 3,
        "next_page": 3,
        "prev_page": 1,
        "last_page": 3,
        "from": 101,
        "to": 200,
    }
    pagination = models.Pagination.from_dict(data)
    assert pagination.from_ == 101
    assert pagination.to == 200
    assert pagination.next_page == 3
    out = pagination.to_dict()
    assert out["from"] == 101
    assert "from_" not in out
    assert out == data


def test_pagination_omitted_and_null_fields() -> None:
    pagination = models.Pagination.from_dict({"page": 1, "prev_page": None})
    assert pagination.prev_page is None
    assert pagination.next_page is None
    assert pagination.from_ is None


def test_user_new_spellings() -> None:
    user = models.User.from_dict(
        {
            "email": "ada@example.com",
            "name": "Ada",
            "has_profile_picture": True,
            "role": "admin",
            "notifications": {
                "notify_first_view": "Enabled",
                "notify_all_recordings": "Disabled",
                "notify_own_recordings": "Enabled",
            },
            "created_at": "2023-01-02T03:04:05Z",
        }
    )
    assert user.has_profile_picture is True
    assert user.notifications == models.UserNotifications(
        notify_first_view=models.NotificationSetting.ENABLED,
        notify_all_recordings=models.NotificationSetting.DISABLED,
        notify_own_recordings=models.NotificationSetting.ENABLED,
    )
    assert user.created_at == datetime(2023, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_user_legacy_spellings() -> None:
    user = models.User.from_dict(
        {
            "email": "ada@example.com",
            "has_avatar": True,
            "notifications": {
                "notify_first_view": "Disabled",
                "notify_new_account_recording": "Enabled",
                "notify_new_recording": "Disabled",
            },
        }
    )
    assert user.has_profile_picture is True
    assert user.notifications == models.UserNotifications(
        notify_first_view="Disabled",
        notify_all_recordings="Enabled",
        notify_own_recordings="Disabled",
    )


def test_user_new_spelling_wins_over_legacy() -> None:
    user = models.User.from_dict(
        {
            "email": "a@b.c",
            "has_profile_picture": False,
            "has_avatar": True,
            "notifications": {
                "notify_all_recordings": "Disabled",
                "notify_new_account_recording": "Enabled",
            },
        }
    )
    assert user.has_profile_picture is False
    assert user.notifications is not None
    assert user.notifications.notify_all_recordings == "Disabled"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        ("true", True),
        ("false", False),
        ("False", False),
        (1, True),
        (0, False),
        (None, None),
        ("maybe", None),
    ],
)
def test_bool_fields(value: Any, expected: bool | None) -> None:
    user = models.User.from_dict({"email": "a", "has_profile_picture": value})
    assert user.has_profile_picture is expected
    assert models.ScimUser.from_dict({"active": value}).active is expected


def test_frozen_slotted_kw_only_defaults() -> None:
    classes = [
        getattr(models, name)
        for name in models.__all__
        if inspect.isclass(getattr(models, name)) and attrs.has(getattr(models, name))
    ]
    assert models.Recording in classes
    assert models.ScimUser in classes
    assert models.Page in classes
    for cls in classes:
        instance = cls()  # every field has a default
        assert not hasattr(instance, "__dict__"), cls
        for field in attrs.fields(cls):
            with pytest.raises(attrs.exceptions.FrozenInstanceError):
                setattr(instance, field.name, None)
            if cls is not models.Model:
                assert field.kw_only, (cls, field.name)


def test_positional_arguments_refused() -> None:
    with pytest.raises(TypeError):
        models.Recording(UUID)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        models.ScimRoles(True)  # type: ignore[call-arg]


def test_defaults() -> None:
    assert models.ScimUser().id is None
    assert models.ScimUser().extra == {}
    assert models.ScimRoles() == models.ScimRoles(admin=False, member=False, editor=False)
    assert models.Page().items == []
    assert models.Page().pagination is None


def test_page_iterates_and_has_len() -> None:
    recs = [models.Recording(uuid="a"), models.Recording(uuid="b")]
    page = models.Page(items=recs, pagination=models.Pagination(page=1))
    assert len(page) == 2
    assert list(page) == recs
    assert [r.uuid for r in page] == ["a", "b"]
    assert len(models.Page[models.Recording]()) == 0


def test_recording_round_trip() -> None:
    rec = models.Recording.from_dict(recording_json())
    out = rec.to_dict()
    assert out["uuid"] == UUID
    assert out["metadata"]["helpdesk_info"]["platform"] == "zendesk"
    assert "some_future_field" not in out
    assert datetime.fromisoformat(out["metadata"]["created_at"]) == datetime(
        2024, 5, 1, 10, 0, tzinfo=UTC
    )
    assert models.Recording.from_dict(out) == rec


def test_converter_is_the_one_used() -> None:
    page = converter.structure({"items": [{"uuid": "a"}]}, models.Page[models.Recording])
    assert page.items == [models.Recording(uuid="a")]
    assert converter.unstructure(models.Pagination(from_=1))["from"] == 1
