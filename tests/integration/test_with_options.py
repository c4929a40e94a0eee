"""``sd.with_options(timeout=..., max_retries=...)``: per-call settings on the same connections,
slots and rate limiter, counted server-side; what closing a derived client does."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from screendesk_async import AsyncScreendesk, Screendesk, errors
from screendesk_async.testing import FakeScreendesk, ServerThread

from .hostile import client_against, rest_page

pytestmark = pytest.mark.integration

TOKEN = "sd-live-OPTIONS-0123456789"
BOUND = 10  # seconds any one test may take; far above what each needs


@pytest.fixture
async def fake() -> AsyncIterator[FakeScreendesk]:
    async with FakeScreendesk(recordings=60, users=6, page_size=25) as server:
        server.faults.retry_after = "0"  # a 429 is retried at once
        yield server


async def test_the_override_timeout_applies_and_the_originals_stays() -> None:
    release = asyncio.Event()

    async def stalling(request: web.Request) -> web.Response:
        await release.wait()
        return web.json_response(rest_page(int(request.query["page"]), 3))

    async with client_against(stalling, TOKEN, bound=BOUND, max_retries=0) as (server, sd):
        fast = sd.with_options(timeout=0.3)
        patient = asyncio.create_task(sd.recordings.page(1))
        with pytest.raises(errors.APITimeoutError) as caught:
            await fast.recordings.page(2)
        assert "after 0.3 s" in str(caught.value)
        assert not patient.done()  # the original's 30 s still hold for its own call
        release.set()
        assert (await patient).pagination is not None
        assert (sd._transport.config.timeout, fast._transport.config.timeout) == (30.0, 0.3)
    assert server.count() == 2


async def test_the_override_retries_apply_counted_server_side(fake: FakeScreendesk) -> None:
    async with asyncio.timeout(BOUND), AsyncScreendesk(fake.admin_token, base_url=fake.url) as sd:
        once = sd.with_options(max_retries=0)
        fake.faults.fail_next(1, "429")
        with pytest.raises(errors.RateLimitError):
            await once.recordings.page(1)
        assert len(fake.requests) == 1  # no retry
        fake.faults.fail_next(4, "429")
        with pytest.raises(errors.RateLimitError):
            await sd.recordings.page(1)
        assert len(fake.requests) == 1 + 4  # the original's max_retries=3 is unchanged
        twice = once.with_options(max_retries=1)  # derived from a derived one
        fake.faults.fail_next(1, "429")
        assert len((await twice.recordings.page(1)).items) == 25
        assert len(fake.requests) == 1 + 4 + 2
        assert [r.status for r in fake.requests] == [429] * 6 + [200]


async def test_derived_clients_share_the_slots_and_the_connections() -> None:
    release = asyncio.Event()
    in_flight: list[int] = [0, 0]  # now, most at once
    two_in = asyncio.Event()
    peers: list[Any] = []

    async def holding(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername") if request.transport else None)
        in_flight[0] += 1
        in_flight[1] = max(in_flight)
        if in_flight[0] == 2:
            two_in.set()
        try:
            await release.wait()
        finally:
            in_flight[0] -= 1
        return web.json_response(rest_page(int(request.query["page"]), 3))

    async with client_against(holding, TOKEN, bound=BOUND, max_concurrency=2) as (server, sd):
        other = sd.with_options(timeout=20, max_retries=1)
        calls = [sd.recordings.page(1), other.recordings.page(2), other.recordings.page(3)]
        tasks = [asyncio.create_task(call) for call in calls]
        await two_in.wait()
        await asyncio.sleep(0.1)  # time for a third request, were the slots not shared
        assert server.count() == 2
        release.set()
        await asyncio.gather(*tasks)
        assert in_flight[1] == 2
        assert server.count() == 3
        assert other._transport._limiter is sd._transport._limiter
        # One pool: with its connections idle, each client's next call reuses one of them.
        before = set(peers)
        await other.recordings.page(1)
        await sd.recordings.page(2)
        assert set(peers[-2:]) <= before


async def test_closing_a_derived_client_leaves_the_original_open(fake: FakeScreendesk) -> None:
    async with asyncio.timeout(BOUND):
        async with AsyncScreendesk(fake.admin_token, base_url=fake.url) as sd:
            async with sd.with_options(timeout=5) as derived:
                assert len((await derived.recordings.page(1)).items) == 25
            assert derived.closed
            assert not sd.closed
            with pytest.raises(errors.ConfigurationError, match="closed"):
                await derived.recordings.page(1)
            assert len((await sd.recordings.page(2)).items) == 25
            later = sd.with_options(max_retries=0)
        assert sd.closed
        assert later.closed  # closing the original closes what derives from it
        with pytest.raises(errors.ConfigurationError, match="closed"):
            await later.recordings.page(1)
    assert len(fake.requests) == 2


@pytest.mark.parametrize(
    "bad",
    [
        {"timeout": 0},
        {"timeout": -1.0},
        {"timeout": float("nan")},
        {"timeout": "5"},
        {"max_retries": -1},
        {"max_retries": 1.5},
        {"max_retries": True},
    ],
)
async def test_a_bad_override_raises_before_any_request(
    fake: FakeScreendesk, bad: dict[str, Any]
) -> None:
    async with AsyncScreendesk(fake.admin_token, base_url=fake.url) as sd:
        with pytest.raises(ValueError, match=next(iter(bad))):
            sd.with_options(**bad)
        same = sd.with_options()
        assert same._transport.config == sd._transport.config
        assert (same.base_url, same.scim_base_url) == (sd.base_url, sd.scim_base_url)
    assert fake.requests == []


def test_the_sync_client_derives_on_the_same_loop_thread() -> None:
    with (
        ServerThread(FakeScreendesk(recordings=60, page_size=25)) as fake,
        Screendesk(fake.admin_token, base_url=fake.url) as sd,
    ):
        fake.faults.retry_after = "0"
        threads = threading.active_count()
        once = sd.with_options(max_retries=0, timeout=5)
        assert isinstance(once, Screendesk)
        assert threading.active_count() == threads  # no loop thread of its own
        fake.faults.fail_next(1, "429")
        with pytest.raises(errors.RateLimitError):  # a retry would have got a 200
            once.recordings.page(1)
        assert len(list(once.recordings.list())) == 60
        with once:  # leaving it closes the derived client only
            assert len(once.users.page(1).items) == 25
        assert once.closed
        assert not sd.closed
        with pytest.raises(errors.ConfigurationError, match="closed"):
            once.recordings.page(1)
        assert len(sd.recordings.page(1).items) == 25
    assert once.closed
    # Counted once the server has stopped: it logs a request after answering it.
    assert [r.status for r in fake.requests] == [429] + [200] * 5
