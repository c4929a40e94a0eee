"""The fake speaks the documented API: every documented field, valid against the spec, one
unknown field per record, older-doc variants for some users and recordings."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from screendesk_async import models
from screendesk_async.export._writers import EXTRA_COLUMN, CsvWriter
from screendesk_async.models._shape import wire_columns
from screendesk_async.testing import FakeScreendesk
from tests.spec._spec import Schema, arrived, component, inlined, resolve

#: The one field per record that no client knows (forward compatibility).
UNKNOWN = {"Recording": "tags", "User": "locale"}


@pytest.fixture(scope="module")
def fake() -> FakeScreendesk:
    return FakeScreendesk(recordings=600, users=120, page_size=100, seed=11)


def _objects(value: Any, schema: Schema, path: str) -> Iterator[tuple[str, dict[str, Any], Schema]]:
    """Every (path, object, object schema) inside ``value``."""
    schema = resolve(schema)
    options = [resolve(o) for o in schema.get("anyOf", []) + schema.get("oneOf", [])]
    schema = next((o for o in options if "properties" in o), schema)
    if isinstance(value, dict) and "properties" in schema:
        yield path, value, schema
        for key, item in value.items():
            if key in schema["properties"]:
                yield from _objects(item, schema["properties"][key], f"{path}.{key}")
    elif isinstance(value, list) and "items" in schema:
        for item in value:
            yield from _objects(item, schema["items"], f"{path}[]")


def _coverage(records: list[dict[str, Any]], name: str) -> tuple[set[str], set[str], set[str]]:
    """Documented paths seen with a value, paths seen null, and undocumented keys sent."""
    valued: set[str] = set()
    nulls: set[str] = set()
    unknown: set[str] = set()
    for record in records:
        for path, obj, schema in _objects(record, component(name), name):
            for key, value in obj.items():
                if key not in schema["properties"]:
                    unknown.add(f"{path}.{key}")
                else:
                    (nulls if value is None else valued).add(f"{path}.{key}")
    return valued, nulls, unknown


def _documented(name: str) -> set[str]:
    paths: set[str] = set()

    def walk(schema: Schema, path: str) -> None:
        schema = resolve(schema)
        options = [resolve(o) for o in schema.get("anyOf", []) + schema.get("oneOf", [])]
        schema = next((o for o in options if "properties" in o), schema)
        if "items" in schema:
            walk(schema["items"], f"{path}[]")
        for key, prop in schema.get("properties", {}).items():
            paths.add(f"{path}.{key}")
            walk(prop, f"{path}.{key}")

    walk(component(name), name)
    return paths


def _valid_and_read_whole(records: list[dict[str, Any]], model: type[Any]) -> None:
    """Every record is valid against the spec's schema of ``model`` and reaches the model whole."""
    validator = jsonschema.Draft202012Validator(inlined(component(model.__name__)))
    for record in records:
        validator.validate(record)
        assert arrived(record, model.from_dict(record)) == []


def test_recordings_carry_every_documented_field_valid_against_the_spec(
    fake: FakeScreendesk,
) -> None:
    records = fake.recordings_raw()
    _valid_and_read_whole(records, models.Recording)
    valued, nulls, unknown = _coverage(records, "Recording")
    assert valued == _documented("Recording")  # every documented field, with a value
    assert unknown == {"Recording.tags"}  # and one field no client knows
    assert all(UNKNOWN["Recording"] in record for record in records)
    # Nulls where the docs allow them (live-call insights, ids a helpdesk does not use, …).
    assert {
        "Recording.room_insights",
        "Recording.summary",
        "Recording.console_logs",
        "Recording.customer.email",
        "Recording.metadata.helpdesk_info.conversation_id",
        "Recording.technical_details.network_type",
        "Recording.room_insights.participants_insights[].left_at",
    } <= nulls
    assert any(r["metadata"]["helpdesk_info"] == {} for r in records)
    assert any("room_insights" not in r for r in records)


def test_users_carry_every_documented_field_in_both_spellings(fake: FakeScreendesk) -> None:
    users = fake.users_raw()
    _valid_and_read_whole(users, models.User)
    valued, _, unknown = _coverage(users, "User")
    assert valued == _documented("User")  # newer and older spellings both appear
    assert unknown == {"User.locale"}
    assert sum("has_avatar" in user for user in users) >= len(users) // 10


def test_csv_columns_are_the_documented_fields(fake: FakeScreendesk) -> None:
    records = fake.recordings_raw(last_page=1)
    columns = CsvWriter.columns_for(models.Recording, records)
    documented = {
        path.removeprefix("Recording.")
        for path in _documented("Recording")
        if "[]" not in path and not any(p.startswith(path + ".") for p in _documented("Recording"))
    }
    assert set(wire_columns(models.Recording)) == documented
    # The documented fields first, then what the first page has besides (the unknown field; a
    # null room_insights is its dotted columns left empty, not a column of its own).
    assert columns[: len(documented)] == list(wire_columns(models.Recording))
    assert set(columns[len(documented) :]) == {"tags", EXTRA_COLUMN}
    assert any(record.get("room_insights", 0) is None for record in records)
    writer = CsvWriter(models.Recording, columns)
    data = writer.header() + b"".join(writer.encode(records))
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert len(rows) == len(records)
    assert all(row[EXTRA_COLUMN] == "" for row in rows)
    for row, record in zip(rows, records, strict=True):
        assert row["technical_details.ip_address"] == record["technical_details"]["ip_address"]
        room = record.get("room_insights") or {}
        minutes = room.get("total_participant_minutes")
        assert row["room_insights.total_participant_minutes"] == (
            "" if minutes is None else repr(minutes)
        )
