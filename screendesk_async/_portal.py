"""The portal: one event loop in a daemon thread that synchronous code submits work to.

The sync :class:`~screendesk_async.Screendesk` facade owns one :class:`Portal` for its lifetime.
Every call runs on the portal's loop, so the aiohttp session and its pooled connections live on
one loop and are reused across calls, from any number of threads. A caller only ever blocks on a
lock; it never runs (or re-enters) an event loop of its own, so the facade also works from code
that is itself running inside an event loop (a notebook cell, an async framework calling old
sync code).

Coroutines are created on the loop thread, never in the caller's, so a call that is refused or
cancelled before it starts leaves no "coroutine was never awaited" behind. Closing cancels the
calls in flight, closes the iterators being pulled (cancelling their page requests), runs the
cleanups (the async client's ``aclose``), then stops the loop and joins its thread. A portal
nobody references any more is closed the same way by ``weakref.finalize``, also at interpreter
exit. In a child process after ``fork()`` there is no loop thread: every portal inherited from
the parent refuses calls at once (``ConfigurationError``) instead of waiting for it forever.

The per-call overhead is what the facade adds to every request, so the hand-over is lean: the
caller waits on one bare lock (a ``concurrent.futures.Future`` and its condition variable cost
extra thread wake-ups), and the loop releases it just before it blocks in ``select()``, when it
is about to drop the GIL the woken caller needs.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import selectors
import threading
import weakref
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Generator, Iterator
from typing import Any, Generic, ParamSpec, TypeVar

from . import errors

__all__ = ["Portal"]

T = TypeVar("T")
P = ParamSpec("P")

_CLOSED = "this Screendesk client is closed; create a new one"
_CLOSED_IN_FLIGHT = "this Screendesk client was closed while the call was in flight"
_FORKED = (
    "this Screendesk client was created in another process (before os.fork()): its loop thread "
    "and connections stayed in the parent; create a new Screendesk in the child process"
)

#: The portals alive in this process, so a forked child can refuse them at once.
_LIVE: weakref.WeakSet[_LoopThread] = weakref.WeakSet()


def _after_fork_in_child() -> None:  # pragma: no cover - runs in forked children (test_hostile.py)
    # The child has no loop thread, only copies of its state: a call would wait forever for a
    # thread that does not exist. Refuse every call instead, and never touch the loop: its epoll
    # instance is the parent's too, so closing the loop (or a transport on it) here would
    # unregister the parent's sockets. Marked closed, asyncio leaves it alone, even when it is
    # collected.
    for state in list(_LIVE):
        state.loop._closed = True  # type: ignore[attr-defined]
        state.forked = True
        state.closed = True
        state.lock = threading.Lock()  # it may have been held at the fork by another thread
        state.pending.clear()


os.register_at_fork(after_in_child=_after_fork_in_child)


class _HandoffSelector(selectors.DefaultSelector):
    """Releases the callers whose calls finished just before the loop blocks in ``select()``.

    Released earlier, in the middle of a loop iteration, a caller wakes up only to wait for the
    GIL that the loop thread still holds: one more thread wake-up per call (about 0.1 ms on a
    small VM, a tenth of a loopback request).
    """

    def __init__(self) -> None:
        super().__init__()
        self.ready: list[threading.Lock] = []

    def release_ready(self) -> None:
        ready = self.ready  # only ever used on the loop thread
        for lock in ready:
            lock.release()
        ready.clear()

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if self.ready:
            self.release_ready()
        events: list[tuple[selectors.SelectorKey, int]] = super().select(timeout)
        return events


class _Call:
    """One call handed to the loop thread: the caller waits on ``done``, the loop releases it."""

    __slots__ = ("cancelled", "done", "error", "finished", "ready", "result", "task")

    def __init__(self, ready: list[threading.Lock] | None) -> None:
        self.ready = ready
        self.done = threading.Lock()
        self.done.acquire()
        self.finished = False
        self.cancelled = False
        self.result: Any = None
        self.error: BaseException | None = None
        self.task: asyncio.Future[Any] | None = None

    # On the loop thread.
    def finish(self, result: Any = None, error: BaseException | None = None) -> None:
        if self.finished:
            return
        self.finished = True
        self.result, self.error = result, error
        if self.ready is not None:
            self.ready.append(self.done)  # released by the selector, right before it blocks
        else:
            self.done.release()

    async def run(self, awaitable: Awaitable[Any]) -> None:
        # Hands the outcome over from inside the task (a done-callback would cost the caller
        # one more loop iteration); never fails, so nothing is logged as unretrieved.
        try:
            result = await awaitable
        except asyncio.CancelledError as exc:
            self.finish(error=exc)
            raise
        except BaseException as exc:
            self.finish(error=exc)
            if not isinstance(exc, Exception):
                raise
        else:
            self.finish(result)

    def cancel(self) -> None:
        self.cancelled = True
        if self.task is not None:
            self.task.cancel()


class _LoopThread:
    """The state a portal shares with its thread and its finalizer (never the portal itself)."""

    def __init__(self, name: str) -> None:
        self.selector = _HandoffSelector()
        self.loop = asyncio.SelectorEventLoop(self.selector)
        #: Makes closing happen once; held briefly, never while waiting on the loop.
        self.lock = threading.Lock()
        #: Set before the shutdown is scheduled; the loop starts no call once it is set, so
        #: every call's task exists before the shutdown looks for the tasks to cancel.
        self.closed = False
        #: Set in a child process after fork(): calls raise at once.
        self.forked = False
        #: Calls not yet finished: failed at the very end if the loop stopped under them.
        self.pending: set[_Call] = set()
        self.cleanups: list[Callable[[], Awaitable[None]]] = []
        self.cleanup_error: BaseException | None = None
        #: The iterators being pulled, closed outermost first when shutting down.
        self.pumps: weakref.WeakSet[_Pump[Any]] = weakref.WeakSet()
        self.thread = threading.Thread(target=self.run, name=name, daemon=True)
        self.thread.start()
        _LIVE.add(self)

    # -- on the loop thread -------------------------------------------------------------------
    def run(self) -> None:
        loop = self.loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
        finally:
            try:
                tasks = asyncio.all_tasks(loop)
                for task in tasks:
                    task.cancel()
                if tasks:
                    loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.run_until_complete(loop.shutdown_default_executor())
            finally:
                asyncio.set_event_loop(None)
                loop.close()
                self.selector.release_ready()
                for call in list(self.pending):
                    call.ready = None
                    call.finish(error=asyncio.CancelledError())

    async def shutdown(self) -> None:
        """Cancel every call in flight, close the iterators, run the cleanups, stop."""
        loop = asyncio.get_running_loop()
        try:
            others = asyncio.all_tasks(loop) - {asyncio.current_task(loop)}
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)
            # Our iterators one by one, each closing the generators it wraps: shutdown_asyncgens
            # alone would close all of them at once, inner ones while their wrappers close them.
            for pump in list(self.pumps):
                with contextlib.suppress(Exception):
                    await pump.aclose()
            await loop.shutdown_asyncgens()
            for cleanup in reversed(self.cleanups):
                try:
                    await cleanup()
                except Exception as exc:
                    self.cleanup_error = self.cleanup_error or exc
            # Let the transports the cleanups closed run their connection_lost callbacks, so no
            # socket is left for the garbage collector to warn about.
            for _ in range(3):
                await asyncio.sleep(0)
        finally:
            loop.stop()

    def start(
        self, call: _Call, fn: Callable[..., Any], args: Any, kwargs: Any, is_async: bool
    ) -> None:
        if call.cancelled or self.closed:
            call.finish(error=asyncio.CancelledError())
            return
        try:
            result = fn(*args, **kwargs)
            if not is_async:
                call.finish(result)
                return
            call.task = self.loop.create_task(call.run(result))
        except BaseException as exc:
            call.finish(error=exc)
            if not isinstance(exc, Exception):
                raise

    # -- from any thread ----------------------------------------------------------------------
    def submit(self, fn: Callable[..., Any], args: Any, kwargs: Any, *, is_async: bool) -> _Call:
        """Schedule ``fn(*args, **kwargs)`` on the loop (awaited when ``is_async``)."""
        if self.closed:
            raise errors.ConfigurationError(_FORKED if self.forked else _CLOSED)
        call = _Call(self.selector.ready)
        self.pending.add(call)
        try:
            self.loop.call_soon_threadsafe(self.start, call, fn, args, kwargs, is_async)
        except RuntimeError:  # the loop closed since the check above
            self.pending.discard(call)
            raise errors.ConfigurationError(_CLOSED) from None
        return call

    def wait(self, call: _Call) -> Any:
        """Block until ``call`` finishes; return its result or raise its error."""
        try:
            call.done.acquire()
        except BaseException:
            # KeyboardInterrupt (or another interruption) while waiting: cancel the call.
            with contextlib.suppress(RuntimeError):  # the loop is already closed
                self.loop.call_soon_threadsafe(call.cancel)
            raise
        finally:
            self.pending.discard(call)
        error = call.error
        if error is None:
            return call.result
        call.error = None
        try:
            if isinstance(error, asyncio.CancelledError) and self.closed:
                raise errors.ConfigurationError(_CLOSED_IN_FLIGHT) from None
            raise error
        finally:
            del error  # no cycle through this frame's traceback

    def close(self) -> None:
        """Shut the loop down and join its thread (safe to call again, from anywhere)."""
        with self.lock:
            if self.closed:
                return
            self.closed = True
            if threading.get_ident() == self.thread.ident:
                # Closed from a callback on the loop itself (or collected there): no waiting.
                self.loop.create_task(self.shutdown())
                return
            with contextlib.suppress(RuntimeError):  # the loop died already
                self.loop.call_soon_threadsafe(self.start_shutdown)
        self.thread.join()
        error, self.cleanup_error = self.cleanup_error, None
        if error is not None:
            raise error

    def start_shutdown(self) -> None:
        self.loop.create_task(self.shutdown())

    def open(self, fn: Callable[..., AsyncIterable[Any]], *args: Any, **kwargs: Any) -> _Pump[Any]:
        """Call ``fn`` (on the loop thread) and register a pump for the iterable it returns."""
        pump = _Pump(fn(*args, **kwargs))
        self.pumps.add(pump)
        return pump


class _Pump(Generic[T]):
    """Pulls one async iterator, on the loop, for a sync generator."""

    def __init__(self, iterable: AsyncIterable[T]) -> None:
        self.iterable = iterable
        self.iterator: AsyncIterator[T] = aiter(iterable)
        self.task: asyncio.Task[Any] | None = None
        self.closed = False

    async def next(self) -> T:
        self.task = asyncio.current_task()
        return await anext(self.iterator)

    async def aclose(self) -> None:
        if self.closed:
            return
        self.closed = True
        task = self.task
        if task is not None and task is not asyncio.current_task() and not task.done():
            # A pull interrupted in the caller (Ctrl-C) is still unwinding its cancellation.
            await asyncio.wait([task])
        for obj in (self.iterator, self.iterable):
            aclose = getattr(obj, "aclose", None)
            if aclose is not None:
                await aclose()
                return


class Portal:
    """One event loop in a daemon thread, and blocking calls into it from any other thread."""

    def __init__(self, name: str = "screendesk-portal") -> None:
        self._state = _LoopThread(name)
        self._finalizer = weakref.finalize(self, self._state.close)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called (or the portal was finalized)."""
        return self._state.closed

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The portal's event loop (running in its own thread until closed)."""
        return self._state.loop

    def add_cleanup(self, cleanup: Callable[[], Awaitable[None]]) -> None:
        """Await ``cleanup()`` on the loop when closing (last added, first run)."""
        self._state.cleanups.append(cleanup)

    def _run(self, fn: Callable[..., Any], args: Any, kwargs: Any, *, is_async: bool) -> Any:
        state = self._state
        if threading.get_ident() == state.thread.ident:
            raise RuntimeError(
                "the sync Screendesk client was called from its own event loop thread (e.g. in "
                "a callback); that would deadlock. Use the AsyncScreendesk client in async code."
            )
        return state.wait(state.submit(fn, args, kwargs, is_async=is_async))

    def call(self, fn: Callable[P, Awaitable[T]], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Await ``fn(*args, **kwargs)`` on the loop and return its result (or raise its error).

        Raises:
            errors.ConfigurationError: the portal is closed.
            RuntimeError: called from the portal's own loop thread.
        """
        result: T = self._run(fn, args, kwargs, is_async=True)
        return result

    def call_sync(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run the plain function ``fn(*args, **kwargs)`` on the loop thread; return its result."""
        result: T = self._run(fn, args, kwargs, is_async=False)
        return result

    def iterate(
        self, fn: Callable[P, AsyncIterable[T]], /, *args: P.args, **kwargs: P.kwargs
    ) -> Iterator[T]:
        """A plain iterator over the async iterator ``fn(*args, **kwargs)``.

        ``fn`` is called now (on the loop thread), so its argument checks raise here, before any
        request. Closing the returned generator (``break``, ``close()``, garbage collection)
        closes the async iterator, cancelling the requests it has in flight.
        """
        pump: _Pump[T] = self._run(self._state.open, (fn, *args), kwargs, is_async=False)
        return self._drain(pump)

    def _drain(self, pump: _Pump[T]) -> Generator[T, None, None]:
        try:
            while True:
                try:
                    item = self.call(pump.next)
                except StopAsyncIteration:
                    pump.closed = True  # exhausted: nothing left to close
                    return
                yield item
        finally:
            self._close_pump(pump)

    def _close_pump(self, pump: _Pump[T]) -> None:
        state = self._state
        if pump.closed:
            return
        if threading.get_ident() == state.thread.ident:
            # Collected on the loop thread itself: close it there, without waiting (and not
            # when the shutdown, which closes every pump, is already on its way).
            if not state.closed:
                state.loop.create_task(pump.aclose())
            return
        # A closed portal has already closed every iterator it was pulling.
        with contextlib.suppress(errors.ConfigurationError):
            self.call(pump.aclose)

    def close(self) -> None:
        """Cancel the calls in flight, run the cleanups, stop the loop and join its thread.

        Safe to call more than once; every call after the first returns at once.
        """
        self._finalizer()
