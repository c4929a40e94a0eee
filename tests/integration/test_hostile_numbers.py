"""Pagination figures no listing can be planned with: a page number of ``"²"`` (``isdigit()``
is true, ``int()`` refuses it), a ``last_page`` of 5,000 digits, a page count past 2**31.

Each is a ``ResponseDecodeError`` naming the page and the field, on the typed listings (async
and sync), ``page()``, SCIM, the export's msgspec path and the CLI (one line, exit 1), never a
bare ``ValueError`` or a plan of more requests than anyone could send.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiohttp import web

from screendesk_async import AsyncScreendesk, errors
from screendesk_async.export import export

from .hostile import (
    assert_cli_export_fails,
    assert_scim_listing_fails,
    client_against,
    json_response,
    rest_page,
    serve,
)

pytestmark = pytest.mark.integration

TOKEN = "sd-live-NUMBERS-0123456789"
BOUND = 20
DIGITS = "1" * 5000
#: Spliced in as the JSON text of a field: orjson would not write a number this long.
NUMBER = b"<number>"


def pages_saying(field: str, value: Any, on_page: int = 1) -> Callable[[web.Request], Any]:
    """A 3-page listing whose page ``on_page`` says ``field`` is ``value`` (bytes: as JSON)."""

    async def handler(request: web.Request) -> web.Response:
        number = int(request.query.get("page", "1"))
        body = rest_page(number, 3)
        if number == on_page:
            body["pagination"][field] = NUMBER.decode() if isinstance(value, bytes) else value
        raw = orjson.dumps(body)
        if isinstance(value, bytes):
            raw = raw.replace(b'"' + NUMBER + b'"', value)
        return web.Response(body=raw, content_type="application/json")

    return handler


#: (field, value, page it is on, what the error says)
BAD = {
    "page '²' on page 2": ("page", "²", 2, "page 2: pagination.page is '²'"),
    "last_page of 5,000 digits as a string": (
        "last_page",
        DIGITS,
        1,
        "page 1: pagination.last_page is '11111111",
    ),
    "last_page of 5,000 digits as a number": (
        "last_page",
        DIGITS.encode(),
        1,
        r"page 1: pagination.last_page is 11111111.* \(5000 characters\)",
    ),
    # orjson reads it as a float, msgspec as an int.
    "pages of 30 digits as a number": (
        "pages",
        b"1" * 30,
        1,
        r"page 1: pagination.pages is 1(\.1|111)",
    ),
    "pages of 2**31": ("pages", 2**31, 1, "page 1: pagination.pages is 2147483648"),
    "pages of 10**18": ("pages", 10**18, 1, "page 1: pagination.pages is 1000000000000000000"),
    "a negative next_page": ("next_page", -1, 2, "page 2: pagination.next_page is -1"),
    "count 'many'": ("count", "many", 1, "page 1: pagination.count is 'many'"),
    "items true": ("items", True, 1, "page 1: pagination.items is True"),
}
#: Where orjson cannot read the number at all, the typed paths say the body is no JSON.
UNREADABLE = "the response body is not valid JSON"


@pytest.mark.parametrize(("field", "value", "on_page", "said"), BAD.values(), ids=BAD.keys())
async def test_a_bad_pagination_figure_is_a_decode_error_naming_page_and_field(
    field: str, value: Any, on_page: int, said: str, client: Callable[..., Any], tmp_path: Path
) -> None:
    typed = UNREADABLE if value == DIGITS.encode() else said
    async with asyncio.timeout(BOUND), serve(pages_saying(field, value, on_page)) as server:
        async with client(TOKEN, base_url=server.url, max_retries=0) as sd:
            with pytest.raises(errors.ResponseDecodeError, match=typed):
                _ = [r async for r in sd.recordings.list(concurrency=1)]
            with pytest.raises(errors.ResponseDecodeError, match=typed):
                await sd.recordings.page(on_page)
        async with AsyncScreendesk(TOKEN, base_url=server.url, max_retries=0) as sd:
            with pytest.raises(errors.ResponseDecodeError, match=said):
                await export(sd, "recordings", tmp_path / "recordings.jsonl", concurrency=1)
    assert server.count() <= 3 * 4  # before: 10**18 pages planned, 11,893 requests in 8 s


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("totalResults", "²", "startIndex=1: totalResults is '²'"),
        ("totalResults", DIGITS, "startIndex=1: totalResults is '111"),
        ("totalResults", 2**31, "startIndex=1: totalResults is 2147483648"),
        ("itemsPerPage", -5, "startIndex=1: itemsPerPage is -5"),
        ("startIndex", 1.5, "startIndex=1: startIndex is 1.5"),
    ],
)
async def test_a_bad_scim_figure_is_a_decode_error_naming_it(
    field: str, value: Any, said: str, tmp_path: Path
) -> None:
    async def handler(request: web.Request) -> web.Response:
        users = [{"id": f"u{i}", "userName": f"u{i}@example.com"} for i in range(2)]
        page = {"totalResults": 2, "startIndex": 1, "itemsPerPage": 2, "Resources": users}
        page[field] = value
        return web.Response(body=orjson.dumps(page), content_type="application/scim+json")

    await assert_scim_listing_fails(handler, TOKEN, said, tmp_path / "users.jsonl")


@pytest.mark.parametrize("value", ["17", 17, None])
async def test_figures_as_digits_or_null_still_read(value: Any) -> None:
    async def handler(request: web.Request) -> web.Response:
        number = int(request.query.get("page", "1"))
        body = rest_page(number, 2)
        body["pagination"].update(page=str(number), pages="2", count=value, items=None)
        return json_response(body)

    async with client_against(handler, TOKEN, bound=BOUND, max_retries=0) as (_, sd):
        got = [r async for r in sd.recordings.list()]
    assert len(got) == 50


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("page", "²", "page 2: pagination.page is '²'"),
        ("last_page", DIGITS, "page 1: pagination.last_page is '1111"),
        ("last_page", DIGITS.encode(), "page 1: pagination.last_page is 1111"),
    ],
)
def test_the_cli_export_says_which_figure_in_one_line(
    field: str, value: Any, said: str, tmp_path: Path
) -> None:
    on_page = 2 if field == "page" else 1
    handler = pages_saying(field, value, on_page)
    # before: "invalid literal for int() with base 10: '²'"
    done = assert_cli_export_fails(handler, TOKEN, said, tmp_path / "r.jsonl")
    assert len(done.stderr) < 500  # the 5,000 digits are not repeated
