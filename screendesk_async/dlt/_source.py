"""The dlt source: recordings, users and SCIM users as resources fed by the library's listings.

Each resource is an async generator: dlt runs it on its own event loop (in a worker thread), so
the :class:`AsyncScreendesk` client is created inside the generator, on that loop, and uses the
library's own concurrent pagination there. That is the client's native path (no sync facade and
its extra portal thread in between), and it works the same under a caller's running loop (a
notebook), because dlt's loop is its own. ``_pipeline.load`` starts the REST listings earlier,
on a loop of their own (:func:`reading_ahead`), so that their pages arrive during dlt's setup.

``recordings`` and ``users`` read their pages as the JSONL export does and turn them into Arrow
tables while the next pages arrive (``_reading``); ``scim_users`` tables the models of the SCIM
listing. dlt gets tables of about ``batch_size`` rows, so its per-table work stays small.
"""

from __future__ import annotations

import contextlib
import functools
import weakref
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Collection, Iterator
from datetime import datetime
from typing import Any, Final

import dlt
import orjson
import pyarrow as pa
import pyarrow.compute as pc
from dlt.extract.source import DltSource

from .. import _constants as C
from .._client import AsyncScreendesk
from .._config import SETTINGS, ClientConfig, resolve_config
from .._portal import Portal
from ..errors import ResponseDecodeError
from ..models import Recording, ScimUser, User
from . import _arrow, _hints
from ._keys import Keys, Tally
from ._reading import (
    READ_ROWS,
    Batcher,
    Feed,
    ProgressCallback,
    Reading,
    joined,
    with_hashes,
)

#: The dlt source's name (its schema's, and the default pipeline's and dataset's).
SOURCE_NAME: Final = "screendesk"
#: Rows per Arrow table handed to dlt.
DEFAULT_BATCH_SIZE: Final = 5_000
#: The recordings' incremental cursor: ``metadata.updated_at``, as its flattened column.
CURSOR: Final = _arrow.SEPARATOR.join(("metadata", "updated_at"))
#: SCIM users per request.
SCIM_PAGE_SIZE: Final = 100

#: The resources' names (and their tables').
RESOURCES: Final = _hints.RESOURCES

#: Each resource's model and primary key.
TABLES: Final = {
    "recordings": (Recording, "uuid"),
    "users": (User, "email"),
    "scim_users": (ScimUser, "id"),
}
#: The REST resources' listings: ``(model, primary key)``.
_REST: Final = {name: TABLES[name] for name in ("recordings", "users")}
#: The column whose larger value is a row's newer copy (``Keys``, dlt's ``dedup_sort``).
VERSIONS: Final = {"recordings": CURSOR, "users": "updated_at"}
#: The resources whose rows carry a content hash (``_keys.HASH_COLUMN``): those without an
#: incremental cursor, so that a re-run tells its unchanged rows apart and skips them.
HASHED: Final = frozenset({"users", "scim_users"})
#: The feeds of the sources made here, for :func:`reading_ahead`.
_FEEDS: weakref.WeakKeyDictionary[DltSource, dict[str, Feed]] = weakref.WeakKeyDictionary()
#: What each resource of the sources made here read and kept (``_pipeline.load`` reads it).
_TALLIES: weakref.WeakKeyDictionary[DltSource, dict[str, Tally]] = weakref.WeakKeyDictionary()


def tallies(source: DltSource) -> dict[str, Tally]:
    """What each resource of ``source`` (one :func:`screendesk_source` made) read and kept."""
    return _TALLIES.get(source, {})


def _client_factory(config: ClientConfig) -> Callable[[], AsyncScreendesk]:
    """Makes the clients of ``config``: each resource has its own, on the loop that runs it."""
    return functools.partial(AsyncScreendesk, **config.arguments())


@contextlib.contextmanager
def reading_ahead(source: DltSource, names: Collection[str]) -> Iterator[None]:
    """While the block runs, the REST listings of ``source`` among ``names`` are being read.

    On a loop of their own, from now on: the pages arrive while dlt syncs its state and opens
    the destination (a remote warehouse takes seconds), and the resources take those readings
    when dlt asks them for tables. Afterwards a reading not taken is stopped. ``source`` is one
    :func:`screendesk_source` made (not a clone, such as ``with_resources`` makes); for any
    other source this does nothing.
    """
    feeds = [feed for name, feed in _FEEDS.get(source, {}).items() if name in names]
    if not feeds:
        yield
        return
    portal = Portal("screendesk-read-ahead")
    left: list[Reading] = []

    async def close_left() -> None:
        # Cancelled by now; closing retrieves a failure nobody took (a 401 during a failed
        # setup), which asyncio would otherwise log as never retrieved.
        for reading in left:
            await reading.aclose()

    portal.on_close(close_left)
    try:
        for feed in feeds:
            feed.start(portal)
        yield
    finally:
        left += [reading for feed in feeds if (reading := feed.forget()) is not None]
        portal.close()


def merged(rows: Any, name: str) -> Any:
    """``rows`` as the dlt resource ``name``: merged on its key, its model's JSON columns."""
    model, key = TABLES[name]
    return dlt.resource(
        rows,
        name=name,
        primary_key=key,
        write_disposition="merge",
        columns=_hints.hints(model, VERSIONS.get(name)),
    )


async def _settled(tables: AsyncGenerator[pa.Table, None], tally: Tally) -> AsyncIterator[pa.Table]:
    """``tables``, then (when the load merges) the late rows: newer copies of rows in them.

    A table with an unknown field's JSON column (``_unknown``) tells dlt its type first.
    """
    tally.reset()
    hinted: set[str] = set()
    async with contextlib.aclosing(tables) as reading:
        async for table in reading:
            yield _hints.with_json_hints(table, hinted)
    if tally.late and not tally.appending:
        for table in joined(tally.late):  # dlt's dedup_sort keeps each key's newest copy
            yield _hints.with_json_hints(table, hinted)
        tally.late = []


def _recordings(feed: Feed, batch_size: int, tally: Tally) -> Any:
    incremental = dlt.sources.incremental[datetime](CURSOR, on_cursor_value_missing="include")

    async def recordings(
        updated_at: dlt.sources.incremental[datetime] = incremental,
    ) -> AsyncIterator[pa.Table]:
        # The API has no "updated since" filter, so every page is read; rows older than the
        # last load's cursor are dropped here. Equal ones go on to dlt, which tells the rows
        # of the boundary apart by their primary key.
        since = updated_at.start_value
        keep = None if since is None else functools.partial(_changed_since, since=since)
        keys = Keys(feed.key, keep, version=CURSOR, tally=tally)
        async for table in _settled(feed.tables(keys, batch_size), tally):
            yield (
                _hints.cursor_told_complete(table, CURSOR) if isinstance(table, pa.Table) else table
            )

    return merged(recordings, "recordings")


def _changed_since(table: pa.Table, since: datetime) -> pa.Table:
    """The rows updated at or after ``since``, or never (no ``updated_at``)."""
    updated = table.column(CURSOR)
    bound = pa.scalar(since, type=updated.type)
    return table.filter(pc.or_kleene(pc.is_null(updated), pc.greater_equal(updated, bound)))


def _users(feed: Feed, batch_size: int, tally: Tally) -> Any:
    async def users() -> AsyncIterator[pa.Table]:
        keys = Keys(feed.key, version=VERSIONS["users"], tally=tally)
        async for table in _settled(feed.tables(keys, batch_size), tally):
            yield table

    return merged(users, "users")


def _scim_content(user: ScimUser) -> bytes:
    """What a SCIM user's content hash covers: all of it but ``meta.location``.

    That is its URL, which names the server that answered rather than anything of the user's.
    """
    data = user.to_dict()
    meta = data.get("meta")
    if isinstance(meta, dict):
        data["meta"] = {k: v for k, v in meta.items() if k != "location"}
    return orjson.dumps(data)


def _scim_table(users: list[ScimUser]) -> pa.Table:
    table = _arrow.to_table(ScimUser, users, "id")
    return with_hashes(table, [_scim_content(user) for user in users])


def _scim_users(
    make: Callable[[], AsyncScreendesk],
    concurrency: int | None,
    batch_size: int,
    progress: ProgressCallback | None,
    tally: Tally,
) -> Any:
    async def scim_users() -> AsyncIterator[pa.Table]:
        tally.reset()
        batcher = Batcher("scim_users", batch_size, progress, _scim_table)
        keys = Keys("id", tally=tally)
        async with make() as sd:
            listing = sd.scim.users.list(page_size=SCIM_PAGE_SIZE, concurrency=concurrency)
            async for user in listing:
                if not user.id:
                    # The primary key: a row without it cannot be merged, and dropping it
                    # would load a silently short table.
                    raise ResponseDecodeError("the SCIM listing sent a user without an id")
                batcher.add((user,), 1, None)
                if batcher.full:
                    table = batcher.flush(keys)
                    if table is not None:
                        yield table
        table = batcher.flush(keys)
        if table is not None:
            yield table

    return merged(scim_users, "scim_users")


def screendesk_source(
    token: str | None = None,
    *,
    scim_token: str | None = None,
    base_url: str | None = None,
    scim_base_url: str | None = None,
    concurrency: int | None = None,
    max_concurrency: int = C.DEFAULT_MAX_CONCURRENCY,
    max_retries: int = C.DEFAULT_MAX_RETRIES,
    timeout: float = C.DEFAULT_TIMEOUT,
    rate_limit: float | None = None,
    max_response_size: int | None = C.DEFAULT_MAX_RESPONSE_SIZE,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_progress: ProgressCallback | None = None,
) -> DltSource:
    """A dlt source of the account: ``recordings``, ``users`` and ``scim_users``.

    Every resource is written with ``merge`` on its primary key (``uuid``, ``email``, ``id``),
    so a re-run updates changed rows and adds new ones without duplicates; ``recordings`` is
    incremental on ``metadata.updated_at`` (its column ``metadata__updated_at``): a re-run
    loads only the recordings changed or added since the last one. ``recordings`` and
    ``users`` come with a REST token, ``scim_users`` with a SCIM token.

    Example::

        import dlt
        from screendesk_async.dlt import screendesk_source

        pipeline = dlt.pipeline("screendesk", destination="duckdb", dataset_name="screendesk")
        print(pipeline.run(screendesk_source()))

    Args:
        token: The REST token (default ``$SCREENDESK_API_TOKEN``): ``recordings``, ``users``.
        scim_token: The SCIM token (default ``$SCREENDESK_SCIM_TOKEN``): ``scim_users``.
        base_url: As for :class:`AsyncScreendesk` (default ``$SCREENDESK_BASE_URL``).
        scim_base_url: As for :class:`AsyncScreendesk`.
        max_concurrency: Requests in flight at once (per resource: each has its client).
        max_retries: Retries after the first try of each request.
        timeout: Seconds one attempt may take.
        rate_limit: Requests per second at most (per resource), or ``None``.
        max_response_size: Bytes one response may have (``None``: no cap).
        concurrency: Pages requested ahead (default: ``max_concurrency``).
        batch_size: Rows per Arrow table handed to dlt.
        on_progress: Called after every page with ``(resource, rows read, rows expected)``
            (from a worker thread: dlt's, or the one ``load`` reads ahead on).

    Raises:
        errors.ConfigurationError: neither a REST nor a SCIM token, or a bad base URL.
        ValueError: a malformed numeric setting.
    """
    # The client's settings, by the names resolve_config checks them under.
    config = resolve_config(token, **{k: v for k, v in locals().items() if k in SETTINGS})
    if concurrency is not None and (
        isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1
    ):
        raise ValueError(f"concurrency must be an int >= 1, got {concurrency!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}")
    if config.token is None and config.scim_token is None:
        config.rest_token()  # raises, naming the variable to set
    _hints.quiet_hint_notices()
    make = _client_factory(config)
    read_rows = min(batch_size, READ_ROWS)
    feeds = (
        {
            kind: Feed(
                kind, model, key, make, concurrency, read_rows, on_progress, hashed=kind in HASHED
            )
            for kind, (model, key) in _REST.items()
        }
        if config.token is not None
        else {}
    )
    tally = {name: Tally() for name in RESOURCES}
    resources = []
    if feeds:
        resources += [
            _recordings(feeds["recordings"], batch_size, tally["recordings"]),
            _users(feeds["users"], batch_size, tally["users"]),
        ]
    if config.scim_token is not None:
        resources.append(
            _scim_users(make, concurrency, batch_size, on_progress, tally["scim_users"])
        )

    @dlt.source(name=SOURCE_NAME)
    def screendesk() -> Any:
        return resources

    source: DltSource = screendesk()
    _FEEDS[source] = feeds
    _TALLIES[source] = {name: tally[name] for name in source.resources}
    return source


__all__ = [
    "CURSOR",
    "DEFAULT_BATCH_SIZE",
    "SOURCE_NAME",
    "ProgressCallback",
    "screendesk_source",
]
