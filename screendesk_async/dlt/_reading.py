"""Reading a listing for the dlt source: pages into Arrow tables, while the next pages arrive.

A :class:`Reading` reads a REST listing's pages as the JSONL export does (each record's JSON
line, ``export._sources``) in a task of its own, and every :class:`Batcher`-full of them into
an Arrow table in a worker thread (``_wire``: pyarrow's JSON reader where the model allows, else
the models), in order. A :class:`Feed` is where a resource's tables come from: a reading started
ahead on a loop of its own (``_pipeline.load`` starts one before dlt's own setup, so that the
pages arrive meanwhile), or else one started when dlt asks for the tables, on dlt's loop. Either
way the feed keeps the rows to load (``_keys.Keys``) and hands dlt tables of about
``batch_size`` rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncGenerator, Callable, Sequence
from typing import Any, Final, Protocol

import pyarrow as pa

from .._client import AsyncScreendesk
from .._portal import Portal
from ..export._sources import SOURCES, Source
from ..export._writers import Chunk, jsonl_chunks
from . import _wire
from ._keys import HASH_COLUMN, Keys

#: Rows a REST listing reads into Arrow at a time (in a worker thread, while pages arrive):
#: small, so that little is left to read once the last page is in.
READ_ROWS: Final = 1_000
#: Tables a reading keeps ready (or being read) before it waits for one to be taken, and its
#: pages with it: what bounds its memory when dlt, or a destination's setup, is slower than
#: the pages.
AHEAD_TABLES: Final = 16

#: ``(resource, rows read so far, rows expected or None)``, called after every page.
ProgressCallback = Callable[[str, int, int | None], None]


class Batcher:
    """Gathers a listing's records into parts of about ``size`` rows; reports progress.

    ``add`` keeps parts (the chunks of a page's JSON lines, or models) until ``size`` rows
    wait; ``take`` hands them over and ``build`` turns them into a table (in any thread: it
    touches no state here).
    """

    def __init__(
        self,
        name: str,
        size: int,
        progress: ProgressCallback | None,
        build: Callable[[list[Any]], pa.Table],
    ) -> None:
        self._name, self._size, self._progress, self.build = name, size, progress, build
        self._parts: list[Any] = []
        self._rows = 0
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

    def flush(self, keys: Keys) -> pa.Table | None:
        """The rows still waiting as a table, as ``keys`` selects and settles them.

        None if none are left.
        """
        parts = self.take()
        table = keys.select(self.build(parts)) if parts else None
        return None if table is None else keys.settle([table])[0]


def joined(tables: list[pa.Table]) -> list[pa.Table]:
    """``tables`` as one table, or as they are where their columns' types disagree.

    A column one table lacks (an unknown field none of its records had) is null in its rows.
    """
    if len(tables) < 2:
        return tables
    try:
        return [pa.concat_tables(tables, promote_options="permissive")]
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return tables


def with_hashes(table: pa.Table, records: list[Chunk]) -> pa.Table:
    """``table`` with ``HASH_COLUMN``: a hash of each of ``records`` (its JSON), row by row."""
    digests = [hashlib.blake2b(record, digest_size=16).hexdigest() for record in records]
    return table.append_column(HASH_COLUMN, pa.array(digests, type=pa.string()))


class _Tables(Protocol):
    async def next(self) -> pa.Table | None: ...

    async def aclose(self) -> None: ...


class Reading:
    """A REST listing's pages read into Arrow tables, in order, from the moment it is made.

    Made on the event loop that runs it. A task of its own reads the pages, so they keep coming
    while the tables are being used; every ``batcher``-full is read into Arrow in a worker thread
    (Arrow's reader releases the GIL). At most ``AHEAD_TABLES`` tables wait to be taken.
    """

    def __init__(
        self,
        kind: str,
        make: Callable[[], AsyncScreendesk],
        concurrency: int | None,
        batcher: Batcher,
    ) -> None:
        self._built: asyncio.Queue[asyncio.Future[pa.Table] | None] = asyncio.Queue()
        self._room = asyncio.Semaphore(AHEAD_TABLES)
        self._task = asyncio.create_task(self._read(SOURCES[kind], make, concurrency, batcher))

    async def _read(
        self,
        source: Source,
        make: Callable[[], AsyncScreendesk],
        concurrency: int | None,
        batcher: Batcher,
    ) -> None:
        async def build(parts: list[Any]) -> None:
            await self._room.acquire()
            self._built.put_nowait(asyncio.ensure_future(asyncio.to_thread(batcher.build, parts)))

        try:
            async with make() as sd:
                async for page in source.open_pages(sd, 1, None, concurrency):
                    records = page.get(source.items_key) or ()
                    batcher.add(jsonl_chunks(records), len(records), source.total(page))
                    if batcher.full:
                        await build(batcher.take())
            parts = batcher.take()
            if parts:
                await build(parts)
        finally:
            self._built.put_nowait(None)  # the end, or the failure the task holds

    async def next(self) -> pa.Table | None:
        """The next table; None after the last (raises what the listing raised)."""
        future = await self._built.get()
        if future is None:
            await self._task
            return None
        self._room.release()
        return await future

    async def aclose(self) -> None:
        """Stop reading; the tables not taken are dropped (a failure among them retrieved)."""
        self._task.cancel()
        while not self._built.empty():
            pending = self._built.get_nowait()
            if pending is not None and not pending.cancel() and not pending.cancelled():
                pending.exception()
        await asyncio.gather(self._task, return_exceptions=True)


class _Elsewhere:
    """A :class:`Reading` on another thread's event loop, used from this one."""

    def __init__(self, loop: asyncio.AbstractEventLoop, reading: Reading) -> None:
        self._loop, self.reading = loop, reading

    async def next(self) -> pa.Table | None:
        step = asyncio.run_coroutine_threadsafe(self.reading.next(), self._loop)
        return await asyncio.wrap_future(step)

    async def aclose(self) -> None:
        if self._loop.is_closed():
            return  # its portal closed the reading with the loop
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: the same
            await asyncio.wrap_future(
                asyncio.run_coroutine_threadsafe(self.reading.aclose(), self._loop)
            )


class Feed:
    """Where a REST resource's tables come from: a reading started ahead, or one started now.

    Example (``_source.reading_ahead`` and the resources do this)::

        feed.start(portal)  # the pages start arriving, on the portal's loop
        ...                 # dlt's own setup, meanwhile
        async for table in feed.tables(Keys("uuid"), 5_000):  # on dlt's loop
            ...
    """

    def __init__(
        self,
        kind: str,
        model: type,
        key: str,
        make: Callable[[], AsyncScreendesk],
        concurrency: int | None,
        read_rows: int,
        progress: ProgressCallback | None,
        *,
        hashed: bool = False,
    ) -> None:
        self.kind, self.model, self.key, self._make = kind, model, key, make
        self._concurrency, self._read_rows, self._progress = concurrency, read_rows, progress
        self.hashed = hashed
        self._ahead: _Elsewhere | None = None

    def _reading(self) -> Reading:
        model, key, hashed = self.model, self.key, self.hashed

        def build(parts: list[Chunk]) -> pa.Table:
            table = _wire.table_of_lines(model, b"".join(parts), key)
            return with_hashes(table, parts[::2]) if hashed else table

        batcher = Batcher(self.kind, self._read_rows, self._progress, build)
        return Reading(self.kind, self._make, self._concurrency, batcher)

    def start(self, portal: Portal) -> None:
        """Start reading on ``portal``'s loop; the next :meth:`tables` takes that reading."""
        self._ahead = _Elsewhere(portal.loop, portal.call_sync(self._reading))

    def forget(self) -> Reading | None:
        """Let go of a reading started ahead; the reading, if it was not taken (to close it)."""
        ahead, self._ahead = self._ahead, None
        return None if ahead is None else ahead.reading

    async def tables(self, keys: Keys, batch_size: int) -> AsyncGenerator[pa.Table, None]:
        """The rows to load (``keys``) in the listing's order, in tables of about ``batch_size``.

        The tables read are yielded together (``joined``: ``pa.concat_tables`` copies nothing).
        """
        ahead, self._ahead = self._ahead, None
        reading: _Tables = ahead if ahead is not None else self._reading()
        ready: list[pa.Table] = []
        try:
            while (table := await reading.next()) is not None:
                selected = keys.select(table)
                if selected is not None:
                    ready.append(selected)
                if ready and sum(t.num_rows for t in ready) >= batch_size:
                    for settled in keys.settle(joined(ready)):
                        yield settled
                    ready = []
            if ready:
                for settled in keys.settle(joined(ready)):
                    yield settled
        finally:
            await reading.aclose()
