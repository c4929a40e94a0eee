"""Running a fake on its own event loop in a background thread, for synchronous code."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from types import TracebackType
from typing import ParamSpec, TypeVar

from screendesk_async.testing._server import FakeScreendesk

__all__ = ["ServerThread"]

_T = TypeVar("_T")
_P = ParamSpec("_P")


class ServerThread:
    """Run a :class:`FakeScreendesk` on its own event loop in a background thread.

    For synchronous code and demos: ``with ServerThread(FakeScreendesk()) as fake: ...``.
    Entering blocks until the fake listens (or re-raises why it could not); leaving stops it
    and closes its loop. Plain attribute changes (``fake.faults.rate = 0.1``) are safe from
    any thread; use :meth:`call` for anything more involved.
    """

    def __init__(self, fake: FakeScreendesk, *, timeout: float = 10.0) -> None:
        self.fake = fake
        self._timeout = timeout
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._error: BaseException | None = None

    def start(self) -> FakeScreendesk:
        """Start the thread and wait until the fake listens; returns the fake."""
        if self._thread is not None:
            raise RuntimeError("ServerThread already started")
        self._thread = threading.Thread(target=self._run, name="FakeScreendesk", daemon=True)
        self._thread.start()
        if not self._ready.wait(self._timeout):
            raise TimeoutError("FakeScreendesk did not start in time")
        if self._error is not None:
            self._thread.join()
            raise self._error
        return self.fake

    def _run(self) -> None:
        with asyncio.Runner() as runner:
            try:
                runner.run(self.fake.start())
            except BaseException as exc:
                self._error = exc
                self._ready.set()
                return
            self._loop = runner.get_loop()
            self._ready.set()
            try:
                self._loop.run_forever()
            finally:
                runner.run(self.fake.close())

    def stop(self) -> None:
        """Stop the fake and join the thread (safe to call twice)."""
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None and thread.is_alive():
            loop.call_soon_threadsafe(loop.stop)
            thread.join(self._timeout)
        self._loop = None

    def call(self, func: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        """Run ``func(*args, **kwargs)`` on the server's loop thread and return its result.

        For changes that must not race a request, e.g.
        ``thread.call(fake.add_recordings, 10)``.
        """
        if self._loop is None:
            raise RuntimeError("ServerThread is not running")

        async def run() -> _T:
            return func(*args, **kwargs)

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(self._timeout)

    def __enter__(self) -> FakeScreendesk:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
