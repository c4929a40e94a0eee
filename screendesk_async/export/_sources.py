"""What each kind of export reads: which listing, where its items and ids are, its columns.

REST listings are read here with a decoder of their own: each record is kept as the exact bytes
the server sent (``msgspec.Raw``), and only its id is decoded. That is what a JSONL export
writes, byte for byte, and it costs a third of decoding every record into dicts and encoding it
again.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Callable
from operator import attrgetter
from typing import Any, Final, Literal

import attrs
import msgspec

from .._client import AsyncScreendesk
from .._page_checks import check_identifiers, check_rest_page
from .._page_numbers import Unreadable, rest_pagination, scim_int
from .._pagination import ordered_pages
from .._request import Request, build_url
from .._strategies import NumberedPages
from ..errors import ResponseDecodeError
from ..models import Model, Recording, ScimUser, User

RawPage = dict[str, Any]
#: Users per SCIM request in an export (a page of the ``--pages`` slice).
SCIM_PAGE_SIZE: Final = 100
#: Where a page decoded here keeps the ids of its records (no JSON key can be empty-prefixed
#: like this one, so it never meets a field of the server's).
IDS_KEY: Final = "\0ids"


# The pages these read have passed their plan's check, which read the same figures the same way.
def _rest_total(page: RawPage) -> int | None:
    return rest_pagination(page, "page").count


def _rest_page_count(page: RawPage) -> int | None:
    return rest_pagination(page, "page").page_count


def _scim_total(page: RawPage) -> int | None:
    return scim_int(page, "totalResults", "SCIM page")


def _scim_page_count(page: RawPage) -> int | None:
    total = _scim_total(page)
    return None if total is None else math.ceil(total / SCIM_PAGE_SIZE)


def _figure(raw: msgspec.Raw) -> Any:
    """A pagination value, or :class:`Unreadable` where msgspec cannot read it (5,000 digits).

    So the plan's check names the field, rather than the decoder failing the whole body.
    """
    try:
        return msgspec.json.decode(raw)
    except msgspec.ValidationError:
        return Unreadable(bytes(raw).decode("utf-8", "replace"))


def _one_line(raw: msgspec.Raw) -> msgspec.Raw | bytes:
    """A record as one line: a pretty-printed one loses the whitespace between its tokens.

    Only that: every token stays as the server spelled it (not decoded and encoded again,
    which would round an integer past 64 bits, refuse ``1E400``, or rewrite ``1.50``).
    """
    data = bytes(raw)
    if b"\n" in data or b"\r" in data:
        return msgspec.json.format(data, indent=-1)
    return raw


class RawRestDecoder:
    """Decodes a REST page into ``{"pagination": dict, items_key: [Raw, ...], IDS_KEY: ids}``.

    msgspec decodes the page, keeping each record's bytes (a pretty-printed record is made one
    line), then each record's id alone. Raises ``ValueError`` (a decode error for the
    transport) when the body is not an object, or the items are not a list of objects, and
    ``RecursionError`` when it nests deeper than msgspec can follow (the transport's decode
    error too); missing or null items are left to :class:`RawNumberedPages` to report.
    """

    def __init__(self, items_key: str, id_key: str) -> None:
        self.items_key = items_key
        page_type = msgspec.defstruct(
            "RawRestPage",
            [
                # Raw values: one msgspec cannot read is still named by the plan's check.
                ("pagination", dict[str, msgspec.Raw] | None, None),
                (items_key, list[msgspec.Raw] | None | msgspec.UnsetType, msgspec.UNSET),
            ],
        )
        id_type = msgspec.defstruct("RecordId", [(id_key, Any, None)])
        self._page = msgspec.json.Decoder(page_type)
        self._ids = msgspec.json.Decoder(id_type)
        self._id_of = attrgetter(id_key)

    def __call__(self, body: bytes) -> RawPage:
        page = self._page.decode(body)
        items: Any = getattr(page, self.items_key)
        pagination = getattr(page, "pagination", None)
        if pagination is not None:
            pagination = {key: _figure(value) for key, value in pagination.items()}
        if not isinstance(items, list):
            # Missing or null: the plan's check says so, naming the page, as for any listing.
            found = {} if items is msgspec.UNSET else {self.items_key: None}
            return {"pagination": pagination, **found, IDS_KEY: []}
        if b"\n" in body or b"\r" in body:
            items = list(map(_one_line, items))
        ids = list(map(self._id_of, map(self._ids.decode, items)))
        return {"pagination": pagination, self.items_key: items, IDS_KEY: ids}


class RawNumberedPages(NumberedPages):
    """REST paging over pages from :class:`RawRestDecoder`, checked as the listings check theirs.

    The decoder has already checked that the items are JSON objects (their bytes are kept, so
    they are not dicts here); a page that repeats the one before it is recognised by its ids.
    """

    def __init__(
        self, items_key: str, first_page: int = 1, last_page: int | None = None, *, id_key: str
    ) -> None:
        super().__init__(items_key, first_page, last_page)
        self.record_id = id_key
        self._previous_ids: list[Any] = []

    def check(self, key: int, page: RawPage) -> None:
        """:func:`~screendesk_async._page_checks.check_rest_page`, and no repeated page.

        Every record must carry its id, as in the typed listings; the ids are the decoder's.
        """
        items = page.get(self.items_key)
        if isinstance(items, list):
            # Stand-ins of the right type and number: only how many there are matters to it.
            page = {**page, self.items_key: [{}] * len(items)}
        check_rest_page(self.items_key, key, page)
        ids = page[IDS_KEY]
        check_identifiers(ids, self.record_id, f"page {key}")
        if ids and ids == self._previous_ids:
            raise ResponseDecodeError(
                f"page {key}: the same records as the page before it", method="GET"
            )
        self._previous_ids = ids


def _rest_pages(segment: str, items_key: str, id_key: str) -> OpenPages:
    decoder = RawRestDecoder(items_key, id_key)

    def open_pages(
        sd: AsyncScreendesk, first: int, last: int | None, concurrency: int | None
    ) -> AsyncIterator[RawPage]:
        transport = sd._transport
        base = f"{transport.config.base_url}/api/v2"

        async def fetch(number: int) -> RawPage:
            url = build_url(base, (segment,), {"page": number})
            page: RawPage = await transport.request(Request("GET", url, decoder=decoder))
            return page

        window = concurrency or transport.config.max_concurrency
        plan = RawNumberedPages(items_key, first, last, id_key=id_key)
        return ordered_pages(fetch, plan, window)

    return open_pages


OpenPages = Callable[[AsyncScreendesk, int, int | None, int | None], AsyncIterator[RawPage]]


@attrs.frozen
class Source:
    """One kind of export.

    Attributes:
        kind: The command-line name (``recordings``, ``users``, ``scim-users``).
        items_key: Where a page holds its records.
        id_key: The field that identifies a record (used to drop duplicates).
        model: The model of a record (its declaration gives the CSV columns).
        total: Reads the listing's total record count from a page.
        page_count: Reads the listing's number of pages from a page.
        open_pages: ``(client, first_page, last_page, concurrency)`` → raw pages in order; a
            page's items are dicts or ``msgspec.Raw`` (then their ids are under ``IDS_KEY``).
        api: The API, hence the token, it reads with.
    """

    kind: str
    items_key: str
    id_key: str
    model: type[Model]
    total: Callable[[RawPage], int | None]
    page_count: Callable[[RawPage], int | None]
    open_pages: OpenPages
    supports_head_reread: bool = True
    api: Literal["rest", "scim"] = "rest"


def _scim_pages(
    sd: AsyncScreendesk, first: int, last: int | None, concurrency: int | None
) -> AsyncIterator[RawPage]:
    return sd.scim.users.raw_pages(
        page_size=SCIM_PAGE_SIZE,
        concurrency=concurrency,
        first_index=(first - 1) * SCIM_PAGE_SIZE + 1,
        last_index=None if last is None else last * SCIM_PAGE_SIZE,
    )


def _rest(kind: str, items_key: str, model: type[Model]) -> Source:
    """The REST listing ``/api/v2/KIND?page=N`` of ``model``, its records under ``items_key``."""
    id_key = model._wire_identifier
    if id_key is None:
        raise TypeError(f"{model.__name__} declares no identifier to list it by")
    pages = _rest_pages(kind, items_key, id_key)
    return Source(kind, items_key, id_key, model, _rest_total, _rest_page_count, pages)


SOURCES: Final[dict[str, Source]] = {
    "recordings": _rest("recordings", "records", Recording),
    "users": _rest("users", "users", User),
    "scim-users": Source(
        kind="scim-users",
        items_key="Resources",
        id_key=ScimUser._wire_identifier,
        model=ScimUser,
        total=_scim_total,
        page_count=_scim_page_count,
        open_pages=_scim_pages,
        # SCIM lists have no "newest first" head where records created meanwhile would appear.
        supports_head_reread=False,
        api="scim",
    ),
}
