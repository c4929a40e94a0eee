"""URL building and headers: every segment and query value encoded, the token only in headers."""

from __future__ import annotations

import pytest
from yarl import URL

from screendesk_async import __version__
from screendesk_async._request import Request, build_url, encode_json, headers_for

BASE = "https://api.test/api/v2"


def test_plain_segments() -> None:
    url = build_url(BASE, ["recordings", "abc"])
    assert str(url) == "https://api.test/api/v2/recordings/abc"


def test_no_segments_is_the_base() -> None:
    assert str(build_url(BASE, [])) == BASE


@pytest.mark.parametrize(
    ("segment", "encoded"),
    [
        ("a/b", "a%2Fb"),
        ("../admin", "..%2Fadmin"),
        ("with space", "with%20space"),
        ("héllo", "h%C3%A9llo"),
        ("日本", "%E6%97%A5%E6%9C%AC"),
        ("a?b#c", "a%3Fb%23c"),
        ("a+b@c", "a%2Bb%40c"),
        ("100%", "100%25"),
    ],
)
def test_segments_are_percent_encoded(segment: str, encoded: str) -> None:
    url = build_url(BASE, ["scim", "Users", segment])
    assert url.raw_path == f"/api/v2/scim/Users/{encoded}"
    assert url.raw_query_string == ""
    # The encoded segment stays one segment: decoding it gives the original back.
    assert url.parts[-1] == segment


def test_query_plus_and_at_are_encoded() -> None:
    url = build_url(BASE, ["users", "search"], {"email": "a+b@c.io"})
    assert str(url) == "https://api.test/api/v2/users/search?email=a%2Bb%40c.io"
    assert url.query["email"] == "a+b@c.io"


def test_query_values_with_spaces_quotes_and_ampersands() -> None:
    url = build_url(BASE, ["Users"], {"filter": 'userName eq "a&b=c"', "count": 10})
    assert url.raw_query_string == "filter=userName%20eq%20%22a%26b%3Dc%22&count=10"
    assert url.query["filter"] == 'userName eq "a&b=c"'
    assert url.query["count"] == "10"


def test_none_query_values_dropped() -> None:
    url = build_url(BASE, ["Users"], {"filter": None, "startIndex": 1, "count": None})
    assert str(url) == f"{BASE}/Users?startIndex=1"


def test_all_none_query_means_no_question_mark() -> None:
    url = build_url(BASE, ["Users"], {"filter": None})
    assert str(url) == f"{BASE}/Users"
    assert str(build_url(BASE, ["Users"], {})) == f"{BASE}/Users"


def test_headers_rest() -> None:
    headers = headers_for("rest", "tok-123", has_body=False)
    assert headers["Authorization"] == "Bearer tok-123"
    assert headers["Accept"] == "application/json"
    assert headers["User-Agent"] == f"screendesk-async/{__version__}"
    assert "Content-Type" not in headers


def test_headers_rest_with_body() -> None:
    headers = headers_for("rest", "tok-123", has_body=True)
    assert headers["Content-Type"] == "application/json"


def test_headers_scim() -> None:
    headers = headers_for("scim", "scim-tok", has_body=True)
    assert headers["Authorization"] == "Bearer scim-tok"
    assert headers["Content-Type"] == "application/scim+json"
    assert headers["Accept"].split(",")[0].strip() == "application/scim+json"
    assert "application/json" in headers["Accept"]


def test_token_only_in_authorization_header() -> None:
    for api in ("rest", "scim"):
        headers = headers_for(api, "tok-SECRET", has_body=True)
        holders = [name for name, value in headers.items() if "tok-SECRET" in value]
        assert holders == ["Authorization"]


def test_request_path_excludes_query() -> None:
    url = build_url(BASE, ["users", "search"], {"email": "ada@example.com"})
    request = Request(method="GET", url=url)
    assert request.path == "/api/v2/users/search"
    assert "ada" not in request.path


def test_request_path_keeps_encoding() -> None:
    request = Request(method="DELETE", url=build_url(BASE, ["Users", "a/b c"]))
    assert request.path == "/api/v2/Users/a%2Fb%20c"


def test_request_defaults() -> None:
    request = Request(method="GET", url=URL(BASE))
    assert request.api == "rest"
    assert request.body is None
    assert request.expect == frozenset({200})


def test_encode_json() -> None:
    assert encode_json({"recording": {"title": "é", "summary": None}}) == (
        b'{"recording":{"title":"\xc3\xa9","summary":null}}'
    )
