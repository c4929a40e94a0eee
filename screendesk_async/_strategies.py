"""Pagination strategies: each one a small :class:`~._pagination.PagePlan` of the one engine.

A strategy answers three questions for the one engine, :func:`~._pagination.ordered_pages`:
which query fetches the page with key ``k`` (:meth:`query`), which keys follow the first page
(:meth:`remaining_keys`, ``None`` when the total is unknown) and which key follows a page
(:meth:`next_key`). :func:`paged` joins a strategy to a fetch of one query, so every shape below
is read in order, a window ahead, and cancelled when the consumer stops.

Screendesk's own shapes are :class:`NumberedPages` (REST ``?page=N``, 1-based) and
:class:`OffsetPages` (SCIM ``startIndex``/``count``); the other vendors' users APIs of
``../shared/reference/`` are the three others (each with a ``query`` for :func:`paged`):

* :class:`ZeroBasedPages` — ``?page=0&size=50`` (0-based page number and size).
* :class:`LimitOffsetPages` — ``?limit=100&offset=200`` with ``count`` and ``results``.
* :class:`CursorPages` — ``?limit=25&cursor=...`` inside a ``{success, result, errors, links}``
  envelope, the next cursor in ``links.next``: sequential by nature.

Every strategy refuses a page that is not the documented shape with ``ResponseDecodeError``
(the checks of :mod:`._page_checks`), so a listing never ends early in silence.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from . import errors
from ._page_checks import bad_page, check_identifiers, check_items, check_rest_page
from ._page_numbers import page_int, rest_pagination, scim_int
from ._pagination import PagePlan, RawPage, ordered_pages

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
        return await fetch(strategy.query(key))

    return ordered_pages(fetch_key, strategy, concurrency)


class NumberedPages:
    """REST v2 paging: ``?page=N`` with a ``pagination`` object in every response.

    ``id_key``: the field that identifies each record (``uuid``, ``email``), which every record
    of every page must carry.
    """

    def __init__(
        self,
        items_key: str,
        first_page: int = 1,
        last_page: int | None = None,
        *,
        id_key: str | None = None,
    ) -> None:
        self.items_key = items_key
        self.first_key = first_page
        self.last_page = last_page
        self.id_key = id_key
        self._previous: list[Any] = []

    def remaining_keys(self, first: RawPage) -> Iterable[int] | None:
        """Pages ``first+1 .. min(pages, last_page)`` when the response says how many."""
        total = rest_pagination(first, f"page {self.first_key}").page_count
        if total is None:
            return None
        if self.last_page is not None:
            total = min(total, self.last_page)
        return range(self.first_key + 1, total + 1)

    def next_key(self, key: int, page: RawPage) -> int | None:
        """``next_page`` of the response, within ``last_page``."""
        following = rest_pagination(page, f"page {key}").next_page
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
        check_rest_page(self.items_key, key, page, self.id_key)
        items = page[self.items_key]
        if items and items == self._previous:
            raise bad_page(f"page {key}", "the same records as the page before it")
        self._previous = items


def _scim_where(key: int) -> str:
    return f"SCIM page at startIndex={key}"


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
        where = _scim_where(self.first_key)
        total = scim_int(first, "totalResults", where)
        resources = first.get("Resources") or []
        stride = self.count or scim_int(first, "itemsPerPage", where) or len(resources)
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
        stop = self._stop(scim_int(page, "totalResults", _scim_where(key)))
        if not resources or (stop is not None and following > stop):
            return None
        return following

    def is_empty(self, page: RawPage) -> bool:
        """No resources on the page."""
        return not page.get("Resources")

    def check(self, key: int, page: RawPage) -> None:
        """Raise ``ResponseDecodeError`` unless ``page`` is the ListResponse asked for."""
        where = _scim_where(key)
        total = scim_int(page, "totalResults", where)
        scim_int(page, "itemsPerPage", where)  # read by remaining_keys: checked here, in order
        if "Resources" not in page and total == 0:
            return  # RFC 7644 §3.4.2: Resources is required only when there are results
        resources = check_items(page, "Resources", where)
        answered = scim_int(page, "startIndex", where)
        if answered is not None and answered != key:
            raise bad_page(where, f"the server answered for startIndex={answered} instead")
        if not resources:
            if total is not None and key <= total:
                raise bad_page(where, f"it is empty, but totalResults={total} says users follow")
            return
        ids = [resource.get("id") for resource in resources]
        check_identifiers(ids, "id", where)  # RFC 7643 §3.1: every resource has one
        if self._seen and all(isinstance(i, str) and i in self._seen for i in ids):
            raise bad_page(
                where, "every user on it was listed already (the server ignores startIndex)"
            )
        self._seen.update(i for i in ids if isinstance(i, str))


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
        return check_items(page, self.items_key, "page")

    def remaining_keys(self, first: RawPage) -> Iterable[int] | None:
        """Pages ``1 .. ceil(total / size) - 1`` when the total is sent."""
        total = (
            page_int(first.get(self.total_key), self.total_key, "page") if self.total_key else None
        )
        if total is None:
            return None
        return range(1, math.ceil(total / self.size))

    def next_key(self, key: int, page: RawPage) -> int | None:
        """The next page number, unless ``page`` was short (the last one)."""
        return key + 1 if len(self.items(page)) >= self.size else None

    def is_empty(self, page: RawPage) -> bool:
        """No items on the page."""
        return not self.items(page)

    def check(self, key: int, page: RawPage) -> None:
        """``ResponseDecodeError`` unless ``page`` is the documented shape."""
        self.items(page)


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
        return check_items(page, self.items_key, "page")

    def remaining_keys(self, first: RawPage) -> Iterable[int] | None:
        """Offsets ``limit, 2 * limit, ...`` below ``count``, when it is sent."""
        total = page_int(first.get(self.total_key), self.total_key, "page")
        if total is None or len(self.items(first)) < self.limit:
            return None
        return range(self.limit, total, self.limit)

    def next_key(self, key: int, page: RawPage) -> int | None:
        """The offset after ``page``, unless the server says there is no next page."""
        if "next" in page and not page["next"]:
            return None
        items = self.items(page)
        total = page_int(page.get(self.total_key), self.total_key, "page")
        following = key + len(items)
        if not items or (total is not None and following >= total):
            return None
        return following

    def is_empty(self, page: RawPage) -> bool:
        """No items on the page."""
        return not self.items(page)

    def check(self, key: int, page: RawPage) -> None:
        """``ResponseDecodeError`` unless ``page`` is the documented shape."""
        self.items(page)


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
            reported = page.get("errors") if isinstance(page, dict) else None
            raise errors.ResponseDecodeError(
                f"the envelope reports no success (errors: {reported!r})"
            )
        return check_items(page, "result", "page")

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
            raise errors.ResponseDecodeError(f"links.next is not a URL: {link!r}")
        cursors = parse_qs(urlsplit(link).query).get(self.cursor_param)
        if not cursors or not cursors[0]:
            raise errors.ResponseDecodeError(
                f"links.next carries no {self.cursor_param!r} parameter"
            )
        if cursors[0] in self._cursors.values():
            raise errors.ResponseDecodeError("links.next points back to a page already read")
        self._cursors[key + 1] = cursors[0]
        return key + 1

    def is_empty(self, page: RawPage) -> bool:
        """No items on the page."""
        return not self.items(page)

    def check(self, key: int, page: RawPage) -> None:
        """``ResponseDecodeError`` unless ``page`` is the documented shape."""
        self.items(page)
