"""The ordered, windowed page fetcher, with fake in-memory listings."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import Any

import pytest

from screendesk_async import errors
from screendesk_async._pagination import RawPage, ordered_pages
from screendesk_async._strategies import NumberedPages, OffsetPages

from .fake_listings import Failure, FakeRest, FakeScim


def numbers(pages: list[RawPage]) -> list[int]:
    return [page["pagination"]["page"] for page in pages]


async def collect(iterator: AsyncIterator[RawPage]) -> list[RawPage]:
    return [page async for page in iterator]


def other_tasks() -> set[asyncio.Task[Any]]:
    return {task for task in asyncio.all_tasks() if task is not asyncio.current_task()}


@pytest.fixture
async def loop_errors() -> AsyncIterator[list[dict[str, Any]]]:
    """Every context the loop's exception handler sees (e.g. 'exception was never retrieved')."""
    loop = asyncio.get_running_loop()
    seen: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: seen.append(context))
    yield seen
    loop.set_exception_handler(previous)


async def assert_nothing_left(loop_errors: list[dict[str, Any]]) -> None:
    """No task of the fetcher outlives it, and none ended in an error no one retrieved."""
    assert not other_tasks()
    gc.collect()  # a task's unretrieved exception is reported when the task is collected
    await asyncio.sleep(0)
    assert loop_errors == []


# -- NumberedPages -------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
async def test_all_pages_in_order_despite_out_of_order_completion(seed: int) -> None:
    fake = FakeRest(20, seed=seed)
    pages = await collect(ordered_pages(fake.fetch, NumberedPages("records"), 4))
    assert numbers(pages) == list(range(1, 21))
    assert [r["uuid"] for r in pages[5]["records"]] == ["6-0", "6-1", "6-2"]
    assert sorted(fake.fetched) == list(range(1, 21))  # each page fetched once
    assert len(fake.fetched) == 20
    assert fake.max_in_flight <= 4
    assert not other_tasks()


async def test_completion_really_is_out_of_order() -> None:
    fake = FakeRest(6)
    fake.delays = {2: 0.03, 3: 0.0, 4: 0.0, 5: 0.0, 6: 0.0}
    pages = await collect(ordered_pages(fake.fetch, NumberedPages("records"), 5))
    assert numbers(pages) == [1, 2, 3, 4, 5, 6]
    assert fake.completed.index(3) < fake.completed.index(2)


@pytest.mark.parametrize("concurrency", [1, 2, 3, 8])
async def test_in_flight_never_exceeds_concurrency(concurrency: int) -> None:
    fake = FakeRest(15, seed=concurrency)
    pages = await collect(ordered_pages(fake.fetch, NumberedPages("records"), concurrency))
    assert len(pages) == 15
    assert fake.max_in_flight <= concurrency
    if concurrency > 1:
        assert fake.max_in_flight > 1  # the window is actually used


async def test_window_slides_with_the_consumer() -> None:
    fake = FakeRest(30, max_delay=0.0)
    iterator = ordered_pages(fake.fetch, NumberedPages("records"), 3)
    assert isinstance(iterator, AsyncGenerator)
    await anext(iterator)
    await anext(iterator)
    await asyncio.sleep(0.01)
    # Page 1, page 2 consumed, at most 3 more requested ahead: never the whole listing.
    assert max(fake.fetched) <= 2 + 3
    await iterator.aclose()


async def test_first_and_last_page() -> None:
    fake = FakeRest(10)
    pages = await collect(ordered_pages(fake.fetch, NumberedPages("records", 3, 6), 4))
    assert numbers(pages) == [3, 4, 5, 6]
    assert sorted(fake.fetched) == [3, 4, 5, 6]


async def test_last_page_beyond_the_total() -> None:
    fake = FakeRest(4)
    pages = await collect(ordered_pages(fake.fetch, NumberedPages("records", 1, 50), 8))
    assert numbers(pages) == [1, 2, 3, 4]
    assert sorted(fake.fetched) == [1, 2, 3, 4]


async def test_single_page_range() -> None:
    fake = FakeRest(10)
    pages = await collect(ordered_pages(fake.fetch, NumberedPages("records", 5, 5), 4))
    assert numbers(pages) == [5]
    assert fake.fetched == [5]


async def test_unknown_total_follows_next_page_sequentially() -> None:
    fake = FakeRest(7, total_known=False)
    pages = await collect(ordered_pages(fake.fetch, NumberedPages("records"), 8))
    assert numbers(pages) == list(range(1, 8))
    assert fake.fetched == list(range(1, 8))
    assert fake.max_in_flight == 1


async def test_unknown_total_stops_at_last_page() -> None:
    fake = FakeRest(7, total_known=False)
    pages = await collect(ordered_pages(fake.fetch, NumberedPages("records", 2, 4), 8))
    assert numbers(pages) == [2, 3, 4]
    assert fake.fetched == [2, 3, 4]


async def test_total_from_last_page_field() -> None:
    fake = FakeRest(5, total_known=False)
    first = fake.body(1)
    first["pagination"]["last_page"] = 5
    fake.overrides[1] = first
    pages = await collect(ordered_pages(fake.fetch, NumberedPages("records"), 4))
    assert numbers(pages) == [1, 2, 3, 4, 5]
    assert fake.max_in_flight > 1


async def test_empty_first_page() -> None:
    fake = FakeRest(0)
    pages = await collect(ordered_pages(fake.fetch, NumberedPages("records"), 4))
    assert len(pages) == 1
    assert pages[0]["records"] == []
    assert fake.fetched == [1]


async def test_empty_page_before_the_last_raises_and_cleans_up() -> None:
    # Its own pagination says records follow: ending here would lose them in silence.
    fake = FakeRest(8)
    fake.overrides[4] = {"pagination": {"page": 4, "pages": 8, "next_page": 5}, "records": []}
    got: list[RawPage] = []

    async def consume() -> None:
        async for page in ordered_pages(fake.fetch, NumberedPages("records"), 3):
            got.append(page)

    with pytest.raises(errors.ResponseDecodeError, match=r"page 4: .*records follow \(pages=8\)"):
        await consume()
    assert numbers(got) == [1, 2, 3]
    await asyncio.sleep(0)
    assert fake.in_flight == 0
    assert not other_tasks()


async def test_listing_grew_continues_past_planned_last_page() -> None:
    fake = FakeRest(5)
    for n in (1, 2, 3):
        body = fake.body(n)
        body["pagination"]["pages"] = 3
        fake.overrides[n] = body
    # Page 3 (the planned last one) says there is a page 4; 4 and 5 exist.
    pages = await collect(ordered_pages(fake.fetch, NumberedPages("records"), 4))
    assert numbers(pages) == [1, 2, 3, 4, 5]
    assert sorted(fake.fetched) == [1, 2, 3, 4, 5]


async def test_next_page_going_backwards_stops() -> None:
    fake = FakeRest(3, total_known=False)
    fake.overrides[2] = {"pagination": {"page": 2, "next_page": 1}, "records": [{"uuid": "x"}]}
    pages = await collect(ordered_pages(fake.fetch, NumberedPages("records"), 4))
    assert numbers(pages) == [1, 2]


async def test_aclose_cancels_in_flight_fetches() -> None:
    fake = FakeRest(50)
    fake.delays = {n: 10.0 for n in range(3, 51)}  # would hang if not cancelled
    fake.delays.update({1: 0.0, 2: 0.0})
    iterator = ordered_pages(fake.fetch, NumberedPages("records"), 4)
    assert isinstance(iterator, AsyncGenerator)
    got = [await anext(iterator), await anext(iterator)]
    assert numbers(got) == [1, 2]
    await iterator.aclose()  # had it waited for the 10 s fetches, they would have completed
    assert fake.in_flight == 0
    # Every fetch that had started saw CancelledError (a task cancelled before it started
    # never runs at all); none completed.
    assert {3, 4, 5} <= set(fake.cancelled)
    assert sorted(fake.cancelled) == sorted(set(fake.fetched) - {1, 2})
    assert fake.completed == [1, 2]
    assert not other_tasks()


async def test_aclose_retrieves_a_failure_already_in_the_window(
    loop_errors: list[dict[str, Any]],
) -> None:
    fake = FakeRest(10)
    fake.delays = {1: 0.0, 2: 0.02, 3: 10.0, 4: 0.0}
    fake.fail = {4}
    iterator = ordered_pages(fake.fetch, NumberedPages("records"), 3)
    assert isinstance(iterator, AsyncGenerator)
    await anext(iterator)
    await anext(iterator)  # page 4 has failed by now, unobserved
    await asyncio.sleep(0.005)
    await iterator.aclose()
    await assert_nothing_left(loop_errors)


async def test_failure_propagates_and_cancels_the_rest(
    loop_errors: list[dict[str, Any]],
) -> None:
    fake = FakeRest(20)
    fake.delays = {n: 10.0 for n in range(1, 21)}
    fake.delays.update({1: 0.0, 2: 0.0, 3: 0.01})
    fake.fail = {3}
    received: list[int] = []

    async def consume() -> None:
        async for page in ordered_pages(fake.fetch, NumberedPages("records"), 4):
            received.append(page["pagination"]["page"])

    with pytest.raises(Failure, match="page 3 failed"):
        await consume()
    assert received == [1, 2]
    assert fake.in_flight == 0
    assert {4, 5} <= set(fake.cancelled)
    assert sorted(fake.cancelled) == sorted(set(fake.fetched) - {1, 2, 3})
    await assert_nothing_left(loop_errors)


async def test_failure_of_a_later_page_while_waiting_for_an_earlier_one(
    loop_errors: list[dict[str, Any]],
) -> None:
    fake = FakeRest(10)
    fake.delays = {1: 0.0, 2: 0.03, 3: 0.0, 4: 0.0}
    fake.fail = {2, 3}
    with pytest.raises(Failure, match="page 2 failed"):
        await collect(ordered_pages(fake.fetch, NumberedPages("records"), 3))
    await assert_nothing_left(loop_errors)


async def test_first_page_failure_propagates() -> None:
    fake = FakeRest(5)
    fake.fail = {1}
    with pytest.raises(Failure):
        await collect(ordered_pages(fake.fetch, NumberedPages("records"), 3))
    assert fake.fetched == [1]


def test_numbered_pages_plan() -> None:
    plan = NumberedPages("users", 2, 5)
    assert plan.first_key == 2
    assert list(plan.remaining_keys({"pagination": {"pages": 9}}) or []) == [3, 4, 5]
    assert list(plan.remaining_keys({"pagination": {"pages": "4"}}) or []) == [3, 4]
    assert plan.remaining_keys({"pagination": {"pages": None}}) is None
    assert plan.remaining_keys({"pagination": None}) is None
    assert plan.remaining_keys({}) is None
    assert plan.next_key(2, {"pagination": {"next_page": 3}}) == 3
    assert plan.next_key(5, {"pagination": {"next_page": 6}}) is None
    assert plan.next_key(3, {"pagination": {"next_page": None}}) is None
    assert plan.is_empty({"users": []})
    assert plan.is_empty({})
    assert not plan.is_empty({"users": [{}]})


# -- OffsetPages (SCIM) ----------------------------------------------------------------------


def ids(pages: list[RawPage]) -> list[int]:
    return [int(r["id"]) for page in pages for r in page["Resources"]]


async def test_offset_total_known() -> None:
    plan = OffsetPages(count=4)
    fake = FakeScim(18, plan)
    pages = await collect(ordered_pages(fake.fetch, plan, 3))
    assert ids(pages) == list(range(1, 19))
    assert [start for start, _ in fake.requests] == [1, 5, 9, 13, 17]
    assert all(count == 4 for _, count in fake.requests)
    assert fake.max_in_flight <= 3


async def test_offset_exact_multiple() -> None:
    plan = OffsetPages(count=5)
    fake = FakeScim(15, plan)
    pages = await collect(ordered_pages(fake.fetch, plan, 8))
    assert ids(pages) == list(range(1, 16))
    assert sorted(start for start, _ in fake.requests) == [1, 6, 11]


async def test_offset_count_learned_from_items_per_page() -> None:
    plan = OffsetPages()
    fake = FakeScim(20, plan, default_count=7)
    pages = await collect(ordered_pages(fake.fetch, plan, 4))
    assert plan.count == 7
    assert ids(pages) == list(range(1, 21))
    assert fake.requests[0] == (1, None)
    assert sorted(fake.requests[1:]) == [(8, 7), (15, 7)]


async def test_offset_count_learned_from_resources_without_items_per_page() -> None:
    plan = OffsetPages()
    fake = FakeScim(12, plan, default_count=5, send_items_per_page=False)
    pages = await collect(ordered_pages(fake.fetch, plan, 4))
    assert plan.count == 5
    assert ids(pages) == list(range(1, 13))
    assert sorted(start for start, _ in fake.requests) == [1, 6, 11]


async def test_offset_total_unknown_is_sequential() -> None:
    plan = OffsetPages(count=4)
    fake = FakeScim(10, plan, send_total=False)
    pages = await collect(ordered_pages(fake.fetch, plan, 8))
    assert ids(pages) == list(range(1, 11))
    assert [start for start, _ in fake.requests] == [1, 5, 9, 11]
    assert fake.max_in_flight == 1


async def test_offset_empty_page_stops() -> None:
    plan = OffsetPages(count=3)
    fake = FakeScim(0, plan)
    pages = await collect(ordered_pages(fake.fetch, plan, 4))
    assert len(pages) == 1
    assert pages[0]["Resources"] == []
    assert fake.requests == [(1, 3)]


async def test_offset_listing_shrank_stops_at_empty_page() -> None:
    plan = OffsetPages(count=3)
    fake = FakeScim(30, plan, send_total=False)

    def shrink_after_first(fetch: Callable[[int], Any]) -> Callable[[int], Any]:
        async def wrapped(start: int) -> RawPage:
            page: RawPage = await fetch(start)
            fake.shrink_to = 6
            return page

        return wrapped

    pages = await collect(ordered_pages(shrink_after_first(fake.fetch), plan, 4))
    assert ids(pages) == [1, 2, 3, 4, 5, 6]
    assert [start for start, _ in fake.requests] == [1, 4, 7]


def test_offset_pages_plan() -> None:
    plan = OffsetPages(count=10)
    assert plan.first_key == 1
    first = {"totalResults": 35, "Resources": [{}] * 10}
    assert list(plan.remaining_keys(first) or []) == [11, 21, 31]
    assert plan.remaining_keys({"Resources": [{}] * 10}) is None
    assert plan.next_key(1, {"Resources": [{}] * 10, "totalResults": 35}) == 11
    assert plan.next_key(31, {"Resources": [{}] * 5, "totalResults": 35}) is None
    assert plan.next_key(1, {"Resources": []}) is None
    assert plan.is_empty({"Resources": []})
    assert plan.is_empty({})
