"""``Screendesk``: the sync client, calling the async one on a loop thread of its own.

The resources (``recordings``, ``users``, ``scim.users``) are generated into ``_resources.py``;
this module holds what the generator does not write: the constructor, ``close()`` and ``with``.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from .. import _constants as C
from .._client import AsyncScreendesk
from .._portal import Portal
from ._resources import BaseScreendesk

__all__ = ["Screendesk"]


class Screendesk(BaseScreendesk):
    """The synchronous client of the Screendesk API: ``AsyncScreendesk`` without ``await``.

    Every call returns a plain value and every listing is a plain iterator; pages are still
    fetched concurrently behind the scenes. The client runs one event loop in a daemon thread
    for its whole lifetime, so one aiohttp session and its connections serve every call. It is
    safe to share across threads, and works from code that is itself called inside a running
    event loop (a notebook cell, an async framework calling sync code).

    Args:
        token: The REST API token (default: ``$SCREENDESK_API_TOKEN``).
        scim_token: The SCIM token (default: ``$SCREENDESK_SCIM_TOKEN``).
        base_url: Default ``$SCREENDESK_BASE_URL``, then ``https://app.screendesk.io``.
        scim_base_url: Default ``{base_url}/api/v2/scim``; any SCIM 2.0 service provider works.
        timeout: Seconds one attempt may take (also the limit between two socket reads).
        max_retries: Retries after the first try (0 = one try).
        max_concurrency: Requests in flight at once across everything this client does.
        rate_limit: Requests per second at most, spaced evenly (``None`` = no client-side limit).
        max_response_size: Bytes a response body may have, decompressed (default 64 MiB;
            ``None`` = no cap); a larger one raises ``errors.ResponseTooLargeError``.

    Example::

        with Screendesk() as sd:
            for recording in sd.recordings.list(concurrency=8):
                print(recording.title)

    Breaking out of a ``for`` over a listing (or closing the iterator) cancels its page
    requests still in flight. Call :meth:`close` (or use ``with``) when done; a client that is
    simply dropped is closed when it is garbage collected, or at interpreter exit. A client
    created before ``os.fork()`` raises ``ConfigurationError`` at once in the child (its loop
    thread stayed in the parent): create clients after forking (e.g. in a post-fork hook).

    Raises:
        errors.ConfigurationError: a base URL that is not https (loopback hosts excepted).
        ValueError: a malformed numeric setting.
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        scim_token: str | None = None,
        base_url: str | None = None,
        scim_base_url: str | None = None,
        timeout: float = C.DEFAULT_TIMEOUT,
        max_retries: int = C.DEFAULT_MAX_RETRIES,
        max_concurrency: int = C.DEFAULT_MAX_CONCURRENCY,
        rate_limit: float | None = None,
        max_response_size: int | None = C.DEFAULT_MAX_RESPONSE_SIZE,
    ) -> None:
        portal = Portal()
        try:
            # Built on the loop thread, where its session and asyncio objects will live.
            client = portal.call_sync(
                AsyncScreendesk,
                token,
                scim_token=scim_token,
                base_url=base_url,
                scim_base_url=scim_base_url,
                timeout=timeout,
                max_retries=max_retries,
                max_concurrency=max_concurrency,
                rate_limit=rate_limit,
                max_response_size=max_response_size,
            )
        except BaseException:
            portal.close()
            raise
        portal.add_cleanup(client.aclose)
        super().__init__(portal, client)

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
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
