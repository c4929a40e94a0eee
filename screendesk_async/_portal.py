"""The portal: one event loop in a daemon thread that synchronous code hands its calls to.

A caller blocks on a lock, never on a loop of its own, so it may itself run inside an event loop.
Closing (or dropping the portal, or exiting) cancels the calls in flight, closes the iterators
being pulled, awaits the cleanup and joins the thread. After ``fork()`` the child's calls raise.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import weakref
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, ParamSpec, TypeVar

from . import errors

__all__ = ["Portal"]

T = TypeVar("T")
P = ParamSpec("P")

_CLOSED = "this Screendesk client is closed; create a new one"
_CLOSED_IN_FLIGHT = "this Screendesk client was closed while the call was in flight"
_FORKED = "this Screendesk client was made before os.fork(); create a new one in the child"
_OWN_THREAD = "a call from its own event loop thread would deadlock; use AsyncScreendesk there"


class _Loop:
    """The loop, its thread and what they share with the finalizer (never the portal itself)."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.forked = self.closed = False
        # Held to schedule a call and to mark the portal closed: a call scheduled first runs
        # first (FIFO), so it sees ``closed`` or starts a task the shutdown cancels.
        self.lock = threading.Lock()
        self.cleanup: Callable[[], Awaitable[None]] | None = None
        self.error: Exception | None = None  # the cleanup's, raised by close()
        self.iterators: dict[int, AsyncIterator[Any]] = {}  # the ones being pulled
        self.thread = threading.Thread(target=self.run, name=name, daemon=True)
        self.thread.start()
        _LIVE.add(self)

    def run(self) -> None:
        try:
            self.loop.run_forever()
        finally:
            self.loop.close()

    async def shutdown(self) -> None:
        try:
            others = asyncio.all_tasks() - {asyncio.current_task()}
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)
            # Outermost first, each closing the generators it wraps (shutdown_asyncgens alone
            # would close inner ones while their wrappers are still closing them).
            for iterator in list(self.iterators.values()):
                with contextlib.suppress(Exception):
                    await _aclose(iterator)
            await self.loop.shutdown_asyncgens()
            if self.cleanup is not None:
                try:
                    await self.cleanup()
                except Exception as exc:
                    self.error = exc
            for _ in range(3):  # let closed transports run their connection_lost callbacks
                await asyncio.sleep(0)
            await self.loop.shutdown_default_executor()
        finally:
            self.loop.stop()

    def close(self) -> None:
        if self.forked:
            return  # the loop thread is in the parent, which still uses the loop
        with self.lock:
            if self.closed:
                return
            self.closed = True
            with contextlib.suppress(RuntimeError):  # the loop died already
                self.loop.call_soon_threadsafe(lambda: self.loop.create_task(self.shutdown()))
        if threading.get_ident() != self.thread.ident:  # on the loop, it stops after this
            self.thread.join()
            error, self.error = self.error, None
            if error is not None:
                raise error


#: The portals alive in this process, so a forked child can refuse them at once.
_LIVE: weakref.WeakSet[_Loop] = weakref.WeakSet()


def _after_fork_in_child() -> None:  # pragma: no cover - runs in forked children
    # Never touch the loop here: its epoll instance is the parent's too, so closing the loop (or
    # a transport on it) would unregister the parent's sockets. Marked closed, asyncio leaves it
    # alone when collected. The lock may have been held at the fork by another thread.
    for state in list(_LIVE):
        state.loop._closed = True  # type: ignore[attr-defined]
        state.forked = state.closed = True
        state.lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)


async def _aclose(iterator: AsyncIterator[Any]) -> None:
    aclose = getattr(iterator, "aclose", None)
    if aclose is not None:
        await aclose()


class Portal:
    """One event loop in a daemon thread, and blocking calls into it from any other thread."""

    def __init__(self, name: str = "screendesk-portal") -> None:
        self._state = _Loop(name)
        self._finalizer = weakref.finalize(self, self._state.close)
        self.loop = self._state.loop  #: the portal's event loop, run by its thread until closed

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called (or the portal was finalized)."""
        return self._state.closed

    def on_close(self, cleanup: Callable[[], Awaitable[None]]) -> None:
        """Await ``cleanup()`` on the loop when closing; :meth:`close` raises its error."""
        self._state.cleanup = cleanup

    def call(self, fn: Callable[P, Awaitable[T]], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Await ``fn(*args, **kwargs)`` on the loop and return its result (or raise its error).

        Raises:
            errors.ConfigurationError: the portal is closed (or was made before a fork).
            RuntimeError: called from the portal's own loop thread.
        """
        # A bare lock the loop releases: a concurrent.futures.Future costs more per call.
        state = self._state
        if threading.get_ident() == state.thread.ident:
            raise RuntimeError(_OWN_THREAD)
        done = threading.Lock()
        done.acquire()
        outcome: list[Any] = [None, None]  # result, error
        tasks: list[asyncio.Task[None]] = []

        async def run() -> None:
            try:
                outcome[0] = await fn(*args, **kwargs)  # the coroutine is made on the loop
            except BaseException as exc:
                outcome[1] = exc
                if not isinstance(exc, Exception):
                    raise
            finally:
                done.release()

        with state.lock:
            if state.closed:  # the fork hook marks the portal closed too
                raise errors.ConfigurationError(_FORKED if state.forked else _CLOSED)
            state.loop.call_soon_threadsafe(lambda: tasks.append(state.loop.create_task(run())))
        try:
            done.acquire()
        except BaseException:  # KeyboardInterrupt while waiting: cancel the call
            with contextlib.suppress(RuntimeError):
                state.loop.call_soon_threadsafe(lambda: [task.cancel() for task in tasks])
            raise
        result: T
        result, error = outcome
        if isinstance(error, asyncio.CancelledError) and state.closed:
            raise errors.ConfigurationError(_CLOSED_IN_FLIGHT) from None
        if error is not None:
            raise error
        return result

    def call_sync(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run the plain function ``fn(*args, **kwargs)`` on the loop thread; return its result."""

        async def run() -> T:
            return fn(*args, **kwargs)

        return self.call(run)

    def iterate(
        self, fn: Callable[P, AsyncIterable[T]], /, *args: P.args, **kwargs: P.kwargs
    ) -> Iterator[T]:
        """A plain iterator over ``fn(*args, **kwargs)``, made now (so its argument checks raise).

        Closing it (``break``, ``close()``, garbage collection) closes the async iterator,
        cancelling the requests it has in flight.
        """
        iterator = self.call_sync(lambda: aiter(fn(*args, **kwargs)))  # made on the loop
        self._state.iterators[id(iterator)] = iterator
        return self._drain(iterator)

    def _drain(self, iterator: AsyncIterator[T]) -> Iterator[T]:
        state = self._state
        try:
            while True:
                try:
                    item = self.call(anext, iterator)
                except StopAsyncIteration:
                    return
                yield item
        finally:
            if state.iterators.pop(id(iterator), None) is not None and not state.closed:
                if threading.get_ident() == state.thread.ident:
                    state.loop.create_task(_aclose(iterator))  # collected on the loop thread
                else:
                    with contextlib.suppress(errors.ConfigurationError):
                        self.call(_aclose, iterator)

    def close(self) -> None:
        """Cancel the calls in flight, run the cleanup, stop the loop, join it (idempotent)."""
        self._finalizer()
