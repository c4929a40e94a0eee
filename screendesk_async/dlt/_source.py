"""The dlt source: recordings, users and SCIM users as resources fed by the library's listings.

Each resource is an async generator: dlt runs it on its own event loop (in a worker thread), so
the :class:`AsyncScreendesk` client is created inside the generator, on that loop, and uses the
library's own concurrent pagination there. That is the client's native path (no sync facade and
its extra portal thread in between), and it works the same under a caller's running loop (a
notebook), because dlt's loop is its own.

``recordings`` and ``users`` read their pages as the JSONL export does (each record's JSON line,
``export._sources``) and turn them into Arrow tables with ``_wire`` (pyarrow's JSON reader where
the model allows, else the models and ``_arrow``), in worker threads while the next pages
arrive; ``scim_users`` tables the models of the SCIM listing. dlt gets tables of about
``batch_size`` rows, so its per-table work stays small.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from datetime import datetime
from typing import Any, Final

import dlt
import pyarrow as pa
import pyarrow.compute as pc
from dlt.common.schema.typing import TTableSchemaColumns
from dlt.extract.source import DltSource

from .. import _constants as C
from .._client import AsyncScreendesk
from .._config import ClientConfig, resolve_config
from ..errors import ResponseDecodeError
from ..export._sources import LINES_KEY, SOURCES
from ..models import Recording, ScimUser, User
from . import _arrow, _wire

#: The dlt source's name (its schema's, and the default pipeline's and dataset's).
SOURCE_NAME: Final = "screendesk"
#: Rows per Arrow table handed to dlt.
DEFAULT_BATCH_SIZE: Final = 5_000
#: Rows a REST listing reads into Arrow at a time (in a worker thread, while pages arrive):
#: small, so that little is left to read once the last page is in.
READ_ROWS: Final = 1_000
#: The recordings' incremental cursor: ``metadata.updated_at``, as its flattened column.
CURSOR: Final = _arrow.SEPARATOR.join(("metadata", "updated_at"))
#: SCIM users per request.
SCIM_PAGE_SIZE: Final = 100

#: The resources' names (and their tables').
RESOURCES: Final = ("recordings", "users", "scim_users")

#: ``(resource, rows read so far, rows expected or None)``, called after every page.
ProgressCallback = Callable[[str, int, int | None], None]


class _JsonHintNotice(logging.Filter):
    """Drops dlt's warning that our JSON columns' hint differs from their Arrow type.

    Those columns are Arrow strings holding JSON text, declared ``json`` on purpose (see
    ``_arrow``); dlt keeps the hint, as intended, but warns on every load of every resource.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (
            "when merging arrow schema with dlt schema" in message
            and any(f"In resource: {name}," in message for name in RESOURCES)
        )


_NOTICE_FILTER: Final = _JsonHintNotice()


def _quiet_json_hint_notice() -> None:
    dlt_logger = logging.getLogger("dlt")
    if _NOTICE_FILTER not in dlt_logger.filters:
        dlt_logger.addFilter(_NOTICE_FILTER)


def _hints(model: type) -> TTableSchemaColumns:
    """Dlt's column hints: the JSON columns (every other type is read from the Arrow schema)."""
    return {name: {"name": name, "data_type": "json"} for name in _arrow.json_columns(model)}


def _client_factory(config: ClientConfig) -> Callable[[], AsyncScreendesk]:
    def make() -> AsyncScreendesk:
        return AsyncScreendesk(
            config.token.reveal() if config.token else None,
            scim_token=config.scim_token.reveal() if config.scim_token else None,
            base_url=config.base_url,
            scim_base_url=config.scim_base_url,
            timeout=config.timeout,
            max_retries=config.max_retries,
            max_concurrency=config.max_concurrency,
            rate_limit=config.rate_limit,
            max_response_size=config.max_response_size,
        )

    return make


class _Batcher:
    """Gathers a resource's records into Arrow tables of about ``size`` rows; reports progress.

    ``add`` keeps parts (a page's JSON lines, or models) until ``size`` rows wait; ``take``
    hands them over, ``build`` turns them into a table (any thread: it touches no state here),
    and ``select`` (in order, one table after the other) keeps the rows to load: those ``keep``
    (optional) selects, and each key once. A key seen before in this run is dropped (a record
    created during the listing shifts the pages, so one can come twice): every run yields each
    key once, which keeps an ``append`` into an empty table (see ``_pipeline.load``) exactly
    what a ``merge`` would give.
    """

    def __init__(
        self,
        name: str,
        key: str,
        size: int,
        progress: ProgressCallback | None,
        build: Callable[[list[Any]], pa.Table],
        keep: Callable[[pa.Table], pa.Table] | None = None,
    ) -> None:
        self._name, self._key, self._size, self._progress = name, key, size, progress
        self.build, self._keep = build, keep
        self._parts: list[Any] = []
        self._rows = 0
        self._seen: set[Any] = set()
        self.read = 0

    @property
    def full(self) -> bool:
        """Whether ``size`` rows are waiting."""
        return self._rows >= self._size

    def add(self, parts: Sequence[Any], rows: int, expected: int | None) -> None:
        """Keep ``parts`` (``rows`` records read)."""
        self.read += rows
        if self._progress is not None:
            self._progress(self._name, self.read, expected)
        self._parts.extend(parts)
        self._rows += rows

    def take(self) -> list[Any]:
        """The parts waiting (none wait afterwards)."""
        parts, self._parts, self._rows = self._parts, [], 0
        return parts

    def select(self, table: pa.Table) -> pa.Table | None:
        """The rows of ``table`` to load (None when none are left)."""
        if self._keep is not None:
            table = self._keep(table)
        keys = table.column(self._key).to_pylist()
        seen = self._seen
        if not seen.isdisjoint(keys) or len(set(keys)) != len(keys):
            fresh = []
            for key in keys:
                fresh.append(key not in seen)
                seen.add(key)
            table = table.filter(pa.array(fresh, type=pa.bool_()))
        seen.update(keys)
        return table if table.num_rows else None

    def flush(self) -> pa.Table | None:
        """The rows still waiting as a table, or None when none are left to load."""
        parts = self.take()
        return self.select(self.build(parts)) if parts else None


def _lines_of(model: type, key: str) -> Callable[[list[bytes]], pa.Table]:
    """``_Batcher``'s ``build`` for pages' JSON lines: read by Arrow, or via the models."""
    return lambda parts: _wire.table_of_lines(model, b"".join(parts), key)


def _models_of(model: type, key: str) -> Callable[[list[Any]], pa.Table]:
    return lambda parts: _arrow.to_table(model, parts, key)


async def _listing(
    kind: str,
    make: Callable[[], AsyncScreendesk],
    concurrency: int | None,
    batcher: _Batcher,
    batch_size: int,
) -> AsyncGenerator[pa.Table, None]:
    """A REST listing's tables of about ``batch_size`` rows, read from its pages' JSON lines.

    The pages come as the export reads them (each record's JSON line), from a task of its own,
    so they keep arriving while dlt handles a table (between two of its requests for the next
    one, this generator is suspended). Every ``batcher``-full of them is read into Arrow in a
    worker thread (Arrow's reader releases the GIL); those tables are selected in the
    listing's order and yielded together (``pa.concat_tables`` copies nothing).
    """
    source = SOURCES[kind]
    built: asyncio.Queue[asyncio.Future[pa.Table] | None] = asyncio.Queue()

    def build(parts: list[Any]) -> None:
        built.put_nowait(asyncio.ensure_future(asyncio.to_thread(batcher.build, parts)))

    async def read() -> None:
        try:
            async with make() as sd:
                async for page in source.open_pages(sd, 1, None, concurrency):
                    records = page.get(source.items_key) or ()
                    batcher.add((page.get(LINES_KEY, b""),), len(records), source.total(page))
                    if batcher.full:
                        build(batcher.take())
            parts = batcher.take()
            if parts:
                build(parts)
        finally:
            built.put_nowait(None)  # the end, or the failure the task holds

    reader = asyncio.create_task(read())
    ready: list[pa.Table] = []
    try:
        while (future := await built.get()) is not None:
            table = batcher.select(await future)
            if table is not None:
                ready.append(table)
            if ready and sum(t.num_rows for t in ready) >= batch_size:
                yield pa.concat_tables(ready)
                ready = []
        await reader  # raises what the listing raised
        if ready:
            yield pa.concat_tables(ready)
    finally:
        reader.cancel()
        while not built.empty():
            pending = built.get_nowait()
            if pending is not None and not pending.cancel() and not pending.cancelled():
                pending.exception()  # retrieved: a table nobody will load failed as well
        await asyncio.gather(reader, return_exceptions=True)


def _merged(rows: Callable[..., AsyncIterator[pa.Table]], model: type, key: str) -> Any:
    """``rows`` as the dlt resource of its name: merged on ``key``, ``model``'s JSON columns."""
    return dlt.resource(
        rows,
        name=rows.__name__,
        primary_key=key,
        write_disposition="merge",
        columns=_hints(model),
    )


def _rest_tables(
    kind: str,
    model: type,
    key: str,
    make: Callable[[], AsyncScreendesk],
    concurrency: int | None,
    batch_size: int,
    progress: ProgressCallback | None,
    keep: Callable[[pa.Table], pa.Table] | None = None,
) -> AsyncIterator[pa.Table]:
    """A REST listing's tables of ``model`` rows, read ``READ_ROWS`` at a time (``_listing``)."""
    batcher = _Batcher(kind, key, min(batch_size, READ_ROWS), progress, _lines_of(model, key), keep)
    return _listing(kind, make, concurrency, batcher, batch_size)


def _recordings(
    make: Callable[[], AsyncScreendesk],
    concurrency: int | None,
    batch_size: int,
    progress: ProgressCallback | None,
) -> Any:
    incremental = dlt.sources.incremental[datetime](CURSOR, on_cursor_value_missing="include")

    async def recordings(
        updated_at: dlt.sources.incremental[datetime] = incremental,
    ) -> AsyncIterator[pa.Table]:
        # The API has no "updated since" filter, so every page is read; rows older than the
        # last load's cursor are dropped here. Equal ones go on to dlt, which tells the rows
        # of the boundary apart by their primary key.
        since = updated_at.start_value
        keep = None if since is None else functools.partial(_changed_since, since=since)
        tables = _rest_tables(
            "recordings", Recording, "uuid", make, concurrency, batch_size, progress, keep
        )
        async for table in tables:
            yield table

    return _merged(recordings, Recording, "uuid")


def _changed_since(table: pa.Table, since: datetime) -> pa.Table:
    """The rows updated at or after ``since``, or never (no ``updated_at``)."""
    updated = table.column(CURSOR)
    bound = pa.scalar(since, type=updated.type)
    return table.filter(pc.or_kleene(pc.is_null(updated), pc.greater_equal(updated, bound)))


def _users(
    make: Callable[[], AsyncScreendesk],
    concurrency: int | None,
    batch_size: int,
    progress: ProgressCallback | None,
) -> Any:
    async def users() -> AsyncIterator[pa.Table]:
        tables = _rest_tables("users", User, "email", make, concurrency, batch_size, progress)
        async for table in tables:
            yield table

    return _merged(users, User, "email")


def _scim_users(
    make: Callable[[], AsyncScreendesk],
    concurrency: int | None,
    batch_size: int,
    progress: ProgressCallback | None,
) -> Any:
    async def scim_users() -> AsyncIterator[pa.Table]:
        build = _models_of(ScimUser, "id")
        batcher = _Batcher("scim_users", "id", batch_size, progress, build)
        async with make() as sd:
            listing = sd.scim.users.list(page_size=SCIM_PAGE_SIZE, concurrency=concurrency)
            async for user in listing:
                if not user.id:
                    # The primary key: a row without it cannot be merged, and dropping it
                    # would load a silently short table.
                    raise ResponseDecodeError("the SCIM listing sent a user without an id")
                batcher.add((user,), 1, None)
                if batcher.full:
                    table = batcher.flush()
                    if table is not None:
                        yield table
        table = batcher.flush()
        if table is not None:
            yield table

    return _merged(scim_users, ScimUser, "id")


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
            (from dlt's worker thread).

    Raises:
        errors.ConfigurationError: neither a REST nor a SCIM token, or a bad base URL.
        ValueError: a malformed numeric setting.
    """
    config = resolve_config(
        token,
        scim_token=scim_token,
        base_url=base_url,
        scim_base_url=scim_base_url,
        timeout=timeout,
        max_retries=max_retries,
        max_concurrency=max_concurrency,
        rate_limit=rate_limit,
        max_response_size=max_response_size,
    )
    if concurrency is not None and (
        isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1
    ):
        raise ValueError(f"concurrency must be an int >= 1, got {concurrency!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}")
    if config.token is None and config.scim_token is None:
        config.rest_token()  # raises, naming the variable to set
    _quiet_json_hint_notice()
    make = _client_factory(config)
    resources = []
    if config.token is not None:
        resources += [
            _recordings(make, concurrency, batch_size, on_progress),
            _users(make, concurrency, batch_size, on_progress),
        ]
    if config.scim_token is not None:
        resources.append(_scim_users(make, concurrency, batch_size, on_progress))

    @dlt.source(name=SOURCE_NAME)
    def screendesk() -> Any:
        return resources

    source: DltSource = screendesk()
    return source


__all__ = [
    "CURSOR",
    "DEFAULT_BATCH_SIZE",
    "SOURCE_NAME",
    "ProgressCallback",
    "screendesk_source",
]
