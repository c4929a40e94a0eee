"""``SyncClient``: what the generated ``Screendesk`` adds to the mirrored resources.

``Screendesk`` itself (its constructor, resources and properties) is generated from
``AsyncScreendesk`` into ``_resources.py``; this is the part a generator cannot write: starting
the portal, ``close()`` and the ``with`` statement.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, ParamSpec, Protocol, Self, TypeVar

from .._portal import Portal

P = ParamSpec("P")


class _AsyncClient(Protocol):
    def aclose(self) -> Awaitable[None]: ...


C = TypeVar("C", bound=_AsyncClient)


class SyncClient:
    """A sync client: an async client running on a loop thread of its own (its portal).

    Every call returns a plain value and every listing is a plain iterator; pages are still
    fetched concurrently behind the scenes. One event loop runs in a daemon thread for the
    client's lifetime, so one aiohttp session and its connections serve every call. The client
    is safe to share across threads, and works from code that is itself called inside a running
    event loop (a notebook cell, an async framework calling sync code). Breaking out of a
    ``for`` over a listing (or closing the iterator) cancels its page requests still in flight.
    Call :meth:`close` (or use ``with``) when done; a client that is simply dropped is closed
    when it is garbage collected, or at interpreter exit. A client created before ``os.fork()``
    raises ``ConfigurationError`` at once in the child (its loop thread stayed in the parent):
    create clients after forking (e.g. in a post-fork hook).
    """

    _portal: Portal
    _resource: Any

    def _start(self, factory: Callable[P, C], /, *args: P.args, **kwargs: P.kwargs) -> C:
        """Build the async client on the loop thread, where its session will live."""
        portal = Portal()
        try:
            client = portal.call_sync(factory, *args, **kwargs)
        except BaseException:
            portal.close()
            raise
        portal.add_cleanup(client.aclose)
        self._portal, self._resource = portal, client
        return client

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._portal.closed

    def close(self) -> None:
        """Close the connections and stop the client's loop thread. Safe to repeat.

        Listings still being iterated are cancelled; any call afterwards raises
        :class:`~screendesk_async.errors.ConfigurationError`.
        """
        self._portal.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._resource.base_url!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
