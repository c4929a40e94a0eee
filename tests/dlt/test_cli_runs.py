"""``screendesk load`` as processes: where the file goes, what a failure says, Ctrl-C, summaries.

Every test runs the real console script in a subprocess, with a dlt data directory of its own
(``DLT_DATA_DIR``, as the conftest sets it), bounded in time.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from screendesk_async.cli._options import DEMO_RECORDINGS
from screendesk_async.testing import FakeScreendesk, ServerThread

from ..loopback import free_port

pytestmark = pytest.mark.integration

SCRIPT = shutil.which("screendesk", path=str(Path(sys.executable).parent))
COMMAND = [SCRIPT] if SCRIPT else [sys.executable, "-m", "screendesk_async"]
#: What a Python traceback, or asyncio's reports of a loop left mid-way, look like.
NOISE = ("Traceback", "Task was destroyed", "asynchronous generator", "Exception ignored")

Server = tuple[ServerThread, FakeScreendesk]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCREENDESK_", "DESTINATION"))}
    return {**env, **extra}


def _load(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *args],
        cwd=cwd,
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )


def _quiet(done: subprocess.CompletedProcess[str]) -> None:
    for noise in NOISE:
        assert noise not in done.stderr, done.stderr


def _recordings(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as db:
        rows = db.sql("SELECT COUNT(DISTINCT uuid) FROM screendesk_dataset.recordings").fetchall()
    return int(rows[0][0])


def test_the_demo_file_is_where_each_run_starts(tmp_path: Path) -> None:
    """Two working directories, one dlt data directory, the first deleted in between: each
    run writes its own ./screendesk_demo.duckdb, and each file keeps its own cursor."""
    first, second, third = (tmp_path / name for name in ("a", "b", "c"))
    for directory in (first, second, third):
        directory.mkdir()
    data = str(tmp_path / "dlt-data")
    new = f"recordings: {DEMO_RECORDINGS} read: {DEMO_RECORDINGS} new"
    for directory in (first, second):
        done = _load(directory, "load", "recordings", "--demo", DLT_DATA_DIR=data)
        assert done.returncode == 0, done.stderr
        _quiet(done)
        assert new in done.stdout, done.stdout
        assert str(directory / "screendesk_demo.duckdb") in done.stdout
        assert _recordings(directory / "screendesk_demo.duckdb") == DEMO_RECORDINGS
    # The second file has its own state: nothing new there.
    again = _load(second, "load", "recordings", "--demo", DLT_DATA_DIR=data)
    assert again.returncode == 0, again.stderr
    assert "nothing new to load" in again.stdout
    shutil.rmtree(first)  # as a temporary directory goes
    for directory in (second, third):
        done = _load(directory, "load", "recordings", "--demo", DLT_DATA_DIR=data)
        assert done.returncode == 0, done.stderr
        _quiet(done)
        assert _recordings(directory / "screendesk_demo.duckdb") == DEMO_RECORDINGS
    assert new in done.stdout  # the third directory's new file: a first load
    assert not first.exists()


def test_duckdb_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "warehouse").mkdir()
    done = _load(tmp_path, "load", "recordings", "--demo", "--duckdb", "warehouse/sd.duckdb")
    assert done.returncode == 0, done.stderr
    assert _recordings(tmp_path / "warehouse" / "sd.duckdb") == DEMO_RECORDINGS
    assert not (tmp_path / "screendesk_demo.duckdb").exists()
    wrong = _load(tmp_path, "load", "users", "--demo", "--destination", "postgres", "--duckdb", "x")
    assert wrong.returncode == 2
    assert "--duckdb" in wrong.stderr


def test_an_unreachable_postgres_is_one_line(tmp_path: Path) -> None:
    url = f"postgresql://loader:s3cret-pw@127.0.0.1:{free_port()}/analytics"
    done = _load(
        tmp_path,
        "load",
        "users",
        "--demo",
        "--destination",
        "postgres",
        DESTINATION__POSTGRES__CREDENTIALS=url,
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("screendesk: error: ")
    assert "s3cret-pw" not in done.stderr + done.stdout
    _quiet(done)


def test_dlt_s_instructions_are_printed_whole(tmp_path: Path) -> None:
    """dlt's message is what to do: which variable to set, which files it read."""
    unknown = _load(tmp_path, "load", "users", "--demo", "--destination", "nosuchdest")
    assert unknown.returncode == 1
    assert "DESTINATION__NOSUCHDEST__DESTINATION_TYPE" in unknown.stderr, unknown.stderr
    _quiet(unknown)
    postgres = _load(tmp_path, "load", "users", "--demo", "--destination", "postgres")
    assert postgres.returncode == 1
    assert "DESTINATION__POSTGRES__CREDENTIALS" in postgres.stderr, postgres.stderr
    assert "secrets.toml" in postgres.stderr
    _quiet(postgres)


def test_ctrl_c_during_a_load_is_interrupted(server: Server, tmp_path: Path) -> None:
    """A real SIGINT while the pages come slowly: "interrupted", exit 130, as export does."""
    _, fake = server
    fake.faults.latency = 0.5
    command = [*COMMAND, "--token", fake.admin_token, "--base-url", fake.url]
    process = subprocess.Popen(
        [*command, "load", "recordings", "--concurrency", "1"],
        cwd=tmp_path,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not any(r.path == "/api/v2/recordings" for r in fake.requests):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the load never asked for a page"
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, err
    assert err.strip() == "screendesk: interrupted", err
    assert "loaded into" not in out


def test_a_second_load_all_says_what_changed(server: Server, tmp_path: Path) -> None:
    """Nothing changed: nothing is new, nothing changed, every row unchanged (not rewritten)."""
    _, fake = server
    tokens = ["--token", fake.admin_token, "--scim-token", fake.scim_token]
    command = [*tokens, "--base-url", fake.url, "load", "all"]
    first = _load(tmp_path, *command)
    assert first.returncode == 0, first.stderr
    assert "users: 30 read: 30 new, 0 changed, 0 unchanged" in first.stdout
    second = _load(tmp_path, *command)
    assert second.returncode == 0, second.stderr
    _quiet(second)
    assert "recordings: 120 read: 0 new, 0 changed, 120 unchanged" in second.stdout
    assert "users: 30 read: 0 new, 0 changed, 30 unchanged" in second.stdout
    assert "scim_users: 30 read: 0 new, 0 changed, 30 unchanged" in second.stdout
    assert "updated" not in second.stdout


def test_load_all_without_a_scim_token_says_scim_users_is_skipped(
    server: Server, tmp_path: Path
) -> None:
    _, fake = server
    done = _load(tmp_path, "--token", fake.admin_token, "--base-url", fake.url, "load", "all")
    assert done.returncode == 0, done.stderr
    skipped = [line for line in done.stdout.splitlines() if "scim_users" in line]
    assert len(skipped) == 1, done.stdout
    assert "skipped" in skipped[0]
    assert "SCREENDESK_SCIM_TOKEN" in skipped[0]


def test_load_json_is_one_object_on_stdout(tmp_path: Path) -> None:
    done = _load(tmp_path, "load", "all", "--demo", "--json")
    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.splitlines()
    summary = json.loads(line)
    assert summary["pipeline"] == "screendesk_demo"
    assert summary["location"].endswith(str(tmp_path / "screendesk_demo.duckdb"))
    recordings = summary["tables"]["recordings"]
    assert recordings["read"] == recordings["new"] == recordings["loaded"] == DEMO_RECORDINGS
    assert recordings["changed"] == recordings["unchanged"] == 0
    assert set(summary["tables"]) == {"recordings", "users", "scim_users"}
    assert summary["load_ids"]
