"""A record deep enough that a CSV cell cannot hold it: the export stops with a library error."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiohttp import web

from screendesk_async import AsyncScreendesk, errors
from screendesk_async.export import export

from ..integration.hostile import RECORDING_UUID, serve

pytestmark = pytest.mark.integration

#: Deeper than orjson writes (254 levels), well within what msgspec and orjson read.
DEPTH = 300
RECORD = (
    b'{"uuid": "'
    + RECORDING_UUID.format(1).encode()
    + b'", "tags": '
    + b"[" * DEPTH
    + b"]" * DEPTH
    + b"}"
)
PAGE = b'{"pagination": {"page": 1, "pages": 1, "count": 1}, "records": [' + RECORD + b"]}"


async def one_page(_: web.Request) -> web.Response:
    return web.Response(body=PAGE, content_type="application/json")


@pytest.mark.parametrize("name", ["r.csv", "r.csv.gz"])
async def test_a_record_too_deep_for_csv_is_a_decode_error(tmp_path: Path, name: str) -> None:
    async with (
        serve(one_page) as server,
        AsyncScreendesk("t-0123456789", base_url=server.url) as sd,
    ):
        # Before: orjson's bare TypeError ("Recursion limit reached") from the CSV writer.
        with pytest.raises(errors.ResponseDecodeError, match="too deep to be written as CSV"):
            await export(sd, "recordings", tmp_path / name)
        summary = await export(sd, "recordings", tmp_path / "r.jsonl")
    assert summary.records == 1
    written = await asyncio.to_thread((tmp_path / "r.jsonl").read_bytes)
    assert written == RECORD + b"\n"  # JSONL keeps it as sent
    assert not await asyncio.to_thread((tmp_path / name).exists)
