"""Fake in-memory listings the page fetcher's tests read: a REST listing and a SCIM one.

Each records what was asked of it (pages fetched, completed, cancelled; requests in flight),
so a test can check how the fetcher went through it.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

from screendesk_async._pagination import RawPage
from screendesk_async._strategies import OffsetPages


class Failure(Exception):
    """Raised by a fake page fetch."""


class FakeRest:
    """A REST listing of ``pages`` pages of ``per_page`` records, served with random delays."""

    def __init__(
        self,
        pages: int,
        *,
        per_page: int = 3,
        seed: int = 0,
        max_delay: float = 0.004,
        total_known: bool = True,
    ) -> None:
        self.pages = pages
        self.per_page = per_page
        self.rng = random.Random(seed)
        self.max_delay = max_delay
        self.total_known = total_known
        self.overrides: dict[int, RawPage] = {}
        self.delays: dict[int, float] = {}
        self.fail: set[int] = set()
        self.fetched: list[int] = []
        self.completed: list[int] = []
        self.cancelled: list[int] = []
        self.in_flight = 0
        self.max_in_flight = 0

    def body(self, page: int) -> RawPage:
        """Page ``page`` as the API sends it (an override when a test set one)."""
        if page in self.overrides:
            return self.overrides[page]
        records = (
            [{"uuid": f"{page}-{i}"} for i in range(self.per_page)] if page <= self.pages else []
        )
        pagination: dict[str, Any] = {"page": page}
        if self.total_known:
            pagination["pages"] = self.pages
        if page < self.pages:
            pagination["next_page"] = page + 1
        return {"pagination": pagination, "records": records}

    async def fetch(self, page: int) -> RawPage:
        """Serve page ``page`` after its delay, failing it when a test asked for that."""
        self.fetched.append(page)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delays.get(page, self.rng.uniform(0, self.max_delay)))
            if page in self.fail:
                raise Failure(f"page {page} failed")
            self.completed.append(page)
            return self.body(page)
        except asyncio.CancelledError:
            self.cancelled.append(page)
            raise
        finally:
            self.in_flight -= 1


class FakeScim:
    """A SCIM ListResponse over ``total`` users; ``count`` is read from the plan (as the client)."""

    def __init__(
        self,
        total: int,
        plan: OffsetPages,
        *,
        default_count: int = 5,
        send_total: bool = True,
        send_items_per_page: bool = True,
        seed: int = 0,
    ) -> None:
        self.total = total
        self.plan = plan
        self.default_count = default_count
        self.send_total = send_total
        self.send_items_per_page = send_items_per_page
        self.rng = random.Random(seed)
        self.requests: list[tuple[int, int | None]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.shrink_to: int | None = None

    async def fetch(self, start: int) -> RawPage:
        """The ListResponse from ``startIndex`` ``start``, of the plan's current ``count``."""
        count = self.plan.count
        self.requests.append((start, count))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.rng.uniform(0, 0.003))
        finally:
            self.in_flight -= 1
        size = count or self.default_count
        total = self.total if self.shrink_to is None else self.shrink_to
        resources = [{"id": str(i)} for i in range(start, min(start + size, total + 1))]
        body: RawPage = {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "Resources": resources,
        }
        if self.send_total:
            body["totalResults"] = total
        if self.send_items_per_page:
            body["itemsPerPage"] = len(resources)
            body["startIndex"] = start
        return body
