"""The redirect decision of one hop (``_redirects.next_hop``), without a network."""

from __future__ import annotations

import pytest
from yarl import URL

from screendesk_async import errors
from screendesk_async._redirects import next_hop, too_many
from screendesk_async._request import Request

API = URL("https://api.test/api/v2/recordings?page=2")
GET = Request("GET", API)


def hop(
    location: str | None,
    *,
    status: int = 302,
    request: Request = GET,
    at: URL = API,
    foreign: bool = False,
) -> URL | errors.APIStatusError | None:
    headers = {} if location is None else {"Location": location}
    return next_hop(request, at, status, headers, foreign_credentials=foreign)


@pytest.mark.parametrize("status", [200, 204, 304, 404, 500])
def test_an_answer_that_is_no_redirect_is_the_answer(status: int) -> None:
    assert hop("/elsewhere", status=status) is None


def test_a_redirect_without_location_is_the_answer() -> None:
    assert hop(None) is None


@pytest.mark.parametrize(
    ("location", "followed"),
    [
        ("/api/v2/recordings?page=3", "https://api.test/api/v2/recordings?page=3"),
        ("page3", "https://api.test/api/v2/page3"),
        ("https://cdn.test/r.json", "https://cdn.test/r.json"),
    ],
)
def test_a_get_follows_a_location_resolved_against_its_url(location: str, followed: str) -> None:
    assert hop(location) == URL(followed)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_any_other_method_is_refused_with_the_3xx(method: str) -> None:
    refused = hop("/x", status=307, request=Request(method, API, body=b"{}"))
    assert isinstance(refused, errors.APIStatusError)
    assert refused.status == 307
    assert "never sent to another place" in str(refused)


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("http://api.test/api/v2/recordings", "from https to http"),
        ("ftp://api.test/file", "from https to ftp"),
        ("https://api.test:99999/x", "invalid redirect Location"),
        ("https://[::1/x", "invalid redirect Location"),
    ],
)
def test_a_downgrade_or_a_broken_location_is_refused(location: str, message: str) -> None:
    refused = hop(location)
    assert isinstance(refused, errors.APIStatusError)
    assert message in str(refused)


def test_another_origin_is_refused_only_when_the_session_adds_credentials() -> None:
    assert hop("https://cdn.test/x") == URL("https://cdn.test/x")
    refused = hop("https://cdn.test/x", foreign=True)
    assert isinstance(refused, errors.APIStatusError)
    assert "credentials of its own" in str(refused)
    assert hop("/same-origin", foreign=True) == URL("https://api.test/same-origin")


def test_http_may_go_to_https_on_loopback() -> None:
    local = URL("http://127.0.0.1:8080/api/v2/users")
    assert hop("https://127.0.0.1:8443/u", request=Request("GET", local), at=local) == URL(
        "https://127.0.0.1:8443/u"
    )


def test_too_many_redirects_name_the_last_status() -> None:
    error = too_many(GET, 301)
    assert (error.status, error.method, error.path) == (301, "GET", "/api/v2/recordings")
    assert "more than 5 redirects" in str(error)
