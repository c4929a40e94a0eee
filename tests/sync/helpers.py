"""Helpers shared by the sync facade's tests."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from screendesk_async import Screendesk
from screendesk_async.testing import FakeScreendesk, RequestRecord


def logged(fake: FakeScreendesk, count: int, timeout: float = 2.0) -> list[RequestRecord]:
    """The fake's request log once it holds ``count`` records, in the order they arrived.

    The fake logs a request when its handler has returned, on the server's own thread: the
    client can have the response (and go on) before the record is there.
    """
    deadline = time.monotonic() + timeout
    while len(fake.requests) < count and time.monotonic() < deadline:
        time.sleep(0.002)
    return sorted(fake.requests, key=lambda record: record.started)


def page_requests(fake: FakeScreendesk, path: str = "/api/v2/recordings") -> list[int]:
    return [int(r.params.get("page", "1")) for r in fake.requests if r.path == path]


async def _other_tasks() -> set[asyncio.Task[object]]:
    return asyncio.all_tasks() - {asyncio.current_task()}


def loop_tasks(client: Screendesk) -> set[asyncio.Task[object]]:
    """The tasks alive on the client's loop thread besides the asking one (none between calls)."""
    return client._portal.call(_other_tasks)


class ConnectionCounter:
    """Counts the TCP connections the client's loop opens (keep-alive reuse shows as 1)."""

    def __init__(self, client: Screendesk) -> None:
        self.count = 0
        loop: Any = client._portal.loop
        create_connection = loop.create_connection

        async def counting(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return await create_connection(*args, **kwargs)

        loop.create_connection = counting
