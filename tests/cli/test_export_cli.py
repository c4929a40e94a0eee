"""``screendesk export`` end to end, through the console script, against the fake server."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from screendesk_async import AsyncScreendesk
from screendesk_async.export import EXTRA_COLUMN, Checkpoint, export, flatten
from screendesk_async.export._writers import parents
from screendesk_async.testing import FakeScreendesk, ServerThread

pytestmark = pytest.mark.integration

SCRIPT = shutil.which("screendesk", path=str(Path(sys.executable).parent))
COMMAND = [SCRIPT] if SCRIPT else [sys.executable, "-m", "screendesk_async"]


@pytest.fixture
def server() -> Iterator[FakeScreendesk]:
    with ServerThread(FakeScreendesk(recordings=400, users=40, page_size=25, seed=3)) as fake:
        yield fake


def screendesk(
    fake: FakeScreendesk, *args: str, token: str | None = None, **popen: Any
) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "SCREENDESK_API_TOKEN": token or fake.admin_token,
        "SCREENDESK_SCIM_TOKEN": fake.scim_token,
        "SCREENDESK_BASE_URL": fake.url,
    }
    return subprocess.Popen(
        [*COMMAND, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        stdin=subprocess.DEVNULL,
        **popen,
    )


def finish(process: subprocess.Popen[str], timeout: float = 60) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def lines(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def wait_for_progress(path: Path, minimum: int, process: subprocess.Popen[str]) -> None:
    partial = path.with_name(path.name + ".partial")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and process.poll() is None:
        if partial.exists() and partial.read_bytes().count(b"\n") >= minimum:
            return
        time.sleep(0.01)
    raise AssertionError("the export made no progress")


def test_jsonl_export_is_every_record_as_sent(server: FakeScreendesk, tmp_path: Path) -> None:
    output = tmp_path / "recordings.jsonl"
    code, out, err = finish(screendesk(server, "export", "recordings", "--output", str(output)))
    assert (code, err) == (0, "")
    assert "exported 400 recordings (16 pages)" in out
    assert lines(output) == server.recordings_raw()  # every field, unknown ones included
    assert any("tags" in record for record in lines(output))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["recordings.jsonl"]


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL])
def test_interrupted_export_resumes_exactly_once_in_order(
    tmp_path: Path, how: signal.Signals
) -> None:
    with ServerThread(FakeScreendesk(recordings=3000, page_size=25, seed=5)) as server:
        run_interrupted_export(server, tmp_path, how)


def run_interrupted_export(server: FakeScreendesk, tmp_path: Path, how: signal.Signals) -> None:
    server.faults.latency = 0.03
    output = tmp_path / "recordings.jsonl"
    args = ["export", "recordings", "--output", str(output), "--concurrency", "2"]
    process = screendesk(server, *args)
    wait_for_progress(output, 100, process)
    time.sleep(1.2)  # past a checkpoint, mid-export (120 pages take about 2 s)
    assert process.poll() is None
    process.send_signal(how)
    code, _, err = finish(process)
    assert not output.exists()  # FILE appears only whole
    assert Path(f"{output}.partial").exists()
    assert Path(f"{output}.checkpoint").exists()
    if how == signal.SIGINT:
        assert code == 130
        assert err.strip().count("\n") == 0
        assert "--resume" in err
        assert "Traceback" not in err
    saved = Checkpoint.load(Path(f"{output}.checkpoint"))
    assert 0 < saved.records < 3000

    server.faults.latency = 0
    code, _out, err = finish(screendesk(server, *args, "--resume"))
    assert (code, err) == (0, "")
    assert lines(output) == server.recordings_raw()  # no gap, no duplicate, no partial line
    assert not Path(f"{output}.partial").exists()
    assert not Path(f"{output}.checkpoint").exists()


def test_export_survives_15_percent_faults(server: FakeScreendesk, tmp_path: Path) -> None:
    server.faults.rate = 0.15
    server.faults.retry_after = "0.05"
    output = tmp_path / "recordings.jsonl"
    code, out, err = finish(
        screendesk(server, "--max-retries", "10", "export", "recordings", "-o", str(output))
    )
    assert (code, err) == (0, "")
    assert lines(output) == server.recordings_raw()
    faults = sum(1 for r in server.requests if r.fault)
    assert faults > 0
    assert " retries)" in out


def test_csv_round_trip(server: FakeScreendesk, tmp_path: Path) -> None:
    output = tmp_path / "recordings.csv"
    code, _, err = finish(
        screendesk(server, "export", "recordings", "-o", str(output), "--format", "csv")
    )
    assert (code, err) == (0, "")
    with output.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    raw = server.recordings_raw()
    assert len(rows) == len(raw)
    assert "metadata.created_at" in rows[0]
    nested = parents(rows[0])
    for row, record in zip(rows, raw, strict=True):
        flat = flatten(record)
        extra = orjson.loads(row[EXTRA_COLUMN]) if row[EXTRA_COLUMN] else {}
        for name, value in flat.items():
            if name in nested and value == "":  # a null object: its dotted cells are empty
                assert all(row[c] == "" for c in row if c.startswith(name + ".")), name
                continue
            assert (row[name] if name in row else extra[name]) == value, name
        assert {k for k, v in row.items() if v and k != EXTRA_COLUMN} <= set(flat)


def test_failure_prints_one_line_and_leaves_no_file(server: FakeScreendesk, tmp_path: Path) -> None:
    output = tmp_path / "recordings.jsonl"
    secret = "sd-WRONG-TOKEN-value"
    code, out, err = finish(
        screendesk(server, "export", "recordings", "-o", str(output), token=secret)
    )
    assert code == 1
    assert err.count("\n") == 1
    assert "401" in err
    assert secret not in err + out
    assert list(tmp_path.iterdir()) == []


def test_existing_output_needs_force(server: FakeScreendesk, tmp_path: Path) -> None:
    output = tmp_path / "users.jsonl"
    output.write_text("mine\n")
    code, _, err = finish(screendesk(server, "export", "users", "-o", str(output)))
    assert code == 1
    assert "--force" in err
    assert output.read_text() == "mine\n"
    code, _, err = finish(screendesk(server, "export", "users", "-o", str(output), "--force"))
    assert (code, err) == (0, "")
    assert [u["email"] for u in lines(output)] == [u["email"] for u in server.users_raw()]


def test_pages_slice(server: FakeScreendesk, tmp_path: Path) -> None:
    output = tmp_path / "slice.jsonl"
    code, _out, err = finish(
        screendesk(server, "export", "recordings", "-o", str(output), "--pages", "2-3")
    )
    assert (code, err) == (0, "")
    assert lines(output) == server.recordings_raw(first_page=2, last_page=3)


def test_scim_users_export(server: FakeScreendesk, tmp_path: Path) -> None:
    output = tmp_path / "scim.jsonl"
    code, _out, err = finish(screendesk(server, "export", "scim-users", "-o", str(output)))
    assert (code, err) == (0, "")
    assert [u["id"] for u in lines(output)] == [u["id"] for u in server.scim_users_raw()]


def test_demo_runs_without_an_account(tmp_path: Path) -> None:
    output = tmp_path / "recordings.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCREENDESK_")}
    result = subprocess.run(
        [*COMMAND, "export", "recordings", "--demo", "--output", str(output)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    # One line says where the demo server is and its tokens, to try other clients on it.
    assert result.stderr.startswith("screendesk: demo: a fake Screendesk with sample data at ")
    assert "API token fake-admin-" in result.stderr
    assert result.stderr.count("\n") == 1
    assert len(lines(output)) == 300


async def test_drift_is_reported_and_new_head_records_picked_up(tmp_path: Path) -> None:
    async with (
        FakeScreendesk(recordings=200, page_size=20) as fake,
        AsyncScreendesk(fake.admin_token, base_url=fake.url) as sd,
    ):
        added = False

        def grow(state: Checkpoint, expected: int | None) -> None:
            nonlocal added
            if state.pages and not added:  # after the first page (the first call is before it)
                fake.add_recordings(7, at_head=True)  # shifts every page by 7
                added = True

        output = tmp_path / "recordings.jsonl"
        summary = await export(sd, "recordings", output, concurrency=1, on_page=grow)
        exported = [r["uuid"] for r in lines(output)]
        expected = {r["uuid"] for r in fake.recordings_raw()}
    assert len(exported) == len(set(exported)) == 207  # exactly once each
    assert set(exported) == expected
    assert summary.duplicates > 0
    assert summary.head_records == 7
    assert "200 → 207 records" in summary.line()


async def test_bad_arguments_raise_before_any_request(tmp_path: Path) -> None:
    async with (
        FakeScreendesk(recordings=10) as fake,
        AsyncScreendesk(fake.admin_token, base_url=fake.url) as sd,
    ):
        with pytest.raises(ValueError, match="kind"):
            await export(sd, "tickets", tmp_path / "x")
        with pytest.raises(ValueError, match="format"):
            await export(sd, "users", tmp_path / "x", fmt="xml")
        with pytest.raises(ValueError, match="page"):
            await export(sd, "users", tmp_path / "x", pages=(0, None))
        assert fake.requests == []
