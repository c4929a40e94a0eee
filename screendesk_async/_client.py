"""``AsyncScreendesk``: the asyncio client."""

from __future__ import annotations

from types import TracebackType
from typing import Self

import aiohttp

from . import _constants as C
from ._config import resolve_config
from ._transport import Transport
from .resources import AsyncRecordings, AsyncScim, AsyncUsers


class AsyncScreendesk:
    """The asyncio client of the Screendesk API.

    Share one client across your app: it holds the connection pool, the concurrency bound and the
    rate limiter that every call goes through.

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
        session: An ``aiohttp.ClientSession`` of yours to send through (then never closed here).

    Example::

        async with AsyncScreendesk() as sd:
            async for recording in sd.recordings.list():
                print(recording.title)

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
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        # The signature above is the one declaration of the settings: resolve_config validates
        # them by these names, and the sync client's constructor is generated from it.
        settings = {k: v for k, v in locals().items() if k not in ("self", "token", "session")}
        config = resolve_config(token, **settings)
        self._transport = Transport(config, session)
        #: Recordings: ``list``, ``pages``, ``page``, ``get``, ``update``.
        self.recordings = AsyncRecordings(self._transport)
        #: Users: ``list``, ``pages``, ``page``, ``search``.
        self.users = AsyncUsers(self._transport)
        #: SCIM 2.0 provisioning: ``scim.users`` (uses ``scim_token`` and ``scim_base_url``).
        self.scim = AsyncScim(self._transport)

    @property
    def base_url(self) -> str:
        """The REST API's base URL."""
        return self._transport.config.base_url

    @property
    def scim_base_url(self) -> str:
        """The SCIM service provider's base URL."""
        return self._transport.config.scim_base_url

    @property
    def retries(self) -> int:
        """How many attempts this client has retried so far (for progress reports)."""
        return self._transport.retries

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    async def aclose(self) -> None:
        """Close the client's connections (not a session you passed in). Safe to repeat."""
        await self._transport.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
