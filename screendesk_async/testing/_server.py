"""The fake server: app assembly, start and stop, auth, and the path of every request.

The request log's records are in ``_log``, the threaded runner in ``_thread``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import socket
import ssl
import time
from types import TracebackType
from typing import Any, ParamSpec, Self, TypeVar

import orjson
from aiohttp import hdrs, web

from screendesk_async.testing._faults import FaultKind, Faults, Handler, inject
from screendesk_async.testing._log import RequestRecord, redact_authorization
from screendesk_async.testing._people import UserDirectory
from screendesk_async.testing._recording_store import RecordingStore
from screendesk_async.testing._rest import AUTH_KIND, AuthKind, RestApi, RestOptions, rest_error
from screendesk_async.testing._scim import ScimApi, ScimStore, scim_error

__all__ = ["FakeScreendesk"]

_T = TypeVar("_T")
_P = ParamSpec("_P")
_SCIM_PREFIX = "/api/v2/scim"


def _token(seed: int, kind: str) -> str:
    return f"fake-{kind}-" + hashlib.blake2b(f"{kind}:{seed}".encode(), digest_size=12).hexdigest()


class FakeScreendesk:
    """A fake Screendesk (REST v2 and SCIM) on loopback, with seeded data and switchable faults.

    Use it as ``async with FakeScreendesk() as fake:`` (or ``await fake.start()`` /
    ``await fake.close()``), then point a client at :attr:`url` with :attr:`admin_token`,
    :attr:`member_token` or :attr:`scim_token`. Tokens are derived from ``seed``, so they are
    known before the server starts (and in another process started with the same seed).

    Args:
        recordings: how many recordings the account has (generated on demand: a million
            cost no memory).
        users: how many users (at least 2: user 0 is the owner, an admin; user 1 the member).
        page_size: records per REST page, and the SCIM default ``count``.
        seed: makes the data, tokens and random faults reproducible.
        host, port: where to listen; port 0 picks a free port.
        sock: serve on this bound, listening socket instead of ``host``/``port`` (lets
            several processes share one port).
        ssl_context: serve https with this server-side context.
        scim_users: how many SCIM users to start with (default: the same people as ``users``).
        legacy_spellings, null_pagination_fields, docs_404_body: see :class:`RestOptions`
            (also changeable later through :attr:`options`).
        log_requests: keep :attr:`requests`; turn off for long benchmark runs.
        admin_token, member_token, scim_token: use these tokens instead of derived ones.
    """

    def __init__(
        self,
        *,
        recordings: int = 250,
        users: int = 60,
        page_size: int = 25,
        seed: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
        ssl_context: ssl.SSLContext | None = None,
        sock: socket.socket | None = None,
        scim_users: int | None = None,
        legacy_spellings: bool = False,
        null_pagination_fields: bool = False,
        docs_404_body: bool = False,
        log_requests: bool = True,
        admin_token: str | None = None,
        member_token: str | None = None,
        scim_token: str | None = None,
    ) -> None:
        if page_size < 1:
            raise ValueError("page_size must be >= 1")
        self._directory = UserDirectory(users, seed)
        self._store = RecordingStore(recordings, seed, self._directory)
        #: Dialect switches, changeable while the server runs.
        self.options = RestOptions(
            page_size=page_size,
            legacy_spellings=legacy_spellings,
            null_pagination_fields=null_pagination_fields,
            docs_404_body=docs_404_body,
        )
        self._scim = ScimStore(self._directory, users if scim_users is None else scim_users, seed)
        self._rest_api = RestApi(self._store, self._directory, self.options)
        self._scim_api = ScimApi(self._scim, page_size)
        #: The faults to inject; change them at any time.
        self.faults = Faults(seed)
        #: Every request received, in arrival order (when ``log_requests``).
        self.requests: list[RequestRecord] = []
        #: The most requests that were being handled at the same time.
        self.max_in_flight = 0
        self.admin_token = admin_token or _token(seed, "admin")
        self.member_token = member_token or _token(seed, "member")
        self.scim_token = scim_token or _token(seed, "scim")
        if len({self.admin_token, self.member_token, self.scim_token}) != 3:
            raise ValueError("the admin, member and SCIM tokens must differ")
        self._kinds: dict[str, AuthKind] = {
            self.admin_token: "admin",
            self.member_token: "member",
            self.scim_token: "scim",
        }
        self._log = log_requests
        self._in_flight = 0
        self._host, self._port, self._ssl, self._sock = host, port, ssl_context, sock
        self._runner: web.AppRunner | None = None
        self._url: str | None = None

    # -- lifecycle ------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:54321`` (only while running)."""
        if self._url is None:
            raise RuntimeError("FakeScreendesk is not running; use 'async with' or start()")
        return self._url

    @property
    def scim_url(self) -> str:
        """The SCIM base URL (``{url}/api/v2/scim``)."""
        return self.url + _SCIM_PREFIX

    def app(self) -> web.Application:
        """Build a new aiohttp application serving this fake (for custom runners)."""

        @web.middleware
        async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
            return await self._handle(request, handler)

        app = web.Application(middlewares=[middleware])
        app.add_routes(self._rest_api.routes())
        app.add_routes(self._scim_api.routes())
        return app

    async def start(self) -> None:
        """Start listening; :attr:`url` is set when this returns."""
        if self._runner is not None:
            raise RuntimeError("FakeScreendesk is already running")
        # Short shutdown timeout: a test closing the fake should not wait on slow handlers.
        runner = web.AppRunner(
            self.app(), handle_signals=False, access_log=None, shutdown_timeout=0.1
        )
        await runner.setup()
        try:
            site: web.BaseSite
            if self._sock is not None:
                site = web.SockSite(runner, self._sock, ssl_context=self._ssl)
            else:
                site = web.TCPSite(runner, self._host, self._port, ssl_context=self._ssl)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        host, port = runner.addresses[0][:2]
        host = f"[{host}]" if ":" in host else host
        self._url = f"{'https' if self._ssl else 'http'}://{host}:{port}"

    async def close(self) -> None:
        """Stop listening and close every connection (safe to call twice)."""
        runner, self._runner, self._url = self._runner, None, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- helpers for tests ----------------------------------------------------------------
    @property
    def admin_email(self) -> str:
        """The email of the account owner (the admin token's user)."""
        return self._directory.person(0).email

    @property
    def member_email(self) -> str:
        """The email of the member token's user."""
        return self._directory.person(1).email

    def reset_log(self) -> None:
        """Forget the logged requests and the in-flight high-water mark."""
        self.requests.clear()
        self.max_in_flight = 0

    def recording_count(self, *, member: bool = False) -> int:
        """How many recordings the admin (or the member) sees now."""
        return self._store.count(member=member)

    def recordings_raw(
        self, *, member: bool = False, first_page: int = 1, last_page: int | None = None
    ) -> list[dict[str, Any]]:
        """Return the recordings exactly as the API sends them now, in page order.

        ``first_page``/``last_page`` (inclusive) limit them to some pages, which matters for a
        fake with millions of recordings.
        """
        size = self.options.page_size
        stop = None if last_page is None else last_page * size
        stop = self._store.count(member=member) if stop is None else stop
        indices = self._store.indices((first_page - 1) * size, stop, member=member)
        # A JSON round trip gives the caller its own copy, safe to mutate.
        return [orjson.loads(orjson.dumps(self._store.render(i))) for i in indices]

    def recording_raw(self, uuid: str) -> dict[str, Any] | None:
        """One recording as the API sends it, or None when there is none with that uuid."""
        index = self._store.find(uuid)
        return None if index is None else orjson.loads(orjson.dumps(self._store.render(index)))

    def users_raw(self) -> list[dict[str, Any]]:
        """Every REST user as the API sends them now (honouring ``legacy_spellings``)."""
        legacy = self.options.legacy_spellings
        return [self._directory.render(i, legacy=legacy) for i in range(self._directory.count)]

    def scim_users_raw(self) -> list[dict[str, Any]]:
        """Every SCIM user as stored (single-user form: ``roles`` is an object; no location)."""
        users: list[dict[str, Any]] = orjson.loads(orjson.dumps(list(self._scim.users.values())))
        return users

    def add_recordings(self, n: int, *, at_head: bool = True) -> None:
        """Add ``n`` new recordings at the head (newest, shifting pages) or the tail."""
        self._store.add(n, at_head=at_head)

    def remove_recordings(self, n: int, *, at_head: bool = True) -> None:
        """Delete ``n`` recordings from the head (newest) or the tail (oldest)."""
        self._store.remove(n, at_head=at_head)

    # -- request path ---------------------------------------------------------------------
    def _auth_kind(self, header: str | None) -> AuthKind:
        if header is None:
            return "missing"
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer":
            return "invalid"
        return self._kinds.get(token.strip(), "invalid")

    async def _dispatch(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        scim = request.path == _SCIM_PREFIX or request.path.startswith(_SCIM_PREFIX + "/")
        kind = request[AUTH_KIND]
        if scim and kind != "scim":
            return scim_error(401, "Invalid or missing SCIM token")
        if not scim and kind not in ("admin", "member"):
            return rest_error(401, "Invalid or deactivated access token")
        try:
            return await handler(request)
        except web.HTTPException as exc:
            # The router's 404/405 in the API's own error shape.
            return (
                scim_error(exc.status, exc.reason) if scim else rest_error(exc.status, exc.reason)
            )

    async def _handle(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.monotonic()
        self._in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self._in_flight)
        kind = self._auth_kind(request.headers.get(hdrs.AUTHORIZATION))
        request[AUTH_KIND] = kind
        body: bytes | None = None
        status: int | None = None
        fault: FaultKind | None = None
        try:
            if request.body_exists:
                body = await request.read()
            if self.faults.latency:
                await asyncio.sleep(self.faults.latency)
            fault = self.faults.choose(request.method, request.path)
            dispatch = functools.partial(self._dispatch, handler=handler)
            if fault is None:
                response = await dispatch(request)
            else:
                response = await inject(fault, request, dispatch, self.faults.retry_after)
            if fault != "drop":
                status = response.status
                # Written here, not after returning, so `finished` and the in-flight count
                # cover sending the body too.
                with contextlib.suppress(ConnectionError):
                    await response.prepare(request)
                    await response.write_eof()
            return response
        except Exception:
            status = 500
            raise
        finally:
            self._in_flight -= 1
            if self._log:
                record = RequestRecord(
                    method=request.method,
                    path=request.path,
                    query=tuple(request.query.items()),
                    headers=redact_authorization(request.headers),
                    auth_kind=kind,
                    body=body or None,
                    status=status,
                    started=started,
                    finished=time.monotonic(),
                    fault=fault,
                )
                self.requests.append(record)
