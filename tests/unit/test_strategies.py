"""Each pagination strategy against a loopback server shaped like its reference document.

The servers follow ``../shared/reference/users-api-*.txt``: 0-based ``page`` + ``size``
(iot-platform), ``limit`` + ``offset`` with ``count``/``next``/``results`` (posthog), and
``limit`` + ``cursor`` with ``links.next`` in a ``{success, result, errors, links}`` envelope
(vidbeo). Every listing answers its first request of each page with a 429 and ``Retry-After: 0``,
which the real transport retries.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web

from screendesk_async import AsyncScreendesk, errors
from screendesk_async._pagination import RawPage
from screendesk_async._request import Request, build_url
from screendesk_async._retry import RetryPolicy
from screendesk_async._strategies import (
    CursorPages,
    LimitOffsetPages,
    Query,
    Strategy,
    ZeroBasedPages,
    paged,
)

pytestmark = pytest.mark.integration

#: Seconds any one test may take (a hung listing fails instead of stalling the suite).
BOUND = 10

USERS = [{"id": f"u{i:03}", "email": f"user{i}@example.com"} for i in range(23)]


class Vendor:
    """A users endpoint over ``USERS``; each distinct query is refused once with a 429."""

    def __init__(self, shape: Callable[[web.Request], dict[str, Any]]) -> None:
        self.shape = shape
        self.seen: set[str] = set()
        self.queries: list[dict[str, str]] = []
        self.override: dict[str, Any] | None = None

    async def handle(self, request: web.Request) -> web.Response:
        if request.query_string not in self.seen:
            self.seen.add(request.query_string)
            return web.json_response(
                {"error": "slow down"}, status=429, headers={"Retry-After": "0"}
            )
        self.queries.append(dict(request.query))
        return web.json_response(self.override or self.shape(request))


def iot(request: web.Request) -> dict[str, Any]:
    page, size = int(request.query["page"]), int(request.query["size"])
    chunk = USERS[page * size : (page + 1) * size]
    return {"data": chunk, "totalElements": len(USERS), "hasNext": (page + 1) * size < len(USERS)}


def posthog(request: web.Request) -> dict[str, Any]:
    limit, offset = int(request.query["limit"]), int(request.query["offset"])
    following = offset + limit < len(USERS)
    return {
        "count": len(USERS),
        "next": f"/api/users?limit={limit}&offset={offset + limit}" if following else None,
        "previous": None,
        "results": USERS[offset : offset + limit],
    }


def vidbeo(request: web.Request) -> dict[str, Any]:
    limit = int(request.query["limit"])
    start = int(request.query.get("cursor", "c0")[1:])
    following = start + limit < len(USERS)
    return {
        "success": True,
        "result": USERS[start : start + limit],
        "links": {"next": f"https://api.vidbeo.test/v2/users?limit={limit}&cursor=c{start + limit}"}
        if following
        else {},
        "errors": [],
    }


@contextlib.asynccontextmanager
async def serve(vendor: Vendor) -> AsyncIterator[Callable[[Query], Any]]:
    app = web.Application()
    app.router.add_get("/users", vendor.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    base = f"http://127.0.0.1:{port}"
    transport = AsyncScreendesk("token", base_url=base)._transport
    transport.retry_policy = RetryPolicy(max_retries=2, initial_backoff=0.001)

    async def fetch(query: Query) -> RawPage:
        page: RawPage = await transport.request(
            Request(method="GET", url=build_url(base, ("users",), query))
        )
        return page

    try:
        async with asyncio.timeout(BOUND):
            yield fetch
    finally:
        await transport.aclose()
        await runner.cleanup()


async def read(vendor: Vendor, strategy: Strategy, concurrency: int = 3) -> list[dict[str, Any]]:
    async with serve(vendor) as fetch:
        return [
            item
            for page in [p async for p in paged(fetch, strategy, concurrency)]
            for item in strategy.items(page)
        ]


async def test_zero_based_pages_with_total_fetch_the_rest_concurrently() -> None:
    vendor = Vendor(iot)
    strategy = ZeroBasedPages(items_key="data", size=5, total_key="totalElements")
    assert await read(vendor, strategy) == USERS
    assert sorted(int(q["page"]) for q in vendor.queries) == [0, 1, 2, 3, 4]
    assert {q["size"] for q in vendor.queries} == {"5"}


async def test_zero_based_pages_without_total_stop_at_a_short_page() -> None:
    vendor = Vendor(iot)
    assert await read(vendor, ZeroBasedPages(items_key="data", size=10)) == USERS
    assert [q["page"] for q in vendor.queries] == ["0", "1", "2"]


async def test_zero_based_pages_of_an_exact_multiple_end_on_an_empty_page() -> None:
    vendor = Vendor(iot)
    got = await read(vendor, ZeroBasedPages(items_key="data", size=23))
    assert got == USERS
    assert [q["page"] for q in vendor.queries] == ["0", "1"]


async def test_limit_offset_reads_every_offset_once() -> None:
    vendor = Vendor(posthog)
    assert await read(vendor, LimitOffsetPages(limit=4)) == USERS
    assert sorted(int(q["offset"]) for q in vendor.queries) == list(range(0, 23, 4))
    assert {q["limit"] for q in vendor.queries} == {"4"}


async def test_limit_offset_without_count_follows_next() -> None:
    def no_count(request: web.Request) -> dict[str, Any]:
        body = posthog(request)
        del body["count"]
        return body

    vendor = Vendor(no_count)
    assert await read(vendor, LimitOffsetPages(limit=6)) == USERS
    assert [q["offset"] for q in vendor.queries] == ["0", "6", "12", "18"]


async def test_cursor_follows_links_next_in_order() -> None:
    vendor = Vendor(vidbeo)
    assert await read(vendor, CursorPages(limit=5), concurrency=8) == USERS
    assert [q.get("cursor") for q in vendor.queries] == [None, "c5", "c10", "c15", "c20"]
    # The link's host is never contacted: only its cursor is read.
    assert all(set(q) <= {"limit", "cursor"} for q in vendor.queries)


@pytest.mark.parametrize(
    ("strategy", "body", "message"),
    [
        (CursorPages(), {"success": False, "result": None, "errors": ["boom"]}, "no success"),
        (CursorPages(), {"success": True, "result": {"id": "x"}, "errors": []}, "'result'"),
        (
            CursorPages(),
            {"success": True, "result": [{"id": "x"}], "links": {"next": "/users?limit=1"}},
            "no 'cursor'",
        ),
        (LimitOffsetPages(), {"count": 3, "results": None}, "'results'"),
        (ZeroBasedPages(), {"data": [1, 2]}, "'data'"),
    ],
)
async def test_a_page_not_of_the_documented_shape_raises(
    strategy: Strategy, body: dict[str, Any], message: str
) -> None:
    vendor = Vendor(iot)
    vendor.override = body
    with pytest.raises(errors.ResponseDecodeError, match=message):
        await read(vendor, strategy)


async def test_a_cursor_pointing_back_raises_instead_of_looping() -> None:
    def loop(request: web.Request) -> dict[str, Any]:
        return {"success": True, "result": [USERS[0]], "links": {"next": "/users?cursor=same"}}

    with pytest.raises(errors.ResponseDecodeError, match="already read"):
        await read(Vendor(loop), CursorPages(limit=1))


async def test_closing_early_cancels_the_window() -> None:
    vendor = Vendor(iot)
    strategy = ZeroBasedPages(items_key="data", size=2, total_key="totalElements")
    async with serve(vendor) as fetch:
        pages = paged(fetch, strategy, 3)
        first = await anext(pages)
        await pages.aclose()  # type: ignore[attr-defined]
        await asyncio.sleep(0)
    assert strategy.items(first) == USERS[:2]
    assert len(vendor.queries) <= 4  # the first page and at most one window


@pytest.mark.parametrize(
    "make",
    [
        lambda: ZeroBasedPages(size=0),
        lambda: LimitOffsetPages(limit=-1),
        lambda: CursorPages(limit=True),
    ],
)
def test_bad_sizes_are_refused(make: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match=">= 1"):
        make()
