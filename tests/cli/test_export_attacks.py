"""A reviewer's attacks on the files of an export, round 2: another user, FIFOs, cancellation.

Another user is a real second process: ``/usr/bin/python3`` run as ``nobody`` (uid 65534) in a
shared sticky directory such as ``/tmp``. Linux can refuse to follow such a user's links and
FIFOs (``fs.protected_symlinks``, ``fs.protected_fifos``), but both are often off, and an export
that resolves FILE's link itself bypasses them anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import multiprocessing
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from types import FrameType
from typing import Any

import orjson
import pytest

from screendesk_async import AsyncScreendesk
from screendesk_async.export import export
from screendesk_async.testing import FakeScreendesk, ServerThread

from .test_export_cli import finish, lines, screendesk
from .test_export_files import interrupted_export

pytestmark = pytest.mark.integration

#: A user who is not this one, and an interpreter every user may run.
NOBODY: int = 65534
SYSTEM_PYTHON = "/usr/bin/python3"

another_user = pytest.mark.skipif(
    not hasattr(os, "geteuid")
    or os.geteuid() != 0
    or not os.access(SYSTEM_PYTHON, os.X_OK)
    or sys.platform != "linux",
    reason="needs root (to run a process as another user) and /usr/bin/python3 on Linux",
)


@pytest.fixture
def account() -> Iterator[FakeScreendesk]:
    with ServerThread(FakeScreendesk(recordings=200, page_size=20, seed=3)) as fake:
        yield fake


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    """A directory like ``/tmp``: anyone may create files there, only their owner remove them."""
    directory = tmp_path / "shared"
    directory.mkdir()
    directory.chmod(0o1777)
    return directory


def as_another_user(code: str, cwd: Path, **popen: Any) -> subprocess.Popen[str]:
    """Run ``code`` as ``nobody``, in ``cwd`` (entered before the user changes)."""
    return subprocess.Popen(
        [SYSTEM_PYTHON, "-I", "-c", code],
        cwd=cwd,
        user=NOBODY,
        group=NOBODY,
        extra_groups=[],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def plant(code: str, shared: Path) -> None:
    """Another user does ``code`` in ``shared`` (and it works)."""
    status, _, err = finish(as_another_user(code, shared), timeout=30)
    assert (status, err) == (0, ""), err


@another_user
@pytest.mark.parametrize("named", ["the link", "a link of mine to it"])
def test_a_link_another_user_planted_as_file_is_not_followed(
    account: FakeScreendesk, tmp_path: Path, shared: Path, named: str
) -> None:
    private = tmp_path / "private"
    private.mkdir()
    victim = private / "authorized_keys"  # not there yet: a dangling link needs no --force
    plant(f"import os; os.symlink({str(victim)!r}, 'r.jsonl')", shared)
    output = shared / "r.jsonl"
    if named != "the link":  # the user's own link, to the planted one: a chain
        output = private / "latest.jsonl"
        output.symlink_to(shared / "r.jsonl")
    code, out, err = finish(screendesk(account, "export", "recordings", "-o", str(output)))
    assert code == 1, out
    assert err.count("\n") == 1
    # Before: exit 0, and a victim file the user never named appeared, holding the records.
    assert f"{shared / 'r.jsonl'} is a symbolic link of another user" in err
    assert not victim.exists()
    assert sorted(p.name for p in shared.iterdir()) == ["r.jsonl"]
    assert account.requests == []  # refused before any request


FIFO_READER = """
import os, select, sys
fd = os.open("r.jsonl", os.O_RDWR)  # a reader (and a writer: never an end of file)
print("reading", flush=True)
received = 0
while True:
    ready = select.select([fd, sys.stdin], [], [])[0]
    if fd not in ready:
        break  # stdin closed: the export is over
    received += len(os.read(fd, 1 << 16))
print(received, flush=True)
"""


@another_user
def test_a_fifo_another_user_planted_as_file_gets_no_record(
    account: FakeScreendesk, shared: Path
) -> None:
    plant("import os; os.mkfifo('r.jsonl', 0o666)", shared)
    reader = as_another_user(FIFO_READER, shared, stdin=subprocess.PIPE)
    assert reader.stdout is not None
    try:
        assert reader.stdout.readline() == "reading\n"
        code, out, err = finish(
            screendesk(account, "export", "recordings", "-o", str(shared / "r.jsonl"))
        )
    finally:
        received, reader_err = reader.communicate(timeout=30)  # closes its stdin first
    assert reader_err == ""
    assert int(received) == 0  # before: 127,555 bytes, every record of the account
    assert code == 1, out
    assert err.count("\n") == 1
    assert "is a special file of another user" in err
    assert account.requests == []


def test_my_own_link_in_a_shared_directory_is_still_followed(
    account: FakeScreendesk, tmp_path: Path, shared: Path
) -> None:
    target = tmp_path / "recordings.jsonl"
    (shared / "latest.jsonl").symlink_to(target)
    code, _, err = finish(
        screendesk(account, "export", "recordings", "-o", str(shared / "latest.jsonl"))
    )
    assert (code, err) == (0, "")
    assert (shared / "latest.jsonl").is_symlink()
    assert target.read_bytes().count(b"\n") == 200


def test_a_loop_of_links_is_named_before_any_request(
    account: FakeScreendesk, tmp_path: Path
) -> None:
    (tmp_path / "a.jsonl").symlink_to("b.jsonl")
    (tmp_path / "b.jsonl").symlink_to("a.jsonl")
    output = tmp_path / "a.jsonl"
    code, _, err = finish(screendesk(account, "export", "users", "-o", str(output), "--force"))
    # Before: exit 0, and the link the user named was replaced by a regular file.
    assert code == 1
    assert err == f"screendesk: error: {output}: too many levels of symbolic links\n"
    assert (tmp_path / "a.jsonl").is_symlink()
    assert account.requests == []


@pytest.mark.parametrize("which", ["checkpoint", "partial"])
def test_a_fifo_beside_file_fails_a_resume_at_once(
    account: FakeScreendesk, tmp_path: Path, which: str
) -> None:
    output = tmp_path / "r.jsonl"
    interrupted_export(account, output)
    planted = Path(f"{output}.{which}")
    planted.unlink()
    os.mkfifo(planted)
    process = screendesk(account, "export", "recordings", "-o", str(output), "--resume")
    try:
        code, out, err = finish(process, timeout=30)
    finally:
        process.kill()  # before: it waited for a writer to the FIFO, forever (holding FILE.lock)
        process.communicate()
    assert code == 1, out
    assert (
        err == f"screendesk: error: {planted} is not a regular file: an export never writes to it\n"
    )
    assert stat.S_ISFIFO(planted.lstat().st_mode)
    assert not output.exists()


#: How long a paused step waits for the test before it goes on by itself.
PAUSE = 0.5


class Pause:
    """Holds an export's worker thread just after ``step`` (a function of the export) returns.

    A profile function of the threads started from now on (``threading.setprofile``): the
    export's real code runs, and is only held at that point, like a slow disk would hold it.
    """

    def __init__(self, step: str) -> None:
        self.step = step
        self.reached, self.resumed, self.go = (
            threading.Event(),
            threading.Event(),
            threading.Event(),
        )
        self._taken = threading.Lock()

    def profile(self, frame: FrameType, event: str, _: object) -> None:
        code = frame.f_code
        if event != "return" or code.co_name != self.step or EXPORT_PACKAGE not in code.co_filename:
            return
        if not self._taken.acquire(blocking=False):
            return  # held once only
        self.reached.set()
        self.go.wait(PAUSE)
        self.resumed.set()


def names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


EXPORT_PACKAGE = str(Path(export.__code__.co_filename).parent)


@pytest.mark.parametrize(
    "step", ["acquire", "prepare", "_open", "_checkpoint_now", "_write", "_finish"]
)
async def test_an_export_cancelled_during_its_file_work_leaves_nothing_going_on(
    account: FakeScreendesk, tmp_path: Path, step: str
) -> None:
    output = tmp_path / "r.jsonl"
    pause = Pause(step)
    previous = threading.getprofile()
    threading.setprofile(pause.profile)
    try:
        async with AsyncScreendesk(account.admin_token, base_url=account.url) as sd:
            task = asyncio.create_task(export(sd, "recordings", output, checkpoint_every=0.0))
            reached = await asyncio.to_thread(pause.reached.wait, 30)
            assert reached, f"the export never ran {step}"
            task.cancel()  # while the thread is held just after the step
            with contextlib.suppress(asyncio.CancelledError):
                await task
            # Before: cancelled during acquire or prepare, export() ended at once, its thread
            # still working: the lock it then took was held until the process ended.
            assert pause.resumed.is_set(), "export() ended while its file work went on"
            # Resumable or nothing, or FILE; before, after _open: FILE.partial alone (which
            # --resume cannot continue, nor a new export start without --force) and an
            # unclosed file.
            assert names(tmp_path) in (
                [],
                ["r.jsonl"],
                ["r.jsonl.checkpoint", "r.jsonl.partial"],
            )
            gc.collect()  # an unclosed file would warn here (and the warning fail the test)
            summary = await export(sd, "recordings", output, force=True)
    finally:
        threading.setprofile(previous)
        pause.go.set()
    assert summary.records == 200
    assert lines(output) == account.recordings_raw()


@pytest.mark.parametrize(
    "field",
    [
        {"size": "10"},
        {"last_page": "z"},
        {"records": None},
        {"recent_ids": 5},
        {"recent_ids": [1, 2]},
        {"token_salt": 5},
        {"columns": "uuid"},
    ],
)
def test_a_checkpoint_of_the_wrong_types_is_a_one_line_error(
    account: FakeScreendesk, tmp_path: Path, field: dict[str, Any]
) -> None:
    output = tmp_path / "r.jsonl"
    interrupted_export(account, output)
    checkpoint, partial = Path(f"{output}.checkpoint"), Path(f"{output}.partial")
    checkpoint.write_bytes(orjson.dumps({**orjson.loads(checkpoint.read_bytes()), **field}))
    before = partial.read_bytes()
    code, out, err = finish(
        screendesk(account, "export", "recordings", "-o", str(output), "--resume")
    )
    assert code == 1, out
    # Before: a TypeError's traceback of 60 lines, or (a list of numbers as ids) a resume.
    assert err.count("\n") == 1, err
    assert err.startswith(f"screendesk: error: unreadable checkpoint {checkpoint}: ")
    assert f"$.{next(iter(field))}" in err  # which field
    assert partial.read_bytes() == before


@pytest.mark.parametrize("named", ["the directory", "a link to it"])
def test_a_directory_as_file_is_refused_before_any_request(
    account: FakeScreendesk, tmp_path: Path, named: str
) -> None:
    directory = tmp_path / "exports"
    directory.mkdir()
    output = directory if named == "the directory" else tmp_path / "latest"
    if output != directory:
        output.symlink_to(directory)
    code, _, err = finish(screendesk(account, "export", "users", "-o", str(output), "--force"))
    assert code == 1
    # Before: every page was read and written, then the rename failed ("Is a directory"),
    # leaving FILE.partial and FILE.checkpoint that --resume could not finish either.
    assert err == f"screendesk: error: cannot write {directory}: it is a directory\n"
    assert account.requests == []
    assert names(tmp_path) == sorted(["exports", *([] if output == directory else ["latest"])])


def export_as_nobody(url: str, token: str, directory: str, name: str, results: Connection) -> None:
    """In a spawned process: ``export(..., force=True)`` of ``directory/name`` as ``nobody``.

    Everything is imported before the user changes (this interpreter's files are root's).
    """
    os.chdir(directory)
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)

    async def run() -> str:
        async with AsyncScreendesk(token, base_url=url) as sd:
            summary = await export(sd, "recordings", name, force=True)
        return f"exported {summary.records}"

    try:
        results.send(asyncio.run(run()))
    except Exception as exc:  # the outcome is the test's to judge
        results.send(f"{type(exc).__name__}: {exc}")


@another_user
def test_a_file_of_another_user_in_a_shared_directory_is_refused_before_any_request(
    account: FakeScreendesk, shared: Path
) -> None:
    os.chown(shared, 1, 1)  # the directory is a third user's: neither ours nor nobody's
    output = shared / "r.jsonl"
    output.write_bytes(b"root's own\n")  # another user's file, to nobody
    context = multiprocessing.get_context("spawn")
    results, sent = context.Pipe(duplex=False)
    process = context.Process(
        target=export_as_nobody,
        args=(account.url, account.admin_token, str(shared), output.name, sent),
    )
    process.start()
    try:
        assert results.poll(60), "the export as nobody did not end"
        outcome = results.recv()
    finally:
        process.join(30)
        process.kill()
    # Before: every page was read, then the final rename was refused (EPERM: the sticky bit),
    # leaving FILE.partial and FILE.checkpoint that no --resume can finish either.
    assert outcome == (
        "ExportError: r.jsonl is a file of another user in a shared directory: "
        "an export never replaces it"
    )
    assert account.requests == []
    assert names(shared) == ["r.jsonl"]
    assert output.read_bytes() == b"root's own\n"
