"""Where legacy code runs: threads, inside a running loop, interrupted, forgotten, closed."""

from __future__ import annotations

import asyncio
import gc
import os
import re
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from screendesk_async import Screendesk, errors
from screendesk_async._portal import Portal
from screendesk_async.testing import FakeScreendesk

from .helpers import ConnectionCounter, loop_tasks, page_requests

pytestmark = pytest.mark.integration


def portal_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "screendesk-portal"]


def test_many_threads_share_one_client(fake: FakeScreendesk, sd: Screendesk) -> None:
    uuids = [raw["uuid"] for raw in fake.recordings_raw()[:20]]
    connections = ConnectionCounter(sd)

    def work(worker: int) -> list[str]:
        got = []
        for i, uuid in enumerate(uuids):
            if i == worker:
                got.append(str(len(list(sd.recordings.list(last_page=2)))))
            else:
                got.append(sd.recordings.get(uuid).uuid)
        return got

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, range(8)))
    for worker, got in enumerate(results):
        assert got == [("50" if i == worker else uuid) for i, uuid in enumerate(uuids)]
    assert connections.count <= 8  # the pool of one session (max_concurrency 8), not one per call
    assert fake.max_in_flight <= 8
    assert loop_tasks(sd) == set()


async def test_works_inside_a_running_event_loop(fake: FakeScreendesk) -> None:
    # An async framework (or a notebook cell) calling legacy sync code: the facade must neither
    # deadlock nor raise "This event loop is already running".
    asyncio.get_running_loop()
    uuid = fake.recordings_raw()[0]["uuid"]
    with Screendesk(fake.admin_token, base_url=fake.url) as sd:
        assert sd.recordings.get(uuid).uuid == uuid
        assert len(list(sd.recordings.list(concurrency=3))) == 250
        for user in sd.users.list():
            assert user.email
            break
        assert [p.pagination.page for p in sd.recordings.pages(last_page=2) if p.pagination] == [
            1,
            2,
        ]
    await asyncio.sleep(0)  # the caller's own loop is untouched and still runs


def test_calling_from_the_clients_own_loop_thread_raises(
    fake: FakeScreendesk, sd: Screendesk
) -> None:
    with pytest.raises(RuntimeError, match="own event loop thread"):
        sd._portal.call_sync(sd.recordings.page, 1)
    assert fake.requests == []
    assert len(sd.recordings.page(1)) == 25  # and the client is fine


def test_close_twice_and_calls_after_close(fake: FakeScreendesk) -> None:
    before = len(portal_threads())
    sd = Screendesk(fake.admin_token, base_url=fake.url)
    assert len(portal_threads()) == before + 1
    listing = sd.recordings.list()
    sd.recordings.page(1)
    sd.close()
    sd.close()
    assert len(portal_threads()) == before  # the loop thread was joined
    with pytest.raises(errors.ConfigurationError, match="client is closed"):
        sd.recordings.get(fake.recordings_raw()[0]["uuid"])
    with pytest.raises(errors.ConfigurationError, match="client is closed"):
        next(listing)
    with Screendesk(fake.admin_token, base_url=fake.url) as other:
        pass
    with pytest.raises(errors.ConfigurationError, match="client is closed"):
        other.users.page(1)


def test_close_while_other_threads_are_in_calls(fake: FakeScreendesk) -> None:
    fake.faults.latency = 2.0
    sd = Screendesk(fake.admin_token, base_url=fake.url)
    uuid = fake.recordings_raw()[0]["uuid"]
    with ThreadPoolExecutor(2) as pool:
        call = pool.submit(sd.recordings.get, uuid)
        listing = pool.submit(lambda: list(sd.recordings.list()))
        time.sleep(0.1)
        sd.close()
        # Cancelled, not waited for: the fake's 2 s answer would have let the call succeed.
        with pytest.raises(errors.ConfigurationError, match="closed while the call"):
            call.result()
        with pytest.raises(errors.ConfigurationError, match="closed"):
            listing.result()


def test_a_dropped_client_stops_its_thread(fake: FakeScreendesk) -> None:
    before = len(portal_threads())
    uuid = fake.recordings_raw()[0]["uuid"]
    # The client itself is dropped at once; its resources keep its loop alive while used.
    assert Screendesk(fake.admin_token, base_url=fake.url).recordings.get(uuid).uuid == uuid
    sd = Screendesk(fake.admin_token, base_url=fake.url)
    listing = sd.recordings.list(concurrency=2)
    next(listing)
    del sd, listing
    gc.collect()
    deadline = time.monotonic() + 5
    while len(portal_threads()) > before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(portal_threads()) == before


def test_closing_from_the_loop_thread_does_not_deadlock() -> None:
    portal = Portal()
    portal.call_sync(portal.close)  # e.g. the last reference dropped in a callback
    portal._state.thread.join(5)
    assert not portal._state.thread.is_alive()
    assert portal.closed
    portal.close()


def test_iterator_collected_on_the_loop_thread_closes_there(fake: FakeScreendesk) -> None:
    fake.faults.latency = 0.2
    with Screendesk(fake.admin_token, base_url=fake.url) as sd:
        listing = sd.recordings.list(concurrency=3)
        next(listing)
        time.sleep(0.05)  # pages 2-4 are on the wire
        holder = [listing]
        del listing
        sd._portal.call_sync(holder.clear)  # the last reference goes on the loop thread
        deadline = time.monotonic() + 2
        while loop_tasks(sd) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert loop_tasks(sd) == set()
    time.sleep(0.25)
    assert sorted(page_requests(fake)) == [1, 2, 3, 4]


# asyncio's debug mode (-X dev) reports every callback slower than 0.1 s: on a loaded 2-core
# machine that is scheduling noise, not a defect of the script, so those lines are dropped.
_SLOW_CALLBACK = re.compile(r"^Executing <.*> took \d+(\.\d+)? seconds\n", re.MULTILINE)


def run_script(code: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error", "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    result.stderr = _SLOW_CALLBACK.sub("", result.stderr)
    return result


def test_forgetful_script_exits_cleanly_under_dev_mode() -> None:
    # Never closes the client, leaves two listings half-read with page requests in flight, and
    # keeps one listing that was never started: python -X dev -W error must stay silent.
    result = run_script(
        """
        from screendesk_async import Screendesk
        from screendesk_async.testing import FakeScreendesk, ServerThread

        with ServerThread(FakeScreendesk(recordings=200, page_size=10)) as fake:
            sd = Screendesk(fake.admin_token, base_url=fake.url)
            first = sd.recordings.get(fake.recordings_raw()[0]["uuid"])
            listing = sd.recordings.list(concurrency=4)
            next(listing)
            fake.faults.latency = 0.2
            users = sd.users.pages(concurrency=2)
            next(users)
            next(users)
            never_started = sd.recordings.pages()
            other = Screendesk(fake.admin_token, base_url=fake.url)
            other.recordings.page(1)
        print("done", first.uuid == fake.recordings_raw()[0]["uuid"])
        """
    )
    assert result.stderr == ""
    assert result.returncode == 0
    assert result.stdout == "done True\n"


def test_keyboard_interrupt_cancels_the_call() -> None:
    result = run_script(
        """
        import asyncio, signal, threading, time
        from screendesk_async import Screendesk
        from screendesk_async.testing import FakeScreendesk, ServerThread

        def interrupt_soon():
            main = threading.main_thread().ident
            threading.Timer(0.2, signal.pthread_kill, (main, signal.SIGINT)).start()

        with ServerThread(FakeScreendesk(recordings=50, page_size=10)) as fake:
            with Screendesk(fake.admin_token, base_url=fake.url) as sd:
                fake.faults.latency = 3
                interrupt_soon()
                started = time.monotonic()
                try:
                    sd.recordings.page(1)
                except KeyboardInterrupt:
                    print("call interrupted", time.monotonic() - started < 1)
                time.sleep(0.1)
                print("tasks left", len(sd._portal.call_sync(asyncio.all_tasks)) - 1)  # - its own
                listing = sd.recordings.list(concurrency=2)
                interrupt_soon()
                try:
                    next(listing)
                except KeyboardInterrupt:
                    print("next interrupted")
                listing.close()
                fake.faults.latency = 0
                print("still usable", len(sd.recordings.page(2)))
        """
    )
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        "call interrupted True",
        "tasks left 0",
        "next interrupted",
        "still usable 10",
    ]
    assert result.returncode == 0


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork() on this platform")
def test_a_client_used_after_fork_raises_at_once() -> None:
    result = run_script(
        """
        import os, time
        from screendesk_async import Screendesk, errors
        from screendesk_async.testing import FakeScreendesk, ServerThread

        with ServerThread(FakeScreendesk(recordings=30, page_size=10)) as fake:
            sd = Screendesk(fake.admin_token, base_url=fake.url)
            sd.recordings.page(1)
            pid = os.fork()
            if pid == 0:
                started = time.monotonic()
                try:
                    sd.recordings.page(1)
                except errors.ScreendeskError as exc:
                    print("child raised", type(exc).__name__, time.monotonic() - started < 5)
                sd.close()  # never waits for a thread that is not in this process
                os._exit(0)
            os.waitpid(pid, 0)
            print("parent still works", len(sd.recordings.page(2).items))
            sd.close()
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "child raised ConfigurationError True",
        "parent still works 10",
    ]
