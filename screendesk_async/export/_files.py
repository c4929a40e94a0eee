"""The files an export keeps beside FILE, how they are opened, and the lock on FILE.

``FILE.partial`` (the records so far), ``FILE.checkpoint`` (how much of them is durable) and
``FILE.lock`` (held while an export writes FILE) live in FILE's directory, which may be shared
with other users (``/tmp``). So none of them is opened through a symbolic link, a new one is
created exclusively, and an existing one must be a regular file of this user: a link or file
planted there can make an export fail, never write somewhere else.

FILE itself may be a symbolic link that the user named: the export then writes its target
(:func:`resolve_output`), and the link stays as it is. A link or a FIFO that another user left
as FILE in such a shared directory is refused, as Linux itself does when its
``fs.protected_symlinks`` and ``fs.protected_fifos`` are on; so is another user's file there.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path
from typing import Final

from ..errors import ExportError, ScreendeskError

try:  # POSIX; elsewhere two exports of one FILE are not kept apart
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

#: Added to every open here: never through a link, never inherited by a child process.
_SAFE: Final = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
#: Opens an existing file without waiting (a FIFO planted there would wait for a writer).
_NONBLOCK: Final = getattr(os, "O_NONBLOCK", 0)
#: Permissions of a new partial file (before the umask), as ``open()`` gives any new file.
_FILE_MODE: Final = 0o666
#: The lock file is nobody else's business.
_LOCK_MODE: Final = 0o600
#: Links followed from FILE before giving up (Linux's own limit).
_MAX_LINKS: Final = 40
#: A directory like /tmp: anyone may create entries, only their owner remove them.
_SHARED: Final = stat.S_ISVTX | stat.S_IWOTH
_IN_SHARED: Final = "of another user in a shared directory: an export never"
#: Why an entry another user left as FILE in a shared directory is refused, by its type.
_PLANTED: Final = {
    stat.S_IFLNK: f"a symbolic link {_IN_SHARED} writes through it",
    # Nor replaced: the final rename would be refused (the sticky bit) after the last page,
    # leaving an export that no --resume could finish.
    stat.S_IFREG: f"a file {_IN_SHARED} replaces it",
}
_PLANTED_SPECIAL: Final = f"a special file {_IN_SHARED} writes to it"


def partial_path(output: Path) -> Path:
    """Where an export writes until it is complete (``FILE.partial``)."""
    return output.with_name(output.name + ".partial")


def checkpoint_path(output: Path) -> Path:
    """Where an export keeps its checkpoint (``FILE.checkpoint``)."""
    return output.with_name(output.name + ".checkpoint")


def lock_path(output: Path) -> Path:
    """The file an export of ``output`` holds locked while it runs (``FILE.lock``)."""
    return output.with_name(output.name + ".lock")


def resolve_output(output: Path) -> Path:
    """The file to write: ``output``, or the end of the chain of links ``output`` is.

    The user named the link, so its target is theirs to write; the link itself is never
    replaced by the finished export. The files beside it go beside the target, on its file
    system, where the final rename is atomic. A link, a FIFO or a file that another user left
    in a shared directory (:func:`_planted`) is refused: the user named a path, not that
    user's choice of file (and could not replace that user's file there anyway). The target
    is composed from each link's own text, never re-resolved, so what was checked is what is
    written.

    Raises:
        ExportError: an entry of another user in a shared directory, or a loop of links.
    """
    path = output
    for _ in range(_MAX_LINKS):
        try:
            info = path.lstat()
        except OSError:  # nothing there yet (or no directory: check_directory names it)
            return path
        if stat.S_ISDIR(info.st_mode):
            return path  # check_directory refuses it
        if _planted(path, info):
            raise ExportError(
                f"{path} is {_PLANTED.get(stat.S_IFMT(info.st_mode), _PLANTED_SPECIAL)}"
            )
        if not stat.S_ISLNK(info.st_mode):
            return path  # a regular file, or a FIFO or a device of this user's (written as is)
        path = path.parent / os.readlink(path)  # relative to the link's directory
    raise ExportError(f"{output}: too many levels of symbolic links")


def _planted(path: Path, info: os.stat_result) -> bool:
    """Whether ``path`` was left by another user in a shared sticky directory (``/tmp``).

    The rule of Linux's ``fs.protected_symlinks`` and ``fs.protected_fifos`` (often off):
    neither this user's nor the directory owner's, in a sticky world-writable directory.
    """
    if not hasattr(os, "geteuid") or info.st_uid == os.geteuid():
        return False
    try:
        directory = path.parent.stat()
    except OSError:
        return False
    shared = directory.st_mode & _SHARED == _SHARED
    return shared and info.st_uid != directory.st_uid


def check_directory(output: Path) -> None:
    """Raise ``ExportError`` naming ``output`` when its directory cannot take the export.

    Checked before anything is created there, so the message names the user's path and what
    to do, not one of the files an export keeps beside it.
    """
    if output.is_dir():  # else found only by the final rename, after every page was read
        raise ExportError(f"cannot write {output}: it is a directory")
    directory = output.parent
    if not directory.exists():
        raise ExportError(
            f"cannot write {output}: the directory {directory} does not exist (create it first)"
        )
    if not directory.is_dir():
        raise ExportError(f"cannot write {output}: {directory} is not a directory")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise ExportError(f"cannot write {output}: no permission to create files in {directory}")


def _refused(path: Path, exc: OSError) -> ExportError:
    if exc.errno == errno.ELOOP:
        return ExportError(f"{path} is a symbolic link: an export never writes through one")
    if isinstance(exc, FileExistsError):
        return ExportError(f"{path} already exists (made by another program?): not touched")
    return ExportError(f"cannot open {path}: {exc.strerror or exc}")


def _checked(fd: int, path: Path) -> int:
    """``fd`` if it is a regular file of this user; else close it and raise ``ExportError``."""
    info = os.fstat(fd)
    problem = None
    if not stat.S_ISREG(info.st_mode):
        problem = "is not a regular file"
    elif hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        problem = "belongs to another user"
    if problem is None:
        return fd
    os.close(fd)
    raise ExportError(f"{path} {problem}: an export never writes to it")


def open_existing(path: Path, flags: int) -> int:
    """A descriptor of ``path``, which must be this user's regular file (not a link).

    Raises:
        FileNotFoundError: there is no ``path``.
        ExportError: ``path`` is a link, not a regular file, or another user's.
    """
    try:
        # Non-blocking: opening a FIFO to read waits for a writer, forever; _checked refuses it.
        fd = os.open(path, flags | _SAFE | _NONBLOCK)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise _refused(path, exc) from None
    fd = _checked(fd, path)
    if _NONBLOCK:  # a regular file: reads and writes block as usual
        os.set_blocking(fd, True)
    return fd


def create_new(path: Path, flags: int = os.O_WRONLY) -> int:
    """A descriptor of ``path``, created now: never an existing file, nor a link's target."""
    try:
        return os.open(path, flags | os.O_CREAT | os.O_EXCL | _SAFE, _FILE_MODE)
    except OSError as exc:
        raise _refused(path, exc) from None


def replace_new(path: Path) -> int:
    """A descriptor of ``path`` created anew, whatever was there (a file or link is removed)."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()  # unlinking a link removes the link, never its target
    return create_new(path)


def is_file(path: Path) -> bool:
    """Whether ``path`` exists as a file or a link (links are not followed)."""
    return os.path.lexists(path)


def size_of(path: Path) -> int | None:
    """The size of ``path``, this user's regular file; None when there is none.

    Raises:
        ExportError: ``path`` is a link, not a regular file, or another user's.
    """
    try:
        fd = open_existing(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        return os.fstat(fd).st_size
    finally:
        os.close(fd)


class FileLock:
    """An exclusive lock (``fcntl.flock``) on a lock file of its own, while a run writes.

    A second run (a cron job that overlaps the last one) fails at once with ``busy`` instead of
    interleaving its writes with the first one's. The lock file is opened as the files beside
    an export are (never through a link, this user's own) and removed when the run ends; the
    kernel releases the lock of a killed process by itself. The object exists before the lock
    is taken, so that whoever waits for :meth:`acquire` (on another thread) can release what
    it took even when that wait was cancelled.

    Example::

        lock = export_lock(Path("r.jsonl"))
        try:
            lock.acquire()
            ...
        finally:
            lock.release()
    """

    def __init__(self, path: Path, busy: ScreendeskError) -> None:
        self._path, self._busy = path, busy
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise ``busy`` if another run holds it.

        Raises ``ExportError`` if the lock file is a link, not a regular file, or another user's.
        """
        path = self._path
        if fcntl is None:  # pragma: no cover - Windows
            return
        for _ in range(8):
            try:
                fd = _checked(os.open(path, os.O_RDWR | os.O_CREAT | _SAFE, _LOCK_MODE), path)
            except OSError as exc:
                raise _refused(path, exc) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise self._busy from None
            # Between our open and our lock, the run that held it may have ended and removed
            # the file (and a third one created a new file): a lock on a removed file locks
            # nothing, so it only counts while the path is still that file.
            with contextlib.suppress(FileNotFoundError):
                if os.path.samestat(os.fstat(fd), path.lstat()):
                    self._fd = fd
                    return
            os.close(fd)
        raise ExportError(f"{path} keeps changing: is another program removing it?")

    def release(self) -> None:
        """Remove the lock file (while it is still held), then release it; idempotent."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            with contextlib.suppress(OSError):
                self._path.unlink()
        finally:
            os.close(fd)


def export_lock(output: Path) -> FileLock:
    """The lock an export of ``output`` holds (``FILE.lock``)."""
    path = lock_path(output)
    busy = ExportError(
        f"another export is writing {output} (it holds {path}); "
        "wait for it to finish, then --resume if it did not"
    )
    return FileLock(path, busy)


def publish(partial: Path, output: Path, *, overwrite: bool) -> None:
    """Rename the finished ``partial`` to ``output``: FILE appears whole, at once.

    Without ``overwrite`` a file that appeared at ``output`` during the export is not replaced
    (a hard link fails where one exists; a file system without them is checked first).
    """
    if overwrite:
        os.replace(partial, output)
        return
    try:
        os.link(partial, output, follow_symlinks=False)
    except FileExistsError:
        raise ExportError(
            f"{output} appeared during the export and was not replaced: the export is kept in "
            f"{partial}; move {output} away, then --resume"
        ) from None
    except OSError:  # no hard links here (some network and FAT file systems)
        if is_file(output):
            raise ExportError(f"{output} appeared during the export and was not replaced") from None
        os.replace(partial, output)
    else:
        partial.unlink()
