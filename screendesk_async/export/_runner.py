"""The export loop: pages in order → de-duplicated records → partial file → checkpoint → FILE."""

from __future__ import annotations

import contextlib
import csv
import math
import os
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from itertools import chain, repeat
from pathlib import Path
from typing import IO, Any, Final

import attrs
import orjson

from .._client import AsyncScreendesk
from ..errors import ExportError
from ._checkpoint import RECENT_IDS, SAVED_IDS, Checkpoint
from ._sources import SOURCES, RawPage, Source
from ._writers import CsvWriter, JsonlWriter, Writer, sync_to_disk

FORMATS: Final = ("jsonl", "csv")
#: Seconds between two checkpoints: each costs an fsync, and a kill loses at most this much.
CHECKPOINT_EVERY: Final = 1.0

_STR_OR_NONE: Final = frozenset({str, type(None)})
_ONLY_DICTS: Final = frozenset({dict})
#: Called after every page with the progress so far and the expected number of records.
ProgressCallback = Callable[[Checkpoint, int | None], None]


def partial_path(output: Path) -> Path:
    """Where an export writes until it is complete (``FILE.partial``)."""
    return output.with_name(output.name + ".partial")


def checkpoint_path(output: Path) -> Path:
    """Where an export keeps its checkpoint (``FILE.checkpoint``)."""
    return output.with_name(output.name + ".checkpoint")


@attrs.frozen
class ExportSummary:
    """What an export did, for its final summary line."""

    kind: str
    output: Path
    records: int
    pages: int
    duplicates: int
    head_records: int
    retries: int
    elapsed: float
    initial_total: int | None
    final_total: int | None

    @property
    def rate(self) -> float:
        """Records per second of this run."""
        return self.records / self.elapsed if self.elapsed > 0 else 0.0

    def line(self) -> str:
        """One human line: records, pages, retries, elapsed, rate, and any drift."""
        text = (
            f"exported {self.records} {self.kind} ({self.pages} pages) to {self.output} "
            f"in {self.elapsed:.2f} s ({self.rate:,.0f} records/s, {self.retries} retries)"
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
        if limit is None or limit >= self._count:
            return list(chain.from_iterable(self._pages))
        newest: list[list[str]] = []
        taken = 0
        for ids in reversed(self._pages):
            newest.append(ids)
            taken += len(ids)
            if taken >= limit:
                break
        return list(chain.from_iterable(reversed(newest)))[-limit:]


def _record_id(record: Any, source: Source) -> str | None:
    value = record.get(source.id_key) if isinstance(record, dict) else None
    return None if value is None else str(value)


def _ids_at_head(partial: Path, source: Source, fmt: str, limit: int) -> set[str]:
    """The ids of the first ``limit`` records of the partial file."""
    ids: set[str] = set()
    with partial.open("rb") as stream:
        if fmt == "csv":
            reader = csv.DictReader(line.decode("utf-8") for line in stream)
            rows: Iterator[Any] = reader
        else:
            rows = (orjson.loads(line) for line in stream if line.strip())
        for count, row in enumerate(rows):
            if count >= limit:
                break
            record_id = row.get(source.id_key)
            if record_id:
                ids.add(str(record_id))
    return ids


def _prepare(
    output: Path, source: Source, fmt: str, pages: tuple[int, int | None], resume: bool, force: bool
) -> Checkpoint:
    """Check the files against the options (before any request) and say where to start."""
    partial, checkpoint = partial_path(output), checkpoint_path(output)
    if resume:
        if output.exists():
            raise ExportError(f"{output} is already complete; nothing to resume")
        state = Checkpoint.load(checkpoint)
        if (state.kind, state.fmt) != (source.kind, fmt):
            raise ExportError(
                f"{checkpoint} is an export of {state.kind} as {state.fmt}, "
                f"not {source.kind} as {fmt}"
            )
        if pages != (1, None) and pages != (state.first_page, state.last_page):
            raise ExportError(f"--pages differs from the interrupted export's in {checkpoint}")
        if not partial.exists() or partial.stat().st_size < state.size:
            raise ExportError(f"{partial} is missing or shorter than its checkpoint says")
        return state
    if output.exists() and not force:
        raise ExportError(f"{output} exists; use --force to overwrite it")
    if (partial.exists() or checkpoint.exists()) and not force:
        raise ExportError(
            f"an interrupted export of {output} exists: --resume to continue it, "
            "or --force to start over"
        )
    Checkpoint.remove(checkpoint)
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
    return Checkpoint(
        kind=source.kind, fmt=fmt, first_page=pages[0], last_page=pages[1], next_page=pages[0]
    )


def _open_partial(partial: Path, state: Checkpoint) -> IO[bytes]:
    if state.size or partial.exists():
        stream = partial.open("r+b")
        stream.truncate(state.size)  # anything after the last checkpoint is written again
        stream.seek(state.size)
        return stream
    return partial.open("xb")


async def export(
    sd: AsyncScreendesk,
    kind: str,
    output: str | os.PathLike[str],
    *,
    fmt: str = "jsonl",
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
    de-duplicated by id.

    Args:
        sd: The client to read with.
        kind: ``"recordings"``, ``"users"`` or ``"scim-users"``.
        output: The file to write.
        fmt: ``"jsonl"`` or ``"csv"``.
        concurrency: Pages fetched ahead (default: the client's ``max_concurrency``).
        pages: An inclusive page slice ``(first, last)``; ``last`` ``None`` reads to the end.
        resume: Continue the interrupted export of ``output``.
        force: Overwrite ``output`` and discard an interrupted export of it.
        on_page: Called after each page, e.g. to draw a progress bar.
        checkpoint_every: Seconds between checkpoints.

    Raises:
        ValueError: an unknown kind or format, or a bad page slice (nothing is sent).
        errors.ExportError: the files do not allow it (output exists, nothing to resume…).
    """
    if kind not in SOURCES:
        raise ValueError(f"unknown export kind {kind!r}; choose from {', '.join(SOURCES)}")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    first, last = pages
    if isinstance(first, bool) or not isinstance(first, int) or first < 1:
        raise ValueError(f"the first page must be an int >= 1, got {first!r}")
    if last is not None and (isinstance(last, bool) or not isinstance(last, int) or last < first):
        raise ValueError(f"the last page must be an int >= the first page, got {last!r}")
    source = SOURCES[kind]
    output = Path(output)
    state = _prepare(output, source, fmt, pages, resume, force)
    run = _Run(sd, source, fmt, output, state, concurrency, on_page, checkpoint_every)
    return await run.execute()


class _Run:
    """One run of an export (a fresh start or a resume)."""

    def __init__(
        self,
        sd: AsyncScreendesk,
        source: Source,
        fmt: str,
        output: Path,
        state: Checkpoint,
        concurrency: int | None,
        on_page: ProgressCallback | None,
        checkpoint_every: float,
    ) -> None:
        self.sd, self.source, self.fmt, self.output, self.state = sd, source, fmt, output, state
        self.concurrency, self.on_page, self.checkpoint_every = (
            concurrency,
            on_page,
            checkpoint_every,
        )
        self.partial, self.checkpoint = partial_path(output), checkpoint_path(output)
        self.recent = _RecentIds(state.recent_ids)
        self.final_total: int | None = None
        self.head_records = 0
        self.records_at_start = state.records
        self.retries_at_start = sd.retries
        self.page_items = 0

    def _writer(self, stream: IO[bytes], first_page: list[dict[str, Any]]) -> Writer:
        if self.fmt == "jsonl":
            return JsonlWriter(stream)
        if self.state.columns is None:
            self.state.columns = CsvWriter.columns_for(self.source.columns, first_page)
            writer = CsvWriter(stream, self.state.columns)
            writer.header()
            return writer
        return CsvWriter(stream, self.state.columns)

    def _fresh(self, items: list[Any]) -> list[dict[str, Any]]:
        key = self.source.id_key
        if _ONLY_DICTS.issuperset(map(type, items)):
            ids = list(map(dict.get, items, repeat(key)))
        else:
            ids = [record.get(key) if isinstance(record, dict) else None for record in items]
        if not _STR_OR_NONE.issuperset(map(type, ids)):
            ids = [None if value is None else str(value) for value in ids]
        keep = self.recent.add_page(ids)
        if keep is None:
            return items
        fresh = [record for record, kept in zip(items, keep, strict=True) if kept]
        self.state.duplicates += len(items) - len(fresh)
        return fresh

    def _save(self, stream: IO[bytes]) -> None:
        self.state.size = sync_to_disk(stream)
        self.state.recent_ids = self.recent.as_list(SAVED_IDS)  # all a checkpoint keeps
        self.state.save(self.checkpoint)

    async def _pages(self, first: int, last: int | None) -> AsyncIterator[RawPage]:
        pages = self.source.open_pages(self.sd, first, last, self.concurrency)
        async with contextlib.aclosing(pages):  # type: ignore[type-var]
            async for page in pages:
                yield page

    async def execute(self) -> ExportSummary:
        started = time.perf_counter()
        state = self.state
        stream = _open_partial(self.partial, state)
        self._save(stream)  # from here on, even a kill leaves something --resume understands
        try:
            writer: Writer | None = None
            last_saved = time.monotonic()
            async for page in self._pages(state.next_page, state.last_page):
                items = page.get(self.source.items_key) or []
                total = self.source.total(page)
                if state.initial_total is None:
                    state.initial_total = total
                self.final_total = total if total is not None else self.final_total
                if writer is None:
                    writer = self._writer(stream, items)
                self.page_items = max(self.page_items, len(items))
                fresh = self._fresh(items)
                writer.write(fresh)
                state.records += len(fresh)
                state.pages += 1 if items else 0
                state.next_page += 1
                if time.monotonic() - last_saved >= self.checkpoint_every:
                    self._save(stream)
                    last_saved = time.monotonic()
                if self.on_page is not None:
                    self.on_page(state, self._expected())
            if writer is not None:
                await self._reread_head(stream, writer)
            sync_to_disk(stream)
        except BaseException:
            self._stop(stream)
            raise
        stream.close()
        os.replace(self.partial, self.output)
        _fsync_directory(self.output.parent)
        Checkpoint.remove(self.checkpoint)
        return ExportSummary(
            kind=self.source.kind,
            output=self.output,
            records=state.records,
            pages=state.pages,
            duplicates=state.duplicates,
            head_records=self.head_records,
            retries=self.sd.retries - self.retries_at_start,
            elapsed=time.perf_counter() - started,
            initial_total=state.initial_total,
            final_total=self.final_total,
        )

    def _expected(self) -> int | None:
        total = self.state.initial_total
        if total is None or not self.page_items:
            return total
        first, last = self.state.first_page, self.state.last_page
        end = total if last is None else min(total, last * self.page_items)
        return max(0, end - (first - 1) * self.page_items)

    def _stop(self, stream: IO[bytes]) -> None:
        """Save what is durable, or leave nothing behind when nothing was written."""
        try:
            if self.state.records == 0:
                stream.close()
                self.partial.unlink(missing_ok=True)
                Checkpoint.remove(self.checkpoint)
                return
            self._save(stream)
        finally:
            stream.close()

    async def _reread_head(self, stream: IO[bytes], writer: Writer) -> None:
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
        stream.flush()
        known = _ids_at_head(
            self.partial, self.source, self.fmt, (head_pages + 1) * self.page_items + added
        )
        async for page in self._pages(1, head_pages):
            items = [
                record
                for record in page.get(self.source.items_key) or []
                if _record_id(record, self.source) not in known
            ]
            fresh = self._fresh(items)
            writer.write(fresh)
            self.state.records += len(fresh)
            self.head_records += len(fresh)


def _fsync_directory(directory: Path) -> None:
    """Make a rename durable (where the platform allows opening a directory)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
