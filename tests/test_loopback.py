"""The wait for a server in a second process: it returns once the port takes connections, and
fails, saying which, as soon as the process has exited or when its time has passed."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from .loopback import HOST, free_port, wait_until_listening


def _python(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


@pytest.fixture
def stopped() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes a test starts, ended when it ends."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        process.kill()
        process.wait(timeout=10)


def test_returns_once_the_server_listens(stopped: list[subprocess.Popen[bytes]]) -> None:
    port = free_port()
    # Listens only after a pause, so a wait that returned at once would be caught below.
    server = (
        "import socket, time; time.sleep(0.5); s = socket.create_server((%r, %d)); time.sleep(60)"
    )
    stopped.append(_python("-c", server % (HOST, port)))
    wait_until_listening(stopped[0], port, seconds=60, what="the server")
    socket.create_connection((HOST, port), timeout=5).close()
    assert stopped[0].poll() is None


def test_a_process_that_exited_fails_saying_so(
    stopped: list[subprocess.Popen[bytes]],
) -> None:
    stopped.append(_python("-c", "raise SystemExit(3)"))
    stopped[0].wait(timeout=30)
    with pytest.raises(RuntimeError, match=r"^the server exited \(3\) before it listened$"):
        wait_until_listening(stopped[0], free_port(), seconds=60, what="the server")


def test_a_server_that_never_listens_fails_when_its_time_has_passed(
    stopped: list[subprocess.Popen[bytes]],
) -> None:
    stopped.append(_python("-c", "import time; time.sleep(60)"))
    with pytest.raises(RuntimeError, match=r"^the server did not listen within 0.3 s$"):
        wait_until_listening(stopped[0], free_port(), seconds=0.3, what="the server")
    assert stopped[0].poll() is None  # still running: it was the time that ran out
