"""What each kind of export reads: which listing, where its items and ids are, its columns."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any, Final

import attrs

from .._client import AsyncScreendesk
from ..models import Recording, ScimUser, User
from ..models._converter import wire_columns

RawPage = dict[str, Any]
#: Users per SCIM request in an export (a page of the ``--pages`` slice).
SCIM_PAGE_SIZE: Final = 100


def _total(*path: str) -> Callable[[RawPage], int | None]:
    def read(page: RawPage) -> int | None:
        value: Any = page
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    return read


@attrs.frozen
class Source:
    """One kind of export.

    Attributes:
        kind: The command-line name (``recordings``, ``users``, ``scim-users``).
        items_key: Where a page holds its records.
        id_key: The field that identifies a record (used to drop duplicates).
        columns: The CSV columns known from the models, dotted for nested fields.
        total: Reads the listing's total record count from a page.
        open_pages: ``(client, first_page, last_page, concurrency)`` → raw pages in order.
    """

    kind: str
    items_key: str
    id_key: str
    columns: tuple[str, ...]
    total: Callable[[RawPage], int | None]
    open_pages: Callable[[AsyncScreendesk, int, int | None, int | None], AsyncIterator[RawPage]]
    supports_head_reread: bool = True


def _scim_pages(
    sd: AsyncScreendesk, first: int, last: int | None, concurrency: int | None
) -> AsyncIterator[RawPage]:
    return sd.scim.users.raw_pages(
        page_size=SCIM_PAGE_SIZE,
        concurrency=concurrency,
        first_index=(first - 1) * SCIM_PAGE_SIZE + 1,
        last_index=None if last is None else last * SCIM_PAGE_SIZE,
    )


SOURCES: Final[dict[str, Source]] = {
    "recordings": Source(
        kind="recordings",
        items_key="records",
        id_key="uuid",
        columns=wire_columns(Recording),
        total=_total("pagination", "count"),
        open_pages=lambda sd, first, last, concurrency: sd.recordings.raw_pages(
            concurrency=concurrency, first_page=first, last_page=last
        ),
    ),
    "users": Source(
        kind="users",
        items_key="users",
        id_key="email",
        columns=wire_columns(User),
        total=_total("pagination", "count"),
        open_pages=lambda sd, first, last, concurrency: sd.users.raw_pages(
            concurrency=concurrency, first_page=first, last_page=last
        ),
    ),
    "scim-users": Source(
        kind="scim-users",
        items_key="Resources",
        id_key="id",
        columns=wire_columns(ScimUser),
        total=_total("totalResults"),
        open_pages=_scim_pages,
        # SCIM lists have no "newest first" head where records created meanwhile would appear.
        supports_head_reread=False,
    ),
}
