"""``export()`` as a library function inside an application's event loop."""

from __future__ import annotations

import asyncio
import gzip
import os
import signal
import threading
from collections.abc import Iterable
from pathlib import Path

import orjson
import pytest

from screendesk_async import AsyncScreendesk, errors
from screendesk_async.export import Checkpoint, export, output_format
from screendesk_async.export._writers import Chunk
from screendesk_async.testing import FakeScreendesk

from ..loopback import serve_app

pytestmark = pytest.mark.integration


async def test_other_requests_complete_while_the_export_fsyncs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entered, release = threading.Event(), threading.Event()
    real_fsync = os.fsync
    loop_thread = threading.get_ident()
    fsync_threads: set[int] = set()

    def slow_fsync(fd: int) -> None:
        fsync_threads.add(threading.get_ident())
        if not entered.is_set():
            entered.set()
            release.wait(10)  # holds the first fsync until the other request is done
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", slow_fsync)
    async with (
        FakeScreendesk(recordings=200, users=20, page_size=20) as fake,
        AsyncScreendesk(fake.admin_token, base_url=fake.url) as sd,
    ):
        task = asyncio.create_task(export(sd, "recordings", tmp_path / "r.jsonl.gz"))
        for _ in range(1000):  # bounded: at most 10 s
            if entered.is_set():
                break
            await asyncio.sleep(0.01)
        assert entered.is_set()
        # The export is inside an fsync; the loop is free: another request of the app runs.
        page = await asyncio.wait_for(sd.users.page(1), 10)
        assert len(page.items) == 20
        assert not release.is_set()  # the fsync was still going on
        assert not task.done()
        release.set()
        summary = await asyncio.wait_for(task, 30)
        assert summary.records == 200
        expected = fake.recordings_raw()
    assert loop_thread not in fsync_threads  # every fsync ran on the writer thread
    data = gzip.decompress((tmp_path / "r.jsonl.gz").read_bytes())
    assert [orjson.loads(line) for line in data.splitlines()] == expected


async def test_a_failing_write_stops_the_export_and_keeps_a_resumable_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from screendesk_async.export import _sinks

    writes = 0
    real_write = _sinks.Sink.write

    def full_disk(self: _sinks.Sink, data: Iterable[Chunk]) -> None:
        nonlocal writes
        writes += 1
        if writes == 3:
            raise OSError(28, "No space left on device")
        real_write(self, data)

    monkeypatch.setattr(_sinks.Sink, "write", full_disk)
    output = tmp_path / "r.jsonl"
    async with (
        FakeScreendesk(recordings=100, page_size=10) as fake,
        AsyncScreendesk(fake.admin_token, base_url=fake.url) as sd,
    ):
        with pytest.raises(OSError, match="No space left"):
            await export(sd, "recordings", output, concurrency=2, checkpoint_every=0)
        assert not output.exists()
        monkeypatch.setattr(_sinks.Sink, "write", real_write)
        summary = await export(sd, "recordings", output, resume=True)
        assert summary.resumed
        assert summary.total_records == 100
        assert [orjson.loads(x) for x in output.read_bytes().splitlines()] == fake.recordings_raw()


def test_output_format_by_extension() -> None:
    assert output_format("a.JSONL", None) == ("jsonl", False)
    assert output_format("a.ndjson.gz", None) == ("jsonl", True)
    assert output_format("a.csv", "csv") == ("csv", False)
    assert output_format("-", "csv") == ("csv", False)
    assert output_format("/dev/null", None) == ("jsonl", False)
    with pytest.raises(ValueError, match="contradicts"):
        output_format("a.csv.gz", "jsonl")
    with pytest.raises(ValueError, match="unknown format"):
        output_format("a.csv", "xml")


async def test_a_page_that_is_not_the_one_asked_for_fails_the_export(tmp_path: Path) -> None:
    from aiohttp import web

    async def wrong_page(request: web.Request) -> web.Response:
        body = {"pagination": {"page": 1, "pages": 3, "count": 6}, "records": [{"uuid": "a"}]}
        return web.json_response(body)

    app = web.Application()
    app.router.add_get("/api/v2/recordings", wrong_page)
    async with serve_app(app) as url, AsyncScreendesk("t", base_url=url, max_retries=0) as sd:
        with pytest.raises(
            errors.ResponseDecodeError, match="page 2: the server answered with page 1 instead"
        ):
            await export(sd, "recordings", tmp_path / "r.jsonl")
    assert not (tmp_path / "r.jsonl").exists()


@pytest.mark.parametrize(
    "body",
    [
        b'{"records": [1, 2]}',
        b'{"records": 5}',
        b"[]",
    ],
)
def test_raw_decoder_refuses_what_is_not_a_page(body: bytes) -> None:
    from screendesk_async.export._sources import RawRestDecoder

    with pytest.raises(ValueError, match=r"\w"):
        RawRestDecoder("records", "uuid")(body)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"pagination": {"page": 1, "pages": 1}}', "page 1: 'records' is missing"),
        (b'{"records": null}', "page 1: 'records' is null, not a list"),
    ],
)
def test_missing_or_null_records_are_reported_by_the_page_check(body: bytes, message: str) -> None:
    from screendesk_async.export._sources import RawNumberedPages, RawRestDecoder

    page = RawRestDecoder("records", "uuid")(body)
    with pytest.raises(errors.ResponseDecodeError, match=message):
        RawNumberedPages("records", id_key="uuid").check(1, page)


def test_raw_decoder_keeps_bytes_and_makes_pretty_records_one_line() -> None:
    from screendesk_async.export._sources import IDS_KEY, RawRestDecoder

    compact = RawRestDecoder("records", "uuid")(b'{"records":[{"uuid":"a","x":1.50}]}')
    assert [bytes(r) for r in compact["records"]] == [b'{"uuid":"a","x":1.50}']
    assert compact[IDS_KEY] == ["a"]
    pretty = RawRestDecoder("records", "uuid")(b'{"records": [\n {\n "uuid": "b"\n }\n]}')
    assert [bytes(r) for r in pretty["records"]] == [b'{"uuid":"b"}']


async def test_drift_to_stdout_picks_up_new_head_records_once(
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    async with (
        FakeScreendesk(recordings=200, page_size=20) as fake,
        AsyncScreendesk(fake.admin_token, base_url=fake.url) as sd,
    ):

        def grow(state: Checkpoint, expected: int | None) -> None:
            if state.pages == 1:
                fake.add_recordings(7, at_head=True)  # shifts every page by 7

        summary = await export(sd, "recordings", "-", concurrency=1, on_page=grow)
        expected = {r["uuid"] for r in fake.recordings_raw()}
    exported = [orjson.loads(line)["uuid"] for line in capsysbinary.readouterr().out.splitlines()]
    assert len(exported) == len(set(exported)) == 207  # stdout cannot be read back: ids kept
    assert set(exported) == expected
    assert summary.head_records == 7
    assert summary.output == "-"


#: Records as a server may spell them: every token here must reach the output as it was sent
#: (an integer past 64 bits, a float's trailing zero and exponent, escapes, spaces in a string).
SPELLED = [
    b'{"uuid":"a","n":123456789012345678901234567890,"f":1.50,"g":1E400,"e":"\\u00e9\\r\\n"}',
    b'{"uuid":"b","nested":{"x":[-0.0e-5,{},[]]},"s":"  two  spaces  ","t":true}',
]


async def test_a_pretty_printed_crlf_page_is_exported_token_for_token(tmp_path: Path) -> None:
    import msgspec
    from aiohttp import web

    from tests.integration.hostile import serve

    pretty = [msgspec.json.format(r, indent=2).replace(b"\n", b"\r\n") for r in SPELLED]
    body = (
        b'{\r\n  "pagination": {"page": 1, "pages": 1, "count": 2},\r\n  "records": [\r\n'
        + b",\r\n".join(pretty)
        + b"\r\n  ]\r\n}\r\n"
    )

    async def page(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/json")

    output = tmp_path / "r.jsonl.gz"
    async with (
        serve(page) as server,
        AsyncScreendesk("t", base_url=server.url, max_retries=0) as sd,
    ):
        summary = await export(sd, "recordings", output)
    assert summary.records == 2
    # One line a record, only the whitespace between tokens dropped: nothing re-encoded.
    assert gzip.decompress(output.read_bytes()) == b"".join(r + b"\n" for r in SPELLED)


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="RLIMIT_FSIZE is POSIX")
@pytest.mark.parametrize("name", ["r.jsonl", "r.jsonl.gz"])
async def test_a_write_refused_mid_page_resumes_to_every_record_once(
    tmp_path: Path, name: str
) -> None:
    import random
    import resource

    from aiohttp import web

    from tests.integration.hostile import serve

    # Records of about 64 KiB that gzip cannot shrink much: the file passes its size limit in
    # the middle of a record (a torn page after the last checkpoint), as a full disk would.
    per_page, pages = 4, 10
    records = [
        orjson.dumps({"uuid": f"u{i:03d}", "pad": random.Random(i).randbytes(32_000 + i).hex()})
        for i in range(per_page * pages)
    ]

    async def page(request: web.Request) -> web.Response:
        n = int(request.query["page"])
        head = b'{"pagination":{"page":%d,"pages":%d},"records":[' % (n, pages)
        chunk = b",".join(records[(n - 1) * per_page : n * per_page])
        return web.Response(body=head + chunk + b"]}", content_type="application/json")

    output = tmp_path / name
    partial = tmp_path / f"{name}.partial"
    limit = 1_000_000
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    async with (
        serve(page) as server,
        AsyncScreendesk("t", base_url=server.url, max_retries=0) as sd,
    ):
        handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG, not a kill
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
        try:
            with pytest.raises(OSError, match="too large"):
                await export(sd, "recordings", output, concurrency=1, checkpoint_every=0)
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
            signal.signal(signal.SIGXFSZ, handler)
        saved = Checkpoint.load(Path(f"{output}.checkpoint"))
        assert 0 < saved.records < len(records)
        assert saved.size < partial.stat().st_size == limit  # torn bytes past the checkpoint
        summary = await export(sd, "recordings", output, resume=True)
    assert summary.resumed
    assert summary.total_records == len(records)
    data = output.read_bytes()
    assert (gzip.decompress(data) if name.endswith(".gz") else data) == b"".join(
        r + b"\n" for r in records
    )


@pytest.mark.parametrize("compressed", [False, True])
def test_the_head_reread_knows_every_id_written_but_an_empty_one(
    tmp_path: Path, compressed: bool
) -> None:
    from screendesk_async.export._head import ids_at_head
    from screendesk_async.export._sources import SOURCES

    written = [{"uuid": "a"}, {"uuid": 0}, {"uuid": ""}, {"uuid": None}, {}, {"uuid": "z"}]
    lines = b"".join(orjson.dumps(record) + b"\n" for record in written)
    partial = tmp_path / "r.jsonl.partial"
    partial.write_bytes(gzip.compress(lines) if compressed else lines)
    # 0 is an id like any other (else its record would be written twice); an empty or missing
    # one names no record, so records without one are never dropped as already written.
    known = ids_at_head(partial, SOURCES["recordings"], "jsonl", compressed, limit=5)
    assert known == {"a", "0"}
