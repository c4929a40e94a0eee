"""Pages whose records are not the resource listed: users served on /recordings, records whose
identifier is missing, null or ``""``.

A record without its identifier (recordings ``uuid``, users ``email``, SCIM users ``id``: the
rule ``get()`` applies to ``{}``) fails its page with ``ResponseDecodeError`` naming the page
and the record, on the typed listings (async and sync), ``raw_pages()``, SCIM, the export and
the CLI, rather than a listing of recordings with ``uuid=''`` that ends normally.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from screendesk_async import AsyncScreendesk, errors
from screendesk_async.export import export

# The helpers test_hostile_numbers.py imports too: an import list alike, not a repeated block.
from .hostile import (
    assert_cli_export_fails,
    assert_scim_listing_fails,
    client_against,
    json_response,
    rest_page,
    serve,
)

pytestmark = pytest.mark.integration

TOKEN = "sd-live-IDENTITY-0123456789"
BOUND = 20
_MISSING = object()


def users(count: int) -> list[dict[str, Any]]:
    return [{"email": f"u{i}@example.com", "name": f"U{i}", "role": "member"} for i in range(count)]


def second_page_with(third: Any, key: str = "uuid") -> Callable[[web.Request], Any]:
    """3 pages of recordings; on page 2, the third record's ``key`` is ``third`` (or missing)."""

    async def handler(request: web.Request) -> web.Response:
        number = int(request.query.get("page", "1"))
        body = rest_page(number, 3, per_page=5)
        if number == 2:
            if third is _MISSING:
                del body["records"][2][key]
            else:
                body["records"][2][key] = third
        return json_response(body)

    return handler


async def users_on_recordings(request: web.Request) -> web.Response:
    """Page 2 of 3 of /recordings holds users: records of another resource, without a uuid."""
    number = int(request.query.get("page", "1"))
    body = rest_page(number, 3, per_page=5)
    if number == 2:
        body["records"] = users(5)
    return json_response(body)


@pytest.mark.parametrize(
    ("handler", "said"),
    [
        (users_on_recordings, "page 2: record 1 has no 'uuid'"),
        (second_page_with(_MISSING), "page 2: record 3 has no 'uuid'"),
        (second_page_with(None), "page 2: record 3 has no 'uuid'"),
        (second_page_with(""), "page 2: record 3 has no 'uuid'"),
        (second_page_with([]), "page 2: record 3 has no 'uuid'"),
    ],
    ids=["users on /recordings", "missing", "null", "empty", "a list"],
)
async def test_a_record_without_its_uuid_fails_its_page_on_every_path(
    handler: Any, said: str, client: Callable[..., Any], tmp_path: Path
) -> None:
    async with asyncio.timeout(BOUND), serve(handler) as server:
        async with client(TOKEN, base_url=server.url, max_retries=0) as sd:
            got: list[str] = []

            async def consume() -> None:
                async for recording in sd.recordings.list(concurrency=1):
                    got.append(recording.uuid)

            with pytest.raises(errors.ResponseDecodeError, match=said):
                await consume()
            assert len(got) == 5  # page 1 only; before: 15 "recordings", 5 with uuid=''
            with pytest.raises(errors.ResponseDecodeError, match=said):
                _ = [p async for p in sd.recordings.pages(concurrency=1)]
            with pytest.raises(errors.ResponseDecodeError, match=said):
                await sd.recordings.page(2)
            with pytest.raises(errors.ResponseDecodeError, match=said):
                _ = [p async for p in sd.recordings.raw_pages(concurrency=1)]
        async with AsyncScreendesk(TOKEN, base_url=server.url, max_retries=0) as sd:
            with pytest.raises(errors.ResponseDecodeError, match=said):
                await export(sd, "recordings", tmp_path / "recordings.jsonl", concurrency=1)


async def test_recordings_served_on_users_fail_the_users_listing(tmp_path: Path) -> None:
    async def handler(request: web.Request) -> web.Response:
        body = rest_page(1, 1, per_page=3)
        body["users"] = body.pop("records")  # recordings: no email
        return json_response(body)

    async with client_against(handler, TOKEN, bound=BOUND, max_retries=0) as (_, sd):
        with pytest.raises(errors.ResponseDecodeError, match="page 1: record 1 has no 'email'"):
            _ = [u async for u in sd.users.list()]
        with pytest.raises(errors.ResponseDecodeError, match="page 1: record 1 has no 'email'"):
            await export(sd, "users", tmp_path / "users.csv")


@pytest.mark.parametrize("identifier", [0, "0", "r-3"])
async def test_any_other_identifier_names_a_record(identifier: Any) -> None:
    handler = second_page_with(identifier)
    async with client_against(handler, TOKEN, bound=BOUND, max_retries=0) as (_, sd):
        got = [r.uuid async for r in sd.recordings.list()]
    assert len(got) == 15
    assert got[7] == str(identifier)


@pytest.mark.parametrize(
    "broken",
    [{"userName": "x@example.com"}, {"id": None}, {"id": ""}],
    ids=["missing", "null", "empty"],
)
async def test_a_scim_user_without_an_id_fails_its_page(
    broken: dict[str, Any], tmp_path: Path
) -> None:
    async def handler(request: web.Request) -> web.Response:
        resources: list[dict[str, Any]] = [{"id": "u1", "userName": "a@example.com"}, broken]
        body = {"totalResults": 2, "startIndex": 1, "itemsPerPage": 2, "Resources": resources}
        return json_response(body, content_type="application/scim+json")

    said = "SCIM page at startIndex=1: record 2 has no 'id'"
    await assert_scim_listing_fails(handler, TOKEN, said, tmp_path / "users.jsonl")


def test_the_cli_export_of_users_on_recordings_prints_one_line(tmp_path: Path) -> None:
    output = tmp_path / "recordings.jsonl"
    said = "page 2: record 1 has no 'uuid'"
    done = assert_cli_export_fails(users_on_recordings, TOKEN, said, output)
    # before: exit 0, "exported 15 recordings"
    assert "exported" not in done.stdout + done.stderr
    assert not output.exists()
