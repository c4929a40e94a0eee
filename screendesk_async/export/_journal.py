"""The writer thread's side of an export: its sink, what is written, checkpoints, the end.

The export loop's progress (its :class:`~._checkpoint.Checkpoint`) runs ahead of the writer
thread: each page is queued with a snapshot of the progress it completes, and
:attr:`Journal.written` becomes that snapshot once the page is written. A checkpoint saves
``written``, never what is only queued; after a failed write nothing more is written, and the
last checkpoint is what ``--resume`` continues from.
"""

from __future__ import annotations

import contextlib

import attrs

from ._checkpoint import SAVED_IDS, Checkpoint
from ._files import checkpoint_path, is_file, partial_path, publish
from ._recent import RecentIds, join_tail
from ._sinks import OffLoop, Sink, fsync_directory, open_direct, open_partial
from ._start import Target
from ._writers import Chunk

#: What the writer thread has written: the progress, and the pages of ids that end it.
Written = tuple[Checkpoint, list[list[str]]]


class Journal:
    """Writes one export's pages on a thread of its own, and keeps FILE resumable.

    Example (``_runner`` does this)::

        journal = Journal(target, state, recent)
        await journal.open()           # the first checkpoint: a kill can be resumed
        await journal.append(chunks)   # after the loop counted the page in ``state``
        await journal.checkpoint()     # every second
        await journal.finish()         # FILE appears whole (or ``journal.stop()`` on failure)
    """

    def __init__(self, target: Target, state: Checkpoint, recent: RecentIds) -> None:
        self.target, self._state, self._recent = target, state, recent
        self.partial, self.checkpoint_file = partial_path(target.path), checkpoint_path(target.path)
        self.thread = OffLoop()
        self.written = self.snapshot()
        self.failed = False
        self._sink: Sink | None = None

    def snapshot(self) -> Written:
        """The loop's progress now (the ids are joined on the writer thread, at a checkpoint)."""
        return attrs.evolve(self._state, recent_ids=[]), self._recent.tail(SAVED_IDS)

    @property
    def sink(self) -> Sink:
        """Where the pages go (after :meth:`open`)."""
        if self._sink is None:
            raise RuntimeError("the journal is not open")
        return self._sink

    async def open(self) -> None:
        """Open the output (the partial file, cut back to the checkpoint), and checkpoint."""
        try:
            await self.thread.call(self._open)
            if not self.target.direct:
                # From here on, even a kill leaves something --resume understands.
                await self.thread.call(self._checkpoint_now)
        except BaseException:
            self.stop()  # cancelled while the thread opened it: closed, and removed if new
            raise

    async def append(self, chunks: list[Chunk]) -> None:
        """Queue a page's bytes, with the progress they complete."""
        await self.thread.submit(self._write, chunks, self.snapshot())

    async def checkpoint(self) -> None:
        """Queue a checkpoint of what will have been written by then."""
        if not self.target.direct:
            await self.thread.submit(self._checkpoint_now)

    async def commit(self) -> None:
        """Wait until everything queued is written and durable (to read the file back)."""
        await self.thread.call(self.sink.commit)

    async def finish(self, *, nothing_to_write: bool = False) -> None:
        """The last writes and fsync, then FILE appears whole (or, if nothing, nothing)."""
        await self.thread.call(self._finish, nothing_to_write)
        self.thread.shutdown()

    def _open(self) -> None:
        """On the writer thread: the sink, kept here (not returned to a wait that may be gone)."""
        target, size = self.target, self._state.size
        if target.direct:
            self._sink = open_direct(target.name, compress=target.compressed)
            return
        resume = bool(size) or is_file(self.partial)
        self._sink = open_partial(self.partial, size, compress=target.compressed, resume=resume)

    def _write(self, chunks: list[Chunk], written: Written) -> None:
        """On the writer thread: append a page; ``written`` is the progress once it is."""
        if self.failed:
            return  # nothing after a failed write: a gap would go unnoticed
        try:
            if chunks:
                self.sink.write(chunks)
        except BaseException:
            self.failed = True
            raise
        self.written = written

    def _checkpoint_now(self) -> None:
        """On the writer thread: end the member, fsync, then save what is written."""
        if self.failed:
            return  # the last checkpoint stands: what followed it may be torn
        try:
            snapshot, tail = self.written
            snapshot.recent_ids = join_tail(tail, SAVED_IDS)
            snapshot.size = self.sink.commit()
            snapshot.save(self.checkpoint_file)
        except BaseException:
            self.failed = True
            raise

    def _finish(self, nothing_to_write: bool) -> None:
        """On the writer thread: the last fsync, then FILE appears whole."""
        sink, target = self.sink, self.target
        if target.direct:
            sink.commit()
            sink.close()
            return
        if nothing_to_write:
            sink.close()
            self._discard()
            return
        # A last checkpoint first: should the rename be refused, --resume has nothing to redo.
        self._checkpoint_now()
        sink.close()
        publish(self.partial, target.path, overwrite=target.overwrite)
        fsync_directory(target.path.parent)
        Checkpoint.remove(self.checkpoint_file)

    def _discard(self) -> None:
        """Leave nothing behind: nothing was written."""
        self.partial.unlink(missing_ok=True)
        Checkpoint.remove(self.checkpoint_file)

    def stop(self) -> None:
        """After a failure or a cancellation: save what is durable, or leave nothing behind.

        Blocking, on purpose: it runs while the export is being cancelled or failing, when
        waiting on the loop again could be cut short, and what it saves must be saved.
        """
        self.thread.shutdown()
        sink = self._sink
        if sink is None:
            return
        try:
            if self.target.direct:
                return
            if self.written[0].records == 0:
                with contextlib.suppress(OSError):
                    sink.close()
                self._discard()
                return
            if not self.failed and not sink.closed:
                # A failing disk may refuse this too: the last checkpoint then stands.
                with contextlib.suppress(OSError):
                    self._checkpoint_now()
        finally:
            with contextlib.suppress(OSError):
                sink.close()
