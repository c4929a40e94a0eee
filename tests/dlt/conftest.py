"""Fixtures of the dlt tests: a private dlt data dir, the fake in a thread, a real PostgreSQL."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from screendesk_async.testing import FakeScreendesk, ServerThread

from ..loopback import free_port

pytest.importorskip("dlt", reason="the dlt extra is not installed")

#: Where Debian's postgresql package puts its binaries (one directory per major version).
POSTGRES_ROOT = Path("/usr/lib/postgresql")


@pytest.fixture(autouse=True)
def _dlt_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """dlt keeps pipeline state under DLT_DATA_DIR: never the developer's own ~/.dlt."""
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path / "dlt-data"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def server() -> Iterator[tuple[ServerThread, FakeScreendesk]]:
    """A fake in its own thread: a dlt pipeline blocks the thread that runs it."""
    thread = ServerThread(FakeScreendesk(recordings=120, users=30, page_size=25, seed=5))
    fake = thread.start()
    try:
        yield thread, fake
    finally:
        thread.stop()


def _binaries() -> Path | None:
    found = sorted(POSTGRES_ROOT.glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else None


def _as_postgres(*command: str) -> list[str]:
    """Run as the ``postgres`` user when root (initdb refuses root)."""
    if os.geteuid() != 0:
        return list(command)
    return ["runuser", "-u", "postgres", "--", *command]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL cluster on a loopback port, for the whole session.

    Skipped when Debian's binaries are missing, except under CI=true (where .ci/run installs
    them): there it fails.
    """
    binaries = _binaries()
    if binaries is None:
        message = f"PostgreSQL is not installed (no {POSTGRES_ROOT}/*/bin/initdb)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; .ci/run installs it")
        pytest.skip(message)
    root = Path(tempfile.mkdtemp(prefix="screendesk-pg-"))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    port = free_port()
    initdb = [str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
    start = [str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-t", "60"]
    try:
        subprocess.run(_as_postgres(*initdb), check=True, capture_output=True, timeout=120)
        subprocess.run(
            _as_postgres(*start, "-l", str(root / "log"), "start"),
            check=True,
            capture_output=True,
            timeout=120,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        shutil.rmtree(root, ignore_errors=True)
        detail = getattr(exc, "stderr", b"") or b""
        pytest.fail(f"could not start PostgreSQL: {exc}: {detail.decode(errors='replace')}")
    try:
        yield f"postgresql://postgres:unused@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_postgres(str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"),
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(root, ignore_errors=True)
