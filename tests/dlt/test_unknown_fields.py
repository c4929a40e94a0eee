"""Fields the models do not know land in the warehouse; the declared columns keep their types."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dlt
import orjson
import pytest

from screendesk_async import Screendesk
from screendesk_async.dlt import screendesk_source
from screendesk_async.dlt._pipeline import load, make_pipeline
from screendesk_async.testing import FakeScreendesk, ServerThread

pytestmark = pytest.mark.integration

Server = tuple[ServerThread, FakeScreendesk]


def _sql(pipeline: dlt.Pipeline, sql: str, table: str) -> list[tuple[Any, ...]]:
    with pipeline.sql_client() as client:
        name = client.make_qualified_table_name(table)
        return [tuple(row) for row in client.execute_sql(sql.format(table=name)) or ()]


def _types(pipeline: dlt.Pipeline, table: str) -> dict[str, str]:
    with pipeline.sql_client() as client:
        rows = client.execute_sql(
            "SELECT column_name, data_type FROM information_schema.columns "
            f"WHERE table_schema = '{pipeline.dataset_name}' AND table_name = '{table}'"
        )
    return {name: kind for name, kind in rows or ()}


def test_a_field_the_api_adds_between_two_loads_lands(server: Server, tmp_path: Path) -> None:
    thread, fake = server
    pipeline = make_pipeline(
        destination=dlt.destinations.duckdb(str(tmp_path / "w.duckdb")),
        pipelines_dir=tmp_path / "pipelines",
    )

    def source() -> Any:
        return screendesk_source(fake.admin_token, base_url=fake.url)

    load(pipeline, source(), ["recordings", "users"])
    # The fake's own unknown field, tags, is a JSON column of each recording.
    sent = {r["uuid"]: r["tags"] for r in fake.recordings_raw()}
    tags = _sql(pipeline, "SELECT uuid, tags FROM {table}", "recordings")
    assert {key: orjson.loads(value) for key, value in tags} == sent
    assert any(sent.values())
    tagged = _sql(
        pipeline, "SELECT COUNT(*) FROM {table} WHERE tags ->> 0 IS NOT NULL", "recordings"
    )
    assert tagged == [(sum(1 for t in sent.values() if t),)]
    before = {table: _types(pipeline, table) for table in ("recordings", "users")}
    assert before["recordings"]["tags"] == "JSON"
    assert "language" not in before["recordings"]

    # The API adds fields, at the top and inside an object; a recording is then created and
    # another one edited (the incremental cursor loads those two).
    fake.options.added_fields = {
        "language": "en",
        "metadata.sentiment": 0.75,
        "labels": {"team": "support", "queue": ["tier-1", "tier-2"]},
    }
    thread.call(fake.add_recordings, 1)
    added = fake.recordings_raw(last_page=1)[0]["uuid"]
    edited = next(iter(sent))
    with Screendesk(fake.admin_token, base_url=fake.url) as sd:
        sd.recordings.update(added, title="after the API added fields")
        sd.recordings.update(edited, title="edited after the API added fields")
    load(pipeline, source(), ["recordings", "users"])

    after = {table: _types(pipeline, table) for table in ("recordings", "users")}
    for table, declared in before.items():
        assert {name: after[table][name] for name in declared} == declared  # types unchanged
    assert after["recordings"]["language"] == "VARCHAR"
    assert after["recordings"]["metadata__sentiment"] == "DOUBLE"
    assert after["recordings"]["labels__team"] == "VARCHAR"
    assert after["recordings"]["labels__queue"] == "JSON"
    rows = _sql(
        pipeline,
        "SELECT uuid, language, metadata__sentiment, labels__team, labels__queue ->> 1 "
        "FROM {table} WHERE language IS NOT NULL",
        "recordings",
    )
    assert sorted(rows) == sorted((key, "en", 0.75, "support", "tier-2") for key in (added, edited))
    # Users are read through the models (their older spellings): the same fields land.
    users = _sql(pipeline, "SELECT COUNT(*) FROM {table} WHERE language = 'en'", "users")
    assert users == [(len(fake.users_raw()),)]
    assert after["users"]["labels__queue"] == "JSON"
