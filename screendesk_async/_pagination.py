"""Fetching the pages of a listing concurrently and yielding them in order.

:func:`ordered_pages` is the one machine; a :class:`PagePlan` says where the pages are. REST
listings (``?page=N``) and SCIM listings (``startIndex``/``count``) are two plans of it.

The machine fetches the first page, asks the plan for the keys of all the others (known once the
first page tells the total), and keeps at most ``concurrency`` of them in flight, a window that
slides as the consumer takes pages. Pages are yielded strictly in order, so memory holds one
window whatever the size of the listing. When the total is unknown, or the listing grew while it
was read, the plan's ``next_key`` is followed one page at a time. Closing the iterator cancels the
requests in flight.

Every page is checked by its plan (``check``) as it is handed over, in order: a page that is not
what the docs describe (items missing or not a list of objects, another page than the one asked
for, an empty page whose own pagination says records follow, a page that only repeats what was
listed before it) raises ``ResponseDecodeError`` naming the page, so a listing never ends early in
silence and never loops.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import Any, Final, Protocol

from . import errors

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

    def check(self, key: int, page: RawPage) -> None:
        """Raise ``errors.ResponseDecodeError`` unless ``page`` (at ``key``) is as documented.

        Called once per page, in order.
        """


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
    plan.check(key, page)
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
            plan.check(key, page)
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
        plan.check(key, page)
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


_MISSING: Final = object()


def _bad_page(where: str, what: str) -> errors.ResponseDecodeError:
    return errors.ResponseDecodeError(f"{where}: {what}", method="GET")


def check_items(page: RawPage, items_key: str, where: str) -> list[Any]:
    """``page[items_key]``, or ``ResponseDecodeError`` unless it is a list of JSON objects."""
    items = page.get(items_key, _MISSING)
    if items is _MISSING:
        raise _bad_page(where, f"{items_key!r} is missing")
    if not isinstance(items, list):
        kind = "null" if items is None else type(items).__name__
        raise _bad_page(where, f"{items_key!r} is {kind}, not a list")
    for item in items:
        if not isinstance(item, dict):
            raise _bad_page(where, f"{items_key!r} holds a {type(item).__name__}, not only objects")
    return items


def check_rest_page(items_key: str, number: int, page: RawPage) -> None:
    """Raise ``ResponseDecodeError`` unless ``page`` is page ``number`` as the docs describe it."""
    where = f"page {number}"
    items = check_items(page, items_key, where)
    pagination = page.get("pagination")
    pagination = pagination if isinstance(pagination, dict) else {}
    answered = _int_or_none(pagination.get("page"))
    if answered is not None and answered != number:
        raise _bad_page(where, f"the server answered with page {answered} instead")
    if items:
        return
    pages = _int_or_none(pagination.get("pages")) or _int_or_none(pagination.get("last_page"))
    following = _int_or_none(pagination.get("next_page"))
    count = _int_or_none(pagination.get("count"))
    per_page = _int_or_none(pagination.get("items"))
    if pages is not None and pages > max(number - 1, 1):
        said = f"pages={pages}"
    elif following is not None and following > number:
        said = f"next_page={following}"
    elif count is not None and per_page and count > (number - 1) * per_page:
        said = f"count={count}"
    elif number > 1 and pages is None and count is None:
        raise _bad_page(where, "it is empty and its pagination does not say the listing ends")
    else:
        return
    raise _bad_page(where, f"it is empty, but its pagination says records follow ({said})")


class NumberedPages:
    """REST v2 paging: ``?page=N`` with a ``pagination`` object in every response."""

    def __init__(self, items_key: str, first_page: int = 1, last_page: int | None = None) -> None:
        self.items_key = items_key
        self.first_key = first_page
        self.last_page = last_page
        self._previous: list[Any] = []

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

    def check(self, key: int, page: RawPage) -> None:
        """:func:`check_rest_page`, and a page that only repeats the one before it is an error.

        The repeat is what a server that ignores ``?page=`` but echoes the page number sends;
        followed by ``next_page`` it would never end.
        """
        check_rest_page(self.items_key, key, page)
        items = page[self.items_key]
        if items and items == self._previous:
            raise _bad_page(f"page {key}", "the same records as the page before it")
        self._previous = items


class OffsetPages:
    """SCIM (RFC 7644) paging: ``startIndex`` (1-based) and ``count``, with ``totalResults``.

    ``count`` is the page size asked for; when ``None`` the server's default is learned from
    the first response and asked for explicitly afterwards, so every page has the same stride.
    ``first_index``/``last_index`` (inclusive, 1-based) read a slice of the listing. The ids
    seen so far are kept (one set per listing) to catch a server that ignores ``startIndex``.
    """

    def __init__(
        self, count: int | None = None, first_index: int = 1, last_index: int | None = None
    ) -> None:
        self.count = count
        self.first_key = first_index
        self.last_index = last_index
        self._seen: set[str] = set()

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

    def check(self, key: int, page: RawPage) -> None:
        """Raise ``ResponseDecodeError`` unless ``page`` is the ListResponse asked for."""
        where = f"SCIM page at startIndex={key}"
        total = _int_or_none(page.get("totalResults"))
        if "Resources" not in page and total == 0:
            return  # RFC 7644 §3.4.2: Resources is required only when there are results
        resources = check_items(page, "Resources", where)
        answered = _int_or_none(page.get("startIndex"))
        if answered is not None and answered != key:
            raise _bad_page(where, f"the server answered for startIndex={answered} instead")
        if not resources:
            if total is not None and key <= total:
                raise _bad_page(where, f"it is empty, but totalResults={total} says users follow")
            return
        ids = [resource.get("id") for resource in resources]
        if self._seen and all(isinstance(i, str) and i in self._seen for i in ids):
            raise _bad_page(
                where, "every user on it was listed already (the server ignores startIndex)"
            )
        self._seen.update(i for i in ids if isinstance(i, str))
