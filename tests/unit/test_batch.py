"""Page-at-once structuring (models/_batch.py) gives exactly what the per-record hook gives."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest

from screendesk_async import models
from screendesk_async.models import _converter, converter
from screendesk_async.models._batch import BatchStructurer
from screendesk_async.models._converter import batches, structure_list
from screendesk_async.testing import FakeScreendesk

WEIRD: list[Any] = [
    None, 5, "12", 1.5, True, "", "yesterday", [], {}, {"x": 1}, "2024-05-01T10:00:00",
    [1, {"name": "x"}], "2024-05-01", "2024-05-01T10:00:00+02:00", 2**70, -3.5, "7.0",
    float("nan"),
]  # fmt: skip


def per_record(records: list[Any]) -> list[models.Recording]:
    return [converter.structure(r, models.Recording) for r in records if isinstance(r, dict)]


def fake_records(count: int = 600) -> list[dict[str, Any]]:
    return FakeScreendesk(recordings=count, page_size=100, seed=5).recordings_raw()


def test_batch_equals_per_record_on_generated_data() -> None:
    records = fake_records()
    assert any(r.get("room_insights") for r in records)
    assert any("room_insights" not in r for r in records)
    assert any(r["metadata"]["helpdesk_info"] == {} for r in records)
    assert structure_list(records, models.Recording) == per_record(records)
    page = converter.structure({"items": records}, models.Page[models.Recording])
    assert page.items == per_record(records)


def _mutate(value: Any, rng: random.Random, rate: float) -> None:
    if isinstance(value, dict):
        for key in list(value):
            roll = rng.random()
            if roll < rate / 2:
                del value[key]
            elif roll < rate:
                value[key] = rng.choice(WEIRD)
            else:
                _mutate(value[key], rng, rate)
    elif isinstance(value, list):
        for item in value:
            _mutate(item, rng, rate)


def test_batch_equals_per_record_on_malformed_data() -> None:
    records = fake_records(300)
    rng = random.Random(2)
    compared = 0
    for _ in range(400):
        page: list[Any] = copy.deepcopy(rng.sample(records, 12))
        for record in page:
            _mutate(record, rng, 0.04)
        page[3:3] = [None, "junk", 7]
        try:
            expected = per_record(page)
        except Exception:  # the per-record hook fails on some shapes: so must the batch
            # (maybe on another field of the page first, so with another exception type)
            with pytest.raises(Exception):  # noqa: B017, PT011
                structure_list(page, models.Recording)
            continue
        assert structure_list(page, models.Recording) == expected
        compared += 1
    assert compared > 100


@pytest.mark.parametrize(
    "metadata",
    [
        {"created_at": "2024-05-01T10:00:00"},  # naive: UTC
        {"created_at": "2024-05-01T10:00:00Z", "updated_at": None},
        {"created_at": "not a date", "duration": "12", "impressions_count": "many"},
        {"created_at": 1714557600, "duration": 12.0, "recording_type": 3},
    ],
)
def test_columns_with_conversions(metadata: dict[str, Any]) -> None:
    records = [{"uuid": "a", "metadata": metadata}, {"uuid": 5, "metadata": None}, {}]
    got = structure_list(records, models.Recording)
    assert got == per_record(records)
    assert got[1].uuid == "5"
    assert got[2] == models.Recording()
    created = got[0].metadata.created_at if got[0].metadata else None
    assert created is None or created.tzinfo is not None


def test_nested_lists_and_partial_objects() -> None:
    records: list[Any] = [
        {
            "uuid": "a",
            "room_insights": {"participants_insights": [{"display_name": "x"}, None, 3]},
        },
        {"uuid": "b", "room_insights": {"participants_insights": "nope"}},
        {"uuid": "c", "room_insights": {"participants_insights": []}},
        {"uuid": "d", "room_insights": None, "customer": {"email": 7}},
    ]
    got = structure_list(records, models.Recording)
    assert got == per_record(records)
    assert got[0].room_insights is not None
    assert got[0].room_insights.participants_insights == [
        models.ParticipantInsight(display_name="x")
    ]
    assert got[1].room_insights is not None
    assert got[1].room_insights.participants_insights is None
    assert got[3].customer == models.Customer(email="7")


def test_instances_are_normal_frozen_models() -> None:
    (rec,) = structure_list(
        [{"uuid": "a", "metadata": {"created_at": "2024-05-01T10:00:00Z"}}], models.Recording
    )
    assert rec == models.Recording(
        uuid="a",
        metadata=models.RecordingMetadata(created_at=datetime(2024, 5, 1, 10, tzinfo=UTC)),
    )
    assert hash(rec) == hash(models.Recording(uuid="a", metadata=rec.metadata))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        rec.uuid = "b"  # type: ignore[misc]
    assert attrs.evolve(rec, title="t").title == "t"
    assert models.Recording.from_dict(rec.to_dict()) == rec


def test_only_plain_classes_are_batched() -> None:
    assert batches.supports(models.Recording)
    assert not batches.supports(models.User)  # older spellings (has_avatar)
    assert not batches.supports(models.ScimUser)

    @attrs.frozen(kw_only=True)
    class Validated:
        x: int | None = attrs.field(default=None, validator=attrs.validators.instance_of(int))

    @attrs.frozen(kw_only=True)
    class NonNoneDefault:
        x: int = 3

    @attrs.define(slots=False)
    class NoSlots:
        x: int | None = None

    structurer = BatchStructurer(
        {}, converter.get_structure_hook, is_own=lambda _: True, generation=lambda: 0
    )
    for cls in (Validated, NonNoneDefault, NoSlots, int):
        assert not structurer.supports(cls)
    with pytest.raises(TypeError):
        structurer.batch(Validated)


def test_users_still_structure_per_record() -> None:
    users = converter.structure([{"email": "a@b.c", "has_avatar": True}, None], list[models.User])
    assert users == [models.User(email="a@b.c", has_profile_picture=True)]


def test_empty_and_non_list() -> None:
    assert structure_list([], models.Recording) == []
    assert structure_list(None, models.Recording) == []
    assert converter.structure({"participants_insights": {}}, models.RoomInsights) == (
        models.RoomInsights()
    )


@pytest.fixture
def restore_hooks() -> Iterator[None]:
    yield
    # cattrs cannot unregister: put this module's own hooks back (they are what was there).
    converter.register_structure_hook(datetime, _converter._structure_datetime)
    converter.register_structure_hook(
        models.RecordingMetadata, _converter._structure_model(models.RecordingMetadata)
    )
    assert batches.batch_if_current(models.Recording) is not None


@pytest.mark.usefixtures("restore_hooks")
def test_pages_follow_a_hook_registered_on_the_converter() -> None:
    records = fake_records(40)
    assert batches.batch_if_current(models.Recording) is not None

    def day_only(value: Any, _: Any) -> Any:
        return None if value is None else str(value)[:10]

    converter.register_structure_hook(datetime, day_only)
    assert batches.batch_if_current(models.Recording) is None  # the fast path steps aside
    page = structure_list(records, models.Recording)
    one = converter.structure(records[0], models.Recording)
    assert page[0] == one
    assert page[0].metadata is not None
    assert page[0].metadata.created_at == records[0]["metadata"]["created_at"][:10]

    def marked(value: Any, _: Any) -> models.RecordingMetadata:
        return models.RecordingMetadata(recording_source="hooked")

    converter.register_structure_hook(models.RecordingMetadata, marked)
    page = structure_list(records, models.Recording)
    assert {r.metadata.recording_source for r in page if r.metadata} == {"hooked"}
    assert models.Recording.from_dict(records[0]).metadata == marked(None, None)


def test_a_missing_key_in_a_page_reads_as_the_default() -> None:
    records = fake_records(12)
    records[5] = {key: value for key, value in records[5].items() if key != "title"}
    got = structure_list(records, models.Recording)
    assert got == per_record(records)
    assert got[5].title is None
