"""The newest copy wins: one uuid on three pages of one load, each copy newer than the last."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dlt
import orjson
import pytest
from aiohttp import web

from screendesk_async.dlt import screendesk_source
from screendesk_async.dlt._pipeline import load, make_pipeline
from tests.integration.hostile import Hostile, rest_page, serve_in_thread

pytestmark = pytest.mark.integration

PAGES = 3
TWICE = "00000000-0000-4000-8000-999999999999"


class Account:
    """Three pages of recordings; :data:`TWICE` is on each, newer on every page."""

    def __init__(self) -> None:
        self.day = 1  # each load's copies are newer than the load before's

    def page(self, number: int) -> dict[str, Any]:
        page = rest_page(number, PAGES)
        for position, record in enumerate(page["records"]):
            record["metadata"] = {"updated_at": f"2026-01-0{self.day}T0{position % 9}:00:00Z"}
        # The copy on page N was edited N hours after midnight: the last one is the newest.
        page["records"][7] = {
            "uuid": TWICE,
            "title": f"copy of page {number}, load {self.day}",
            "metadata": {"updated_at": f"2026-01-0{self.day}T1{number}:00:00Z"},
        }
        return page

    async def handle(self, request: web.Request) -> web.Response:
        body = orjson.dumps(self.page(int(request.query["page"])))
        return web.Response(body=body, content_type="application/json")


@pytest.fixture
def account() -> Iterator[tuple[Account, Hostile]]:
    served = Account()
    with serve_in_thread(served.handle) as hostile:
        yield served, hostile


@pytest.mark.parametrize(
    "batch_size",
    [pytest.param(25, id="each-page-handed-to-dlt-at-once"), pytest.param(5_000, id="one-batch")],
)
def test_the_newest_copy_wins(
    account: tuple[Account, Hostile], tmp_path: Path, batch_size: int
) -> None:
    served, hostile = account
    pipeline = make_pipeline(
        destination=dlt.destinations.duckdb(str(tmp_path / "w.duckdb")),
        pipelines_dir=tmp_path / "pipelines",
    )

    summaries = []

    def run() -> list[tuple[Any, ...]]:
        source = screendesk_source(
            "token", base_url=hostile.url, concurrency=1, batch_size=batch_size
        )
        summaries.append(load(pipeline, source, ["recordings"]))
        with pipeline.sql_client() as client:
            table = client.make_qualified_table_name("recordings")
            rows = client.execute_sql(
                f"SELECT title, metadata__updated_at FROM {table} WHERE uuid = '{TWICE}'"
            )
            return [tuple(row) for row in rows or ()]

    # The first load (an append into the new table) and a later one (a merge): each keeps
    # the copy of page 3, the newest.
    first = run()
    assert [title for title, _ in first] == ["copy of page 3, load 1"]
    served.day = 2
    second = run()
    assert [title for title, _ in second] == ["copy of page 3, load 2"]
    assert second[0][1].isoformat().startswith("2026-01-02T13:00:00")
    with pipeline.sql_client() as client:
        table = client.make_qualified_table_name("recordings")
        assert client.execute_sql(f"SELECT COUNT(*), COUNT(DISTINCT uuid) FROM {table}") == [
            (PAGES * 25 - (PAGES - 1), PAGES * 25 - (PAGES - 1))
        ]
    # Each key is read once, whatever number of copies came.
    assert [summary.tables[0].read for summary in summaries] == [PAGES * 25 - (PAGES - 1)] * 2
