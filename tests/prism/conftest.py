"""Prism (``@stoplight/prism-cli``, pinned in ``tools/prism``) serving the project's spec.

Three mock servers run for the session on loopback: ``static`` answers with the spec's examples;
``dynamic`` (``-d``: random bodies the schemas allow, random extra properties included) is
seeded, so its answers replay exactly (Prism re-seeds for every response, so each operation
always gets the same body); ``random`` is the same without a seed, a new body every time (the
tests print the body of any response that fails them, so it can be replayed).

Request validation stays on: Prism answers a request that does not match the spec with a 4xx
and lists the violations in its ``sl-violations`` header, which :func:`prism_client` collects
from every response and fails the test on.

``noxfile.py`` installs Prism (``npm ci --prefix tools/prism``). Without it these tests are
skipped with the reason, except under ``CI=true``, where a missing Prism is a failure.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, NoReturn

import aiohttp
import pytest
from aiohttp import web
from yarl import URL

from screendesk_async import AsyncScreendesk

from ..loopback import free_port, wait_until_listening
from ._spec import load_spec, scim_prefix, served_document

PRISM_DIR: Final = Path(__file__).resolve().parents[2] / "tools" / "prism"
PRISM_BIN: Final = PRISM_DIR / "node_modules" / ".bin" / "prism"
#: Makes the dynamic server's bodies reproducible (Prism seeds json-schema-faker with it).
DYNAMIC_SEED: Final = "screendesk"
MODES: Final = ("static", "dynamic", "random")
REST_TOKEN: Final = "prism-rest-token"
SCIM_TOKEN: Final = "prism-scim-token"
_STARTUP_SECONDS: Final = 90.0  # node starting on a busy 2-core machine


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true requires Prism: {reason}", pytrace=False)
    pytest.skip(f"Prism tests skipped: {reason}")


@dataclass(frozen=True)
class PrismServer:
    """One running ``prism mock``: where it listens and where its log goes."""

    mode: str
    url: str
    log: Path

    def log_tail(self, lines: int = 40) -> str:
        """The end of Prism's own log, for failure messages."""
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def _start(document: Path, log: Path, mode: str) -> tuple[subprocess.Popen[bytes], PrismServer]:
    port = free_port()
    command = [str(PRISM_BIN), "mock", str(document), "-h", "127.0.0.1", "-p", str(port)]
    if mode != "static":
        command += ["-d", "--json-schema-faker-fillProperties=true"]
    if mode == "dynamic":
        command += ["--seed", DYNAMIC_SEED]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return process, PrismServer(mode, f"http://127.0.0.1:{port}", log)


def _wait_until_listening(process: subprocess.Popen[bytes], server: PrismServer) -> None:
    port = int(server.url.rsplit(":", 1)[1])
    try:
        wait_until_listening(
            process, port, seconds=_STARTUP_SECONDS, what=f"prism mock ({server.mode})"
        )
    except RuntimeError as exc:
        exc.add_note(f"Prism's log:\n{server.log_tail()}")
        raise


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        # Its own process group (start_new_session): node and anything it forked.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def prism_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, PrismServer]]:
    """The Prism servers by mode, started together, stopped at the end of the session."""
    if shutil.which("node") is None:
        _unavailable("node is not on PATH (install Node.js >= 18 and npm)")
    if not PRISM_BIN.exists():
        _unavailable(f"{PRISM_BIN} is missing; run `npm ci --prefix tools/prism` (needs npm)")
    folder = tmp_path_factory.mktemp("prism")
    document = folder / "screendesk.openapi.json"
    document.write_text(json.dumps(served_document(load_spec())), encoding="utf-8")
    started = [_start(document, folder / f"{mode}.log", mode) for mode in MODES]
    try:
        for process, server in started:
            _wait_until_listening(process, server)
        yield {server.mode: server for _, server in started}
    finally:
        for process, _ in started:
            _stop(process)


@pytest.fixture(scope="session")
def prism_static(prism_servers: dict[str, PrismServer]) -> PrismServer:
    """Prism answering with the spec's examples."""
    return prism_servers["static"]


@pytest.fixture(scope="session")
def prism_dynamic(prism_servers: dict[str, PrismServer]) -> PrismServer:
    """Prism answering with random valid bodies (seeded: the same body for each operation)."""
    return prism_servers["dynamic"]


@pytest.fixture(scope="session")
def prism_random(prism_servers: dict[str, PrismServer]) -> PrismServer:
    """Prism answering with a new random valid body every time."""
    return prism_servers["random"]


@dataclass
class Exchange:
    """One response Prism sent to the client, with the violations it reported."""

    method: str
    url: str
    status: int
    violations: list[dict[str, Any]]
    body: bytes

    def json(self) -> Any:
        """The body as Prism sent it, decoded (None when empty)."""
        return json.loads(self.body) if self.body else None


@dataclass
class Traffic:
    """Every exchange of one client with Prism."""

    exchanges: list[Exchange] = field(default_factory=list)

    def request_violations(self) -> list[str]:
        """Prism's complaints about what the client sent (never expected)."""
        return [
            f"{e.method} {e.url} -> {e.status}: {v.get('message')} at {v.get('location')}"
            for e in self.exchanges
            for v in e.violations
            if (v.get("location") or [""])[0] == "request"
        ]

    def last(self) -> Exchange:
        """The latest exchange (the answer to the call just made)."""
        assert self.exchanges, "the client sent nothing"
        return self.exchanges[-1]


#: Headers that describe one hop (or a body the recorder re-frames), never forwarded.
_HOP_HEADERS: Final = frozenset(
    {"host", "connection", "keep-alive", "content-length", "transfer-encoding", "content-encoding"}
)


@contextlib.asynccontextmanager
async def _recorder(server: PrismServer, traffic: Traffic) -> AsyncIterator[str]:
    """A loopback relay to ``server`` that records every exchange whole; yields its URL.

    It sits between the client and Prism and passes requests and answers through unchanged
    (but for per-hop framing), so the tests see the very bytes the client received, however
    the client reads them.
    """

    async def relay(request: web.Request) -> web.StreamResponse:
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_HEADERS}
        body = await request.read()
        # The path and query exactly as the client encoded them (path_qs would be decoded).
        target = URL(server.url + request.raw_path, encoded=True)
        async with upstream.request(
            request.method,
            target,
            headers=headers,
            data=body or None,
            allow_redirects=False,
        ) as answer:
            data = await answer.read()
            reply = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP_HEADERS}
            violations = answer.headers.get("sl-violations")
            traffic.exchanges.append(
                Exchange(
                    request.method,
                    str(target),
                    answer.status,
                    json.loads(violations) if violations else [],
                    data,
                )
            )
        return web.Response(status=answer.status, body=data, headers=reply)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", relay)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    # No compression upstream: the body recorded is the body relayed.
    async with aiohttp.ClientSession(auto_decompress=False) as upstream:
        try:
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            host, port = runner.addresses[0][:2]
            yield f"http://{host}:{port}"
        finally:
            await runner.cleanup()


@contextlib.asynccontextmanager
async def prism_client(
    server: PrismServer, *, prefer: str | None = None, **options: Any
) -> AsyncIterator[tuple[AsyncScreendesk, Traffic]]:
    """A client of ``server`` through the public API, and the traffic it exchanges.

    The client talks to Prism through a recording relay, so the traffic keeps each response's
    status, body and ``sl-violations``, and a test compares the models with the very bytes the
    client received. ``prefer`` is sent as Prism's ``Prefer`` header (``example=older``,
    ``code=404``) on every request, through the app's own aiohttp session, as any app can.
    Leaving the block fails when Prism reported a violation of the spec by any request the
    client sent.
    """
    traffic = Traffic()
    headers = {"Prefer": prefer} if prefer else None
    async with (
        _recorder(server, traffic) as url,
        aiohttp.ClientSession(headers=headers) as session,
        AsyncScreendesk(
            REST_TOKEN,
            scim_token=SCIM_TOKEN,
            base_url=url,
            scim_base_url=url + scim_prefix(load_spec()),
            session=session,
            timeout=20.0,
            **options,
        ) as sd,
    ):
        try:
            yield sd, traffic
        except BaseException as exc:
            for line in traffic.request_violations():
                exc.add_note(f"Prism rejected a request: {line}")
            if not isinstance(exc, AssertionError):
                exc.add_note(f"Prism {server.mode} log:\n{server.log_tail()}")
            raise
    rejected = traffic.request_violations()
    assert not rejected, "Prism's request validation rejected the client:\n" + "\n".join(rejected)
