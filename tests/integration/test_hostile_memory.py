"""Peak memory for a 1.5 GB body and a 1.4 MB gzip bomb (1.47 GB inflated), 8 MiB cap.

Each case runs in a child process of its own: the child starts a streaming server on loopback,
warms the client up with one small request, records its resident set (the baseline), makes the
hostile request, then reads its peak resident set. The peak covers the child's whole life, so
"peak - baseline" can only overstate what the request cost.

The peak is Linux's ``VmHWM`` where there is one: ``getrusage().ru_maxrss`` of a child started
by fork + exec also counts the parent's resident set at the fork (the kernel carries the old
memory map's high-water mark over the exec), which under pytest is the whole test session.
Elsewhere ``ru_maxrss`` is used, which can only overstate.
"""

from __future__ import annotations

import subprocess
import sys

import orjson
import pytest

pytestmark = pytest.mark.integration

LIMIT_MB = 150

CHILD = r"""
import asyncio, resource, sys, zlib
import orjson
from aiohttp import web
from screendesk_async import AsyncScreendesk, errors

CASE = sys.argv[1]
MIB = 2**20
SMALL = orjson.dumps({"pagination": {"page": 1, "pages": 1}, "records": []})


def bomb(inflated: int) -> bytes:
    # gzip of `inflated` spaces, built piecewise so this process never holds the inflated body
    deflate = zlib.compressobj(9, zlib.DEFLATED, 31)
    piece = b" " * MIB
    parts = [deflate.compress(piece) for _ in range(inflated // MIB)]
    return b"".join(parts) + deflate.flush()


async def handler(request: web.Request) -> web.StreamResponse:
    if request.query.get("page") == "1":
        return web.Response(body=SMALL, content_type="application/json")
    headers = {"Content-Type": "application/json"}
    if CASE == "bomb":
        headers["Content-Encoding"] = "gzip"
    response = web.StreamResponse(headers=headers)
    response.enable_chunked_encoding()
    await response.prepare(request)
    try:
        if CASE == "bomb":
            data = request.app["bomb"]
            for start in range(0, len(data), 64 * 1024):
                await response.write(data[start : start + 64 * 1024])
        else:
            piece = b" " * MIB
            for _ in range(1500 * MIB // MIB):  # 1.5 GB (1,500 MiB)
                await response.write(piece)
    except (ConnectionError, RuntimeError):
        pass  # the client stopped reading at its cap
    return response


def status_mb(field: str) -> float | None:
    try:
        with open("/proc/self/status") as status:  # Linux
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def peak_mb() -> float:
    hwm = status_mb("VmHWM")  # this process's own peak resident set
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 if hwm is None else hwm


def resident_mb() -> float:
    rss = status_mb("VmRSS")  # the resident set right now
    return peak_mb() if rss is None else rss


async def main() -> None:
    app = web.Application()
    app["bomb"] = bomb(1400 * MIB) if CASE == "bomb" else b""  # 1.47 GB inflated
    app.router.add_get("/api/v2/recordings", handler)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    cap = 8 * MIB
    async with AsyncScreendesk("sd-memory-test-token", base_url=url, max_response_size=cap) as sd:
        await sd.recordings.page(1)
        baseline = resident_mb()
        try:
            await sd.recordings.page(2)
            outcome = "returned"
        except errors.ResponseTooLargeError:
            outcome = "ResponseTooLargeError"
        peak = peak_mb()
    await runner.cleanup()
    print(orjson.dumps({"case": CASE, "wire_bytes": len(app["bomb"]), "baseline_mb": baseline,
                        "peak_mb": peak, "outcome": outcome}).decode())


asyncio.run(asyncio.wait_for(main(), 120))
"""


@pytest.mark.parametrize("case", ["body", "bomb"])
def test_peak_memory_stays_bounded_with_an_8_mib_cap(
    case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, case], capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    figures = orjson.loads(done.stdout.strip().splitlines()[-1])
    above = figures["peak_mb"] - figures["baseline_mb"]
    with capsys.disabled():
        print(
            f"\n[memory {case}] outcome={figures['outcome']} wire={figures['wire_bytes']} B "
            f"baseline={figures['baseline_mb']:.1f} MB peak={figures['peak_mb']:.1f} MB "
            f"above baseline={above:.1f} MB"
        )
    assert figures["outcome"] == "ResponseTooLargeError"
    assert above < LIMIT_MB
