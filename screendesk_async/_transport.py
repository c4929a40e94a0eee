"""Sending requests: the aiohttp session, auth, timeouts, shared limits, retries, error mapping.

The only module that does network I/O. What to send comes from ``_request``, what a response
means from ``_response``, whether to try again from ``_retry``.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp

from . import _constants as C
from . import errors
from ._config import ClientConfig, Secret
from ._logging import logger
from ._ratelimit import RateLimiter
from ._request import Request, headers_for
from ._response import decode_body, status_error
from ._retry import RetryPolicy


class Transport:
    """Sends :class:`~screendesk_async._request.Request` objects for one client.

    One ``aiohttp.ClientSession`` is created lazily inside the running loop (or the caller's own
    session is used, and then never closed here). Every attempt of every call holds one of
    ``max_concurrency`` slots and one start of the rate limiter, so the bounds hold across all
    the concurrent calls of the client, retries included.
    """

    def __init__(self, config: ClientConfig, session: aiohttp.ClientSession | None = None) -> None:
        self._config = config
        self._session = session
        self._owns_session = session is None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._slots = asyncio.Semaphore(config.max_concurrency)
        self._limiter = RateLimiter(config.rate_limit)
        self.retry_policy = RetryPolicy(max_retries=config.max_retries)
        self.timeout = aiohttp.ClientTimeout(
            total=config.timeout,
            connect=min(C.CONNECT_TIMEOUT, config.timeout),
            sock_connect=min(C.CONNECT_TIMEOUT, config.timeout),
            sock_read=config.timeout,
        )
        #: Attempts that failed and were tried again, for summaries (e.g. the export command).
        self.retries = 0

    @property
    def config(self) -> ClientConfig:
        """The client's validated settings."""
        return self._config

    @property
    def closed(self) -> bool:
        """Whether :meth:`aclose` was called."""
        return self._closed

    def _get_session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise errors.ConfigurationError("this client is closed; create a new one")
        loop = asyncio.get_running_loop()
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self._config.max_concurrency, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(connector=connector, timeout=self.timeout)
            self._loop = loop
        elif self._owns_session and self._loop is not loop:
            raise errors.ConfigurationError(
                "this client's connections belong to another event loop: use one client per "
                "loop (or the sync Screendesk facade from synchronous code)"
            )
        return self._session

    def _token_for(self, request: Request) -> Secret:
        if request.api == "scim":
            return self._config.scim_token_or_raise()
        return self._config.rest_token()

    async def request(self, request: Request) -> Any:
        """Send ``request`` with retries; return the decoded JSON body (``None`` for 204).

        Raises:
            errors.ConfigurationError: no token for this API, or the client is closed.
            errors.APIStatusError: the final attempt got an error status.
            errors.APIConnectionError: the final attempt got no response.
            errors.ResponseDecodeError: the final attempt's 2xx body was not the JSON expected.
        """
        token = self._token_for(request)
        self._get_session()
        # The first attempt runs without tenacity, whose loop costs more per call than the
        # rest of this client's own work on a small GET: it is only entered once an attempt
        # has failed and may be retried. That failure is replayed as its attempt 1, so the
        # waits, the logging, the count of tries and the deadline are unchanged.
        started = time.monotonic()
        try:
            return await self._attempt(request, token, 1)
        except Exception as exc:
            if not self.retry_policy.should_retry(exc, request.method):
                raise
            failed: list[Exception] = [exc]
        policy = self.retry_policy
        async for attempt in policy.attempts(request.method, request.path, started=started):
            number = attempt.retry_state.attempt_number
            with attempt:
                if failed:
                    raise failed.pop()
                self.retries += 1
                return await self._attempt(request, token, number)
        raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover

    async def _attempt(self, request: Request, token: Secret, number: int) -> Any:
        session = self._get_session()
        headers = headers_for(request.api, token.reveal(), has_body=request.body is not None)
        failure: errors.APIConnectionError | None = None
        async with self._slots:
            await self._limiter.acquire()
            started = time.perf_counter()
            try:
                async with session.request(
                    request.method, request.url, data=request.body, headers=headers
                ) as response:
                    body = await response.read()
                    status, response_headers = response.status, response.headers
            except TimeoutError as exc:
                failure = errors.APITimeoutError(
                    f"request timed out ({type(exc).__name__})",
                    method=request.method,
                    path=request.path,
                )
            except aiohttp.ClientConnectorError as exc:
                failure = errors.APIConnectionError(
                    f"could not connect: {exc}",
                    method=request.method,
                    path=request.path,
                    request_sent=False,
                )
            except aiohttp.ClientError as exc:
                failure = errors.APIConnectionError(
                    f"connection failed: {type(exc).__name__}: {exc}",
                    method=request.method,
                    path=request.path,
                )
        elapsed_ms = (time.perf_counter() - started) * 1000
        if failure is not None:
            # Raised outside the except block so the aiohttp exception, whose request_info
            # carries the Authorization header, is not chained onto ours.
            logger.debug(
                "%s %s -> %s in %.1f ms (attempt %d)",
                request.method,
                request.path,
                type(failure).__name__,
                elapsed_ms,
                number,
            )
            raise failure
        logger.debug(
            "%s %s -> %d in %.1f ms (attempt %d)",
            request.method,
            request.path,
            status,
            elapsed_ms,
            number,
        )
        if status >= 400 or status < 200:
            error = status_error(request, status, response_headers, body)
            if status == 429:
                self._limiter.pause(
                    error.retry_after
                    if error.retry_after is not None
                    else self.retry_policy.backoff(number)
                )
            raise error
        return decode_body(request, status, response_headers, body)

    async def aclose(self) -> None:
        """Close the session if this transport created it. Safe to call more than once."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None and self._owns_session and not session.closed:
            await session.close()
