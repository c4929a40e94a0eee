"""Bodies no decoder should follow all the way down: JSON nested 100,000 deep, or deep enough
that what reads it later (a repr, a scrub, orjson's encoder) would recurse past its limit.

Every path a page takes ends in a library error, never a ``RecursionError``: the typed
listings (async and sync), ``get()``, SCIM, the export's msgspec path and the CLI, which
prints one line. An error body that deep still raises its status's class.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from screendesk_async import AsyncScreendesk, errors
from screendesk_async._constants import MAX_JSON_DEPTH
from screendesk_async.export import export

from .hostile import RECORDING_UUID, assert_cli_export_fails, client_against, serve

pytestmark = pytest.mark.integration

TOKEN = "sd-live-DECODE-0123456789"
BOUND = 30  # seconds; a 100,000-deep body is a few hundred KB, read many times over
DEEP = 100_000
UUID = RECORDING_UUID.format(1).encode()


def nested(depth: int) -> bytes:
    """A JSON list ``depth`` levels deep."""
    return b"[" * depth + b"]" * depth


def rest_page(records: bytes) -> bytes:
    """Page 1 of 1 with ``records`` (the JSON text of the list)."""
    return b'{"pagination": {"page": 1, "pages": 1, "count": 1}, "records": ' + records + b"}"


def answer(body: bytes, status: int = 200) -> Callable[[web.Request], Any]:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=status, body=body, content_type="application/json")

    return handler


#: Pages whose records a decoder must descend 100,000 levels into.
DEEP_PAGES = {
    "the records list": rest_page(nested(DEEP)),
    "a field of a record": rest_page(b'[{"uuid": "' + UUID + b'", "a": ' + nested(DEEP) + b"}]"),
    "a pretty-printed record": rest_page(
        b'[{"uuid": "' + UUID + b'",\n "a": ' + nested(DEEP) + b"}]"
    ),
    "the uuid itself": rest_page(b'[{"uuid": ' + nested(DEEP) + b"}]"),
}


@pytest.mark.parametrize("body", DEEP_PAGES.values(), ids=DEEP_PAGES.keys())
async def test_a_page_nested_100000_deep_is_a_decode_error_on_every_listing_path(
    body: bytes, client: Callable[..., Any], tmp_path: Path
) -> None:
    async with asyncio.timeout(BOUND), serve(answer(body)) as server:
        async with client(TOKEN, base_url=server.url, max_retries=0) as sd:
            with pytest.raises(errors.ResponseDecodeError):
                _ = [r async for r in sd.recordings.list()]
            with pytest.raises(errors.ResponseDecodeError):
                _ = [p async for p in sd.recordings.pages()]
            with pytest.raises(errors.ResponseDecodeError):
                await sd.recordings.page(1)
        async with AsyncScreendesk(TOKEN, base_url=server.url, max_retries=0) as sd:
            # The export reads pages with msgspec, which recursed until Python's limit.
            with pytest.raises(errors.ResponseDecodeError, match="nests too deep"):
                await export(sd, "recordings", tmp_path / "recordings.jsonl")


async def test_a_title_nested_1000_deep_reads_as_no_text() -> None:
    # orjson reads up to 1,024 levels; the models' str hook took the repr of what it was given.
    record = b'{"uuid": "' + UUID + b'", "title": ' + nested(1000) + b"}"
    page = rest_page(b"[" + b", ".join([record] * 10) + b"]")  # 10: structured a page at once

    async def handler(request: web.Request) -> web.Response:
        body = page if request.path.endswith("/recordings") else record
        return web.Response(body=body, content_type="application/json")

    async with client_against(handler, TOKEN, bound=BOUND, max_retries=0) as (_, sd):
        listed = [r async for r in sd.recordings.list()]
        one = await sd.recordings.get(UUID.decode())
    assert [r.title for r in [one, *listed]] == [""] * 11
    assert listed[0].uuid == UUID.decode()


#: orjson's own refusal past 1,024 levels, or the client's past MAX_JSON_DEPTH.
TOO_DEEP = f"depth limit exceeded|nests deeper than {MAX_JSON_DEPTH} levels"


def scim_user(extra: bytes) -> bytes:
    return b'{"id": "u1", "userName": "ada@example.com", ' + extra + b"}"


#: SCIM users keep what the models do not name, and write it back (deactivate, the export).
DEEP_USERS = {
    "100,000 deep": scim_user(b'"urn:x": ' + nested(DEEP)),
    "schemas 1,000 deep": scim_user(b'"schemas": ' + nested(1000)),
    "an extension 300 deep": scim_user(b'"urn:x": ' + nested(300)),
    "one level too deep": scim_user(b'"urn:x": ' + nested(MAX_JSON_DEPTH)),
}


@pytest.mark.parametrize("user", DEEP_USERS.values(), ids=DEEP_USERS.keys())
async def test_a_scim_body_nested_too_deep_is_a_decode_error(user: bytes, tmp_path: Path) -> None:
    async def handler(request: web.Request) -> web.Response:
        if request.path.endswith("/Users"):
            body = b'{"totalResults": 1, "Resources": [' + user + b"]}"
        else:
            body = user
        return web.Response(body=body, content_type="application/scim+json")

    against = client_against(handler, TOKEN, bound=BOUND, scim=True, max_retries=0)
    async with against as (server, sd):
        with pytest.raises(errors.ResponseDecodeError, match=TOO_DEEP):
            _ = [u async for u in sd.scim.users.list()]
        with pytest.raises(errors.ResponseDecodeError, match=TOO_DEEP):
            await sd.scim.users.get("u1")
        with pytest.raises(errors.ResponseDecodeError, match=TOO_DEEP):
            await sd.scim.users.deactivate("u1")
        with pytest.raises(errors.ResponseDecodeError, match=TOO_DEEP):
            await export(sd, "scim-users", tmp_path / "users.jsonl")
    assert [s.method for s in server.seen].count("PUT") == 0  # nothing written back


async def test_a_scim_body_at_the_depth_limit_is_read() -> None:
    # The ListResponse, Resources and the user are three of the levels.
    user = scim_user(b'"urn:x": ' + nested(MAX_JSON_DEPTH - 3))

    async def handler(request: web.Request) -> web.Response:
        body = b'{"totalResults": 1, "Resources": [' + user + b"]}"
        return web.Response(body=body, content_type="application/scim+json")

    async with client_against(handler, TOKEN, bound=BOUND, scim=True, max_retries=0) as (_, sd):
        (listed,) = [u async for u in sd.scim.users.list()]
    assert listed.id == "u1"
    assert "urn:x" in listed.extra


#: Error bodies: unreadable as JSON (100,000 deep), or read but too deep to walk or print.
DEEP_ERRORS = {
    "100,000 deep": b'{"error": {"message": "gone"}, "x": ' + nested(DEEP) + b"}",
    "errors 1,000 deep": b'{"message": "gone", "errors": ' + nested(1000) + b"}",
    "detail beside 600 levels": b'{"detail": "gone", "x": ' + nested(600) + b"}",
}


@pytest.mark.parametrize("body", DEEP_ERRORS.values(), ids=DEEP_ERRORS.keys())
async def test_an_error_body_nested_too_deep_still_raises_its_status(body: bytes) -> None:
    handler = answer(body, status=404)
    async with client_against(handler, TOKEN, bound=BOUND, max_retries=0) as (_, sd):
        with pytest.raises(errors.NotFoundError) as caught:
            await sd.recordings.get(UUID.decode())
    assert caught.value.status == 404
    assert caught.value.message == "gone"
    assert str(caught.value) == "404: gone (GET /api/v2/recordings/" + UUID.decode() + ")"
    assert not isinstance(caught.value.body, dict | list)  # kept as the text it was


def deep_second_page(kind: str) -> Callable[[web.Request], Any]:
    """A 2-page listing whose page 2 is nested 100,000 deep (records, or a uuid)."""

    async def handler(request: web.Request) -> web.Response:
        number = int(request.query.get("page", "1"))
        inner = nested(DEEP) if kind == "records" else b'[{"uuid": ' + nested(DEEP) + b"}]"
        records = b'[{"uuid": "' + UUID + b'"}]' if number == 1 else inner
        body = b'{"pagination": {"page": %d, "pages": 2}, "records": %s}' % (number, records)
        return web.Response(body=body, content_type="application/json")

    return handler


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
@pytest.mark.parametrize("kind", ["records", "uuid"])
def test_the_cli_export_of_a_deep_page_prints_one_line(kind: str, fmt: str, tmp_path: Path) -> None:
    output = tmp_path / f"recordings.{fmt}"
    # before: a 103-line RecursionError traceback
    assert_cli_export_fails(deep_second_page(kind), TOKEN, "nests too deep", output)
