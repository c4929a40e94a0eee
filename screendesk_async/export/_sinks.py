"""Where an export's bytes go: a partial file (plain or gzip), a stream, or a special file.

Every method here blocks (writes, fsyncs, renames): the export calls them from its writer
thread (:class:`OffLoop`), never from the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import os
import stat
import sys
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any, Final, TypeVar

from ._files import create_new, open_existing
from ._writers import Chunk

T = TypeVar("T")

#: What ``output="-"`` means: standard output.
STDOUT: Final = "-"
#: gzip level of ``FILE.gz``: most of level 9's ratio at a few times its speed.
GZIP_LEVEL: Final = 6
#: Writes queued for the writer thread before the export waits for it (bounds memory).
MAX_QUEUED_WRITES: Final = 8
#: The partial file's write buffer: records come one chunk each, so the default 8 KiB would
#: cost a system call every few records.
FILE_BUFFER: Final = 1 << 20


def is_special(output: Path) -> bool:
    """Whether ``output`` exists and is not a regular file to replace.

    That is ``/dev/null``, a FIFO, a tty, and also ``/dev/stdout`` or ``/dev/fd/N`` when the
    descriptor is a regular file (``> out.jsonl``): a rename there would replace the link.
    """
    try:
        mode = output.stat().st_mode
    except OSError:
        return False
    if stat.S_ISDIR(mode):
        return False
    return not stat.S_ISREG(mode) or str(output.absolute()).startswith(("/dev/", "/proc/"))


class Sink:
    """A binary destination with members: ``commit()`` ends one and makes it durable.

    With ``compress``, every member is a complete gzip member (concatenated members are one
    gzip stream), so the bytes up to any commit are a valid ``.gz`` file to resume from.
    """

    def __init__(self, stream: IO[bytes], *, compress: bool, durable: bool, owned: bool) -> None:
        self._raw = stream
        self._compress = compress
        self._durable = durable
        self._owned = owned
        self._member: gzip.GzipFile | None = None
        self._closed = False

    def write(self, chunks: Iterable[Chunk]) -> None:
        """Append ``chunks`` (to the current gzip member, which is started when needed)."""
        if not self._compress:
            self._raw.writelines(chunks)
            return
        if self._member is None:
            self._member = gzip.GzipFile(
                fileobj=self._raw, mode="wb", compresslevel=GZIP_LEVEL, mtime=0
            )
        # One compress call a page, not one per record and newline: gzip before Python 3.12
        # buffers nothing, and writing chunk by chunk made a .gz export of 20,000 recordings
        # take 1.10 instead of 0.68 s. The joined page is a compressed export's only copy.
        self._member.write(b"".join(chunks))

    def commit(self) -> int:
        """End the current member, flush (and fsync a file); return the durable size."""
        if self._member is not None:
            self._member.close()  # writes the member's trailer; the file stays open
            self._member = None
        self._raw.flush()
        if not self._durable:
            return 0
        os.fsync(self._raw.fileno())
        return self._raw.tell()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def close(self) -> None:
        """Close the destination (standard output is flushed, not closed); idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._member is not None:
                self._member.close()
                self._member = None
            self._raw.flush()
        finally:
            if self._owned:
                self._raw.close()


def open_partial(partial: Path, size: int, *, compress: bool, resume: bool) -> Sink:
    """The partial file, cut back to ``size`` (the last checkpoint) when resuming.

    Opened without following a link, and created exclusively when new (``_files``).
    """
    stream: IO[bytes]
    if resume:
        stream = os.fdopen(open_existing(partial, os.O_RDWR), "r+b", buffering=FILE_BUFFER)
        stream.truncate(size)  # anything after the last checkpoint is written again
        stream.seek(size)
    else:
        stream = os.fdopen(create_new(partial), "wb", buffering=FILE_BUFFER)
    return Sink(stream, compress=compress, durable=True, owned=True)


def open_direct(output: Path | str, *, compress: bool) -> Sink:
    """Standard output (``"-"``) or an existing special file, written to as it is."""
    if output == STDOUT:
        return Sink(sys.stdout.buffer, compress=compress, durable=False, owned=False)
    # "ab" never truncates: a FIFO or a device is not a file to empty.
    return Sink(Path(output).open("ab"), compress=compress, durable=False, owned=True)


def fsync_directory(directory: Path) -> None:
    """Make a rename durable (where the platform allows opening a directory)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


class OffLoop:
    """A writer thread: file work runs there, in order, while the event loop goes on.

    :meth:`submit` queues a call without waiting (at most ``MAX_QUEUED_WRITES`` are queued
    before it waits for the oldest); :meth:`call` queues one and waits for its result. A queued
    call that failed raises at the next :meth:`submit`, :meth:`call` or :meth:`drain`.
    """

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="screendesk-export-writer")
        self._queued: deque[asyncio.Future[Any]] = deque()

    async def submit(self, function: Callable[..., Any], *args: Any) -> None:
        """Queue ``function(*args)`` on the writer thread."""
        while self._queued and (self._queued[0].done() or len(self._queued) >= MAX_QUEUED_WRITES):
            await self._queued.popleft()  # re-raises a failed write
        loop = asyncio.get_running_loop()
        self._queued.append(loop.run_in_executor(self._executor, function, *args))

    async def call(self, function: Callable[..., T], *args: Any) -> T:
        """Run ``function(*args)`` on the writer thread after everything queued; its result."""
        await self.drain()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, function, *args)

    async def drain(self) -> None:
        """Wait for every queued call; raise the first failure."""
        while self._queued:
            await self._queued.popleft()

    def shutdown(self) -> None:
        """Wait for the thread's work and stop it (blocking: for the failure path only)."""
        self._executor.shutdown(wait=True)
        for future in self._queued:
            if future.done() and not future.cancelled():
                future.exception()  # retrieved: a failure already being handled is not logged
        self._queued.clear()


async def settled(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` on a thread of its own; even when cancelled, it ends before this does.

    For the short file work before an export writes (taking the lock, removing the files of an
    export started over): abandoned half-way, a lock taken or a file removed would outlive the
    export that was cancelled, and a lock released too early would let another export in while
    that work still goes on.
    """
    thread = OffLoop()
    try:
        return await thread.call(function, *args)
    finally:
        thread.shutdown()  # after a cancellation: blocks until the call has ended
