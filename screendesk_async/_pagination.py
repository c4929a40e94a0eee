"""Fetching the pages of a listing concurrently and yielding them in order.

:func:`ordered_pages` is the one machine; a :class:`PagePlan` says where the pages are. REST
listings (``?page=N``) and SCIM listings (``startIndex``/``count``) are two plans of it.

The machine fetches the first page, asks the plan for the keys of all the others (known once the
first page tells the total), and keeps at most ``concurrency`` of them in flight, a window that
slides as the consumer takes pages. Pages are yielded strictly in order, so memory holds one
window whatever the size of the listing. When the total is unknown, or the listing grew while it
was read, the plan's ``next_key`` is followed one page at a time. Closing the iterator cancels the
requests in flight.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import Any, Protocol

RawPage = dict[str, Any]
Fetch = Callable[[int], Awaitable[RawPage]]


class PagePlan(Protocol):
    """Where the pages of one listing are (a strategy for :func:`ordered_pages`)."""

    first_key: int

    def remaining_keys(self, first: RawPage) -> Iterable[int] | None:
        """The keys of every page after the first, in order, or ``None`` when unknown."""

    def next_key(self, key: int, page: RawPage) -> int | None:
        """The key of the page after ``page`` (fetched at ``key``), or ``None`` at the end."""

    def is_empty(self, page: RawPage) -> bool:
        """Whether ``page`` holds no items."""


async def _cancel_all(tasks: Iterable[asyncio.Task[RawPage]]) -> None:
    pending = list(tasks)
    for task in pending:
        task.cancel()
    # Also retrieves the exceptions of tasks that failed unobserved, so none is logged as
    # "never retrieved".
    await asyncio.gather(*pending, return_exceptions=True)


async def ordered_pages(fetch: Fetch, plan: PagePlan, concurrency: int) -> AsyncIterator[RawPage]:
    """Yield the raw pages of a listing in order, fetching up to ``concurrency`` ahead."""
    key, page = plan.first_key, await fetch(plan.first_key)
    planned = None if plan.is_empty(page) else plan.remaining_keys(page)
    keys: Iterator[int] = iter(planned or ())
    window: deque[tuple[int, asyncio.Task[RawPage]]] = deque()

    def refill() -> None:
        for planned_key in itertools.islice(keys, concurrency - len(window)):
            window.append((planned_key, asyncio.ensure_future(fetch(planned_key))))

    try:
        # The window goes out before the first page is handed over, so the consumer's work on a
        # page overlaps the requests for the next ones.
        refill()
        yield page
        while window:
            key, task = window[0]
            page = await task
            window.popleft()
            if plan.is_empty(page):
                # The listing shrank while it was read: nothing lies beyond an empty page.
                return
            refill()
            yield page
    finally:
        await _cancel_all(task for _, task in window)
    # Unknown total, or pages appeared after the planned last one: follow the links.
    while not plan.is_empty(page):
        next_key = plan.next_key(key, page)
        if next_key is None or next_key <= key:
            return
        key, page = next_key, await fetch(next_key)
        if plan.is_empty(page):
            return
        yield page


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


class NumberedPages:
    """REST v2 paging: ``?page=N`` with a ``pagination`` object in every response."""

    def __init__(self, items_key: str, first_page: int = 1, last_page: int | None = None) -> None:
        self.items_key = items_key
        self.first_key = first_page
        self.last_page = last_page

    def _pagination(self, page: RawPage) -> dict[str, Any]:
        pagination = page.get("pagination")
        return pagination if isinstance(pagination, dict) else {}

    def remaining_keys(self, first: RawPage) -> Iterable[int] | None:
        """Pages ``first+1 .. min(pages, last_page)`` when the response says how many."""
        pagination = self._pagination(first)
        total = _int_or_none(pagination.get("pages")) or _int_or_none(pagination.get("last_page"))
        if total is None:
            return None
        if self.last_page is not None:
            total = min(total, self.last_page)
        return range(self.first_key + 1, total + 1)

    def next_key(self, key: int, page: RawPage) -> int | None:
        """``next_page`` of the response, within ``last_page``."""
        following = _int_or_none(self._pagination(page).get("next_page"))
        if following is None or (self.last_page is not None and following > self.last_page):
            return None
        return following

    def is_empty(self, page: RawPage) -> bool:
        """No records on the page."""
        return not page.get(self.items_key)


class OffsetPages:
    """SCIM (RFC 7644) paging: ``startIndex`` (1-based) and ``count``, with ``totalResults``.

    ``count`` is the page size asked for; when ``None`` the server's default is learned from
    the first response and asked for explicitly afterwards, so every page has the same stride.
    ``first_index``/``last_index`` (inclusive, 1-based) read a slice of the listing.
    """

    def __init__(
        self, count: int | None = None, first_index: int = 1, last_index: int | None = None
    ) -> None:
        self.count = count
        self.first_key = first_index
        self.last_index = last_index

    def _stop(self, total: int | None) -> int | None:
        if self.last_index is None:
            return total
        return self.last_index if total is None else min(total, self.last_index)

    def remaining_keys(self, first: RawPage) -> Iterable[int] | None:
        """Start indexes of every page after the first, when ``totalResults`` is known."""
        total = _int_or_none(first.get("totalResults"))
        resources = first.get("Resources") or []
        stride = self.count or _int_or_none(first.get("itemsPerPage")) or len(resources)
        if self.count is None and stride:
            self.count = stride
        stop = self._stop(total)
        if stop is None or not stride or len(resources) < stride:
            return None
        return range(self.first_key + stride, stop + 1, stride)

    def next_key(self, key: int, page: RawPage) -> int | None:
        """The index after the last resource of ``page``, unless that passes ``totalResults``."""
        resources = page.get("Resources") or []
        following = key + len(resources)
        stop = self._stop(_int_or_none(page.get("totalResults")))
        if not resources or (stop is not None and following > stop):
            return None
        return following

    def is_empty(self, page: RawPage) -> bool:
        """No resources on the page."""
        return not page.get("Resources")
