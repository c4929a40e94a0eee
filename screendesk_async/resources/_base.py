"""What every resource shares: the transport, request building, and REST listings."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, ClassVar, Generic, TypeVar

from .. import _constants as C
from .. import _validate
from .._page_checks import check_rest_page
from .._pagination import RawPage, ordered_pages
from .._request import Api, Request, build_url, encode_json
from .._strategies import NumberedPages
from .._transport import Transport
from ..models._converter import converter, structure_list
from ..models._identity import structure_one, wire_identifier
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
        expects_body: bool = True,
    ) -> Request:
        config = self._transport.config
        base = config.scim_base_url if api == "scim" else config.base_url + C.REST_PATH
        return Request(
            method=method,
            url=build_url(base, segments, query),
            api=api,
            body=None if json is None else encode_json(json),
            expect=expect,
            expects_body=expects_body,
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


async def structured(
    raw_pages: AsyncIterator[RawPage], to_page: Callable[[RawPage], Page[T]]
) -> AsyncIterator[Page[T]]:
    """Each raw page as a :class:`Page`, closing ``raw_pages`` (and its requests) when closed."""
    async with contextlib.aclosing(raw_pages):  # type: ignore[type-var]
        async for raw in raw_pages:
            yield to_page(raw)


async def flattened(pages: AsyncIterator[Page[T]]) -> AsyncIterator[T]:
    """Every item of every page, in order, closing ``pages`` when closed."""
    async with contextlib.aclosing(pages):  # type: ignore[type-var]
        async for page in pages:
            for item in page.items:
                yield item


class AsyncRestCollection(Resource, Generic[T]):
    """A paginated REST v2 collection (``GET /api/v2/{segment}?page=N``), declared by a subclass.

    A subclass declares the collection in class attributes and inherits ``list``, ``pages``,
    ``page`` and ``raw_pages``; the sync facade follows from the same declaration.
    """

    #: The path segment under the REST base URL, e.g. ``"recordings"``.
    segment: ClassVar[str]
    #: The key of the list in a page, e.g. ``"records"``.
    items_key: ClassVar[str]
    #: The key a single object may be wrapped in, e.g. ``"recording"``.
    item_key: ClassVar[str]
    #: The model every item is structured into.
    model: ClassVar[type[Any]]
    #: Checks an id before it goes into a path (``ValueError`` when malformed).
    validate_id: staticmethod[[object], str] = staticmethod(_validate.opaque_id)

    def list(
        self, *, concurrency: int | None = None, first_page: int = 1, last_page: int | None = None
    ) -> AsyncIterator[T]:
        """Every item, in page order, fetching up to ``concurrency`` pages ahead.

        Args:
            concurrency: Pages requested ahead of the consumer (default: the client's
                ``max_concurrency``; requests in flight never exceed it).
            first_page: The first page to read (1-based, inclusive).
            last_page: The last page to read (inclusive), or ``None`` for all.

        Closing the iterator (``aclose()``, ``contextlib.aclosing``, leaving an ``async with``)
        cancels the page requests still in flight.
        """
        return flattened(
            self.pages(concurrency=concurrency, first_page=first_page, last_page=last_page)
        )

    def pages(
        self, *, concurrency: int | None = None, first_page: int = 1, last_page: int | None = None
    ) -> AsyncIterator[Page[T]]:
        """Every page of the collection, in order (same arguments as :meth:`list`)."""
        raw = self.raw_pages(concurrency=concurrency, first_page=first_page, last_page=last_page)
        return structured(raw, self._to_page)

    def raw_pages(
        self, *, concurrency: int | None = None, first_page: int = 1, last_page: int | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        """Every page as the server sent it (decoded JSON, every field kept), in order.

        For exports that must keep fields the models do not know; same arguments as
        :meth:`list`.
        """
        first, last = _validate.page_range(first_page, last_page)
        window = self._concurrency(concurrency)
        plan = NumberedPages(self.items_key, first, last, id_key=wire_identifier(self.model))
        return ordered_pages(self._fetch_raw, plan, window)

    async def page(self, n: int) -> Page[T]:
        """Page ``n`` (1-based) of the collection, in one request."""
        _validate.positive_int(n, "page number")
        raw = await self._fetch_raw(n)
        check_rest_page(self.items_key, n, raw, wire_identifier(self.model))
        return self._to_page(raw)

    def _to_page(self, raw: RawPage) -> Page[T]:
        pagination = raw.get("pagination")
        return Page(
            items=structure_list(raw.get(self.items_key), self.model),
            pagination=(
                converter.structure(pagination, Pagination)
                if isinstance(pagination, dict)
                else None
            ),
        )

    async def _fetch_raw(self, number: int) -> RawPage:
        request = self._request("GET", (self.segment,), query={"page": number})
        raw: RawPage = await self._send(request)
        return raw

    def _item_segments(self, id: object, *more: str) -> tuple[str, ...]:
        return (self.segment, self.validate_id(id), *more)

    async def _one(self, request: Request) -> T:
        """Send ``request`` and structure the single object it answers with."""
        item: T = structure_one(unwrap(await self._send(request), self.item_key), self.model)
        return item
