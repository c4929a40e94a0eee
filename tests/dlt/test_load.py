"""Loading the fake account with dlt: first load, a re-run, an edit and an addition.

The same scenario runs against DuckDB (a file) and a real PostgreSQL server, so the
destination really is swappable: only the pipeline's ``destination`` differs.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import dlt
import duckdb
import orjson
import pytest
from dlt.pipeline.exceptions import PipelineStepFailed

from screendesk_async import Screendesk, errors
from screendesk_async.dlt import screendesk_source
from screendesk_async.dlt._pipeline import load, make_pipeline
from screendesk_async.dlt._summary import LoadSummary
from screendesk_async.testing import FakeScreendesk, ServerThread

pytestmark = pytest.mark.integration

Server = tuple[ServerThread, FakeScreendesk]


def _destinations() -> list[Any]:
    return [pytest.param("duckdb", id="duckdb"), pytest.param("postgres", id="postgres")]


@pytest.fixture(params=_destinations())
def destination(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    if request.param == "duckdb":
        return dlt.destinations.duckdb(str(tmp_path / "warehouse.duckdb"))
    url: str = request.getfixturevalue("postgres_url")
    return dlt.destinations.postgres(credentials=url)


def _rows(pipeline: dlt.Pipeline, sql: str) -> list[tuple[Any, ...]]:
    with pipeline.sql_client() as client:
        table = client.make_qualified_table_name("recordings")
        return [tuple(row) for row in client.execute_sql(sql.format(recordings=table)) or ()]


def _by_table(summary: LoadSummary) -> dict[str, tuple[int, int | None, int | None]]:
    return {t.table: (t.loaded, t.new, t.changed) for t in summary.tables}


def _participants(value: Any) -> list[Any]:
    # DuckDB hands a JSON column over as text, psycopg2 a jsonb one already parsed.
    if value is None:
        return []
    return orjson.loads(value) if isinstance(value, str | bytes) else list(value)


def test_first_load_rerun_edit_and_add(server: Server, destination: Any, tmp_path: Path) -> None:
    thread, fake = server
    pipeline = make_pipeline(
        destination=destination,
        dataset=f"sd_{uuid.uuid4().hex[:8]}",
        pipelines_dir=tmp_path / "pipelines",
    )

    def source() -> Any:
        return screendesk_source(fake.admin_token, scim_token=fake.scim_token, base_url=fake.url)

    # 1. The first load: every recording, user and SCIM user, once.
    first = load(pipeline, source())
    assert len(first.load_ids) == 1
    assert _by_table(first) == {
        "recordings": (120, 120, 0),
        "users": (30, 30, 0),
        "scim_users": (30, 30, 0),
    }
    expected = {r["uuid"]: r for r in fake.recordings_raw()}
    rows = _rows(pipeline, "SELECT uuid, title FROM {recordings}")
    assert dict(rows) == {key: r["title"] for key, r in expected.items()}
    live = {
        key: len(r["room_insights"]["participants_insights"])
        for key, r in expected.items()
        if (r.get("room_insights") or {}).get("participants_insights")
    }
    assert live  # the fake's data has live calls
    found = _rows(
        pipeline,
        "SELECT uuid, room_insights__participants_insights FROM {recordings} "
        "WHERE room_insights__participants_insights IS NOT NULL",
    )
    assert {key: len(_participants(value)) for key, value in found} == live

    # 2. Nothing changed: nothing is loaded.
    again = load(pipeline, source().with_resources("recordings"))
    assert _by_table(again)["recordings"] == (0, 0, 0)
    assert _rows(pipeline, "SELECT COUNT(*) FROM {recordings}") == [(120,)]

    # 3. One recording edited, one added (the fake dates generated recordings in the past;
    #    a real new one is as recent as its creation, so it gets a current updated_at too).
    edited = next(iter(expected))
    thread.call(fake.add_recordings, 1)
    added = fake.recordings_raw(last_page=1)[0]["uuid"]
    assert added not in expected
    with Screendesk(fake.admin_token, base_url=fake.url) as sd:
        sd.recordings.update(edited, title="Edited after the first load")
        sd.recordings.update(added, title="Recorded after the first load")
    third = load(pipeline, source().with_resources("recordings"))
    assert _by_table(third)["recordings"] == (2, 1, 1)
    assert _rows(pipeline, "SELECT COUNT(*), COUNT(DISTINCT uuid) FROM {recordings}") == [
        (121, 121)
    ]
    titles = dict(_rows(pipeline, "SELECT uuid, title FROM {recordings}"))
    assert titles[edited] == "Edited after the first load"
    assert titles[added] == "Recorded after the first load"
    untouched = [key for key in expected if key != edited]
    assert all(titles[key] == expected[key]["title"] for key in untouched)


def test_duckdb_sql_reads_participants(server: Server, tmp_path: Path) -> None:
    """The README's query: one row per participant, with DuckDB's json_each."""
    _, fake = server
    pipeline = make_pipeline(
        destination=dlt.destinations.duckdb(str(tmp_path / "w.duckdb")),
        dataset="screendesk_dataset",
        pipelines_dir=tmp_path / "pipelines",
    )
    load(pipeline, screendesk_source(fake.admin_token, base_url=fake.url), ["recordings"])
    rows = _rows(
        pipeline,
        "SELECT r.uuid, p.value ->> 'joined_at' FROM {recordings} r, "
        "json_each(r.room_insights__participants_insights) p",
    )
    expected = [
        (r["uuid"], p.get("joined_at"))
        for r in fake.recordings_raw()
        for p in (r.get("room_insights") or {}).get("participants_insights") or ()
    ]
    assert len(rows) == len(expected) > 0
    assert {key for key, _ in rows} == {key for key, _ in expected}
    # The JSON holds the instants the API sent (DuckDB may print them in its own style).
    joined = [datetime.fromisoformat(value) for _, value in rows if value is not None]
    sent = [datetime.fromisoformat(value) for _, value in expected if value is not None]
    assert sorted(joined) == sorted(sent)


def test_resources_follow_the_tokens(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    _, fake = server
    both = screendesk_source(fake.admin_token, scim_token=fake.scim_token, base_url=fake.url)
    assert set(both.resources) == {"recordings", "users", "scim_users"}
    assert both.resources["recordings"].write_disposition == "merge"
    rest = screendesk_source(fake.admin_token, base_url=fake.url)
    assert set(rest.resources) == {"recordings", "users"}
    scim = screendesk_source(scim_token=fake.scim_token, base_url=fake.url)
    assert set(scim.resources) == {"scim_users"}
    monkeypatch.setenv("SCREENDESK_API_TOKEN", fake.admin_token)
    assert set(screendesk_source(base_url=fake.url).resources) == {"recordings", "users"}


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda: screendesk_source(), "SCREENDESK_API_TOKEN"),
        (lambda: screendesk_source("t", base_url="http://example.com"), "https"),
        (lambda: screendesk_source("t", batch_size=0), "batch_size"),
        (lambda: screendesk_source("t", concurrency=0), "concurrency"),
    ],
)
def test_bad_settings_fail_before_any_request(make: Callable[[], Any], error: str) -> None:
    with pytest.raises((ValueError, errors.ConfigurationError), match=error):
        make()


def test_unknown_resource_is_a_key_error(server: Server, tmp_path: Path) -> None:
    _, fake = server
    pipeline = make_pipeline(
        destination=dlt.destinations.duckdb(str(tmp_path / "w.duckdb")),
        pipelines_dir=tmp_path / "pipelines",
    )
    with pytest.raises(KeyError, match="scim_users"):
        load(pipeline, screendesk_source(fake.admin_token, base_url=fake.url), ["scim_users"])


def test_a_machine_without_the_state_resumes_from_the_destination(
    server: Server, tmp_path: Path
) -> None:
    """The cursor and counts come back from the warehouse: a new machine adds nothing twice."""
    _, fake = server
    warehouse = str(tmp_path / "w.duckdb")

    def run(pipelines: str) -> LoadSummary:
        pipeline = make_pipeline(
            destination=dlt.destinations.duckdb(warehouse), pipelines_dir=tmp_path / pipelines
        )
        source = screendesk_source(fake.admin_token, base_url=fake.url)
        return load(pipeline, source, ["recordings"])

    assert _by_table(run("first-machine"))["recordings"] == (120, 120, 0)
    assert _by_table(run("second-machine"))["recordings"] == (0, 0, 0)


@pytest.mark.parametrize(
    ("after", "fault", "expected"),
    [
        (0, "malformed", errors.ResponseDecodeError),
        (50, "malformed", errors.ResponseDecodeError),
        (50, "500", errors.InternalServerError),
    ],
    ids=["first-page", "later-page", "server-error"],
)
def test_a_bad_page_fails_the_load_with_the_library_error(
    server: Server, tmp_path: Path, after: int, fault: str, expected: type[Exception]
) -> None:
    """A page the client cannot use fails the run with the library's error in its chain."""
    _, fake = server

    def progress(_: str, read: int, __: int | None) -> None:
        if read == after:  # the next request (one at a time) fails
            fake.faults.fail_next(1, fault, path_prefix="/api/v2/recordings")

    if after == 0:
        fake.faults.fail_next(1, fault, path_prefix="/api/v2/recordings")
    pipeline = make_pipeline(
        destination=dlt.destinations.duckdb(str(tmp_path / "w.duckdb")),
        pipelines_dir=tmp_path / "pipelines",
    )
    own = pipeline.destination
    # Batches of one page: with a later page, tables are already built when it fails.
    source = screendesk_source(
        fake.admin_token,
        base_url=fake.url,
        max_retries=0,
        batch_size=25,
        concurrency=1,
        on_progress=progress,
    )
    with pytest.raises(PipelineStepFailed) as failed:
        load(pipeline, source, ["recordings"])
    cause: BaseException | None = failed.value
    while cause is not None and not isinstance(cause, expected):
        cause = cause.__cause__ or cause.__context__
    assert isinstance(cause, expected), repr(failed.value)
    # The load's own connection is closed (another configuration may open the file), and the
    # pipeline has its destination back.
    duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True).close()
    assert pipeline.destination is own


def _count_connects(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The databases ``duckdb.connect`` opens from now on (dlt's and ours)."""
    opened: list[str] = []
    connect = duckdb.connect

    def counting(database: Any = ":memory:", *args: Any, **kwargs: Any) -> Any:
        opened.append(str(database))
        return connect(database, *args, **kwargs)

    monkeypatch.setattr(duckdb, "connect", counting)
    return opened


def test_a_duckdb_file_is_opened_once_and_closed(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A DuckDB file given as a path is one connection for the whole load, closed after it."""
    _, fake = server
    path = tmp_path / "w.duckdb"
    pipeline = make_pipeline(destination=path, pipelines_dir=tmp_path / "pipelines")
    own = pipeline.destination
    opened = _count_connects(monkeypatch)
    summary = load(pipeline, screendesk_source(fake.admin_token, base_url=fake.url))
    assert opened == [str(path)]
    assert _by_table(summary) == {"recordings": (120, 120, 0), "users": (30, 30, 0)}
    assert summary.location is not None
    assert str(path) in summary.location
    # Closed: a read-only connection (another configuration of the same file) may open it.
    with duckdb.connect(str(path), read_only=True) as db:
        assert db.sql("SELECT COUNT(*) FROM screendesk_dataset.recordings").fetchall() == [(120,)]
    # The pipeline has its own destination back, and a re-run merges.
    assert pipeline.destination is own
    assert _rows(pipeline, "SELECT COUNT(*) FROM {recordings}") == [(120,)]
    again = load(pipeline, screendesk_source(fake.admin_token, base_url=fake.url), ["users"])
    assert _by_table(again) == {"users": (0, 0, 0)}  # unchanged: not written again


def test_configured_duckdb_credentials_stay_dlt_s(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``duckdb`` by name loads as dlt's configuration says; a connection given stays open."""
    _, fake = server
    configured = tmp_path / "configured.duckdb"
    monkeypatch.setenv("DESTINATION__DUCKDB__CREDENTIALS", str(configured))
    marker = "CREATE TABLE IF NOT EXISTS main.configured AS SELECT 42 AS answer"
    monkeypatch.setenv(
        "DESTINATION__DUCKDB__CREDENTIALS__STATEMENTS", orjson.dumps([marker]).decode()
    )
    pipeline = make_pipeline(pipeline_name="configured", pipelines_dir=tmp_path / "pipelines")
    opened = _count_connects(monkeypatch)
    load(pipeline, screendesk_source(fake.admin_token, base_url=fake.url), ["users"])
    assert opened == [str(configured)]  # a plain file, wherever configured: opened once
    with duckdb.connect(str(configured), read_only=True) as db:
        assert db.sql("SELECT COUNT(*) FROM screendesk_dataset.users").fetchall() == [(30,)]
        assert db.sql("SELECT answer FROM main.configured").fetchall() == [(42,)]
    assert not (tmp_path / "screendesk.duckdb").exists()

    theirs = duckdb.connect(str(tmp_path / "theirs.duckdb"))
    pipeline = make_pipeline(
        destination=dlt.destinations.duckdb(theirs),
        pipeline_name="theirs",
        pipelines_dir=tmp_path / "pipelines",
    )
    load(pipeline, screendesk_source(fake.admin_token, base_url=fake.url), ["users"])
    assert theirs.sql("SELECT COUNT(*) FROM screendesk_dataset.users").fetchall() == [(30,)]
    theirs.close()


def _reading_ahead() -> bool:
    return any(thread.name == "screendesk-read-ahead" for thread in threading.enumerate())


def test_load_reads_the_pages_ahead_and_once(server: Server, tmp_path: Path) -> None:
    """``load`` starts the REST listing on a loop of its own, before dlt's setup, and dlt's
    resource takes that reading: the same requests as a plain ``pipeline.run``."""
    _, fake = server
    threads: list[str] = []

    def progress(_: str, __: int, ___: int | None) -> None:
        threads.append(threading.current_thread().name)

    def source() -> Any:
        return screendesk_source(fake.admin_token, base_url=fake.url, on_progress=progress)

    def listing_requests() -> int:
        return sum(1 for request in fake.requests if request.path == "/api/v2/recordings")

    fake.requests.clear()
    plain = make_pipeline(destination=tmp_path / "plain.duckdb", pipelines_dir=tmp_path / "a")
    plain.run(source().with_resources("recordings"))
    by_dlt, plain_requests = set(threads), listing_requests()
    threads.clear()
    fake.requests.clear()
    ahead = make_pipeline(destination=tmp_path / "ahead.duckdb", pipelines_dir=tmp_path / "b")
    summary = load(ahead, source(), ["recordings"])
    assert _by_table(summary)["recordings"] == (120, 120, 0)
    assert set(threads) == {"screendesk-read-ahead"} != by_dlt
    assert listing_requests() == plain_requests > 0
    assert not _reading_ahead()


def test_a_failed_setup_stops_reading_ahead(server: Server, tmp_path: Path) -> None:
    _, fake = server
    pipeline = make_pipeline(
        destination=tmp_path / "missing" / "w.duckdb", pipelines_dir=tmp_path / "pipelines"
    )
    with pytest.raises(duckdb.Error):
        load(pipeline, screendesk_source(fake.admin_token, base_url=fake.url), ["recordings"])
    assert not _reading_ahead()


def test_a_failed_reading_nobody_took_is_retrieved(
    server: Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A reading that failed (a bad token) before dlt's setup failed leaves no unretrieved task:
    asyncio would log "Task exception was never retrieved" once it is collected."""
    _, fake = server
    connect = duckdb.connect

    def after_the_401s(database: Any = ":memory:", *args: Any, **kwargs: Any) -> Any:
        # The setup fails only once both listings were refused, as a slow destination would.
        while {r.path for r in fake.requests} < {"/api/v2/recordings", "/api/v2/users"}:
            time.sleep(0.01)
        time.sleep(0.3)  # the 401s reach the readings
        return connect(database, *args, **kwargs)

    monkeypatch.setattr(duckdb, "connect", after_the_401s)
    pipeline = make_pipeline(
        destination=tmp_path / "missing" / "w.duckdb", pipelines_dir=tmp_path / "pipelines"
    )
    source = screendesk_source("not-a-token", base_url=fake.url, max_retries=0)
    with caplog.at_level(logging.ERROR, logger="asyncio"), pytest.raises(duckdb.Error):
        load(pipeline, source)
    assert {r.auth_kind for r in fake.requests} == {"invalid"}
    del source
    gc.collect()
    assert not _reading_ahead()
    assert [r.getMessage() for r in caplog.records if r.name == "asyncio"] == []


def test_the_same_source_loaded_twice_reads_again_and_merges(
    server: Server, tmp_path: Path
) -> None:
    """A second ``load`` of the same source object reads the listings again (no stale
    reading) and merges: the first load's append into the empty tables stays its own."""
    _, fake = server
    pipeline = make_pipeline(destination=tmp_path / "w.duckdb", pipelines_dir=tmp_path / "p")
    source = screendesk_source(fake.admin_token, base_url=fake.url)
    assert _by_table(load(pipeline, source)) == {
        "recordings": (120, 120, 0),
        "users": (30, 30, 0),
    }
    fake.requests.clear()
    assert _by_table(load(pipeline, source)) == {"recordings": (0, 0, 0), "users": (0, 0, 0)}
    assert any(r.path == "/api/v2/users" for r in fake.requests)
    with pipeline.sql_client() as client:
        users = client.make_qualified_table_name("users")
        assert client.execute_sql(f"SELECT COUNT(*) FROM {users}") == [(30,)]
