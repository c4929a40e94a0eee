"""Argument checks that run before any request is sent."""

from __future__ import annotations

import pytest

from screendesk_async import _validate

UUID = "0f8fad5b-d9cb-469f-a165-70867728950e"
#: Values that are not text, which every check of a string refuses (bytes that would pass too).
NOT_TEXT = [None, 42, 123, ["a"], UUID.encode(), b"ada@example.com"]


@pytest.mark.parametrize("value", [UUID, UUID.upper(), "00000000-0000-0000-0000-000000000000"])
def test_recording_uuid_accepts_canonical(value: str) -> None:
    assert _validate.recording_uuid(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "{" + UUID + "}",
        "urn:uuid:" + UUID,
        UUID.replace("-", ""),
        UUID + "\n",
        " " + UUID,
        UUID[:-1],
        UUID[:-1] + "g",
        "",
        "../recordings",
        "../../users/" + UUID,
        UUID + "/../x",
        *NOT_TEXT,
    ],
)
def test_recording_uuid_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="recording uuid"):
        _validate.recording_uuid(value)


@pytest.mark.parametrize(
    "value", ["2819c223-7f76-453a-919d-413861904646", "ext-42", "a b", "a/b", "x" * 1024, "é"]
)
def test_opaque_id_accepts(value: str) -> None:
    assert _validate.opaque_id(value) == value


@pytest.mark.parametrize(
    "value", ["", "   ", ".", "..", "x" * 1025, "a\x00b", "a\nb", "a\x7f", *NOT_TEXT]
)
def test_opaque_id_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="not a well-formed id"):
        _validate.opaque_id(value)


def test_opaque_id_names_what() -> None:
    with pytest.raises(ValueError, match="externalId"):
        _validate.opaque_id("", what="externalId")


@pytest.mark.parametrize(
    "value", ["ada@example.com", "ops+alerts@example.com", "a@b", "first.last@sub.example.co.uk"]
)
def test_email_accepts(value: str) -> None:
    assert _validate.email(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "",
        "ada.example.com",
        "@example.com",
        "ada@",
        "a@b@c",
        "ada @example.com",
        "ada@example.com ",
        "ada\t@example.com",
        "ada@exa\x00mple.com",
        "ada@example.com\r\nX-Injected: 1",
        *NOT_TEXT,
    ],
)
def test_email_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="email"):
        _validate.email(value)


@pytest.mark.parametrize("value", [1, 2, 10**9])
def test_positive_int_accepts(value: int) -> None:
    assert _validate.positive_int(value, "n") == value


@pytest.mark.parametrize("value", [True, False, 0, -1, 1.0, 2.5, "3", None])
def test_positive_int_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="concurrency must be an int >= 1"):
        _validate.positive_int(value, "concurrency")


def test_optional_positive_int() -> None:
    assert _validate.optional_positive_int(None, "n") is None
    assert _validate.optional_positive_int(3, "n") == 3
    with pytest.raises(ValueError, match="n must"):
        _validate.optional_positive_int(0, "n")


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [(1, None, (1, None)), (1, 1, (1, 1)), (3, 7, (3, 7)), (5, None, (5, None))],
)
def test_page_range_accepts(first: int, last: int | None, expected: tuple[int, int | None]) -> None:
    assert _validate.page_range(first, last) == expected


@pytest.mark.parametrize(
    ("first", "last", "match"),
    [
        (0, None, "first_page"),
        (True, None, "first_page"),
        (1.0, None, "first_page"),
        (1, 0, "last_page"),
        (1, False, "last_page"),
        (5, 4, r"last_page \(4\) must be >= first_page \(5\)"),
    ],
)
def test_page_range_rejects(first: object, last: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        _validate.page_range(first, last)
