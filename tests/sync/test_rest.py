"""What only the sync facade does, against the fake on loopback.

Everything both clients do is tested once, for both, in ``tests/integration/test_rest.py``;
here: iterators closed by ``break`` or garbage collection, the loop thread left clean, one
connection reused across blocking calls, a constructor that fails without leaking its thread.
"""

from __future__ import annotations

import threading
import time

import aiohttp
import pytest

from screendesk_async import Screendesk, errors
from screendesk_async.testing import FakeScreendesk

from .helpers import ConnectionCounter, logged, loop_tasks, page_requests

pytestmark = pytest.mark.integration


def test_a_listing_leaves_no_task_on_the_loop(fake: FakeScreendesk, sd: Screendesk) -> None:
    assert len(list(sd.recordings.list(concurrency=4))) == 250
    assert loop_tasks(sd) == set()
    logged(fake, 10)  # the fake's thread logs a request after answering it
    assert sorted(page_requests(fake)) == list(range(1, 11))
    assert [r["uuid"] for r in next(sd.recordings.raw_pages(first_page=10))["records"]] == [
        r["uuid"] for r in fake.recordings_raw()[225:]
    ]


@pytest.mark.parametrize("how", ["break", "close", "drop"])
def test_breaking_out_cancels_requests_in_flight(fake: FakeScreendesk, how: str) -> None:
    fake.faults.latency = 1.5
    with Screendesk(fake.admin_token, base_url=fake.url) as sd:
        if how == "break":
            for recording in sd.recordings.list(concurrency=4):
                first = recording
                time.sleep(0.05)  # the window of pages 2-5 is now in flight
                assert fake.max_in_flight >= 2
                started = time.perf_counter()
                break  # the loop held the only reference: the generator is closed here
        else:
            iterator = sd.recordings.list(concurrency=4)
            first = next(iterator)
            time.sleep(0.05)
            assert fake.max_in_flight >= 2
            started = time.perf_counter()
            if how == "close":
                iterator.close()  # type: ignore[attr-defined]
            else:
                del iterator  # collected: the generator closes itself
        closed_in = time.perf_counter() - started
        assert loop_tasks(sd) == set()  # nothing left running on the client's loop
    assert first.uuid == fake.recordings_raw()[0]["uuid"]
    # Awaiting the pages would take most of the fake's 1.5 s; cancelling them takes milliseconds.
    assert closed_in < 0.75
    time.sleep(1.6)  # the fake logs a request when its (slow) handler returns
    assert sorted(page_requests(fake)) == [1, 2, 3, 4, 5]  # only one window was requested


def test_bad_configuration_raises_from_the_constructor() -> None:
    threads = threading.active_count()
    with pytest.raises(errors.ConfigurationError, match="https"):
        Screendesk("token", base_url="http://example.com")
    with pytest.raises(ValueError, match="max_concurrency"):
        Screendesk("token", max_concurrency=0)
    assert threading.active_count() == threads  # the loop thread was stopped again


def test_one_session_and_connection_serve_every_call(fake: FakeScreendesk, sd: Screendesk) -> None:
    uuid = fake.recordings_raw()[0]["uuid"]
    connections = ConnectionCounter(sd)
    sd.recordings.get(uuid)
    session = sd._resource._transport._session
    assert isinstance(session, aiohttp.ClientSession)
    for _ in range(20):
        sd.recordings.get(uuid)
    sd.users.page(1)
    assert sd._resource._transport._session is session
    assert connections.count == 1  # keep-alive: every sequential call reused the first connection


def test_closed_client_refuses_calls(fake: FakeScreendesk) -> None:
    sd = Screendesk(fake.admin_token, base_url=fake.url)
    sd.recordings.page(1)
    assert not sd.closed
    sd.close()
    sd.close()
    assert sd.closed
    with pytest.raises(errors.ConfigurationError, match="closed"):
        sd.recordings.page(1)
    with pytest.raises(errors.ConfigurationError, match="closed"):
        sd.recordings.list()
    with pytest.raises(errors.ConfigurationError, match="closed"):
        sd.scim.users.get("abc")
    assert repr(sd) == f"Screendesk(base_url={fake.url!r})"
