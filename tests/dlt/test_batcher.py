"""Pages become Arrow tables of about ``batch_size`` rows, each key once per run."""

from __future__ import annotations

from screendesk_async import models
from screendesk_async.dlt._source import _Batcher


def _users(*emails: str) -> list[models.User]:
    return [models.User(email=email, name=email.upper()) for email in emails]


def test_batches_progress_and_duplicates_dropped() -> None:
    seen: list[tuple[str, int, int | None]] = []
    batcher = _Batcher("users", models.User, "email", 3, lambda *args: seen.append(args))
    assert batcher.add(_users("a@x.io", "b@x.io"), 2, 5) is None
    # A page shifted by a new record repeats the last one: it is dropped, the rest kept.
    table = batcher.add(_users("b@x.io", "c@x.io", "c@x.io"), 3, 5)
    assert table is not None
    assert table.column("email").to_pylist() == ["a@x.io", "b@x.io", "c@x.io"]
    assert table.column("name").to_pylist() == ["A@X.IO", "B@X.IO", "C@X.IO"]
    assert batcher.add(_users("d@x.io"), 1, 5) is None
    last = batcher.flush()
    assert last is not None
    assert last.column("email").to_pylist() == ["d@x.io"]
    assert batcher.flush() is None
    assert seen == [("users", 2, 5), ("users", 5, 5), ("users", 6, 5)]


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
