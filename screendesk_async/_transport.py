"""Sending requests: the aiohttp session, auth, timeouts, shared limits, redirects, size caps.

The only module that does network I/O. What to send comes from ``_request``, what a response
means from ``_response``, whether to try again from ``_retry``, which redirect to follow from
``_redirects``; ``_body`` reads a body under its cap.

Errors are *returned*, not raised, by the frames that hold the request headers or the aiohttp
response (:meth:`Transport._exchange`, :meth:`Transport._send_once`): they are raised one
frame up, so an error reporter that captures the locals of every frame of a traceback
(``capture_locals``) never sees an ``Authorization`` header.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
import weakref
from collections.abc import Mapping
from typing import Any, TypeAlias

import aiohttp
from yarl import URL

from . import _constants as C
from . import errors
from ._body import read_body
from ._config import ClientConfig
from ._describe import naming, target, timed_out
from ._logging import logger, redact_exception, remember_secret
from ._ratelimit import RateLimiter
from ._redirects import next_hop, origin, too_many
from ._request import Request, headers_for
from ._response import decode_body, status_error
from ._retry import RetryPolicy

#: ``(status, headers, body)`` of one answered request.
Answer: TypeAlias = tuple[int, Mapping[str, str], bytes]

# Bumped in a child process after fork(): a session made before it shares its sockets (and TLS
# state) with the parent, so it must never be used, or closed, there.
_generation = 0
_LIVE: weakref.WeakSet[Transport] = weakref.WeakSet()


def _forked() -> None:  # pragma: no cover - runs in forked children (test_hostile.py)
    global _generation
    _generation += 1
    for transport in list(_LIVE):
        transport._disown_session()


os.register_at_fork(after_in_child=_forked)


class Transport:
    """Sends :class:`~screendesk_async._request.Request` objects for one client.

    One ``aiohttp.ClientSession`` is created lazily inside the running loop (or the caller's own
    session is used, and then never closed here). Every attempt of every call holds one of
    ``max_concurrency`` slots and one start of the rate limiter, so the bounds hold across all
    the concurrent calls of the client, retries included. A transport made by :meth:`derive`
    has settings of its own, and the session, slots and limiter of the one it derives from.
    """

    def __init__(self, config: ClientConfig, session: aiohttp.ClientSession | None = None) -> None:
        self._config = config
        self._session = session
        self._owns_session = session is None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._generation = _generation
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
        for secret in config.secrets():
            remember_secret(secret.reveal())
        _LIVE.add(self)
        #: Attempts that failed and were tried again, for summaries (e.g. the export command).
        self.retries = 0
        #: The transport whose session, slots and limiter this one sends through (``derive``).
        self._origin: Transport | None = None

    def derive(self, config: ClientConfig) -> Transport:
        """A transport with ``config``'s timeout and retries, on this one's connections.

        It shares the session (and so the connection pool), the ``max_concurrency`` slots and
        the rate limiter. Closing it closes nothing it shares; closing the transport it derives
        from closes the session, for both.
        """
        derived = Transport(config)
        derived._origin = self._origin or self
        derived._slots, derived._limiter = self._slots, self._limiter
        derived._owns_session = False
        return derived

    @property
    def config(self) -> ClientConfig:
        """The client's validated settings."""
        return self._config

    @property
    def closed(self) -> bool:
        """Whether :meth:`aclose` was called (on this transport, or the one it derives from)."""
        return self._closed or (self._origin is not None and self._origin.closed)

    def _get_session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise errors.ConfigurationError("this client is closed; create a new one")
        if self._origin is not None:
            return self._origin._get_session()
        if self._generation != _generation:
            raise errors.ConfigurationError(
                "this client was created in another process (before os.fork()); its "
                "connections belong to the parent: create a new client in the child process"
            )
        loop = asyncio.get_running_loop()
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self._config.max_concurrency, ttl_dns_cache=300)
            # No cookie jar: the token is the one credential, and a cookie the API host set
            # would be sent back to every port of that host (a caller's session= keeps its own).
            session = aiohttp.ClientSession(
                connector=connector, timeout=self.timeout, cookie_jar=aiohttp.DummyCookieJar()
            )
            # aiohttp re-sends an idempotent request once, underneath us, when a pooled
            # connection drops; off, so max_retries counts every request on the wire. (A
            # caller's own session keeps its setting: see the README's "Reliability".)
            if hasattr(session, "_retry_connection"):
                session._retry_connection = False
            self._session, self._loop = session, loop
        elif self._owns_session and self._loop is not loop:
            raise errors.ConfigurationError(
                "this client's connections belong to another event loop: use one client per "
                "loop (or the sync Screendesk facade from synchronous code)"
            )
        return self._session

    def _disown_session(self) -> None:
        """In a forked child: forget the parent's pooled connections without closing them.

        Closing one (also what collecting the session does, e.g. at the child's exit) would
        unregister its socket from the epoll instance the parent's loop shares with the child,
        and the parent would wait forever on that connection.
        """
        connector = self._session.connector if self._session is not None else None
        if connector is None or not self._owns_session:
            return
        with contextlib.suppress(AttributeError):  # aiohttp internals; best effort
            connector._conns.clear()
            connector._acquired.clear()
            connector._closed = True

    def _token_for(self, request: Request) -> str:
        if request.api == "scim":
            return self._config.scim_token_or_raise().reveal()
        return self._config.rest_token().reveal()

    def _headers(self, request: Request, url: URL) -> dict[str, str]:
        headers = headers_for(
            request.api, self._token_for(request), has_body=request.body is not None
        )
        if origin(url) != origin(request.url):
            del headers["Authorization"]  # a redirect to another origin gets no credentials
        return headers

    def _session_has_credentials(self) -> bool:
        """Whether the caller's session adds an ``Authorization`` of its own to every request."""
        if self._origin is not None:
            return self._origin._session_has_credentials()
        session = self._session
        if session is None or self._owns_session:
            return False
        return "Authorization" in session.headers or session.auth is not None

    def _secrets(self) -> tuple[str, ...]:
        return tuple(secret.reveal() for secret in self._config.secrets())

    async def request(self, request: Request) -> Any:
        """Send ``request`` with retries; return the decoded JSON body (``None`` for 204).

        Raises:
            errors.ConfigurationError: no token for this API, or the client is closed.
            errors.APIStatusError: the final attempt got an error status (or a redirect that
                is not followed).
            errors.APIConnectionError: the final attempt got no response.
            errors.ResponseDecodeError: the final attempt's 2xx body was not the JSON expected.
            errors.ResponseTooLargeError: a body over ``max_response_size``.
        """
        self._token_for(request)  # a missing token fails before anything is sent
        self._get_session()
        return await self.retry_policy.run(
            lambda number: self._attempt(request, number), request.method, target(request)
        )

    async def _attempt(self, request: Request, number: int) -> Any:
        if number > 1:
            self.retries += 1
        async with self._slots:
            started = time.perf_counter()
            outcome = self._outcome(request, number, started, await self._exchange(request))
        if isinstance(outcome, errors.ScreendeskError):
            # The one place every error of an attempt passes: whatever a server echoed into
            # it (aiohttp quotes a bad status line, chunk size or header) loses the tokens.
            raise redact_exception(naming(outcome, request), self._secrets())
        return outcome

    def _outcome(
        self, request: Request, number: int, started: float, answer: Answer | errors.ScreendeskError
    ) -> Any:
        """The decoded body, or the error to raise.

        Returned, not raised: this frame holds the body, which a server may have filled with the
        token it was sent.
        """
        elapsed_ms = (time.perf_counter() - started) * 1000
        if isinstance(answer, errors.ScreendeskError):
            logger.debug(
                "%s %s -> %s in %.1f ms (attempt %d)",
                request.method,
                target(request),
                type(answer).__name__,
                elapsed_ms,
                number,
            )
            return answer
        status, response_headers, body = answer
        logger.debug(
            "%s %s -> %d in %.1f ms (attempt %d)",
            request.method,
            target(request),
            status,
            elapsed_ms,
            number,
        )
        if not 200 <= status < 300:
            error = status_error(request, status, response_headers, body, self._secrets())
            pause = self.retry_policy.pause_for(error, number)
            if pause is not None:
                self._limiter.pause(pause)
            return error
        try:
            return decode_body(request, status, response_headers, body)
        except errors.ResponseDecodeError as exc:
            return exc.with_traceback(None)  # without decode_body's frame, which holds the body

    async def _exchange(self, request: Request) -> Answer | errors.ScreendeskError:
        """One attempt: the request, and the redirects a GET follows.

        Followed by hand, so a body is never replayed elsewhere and credentials never leave
        the origin.
        """
        url = request.url
        for _ in range(C.MAX_REDIRECTS + 1):
            await self._limiter.acquire()  # every hop is a request start
            answer = await self._send_once(request, url)
            if isinstance(answer, errors.ScreendeskError):
                return answer
            status, headers, _ = answer
            hop = next_hop(
                request, url, status, headers, foreign_credentials=self._session_has_credentials()
            )
            if hop is None:
                return answer
            if isinstance(hop, errors.APIStatusError):
                return hop
            url = hop
        return too_many(request, status)

    async def _send_once(self, request: Request, url: URL) -> Answer | errors.ScreendeskError:
        session = self._get_session()
        limit = self._config.max_response_size
        try:
            async with session.request(
                request.method,
                url,
                data=request.body,
                headers=self._headers(request, url),
                allow_redirects=False,
                # Per request, so they hold on a caller's own session too (whose own settings
                # would turn an error status into a connection error, or hand us gzip bytes).
                timeout=self.timeout,
                raise_for_status=False,
                auto_decompress=True,
            ) as response:
                body = await read_body(response, limit)
                if body is None:
                    response.close()  # stop reading: the rest of the body is never fetched
                    return errors.ResponseTooLargeError(
                        f"the response body is larger than max_response_size ({limit} bytes)",
                        limit=limit or 0,
                        status=response.status,
                        method=request.method,
                        path=request.path,
                    )
                return response.status, response.headers, body
        except TimeoutError as exc:
            return errors.APITimeoutError(
                timed_out(exc, self.timeout),
                method=request.method,
                path=request.path,
            )
        except aiohttp.ClientConnectorError as exc:
            return errors.APIConnectionError(
                f"could not connect: {exc}",
                method=request.method,
                path=request.path,
                request_sent=False,
            )
        except aiohttp.ClientError as exc:
            return errors.APIConnectionError(
                f"connection failed: {type(exc).__name__}: {exc}",
                method=request.method,
                path=request.path,
            )

    async def aclose(self) -> None:
        """Close the session if this transport created it. Safe to call more than once."""
        self._closed = True
        session, self._session = self._session, None
        if self._generation != _generation:
            return  # made before fork(): its sockets are the parent's to close
        if session is not None and self._owns_session and not session.closed:
            await session.close()
