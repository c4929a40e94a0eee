"""Pages become Arrow tables of about ``batch_size`` rows, each key once per run."""

from __future__ import annotations

import asyncio

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from screendesk_async import AsyncScreendesk, models
from screendesk_async.dlt._source import _Batcher, _lines_of, _listing, _models_of
from screendesk_async.testing import FakeScreendesk, ServerThread


def _page(*emails: str) -> bytes:
    """A page's JSON lines, as the export's decoder keeps them."""
    return b"".join(orjson.dumps({"email": e, "name": e.upper()}) + b"\n" for e in emails)


def test_batches_progress_and_duplicates_dropped() -> None:
    seen: list[tuple[str, int, int | None]] = []
    build = _lines_of(models.User, "email")
    batcher = _Batcher("users", "email", 3, lambda *args: seen.append(args), build)
    batcher.add([_page("a@x.io", "b@x.io")], 2, 5)
    assert not batcher.full
    # A page shifted by a new record repeats the last one: it is dropped, the rest kept.
    batcher.add([_page("b@x.io", "c@x.io", "c@x.io")], 3, 5)
    assert batcher.full
    table = batcher.flush()
    assert table is not None
    assert table.column("email").to_pylist() == ["a@x.io", "b@x.io", "c@x.io"]
    assert table.column("name").to_pylist() == ["A@X.IO", "B@X.IO", "C@X.IO"]
    batcher.add([_page("d@x.io", "a@x.io")], 2, 5)
    last = batcher.flush()
    assert last is not None
    assert last.column("email").to_pylist() == ["d@x.io"]
    batcher.add([_page("d@x.io")], 1, 5)
    assert batcher.flush() is None  # nothing new
    assert batcher.flush() is None  # nothing waiting
    assert seen == [("users", 2, 5), ("users", 5, 5), ("users", 7, 5), ("users", 8, 5)]


def test_keep_selects_rows_before_the_keys_are_remembered() -> None:
    def keep(table: pa.Table) -> pa.Table:
        return table.filter(pc.not_equal(table.column("id"), "3"))

    batcher = _Batcher("scim_users", "id", 10, None, _models_of(models.ScimUser, "id"), keep)
    users = [models.ScimUser(id=key, user_name=f"u{key}") for key in ("1", "2", "3")]
    batcher.add(users, 3, None)
    table = batcher.flush()
    assert table is not None
    assert table.column("id").to_pylist() == ["1", "2"]
    assert table.column("user_name").to_pylist() == ["u1", "u2"]
    assert batcher.select(table) is None  # the same keys again: nothing left


def test_only_the_expected_json_hint_notice_is_dropped() -> None:
    import logging

    from screendesk_async.dlt._source import _NOTICE_FILTER

    def record(message: str) -> logging.LogRecord:
        return logging.LogRecord("dlt", logging.WARNING, __file__, 1, message, None, None)

    ours = "In resource: recordings, when merging arrow schema with dlt schema, several column"
    theirs = "In resource: orders, when merging arrow schema with dlt schema, several column"
    assert not _NOTICE_FILTER.filter(record(ours))
    assert _NOTICE_FILTER.filter(record(theirs))
    assert _NOTICE_FILTER.filter(record("something else"))


async def test_a_listing_closed_early_stops_reading(
    server: tuple[ServerThread, FakeScreendesk],
) -> None:
    """dlt closing the generator (a failure further on) cancels the listing and its reads."""
    _, fake = server

    def make() -> AsyncScreendesk:
        return AsyncScreendesk(fake.admin_token, base_url=fake.url)

    batcher = _Batcher("recordings", "uuid", 25, None, _lines_of(models.Recording, "uuid"))
    tables = _listing("recordings", make, 4, batcher, 25)
    first = await anext(tables)
    assert first.num_rows == 25
    await asyncio.sleep(0.05)  # more pages arrive and are being read meanwhile
    await tables.aclose()
    assert batcher.read <= 120
