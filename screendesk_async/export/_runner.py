"""The export loop: pages in order → de-duplicated records → partial file → checkpoint → FILE.

The loop runs on the event loop; every write, fsync and rename runs on a writer thread
(:class:`~._sinks.OffLoop`), so the other requests of an application go on while an export
writes.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import functools
import gzip
import math
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, repeat
from pathlib import Path
from typing import Any, Final

import attrs
import orjson

from .._client import AsyncScreendesk
from ..errors import ExportError
from ._checkpoint import RECENT_IDS, SAVED_IDS, Checkpoint
from ._files import (
    ExportLock,
    check_directory,
    checkpoint_path,
    is_file,
    open_existing,
    partial_path,
    publish,
    resolve_output,
    size_of,
)
from ._sinks import STDOUT, OffLoop, Sink, fsync_directory, is_special, open_direct, open_partial
from ._sources import IDS_KEY, SOURCES, RawPage, Source
from ._writers import Chunk, CsvWriter, JsonlWriter, Writer, as_dicts

FORMATS: Final = ("jsonl", "csv")
#: The format each extension means (before an optional ``.gz``).
EXTENSIONS: Final = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
#: Seconds between two checkpoints: each costs an fsync, and a kill loses at most this much.
CHECKPOINT_EVERY: Final = 1.0

_STR_OR_NONE: Final = frozenset({str, type(None)})
_ONLY_DICTS: Final = frozenset({dict})
#: What the writer thread has written: the progress, and the pages of ids that end it.
Written = tuple[Checkpoint, list[list[str]]]
#: Called once when the export starts (with the progress a resume starts from), then after
#: every page, with the progress so far and the expected number of records.
ProgressCallback = Callable[[Checkpoint, int | None], None]


def output_format(output: str | os.PathLike[str], fmt: str | None) -> tuple[str, bool]:
    """``(format, gzip)`` for ``output``: ``fmt`` if given, else the extension's, else JSONL.

    >>> output_format("r.csv.gz", None)
    ('csv', True)

    Raises:
        ValueError: an unknown ``fmt``, or one the extension contradicts (``r.jsonl`` as CSV).
    """
    if fmt is not None and fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    name = "" if os.fspath(output) == STDOUT else Path(output).name.lower()
    compressed = name.endswith(".gz")
    stem = name.removesuffix(".gz")
    implied = next((f for ext, f in EXTENSIONS.items() if stem.endswith(ext)), None)
    if fmt is not None and implied is not None and implied != fmt:
        raise ValueError(f"the format {fmt} contradicts the extension of {output} ({implied})")
    return fmt or implied or "jsonl", compressed


@attrs.frozen
class ExportSummary:
    """What an export did, for its final summary (``line()``, or ``to_dict()`` for scripts).

    ``records`` and ``pages`` count this run only (a resume's rate is this run's);
    ``total_records`` and ``total_pages`` count the whole output.
    """

    kind: str
    output: str
    format: str
    compressed: bool
    resumed: bool
    records: int
    pages: int
    total_records: int
    total_pages: int
    duplicates: int
    head_records: int
    retries: int
    elapsed: float
    initial_total: int | None
    final_total: int | None
    listing_pages: int | None
    warnings: tuple[str, ...] = ()
    #: False when nothing was there to write (every page asked for is past the last one): the
    #: output was then not created.
    written: bool = True

    @property
    def rate(self) -> float:
        """Records per second of this run."""
        return self.records / self.elapsed if self.elapsed > 0 else 0.0

    def line(self) -> str:
        """One human line: records, pages, retries, elapsed, rate, and any drift."""
        where = "stdout" if self.output == STDOUT else self.output
        if not self.written:
            return f"nothing exported: {where} was not created"
        more = " more" if self.resumed else ""
        text = (
            f"exported {self.records}{more} {self.kind} ({self.pages} pages) to {where} "
            f"in {self.elapsed:.2f} s ({self.rate:,.0f} records/s, {self.retries} retries)"
        )
        if self.resumed:
            text = (
                f"resumed: {text}; {self.total_records} {self.kind} "
                f"({self.total_pages} pages) in all"
            )
        if self.duplicates:
            text += f"; {self.duplicates} duplicates dropped"
        initial, final = self.initial_total, self.final_total
        if initial is not None and final is not None and initial != final:
            text += f"; the listing changed during the export: {initial} → {final} records"
            if final > initial:
                text += f" ({self.head_records} new records picked up from the head pages)"
            else:
                text += " (records removed meanwhile may have hidden others: export again)"
        return text

    def to_dict(self) -> dict[str, Any]:
        """Every figure, with ``rate``, as JSON-ready values."""
        data = attrs.asdict(self)
        data["warnings"] = list(self.warnings)
        data["rate"] = round(self.rate, 1)
        data["elapsed"] = round(self.elapsed, 3)
        return data


class _RecentIds:
    """A bounded set of the last ids written, to drop records seen twice across pages.

    Kept as one set plus the ids in the order they came, page by page, so that a page is
    checked, remembered and (once over the bound) forgotten with a few C-level set operations
    rather than one Python call per record: this runs for every record of an export.
    """

    def __init__(self, ids: list[str]) -> None:
        self._known: set[str] = set()
        self._pages: deque[list[str]] = deque()  # oldest first; every id in _known once
        self._count = 0
        self._remember(list(dict.fromkeys(ids)))

    def _remember(self, ids: list[str]) -> None:
        """Add ids that are new and distinct; forget the oldest beyond ``RECENT_IDS``."""
        if not ids:
            return
        self._known.update(ids)
        self._pages.append(ids)
        self._count += len(ids)
        excess = self._count - RECENT_IDS
        while excess > 0:
            oldest = self._pages[0]
            if len(oldest) <= excess:
                self._pages.popleft()
                forgotten = oldest
            else:
                self._pages[0], forgotten = oldest[excess:], oldest[:excess]
            self._known.difference_update(forgotten)
            self._count -= len(forgotten)
            excess -= len(forgotten)

    def add(self, record_id: str) -> bool:
        """Remember one id; ``False`` if it was seen recently."""
        return self.add_page([record_id]) is None

    def add_page(self, ids: list[str | None]) -> list[bool] | None:
        """Remember a page's ids; which records to keep, or ``None`` for all of them.

        A record without an id is always kept; of the others, only the first of an id.
        """
        present = [i for i in ids if i is not None] if None in ids else ids
        if self._known.isdisjoint(present) and len(set(present)) == len(present):
            self._remember(present)  # type: ignore[arg-type]  # no None left in it
            return None
        keep: list[bool] = []
        fresh: dict[str, None] = {}
        for record_id in ids:
            new = record_id is None or (record_id not in self._known and record_id not in fresh)
            if new and record_id is not None:
                fresh[record_id] = None
            keep.append(new)
        self._remember(list(fresh))
        return keep

    def as_list(self, limit: int | None = None) -> list[str]:
        """The ids (the last ``limit`` of them), oldest first."""
        return join_tail(self.tail(limit), limit)

    def tail(self, limit: int | None = None) -> list[list[str]]:
        """The pages of ids holding the last ``limit`` ids, oldest first; cheap to take.

        The lists are never changed once remembered (forgetting replaces them), so they can
        be joined later, on another thread, with :func:`join_tail`.
        """
        if limit is None or limit >= self._count:
            return list(self._pages)
        newest: list[list[str]] = []
        taken = 0
        for ids in reversed(self._pages):
            newest.append(ids)
            taken += len(ids)
            if taken >= limit:
                break
        newest.reverse()
        return newest


def join_tail(pages: list[list[str]], limit: int | None) -> list[str]:
    """The last ``limit`` ids of a :meth:`_RecentIds.tail`."""
    ids = list(chain.from_iterable(pages))
    return ids if limit is None else ids[-limit:]


def _record_id(record: Any, source: Source) -> str | None:
    value = record.get(source.id_key) if isinstance(record, dict) else None
    return None if value is None else str(value)


def _ids_at_head(partial: Path, source: Source, fmt: str, compressed: bool, limit: int) -> set[str]:
    """The ids of the first ``limit`` records of the partial file."""
    ids: set[str] = set()
    with contextlib.ExitStack() as files:
        raw = files.enter_context(os.fdopen(open_existing(partial, os.O_RDONLY), "rb"))
        stream: Iterable[bytes] = (
            files.enter_context(gzip.GzipFile(fileobj=raw, mode="rb")) if compressed else raw
        )
        if fmt == "csv":
            reader = csv.DictReader(line.decode("utf-8") for line in stream)
            rows: Iterator[Any] = reader
        else:
            rows = (orjson.loads(line) for line in stream if line.strip())
        for count, row in enumerate(rows):
            if count >= limit:
                break
            record_id = row.get(source.id_key)
            # An empty id (also a CSV cell of a null one) names no record: those are kept.
            if record_id is not None and record_id != "":
                ids.add(str(record_id))
    return ids


def _prepare(
    output: Path,
    source: Source,
    fmt: str,
    pages: tuple[int, int | None],
    origin: tuple[str, str],
    resume: bool,
    force: bool,
) -> Checkpoint:
    """Check the files against the options (before any request) and say where to start.

    ``origin`` is the ``(base URL, token)`` the export reads with: a checkpoint of another
    account's export is refused, so that one file never holds two accounts' records.
    """
    partial, checkpoint = partial_path(output), checkpoint_path(output)
    if resume:
        if is_file(output):
            raise ExportError(f"{output} is already complete; nothing to resume")
        state = Checkpoint.load(checkpoint)
        if (state.kind, state.fmt) != (source.kind, fmt):
            raise ExportError(
                f"{checkpoint} is an export of {state.kind} as {state.fmt}, "
                f"not {source.kind} as {fmt}"
            )
        if pages != (1, None) and pages != (state.first_page, state.last_page):
            raise ExportError(f"the pages differ from the interrupted export's in {checkpoint}")
        difference = state.mismatch(*origin)
        if difference is not None:
            raise ExportError(
                f"{checkpoint} is another export: {difference}; resume it with the same "
                "token and base URL, or --force to start over"
            )
        size = size_of(partial)
        if size is None or size < state.size:
            raise ExportError(f"{partial} is missing or shorter than its checkpoint says")
        return state
    if is_file(output) and not force:
        raise ExportError(f"{output} exists; use --force to overwrite it")
    if (is_file(partial) or is_file(checkpoint)) and not force:
        raise ExportError(
            f"an interrupted export of {output} exists: --resume to continue it, "
            "or --force to start over"
        )
    Checkpoint.remove(checkpoint)
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
    state = _fresh_state(source, fmt, pages)
    state.sign(*origin)
    return state


def _fresh_state(source: Source, fmt: str, pages: tuple[int, int | None]) -> Checkpoint:
    return Checkpoint(
        kind=source.kind, fmt=fmt, first_page=pages[0], last_page=pages[1], next_page=pages[0]
    )


async def export(
    sd: AsyncScreendesk,
    kind: str,
    output: str | os.PathLike[str],
    *,
    fmt: str | None = None,
    concurrency: int | None = None,
    pages: tuple[int, int | None] = (1, None),
    resume: bool = False,
    force: bool = False,
    on_page: ProgressCallback | None = None,
    checkpoint_every: float = CHECKPOINT_EVERY,
) -> ExportSummary:
    """Export every record of ``kind`` to ``output``, resumably; ``output`` appears only whole.

    Progress lives in ``output.partial`` and ``output.checkpoint`` until the export is
    complete; ``resume=True`` continues an interrupted export from its checkpoint. Records are
    written in page order, exactly as the server sent them (JSONL) or flattened (CSV), and
    de-duplicated by id. ``output`` ending in ``.gz`` is gzip-compressed (one gzip member per
    checkpoint, so it resumes too). ``"-"`` is standard output, and an ``output`` that exists
    but is not a regular file (``/dev/null``, a FIFO) is written to directly: neither can be
    resumed. All file work runs on a writer thread, off the event loop.

    Args:
        sd: The client to read with.
        kind: ``"recordings"``, ``"users"`` or ``"scim-users"``.
        output: The file to write, or ``"-"``.
        fmt: ``"jsonl"`` or ``"csv"``; default: from the extension (``.jsonl``, ``.ndjson``,
            ``.csv``, each optionally ``.gz``), else JSONL.
        concurrency: Pages fetched ahead (default: the client's ``max_concurrency``).
        pages: An inclusive page slice ``(first, last)``; ``last`` ``None`` reads to the end.
        resume: Continue the interrupted export of ``output``.
        force: Overwrite ``output`` and discard an interrupted export of it.
        on_page: Called when the export starts and after each page, e.g. for a progress bar.
        checkpoint_every: Seconds between checkpoints.

    Raises:
        ValueError: an unknown kind or format, a format the extension contradicts, or a bad
            page slice (nothing is sent).
        errors.ExportError: the files do not allow it (output exists, nothing to resume…).
    """
    if kind not in SOURCES:
        raise ValueError(f"unknown export kind {kind!r}; choose from {', '.join(SOURCES)}")
    fmt, compressed = output_format(output, fmt)
    first, last = pages
    if isinstance(first, bool) or not isinstance(first, int) or first < 1:
        raise ValueError(f"the first page must be an int >= 1, got {first!r}")
    if last is not None and (isinstance(last, bool) or not isinstance(last, int) or last < first):
        raise ValueError(f"the last page must be an int >= the first page, got {last!r}")
    source = SOURCES[kind]
    run = functools.partial(
        _Run, sd, source, concurrency=concurrency, on_page=on_page, every=checkpoint_every
    )
    if os.fspath(output) == STDOUT or await asyncio.to_thread(is_special, Path(output)):
        if resume:
            raise ExportError(f"{output} is not a regular file: an export to it cannot resume")
        target = Target(os.fspath(output), Path(output), compressed, direct=True)
        return await run(target, _fresh_state(source, fmt, pages), resumed=False).execute()
    path = await asyncio.to_thread(resolve_output, Path(output))
    await asyncio.to_thread(check_directory, path)
    target = Target(os.fspath(output), path, compressed, direct=False, overwrite=force)
    origin = _origin(sd, source)
    lock = await asyncio.to_thread(ExportLock.acquire, path)
    try:
        state = await asyncio.to_thread(_prepare, path, source, fmt, pages, origin, resume, force)
        return await run(target, state, resumed=resume).execute()
    finally:
        lock.release()  # execute returns once the writer thread is done with the files


def _origin(sd: AsyncScreendesk, source: Source) -> tuple[str, str]:
    """The API and the token ``source`` reads with (``ConfigurationError`` without a token)."""
    config = sd._transport.config
    if source.api == "scim":
        return config.scim_base_url, config.scim_token_or_raise().reveal()
    return config.base_url, config.rest_token().reveal()


@attrs.frozen
class Target:
    """Where an export writes.

    Attributes:
        name: The output as the caller named it (for the summary).
        path: The file written: ``name``, or the target of the link ``name`` is.
        compressed: gzip.
        direct: Standard output or a special file, written as it is (no partial, no resume).
        overwrite: Whether the finished export may replace a file that is at ``path``.
    """

    name: str
    path: Path
    compressed: bool
    direct: bool
    overwrite: bool = False


class _Run:
    """One run of an export (a fresh start or a resume)."""

    def __init__(
        self,
        sd: AsyncScreendesk,
        source: Source,
        target: Target,
        state: Checkpoint,
        *,
        resumed: bool,
        concurrency: int | None,
        on_page: ProgressCallback | None,
        every: float,
    ) -> None:
        self.sd, self.source, self.state, self.resumed = sd, source, state, resumed
        self.output, self.name = target.path, target.name
        self.compressed, self.direct, self.overwrite = (
            target.compressed,
            target.direct,
            target.overwrite,
        )
        self.fmt = state.fmt
        self.concurrency, self.on_page, self.checkpoint_every = concurrency, on_page, every
        self.partial, self.checkpoint = partial_path(self.output), checkpoint_path(self.output)
        self.recent = _RecentIds(state.recent_ids)
        self.final_total: int | None = None
        self.listing_pages: int | None = None
        self.head_records = 0
        self.records_at_start = state.records
        self.pages_at_start = state.pages
        self.retries_at_start = sd.retries
        self.page_items = 0
        #: The first ids of this run, for outputs that cannot be read back (stdout, a FIFO).
        self.head_ids: list[str] = []
        self.thread = OffLoop()
        #: The progress that the writer thread has written (the loop's ``state`` runs ahead of
        #: it): what a checkpoint saves. After a failed write, only the last checkpoint holds.
        self.written = self._snapshot()
        self.write_failed = False

    def _writer(self, first_page: list[Any]) -> tuple[Writer, list[Chunk]]:
        if self.fmt == "jsonl":
            return JsonlWriter(), []
        if self.state.columns is None:
            self.state.columns = CsvWriter.columns_for(self.source.columns, as_dicts(first_page))
            writer = CsvWriter(self.state.columns)
            return writer, [writer.header()]
        return CsvWriter(self.state.columns), []

    def _fresh(self, page: RawPage, items: list[Any]) -> list[Any]:
        key = self.source.id_key
        ids: list[Any] | None = page.get(IDS_KEY)
        if ids is None:
            if _ONLY_DICTS.issuperset(map(type, items)):
                ids = list(map(dict.get, items, repeat(key)))
            else:
                ids = [record.get(key) if isinstance(record, dict) else None for record in items]
        if not _STR_OR_NONE.issuperset(map(type, ids)):
            ids = [None if value is None else str(value) for value in ids]
        if self.direct and len(self.head_ids) < RECENT_IDS and self.state.first_page == 1:
            self.head_ids.extend(i for i in ids if i is not None)
        keep = self.recent.add_page(ids)
        if keep is None:
            return items
        fresh = [record for record, kept in zip(items, keep, strict=True) if kept]
        self.state.duplicates += len(items) - len(fresh)
        return fresh

    def _snapshot(self) -> Written:
        # The ids are joined on the writer thread, at a checkpoint: not once per page here.
        return attrs.evolve(self.state, recent_ids=[]), self.recent.tail(SAVED_IDS)

    def _write(self, sink: Sink, data: list[Chunk], written: Written) -> None:
        """On the writer thread: append a page; ``written`` is the progress once it is."""
        if self.write_failed:
            return  # nothing after a failed write: a gap would go unnoticed
        try:
            if data:
                sink.write(data)
        except BaseException:
            self.write_failed = True
            raise
        self.written = written

    def _checkpoint_now(self, sink: Sink) -> None:
        """On the writer thread: end the member, fsync, then save what is written."""
        if self.write_failed:
            return  # the last checkpoint stands: what followed it may be torn
        try:
            snapshot, tail = self.written
            snapshot.recent_ids = join_tail(tail, SAVED_IDS)
            snapshot.size = sink.commit()
            snapshot.save(self.checkpoint)
        except BaseException:
            self.write_failed = True
            raise

    def _open(self) -> Sink:
        if self.direct:
            return open_direct(self.name, compress=self.compressed)
        return open_partial(
            self.partial,
            self.state.size,
            compress=self.compressed,
            resume=bool(self.state.size) or is_file(self.partial),
        )

    def _finish(self, sink: Sink) -> None:
        """On the writer thread: the last fsync, then FILE appears whole."""
        if self.direct:
            sink.commit()
            sink.close()
            return
        if self._beyond_the_end():
            sink.close()
            self._discard()
            return
        # A last checkpoint first: should the rename be refused, --resume has nothing to redo.
        self._checkpoint_now(sink)
        sink.close()
        publish(self.partial, self.output, overwrite=self.overwrite)
        fsync_directory(self.output.parent)
        Checkpoint.remove(self.checkpoint)

    async def execute(self) -> ExportSummary:
        started = time.perf_counter()
        state, thread = self.state, self.thread
        try:
            sink = await thread.call(self._open)
        except BaseException:
            thread.shutdown()
            raise
        try:
            if not self.direct:
                # From here on, even a kill leaves something --resume understands.
                await thread.call(self._checkpoint_now, sink)
            if self.on_page is not None:
                self.on_page(state, None)
            await self._copy(sink)
            await thread.call(self._finish, sink)
        except BaseException:
            self._stop(sink)
            raise
        thread.shutdown()
        return self._summary(time.perf_counter() - started)

    async def _copy(self, sink: Sink) -> None:
        state, thread, source = self.state, self.thread, self.source
        writer: Writer | None = None
        last_saved = time.monotonic()
        async for page in self._pages(state.next_page, state.last_page):
            items = page.get(source.items_key) or []
            total = source.total(page)
            if state.initial_total is None:
                state.initial_total = total
            self.final_total = total if total is not None else self.final_total
            self.listing_pages = source.page_count(page) or self.listing_pages
            if writer is None:
                writer, header = self._writer(items)
                if header:
                    await thread.submit(self._write, sink, header, self._snapshot())
            self.page_items = max(self.page_items, len(items))
            fresh = self._fresh(page, items)
            state.records += len(fresh)
            state.pages += 1 if items else 0
            state.next_page += 1
            await thread.submit(self._write, sink, writer.encode(fresh), self._snapshot())
            if not self.direct and time.monotonic() - last_saved >= self.checkpoint_every:
                await thread.submit(self._checkpoint_now, sink)
                last_saved = time.monotonic()
            if self.on_page is not None:
                self.on_page(state, self._expected())
        if writer is not None:
            await self._reread_head(sink, writer)

    def _summary(self, elapsed: float) -> ExportSummary:
        state = self.state
        return ExportSummary(
            kind=self.source.kind,
            output=self.name,
            format=self.fmt,
            compressed=self.compressed,
            resumed=self.resumed,
            records=state.records - self.records_at_start,
            pages=state.pages - self.pages_at_start,
            total_records=state.records,
            total_pages=state.pages,
            duplicates=state.duplicates,
            head_records=self.head_records,
            retries=self.sd.retries - self.retries_at_start,
            elapsed=elapsed,
            initial_total=state.initial_total,
            final_total=self.final_total,
            listing_pages=self.listing_pages,
            warnings=self._warnings(),
            written=self.direct or not self._beyond_the_end(),
        )

    def _warnings(self) -> tuple[str, ...]:
        first, last, count = self.state.first_page, self.state.last_page, self.listing_pages
        if count is None or (first, last) == (1, None):
            return ()
        asked = f"{first}-{'' if last is None else last}"
        if first > count:
            return (f"pages {asked} are beyond the last page ({count}): nothing to export",)
        if last is not None and last > count:
            clipped = f"exported pages {first}-{count}"
            return (f"pages {count + 1}-{last} are beyond the last page ({count}): {clipped}",)
        return ()

    async def _pages(self, first: int, last: int | None) -> Any:
        pages = self.source.open_pages(self.sd, first, last, self.concurrency)
        async with contextlib.aclosing(pages):  # type: ignore[type-var]
            async for page in pages:
                yield page

    def _expected(self) -> int | None:
        total = self.state.initial_total
        if total is None or not self.page_items:
            return total
        first, last = self.state.first_page, self.state.last_page
        end = total if last is None else min(total, last * self.page_items)
        return max(0, end - (first - 1) * self.page_items)

    def _stop(self, sink: Sink) -> None:
        """Save what is durable, or leave nothing behind when nothing was written.

        Blocking, on purpose: it runs while the export is being cancelled or failing, when
        waiting on the loop again could be cut short, and what it saves must be saved.
        """
        self.thread.shutdown()
        try:
            if self.direct:
                return
            if self.written[0].records == 0:
                with contextlib.suppress(OSError):
                    sink.close()
                self._discard()
                return
            if not self.write_failed and not sink.closed:
                # A failing disk may refuse this too: the last checkpoint then stands.
                with contextlib.suppress(OSError):
                    self._checkpoint_now(sink)
        finally:
            with contextlib.suppress(OSError):
                sink.close()

    def _discard(self) -> None:
        """Leave nothing behind: there was nothing to write."""
        self.partial.unlink(missing_ok=True)
        Checkpoint.remove(self.checkpoint)

    def _beyond_the_end(self) -> bool:
        """Whether every page asked for is past the listing's last page (nothing to write)."""
        count = self.listing_pages
        return count is not None and self.state.first_page > count and self.state.records == 0

    async def _reread_head(self, sink: Sink, writer: Writer) -> None:
        """Pick up records created at the head of the listing while it was read."""
        initial, final = self.state.initial_total, self.final_total
        if (
            not self.source.supports_head_reread
            or self.state.first_page != 1
            or initial is None
            or final is None
            or final <= initial
            or not self.page_items
        ):
            return
        added = final - initial
        head_pages = math.ceil(added / self.page_items) + 1
        limit = (head_pages + 1) * self.page_items + added
        if self.direct:
            known = set(self.head_ids[:limit])
        else:
            await self.thread.call(sink.commit)
            known = await self.thread.call(
                _ids_at_head, self.partial, self.source, self.fmt, self.compressed, limit
            )
        async for page in self._pages(1, head_pages):
            raw_items = page.get(self.source.items_key) or []
            ids = page.get(IDS_KEY)
            if ids is None:
                ids = [_record_id(record, self.source) for record in raw_items]
            kept = [
                (record, record_id)
                for record, record_id in zip(raw_items, ids, strict=True)
                if record_id is None or str(record_id) not in known
            ]
            items = [record for record, _ in kept]
            fresh = self._fresh({IDS_KEY: [record_id for _, record_id in kept]}, items)
            self.state.records += len(fresh)
            self.head_records += len(fresh)
            await self.thread.submit(self._write, sink, writer.encode(fresh), self._snapshot())
