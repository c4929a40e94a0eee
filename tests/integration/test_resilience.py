"""Retries, shared limits, faults, secrets and cancellation, through the real transport."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from screendesk_async import AsyncScreendesk, errors
from screendesk_async._request import Request, build_url, encode_json
from screendesk_async._retry import RetryPolicy
from screendesk_async.testing import FakeScreendesk

from ..loopback import free_port, serve_app

pytestmark = pytest.mark.integration


def retries(client: AsyncScreendesk, max_retries: int = 3) -> None:
    """The production policy with short waits, so fault runs finish in seconds."""
    client._transport.retry_policy = RetryPolicy(
        max_retries=max_retries, initial_backoff=0.01, max_backoff=0.05
    )


def max_starts_per_second(fake: FakeScreendesk) -> int:
    starts = sorted(r.started for r in fake.requests)
    best, low = 0, 0
    for high, start in enumerate(starts):
        while start - starts[low] >= 1.0:
            low += 1
        best = max(best, high - low + 1)
    return best


async def test_faults_at_20_percent_lose_and_duplicate_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with FakeScreendesk(recordings=2000, page_size=100, seed=7) as fake:
        fake.faults.rate = 0.2
        fake.faults.retry_after = "0.05"
        fake.faults.latency = 0.005
        async with AsyncScreendesk(fake.admin_token, base_url=fake.url, max_concurrency=8) as sd:
            retries(sd, max_retries=8)
            started = time.perf_counter()
            got = [r.uuid async for r in sd.recordings.list(concurrency=8)]
            elapsed = time.perf_counter() - started
            expected = [r["uuid"] for r in fake.recordings_raw()]
            faults = sum(1 for r in fake.requests if r.fault)
            with capsys.disabled():
                print(
                    f"\n[fault run] expected={len(expected)} received={len(got)} "
                    f"duplicated={len(got) - len(set(got))} requests={len(fake.requests)} "
                    f"faults={faults} retries={sd.retries} max_in_flight={fake.max_in_flight} "
                    f"elapsed={elapsed:.2f}s"
                )
    assert got == expected
    assert faults > 0
    # aiohttp itself re-sends an idempotent request once when a reused connection drops, so
    # only the other faults are sure to cost one of our retries each.
    assert sd.retries >= sum(1 for r in fake.requests if r.fault and r.fault != "drop")
    assert fake.max_in_flight <= 8


async def test_rate_limit_is_never_exceeded_in_any_second() -> None:
    async with (
        FakeScreendesk(recordings=100, page_size=2) as fake,
        AsyncScreendesk(
            fake.admin_token, base_url=fake.url, rate_limit=20, max_concurrency=8
        ) as sd,
    ):
        started = time.perf_counter()
        pages = await asyncio.gather(*(sd.recordings.page(n % 50 + 1) for n in range(45)))
        elapsed = time.perf_counter() - started
    assert len(pages) == 45
    assert max_starts_per_second(fake) <= 20
    assert elapsed >= 2.0  # 45 starts at 20/s, evenly spaced: no burst at the start


async def test_a_429_slows_the_whole_client(fake: FakeScreendesk, sd: AsyncScreendesk) -> None:
    fake.faults.retry_after = "0.4"
    fake.faults.fail_next(1, "429")
    first = asyncio.create_task(sd.recordings.page(1))
    # Wait until the client has read the 429 (its limiter is paused), not only until the fake
    # logged it: on a loaded machine the client may take a while to read the response.
    limiter = sd._transport._limiter
    while limiter._paused_until <= asyncio.get_running_loop().time():  # noqa: ASYNC110
        await asyncio.sleep(0.005)
    limited = fake.requests[0]
    assert limited.status == 429
    await sd.recordings.page(2)  # another call of the same client, after the 429 arrived
    await first
    later = [r for r in fake.requests[1:]]
    assert len(later) == 2
    assert all(r.started >= limited.finished + 0.35 for r in later)


async def test_retry_after_over_the_cap_raises_at_once(
    fake: FakeScreendesk, sd: AsyncScreendesk
) -> None:
    fake.faults.retry_after = "120"
    fake.faults.fail_next(1, "429")
    started = time.perf_counter()
    with pytest.raises(errors.RateLimitError) as caught:
        await sd.recordings.page(1)
    assert time.perf_counter() - started < 10.0  # not the 120 s asked for
    assert caught.value.retry_after == 120.0
    assert len(fake.requests) == 1


async def test_max_retries_counts_retries(fake: FakeScreendesk) -> None:
    for max_retries, attempts in ((0, 1), (2, 3)):
        fake.reset_log()
        fake.faults.fail_next(10, "500")
        async with AsyncScreendesk(
            fake.admin_token, base_url=fake.url, max_retries=max_retries
        ) as sd:
            retries(sd, max_retries)
            with pytest.raises(errors.InternalServerError):
                await sd.recordings.page(1)
        assert len(fake.requests) == attempts
        fake.faults.clear()


def scim_create(sd: AsyncScreendesk, user_name: str) -> Request:
    payload = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": user_name}
    return Request(
        method="POST",
        url=build_url(sd.scim_base_url, ["Users"]),
        api="scim",
        body=encode_json(payload),
        expect=frozenset({201}),
    )


async def test_post_is_never_replayed_after_a_5xx(
    fake: FakeScreendesk, sd: AsyncScreendesk
) -> None:
    retries(sd)
    fake.faults.fail_next(1, "500", method="POST")
    with pytest.raises(errors.InternalServerError):
        await sd._transport.request(scim_create(sd, "once@example.com"))
    assert [r.method for r in fake.requests] == ["POST"]
    fake.reset_log()
    fake.faults.fail_next(1, "drop", method="POST")
    with pytest.raises(errors.APIConnectionError):
        await sd._transport.request(scim_create(sd, "dropped@example.com"))
    assert [r.method for r in fake.requests] == ["POST"]


async def test_post_is_retried_after_a_429(fake: FakeScreendesk, sd: AsyncScreendesk) -> None:
    retries(sd)
    fake.faults.retry_after = "0.01"
    fake.faults.fail_next(1, "429", method="POST")
    created = await sd._transport.request(scim_create(sd, "limited@example.com"))
    assert created["userName"] == "limited@example.com"
    assert [r.status for r in fake.requests] == [429, 201]


async def test_post_is_retried_when_the_connection_was_refused(
    caplog: pytest.LogCaptureFixture,
) -> None:
    port = free_port()
    async with AsyncScreendesk(
        "t", scim_token="s", base_url=f"http://127.0.0.1:{port}", max_retries=2
    ) as sd:
        retries(sd, 2)
        with (
            caplog.at_level(logging.INFO, "screendesk_async"),
            pytest.raises(errors.APIConnectionError) as caught,
        ):
            await sd._transport.request(scim_create(sd, "x@example.com"))
    assert caught.value.request_sent is False
    assert len([r for r in caplog.records if "retrying POST" in r.getMessage()]) == 2


async def test_no_authorization_header_on_a_redirect_to_another_host() -> None:
    seen: list[dict[str, str]] = []

    async def target(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        return web.json_response({"pagination": {"pages": 1}, "records": []})

    other = web.Application()
    other.router.add_get("/api/v2/recordings", target)
    async with serve_app(other, host="127.0.0.2") as other_url:

        async def redirect(request: web.Request) -> web.Response:
            if request.query.get("same"):
                raise web.HTTPFound("/api/v2/recordings?page=1&hop=1")
            if request.query.get("hop"):
                seen.append(dict(request.headers))
                return web.json_response({"pagination": {"pages": 1}, "records": []})
            raise web.HTTPFound(f"{other_url}/api/v2/recordings?page=1")

        origin = web.Application()
        origin.router.add_get("/api/v2/recordings", redirect)
        async with (
            serve_app(origin) as origin_url,
            AsyncScreendesk("secret-token-1", base_url=origin_url) as sd,
        ):
            await sd.recordings.page(1)
            assert len(seen) == 1
            assert "Authorization" not in seen[0]  # another host: credentials dropped
            await sd.recordings._send(
                sd.recordings._request("GET", ("recordings",), query={"same": 1})
            )
    assert seen[1].get("Authorization") == "Bearer secret-token-1"  # same origin keeps it


async def test_logs_one_line_per_request_and_per_retry_without_secrets(
    fake: FakeScreendesk, caplog: pytest.LogCaptureFixture
) -> None:
    async with AsyncScreendesk(fake.admin_token, base_url=fake.url) as sd:
        retries(sd)
        fake.faults.fail_next(1, "503")
        with caplog.at_level(logging.DEBUG, "screendesk_async"):
            await sd.recordings.page(1)
            with pytest.raises(errors.NotFoundError):
                await sd.recordings.get("00000000-0000-4000-8000-000000000000")
    ours = [r for r in caplog.records if r.name == "screendesk_async"]
    requests = [r.getMessage() for r in ours if r.levelno == logging.DEBUG]
    assert requests[0].startswith("GET /api/v2/recordings?page=1 -> 503 in ")
    assert requests[0].endswith("(attempt 1)")
    assert requests[1].startswith("GET /api/v2/recordings?page=1 -> 200 in ")
    assert requests[2].startswith(
        "GET /api/v2/recordings/00000000-0000-4000-8000-000000000000 -> 404"
    )
    retried = [r.getMessage() for r in ours if r.levelno == logging.INFO]
    assert len(retried) == 1
    assert "retrying GET /api/v2/recordings?page=1 in" in retried[0]
    assert "503" in retried[0]
    assert fake.admin_token not in caplog.text


async def drain(iterator: AsyncIterator[object]) -> int:
    return len([item async for item in iterator])


async def test_cancellation_propagates_and_leaves_nothing_behind(fake: FakeScreendesk) -> None:
    fake.faults.latency = 0.5
    async with AsyncScreendesk(fake.admin_token, base_url=fake.url) as sd:
        await asyncio.sleep(0)
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.1):
                await sd.recordings.page(1)
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(drain(sd.recordings.list(concurrency=4)), 0.1)
        session = sd._transport._session
        assert session is not None
        connector = session.connector
        assert connector is not None
        assert not connector._acquired  # no connection held by a cancelled request
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        assert not [t for t in others if "screendesk_async" in repr(t.get_coro())]
    fake.faults.latency = 0
    async with AsyncScreendesk(fake.admin_token, base_url=fake.url) as sd:
        assert len(await sd.recordings.page(1)) == 25  # the fake and a new client are fine


async def test_token_never_in_errors_reprs_or_logs(
    fake: FakeScreendesk, caplog: pytest.LogCaptureFixture
) -> None:
    token = "sd-live-TOPSECRET-123"
    async with AsyncScreendesk(
        token, scim_token="scim-TOPSECRET", base_url=fake.url, max_retries=0
    ) as sd:
        with caplog.at_level(logging.DEBUG), pytest.raises(errors.AuthenticationError) as caught:
            await sd.recordings.page(1)
        fake.faults.fail_next(2, "drop")  # aiohttp itself re-sends a dropped GET once
        with caplog.at_level(logging.DEBUG), pytest.raises(errors.APIConnectionError) as dropped:
            await sd.recordings.page(1)
    texts = [repr(sd), str(sd), repr(sd._transport.config), caplog.text]
    for exc in (caught.value, dropped.value):
        texts += [str(exc), repr(exc), repr(exc.args), repr(vars(exc))]
        assert exc.__cause__ is None
        assert exc.__context__ is None
    assert not [t for t in texts if "TOPSECRET" in t]


async def test_unknown_connection_error_is_mapped(monkeypatch: pytest.MonkeyPatch) -> None:
    async with AsyncScreendesk("t", base_url="http://127.0.0.1:9") as sd:
        retries(sd, 0)

        def boom(*args: object, **kwargs: object) -> None:
            raise aiohttp.ClientPayloadError("broken body")

        monkeypatch.setattr(aiohttp.ClientSession, "request", boom)
        with pytest.raises(errors.APIConnectionError, match="ClientPayloadError"):
            await sd.recordings.page(1)
