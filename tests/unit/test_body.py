"""Reading a body under its cap (``_body.read_body``), against a server on loopback."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from screendesk_async import _constants as C
from screendesk_async._body import read_body

from ..loopback import serve_app

BIG = b"x" * (3 * C.READ_CHUNK_SIZE)


async def _plain(_: web.Request) -> web.Response:
    return web.Response(body=BIG)


async def _chunked(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse()
    response.enable_chunked_encoding()
    await response.prepare(request)
    for _ in range(3):
        await response.write(b"x" * C.READ_CHUNK_SIZE)
    await response.write_eof()
    return response


async def _gzip(_: web.Request) -> web.Response:
    return web.Response(body=gzip.compress(BIG), headers={"Content-Encoding": "gzip"})


@pytest.fixture
async def base() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_get("/plain", _plain)
    app.router.add_get("/chunked", _chunked)
    app.router.add_get("/gzip", _gzip)
    async with serve_app(app) as url:
        yield url


@pytest.mark.parametrize("path", ["/plain", "/chunked", "/gzip"])
@pytest.mark.parametrize(
    ("limit", "whole"), [(None, True), (len(BIG), True), (len(BIG) - 1, False), (1, False)]
)
async def test_a_body_is_whole_within_the_cap_and_refused_past_it(
    base: str, path: str, limit: int | None, whole: bool
) -> None:
    async with aiohttp.ClientSession() as session, session.get(base + path) as response:
        body = await read_body(response, limit)
    assert body == (BIG if whole else None)
