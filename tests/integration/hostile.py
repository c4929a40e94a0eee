"""Hand-written hostile servers on loopback, for tests/integration/test_hostile*.py.

Each server answers every request with one handler and logs what it received, so a test can
count the requests that reached the wire (aiohttp's own re-sends included).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import ssl
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiohttp import web

from screendesk_async import AsyncScreendesk, errors
from screendesk_async.export import export

from ..loopback import in_a_thread, serve_app

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

RECORDING_UUID = "00000000-0000-4000-8000-{:012d}"


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    query: dict[str, str]
    authorization: str | None
    body: bytes


@dataclass
class Hostile:
    """A running hostile server: its base URL and the requests it received."""

    url: str
    seen: list[Seen] = field(default_factory=list)

    def count(self, method: str | None = None) -> int:
        """Requests received (of ``method``, when given)."""
        return len([s for s in self.seen if method is None or s.method == method])


def _app(handler: Handler, hostile: list[Hostile]) -> web.Application:
    async def logged(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        hostile[0].seen.append(
            Seen(
                request.method,
                request.path,
                dict(request.query),
                request.headers.get("Authorization"),
                body,
            )
        )
        return await handler(request)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", logged)
    return app


@contextlib.asynccontextmanager
async def serve(
    handler: Handler, *, host: str = "127.0.0.1", ssl_context: ssl.SSLContext | None = None
) -> AsyncIterator[Hostile]:
    """Run ``handler`` on a loopback port of this loop; yields the :class:`Hostile` server."""
    box: list[Hostile] = []
    async with serve_app(_app(handler, box), host=host, ssl_context=ssl_context) as url:
        box.append(Hostile(url))
        yield box[0]


def serve_in_thread(handler: Handler) -> contextlib.AbstractContextManager[Hostile]:
    """:func:`serve` on a loop of its own thread, for sync clients and the CLI."""
    return in_a_thread(lambda: serve(handler))


@contextlib.asynccontextmanager
async def client_against(
    handler: Handler, token: str, *, bound: float, scim: bool = False, **options: Any
) -> AsyncIterator[tuple[Hostile, AsyncScreendesk]]:
    """Within ``bound`` seconds: ``handler`` served, and a client of it; yields both.

    The client's REST base URL is the server, or with ``scim`` its SCIM base URL (``token`` is
    then the SCIM token too); ``options`` are the client's other arguments.
    """
    async with asyncio.timeout(bound), serve(handler) as server:
        where: dict[str, Any] = {"base_url": server.url}
        if scim:
            where = {"scim_token": token, "scim_base_url": server.url}
        async with AsyncScreendesk(token, **where, **options) as sd:
            yield server, sd


def json_response(
    data: Any, status: int = 200, content_type: str = "application/json", **headers: str
) -> web.Response:
    """``data`` as a JSON answer."""
    return web.Response(
        status=status, body=orjson.dumps(data), content_type=content_type, headers=headers
    )


def recording(n: int) -> dict[str, Any]:
    """A minimal recording, numbered ``n``."""
    return {"uuid": RECORDING_UUID.format(n), "title": f"recording {n}"}


def rest_page(number: int, pages: int, per_page: int = 25) -> dict[str, Any]:
    """Page ``number`` of ``pages`` of recordings, as the docs describe it."""
    first = (number - 1) * per_page
    pagination: dict[str, Any] = {
        "count": pages * per_page,
        "page": number,
        "items": per_page,
        "pages": pages,
        "last_page": pages,
        "from": first + 1,
        "to": first + per_page,
    }
    if number < pages:
        pagination["next_page"] = number + 1
    if number > 1:
        pagination["prev_page"] = number - 1
    return {
        "pagination": pagination,
        "records": [recording(first + i) for i in range(per_page)],
    }


def assert_cli_export_fails(
    handler: Handler, token: str, said: str, output: Path
) -> subprocess.CompletedProcess[str]:
    """``screendesk export recordings -o OUTPUT`` in a second process, against ``handler``, fails
    with exit status 1 and one line on stderr saying ``said``, without ``token``; returns it.
    """
    with serve_in_thread(handler) as server:
        env = {**os.environ, "SCREENDESK_API_TOKEN": token, "SCREENDESK_BASE_URL": server.url}
        done = subprocess.run(
            [sys.executable, "-m", "screendesk_async", "export", "recordings", "-o", str(output)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 1, done.stderr[-500:]
    assert done.stderr.count("\n") == 1, done.stderr[-500:]
    assert said in done.stderr
    assert "Traceback" not in done.stderr
    assert token not in done.stdout + done.stderr
    return done


async def assert_scim_listing_fails(
    handler: Handler, token: str, said: str, output: Path, *, bound: float = 20
) -> None:
    """SCIM ``list()`` and the SCIM export against ``handler`` raise ``ResponseDecodeError``."""
    async with client_against(handler, token, bound=bound, scim=True, max_retries=0) as (_, sd):
        with pytest.raises(errors.ResponseDecodeError, match=said):
            _ = [u async for u in sd.scim.users.list()]
        with pytest.raises(errors.ResponseDecodeError, match=said):
            await export(sd, "scim-users", output)
