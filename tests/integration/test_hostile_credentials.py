"""Credentials where they do not belong: a ``user:password@`` in ``base_url``, and cookies.

A base URL that carries credentials is refused with ``ConfigurationError`` when the client is
built, before any request, and no message shows the password or the user. The client's own
session keeps no cookie, so nothing a server set is sent back, to it or to another port of the
host; a caller's own ``session=`` keeps its own jar.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp import web

from screendesk_async import AsyncScreendesk, errors

from .hostile import rest_page, serve, serve_in_thread

pytestmark = pytest.mark.integration

TOKEN = "sd-live-CREDENTIALS-0123456789"
BOUND = 20
USER, PASSWORD = "ada-lovelace", "hunter2-Sw0rdfish"
SAID = "credentials belong in the token, not in"


def with_userinfo(url: str, userinfo: str = f"{USER}:{PASSWORD}") -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{userinfo}@{rest}"


def assert_secret_free(text: str) -> None:
    for secret in (USER, PASSWORD, "ada", "hunter2", "Sw0rdfish", "lovelace"):
        assert secret not in text, text


async def answer_page(request: web.Request) -> web.Response:
    return web.Response(body=orjson.dumps(rest_page(1, 1)), content_type="application/json")


@pytest.mark.parametrize(
    "userinfo",
    [
        f"{USER}:{PASSWORD}",
        USER,
        f":{PASSWORD}",
        "ada%40lovelace:hunter2%3ASw0rdfish",
        f"{USER}:hunter2/Sw0rdfish",  # not even a URL yarl can read
    ],
    ids=["user and password", "user", "password", "percent-encoded", "unreadable"],
)
@pytest.mark.parametrize("setting", ["base_url", "scim_base_url"])
async def test_a_base_url_with_credentials_is_refused_before_any_request(
    userinfo: str, setting: str, client: Callable[..., Any]
) -> None:
    async with asyncio.timeout(BOUND), serve(answer_page) as server:
        url = with_userinfo(server.url, userinfo)
        with pytest.raises(errors.ConfigurationError, match=SAID) as caught:
            client(TOKEN, scim_token=TOKEN, **{setting: url})
    assert server.count() == 0  # before: aiohttp's bare ValueError, at the first request
    assert_secret_free(str(caught.value))
    assert_secret_free(repr(caught.value))


@pytest.mark.parametrize(
    "url",
    [
        f"https://{USER}:{PASSWORD}@app.screendesk.io",  # before: accepted
        f"http://{USER}:{PASSWORD}@example.com",
        f"ftp://{USER}:{PASSWORD}@example.com",
        f"{USER}:{PASSWORD}@example.com",
        f"https://{USER}:{PASSWORD}@example.com:99999",
        f"https://{USER}:{PASSWORD}@example.com/?next=1",
    ],
)
def test_no_message_about_a_base_url_shows_its_credentials(url: str) -> None:
    with pytest.raises(errors.ConfigurationError) as caught:
        AsyncScreendesk(TOKEN, base_url=url)
    assert_secret_free(str(caught.value))


def test_every_other_refusal_shows_the_url_without_its_credentials() -> None:
    with pytest.raises(errors.ConfigurationError) as caught:
        AsyncScreendesk(TOKEN, base_url="https://example.com/api?a=1")
    assert "'https://example.com/api?a=1'" in str(caught.value)  # nothing to hide: shown
    with pytest.raises(errors.ConfigurationError) as caught:
        AsyncScreendesk(TOKEN, base_url="https://example.com:99999")
    assert "not a valid URL" in str(caught.value)  # before: yarl's bare ValueError


def test_the_environment_variable_is_checked_and_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCREENDESK_BASE_URL", f"https://{USER}:{PASSWORD}@app.screendesk.io")
    with pytest.raises(errors.ConfigurationError, match=f"{SAID} SCREENDESK_BASE_URL") as caught:
        AsyncScreendesk(TOKEN)
    assert_secret_free(str(caught.value))


@pytest.mark.parametrize("how", ["--base-url", "SCREENDESK_BASE_URL"])
def test_the_cli_refuses_a_base_url_with_credentials_in_one_line(how: str) -> None:
    with serve_in_thread(answer_page) as server:
        url = with_userinfo(server.url)
        env = {**os.environ, "SCREENDESK_API_TOKEN": TOKEN}
        args = ["recordings", "list"]
        if how == "--base-url":
            args += ["--base-url", url]
        else:
            env["SCREENDESK_BASE_URL"] = url
        done = subprocess.run(
            [sys.executable, "-m", "screendesk_async", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert server.count() == 0
    assert done.returncode == 1  # the CLI's status for a configuration error
    assert done.stderr.count("\n") == 1, done.stderr
    assert SAID in done.stderr
    assert_secret_free(done.stdout + done.stderr)


# -- cookies ---------------------------------------------------------------------------------


def cookie_setter(cookies: list[str | None]) -> Callable[[web.Request], Any]:
    """Answers a page, setting a cookie for the whole host; logs each request's Cookie header."""

    async def handler(request: web.Request) -> web.Response:
        cookies.append(request.headers.get("Cookie"))
        scim = request.path.endswith("/Users")
        body = {"totalResults": 0, "Resources": []} if scim else rest_page(1, 1)
        response = web.Response(body=orjson.dumps(body), content_type="application/json")
        response.set_cookie("session", "s3ss10n-cookie", path="/", max_age=3600)
        return response

    return handler


async def test_the_clients_session_sends_no_cookie_back_to_any_port() -> None:
    api_cookies: list[str | None] = []
    other_cookies: list[str | None] = []
    # "localhost", not 127.0.0.1: aiohttp's jar never keeps cookies of an IP address anyway.
    async with (
        asyncio.timeout(BOUND),
        serve(cookie_setter(api_cookies), host="localhost") as api,
        serve(cookie_setter(other_cookies), host="localhost") as other,
        AsyncScreendesk(TOKEN, scim_token=TOKEN, base_url=api.url, scim_base_url=other.url) as sd,
    ):
        await sd.recordings.page(1)
        await sd.recordings.page(1)
        _ = [u async for u in sd.scim.users.raw_pages()]  # another port of the same host
    assert api_cookies == [None, None]  # before: the second carried "session=s3ss10n-cookie"
    assert other_cookies == [None]  # before: so did the request to the other port


async def test_a_callers_own_session_keeps_its_own_jar() -> None:
    cookies: list[str | None] = []
    async with (
        asyncio.timeout(BOUND),
        serve(cookie_setter(cookies), host="localhost") as api,
        aiohttp.ClientSession() as session,
        AsyncScreendesk(TOKEN, base_url=api.url, session=session) as sd,
    ):
        await sd.recordings.page(1)
        await sd.recordings.page(1)
    assert cookies == [None, "session=s3ss10n-cookie"]  # the caller's jar, the caller's choice
