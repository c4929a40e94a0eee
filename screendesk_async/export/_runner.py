"""The export loop: pages in order → de-duplicated records → partial file → checkpoint → FILE.

The loop runs on the event loop; every write, fsync and rename runs on a writer thread (the
:class:`~._journal.Journal`), so the other requests of an application go on while an export
writes. What is checked before the first request is in ``_start``, the files beside FILE in
``_files``, the summary in ``_summary``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import time
from collections.abc import Callable
from itertools import repeat
from typing import Any, Final

from .._client import AsyncScreendesk
from ..errors import ExportError
from ._checkpoint import RECENT_IDS, Checkpoint
from ._files import export_lock
from ._head import head_pages, ids_at_head
from ._journal import Journal
from ._recent import RecentIds
from ._sinks import settled
from ._sources import IDS_KEY, SOURCES, RawPage, Source
from ._start import Target, check_slice, fresh_state, locate, origin, output_format, prepare
from ._summary import ExportSummary, slice_warnings
from ._writers import Chunk, CsvWriter, JsonlWriter, Writer, as_dicts

#: Seconds between two checkpoints: each costs an fsync, and a kill loses at most this much.
CHECKPOINT_EVERY: Final = 1.0

_ONLY_STR: Final = frozenset({str})
#: Called once when the export starts (with the progress a resume starts from), then after
#: every page, with the progress so far and the expected number of records.
ProgressCallback = Callable[[Checkpoint, int | None], None]


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
    check_slice(pages)
    source = SOURCES[kind]
    run = functools.partial(
        _Run, sd, source, concurrency=concurrency, on_page=on_page, every=checkpoint_every
    )
    path, direct = await asyncio.to_thread(locate, output)
    if direct:
        if resume:
            raise ExportError(f"{output} is not a regular file: an export to it cannot resume")
        target = Target(os.fspath(output), path, compressed, direct=True)
        return await run(target, fresh_state(source, fmt, pages), resumed=False).execute()
    target = Target(os.fspath(output), path, compressed, direct=False, overwrite=force)
    account = origin(sd, source)
    lock = export_lock(path)
    try:
        state = await settled(prepare, lock, path, source, fmt, pages, account, resume, force)
        return await run(target, state, resumed=resume).execute()
    finally:
        lock.release()  # each returns only once its thread is done with the files


class _Run:
    """One run of an export (a fresh start or a resume): the pages, read and counted."""

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
        self.sd, self.source, self.target, self.state = sd, source, target, state
        self.resumed, self.concurrency, self.on_page, self.every = (
            resumed,
            concurrency,
            on_page,
            every,
        )
        self.recent = RecentIds(state.recent_ids)
        self.journal = Journal(target, state, self.recent)
        self.final_total: int | None = None
        self.listing_pages: int | None = None
        self.head_records = 0
        self.records_at_start = state.records
        self.pages_at_start = state.pages
        self.retries_at_start = sd.retries
        self.page_items = 0
        #: The first ids of this run, for outputs that cannot be read back (stdout, a FIFO).
        self.head_ids: list[str] = []

    def _writer(self, first_page: list[Any]) -> tuple[Writer, list[Chunk]]:
        if self.state.fmt == "jsonl":
            return JsonlWriter(), []
        model = self.source.model
        if self.state.columns is None:
            self.state.columns = CsvWriter.columns_for(model, as_dicts(first_page))
            writer = CsvWriter(model, self.state.columns)
            return writer, [writer.header()]
        return CsvWriter(model, self.state.columns), []

    def _ids(self, page: RawPage, items: list[Any]) -> list[str]:
        """The ids of a page's records (each has one: its page was checked), as text."""
        ids: list[Any] | None = page.get(IDS_KEY)
        if ids is None:  # a listing of dicts (SCIM)
            ids = list(map(dict.get, items, repeat(self.source.id_key)))
        return ids if _ONLY_STR.issuperset(map(type, ids)) else list(map(str, ids))

    def _fresh(self, ids: list[str], items: list[Any]) -> list[Any]:
        """The records of a page not written yet, by id."""
        if self.target.direct and len(self.head_ids) < RECENT_IDS and self.state.first_page == 1:
            self.head_ids.extend(ids)
        keep = self.recent.add_page(ids)
        if keep is None:
            return items
        fresh = [record for record, kept in zip(items, keep, strict=True) if kept]
        self.state.duplicates += len(items) - len(fresh)
        return fresh

    async def execute(self) -> ExportSummary:
        started = time.perf_counter()
        journal = self.journal
        await journal.open()
        try:
            if self.on_page is not None:
                self.on_page(self.state, None)
            await self._copy()
            await journal.finish(nothing_to_write=self._beyond_the_end())
        except BaseException:
            journal.stop()
            raise
        return self._summary(time.perf_counter() - started)

    async def _copy(self) -> None:
        state, journal, source = self.state, self.journal, self.source
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
                    await journal.append(header)
            self.page_items = max(self.page_items, len(items))
            fresh = self._fresh(self._ids(page, items), items)
            state.records += len(fresh)
            state.pages += 1 if items else 0
            state.next_page += 1
            await journal.append(writer.encode(fresh))
            if time.monotonic() - last_saved >= self.every:
                await journal.checkpoint()
                last_saved = time.monotonic()
            if self.on_page is not None:
                self.on_page(state, self._expected())
        if writer is not None:
            await self._reread_head(writer)

    def _summary(self, elapsed: float) -> ExportSummary:
        state, target = self.state, self.target
        return ExportSummary(
            kind=self.source.kind,
            output=target.name,
            format=state.fmt,
            compressed=target.compressed,
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
            warnings=slice_warnings(state.first_page, state.last_page, self.listing_pages),
            written=target.direct or not self._beyond_the_end(),
        )

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

    def _beyond_the_end(self) -> bool:
        """Whether every page asked for is past the listing's last page (nothing to write)."""
        count = self.listing_pages
        return count is not None and self.state.first_page > count and self.state.records == 0

    async def _reread_head(self, writer: Writer) -> None:
        """Pick up records created at the head of the listing while it was read (``_head``)."""
        plan = head_pages(self.state.initial_total, self.final_total, self.page_items)
        if plan is None or not self.source.supports_head_reread or self.state.first_page != 1:
            return
        pages, limit = plan
        target = self.target
        if target.direct:
            known = set(self.head_ids[:limit])
        else:
            await self.journal.commit()
            known = await self.journal.thread.call(
                ids_at_head,
                self.journal.partial,
                self.source,
                self.state.fmt,
                target.compressed,
                limit,
            )
        async for page in self._pages(1, pages):
            raw_items = page.get(self.source.items_key) or []
            kept = [
                (record, one_id)
                for record, one_id in zip(raw_items, self._ids(page, raw_items), strict=True)
                if one_id not in known
            ]
            fresh = self._fresh([one_id for _, one_id in kept], [record for record, _ in kept])
            self.state.records += len(fresh)
            self.head_records += len(fresh)
            await self.journal.append(writer.encode(fresh))
