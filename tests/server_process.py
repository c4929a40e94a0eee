"""A server run as a second process on loopback: a port for it, and waiting until it listens."""

from __future__ import annotations

import socket
import subprocess
import time
from typing import Final

HOST: Final = "127.0.0.1"
#: How long one connection attempt may take, and the pause between two of them.
_ATTEMPT_SECONDS: Final = 0.5
_PAUSE_SECONDS: Final = 0.05


def free_port() -> int:
    """A loopback port no one listens on now (the server binds it moments later)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
    return port


def wait_until_listening(
    process: subprocess.Popen[bytes], port: int, *, seconds: float, what: str
) -> None:
    """Return once ``process`` accepts connections on loopback ``port``.

    Raises RuntimeError, saying which, as soon as the process has exited, or when ``seconds``
    pass without a connection.
    """
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection((HOST, port), timeout=_ATTEMPT_SECONDS).close()
            return
        except OSError:
            status = process.poll()
            if status is not None:
                raise RuntimeError(f"{what} exited ({status}) before it listened") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not listen within {seconds} s") from None
            time.sleep(_PAUSE_SECONDS)
