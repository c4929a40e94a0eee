"""Pagination strategies: each one a small :class:`~._pagination.PagePlan` plus the query it sends.

A strategy answers three questions for the one engine, :func:`~._pagination.ordered_pages`:
which query fetches the page with key ``k`` (:meth:`query`), which keys follow the first page
(:meth:`remaining_keys`, ``None`` when the total is unknown) and which key follows a page
(:meth:`next_key`). :func:`paged` joins a strategy to a fetch of one query, so every shape below
is read in order, a window ahead, and cancelled when the consumer stops.

The shapes are the users APIs of ``../shared/reference/``:

* :class:`ZeroBasedPages` — ``?page=0&size=50`` (0-based page number and size).
* :class:`LimitOffsetPages` — ``?limit=100&offset=200`` with ``count`` and ``results``.
* :class:`CursorPages` — ``?limit=25&cursor=...`` inside a ``{success, result, errors, links}``
  envelope, the next cursor in ``links.next``: sequential by nature.

Every strategy refuses a page that is not the documented shape with ``ResponseDecodeError``, so
a listing never ends early in silence.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from ._pagination import PagePlan, RawPage, ordered_pages
from .errors import ResponseDecodeError

Query = dict[str, Any]
FetchQuery = Callable[[Query], Awaitable[RawPage]]


class Strategy(PagePlan, Protocol):
    """A page plan that also says which query fetches the page with a given key."""

    def query(self, key: int) -> Query:
        """The query parameters of the page with ``key``."""

    def items(self, page: RawPage) -> list[dict[str, Any]]:
        """The items of ``page`` (``ResponseDecodeError`` when it is not the documented shape)."""


def paged(fetch: FetchQuery, strategy: Strategy, concurrency: int) -> AsyncIterator[RawPage]:
    """Every raw page of the listing ``strategy`` describes, in order, ``concurrency`` ahead."""

    async def fetch_key(key: int) -> RawPage:
        page = await fetch(strategy.query(key))
        strategy.items(page)  # refuse a malformed page before the engine plans from it
        return page

    return ordered_pages(fetch_key, strategy, concurrency)


def _count(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _item_list(page: Any, key: str) -> list[dict[str, Any]]:
    items = page.get(key) if isinstance(page, dict) else None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ResponseDecodeError(f"a page without a list of objects under {key!r}")
    return items


def _positive(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    return value


class ZeroBasedPages:
    """``?page=N&size=S`` with ``N`` counted from 0; the total, when sent, under ``total_key``.

    Without a total, a page shorter than ``size`` is the last one.
    """

    def __init__(
        self, *, items_key: str = "data", size: int = 50, total_key: str | None = None
    ) -> None:
        self.items_key = items_key
        self.size = _positive(size, "size")
        self.total_key = total_key
        self.first_key = 0

    def query(self, key: int) -> Query:
        """Page ``key`` (0-based) of ``size`` items."""
        return {"page": key, "size": self.size}

    def items(self, page: RawPage) -> list[dict[str, Any]]:
        """The list under ``items_key``."""
        return _item_list(page, self.items_key)

    def remaining_keys(self, first: RawPage) -> Iterable[int] | None:
        """Pages ``1 .. ceil(total / size) - 1`` when the total is sent."""
        total = _count(first.get(self.total_key)) if self.total_key else None
        if total is None:
            return None
        return range(1, math.ceil(total / self.size))

    def next_key(self, key: int, page: RawPage) -> int | None:
        """The next page number, unless ``page`` was short (the last one)."""
        return key + 1 if len(self.items(page)) >= self.size else None

    def is_empty(self, page: RawPage) -> bool:
        """No items on the page."""
        return not self.items(page)


class LimitOffsetPages:
    """``?limit=L&offset=O``, answered with ``{count, next, previous, results}``."""

    def __init__(
        self, *, limit: int = 100, items_key: str = "results", total_key: str = "count"
    ) -> None:
        self.limit = _positive(limit, "limit")
        self.items_key = items_key
        self.total_key = total_key
        self.first_key = 0

    def query(self, key: int) -> Query:
        """``limit`` items from offset ``key``."""
        return {"limit": self.limit, "offset": key}

    def items(self, page: RawPage) -> list[dict[str, Any]]:
        """The list under ``items_key``."""
        return _item_list(page, self.items_key)

    def remaining_keys(self, first: RawPage) -> Iterable[int] | None:
        """Offsets ``limit, 2 * limit, ...`` below ``count``, when it is sent."""
        total = _count(first.get(self.total_key))
        if total is None or len(self.items(first)) < self.limit:
            return None
        return range(self.limit, total, self.limit)

    def next_key(self, key: int, page: RawPage) -> int | None:
        """The offset after ``page``, unless the server says there is no next page."""
        if "next" in page and not page["next"]:
            return None
        items = self.items(page)
        total = _count(page.get(self.total_key))
        following = key + len(items)
        if not items or (total is not None and following >= total):
            return None
        return following

    def is_empty(self, page: RawPage) -> bool:
        """No items on the page."""
        return not self.items(page)


class CursorPages:
    """``?limit=L&cursor=C`` in a ``{success, result, errors, links}`` envelope.

    The next page's cursor is read from the query of ``links.next`` (never the URL itself, so a
    link cannot send the token elsewhere). Page keys are ordinals (0, 1, 2 ...) mapped to the
    cursors learnt so far: only the page before tells where the next one is.
    """

    def __init__(self, *, limit: int = 25, cursor_param: str = "cursor") -> None:
        self.limit = _positive(limit, "limit")
        self.cursor_param = cursor_param
        self.first_key = 0
        self._cursors: dict[int, str] = {}

    def query(self, key: int) -> Query:
        """The first page, or the page at the cursor learnt for ``key``."""
        return {"limit": self.limit, self.cursor_param: self._cursors.get(key)}

    def items(self, page: RawPage) -> list[dict[str, Any]]:
        """The ``result`` list of a successful envelope."""
        if not isinstance(page, dict) or page.get("success") is not True:
            errors = page.get("errors") if isinstance(page, dict) else None
            raise ResponseDecodeError(f"the envelope reports no success (errors: {errors!r})")
        return _item_list(page, "result")

    def remaining_keys(self, first: RawPage) -> Iterable[int] | None:
        """Unknown: a cursor listing is read one page after the other."""
        return None

    def next_key(self, key: int, page: RawPage) -> int | None:
        """The ordinal after ``key`` when ``links.next`` carries a cursor."""
        links = page.get("links")
        link = links.get("next") if isinstance(links, dict) else None
        if not link:
            return None
        if not isinstance(link, str):
            raise ResponseDecodeError(f"links.next is not a URL: {link!r}")
        cursors = parse_qs(urlsplit(link).query).get(self.cursor_param)
        if not cursors or not cursors[0]:
            raise ResponseDecodeError(f"links.next carries no {self.cursor_param!r} parameter")
        if cursors[0] in self._cursors.values():
            raise ResponseDecodeError("links.next points back to a page already read")
        self._cursors[key + 1] = cursors[0]
        return key + 1

    def is_empty(self, page: RawPage) -> bool:
        """No items on the page."""
        return not self.items(page)
