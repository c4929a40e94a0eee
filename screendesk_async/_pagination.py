"""Fetching the pages of a listing concurrently and yielding them in order.

:func:`ordered_pages` is the one machine; a :class:`PagePlan` says where the pages are. REST
listings (``?page=N``), SCIM listings (``startIndex``/``count``) and the other shapes in
:mod:`._strategies` are plans of it.

The machine fetches the first page, asks the plan for the keys of all the others (known once the
first page tells the total), and keeps at most ``concurrency`` of them in flight, a window that
slides as the consumer takes pages. Pages are yielded strictly in order, so memory holds one
window whatever the size of the listing. When the total is unknown, or the listing grew while it
was read, the plan's ``next_key`` is followed one page at a time. Closing the iterator cancels the
requests in flight.
When a page ends elsewhere than planned (a SCIM server may send fewer than ``count``), the
planned requests are cancelled and ``next_key`` is followed from where the page really ended;
records on a page requested after an empty one raise rather than being dropped.

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
from typing import Any, Protocol

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


async def _refuse_records_after(
    plan: PagePlan, key: int, window: Iterable[tuple[int, asyncio.Task[RawPage]]]
) -> None:
    """Raise ``ResponseDecodeError`` if a page requested after the empty one has records.

    The listing then contradicts itself, and those records must not be dropped in silence.
    The requests are already on the wire, so their answers are waited for (their failures do
    not matter here: the listing ends at the empty page either way).
    """
    window = list(window)
    answers = await asyncio.gather(*(task for _, task in window), return_exceptions=True)
    for (later, _), answer in zip(window, answers, strict=True):
        if isinstance(answer, dict) and _has_items(plan, answer):
            raise errors.ResponseDecodeError(
                f"the page at {key} is empty, but the one at {later}, requested after it, has "
                "records (the listing changed while it was read)",
                method="GET",
            )


def _has_items(plan: PagePlan, page: RawPage) -> bool:
    try:
        return not plan.is_empty(page)
    except errors.ResponseDecodeError:
        return False  # not even the documented shape: it holds no records to lose


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
                # The listing shrank while it was read: nothing lies beyond an empty page,
                # unless a later page already came back with records.
                await _refuse_records_after(plan, key, window)
                return
            refill()
            following = plan.next_key(key, page)
            if window and following is not None and following != window[0][0]:
                # The page was not the size planned (RFC 7644 lets a server send fewer than
                # asked): the planned keys would skip records, so follow the real next key.
                await _cancel_all(task for _, task in window)
                window.clear()
                yield page
                break
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
