"""The dlt source: recordings, users and SCIM users as resources fed by the library's listings.

Each resource is an async generator: dlt runs it on its own event loop (in a worker thread), so
the :class:`AsyncScreendesk` client is created inside the generator, on that loop, and uses the
library's own concurrent pagination there. That is the client's native path (no sync facade and
its extra portal thread in between), and it works the same under a caller's running loop (a
notebook), because dlt's loop is its own. Pages are gathered into Arrow tables of about
``batch_size`` rows (see ``_arrow``) so dlt's per-table work stays small.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from operator import attrgetter
from typing import Any, Final, TypeVar

import dlt
import pyarrow as pa
from dlt.common.schema.typing import TTableSchemaColumns
from dlt.extract.source import DltSource

from .. import _constants as C
from .._client import AsyncScreendesk
from .._config import ClientConfig, resolve_config
from ..errors import ResponseDecodeError
from ..models import Page, Recording, ScimUser, User
from . import _arrow

T = TypeVar("T")

#: The dlt source's name (its schema's, and the default pipeline's and dataset's).
SOURCE_NAME: Final = "screendesk"
#: Rows per Arrow table handed to dlt.
DEFAULT_BATCH_SIZE: Final = 5_000
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
    """Gathers items into Arrow tables of about ``size`` rows, and reports progress.

    A key seen before in this run is dropped (a record created during the listing shifts the
    pages, so one can come twice): every run yields each key once, which keeps an ``append``
    into an empty table (see ``_pipeline.load``) exactly what a ``merge`` would give.
    """

    def __init__(
        self, name: str, model: type, key: str, size: int, progress: ProgressCallback | None
    ) -> None:
        self._name, self._model, self._key = name, model, key
        self._size, self._progress = size, progress
        self._items: list[Any] = []
        self._seen: set[Any] = set()
        self._get_key = attrgetter(key)
        self.read = 0

    def add(self, items: Sequence[Any], read: int, expected: int | None) -> pa.Table | None:
        """Keep ``items``; a full table when ``size`` rows are waiting."""
        self.read += read
        if self._progress is not None:
            self._progress(self._name, self.read, expected)
        keys = list(map(self._get_key, items))
        seen = self._seen
        if seen.isdisjoint(keys) and len(set(keys)) == len(keys):
            self._items.extend(items)
        else:
            fresh = []
            for key, item in zip(keys, items, strict=True):
                if key not in seen:
                    seen.add(key)
                    fresh.append(item)
            items = fresh
            self._items.extend(items)
        seen.update(keys)
        return self.flush() if len(self._items) >= self._size else None

    def flush(self) -> pa.Table | None:
        """The rows still waiting as a table, or None when there are none."""
        items, self._items = self._items, []
        return _arrow.to_table(self._model, items, self._key) if items else None


def _expected(page: Page[Any]) -> int | None:
    return page.pagination.count if page.pagination is not None else None


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
        # last load's cursor are dropped here, before any Arrow work. Equal ones go on to dlt,
        # which tells the rows of the boundary apart by their primary key.
        since = updated_at.start_value
        batcher = _Batcher("recordings", Recording, "uuid", batch_size, progress)
        async with make() as sd:
            async for page in sd.recordings.pages(concurrency=concurrency):
                items = page.items
                if since is not None:
                    items = [item for item in items if _changed_since(item, since)]
                table = batcher.add(items, len(page.items), _expected(page))
                if table is not None:
                    yield table
        table = batcher.flush()
        if table is not None:
            yield table

    return dlt.resource(
        recordings,
        name="recordings",
        primary_key="uuid",
        write_disposition="merge",
        columns=_hints(Recording),
    )


def _changed_since(recording: Recording, since: datetime) -> bool:
    metadata = recording.metadata
    updated = metadata.updated_at if metadata is not None else None
    return updated is None or updated >= since


def _users(
    make: Callable[[], AsyncScreendesk],
    concurrency: int | None,
    batch_size: int,
    progress: ProgressCallback | None,
) -> Any:
    async def users() -> AsyncIterator[pa.Table]:
        batcher = _Batcher("users", User, "email", batch_size, progress)
        async with make() as sd:
            async for page in sd.users.pages(concurrency=concurrency):
                table = batcher.add(page.items, len(page.items), _expected(page))
                if table is not None:
                    yield table
        table = batcher.flush()
        if table is not None:
            yield table

    return dlt.resource(
        users,
        name="users",
        primary_key="email",
        write_disposition="merge",
        columns=_hints(User),
    )


def _scim_users(
    make: Callable[[], AsyncScreendesk],
    concurrency: int | None,
    batch_size: int,
    progress: ProgressCallback | None,
) -> Any:
    async def scim_users() -> AsyncIterator[pa.Table]:
        batcher = _Batcher("scim_users", ScimUser, "id", batch_size, progress)
        async with make() as sd:
            listing = sd.scim.users.list(page_size=SCIM_PAGE_SIZE, concurrency=concurrency)
            async for user in listing:
                if not user.id:
                    # The primary key: a row without it cannot be merged, and dropping it
                    # would load a silently short table.
                    raise ResponseDecodeError("the SCIM listing sent a user without an id")
                table = batcher.add((user,), 1, None)
                if table is not None:
                    yield table
        table = batcher.flush()
        if table is not None:
            yield table

    return dlt.resource(
        scim_users,
        name="scim_users",
        primary_key="id",
        write_disposition="merge",
        columns=_hints(ScimUser),
    )


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
