"""What every resource shares: the transport, request building, and REST listings."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any, Generic, TypeVar

from .. import _validate
from .._pagination import NumberedPages, RawPage, check_rest_page, ordered_pages
from .._request import Api, Request, build_url, encode_json
from .._transport import Transport
from ..models._converter import converter, structure_list
from ..models.common import Page, Pagination

T = TypeVar("T")


class Resource:
    """Base of the resource classes: builds requests and sends them through the transport."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def _request(
        self,
        method: str,
        segments: tuple[str, ...],
        *,
        query: Mapping[str, Any] | None = None,
        json: Any = None,
        api: Api = "rest",
        expect: frozenset[int] = frozenset({200}),
    ) -> Request:
        config = self._transport.config
        base = config.scim_base_url if api == "scim" else f"{config.base_url}/api/v2"
        return Request(
            method=method,
            url=build_url(base, segments, query),
            api=api,
            body=None if json is None else encode_json(json),
            expect=expect,
        )

    async def _send(self, request: Request) -> Any:
        return await self._transport.request(request)

    def _concurrency(self, concurrency: int | None) -> int:
        if concurrency is None:
            return self._transport.config.max_concurrency
        return _validate.positive_int(concurrency, "concurrency")


def unwrap(data: Any, key: str) -> Any:
    """The object itself, whether the API sent it bare or wrapped as ``{key: {...}}``."""
    if isinstance(data, dict) and isinstance(data.get(key), dict) and len(data) == 1:
        return data[key]
    return data


class RestListing(Generic[T]):
    """A paginated REST collection (``?page=N``) of ``model`` objects under ``items_key``."""

    def __init__(self, resource: Resource, segment: str, items_key: str, model: type[T]) -> None:
        self._resource = resource
        self._segment = segment
        self._items_key = items_key
        self._model = model

    def to_page(self, raw: RawPage) -> Page[T]:
        """Structure one raw page."""
        pagination = raw.get("pagination")
        return Page(
            items=structure_list(raw.get(self._items_key), self._model),
            pagination=(
                converter.structure(pagination, Pagination)
                if isinstance(pagination, dict)
                else None
            ),
        )

    async def fetch_raw(self, number: int) -> RawPage:
        """One raw page (the decoded JSON, as the server sent it)."""
        request = self._resource._request("GET", (self._segment,), query={"page": number})
        raw: RawPage = await self._resource._send(request)
        return raw

    async def page(self, number: int) -> Page[T]:
        """Page ``number`` (1-based), in one request."""
        _validate.positive_int(number, "page number")
        raw = await self.fetch_raw(number)
        check_rest_page(self._items_key, number, raw)
        return self.to_page(raw)

    def raw_pages(
        self, *, concurrency: int | None, first_page: int, last_page: int | None
    ) -> AsyncIterator[RawPage]:
        """Every raw page in order, fetched concurrently (validates before any request)."""
        first, last = _validate.page_range(first_page, last_page)
        window = self._resource._concurrency(concurrency)
        plan = NumberedPages(self._items_key, first, last)
        return ordered_pages(self.fetch_raw, plan, window)

    def pages(
        self, *, concurrency: int | None, first_page: int, last_page: int | None
    ) -> AsyncIterator[Page[T]]:
        """Every page, structured, in order."""
        raw = self.raw_pages(concurrency=concurrency, first_page=first_page, last_page=last_page)
        return self._structured(raw)

    async def _structured(self, raw_pages: AsyncIterator[RawPage]) -> AsyncIterator[Page[T]]:
        async with contextlib.aclosing(raw_pages):  # type: ignore[type-var]
            async for raw in raw_pages:
                yield self.to_page(raw)

    def items(
        self, *, concurrency: int | None, first_page: int, last_page: int | None
    ) -> AsyncIterator[T]:
        """Every item of every page, in order."""
        pages = self.pages(concurrency=concurrency, first_page=first_page, last_page=last_page)
        return self._items(pages)

    async def _items(self, pages: AsyncIterator[Page[T]]) -> AsyncIterator[T]:
        async with contextlib.aclosing(pages):  # type: ignore[type-var]
            async for page in pages:
                for item in page.items:
                    yield item
