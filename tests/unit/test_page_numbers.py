"""Pagination figures: read in one place, each a count from 0 to 2**31 - 1 or an error naming it."""

from __future__ import annotations

from typing import Any

import pytest

from screendesk_async import errors
from screendesk_async._constants import MAX_PAGE_INT
from screendesk_async._page_numbers import Unreadable, page_int, rest_pagination


@pytest.mark.parametrize(
    ("value", "read"),
    [(None, None), (0, 0), (7, 7), ("7", 7), ("007", 7), (MAX_PAGE_INT, MAX_PAGE_INT)],
)
def test_a_figure_reads_as_its_count(value: Any, read: int | None) -> None:
    assert page_int(value, "pages", "page 1") == read


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("²", "'²'"),  # str.isdigit() says yes, int() says no
        ("٣", "'٣'"),  # an Arabic-Indic three: int() would read it
        ("", "''"),
        (" 3", "' 3'"),
        ("1" * 5000, "'111111111111111… (5002 characters)"),
        (MAX_PAGE_INT + 1, "2147483648"),
        (-1, "-1"),
        (True, "True"),
        (2.0, "2.0"),
        ([1], "[1]"),
        (Unreadable("9" * 5000), "9999999999999999… (5000 characters)"),
    ],
)
def test_anything_else_is_an_error_naming_page_field_and_value(value: Any, shown: str) -> None:
    with pytest.raises(errors.ResponseDecodeError) as caught:
        page_int(value, "pagination.pages", "page 3")
    assert str(caught.value) == (
        f"page 3: pagination.pages is {shown}, not a page number or count from 0 to 2147483647"
    )


def test_every_rest_figure_is_read_and_pages_falls_back_to_last_page() -> None:
    page = {"pagination": {"page": "2", "pages": 0, "last_page": 9, "count": None}}
    figures = rest_pagination(page, "page 2")
    assert (figures.page, figures.page_count, figures.count, figures.next_page) == (
        2,
        9,
        None,
        None,
    )
    assert rest_pagination({"pagination": [1, 2]}, "page 1").page_count is None
    with pytest.raises(errors.ResponseDecodeError, match=r"page 2: pagination\.items is -3"):
        rest_pagination({"pagination": {"page": 2, "items": -3}}, "page 2")
