"""``SyncClient``: the part of the generated ``Screendesk`` a generator cannot write."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, ParamSpec, Self

from .._client import AsyncScreendesk
from .._portal import Portal

P = ParamSpec("P")


class SyncClient:
    """An async client running on a loop thread of its own (its portal), called without ``await``.

    Listings are plain iterators whose pages are still fetched concurrently; breaking out of one
    cancels its requests in flight. One aiohttp session serves every call, from any thread and
    even from code running inside an event loop. Call :meth:`close` (or use ``with``) when done;
    a dropped client is closed when collected or at exit. A client made before ``os.fork()``
    raises ``ConfigurationError`` in the child: create clients after forking.
    """

    _portal: Portal
    _resource: Any

    def _start(
        self, factory: Callable[P, AsyncScreendesk], /, *args: P.args, **kwargs: P.kwargs
    ) -> AsyncScreendesk:
        """Build the async client on the loop thread, where its session will live."""
        self._portal = portal = Portal()
        try:
            self._resource = client = portal.call_sync(factory, *args, **kwargs)
        except BaseException:
            portal.close()
            raise
        portal.add_cleanup(client.aclose)
        return client

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._portal.closed

    def close(self) -> None:
        """Close the connections and stop the loop thread (safe to repeat).

        Listings being iterated stop; calls afterwards raise ``errors.ConfigurationError``.
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
