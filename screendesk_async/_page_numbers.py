"""The figures a page gives about its listing (page numbers, counts, indexes), read in one place.

Every plan of :mod:`._strategies` and the export's sources read them here. A figure is an int
from 0 to ``MAX_PAGE_INT``, or a string of its ASCII digits; null or absent means unknown.
Anything else is no figure a listing can be planned with, and raises ``ResponseDecodeError``
naming the page and the field: never a bare ``ValueError`` from ``int()`` (``"²".isdigit()``
is true), and never a plan of 10**5000 requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import attrs

from . import _constants as C
from . import errors

#: Digits of the largest figure: a longer string is out of range without being converted
#: (``int()`` refuses more than 4,300 digits with a ``ValueError`` of its own).
_DIGITS: Final = len(str(C.MAX_PAGE_INT))
_SHOWN: Final = 24


class Unreadable:
    """A JSON value a decoder could not read (an integer of 5,000 digits), kept as its text."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _shown(value: Any) -> str:
    try:
        text = repr(value)
    except ValueError:  # an int past Python's 4,300 digits for str()
        text = f"an integer of {value.bit_length()} bits"
    if len(text) > _SHOWN:
        text = f"{text[: _SHOWN - 8]}… ({len(text)} characters)"
    return text


def page_int(value: Any, field: str, where: str) -> int | None:
    """The figure ``value`` of ``field`` on the page ``where``; ``None`` when null or absent.

    Raises:
        errors.ResponseDecodeError: ``value`` is not a figure from 0 to ``MAX_PAGE_INT``.

    >>> page_int("12", "pages", "page 1"), page_int(None, "pages", "page 1")
    (12, None)
    """
    if value is None:
        return None
    number = -1
    if type(value) is int:
        if 0 <= value <= C.MAX_PAGE_INT:
            return value  # nearly every figure of every page
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        number = int(value) if len(value) <= _DIGITS else C.MAX_PAGE_INT + 1
    if 0 <= number <= C.MAX_PAGE_INT:
        return number
    raise errors.ResponseDecodeError(
        f"{where}: {field} is {_shown(value)}, not a page number or count from 0 to "
        f"{C.MAX_PAGE_INT}",
        method="GET",
    )


@attrs.frozen
class RestPagination:
    """The figures of a REST page's ``pagination`` object (``None`` where not sent)."""

    page: int | None
    pages: int | None
    last_page: int | None
    next_page: int | None
    count: int | None
    items: int | None

    @property
    def page_count(self) -> int | None:
        """``pages``, or ``last_page`` where that is not sent (or 0)."""
        return self.pages or self.last_page


#: Each figure's key, and its name in messages.
_REST_FIELDS: Final = tuple((f.name, f"pagination.{f.name}") for f in attrs.fields(RestPagination))


def rest_pagination(page: Mapping[str, Any], where: str) -> RestPagination:
    """Every figure of ``page["pagination"]``, each read by :func:`page_int`.

    A ``pagination`` that is not an object says nothing (every figure ``None``).
    """
    pagination = page.get("pagination")
    if not isinstance(pagination, Mapping):
        pagination = {}
    return RestPagination(
        *[page_int(pagination.get(key), name, where) for key, name in _REST_FIELDS]
    )


def scim_int(page: Mapping[str, Any], field: str, where: str) -> int | None:
    """The figure ``field`` of a SCIM ListResponse (``totalResults``, ``startIndex`` ...)."""
    return page_int(page.get(field), field, where)
