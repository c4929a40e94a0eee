"""Pages become Arrow tables of about ``batch_size`` rows, each key once per run."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from screendesk_async import AsyncScreendesk, models
from screendesk_async.dlt._arrow import to_table
from screendesk_async.dlt._keys import Keys
from screendesk_async.dlt._reading import AHEAD_TABLES, Batcher, Feed
from screendesk_async.dlt._wire import table_of_lines
from screendesk_async.testing import FakeScreendesk, ServerThread


def _page(*emails: str) -> bytes:
    """A page's JSON lines, as the export's decoder keeps them."""
    return b"".join(orjson.dumps({"email": e, "name": e.upper()}) + b"\n" for e in emails)


def test_batches_progress_and_duplicates_dropped() -> None:
    seen: list[tuple[str, int, int | None]] = []

    def build(parts: list[bytes]) -> pa.Table:
        return table_of_lines(models.User, b"".join(parts), "email")

    batcher = Batcher("users", 3, lambda *args: seen.append(args), build)
    keys = Keys("email")
    batcher.add([_page("a@x.io", "b@x.io")], 2, 5)
    assert not batcher.full
    # A page shifted by a new record repeats the last one: it is dropped, the rest kept.
    batcher.add([_page("b@x.io", "c@x.io", "c@x.io")], 3, 5)
    assert batcher.full
    table = batcher.flush(keys)
    assert table is not None
    assert table.column("email").to_pylist() == ["a@x.io", "b@x.io", "c@x.io"]
    assert table.column("name").to_pylist() == ["A@X.IO", "B@X.IO", "C@X.IO"]
    batcher.add([_page("d@x.io", "a@x.io")], 2, 5)
    last = batcher.flush(keys)
    assert last is not None
    assert last.column("email").to_pylist() == ["d@x.io"]
    batcher.add([_page("d@x.io")], 1, 5)
    assert batcher.flush(keys) is None  # nothing new
    assert batcher.flush(keys) is None  # nothing waiting
    assert seen == [("users", 2, 5), ("users", 5, 5), ("users", 7, 5), ("users", 8, 5)]


def test_keep_selects_rows_before_the_keys_are_remembered() -> None:
    def keep(table: pa.Table) -> pa.Table:
        return table.filter(pc.not_equal(table.column("id"), "3"))

    batcher = Batcher("scim_users", 10, None, lambda users: to_table(models.ScimUser, users, "id"))
    keys = Keys("id", keep)
    users = [models.ScimUser(id=key, user_name=f"u{key}") for key in ("1", "2", "3")]
    batcher.add(users, 3, None)
    table = batcher.flush(keys)
    assert table is not None
    assert table.column("id").to_pylist() == ["1", "2"]
    assert table.column("user_name").to_pylist() == ["u1", "u2"]
    assert keys.select(table) is None  # the same keys again: nothing left


def test_only_the_expected_json_hint_notice_is_dropped() -> None:
    import logging

    from screendesk_async.dlt._hints import _NOTICE_FILTER

    def record(message: str) -> logging.LogRecord:
        return logging.LogRecord("dlt", logging.WARNING, __file__, 1, message, None, None)

    ours = "In resource: recordings, when merging arrow schema with dlt schema, several column"
    theirs = "In resource: orders, when merging arrow schema with dlt schema, several column"
    assert not _NOTICE_FILTER.filter(record(ours))
    assert _NOTICE_FILTER.filter(record(theirs))
    assert _NOTICE_FILTER.filter(record("something else"))


@pytest.fixture
def big() -> Iterator[FakeScreendesk]:
    """A listing of 80 pages: longer than a reading may get ahead of its tables."""
    thread = ServerThread(FakeScreendesk(recordings=2_000, page_size=25, seed=5))
    fake = thread.start()
    try:
        yield fake
    finally:
        thread.stop()


def _feed(fake: FakeScreendesk, read: list[int]) -> Feed:
    """The recordings' feed, 25 rows read at a time, 4 pages ahead; ``read`` gets the counts."""

    def make() -> AsyncScreendesk:
        return AsyncScreendesk(fake.admin_token, base_url=fake.url)

    def progress(_: str, rows: int, __: int | None) -> None:
        read.append(rows)

    return Feed("recordings", models.Recording, "uuid", make, 4, 25, progress)


async def _settled(read: list[int]) -> int:
    """The rows read, once no page has been read for 0.2 s."""
    seen = -1
    while seen != len(read):
        seen = len(read)
        await asyncio.sleep(0.2)
    return read[-1] if read else 0


async def test_a_listing_closed_early_stops_reading(big: FakeScreendesk) -> None:
    """dlt closing the generator (a failure further on) cancels the listing and its reads."""
    read: list[int] = []
    tables = _feed(big, read).tables(Keys("uuid"), 25)
    first = await anext(tables)
    assert first.num_rows == 25
    await tables.aclose()
    stopped = read[-1]
    assert await _settled(read) == stopped < 2_000


async def test_a_reading_waits_for_its_tables_to_be_taken(big: FakeScreendesk) -> None:
    """Tables nobody takes stop the pages after ``AHEAD_TABLES``: the memory is bounded."""
    read: list[int] = []
    tables = _feed(big, read).tables(Keys("uuid"), 25)
    first = await anext(tables)
    # One table taken, AHEAD_TABLES waiting, the parts of one more waiting for room.
    assert await _settled(read) <= (1 + AHEAD_TABLES + 1) * 25 < 2_000
    rest = [table async for table in tables]
    assert first.num_rows + sum(table.num_rows for table in rest) == 2_000
    assert read[-1] == 2_000


def test_keys_remember_only_the_recent_ones() -> None:
    """What a load remembers of its keys does not grow with the account."""
    from screendesk_async.dlt import _keys

    keys = Keys("uuid")
    for start in range(0, 3 * _keys.RECENT_KEYS, 1_000):
        table = pa.table({"uuid": [f"r{n}" for n in range(start, start + 1_000)]})
        selected = keys.select(table)
        assert selected is not None
        assert selected.num_rows == 1_000
    assert _keys.RECENT_KEYS <= len(keys._recent) < _keys.RECENT_KEYS + 1_000
    assert keys.tally.read == 3 * _keys.RECENT_KEYS
    # A copy shortly after its first is still recognised.
    assert keys.select(pa.table({"uuid": [f"r{3 * _keys.RECENT_KEYS - 5}"]})) is None
