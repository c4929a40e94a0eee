"""Pagination of REST listings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

import attrs

from ._base import Model
from ._shape import field

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class Pagination(Model):
    """The ``pagination`` object of a REST listing. Fields that do not apply are ``None``.

    ``from_`` is the API's ``from`` (a Python keyword).
    """

    count: int | None = None
    page: int | None = None
    items: int | None = None
    pages: int | None = None
    next_page: int | None = None
    prev_page: int | None = None
    last_page: int | None = None
    from_: int | None = field(wire="from")
    to: int | None = None


@attrs.frozen(kw_only=True)
class Page(Model, Generic[T]):
    """One page of a listing: its ``items`` and the ``pagination`` the server sent.

    Iterating a page iterates its items::

        page = await sd.recordings.page(2)
        for recording in page:
            print(recording.title)
    """

    items: list[T] = attrs.field(factory=list)
    pagination: Pagination | None = None

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)
