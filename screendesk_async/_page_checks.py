"""Checking a page against what the docs describe: items, identifiers, REST pagination.

Each check raises ``ResponseDecodeError`` naming the page and what was wrong with it; the page
plans of :mod:`._strategies` call them on every page, in order, and ``page(n)`` on its one.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import repeat
from typing import Any, Final

from . import errors
from ._page_numbers import rest_pagination
from ._pagination import RawPage
from .models._identity import is_identifier

_MISSING: Final = object()
#: The types of identifiers that need no closer look (but for "").
_ID_TYPES: Final = frozenset({str, int})


def bad_page(where: str, what: str) -> errors.ResponseDecodeError:
    """The error for the page ``where`` (e.g. ``"page 2"``): ``what`` is wrong with it."""
    return errors.ResponseDecodeError(f"{where}: {what}", method="GET")


def check_items(page: RawPage, items_key: str, where: str) -> list[Any]:
    """``page[items_key]``, or ``ResponseDecodeError`` unless it is a list of JSON objects."""
    items = page.get(items_key, _MISSING)
    if items is _MISSING:
        raise bad_page(where, f"{items_key!r} is missing")
    if not isinstance(items, list):
        kind = "null" if items is None else type(items).__name__
        raise bad_page(where, f"{items_key!r} is {kind}, not a list")
    for item in items:
        if not isinstance(item, dict):
            raise bad_page(where, f"{items_key!r} holds a {type(item).__name__}, not only objects")
    return items


def check_identifiers(ids: Iterable[Any], id_key: str, where: str) -> None:
    """``ResponseDecodeError`` naming the first record whose identifier ``ids`` lacks.

    A record without one is not of the resource listed (users served on /recordings): it
    fails its page, as ``get()`` fails on ``{}``.
    """
    ids = ids if isinstance(ids, list) else list(ids)
    if _ID_TYPES.issuperset(map(type, ids)) and "" not in ids:
        return  # every page the API sends: one pass in C rather than a call per record
    for number, value in enumerate(ids, 1):
        if not is_identifier(value):
            raise bad_page(where, f"record {number} has no {id_key!r}")


def check_rest_page(items_key: str, number: int, page: RawPage, id_key: str | None = None) -> None:
    """Raise ``ResponseDecodeError`` unless ``page`` is page ``number`` as the docs describe it.

    ``id_key``: the field every record must identify itself with (see
    :func:`check_identifiers`); ``None`` checks no field of the records.
    """
    where = f"page {number}"
    items = check_items(page, items_key, where)
    figures = rest_pagination(page, where)  # every one, so none is read unchecked later
    if figures.page is not None and figures.page != number:
        raise bad_page(where, f"the server answered with page {figures.page} instead")
    if id_key is not None:
        check_identifiers(list(map(dict.get, items, repeat(id_key))), id_key, where)
    if items:
        return
    pages, following, count = figures.page_count, figures.next_page, figures.count
    per_page = figures.items
    if pages is not None and pages > max(number - 1, 1):
        said = f"pages={pages}"
    elif following is not None and following > number:
        said = f"next_page={following}"
    elif count is not None and per_page and count > (number - 1) * per_page:
        said = f"count={count}"
    elif number > 1 and pages is None and count is None:
        raise bad_page(where, "it is empty and its pagination does not say the listing ends")
    else:
        return
    raise bad_page(where, f"it is empty, but its pagination says records follow ({said})")
