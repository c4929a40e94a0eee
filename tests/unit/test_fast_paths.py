"""The shortcuts taken for speed keep the slow paths' behaviour (see benchmarks/RESULTS.md)."""

from __future__ import annotations

import time

import pytest

from screendesk_async import errors
from screendesk_async._retry import RetryPolicy
from screendesk_async.export import _checkpoint, _runner


def test_recent_ids_page_at_once_matches_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_runner, "RECENT_IDS", 5)
    fast, slow = _runner._RecentIds(["a"]), _runner._RecentIds(["a"])
    pages: list[list[str | None]] = [
        ["b", "c"],  # all new: the fast path
        ["d", None, "e", "f"],  # all new, one record without id; evicts the oldest
        ["c", "g", "g", None],  # a repeat across pages and one within the page
        ["a"],  # evicted long ago: new again
    ]
    for ids in pages:
        keep = fast.add_page(ids)
        expected = [i is None or slow.add(i) for i in ids]
        assert (keep if keep is not None else [True] * len(ids)) == expected
        assert fast.as_list() == slow.as_list()
        assert len(fast.as_list()) <= 5
    assert fast.as_list(2) == slow.as_list()[-2:]
    assert fast.as_list(100) == slow.as_list()
    assert _checkpoint.RECENT_IDS == 50_000


async def test_deadline_counts_from_the_first_attempt() -> None:
    policy = RetryPolicy(max_retries=5, deadline=1.0)
    calls = 0

    async def call(number: int) -> None:
        nonlocal calls
        calls += 1
        raise errors.RateLimitError("slow down", status=429, retry_after=0.5)

    # The call "began" 0.9 s ago: a 0.5 s wait would end past the deadline.
    with pytest.raises(errors.RateLimitError):
        await policy.run(call, "GET", "/x", started=time.monotonic() - 0.9)
    assert calls == 1


async def test_deadline_from_start_still_allows_retries() -> None:
    policy = RetryPolicy(max_retries=2, deadline=10.0, initial_backoff=0.001, max_backoff=0.001)
    numbers: list[int] = []

    async def call(number: int) -> str:
        numbers.append(number)
        if number < 3:
            raise errors.InternalServerError("boom", status=503)
        return "ok"

    assert await policy.run(call, "GET", "/x", started=time.monotonic()) == "ok"
    assert numbers == [1, 2, 3]
