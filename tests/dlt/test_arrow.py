"""The Arrow schema is derived from whatever the models declare, never inferred from data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import orjson
import pyarrow as pa
import pytest

from screendesk_async import models
from screendesk_async.dlt import arrow_schema, to_table
from screendesk_async.dlt._arrow import _json, columns, json_columns
from screendesk_async.models._converter import structure_list, wire_columns
from screendesk_async.testing import FakeScreendesk

STAMP = pa.timestamp("us", tz="UTC")


@attrs.frozen(kw_only=True)
class Leaf:
    when: datetime | None = None
    score: float | None = None


@attrs.frozen(kw_only=True)
class Inner:
    label: str | None = None
    leaf: Leaf | None = None


@attrs.frozen(kw_only=True)
class Sample:
    key: str = ""
    count: int | None = None
    ratio: float | None = None
    flag: bool | None = None
    at: datetime | None = None
    inner: Inner | None = None
    many: list[Inner] | None = None
    tags: list[str] | None = None
    extra: dict[str, Any] = attrs.field(factory=dict)


def test_every_kind_of_field_gets_its_type() -> None:
    schema = arrow_schema(Sample)
    assert [(f.name, f.type, f.nullable) for f in schema] == [
        ("key", pa.string(), False),
        ("count", pa.int64(), True),
        ("ratio", pa.float64(), True),
        ("flag", pa.bool_(), True),
        ("at", STAMP, True),
        ("inner__label", pa.string(), True),
        ("inner__leaf__when", STAMP, True),
        ("inner__leaf__score", pa.float64(), True),
        ("many", pa.string(), True),
        ("tags", pa.string(), True),
        ("extra", pa.string(), True),
    ]
    assert json_columns(Sample) == ("many", "tags", "extra")
    assert not arrow_schema(Sample, "count").field("count").nullable
    with pytest.raises(ValueError, match="no column"):
        arrow_schema(Sample, "nope")
    with pytest.raises(TypeError):
        columns(int)


def test_values_nulls_nesting_and_json() -> None:
    plus_two = timezone(timedelta(hours=2))
    rows = [
        Sample(key="a"),
        Sample(
            key="b",
            count=3,
            ratio=0.5,
            flag=True,
            at=datetime(2024, 5, 1, 12, 0, tzinfo=plus_two),
            inner=Inner(label="x", leaf=Leaf(when=datetime(2024, 1, 1, tzinfo=UTC))),
            many=[Inner(label="y", leaf=Leaf(when=datetime(2024, 1, 1, 2, tzinfo=plus_two)))],
            tags=["vip"],
            extra={"k": 1},
        ),
        Sample(key="c", inner=Inner(label="z")),
    ]
    table = to_table(Sample, rows, "key")
    assert table.schema == arrow_schema(Sample, "key")
    data = table.to_pylist()
    assert data[0] == {name: None for name in table.column_names} | {"key": "a"}
    assert data[1]["at"] == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)  # the same instant, in UTC
    assert data[1]["inner__leaf__when"] == datetime(2024, 1, 1, tzinfo=UTC)
    assert orjson.loads(data[1]["many"]) == [
        # One spelling per instant inside JSON: UTC, whatever offset it came with.
        {"label": "y", "leaf": {"when": "2024-01-01T00:00:00.000000Z", "score": None}}
    ]
    assert orjson.loads(data[1]["tags"]) == ["vip"]
    assert orjson.loads(data[1]["extra"]) == {"k": 1}
    assert data[2]["inner__label"] == "z"
    assert data[2]["inner__leaf__when"] is None


def test_json_of_a_value_no_model_declares_is_refused() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        _json([object()])


def test_a_null_batch_and_a_full_batch_share_one_schema() -> None:
    """Page 1 all null, page 2 filled: the tables still concatenate (nothing is inferred)."""
    empty = to_table(Sample, [Sample(key="a"), Sample(key="b")])
    full = to_table(Sample, [Sample(key="c", count=1, at=datetime.now(UTC), tags=["t"])])
    assert empty.schema == full.schema
    assert pa.concat_tables([empty, full]).num_rows == 3


@pytest.mark.parametrize("model", [models.Recording, models.User, models.ScimUser])
def test_the_library_models_are_walked_generically(model: type) -> None:
    """Every leaf the models declare is a column (CSV's dotted names, dlt's separator)."""
    names = [column.name for column in columns(model)]
    assert names == [name.replace(".", "__") for name in _attribute_columns(model)]


def _attribute_columns(model: type, prefix: str = "") -> list[str]:
    # Like wire_columns, under the attribute names (wire_columns uses the API's, and skips extra).
    out: list[str] = []
    for field in attrs.fields(attrs.resolve_types(model)):
        nested = [a for a in getattr(field.type, "__args__", (field.type,)) if attrs.has(a)]
        if nested and getattr(field.type, "__origin__", None) is not list:
            out += _attribute_columns(nested[0], f"{prefix}{field.name}.")
        else:
            out.append(prefix + field.name)
    return out


def test_the_fake_recordings_round_trip() -> None:
    raw = FakeScreendesk(recordings=60, page_size=25, seed=2).recordings_raw()
    items = structure_list(raw, models.Recording)
    table = to_table(models.Recording, items, "uuid")
    assert table.column("uuid").to_pylist() == [r["uuid"] for r in raw]
    assert table.column("title").to_pylist() == [r["title"] for r in raw]
    updated = table.column("metadata__updated_at").to_pylist()
    assert updated == [
        datetime.fromisoformat(r["metadata"]["updated_at"]).astimezone(UTC) for r in raw
    ]
    assert len(wire_columns(models.Recording)) == table.num_columns
