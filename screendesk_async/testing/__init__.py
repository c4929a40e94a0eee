"""A fake Screendesk server for tests, demos and benchmarks.

:class:`FakeScreendesk` serves the REST v2 and SCIM 2.0 APIs on loopback (aiohttp.web) with
seeded, deterministic data, the documented error bodies, admin/member visibility, and
switchable :class:`Faults` (latency, 429 with Retry-After, proxy 5xx pages, dropped
connections, malformed and truncated bodies). Every request is logged as a
:class:`RequestRecord`, so tests can assert what a client sent, how many requests it had in
flight and how fast it went.

Example::

    from screendesk_async.testing import FakeScreendesk

    async def test_export_survives_a_flaky_server() -> None:
        async with FakeScreendesk(recordings=100, page_size=10) as fake:
            fake.faults.fail_next(2, "503")
            fake.faults.latency = 0.01
            ...  # point your code at fake.url with fake.admin_token
            assert fake.requests[0].status == 503

Synchronous code can run the fake in a background thread::

    with ServerThread(FakeScreendesk()) as fake:
        print(fake.url, fake.admin_token)

``python -m screendesk_async.testing --port 8080`` runs one in the foreground.
"""

from screendesk_async.testing._faults import FAULT_KINDS, FaultKind, Faults
from screendesk_async.testing._log import RequestRecord
from screendesk_async.testing._rest import AuthKind, RestOptions
from screendesk_async.testing._server import FakeScreendesk
from screendesk_async.testing._thread import ServerThread

__all__ = [
    "FAULT_KINDS",
    "AuthKind",
    "FakeScreendesk",
    "FaultKind",
    "Faults",
    "RequestRecord",
    "RestOptions",
    "ServerThread",
]
