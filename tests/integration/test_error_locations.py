"""Every transport error, and every ``-v`` log line, says which request: method, path, query."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson
import pytest
from aiohttp import web

from screendesk_async import AsyncScreendesk, errors
from screendesk_async._logging import LOGGER_NAME
from screendesk_async._retry import RetryPolicy
from screendesk_async.testing import FakeScreendesk, ServerThread
from tests.cli.test_cli_options import bare

from ..loopback import free_port
from .hostile import client_against, rest_page, serve_in_thread

pytestmark = pytest.mark.integration

TOKEN = "sd-live-WHERE-0123456789"
BOUND = 10  # seconds any one test may take; far above what each needs
UUID = "00000000-0000-4000-8000-000000000001"


def stalling(release: asyncio.Event | None = None) -> Any:
    async def handler(request: web.Request) -> web.Response:
        if release is None:
            await asyncio.sleep(BOUND)
        else:
            await release.wait()
        return web.json_response(rest_page(1, 1))

    return handler


async def test_a_timeout_names_the_request_and_the_limit() -> None:
    release = asyncio.Event()
    async with client_against(
        stalling(release), TOKEN, bound=BOUND, timeout=0.5, max_retries=0
    ) as (_, sd):
        try:
            with pytest.raises(errors.APITimeoutError) as caught:
                await sd.recordings.page(3)
        finally:
            release.set()
    message = str(caught.value)
    assert message.startswith("GET /api/v2/recordings?page=3: "), message
    assert "timed out" in message
    assert "0.5 s" in message
    assert TOKEN not in message + repr(caught.value)
    assert (caught.value.method, caught.value.path) == ("GET", "/api/v2/recordings")
    assert caught.value.query == "page=3"


async def test_a_refused_connection_names_the_request() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    async with asyncio.timeout(BOUND), AsyncScreendesk(TOKEN, base_url=url, max_retries=0) as sd:
        with pytest.raises(errors.APIConnectionError) as caught:
            await sd.users.page(2)
    message = str(caught.value)
    assert message.startswith("GET /api/v2/users?page=2: could not connect"), message
    assert not caught.value.request_sent


async def test_status_and_decode_errors_name_the_query_too() -> None:
    async def handler(request: web.Request) -> web.Response:
        if request.path.endswith("/search"):
            return web.json_response(
                {"error": {"message": "no such user", "code": 404}}, status=404
            )
        return web.Response(text="<html>maintenance</html>", content_type="text/html")

    async with client_against(handler, TOKEN, bound=BOUND, max_retries=0) as (_, sd):
        with pytest.raises(errors.NotFoundError) as missing:
            await sd.users.search("ada+x@example.com")
        with pytest.raises(errors.ResponseDecodeError) as undecodable:
            await sd.recordings.get(UUID)
    assert str(missing.value) == (
        "404: no such user (GET /api/v2/users/search?email=ada%2Bx%40example.com)"
    )
    assert str(undecodable.value) == (
        f"GET /api/v2/recordings/{UUID}: expected a JSON response, got 'text/html'"
    )


async def test_log_lines_carry_the_query_string(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER_NAME)
    async with (
        asyncio.timeout(BOUND),
        FakeScreendesk(recordings=60, page_size=25) as fake,
        AsyncScreendesk(fake.admin_token, base_url=fake.url) as sd,
    ):
        fake.faults.fail_next(1, "503")
        sd._transport.retry_policy = RetryPolicy(max_retries=3, initial_backoff=0.01)
        assert len([r async for r in sd.recordings.list(concurrency=1)]) == 60
        token = fake.admin_token
    messages = [record.getMessage() for record in caplog.records]
    sent = [m for m in messages if m.startswith("GET /api/v2/recordings?page=")]
    assert {m.split(" ")[1] for m in sent} == {f"/api/v2/recordings?page={n}" for n in (1, 2, 3)}
    assert any(m.startswith("retrying GET /api/v2/recordings?page=1 in ") for m in messages)
    assert token not in caplog.text


def test_the_cli_verbose_log_tells_the_pages_apart() -> None:
    with ServerThread(FakeScreendesk(recordings=60, page_size=25)) as fake:
        where = ("--base-url", fake.url, "--token", fake.admin_token)
        code, out, err = bare("-v", "recordings", "list", "--pages", "1-2", *where)
    assert code == 0, err
    assert len(out.splitlines()) == 50
    for page in (1, 2):
        assert f"GET /api/v2/recordings?page={page} -> 200 in " in err
    assert fake.admin_token not in err


def test_the_cli_timeout_error_names_the_request() -> None:
    with serve_in_thread(stalling()) as server:
        where = ("--base-url", server.url, "--token", TOKEN, "--max-retries", "0")
        code, out, err = bare("recordings", "list", "--pages", "3", "--timeout", "0.5", *where)
    assert (code, out) == (1, "")
    (line,) = err.splitlines()
    assert line.startswith("screendesk: error: GET /api/v2/recordings?page=3: "), line
    assert "timed out after 0.5 s" in line
    assert TOKEN not in err
    assert orjson.dumps(line)  # one plain line, no traceback
