"""A server that echoes the token outside an error body: in the status line, a chunk size, a
Content-Length, a Content-Type, a SCIM ``scimType``. Every exception the client raises, every
attribute of it, and the CLI's stderr stay free of it.

The malformed answers are written on a raw socket (aiohttp's server cannot send them); every
test is bounded by ``asyncio.timeout`` or a join timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson
import pytest
from aiohttp import web

from screendesk_async import AsyncScreendesk, errors
from screendesk_async.cli import main

from ..loopback import in_a_thread
from .hostile import serve

pytestmark = pytest.mark.integration

TOKEN = "sd-live-LEAKY-0123456789abcdef"
SCIM_TOKEN = "scim-LEAKY-fedcba9876543210"
BOUND = 10
UUID = "00000000-0000-4000-8000-000000000001"

#: Raw answers, each built from the bearer token the request carried.
RAW: dict[str, Callable[[bytes], bytes]] = {
    "status code": lambda t: b"HTTP/1.1 2x0 " + t + b"\r\nContent-Length: 0\r\n\r\n",
    "status line": lambda t: t + b"\r\n\r\n",
    "chunk size": lambda t: (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
        b"Content-Type: application/json\r\n\r\n" + t + b"\r\n"
    ),
    "content length": lambda t: b"HTTP/1.1 200 OK\r\nContent-Length: " + t + b"\r\n\r\n",
    "content type": lambda t: (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/" + t + b"\r\nContent-Length: 2\r\n\r\n{}"
    ),
}


def _answer(mode: str) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], Any]:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = await reader.read(4096)
            if not chunk:
                break
            head += chunk
        token = b"none"
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"authorization:"):
                token = line.rsplit(b" ", 1)[-1]
        writer.write(RAW[mode](token))
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        writer.close()

    return handle


@contextlib.asynccontextmanager
async def raw_server(mode: str) -> AsyncIterator[str]:
    server = await asyncio.start_server(_answer(mode), "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()


def raw_server_in_thread(mode: str) -> contextlib.AbstractContextManager[str]:
    return in_a_thread(lambda: raw_server(mode))


def every_text(exc: BaseException) -> list[str]:
    """``str``, ``repr``, the args and every attribute of ``exc``, as text."""
    texts = [str(exc), repr(exc), repr(exc.args)]
    texts += [f"{name}={value!r}" for name, value in vars(exc).items()]
    return texts


def assert_clean(exc: BaseException) -> None:
    for text in every_text(exc):
        assert TOKEN not in text, text
        assert SCIM_TOKEN not in text, text


@pytest.mark.parametrize("mode", sorted(RAW))
async def test_a_token_echoed_outside_the_body_is_in_no_exception(mode: str) -> None:
    async with (
        asyncio.timeout(BOUND),
        raw_server(mode) as url,
        AsyncScreendesk(TOKEN, base_url=url, max_retries=0) as sd,
    ):
        with pytest.raises(errors.ScreendeskError) as caught:
            await sd.recordings.get(UUID)
    assert isinstance(caught.value, errors.APIConnectionError | errors.ResponseDecodeError)
    assert_clean(caught.value)
    assert "***" in str(caught.value)  # redacted, not dropped: the message still shows where


async def test_a_scim_type_that_echoes_the_token_is_redacted() -> None:
    async def echoing(request: web.Request) -> web.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        body = {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "detail": "no",
            "status": "401",
            "scimType": token,
        }
        return web.Response(status=401, body=orjson.dumps(body), content_type="application/json")

    async with (
        asyncio.timeout(BOUND),
        serve(echoing) as server,
        AsyncScreendesk(TOKEN, scim_token=SCIM_TOKEN, base_url=server.url) as sd,
    ):
        with pytest.raises(errors.AuthenticationError) as caught:
            await sd.scim.users.get("u1")
    assert caught.value.scim_type == "***"
    assert_clean(caught.value)


@pytest.mark.parametrize("mode", ["status line", "chunk size", "content type"])
def test_the_clis_stderr_never_shows_an_echoed_token(
    mode: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with raw_server_in_thread(mode) as url:
        monkeypatch.setenv("SCREENDESK_API_TOKEN", TOKEN)
        monkeypatch.setenv("SCREENDESK_BASE_URL", url)
        status = main(["recordings", "get", UUID])
    out, err = capsys.readouterr()
    assert status == 1
    assert err.startswith("screendesk: error: ")
    assert TOKEN not in out + err
    assert "***" in err


def test_the_console_script_stderr_never_shows_an_echoed_token() -> None:
    with raw_server_in_thread("status code") as url:
        done = subprocess.run(
            [sys.executable, "-m", "screendesk_async", "recordings", "get", UUID],
            env={"SCREENDESK_API_TOKEN": TOKEN, "SCREENDESK_BASE_URL": url, "PATH": ""},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 1, done.stderr
    assert "screendesk: error: " in done.stderr
    assert TOKEN not in done.stdout + done.stderr
