"""The client against hostile servers: one test (or more) per row of the README's table.

Every server here is hand-written (``tests/integration/hostile.py``) and counts the requests
that reached it; every test is bounded by ``asyncio.timeout`` or a join timeout.
"""

from __future__ import annotations

import asyncio
import gzip
import logging
import multiprocessing
import ssl
import traceback
import warnings
from typing import Any

import aiohttp
import orjson
import pytest
import trustme
from aiohttp import web

from screendesk_async import AsyncScreendesk, Screendesk, errors
from screendesk_async._retry import RetryPolicy
from screendesk_async.cli import main
from screendesk_async.models import ScimUser
from screendesk_async.testing import FakeScreendesk, ServerThread

from .hostile import client_against, json_response, rest_page, serve, serve_in_thread

pytestmark = pytest.mark.integration

TOKEN = "sd-live-HOSTILE-0123456789"
SCIM_TOKEN = "scim-HOSTILE-9876543210"
BOUND = 10  # seconds any one test may take; far above what each needs


def fast_retries(sd: AsyncScreendesk, max_retries: int = 3) -> None:
    sd._transport.retry_policy = RetryPolicy(
        max_retries=max_retries, initial_backoff=0.01, max_backoff=0.02
    )


def page_of(request: web.Request) -> int:
    return int(request.query.get("page", "1"))


# -- 429 with Retry-After: 3600 ------------------------------------------------------------------


async def test_a_retry_after_of_an_hour_raises_at_once_and_pauses_nothing() -> None:
    async def handler(request: web.Request) -> web.Response:
        if page_of(request) == 1:
            return json_response(
                {"error": {"message": "slow down"}}, 429, **{"Retry-After": "3600"}
            )
        return json_response(rest_page(page_of(request), 3))

    async with client_against(handler, TOKEN, bound=BOUND) as (server, sd):
        with pytest.raises(errors.RateLimitError) as caught:
            await sd.recordings.page(1)
        # Before the fix every later call of the client waited out the hour: the bound above
        # fails this test long before that.
        later = await asyncio.gather(*(sd.recordings.page(2) for _ in range(5)))
    assert caught.value.retry_after == 3600.0
    assert all(len(page.items) == 25 for page in later)
    assert [s.query["page"] for s in server.seen].count("1") == 1  # not retried either


# -- size caps: a large body, a gzip bomb ----------------------------------------------------------


async def test_a_body_over_the_cap_raises_too_large_chunked_or_with_content_length() -> None:
    chunk = b" " * 2**16

    async def handler(request: web.Request) -> web.StreamResponse:
        if request.query.get("length"):
            body = b"[" + b" " * (3 * 2**20) + b"]"
            return web.Response(body=body, content_type="application/json")
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for _ in range(10_000):  # 640 MiB if read to the end
            await response.write(chunk)
        return response

    async with client_against(handler, TOKEN, bound=BOUND, max_response_size=2**20) as (server, sd):
        for query in ({"page": 1}, {"page": 1, "length": 1}):
            request = sd.recordings._request("GET", ("recordings",), query=query)
            with pytest.raises(errors.ResponseTooLargeError) as caught:
                await sd.recordings._send(request)
            assert isinstance(caught.value, errors.ResponseDecodeError)
            assert caught.value.limit == 2**20
            assert "max_response_size" in str(caught.value)
    assert server.count() == 2  # never retried


async def test_a_gzip_bomb_is_counted_decompressed() -> None:
    bomb = gzip.compress(b" " * (64 * 2**20), compresslevel=9)  # 64 MiB in about 64 KB

    async def handler(request: web.Request) -> web.Response:
        return web.Response(
            body=bomb,
            headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
        )

    async with client_against(handler, TOKEN, bound=BOUND, max_response_size=2**20) as (server, sd):
        assert len(bomb) < 2**20  # under the cap on the wire, 64 x over it inflated
        with pytest.raises(errors.ResponseTooLargeError):
            await sd.recordings.page(1)
    assert server.count() == 1


async def test_max_response_size_none_reads_everything_and_bad_values_are_refused() -> None:
    async def handler(request: web.Request) -> web.Response:
        return json_response(rest_page(1, 1, per_page=100))

    async with client_against(handler, TOKEN, bound=BOUND, max_response_size=None) as (_, sd):
        assert len(await sd.recordings.page(1)) == 100
    for bad in (0, -1, 1.5, True, "64"):
        with pytest.raises(ValueError, match="max_response_size"):
            AsyncScreendesk(TOKEN, max_response_size=bad)  # type: ignore[arg-type]


def test_the_sync_client_takes_max_response_size_too() -> None:
    async def handler(request: web.Request) -> web.Response:
        return json_response(rest_page(1, 1, per_page=100))  # about 5 KB

    with serve_in_thread(handler) as server:
        with (
            Screendesk(TOKEN, base_url=server.url, max_response_size=1000) as sd,
            pytest.raises(errors.ResponseTooLargeError),
        ):
            sd.recordings.page(1)
        with Screendesk(TOKEN, base_url=server.url, max_response_size=None) as sd:
            assert len(sd.recordings.page(1)) == 100
    assert server.count() == 2


# -- redirects ---------------------------------------------------------------------------------


async def test_write_redirects_are_never_followed_and_their_body_goes_nowhere() -> None:
    async def elsewhere(request: web.Request) -> web.Response:
        return json_response({"id": "stolen"}, 201)

    async with (
        asyncio.timeout(BOUND),
        serve(elsewhere, host="127.0.0.2") as other,
    ):

        async def redirecting(request: web.Request) -> web.Response:
            status = int(request.query.get("status", "307"))
            return web.Response(status=status, headers={"Location": f"{other.url}/Users"})

        async with (
            serve(redirecting) as origin,
            AsyncScreendesk(TOKEN, scim_token=SCIM_TOKEN, base_url=origin.url) as sd,
        ):
            fast_retries(sd)
            user = ScimUser(user_name="ada@example.com", external_id="okta-1")
            for status in (307, 308, 302, 301, 303):
                with pytest.raises(errors.APIStatusError) as caught:
                    await scim_post(sd, user, status)
                assert caught.value.status == status
                assert "redirect" in caught.value.message
            with pytest.raises(errors.APIStatusError) as patched:
                await sd.recordings.update("00000000-0000-4000-8000-000000000001", title="moved?")
            assert patched.value.status == 307
    assert other.count() == 0  # neither the SCIM body nor the PATCH reached the other host
    assert origin.count() == 6  # one request each, none retried


async def scim_post(sd: AsyncScreendesk, user: Any, status: int) -> Any:
    users = sd.scim.users
    request = users._request(
        "POST",
        ("Users",),
        query={"status": status},
        json=user.to_dict(),
        api="scim",
        expect=frozenset({201}),
    )
    return await users._send(request)


async def test_a_redirect_loop_stops_after_five_hops_and_is_not_retried() -> None:
    async def looping(request: web.Request) -> web.Response:
        hop = int(request.query.get("hop", "0"))
        return web.Response(status=302, headers={"Location": f"/api/v2/recordings?hop={hop + 1}"})

    async with client_against(looping, TOKEN, bound=BOUND, max_retries=3) as (server, sd):
        fast_retries(sd)
        with pytest.raises(errors.APIStatusError) as caught:
            await sd.recordings.page(1)
    assert caught.value.status == 302
    assert "more than 5 redirects" in caught.value.message
    assert server.count() == 6  # the request and 5 hops; before: 40


async def test_a_get_follows_up_to_five_same_origin_hops_with_its_credentials() -> None:
    async def hopping(request: web.Request) -> web.Response:
        hop = int(request.query.get("hop", "0"))
        if hop < 5:
            return web.Response(status=301, headers={"Location": f"?page=1&hop={hop + 1}"})
        return json_response(rest_page(1, 1))

    async with client_against(hopping, TOKEN, bound=BOUND) as (server, sd):
        assert len(await sd.recordings.page(1)) == 25
    assert server.count() == 6
    assert all(s.authorization == f"Bearer {TOKEN}" for s in server.seen)


async def test_a_redirect_from_https_to_http_is_refused(tmp_path: Any) -> None:
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)

    async def plain(request: web.Request) -> web.Response:
        return json_response(rest_page(1, 1))

    async with asyncio.timeout(BOUND), serve(plain) as http_server:

        async def downgrading(request: web.Request) -> web.Response:
            location = f"{http_server.url}/api/v2/recordings?page=1"
            return web.Response(status=302, headers={"Location": location})

        async with (
            serve(downgrading, ssl_context=server_context) as https_server,
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=client_context)) as session,
            AsyncScreendesk(TOKEN, base_url=https_server.url, session=session) as sd,
        ):
            with pytest.raises(errors.APIStatusError) as caught:
                await sd.recordings.page(1)
    assert caught.value.status == 302
    assert "from https to http" in caught.value.message
    assert https_server.count() == 1
    assert http_server.count() == 0


async def test_a_redirect_elsewhere_than_http_or_without_location_raises() -> None:
    async def odd(request: web.Request) -> web.Response:
        if request.query.get("ftp"):
            return web.Response(status=302, headers={"Location": "ftp://127.0.0.1/x"})
        return web.Response(status=302)  # no Location at all

    async with client_against(odd, TOKEN, bound=BOUND) as (server, sd):
        for query in ({"ftp": 1}, {}):
            request = sd.recordings._request("GET", ("recordings",), query=query)
            with pytest.raises(errors.APIStatusError) as caught:
                await sd.recordings._send(request)
            assert caught.value.status == 302
    assert server.count() == 2


# -- secrets -----------------------------------------------------------------------------------


def frame_locals_text(exc: BaseException) -> str:
    """Every local of every library frame in ``exc``'s traceback, as a reporter would render it."""
    texts: list[str] = []
    for frame, _ in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename == __file__:
            continue  # this test's own frames hold the token on purpose
        for name, value in frame.f_locals.items():
            texts.append(f"{name}={value!r}")
            if isinstance(value, dict | list | tuple):
                texts.append(str(value))
            for attribute in getattr(value, "__dict__", {}).values():
                texts.append(repr(attribute))
    return "\n".join(texts)


async def test_a_token_echoed_by_the_server_appears_nowhere(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def echoing(request: web.Request) -> web.Response:
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ")
        if request.path.startswith("/api/v2/scim"):
            detail = {"schemas": ["x"], "detail": f"bad scim token {token}", "status": "400"}
            return json_response(detail, 400)
        # A 503 is retried, so the INFO retry log line sees the echo too.
        return web.Response(status=503, text=f"<h1>down for {token} ({header})</h1>")

    async with (
        asyncio.timeout(BOUND),
        serve(echoing) as server,
        AsyncScreendesk(TOKEN, scim_token=SCIM_TOKEN, base_url=server.url) as sd,
    ):
        fast_retries(sd, 1)
        caught: list[errors.APIStatusError] = []
        with caplog.at_level(logging.DEBUG, "screendesk_async"):
            for call in (
                lambda: sd.recordings.page(1),
                lambda: sd.scim.users.get("u1"),
            ):
                with pytest.raises(errors.APIStatusError) as info:
                    await call()
                caught.append(info.value)
    assert [e.status for e in caught] == [503, 400]
    assert any("retrying GET" in r.getMessage() for r in caplog.records)
    for exc in caught:
        texts = [str(exc), repr(exc), repr(exc.body), exc.message, caplog.text]
        texts.append(frame_locals_text(exc))
        for text in texts:
            assert TOKEN not in text
            assert SCIM_TOKEN not in text
        assert "***" in str(exc)  # redacted, not dropped: the message still says what happened
        assert exc.__cause__ is None
        assert exc.__context__ is None


async def test_a_401_echo_is_redacted_from_message_and_body() -> None:
    async def echoing(request: web.Request) -> web.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        return json_response({"error": {"message": f"token {token} revoked"}, token: [token]}, 401)

    async with client_against(echoing, TOKEN, bound=BOUND) as (_, sd):
        with pytest.raises(errors.AuthenticationError) as caught:
            await sd.recordings.page(1)
    assert caught.value.message == "token *** revoked"
    assert caught.value.body == {"error": {"message": "token *** revoked"}, "***": ["***"]}


def test_a_token_echoed_by_the_server_is_not_on_the_clis_stderr(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def echoing(request: web.Request) -> web.Response:
        header = request.headers.get("Authorization", "")
        return json_response({"error": {"message": f"who is {header}? not {header[7:]}"}}, 403)

    with serve_in_thread(echoing) as server:
        monkeypatch.setenv("SCREENDESK_API_TOKEN", TOKEN)
        monkeypatch.setenv("SCREENDESK_BASE_URL", server.url)
        status = main(["recordings", "get", "00000000-0000-4000-8000-000000000001"])
    out, err = capsys.readouterr()
    assert status == 1
    assert err.startswith("screendesk: error: 403: who is Bearer *** not ***")
    assert err.count("\n") == 1
    assert TOKEN not in out + err
    assert server.count() == 1


# -- timeouts on a caller's own session ------------------------------------------------------------


async def test_the_timeout_applies_on_a_callers_own_session() -> None:
    release = asyncio.Event()

    async def stalling(request: web.Request) -> web.Response:
        await release.wait()
        return json_response(rest_page(1, 1))

    async with (
        asyncio.timeout(BOUND),
        serve(stalling) as server,
        aiohttp.ClientSession() as session,  # no timeout of its own: aiohttp's 5 minutes
        AsyncScreendesk(
            TOKEN, base_url=server.url, session=session, timeout=0.5, max_retries=0
        ) as sd,
    ):
        try:
            with pytest.raises(errors.APITimeoutError):
                await sd.recordings.page(1)
        finally:
            release.set()
    assert server.count() == 1


# -- dropped keep-alive connections: requests on the wire ------------------------------------------


@pytest.mark.parametrize(("max_retries", "own", "on_the_wire"), [(0, True, 1), (3, True, 4)])
async def test_requests_on_the_wire_for_a_dropped_keep_alive_connection(
    max_retries: int, own: bool, on_the_wire: int
) -> None:
    async with (
        asyncio.timeout(BOUND),
        FakeScreendesk(recordings=50, page_size=25) as fake,
        AsyncScreendesk(fake.admin_token, base_url=fake.url, max_retries=max_retries) as sd,
    ):
        fast_retries(sd, max_retries)
        await sd.recordings.page(1)  # leaves a pooled keep-alive connection
        fake.reset_log()
        fake.faults.fail_next(100, "drop")
        with pytest.raises(errors.APIConnectionError):
            await sd.recordings.page(1)
    assert len(fake.requests) == on_the_wire


@pytest.mark.parametrize(("max_retries", "on_the_wire"), [(0, 2), (3, 8)])
async def test_a_callers_own_session_keeps_aiohttps_one_resend(
    max_retries: int, on_the_wire: int
) -> None:
    # Documented in the README: the client does not change a session it does not own.
    async with (
        asyncio.timeout(BOUND),
        FakeScreendesk(recordings=50, page_size=25) as fake,
        aiohttp.ClientSession() as session,
        AsyncScreendesk(
            fake.admin_token, base_url=fake.url, max_retries=max_retries, session=session
        ) as sd,
    ):
        fast_retries(sd, max_retries)
        await sd.recordings.page(1)
        fake.reset_log()
        fake.faults.fail_next(100, "drop")
        with pytest.raises(errors.APIConnectionError):
            await sd.recordings.page(1)
    assert len(fake.requests) == on_the_wire


# -- fork ------------------------------------------------------------------------------------------


def _sync_child(sd: Screendesk, results: Any) -> None:
    try:
        sd.recordings.page(1)
    except errors.ScreendeskError as exc:
        results.put(f"{type(exc).__name__}: {exc}")
    else:
        results.put("worked")  # pragma: no cover - the contract allows this, we raise instead


def _async_child(sd: AsyncScreendesk, results: Any) -> None:
    try:
        asyncio.run(sd.recordings.page(1))
    except errors.ScreendeskError as exc:
        results.put(f"{type(exc).__name__}: {exc}")
    else:
        results.put("worked")  # pragma: no cover


def run_forked(target: Any, client: Any) -> str:
    context = multiprocessing.get_context("fork")
    results = context.SimpleQueue()
    child = context.Process(target=target, args=(client, results))
    child.start()
    child.join(BOUND)
    if child.is_alive():  # pragma: no cover - the failure this test exists for
        child.kill()
        child.join()
        pytest.fail("the child process hung")
    assert child.exitcode == 0
    result: str = results.get()
    return result


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_sync_client_used_after_fork_raises_at_once_and_the_parent_keeps_working() -> None:
    with (
        ServerThread(FakeScreendesk(recordings=50, page_size=25)) as fake,
        Screendesk(fake.admin_token, base_url=fake.url) as sd,
    ):
        assert len(sd.recordings.page(1)) == 25  # the loop thread and a connection exist
        result = run_forked(_sync_child, sd)
        assert len(sd.recordings.page(2)) == 25
    assert result.startswith("ConfigurationError: ")
    assert "fork" in result


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_an_async_client_used_after_fork_raises_at_once() -> None:
    with ServerThread(FakeScreendesk(recordings=50, page_size=25)) as fake:
        loop = asyncio.new_event_loop()
        try:

            async def make() -> AsyncScreendesk:
                return AsyncScreendesk(fake.admin_token, base_url=fake.url)

            sd = loop.run_until_complete(make())
            assert len(loop.run_until_complete(sd.recordings.page(1))) == 25
            result = run_forked(_async_child, sd)
            assert len(loop.run_until_complete(sd.recordings.page(2))) == 25
            loop.run_until_complete(sd.aclose())
        finally:
            loop.close()
    assert result.startswith("ConfigurationError: ")
    assert "fork" in result


def _finalize_in_child(sd: Screendesk, results: Any) -> None:
    # What a child's interpreter exit may do to the objects it inherited: collect the session
    # (its connector closes the pooled connections) and the loop (it closes itself). Neither
    # may unregister the parent's sockets from the epoll instance both processes share.
    transport = sd._resource._transport
    session = transport._session
    assert session is not None
    assert session.connector is not None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "unclosed ..." warnings, as at any exit
        session.connector.__del__()
        session.__del__()
        sd._portal.loop.__del__()  # type: ignore[attr-defined]
    results.put("finalized")


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_what_a_child_inherits_never_disturbs_the_parent() -> None:
    with (
        ServerThread(FakeScreendesk(recordings=50, page_size=25)) as fake,
        Screendesk(fake.admin_token, base_url=fake.url, timeout=3, max_retries=0) as sd,
    ):
        assert len(sd.recordings.page(1)) == 25  # a pooled keep-alive connection exists
        assert run_forked(_finalize_in_child, sd) == "finalized"
        for number in (1, 2):  # the pooled connection, then the loop's own wake-ups
            assert len(sd.recordings.page(number)) == 25


@pytest.mark.parametrize(
    "location", ["http://x:99999/x", "http://[garbage]/x", "http://127.0.0.1:-1/x"]
)
async def test_a_redirect_to_an_invalid_location_raises_a_status_error_and_is_not_retried(
    location: str,
) -> None:
    async def bad(request: web.Request) -> web.Response:
        return web.Response(status=302, headers={"Location": location})

    async with client_against(bad, TOKEN, bound=BOUND) as (server, sd):
        fast_retries(sd)
        with pytest.raises(errors.APIStatusError, match="invalid redirect Location") as caught:
            await sd.recordings.page(1)
    assert caught.value.status == 302
    assert server.count() == 1


# -- a caller's own session with settings of its own -----------------------------------------


async def test_a_callers_session_with_raise_for_status_still_gives_status_errors() -> None:
    async def missing(request: web.Request) -> web.Response:
        return json_response({"error": {"message": "no such recording"}}, 404)

    async with (
        asyncio.timeout(BOUND),
        serve(missing) as server,
        aiohttp.ClientSession(raise_for_status=True) as session,
        AsyncScreendesk(TOKEN, base_url=server.url, session=session, max_retries=0) as sd,
    ):
        with pytest.raises(errors.NotFoundError) as caught:
            await sd.recordings.get("00000000-0000-4000-8000-000000000001")
    assert caught.value.message == "no such recording"


async def test_a_callers_session_without_auto_decompress_still_reads_gzip() -> None:
    async def gzipped(request: web.Request) -> web.Response:
        body = gzip.compress(orjson.dumps(rest_page(1, 1)))
        headers = {"Content-Encoding": "gzip"}
        return web.Response(body=body, content_type="application/json", headers=headers)

    async with (
        asyncio.timeout(BOUND),
        serve(gzipped) as server,
        aiohttp.ClientSession(auto_decompress=False) as session,
        AsyncScreendesk(TOKEN, base_url=server.url, session=session) as sd,
    ):
        page = await sd.recordings.page(1)
    assert len(page.items) == 25


async def test_a_callers_session_credentials_never_follow_a_redirect_elsewhere() -> None:
    async def elsewhere(request: web.Request) -> web.Response:
        return json_response(rest_page(1, 1))

    async with (
        asyncio.timeout(BOUND),
        serve(elsewhere, host="127.0.0.2") as other,
    ):

        async def redirecting(request: web.Request) -> web.Response:
            return web.Response(status=302, headers={"Location": f"{other.url}/x"})

        async with (
            serve(redirecting) as origin,
            aiohttp.ClientSession(headers={"Authorization": "Bearer callers-own"}) as session,
            AsyncScreendesk(TOKEN, base_url=origin.url, session=session) as sd,
        ):
            fast_retries(sd)
            with pytest.raises(errors.APIStatusError, match="credentials of its own") as caught:
                await sd.recordings.page(1)
    assert caught.value.status == 302
    assert other.count() == 0
    assert origin.count() == 1
    assert origin.seen[0].authorization == f"Bearer {TOKEN}"  # ours, not the session's
