"""Servers on loopback for the tests: an aiohttp app on a free port, run on this loop or on a
thread of its own; a free port, and waiting for a server run as another process to listen.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from typing import Final, TypeVar

from aiohttp import web

T = TypeVar("T")

#: Seconds a server's cleanup waits for handlers still running: a handler that stalls on purpose
#: must not hold the test for aiohttp's default of 60.
SHUTDOWN_SECONDS = 0.5
#: Seconds a server on a thread of its own may take to start, and to stop.
THREAD_SECONDS = 10
HOST: Final = "127.0.0.1"
#: How long one connection attempt to a server process may take, and the pause between two.
_ATTEMPT_SECONDS: Final = 0.5
_PAUSE_SECONDS: Final = 0.05


@contextlib.asynccontextmanager
async def serve_app(
    app: web.Application, *, host: str = "127.0.0.1", ssl_context: ssl.SSLContext | None = None
) -> AsyncIterator[str]:
    """Run ``app`` on a free port of ``host`` on this loop; yields its base URL."""
    runner = web.AppRunner(app, shutdown_timeout=SHUTDOWN_SECONDS)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, 0, ssl_context=ssl_context).start()
        port = runner.addresses[0][1]
        yield f"{'https' if ssl_context else 'http'}://{host}:{port}"
    finally:
        await runner.cleanup()


@contextlib.contextmanager
def in_a_thread(serving: Callable[[], AbstractAsyncContextManager[T]]) -> Iterator[T]:
    """Enter ``serving()`` on an event loop of a thread of its own; yields what it yields.

    For servers that sync clients, the CLI or a second process talk to while this thread blocks.
    """
    loop = asyncio.new_event_loop()
    started = threading.Event()
    box: list[T] = []
    stop = asyncio.Event()

    async def main() -> None:
        try:
            async with serving() as value:
                box.append(value)
                started.set()
                await stop.wait()
        finally:
            started.set()  # a server that failed to start wakes the caller at once

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    try:
        if not started.wait(THREAD_SECONDS) or not box:
            raise RuntimeError("the server on its own thread did not start")
        yield box[0]
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(THREAD_SECONDS)
        loop.close()


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
