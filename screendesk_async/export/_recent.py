"""The ids an export wrote last: to drop a record that a shifting listing sends twice."""

from __future__ import annotations

from collections import deque
from itertools import chain

from ._checkpoint import RECENT_IDS


class RecentIds:
    """A bounded set of the last ids written, to drop records seen twice across pages.

    Kept as one set plus the ids in the order they came, page by page, so that a page is
    checked, remembered and (once over the bound) forgotten with a few C-level set operations
    rather than one Python call per record: this runs for every record of an export.
    """

    def __init__(self, ids: list[str]) -> None:
        self._known: set[str] = set()
        self._pages: deque[list[str]] = deque()  # oldest first; every id in _known once
        self._count = 0
        self._remember(list(dict.fromkeys(ids)))

    def _remember(self, ids: list[str]) -> None:
        """Add ids that are new and distinct; forget the oldest beyond ``RECENT_IDS``."""
        if not ids:
            return
        self._known.update(ids)
        self._pages.append(ids)
        self._count += len(ids)
        excess = self._count - RECENT_IDS
        while excess > 0:
            oldest = self._pages[0]
            if len(oldest) <= excess:
                self._pages.popleft()
                forgotten = oldest
            else:
                self._pages[0], forgotten = oldest[excess:], oldest[:excess]
            self._known.difference_update(forgotten)
            self._count -= len(forgotten)
            excess -= len(forgotten)

    def add(self, record_id: str) -> bool:
        """Remember one id; ``False`` if it was seen recently."""
        return self.add_page([record_id]) is None

    def add_page(self, ids: list[str]) -> list[bool] | None:
        """Remember a page's ids; which records to keep (the first of an id), or ``None`` for all.

        Every listed record has its id: a page with a record without one fails its check.
        """
        if self._known.isdisjoint(ids) and len(set(ids)) == len(ids):
            self._remember(ids)
            return None
        keep: list[bool] = []
        fresh: dict[str, None] = {}
        for record_id in ids:
            new = record_id not in self._known and record_id not in fresh
            if new:
                fresh[record_id] = None
            keep.append(new)
        self._remember(list(fresh))
        return keep

    def as_list(self, limit: int | None = None) -> list[str]:
        """The ids (the last ``limit`` of them), oldest first."""
        return join_tail(self.tail(limit), limit)

    def tail(self, limit: int | None = None) -> list[list[str]]:
        """The pages of ids holding the last ``limit`` ids, oldest first; cheap to take.

        The lists are never changed once remembered (forgetting replaces them), so they can
        be joined later, on another thread, with :func:`join_tail`.
        """
        if limit is None or limit >= self._count:
            return list(self._pages)
        newest: list[list[str]] = []
        taken = 0
        for ids in reversed(self._pages):
            newest.append(ids)
            taken += len(ids)
            if taken >= limit:
                break
        newest.reverse()
        return newest


def join_tail(pages: list[list[str]], limit: int | None) -> list[str]:
    """The last ``limit`` ids of a :meth:`RecentIds.tail`."""
    ids = list(chain.from_iterable(pages))
    return ids if limit is None else ids[-limit:]
