"""The shortcuts taken for speed keep the slow paths' behaviour (see benchmarks/RESULTS.md)."""

from __future__ import annotations

import pytest

from screendesk_async.export import _checkpoint, _recent


def test_recent_ids_page_at_once_matches_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_recent, "RECENT_IDS", 5)
    fast, slow = _recent.RecentIds(["a"]), _recent.RecentIds(["a"])
    pages: list[list[str]] = [
        ["b", "c"],  # all new: the fast path
        ["d", "e", "f"],  # all new; evicts the oldest
        ["c", "g", "g"],  # a repeat across pages and one within the page
        ["a"],  # evicted long ago: new again
    ]
    for ids in pages:
        keep = fast.add_page(ids)
        expected = [slow.add(i) for i in ids]
        assert (keep if keep is not None else [True] * len(ids)) == expected
        assert fast.as_list() == slow.as_list()
        assert len(fast.as_list()) <= 5
    assert fast.as_list(2) == slow.as_list()[-2:]
    assert fast.as_list(100) == slow.as_list()
    assert _checkpoint.RECENT_IDS == 50_000
