"""Arrow's reader gives the table the models give, and falls back to them wherever it must."""

from __future__ import annotations

from typing import Any

import attrs
import orjson
import pyarrow as pa
import pytest

from screendesk_async import models
from screendesk_async.dlt import _wire, arrow_schema, to_table
from screendesk_async.models._converter import structure_list
from screendesk_async.testing import FakeScreendesk


def _lines(records: list[Any]) -> bytes:
    return b"".join(orjson.dumps(record) + b"\n" for record in records)


def _by_models(cls: type, records: list[Any], key: str | None) -> pa.Table:
    """The table through the models: their own columns, then the unknown fields'."""
    table = _wire.table_of_records(cls, records, key)
    declared = to_table(cls, structure_list(records, cls), key)
    assert table.select(declared.column_names).equals(declared)
    return table


def _recording(**fields: Any) -> dict[str, Any]:
    raw = FakeScreendesk(recordings=1, seed=3).recordings_raw()[0]
    return {**raw, **fields}


def test_the_fake_recordings_read_by_arrow_equal_the_models() -> None:
    raw = FakeScreendesk(recordings=300, page_size=100, seed=4).recordings_raw()
    assert any(r.get("room_insights") for r in raw)  # participants_insights are covered
    table = _wire.read_lines(models.Recording, _lines(raw), "uuid")
    assert table is not None  # the fast path, not the fallback
    assert table.equals(_by_models(models.Recording, raw, "uuid"))
    declared = arrow_schema(models.Recording, "uuid")
    assert table.schema.names == [*declared.names, "tags"]  # the field no model knows
    assert table.select(declared.names).schema == declared


def _insight(**fields: Any) -> dict[str, Any]:
    return {"participant_id": "p1", "joined_at": "2026-01-01T10:00:00+02:00", **fields}


def _room(*entries: Any) -> dict[str, Any]:
    return {"started_at": "2026-01-01T10:00:00Z", "participants_insights": list(entries)}


@pytest.mark.parametrize(
    "record",
    [
        # What Arrow accepts, as the models read it:
        _recording(unknown_field={"a": [1]}, metadata={}),
        {"title": "no uuid at all"},  # a missing identifier reads as ""
        _recording(room_insights=_room(_insight(), None, _insight(role="host"))),
        _recording(room_insights=_room()),
        _recording(room_insights={"participants_insights": None}),
        _recording(customer=None, user={"email": None, "name": "N"}),
        _recording(room_insights={"total_participant_minutes": 5}),  # an int for a float
        # What Arrow refuses, and the models read value by value (as null where they cannot):
        _recording(title=5),
        _recording(metadata={"duration": "12"}),
        _recording(metadata={"duration": 1.5}),
        _recording(metadata="not an object"),
        _recording(metadata={"helpdesk_info": []}),
        _recording(room_insights=_room(_insight(), 7, "x")),
        _recording(room_insights=_room(_insight(joined_at=12))),
        _recording(room_insights={"participants_insights": {"not": "a list"}}),
        _recording(room_insights={"total_unique_participants": True}),
        _recording(uuid=None),
    ],
)
def test_any_record_gives_the_models_table(record: dict[str, Any]) -> None:
    raw = [_recording(uuid="first"), record]
    table = _wire.table_of_lines(models.Recording, _lines(raw), "uuid")
    assert table.equals(_by_models(models.Recording, raw, "uuid"))


@pytest.mark.parametrize(
    "stamp",
    [
        "2026-01-01T01:09:06+05:30",
        "2026-01-01T01:09:06Z",
        "2026-01-01T01:09:06",
        "2026-01-01T01:09:06.123Z",
        "2026-01-01T01:09:06.123456-03:00",
        "2026-01-01T01:09:06.1234567Z",
        "2026-01-01 01:09:06",
        "2026-01-01",
        "2026-01-01T01:09",
        "20260101T010906Z",
        "2026-13-01T00:00:00Z",
        "garbage",
        "",
    ],
)
def test_every_timestamp_spelling_reads_as_the_models_read_it(stamp: str) -> None:
    raw = [
        _recording(
            metadata={"updated_at": stamp},
            room_insights=_room(_insight(joined_at=stamp, left_at=None)),
        )
    ]
    table = _wire.table_of_lines(models.Recording, _lines(raw), "uuid")
    assert table.equals(_by_models(models.Recording, raw, "uuid"))


@attrs.frozen(kw_only=True)
class _Tags:
    key: str = ""
    tags: list[str] | None = None


def test_only_models_the_reader_can_follow_are_read_by_arrow() -> None:
    assert _wire.supports(models.Recording)
    assert not _wire.supports(models.User)  # an older spelling (has_avatar)
    assert not _wire.supports(models.ScimUser)  # it keeps what it does not name
    assert not _wire.supports(_Tags)  # a list of scalars
    users = [{"email": "a@x.io", "has_avatar": True}, {"email": "b@x.io", "name": "B"}]
    assert _wire.read_lines(models.User, _lines(users), "email") is None
    table = _wire.table_of_lines(models.User, _lines(users), "email")
    assert table.equals(_by_models(models.User, users, "email"))
    assert table.column("has_profile_picture").to_pylist() == [True, None]


def test_a_line_that_is_no_json_is_an_error() -> None:
    with pytest.raises(orjson.JSONDecodeError):
        _wire.table_of_lines(models.Recording, b'{"uuid": "a"}\n{"uuid": <html>\n', "uuid")


@pytest.mark.parametrize(
    "tags",
    [["plain", "é ü 日本"], [], None, ['a "quote"', "back\\slash"], ["tab\there", "nl\n"], ["x"]],
)
def test_an_unknown_list_of_strings_is_the_json_the_api_sent(tags: Any) -> None:
    raw = [_recording(uuid=f"r{n}", tags=tags if n else ["first"]) for n in range(3)]
    table = _wire.table_of_lines(models.Recording, _lines(raw), "uuid")
    assert table.equals(_by_models(models.Recording, raw, "uuid"))
    texts = table.column("tags").to_pylist()
    assert [None if text is None else orjson.loads(text) for text in texts] == [
        r["tags"] for r in raw
    ]
