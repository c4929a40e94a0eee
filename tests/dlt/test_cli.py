"""``screendesk load`` end to end: the demo on a machine with no account, tokens, errors."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from screendesk_async.cli._app import main
from screendesk_async.cli._options import DEMO_PAGE_SIZE, DEMO_RECORDINGS, DEMO_USERS
from screendesk_async.testing import FakeScreendesk, ServerThread

pytestmark = pytest.mark.integration

SCRIPT = shutil.which("screendesk", path=str(Path(sys.executable).parent))
COMMAND = [SCRIPT] if SCRIPT else [sys.executable, "-m", "screendesk_async"]

Server = tuple[ServerThread, FakeScreendesk]


def _uuids(path: Path) -> list[str]:
    assert path.exists(), sorted(p.name for p in path.parent.iterdir())
    with duckdb.connect(str(path), read_only=True) as db:
        rows = db.sql("SELECT uuid FROM screendesk_dataset.recordings").fetchall()
    return [row[0] for row in rows]


def test_demo_loads_every_demo_recording_into_a_duckdb_file(tmp_path: Path) -> None:
    """The console script, as a user on a fresh machine runs it: no token, no account."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCREENDESK_")}
    done = subprocess.run(
        [*COMMAND, "load", "recordings", "--demo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    line = f"recordings: {DEMO_RECORDINGS} read: {DEMO_RECORDINGS} new, 0 changed, 0 unchanged"
    assert line in done.stdout
    assert "load id" in done.stdout
    demo = FakeScreendesk(recordings=DEMO_RECORDINGS, users=DEMO_USERS, page_size=DEMO_PAGE_SIZE)
    # The demo's own pipeline and file: its cursor never holds back a real account's load.
    assert not (tmp_path / "screendesk.duckdb").exists()
    uuids = _uuids(tmp_path / "screendesk_demo.duckdb")
    assert sorted(uuids) == sorted(r["uuid"] for r in demo.recordings_raw())


def test_all_then_nothing_new(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, fake = server
    base = ["--token", fake.admin_token, "--scim-token", fake.scim_token, "--base-url", fake.url]
    assert main([*base, "load", "all", "--dataset", "sd", "--pipeline", "sdtest"]) == 0
    out = capsys.readouterr().out
    assert "recordings: 120 read: 120 new, 0 changed, 0 unchanged" in out
    assert "users: 30 read: 30 new, 0 changed, 0 unchanged" in out
    assert "scim_users: 30 read: 30 new, 0 changed, 0 unchanged" in out
    assert (tmp_path / "sdtest.duckdb").exists()
    assert main([*base, "load", "recordings", "--dataset", "sd", "--pipeline", "sdtest"]) == 0
    out = capsys.readouterr().out
    assert "nothing new to load" in out
    assert "recordings: 120 read: 0 new, 0 changed, 120 unchanged" in out


def test_scim_users_without_a_scim_token(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    _, fake = server
    code = main(["--token", fake.admin_token, "--base-url", fake.url, "load", "scim-users"])
    assert code == 1
    err = capsys.readouterr().err
    assert "SCREENDESK_SCIM_TOKEN" in err
    assert fake.admin_token not in err


def test_no_token_at_all(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", "recordings"]) == 1
    assert "SCREENDESK_API_TOKEN" in capsys.readouterr().err


def test_a_failing_server_is_one_line_without_the_token(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    _, fake = server
    code = main(["--token", "wrong-token", "--max-retries", "0", "--base-url", fake.url,
                 "load", "users"])  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "401" in err or "token" in err.lower()
    assert "wrong-token" not in err


def test_a_destination_dlt_cannot_use_names_it(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    _, fake = server
    base = ["--token", fake.admin_token, "--base-url", fake.url, "load", "users"]
    assert main([*base, "--destination", "postgres", "--pipeline", "nopg"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("screendesk: error: ")
    assert "credentials" in err
    assert main([*base, "--destination", "no_such_destination"]) == 1
    assert "no_such_destination" in capsys.readouterr().err
