"""Listings against servers whose pages are not what the docs describe, and the export then.

A listing raises ``ResponseDecodeError`` naming the page and what was wrong: it never ends early
in silence and never loops; the export fails with one line, exit 1, and keeps its progress.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from screendesk_async import errors
from screendesk_async.cli import main

from .hostile import client_against, json_response, rest_page, serve_in_thread

pytestmark = pytest.mark.integration

TOKEN = "sd-live-PAGES-0123456789"
BOUND = 10


def broken_second_page(records: Any) -> Any:
    """A 3-page listing whose page 2 carries ``records`` (``...`` = the key left out)."""

    async def handler(request: web.Request) -> web.Response:
        number = int(request.query.get("page", "1"))
        body = rest_page(number, 3)
        if number == 2:
            if records is ...:
                del body["records"]
            else:
                body["records"] = records
        return json_response(body)

    return handler


@pytest.mark.parametrize(
    ("records", "what"),
    [
        (..., "'records' is missing"),
        (None, "'records' is null, not a list"),
        ("oops", "'records' is str, not a list"),
        ({"uuid": "x"}, "'records' is dict, not a list"),
        ([1, 2], "'records' holds a int, not only objects"),
        (7, "'records' is int, not a list"),
        ([], "it is empty, but its pagination says records follow (pages=3)"),
    ],
)
async def test_a_bad_middle_page_raises_naming_the_page(records: Any, what: str) -> None:
    got: list[str] = []
    async with client_against(broken_second_page(records), TOKEN, bound=BOUND) as (_, sd):

        async def consume() -> None:
            async for recording in sd.recordings.list(concurrency=1):
                got.append(recording.uuid)

        with pytest.raises(errors.ResponseDecodeError) as caught:
            await consume()
        with pytest.raises(errors.ResponseDecodeError, match="page 2"):
            await sd.recordings.page(2)
    assert str(caught.value) == f"page 2: {what}"
    assert len(got) == 25  # page 1 was delivered; nothing after the bad page


def page_one_always(echo: bool) -> Any:
    """A server that answers page 1 to every page, saying there is a next; with ``echo`` its
    pagination says the page number asked for.
    """

    async def handler(request: web.Request) -> web.Response:
        number = int(request.query.get("page", "1")) if echo else 1
        body = rest_page(1, 1)
        body["pagination"] = {"page": number, "next_page": number + 1}  # no pages
        return json_response(body)

    return handler


@pytest.mark.parametrize(
    ("echo", "said"),
    [(False, "page 2: the server answered with"), (True, "page 2: the same records")],
    ids=["says page 1", "echoes the page asked for"],
)
async def test_a_server_that_ignores_page_does_not_loop(echo: bool, said: str) -> None:
    async with client_against(page_one_always(echo), TOKEN, bound=BOUND) as (server, sd):
        with pytest.raises(errors.ResponseDecodeError, match=said):
            _ = [r async for r in sd.recordings.list()]
    assert server.count() == 2  # before: 18,136 requests in 8 s (says page 1)


async def test_a_scim_server_that_ignores_start_index_raises() -> None:
    users = [{"id": f"u{i}", "userName": f"u{i}@example.com"} for i in range(10)]

    async def handler(request: web.Request) -> web.Response:
        page = {"totalResults": 1000, "itemsPerPage": 10, "Resources": users}
        return json_response(page)  # whatever startIndex, the same ten

    async with client_against(handler, TOKEN, bound=BOUND, scim=True) as (server, sd):
        got: list[str | None] = []

        async def consume() -> None:
            async for user in sd.scim.users.list(concurrency=1):
                got.append(user.id)

        with pytest.raises(errors.ResponseDecodeError, match="startIndex=11: every user"):
            await consume()
    assert got == [u["id"] for u in users]  # before: 1,000 users yielded, 10 distinct
    assert server.count() <= 3


async def test_scim_pages_that_answer_another_index_or_are_empty_raise() -> None:
    async def handler(request: web.Request) -> web.Response:
        start = int(request.query["startIndex"])
        if start == 1:
            resources = [{"id": f"u{i}"} for i in range(10)]
            return json_response({"totalResults": 30, "startIndex": 1, "Resources": resources})
        if start == 11:
            return json_response({"totalResults": 30, "startIndex": 11, "Resources": []})
        return json_response({"totalResults": 30, "startIndex": 1, "Resources": [{"id": "x"}]})

    async with client_against(handler, TOKEN, bound=BOUND, scim=True) as (_, sd):
        with pytest.raises(errors.ResponseDecodeError, match="totalResults=30 says users follow"):
            _ = [u async for u in sd.scim.users.list(concurrency=1)]
        pages = sd.scim.users.raw_pages(first_index=21, page_size=10)
        with pytest.raises(errors.ResponseDecodeError, match="answered for startIndex=1"):
            _ = [p async for p in pages]


def test_the_export_fails_with_one_line_keeps_its_progress_and_never_says_exported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "recordings.jsonl"
    with serve_in_thread(broken_second_page(None)) as server:
        monkeypatch.setenv("SCREENDESK_API_TOKEN", TOKEN)
        monkeypatch.setenv("SCREENDESK_BASE_URL", server.url)
        status = main(["export", "recordings", "--output", str(output), "--concurrency", "1"])
    out, err = capsys.readouterr()
    assert status == 1
    assert err.count("\n") == 1
    assert "page 2: 'records' is null" in err
    assert "--resume" in err
    assert "exported" not in out + err
    assert TOKEN not in out + err
    assert not output.exists()
    partial = output.with_name(output.name + ".partial")
    assert len(partial.read_bytes().splitlines()) == 25  # page 1 kept for --resume


def scim_users(count: int) -> list[dict[str, Any]]:
    return [{"id": f"u{i}", "userName": f"u{i}@example.com"} for i in range(1, count + 1)]


@pytest.mark.parametrize("page_size", [None, 3])
@pytest.mark.parametrize("concurrency", [1, 4])
async def test_a_short_middle_scim_page_loses_no_user(
    page_size: int | None, concurrency: int
) -> None:
    users = scim_users(7)

    async def handler(request: web.Request) -> web.Response:
        start = int(request.query["startIndex"])
        count = int(request.query.get("count", "3"))
        if start == 4:
            count = 2  # RFC 7644 §3.4.2.4: a server may send fewer than asked
        resources = users[start - 1 : start - 1 + count]
        body = {"totalResults": 7, "startIndex": start, "itemsPerPage": 3, "Resources": resources}
        return json_response(body)

    async with client_against(handler, TOKEN, bound=BOUND, scim=True) as (server, sd):
        listing = sd.scim.users.list(page_size=page_size, concurrency=concurrency)
        got = [user.id async for user in listing]
    assert got == [u["id"] for u in users]  # before: u6 was lost
    asked = [int(s.query["startIndex"]) for s in server.seen]
    assert 6 in asked  # the real next index after the short page was followed


@pytest.mark.parametrize("page_size", [None, 5])
async def test_a_scim_server_that_sends_fewer_than_asked_on_every_page_loses_no_user(
    page_size: int | None,
) -> None:
    users = scim_users(23)

    async def handler(request: web.Request) -> web.Response:
        start = int(request.query["startIndex"])
        wanted = int(request.query.get("count", "5"))
        resources = users[start - 1 : start - 1 + min(wanted, 2 if start > 1 else 5)]
        return json_response({"totalResults": 23, "itemsPerPage": 5, "Resources": resources})

    async with client_against(handler, TOKEN, bound=BOUND, scim=True) as (_, sd):
        got = [user.id async for user in sd.scim.users.list(page_size=page_size)]
    assert got == [u["id"] for u in users]


async def test_records_on_a_page_after_an_empty_one_are_never_dropped_in_silence() -> None:
    third_answered = asyncio.Event()

    async def handler(request: web.Request) -> web.Response:
        number = int(request.query.get("page", "1"))
        if number == 2:
            await third_answered.wait()  # page 3 is answered, with records, before page 2
            body = rest_page(1, 1)
            body["pagination"]["page"] = 2
            body["records"] = []
            return json_response(body)  # "empty, and there is one page only"
        if number == 3:
            third_answered.set()
        return json_response(rest_page(number, 3))

    async with client_against(handler, TOKEN, bound=BOUND, max_concurrency=4) as (_, sd):
        with pytest.raises(errors.ResponseDecodeError, match="at 3, requested after it"):
            _ = [r async for r in sd.recordings.list()]
