"""``AsyncScreendesk``: the asyncio client."""

from __future__ import annotations

import copy
from types import TracebackType
from typing import Any, Self

import aiohttp
import attrs

from . import _constants as C
from ._config import SETTINGS, ClientConfig, resolve_config
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

    @property
    def closed(self) -> bool:
        """Whether this client (or the one it was derived from) is closed."""
        return self._transport.closed

    def with_options(self, *, timeout: float | None = None, max_retries: int | None = None) -> Self:
        """A client like this one, with another ``timeout`` or ``max_retries``: same connections.

        The derived client shares this one's session (its connection pool), its
        ``max_concurrency`` slots and its rate limiter: no new session, and the limits hold
        across both. ``None`` keeps this client's value. Closing the derived client only ends
        its own use (its later calls raise ``errors.ConfigurationError``); closing this client
        closes the connections of both.

        Example::

            page = await sd.with_options(timeout=5, max_retries=0).recordings.page(1)

        Raises:
            ValueError: a ``timeout`` or ``max_retries`` the constructor would refuse.
        """
        changes = {"timeout": timeout, "max_retries": max_retries}
        config = _changed(
            self._transport.config, {k: v for k, v in changes.items() if v is not None}
        )
        derived = copy.copy(self)
        derived._transport = self._transport.derive(config)
        for name, resource in vars(self).items():
            if not name.startswith("_"):  # the resources __init__ made, on the new transport
                setattr(derived, name, type(resource)(derived._transport))
        return derived

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    async def aclose(self) -> None:
        """Close the client's connections (not a session you passed in). Safe to repeat.

        A client from :meth:`with_options` only marks itself closed: the connections are the
        original's.
        """
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


def _changed(config: ClientConfig, changes: dict[str, Any]) -> ClientConfig:
    """``config`` with ``changes``, checked by the constructor's own rules (``resolve_config``).

    Only the changed values are taken from the check: the tokens are kept as they are (the
    stand-ins below only keep the check from reading the environment for them).
    """
    settings = {name: getattr(config, name) for name in SETTINGS}
    checked = resolve_config("unused", **{**settings, "scim_token": "unused", **changes})
    return attrs.evolve(config, **{name: getattr(checked, name) for name in changes})
