"""The files beside an export: whose export a checkpoint is, the lock, and planted links.

Each of these was a reviewer's attack: a resume with another account's token or server, two
overlapping runs of one export, and links planted in a shared directory by another process.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from screendesk_async import AsyncScreendesk
from screendesk_async.errors import ExportError
from screendesk_async.export import Checkpoint, ExportSummary, export
from screendesk_async.testing import FakeScreendesk, ServerThread

from .test_export_cli import finish, lines, screendesk, wait_for_progress

pytestmark = pytest.mark.integration

VICTIM = b"the victim's own bytes\n"


@pytest.fixture
def account() -> Iterator[FakeScreendesk]:
    with ServerThread(FakeScreendesk(recordings=200, page_size=20, seed=3)) as fake:
        yield fake


class Stop(Exception):
    """Raised from the progress callback: the export stops after a few pages."""


def run_export(fake: FakeScreendesk, output: Path, **options: Any) -> ExportSummary:
    """``export()`` of the recordings of ``fake`` to ``output``, from this thread."""

    async def run() -> ExportSummary:
        async with AsyncScreendesk(fake.admin_token, base_url=fake.url) as sd:
            return await export(sd, "recordings", output, **options)

    return asyncio.run(run())


def interrupted_export(fake: FakeScreendesk, output: Path) -> None:
    """Export recordings to ``output`` until 3 pages are written, then stop (resumable)."""

    def stop_after_three(state: Checkpoint, _: int | None) -> None:
        if state.pages >= 3:
            raise Stop

    with pytest.raises(Stop):
        run_export(fake, output, on_page=stop_after_three)
    assert Checkpoint.load(Path(f"{output}.checkpoint")).records == 60


@pytest.fixture
def interrupted(account: FakeScreendesk, tmp_path: Path) -> Path:
    """r.jsonl after an :func:`interrupted_export` of the account."""
    output = tmp_path / "r.jsonl"
    interrupted_export(account, output)
    return output


def export_cli(fake: FakeScreendesk, output: Path, *extra: str, **options: Any) -> str:
    """``screendesk export recordings -o OUTPUT EXTRA`` against ``fake`` fails with exit
    status 1, nothing on stdout and one line on stderr; returns that line.
    """
    process = screendesk(fake, "export", "recordings", "-o", str(output), *extra, **options)
    code, out, err = finish(process)
    assert (code, out) == (1, ""), err
    assert err.count("\n") == 1, err
    return err


def victim(tmp_path: Path, copies: int = 1) -> Path:
    path = tmp_path / "victim.txt"
    path.write_bytes(VICTIM * copies)
    return path


def test_a_resume_with_another_token_is_refused(account: FakeScreendesk, interrupted: Path) -> None:
    output = interrupted
    partial = Path(f"{output}.partial").read_bytes()
    # The same server, another account's token: before, exit 0 and a file of two accounts.
    err = export_cli(account, output, "--resume", token=account.member_token)
    assert "another token" in err
    assert account.member_token not in err
    assert account.admin_token not in err
    assert not output.exists()
    assert Path(f"{output}.partial").read_bytes() == partial  # untouched
    # The right token resumes it to every record once.
    code, _, err = finish(
        screendesk(account, "export", "recordings", "-o", str(output), "--resume")
    )
    assert (code, err) == (0, "")
    assert lines(output) == account.recordings_raw()


def test_a_resume_against_another_server_is_refused(
    account: FakeScreendesk, interrupted: Path
) -> None:
    output = interrupted
    # Another server that takes the same token, with other data (another seed).
    other = FakeScreendesk(recordings=200, page_size=20, seed=4, admin_token=account.admin_token)
    with ServerThread(other):
        err = export_cli(other, output, "--resume")
        assert f"reads from {account.url}, not {other.url}" in err
    assert not output.exists()


@pytest.fixture
def big() -> Iterator[FakeScreendesk]:
    """An account of 120 pages, which a slowed-down export takes seconds to read."""
    with ServerThread(FakeScreendesk(recordings=3000, page_size=25, seed=5)) as fake:
        yield fake


def slow_export(fake: FakeScreendesk, output: Path, *extra: str) -> subprocess.Popen[str]:
    """An export running in another process, past its first page on disk."""
    fake.faults.latency = 0.05
    process = screendesk(
        fake, "export", "recordings", "-o", str(output), "--concurrency", "1", *extra
    )
    wait_for_progress(output, 20, process)
    return process


@pytest.mark.parametrize("second", [["--resume"], ["--force"], []])
def test_a_second_export_of_the_same_file_fails_at_once(
    big: FakeScreendesk, tmp_path: Path, second: list[str]
) -> None:
    account = big
    output = tmp_path / "r.jsonl"
    first = slow_export(account, output)
    # A cron job overlapping the first: before, the two interleaved pages in one file (with
    # --resume), or --force deleted the running export's files.
    started = time.monotonic()
    err = export_cli(account, output, *second)
    assert time.monotonic() - started < 30  # bounded; it does not wait for the first
    assert first.poll() is None  # the first one is still running
    assert f"another export is writing {output}" in err
    account.faults.latency = 0
    code, _, err = finish(first)
    assert (code, err) == (0, "")
    assert lines(output) == account.recordings_raw()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.jsonl"]  # the lock file is gone


def test_the_lock_is_released_when_the_first_export_is_killed(
    big: FakeScreendesk, tmp_path: Path
) -> None:
    account = big
    output = tmp_path / "r.jsonl"
    first = slow_export(account, output)
    first.kill()
    finish(first)
    account.faults.latency = 0
    code, _, err = finish(
        screendesk(account, "export", "recordings", "-o", str(output), "--resume")
    )
    assert (code, err) == (0, "")
    assert lines(output) == account.recordings_raw()


PLANTER = """
import os, sys, time
target, links, stop = sys.argv[1], sys.argv[2:-1], sys.argv[-1]
print("planting", flush=True)
while not os.path.exists(stop):
    for link in links:
        try:
            os.symlink(target, link)
        except FileExistsError:
            pass
    time.sleep(0.0005)
"""


@pytest.fixture
def planter(tmp_path: Path) -> Iterator[list[Path]]:
    """Another process planting links to a victim file where an export keeps its files."""
    output = tmp_path / "shared" / "r.jsonl"
    output.parent.mkdir()
    names = [f"{output.name}.checkpoint.tmp", f"{output.name}.lock"]
    links = [output.with_name(name) for name in names]
    stop = tmp_path / "stop"
    process = subprocess.Popen(
        [sys.executable, "-c", PLANTER, str(victim(tmp_path)), *map(str, links), str(stop)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "planting\n"
    try:
        yield [output, *links]
    finally:
        stop.touch()
        process.communicate(timeout=10)


def test_links_planted_by_another_process_are_never_written_through(
    account: FakeScreendesk, tmp_path: Path, planter: list[Path]
) -> None:
    output = planter[0]
    outcome: ExportSummary | ExportError
    try:
        outcome = run_export(account, output, checkpoint_every=0.0)
    except ExportError as exc:  # refusing to go on is right; writing through never is
        outcome = exc
    if isinstance(outcome, ExportError):
        assert "symbolic link" in str(outcome) or "already exists" in str(outcome), outcome
    else:
        assert outcome.records == 200
    assert (tmp_path / "victim.txt").read_bytes() == VICTIM  # before: checkpoint JSON


def test_a_planted_checkpoint_tmp_link_is_removed_not_followed(
    account: FakeScreendesk, tmp_path: Path
) -> None:
    output = tmp_path / "r.jsonl"
    Path(f"{output}.checkpoint.tmp").symlink_to(victim(tmp_path))
    summary = run_export(account, output, checkpoint_every=0.0)
    assert summary.records == 200
    assert (tmp_path / "victim.txt").read_bytes() == VICTIM
    assert lines(output) == account.recordings_raw()


def test_a_partial_file_swapped_for_a_link_is_not_resumed_through(
    account: FakeScreendesk, tmp_path: Path, interrupted: Path
) -> None:
    output = interrupted
    partial = Path(f"{output}.partial")
    partial.unlink()
    partial.symlink_to(victim(tmp_path, copies=50_000))  # longer than the checkpoint's size
    assert "symbolic link" in export_cli(account, output, "--resume")
    assert (tmp_path / "victim.txt").read_bytes() == VICTIM * 50_000  # before: cut, appended to
    assert not output.exists()


def test_a_planted_lock_link_stops_the_export_and_touches_nothing(
    account: FakeScreendesk, tmp_path: Path
) -> None:
    output = tmp_path / "r.jsonl"
    Path(f"{output}.lock").symlink_to(victim(tmp_path))
    assert "symbolic link" in export_cli(account, output)
    assert (tmp_path / "victim.txt").read_bytes() == VICTIM
    assert not output.exists()
    assert account.requests == []  # refused before any request


def test_an_output_the_user_named_as_a_link_is_written_to_its_target(
    account: FakeScreendesk, tmp_path: Path
) -> None:
    target = tmp_path / "data" / "recordings.jsonl"
    target.parent.mkdir()
    link = tmp_path / "latest.jsonl"
    link.symlink_to(target)
    code, _, err = finish(screendesk(account, "export", "recordings", "-o", str(link)))
    assert (code, err) == (0, "")
    assert link.is_symlink()  # before: replaced by a regular file, the target left alone
    assert lines(target) == account.recordings_raw()
    # Once it exists, a new export of it needs --force, and writes the target again.
    code, _, err = finish(screendesk(account, "export", "recordings", "-o", str(link)))
    assert code == 1
    assert "exists" in err
    code, _, err = finish(screendesk(account, "export", "users", "-o", str(link), "--force"))
    assert (code, err) == (0, "")
    assert link.is_symlink()
    assert len(lines(target)) == len(account.users_raw())


def test_a_missing_directory_is_named_with_what_to_do(
    account: FakeScreendesk, tmp_path: Path
) -> None:
    output = tmp_path / "no" / "such" / "u.jsonl"
    code, _, err = finish(screendesk(account, "export", "users", "-o", str(output)))
    assert code == 1
    # Before: "[Errno 2] No such file or directory: '.../u.jsonl.partial'".
    assert err == (
        f"screendesk: error: cannot write {output}: the directory {output.parent} does not "
        "exist (create it first)\n"
    )
    assert account.requests == []
