"""Where ``screendesk export`` writes: stdout, FILE.gz (resumable), a FIFO, by extension."""

from __future__ import annotations

import gzip
import os
import signal
import stat
import subprocess
import threading
import time
from pathlib import Path

import orjson
import pytest

from screendesk_async.export import Checkpoint
from screendesk_async.testing import FakeScreendesk, ServerThread
from tests.cli.test_export_cli import COMMAND, finish, screendesk, server

pytestmark = pytest.mark.integration
__all__ = ["server"]  # the fixture, shared with test_export_cli


def jsonl(data: bytes) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in data.splitlines()]


def test_output_dash_streams_jsonl_to_stdout(server: FakeScreendesk, tmp_path: Path) -> None:
    process = screendesk(server, "export", "recordings", "-o", "-", cwd=tmp_path)
    code, out, err = finish(process)
    assert code == 0
    assert jsonl(out.encode()) == server.recordings_raw()
    # The summary goes to stderr, out of the data's way; no progress bar (stderr is no TTY).
    assert err.startswith("exported 400 recordings (16 pages) to stdout")
    assert err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []  # no file named "-", no partial, no checkpoint


def test_jsonl_lines_are_the_servers_bytes(server: FakeScreendesk, tmp_path: Path) -> None:
    code, out, _ = finish(screendesk(server, "export", "users", "-o", "-", "-q"))
    assert code == 0
    # Byte for byte: the fake encodes with orjson, compactly, as does this expectation.
    assert out.encode() == b"".join(orjson.dumps(u) + b"\n" for u in server.users_raw())


def test_gzip_round_trip_by_extension(server: FakeScreendesk, tmp_path: Path) -> None:
    output = tmp_path / "recordings.jsonl.gz"
    code, _out, err = finish(screendesk(server, "export", "recordings", "-o", str(output)))
    assert (code, err) == (0, "")
    assert output.read_bytes()[:2] == b"\x1f\x8b"
    assert jsonl(gzip.decompress(output.read_bytes())) == server.recordings_raw()


def test_csv_by_extension_and_gzip(server: FakeScreendesk, tmp_path: Path) -> None:
    output = tmp_path / "users.csv.gz"
    code, _out, err = finish(screendesk(server, "export", "users", "-o", str(output)))
    assert (code, err) == (0, "")
    text = gzip.decompress(output.read_bytes()).decode()
    assert text.splitlines()[0].startswith("email,")
    assert len(text.splitlines()) == 1 + len(server.users_raw())


@pytest.mark.parametrize(
    ("name", "fmt", "first"), [("r.ndjson", None, b"{"), ("r.csv", "csv", b"uuid,")]
)
def test_format_follows_the_extension(
    server: FakeScreendesk, tmp_path: Path, name: str, fmt: str | None, first: bytes
) -> None:
    output = tmp_path / name
    args = ["export", "recordings", "-o", str(output), *(["--format", fmt] if fmt else [])]
    code, _out, err = finish(screendesk(server, *args))
    assert (code, err) == (0, "")
    assert output.read_bytes().startswith(first)


def test_format_contradicting_the_extension_is_an_error(
    server: FakeScreendesk, tmp_path: Path
) -> None:
    output = tmp_path / "r.jsonl"
    code, _out, err = finish(
        screendesk(server, "export", "recordings", "-o", str(output), "--format", "csv")
    )
    assert code == 2
    assert "--format csv contradicts the extension of --output" in err
    assert list(tmp_path.iterdir()) == []
    assert server.requests == []


def test_fifo_is_written_to_not_replaced(server: FakeScreendesk, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    code, out, err = finish(screendesk(server, "export", "recordings", "-o", str(fifo)))
    reader.join(30)
    assert (code, err) == (0, "")
    assert "exported 400 recordings" in out
    assert jsonl(received[0]) == server.recordings_raw()
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # still the FIFO, not a file renamed over it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.jsonl"]


def test_resume_cannot_target_stdout(server: FakeScreendesk) -> None:
    code, _out, err = finish(screendesk(server, "export", "users", "-o", "-", "--resume"))
    assert code == 2
    assert "--output - streams to stdout" in err


def wait_for_checkpoint(path: Path, minimum: int, process: subprocess.Popen[str]) -> int:
    deadline = time.monotonic() + 30
    checkpoint = path.with_name(path.name + ".checkpoint")
    while time.monotonic() < deadline and process.poll() is None:
        try:
            records = Checkpoint.load(checkpoint).records
        except Exception:
            records = 0
        if records >= minimum:
            return records
        time.sleep(0.02)
    raise AssertionError("the export saved no checkpoint")


def test_gzip_export_killed_resumes_from_the_last_whole_member(tmp_path: Path) -> None:
    with ServerThread(FakeScreendesk(recordings=3000, page_size=25, seed=5)) as server:
        server.faults.latency = 0.03
        output = tmp_path / "recordings.jsonl.gz"
        args = ["export", "recordings", "-o", str(output), "--concurrency", "2"]
        process = screendesk(server, *args)
        wait_for_checkpoint(output, 100, process)
        time.sleep(0.3)  # records written past that checkpoint: a member cut short
        process.send_signal(signal.SIGKILL)
        finish(process)
        partial = Path(f"{output}.partial")
        saved = Checkpoint.load(Path(f"{output}.checkpoint"))
        assert not output.exists()
        assert 0 < saved.records < 3000
        # What the checkpoint covers is whole gzip members: it decompresses on its own.
        durable = partial.read_bytes()[: saved.size]
        assert len(jsonl(gzip.decompress(durable))) == saved.records
        with partial.open("ab") as stream:
            stream.write(b"\x1f\x8b\x08half a member")  # as if killed mid-write

        server.faults.latency = 0
        code, out, err = finish(screendesk(server, *args, "--resume", "--json"))
        assert (code, err) == (0, "")
        summary = orjson.loads(out)
        assert summary["resumed"] is True
        assert summary["total_records"] == 3000
        assert summary["records"] == 3000 - saved.records  # this run's, for its rate
        assert jsonl(gzip.decompress(output.read_bytes())) == server.recordings_raw()


def test_dev_stdout_redirected_to_a_file_is_written_through(
    server: FakeScreendesk, tmp_path: Path
) -> None:
    target = tmp_path / "redirected.jsonl"
    env = {
        **os.environ,
        "SCREENDESK_API_TOKEN": server.admin_token,
        "SCREENDESK_BASE_URL": server.url,
    }
    with target.open("wb") as stdout:  # `screendesk export users -o /dev/stdout > file`
        result = subprocess.run(
            [*COMMAND, "export", "users", "-o", "/dev/stdout"],
            env=env,
            stdout=stdout,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 0
    assert result.stderr.startswith("exported 40 users")  # to stderr: stdout is the data
    assert jsonl(target.read_bytes()) == server.users_raw()
    assert Path("/dev/stdout").is_symlink()  # written through, never renamed over


def test_progress_bar_only_on_a_terminal_stderr(server: FakeScreendesk, tmp_path: Path) -> None:
    import pty
    import select

    server.faults.latency = 0.02
    controller, terminal = pty.openpty()
    data = (tmp_path / "stdout").open("w+b")  # a file: nobody has to drain a pipe
    env = {
        **os.environ,
        "SCREENDESK_API_TOKEN": server.admin_token,
        "SCREENDESK_BASE_URL": server.url,
        "COLUMNS": "120",
    }
    process = subprocess.Popen(
        [*COMMAND, "export", "recordings", "-o", "-", "--concurrency", "1"],
        env=env,
        stdout=data,
        stderr=terminal,
        stdin=subprocess.DEVNULL,
    )
    os.close(terminal)
    shown = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal closed: the command is done
                break
            if not chunk:
                break
            shown += chunk
        elif process.poll() is not None:
            break
    os.close(controller)
    process.wait(timeout=30)
    data.seek(0)
    out = data.read()
    data.close()
    assert process.returncode == 0, shown[-300:]
    assert b"rec/s" in shown  # the bar, on the terminal
    assert b"exported 400 recordings" in shown  # then the summary
    assert jsonl(out) == server.recordings_raw()  # stdout holds the data only
