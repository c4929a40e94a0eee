"""One suite for both clients: the sync ``Screendesk`` driven through the async API's shape.

``make("sync", ...)`` builds a real :class:`~screendesk_async.Screendesk` and wraps it so a test
written for ``AsyncScreendesk`` runs unchanged: each blocking call runs in a worker thread
(``asyncio.to_thread``), so the fake server on the test's loop keeps serving while it blocks, and
each plain iterator is pulled the same way. Methods returning iterators are called directly, so
their argument checks still raise at the call, as they do on both clients.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator
from typing import Any

from screendesk_async import AsyncScreendesk, Screendesk

_END = object()


class _Pulled:
    """An async iterator over a sync one."""

    def __init__(self, iterator: Iterator[Any]) -> None:
        self._iterator = iterator

    def __aiter__(self) -> _Pulled:
        return self

    async def __anext__(self) -> Any:
        item = await asyncio.to_thread(next, self._iterator, _END)
        if item is _END:
            raise StopAsyncIteration
        return item

    async def aclose(self) -> None:
        close = getattr(self._iterator, "close", None)
        if close is not None:
            await asyncio.to_thread(close)


class AsyncOver:
    """The async API over a sync facade object (the client or one of its resources)."""

    def __init__(self, target: Any) -> None:
        self._target = target

    @property
    def _transport(self) -> Any:  # what the tests tune (retry policy), on the async client
        return self._target._resource._transport

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if type(value).__module__ == "screendesk_async._sync._resources":
            return AsyncOver(value)
        if not callable(value):
            return value
        if str(inspect.signature(value).return_annotation).startswith("Iterator["):
            return lambda *args, **kwargs: _Pulled(value(*args, **kwargs))

        async def call(*args: Any, **kwargs: Any) -> Any:
            return await asyncio.to_thread(value, *args, **kwargs)

        return call

    async def aclose(self) -> None:
        await asyncio.to_thread(self._target.close)

    async def __aenter__(self) -> AsyncOver:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def make(kind: str, *args: Any, **kwargs: Any) -> Any:
    """An ``AsyncScreendesk``, or a ``Screendesk`` behind :class:`AsyncOver`."""
    if kind == "async":
        return AsyncScreendesk(*args, **kwargs)
    return AsyncOver(Screendesk(*args, **kwargs))
