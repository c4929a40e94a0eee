"""Status → exception mapping, error-body messages, Retry-After, and 2xx body decoding."""

from __future__ import annotations

import email.utils
from typing import Any

import orjson
import pytest
from yarl import URL

from screendesk_async import errors
from screendesk_async._request import Request
from screendesk_async._response import (
    decode_body,
    nests_deeper_than,
    parse_retry_after,
    status_error,
)

from ..status_classes import STATUS_CLASSES

REST_URL = URL("https://api.test/api/v2/recordings/0f8fad5b-d9cb-469f-a165-70867728950e")
SCIM_URL = URL("https://api.test/api/v2/scim/Users")
SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


def rest_request(method: str = "GET", expect: frozenset[int] = frozenset({200})) -> Request:
    return Request(method=method, url=REST_URL, expect=expect)


def scim_request(method: str = "POST", expect: frozenset[int] = frozenset({201})) -> Request:
    return Request(method=method, url=SCIM_URL, api="scim", expect=expect)


def error_for(
    status: int,
    body: bytes | str | dict[str, Any],
    headers: dict[str, str] | None = None,
    request: Request | None = None,
) -> errors.APIStatusError:
    raw = orjson.dumps(body) if isinstance(body, dict) else body
    raw = raw.encode() if isinstance(raw, str) else raw
    return status_error(request or rest_request(), status, headers or {}, raw)


# -- status_error: every documented error body -------------------------------------------------


def test_rest_error_object() -> None:
    body = {"error": {"message": "Recording not found", "code": 404}}
    exc = error_for(404, body)
    assert type(exc) is errors.NotFoundError
    assert exc.status == 404
    assert exc.message == "Recording not found"
    assert exc.body == body
    assert exc.scim_type is None
    assert exc.method == "GET"
    assert exc.path == REST_URL.raw_path


def test_rest_error_string() -> None:
    exc = error_for(400, {"error": "Missing email parameter"})
    assert type(exc) is errors.BadRequestError
    assert exc.message == "Missing email parameter"
    assert exc.body == {"error": "Missing email parameter"}


def test_scim_error_with_scim_type() -> None:
    body = {
        "schemas": [SCIM_ERROR],
        "detail": "User already exists",
        "status": "409",
        "scimType": "uniqueness",
    }
    exc = error_for(409, body, request=scim_request())
    assert type(exc) is errors.ConflictError
    assert exc.message == "User already exists"
    assert exc.scim_type == "uniqueness"
    assert exc.status == 409
    assert exc.method == "POST"
    assert exc.path == "/api/v2/scim/Users"


def test_scim_error_without_scim_type() -> None:
    body = {"schemas": [SCIM_ERROR], "detail": "Resource 42 not found", "status": "404"}
    exc = error_for(404, body, request=scim_request("GET"))
    assert type(exc) is errors.NotFoundError
    assert exc.message == "Resource 42 not found"
    assert exc.scim_type is None


def test_docs_invalid_404_with_trailing_comma_keeps_message() -> None:
    body = '{\n"error": {\n"message": "Recording not found or does not exist",\n"code": 404,\n}\n}'
    exc = error_for(404, body)
    assert type(exc) is errors.NotFoundError
    assert exc.status == 404
    assert exc.message == "Recording not found or does not exist"
    assert exc.body == body  # the raw text, since it is not JSON


def test_html_proxy_502_message_from_title() -> None:
    page = (
        "<html><head><title>502 Bad Gateway</title></head>"
        "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
    )
    exc = error_for(502, page, {"Content-Type": "text/html"})
    assert type(exc) is errors.InternalServerError
    assert exc.status == 502
    assert exc.message == "502 Bad Gateway"
    assert "<" not in exc.message


def test_html_page_message_from_h1_when_no_title() -> None:
    page = "<html><body><h1>Service &amp; stuff unavailable</h1><p>try later</p></body></html>"
    exc = error_for(503, page)
    assert type(exc) is errors.InternalServerError
    assert exc.message == "Service & stuff unavailable"


@pytest.mark.parametrize(
    ("status", "phrase"),
    [(500, "Internal Server Error"), (404, "Not Found"), (429, "Too Many Requests")],
)
def test_empty_body_uses_reason_phrase(status: int, phrase: str) -> None:
    for body in (b"", b"   \n"):
        exc = error_for(status, body)
        assert exc.message == phrase
        assert exc.body is None


def test_empty_body_unknown_status() -> None:
    exc = error_for(599, b"")
    assert type(exc) is errors.InternalServerError
    assert exc.message == "HTTP 599"


def test_plain_text_body() -> None:
    exc = error_for(500, "upstream   connect error\nor disconnect")
    assert type(exc) is errors.InternalServerError
    assert exc.message == "upstream connect error or disconnect"
    assert exc.body == "upstream   connect error\nor disconnect"


def test_long_message_is_shortened() -> None:
    exc = error_for(500, "x" * 5000)
    assert len(exc.message) <= 300
    assert exc.message.endswith("…")


def test_json_without_a_message_falls_back_to_phrase() -> None:
    exc = error_for(403, {"unexpected": True})
    assert type(exc) is errors.PermissionDeniedError
    assert exc.message == "Forbidden"
    assert exc.body == {"unexpected": True}


def test_unknown_418_is_base_status_error() -> None:
    exc = error_for(418, {"error": {"message": "I'm a teapot", "code": 418}})
    assert type(exc) is errors.APIStatusError
    assert exc.status == 418
    assert exc.message == "I'm a teapot"


@pytest.mark.parametrize(("status", "cls"), STATUS_CLASSES.items())
def test_status_class_mapping(status: int, cls: type[errors.APIStatusError]) -> None:
    for body in (b"", b"{not json", orjson.dumps({"error": {"message": "m", "code": status}})):
        exc = error_for(status, body)
        assert type(exc) is cls
        assert isinstance(exc, errors.APIStatusError)
        assert isinstance(exc, errors.ScreendeskError)
        assert exc.status == status


def test_str_and_repr_format() -> None:
    exc = error_for(404, {"error": {"message": "Recording not found", "code": 404}})
    assert str(exc) == f"404: Recording not found (GET {REST_URL.raw_path})"
    assert repr(exc) == "NotFoundError(status=404, message='Recording not found')"


def test_str_and_repr_never_contain_credentials() -> None:
    # The inputs carry no Authorization header; the exception must not invent one and must
    # describe the request only by its method and path (never the query, which may hold an email).
    request = Request(
        method="GET", url=URL("https://api.test/api/v2/users/search?email=ada%40example.com")
    )
    exc = status_error(request, 404, {"Content-Type": "application/json"}, b"")
    text = str(exc) + repr(exc) + repr(exc.args)
    assert "GET /api/v2/users/search" in str(exc)
    assert "Bearer" not in text
    assert "Authorization" not in text
    assert "example.com" not in text
    assert exc.path == "/api/v2/users/search"


# -- Retry-After -------------------------------------------------------------------------------


def test_rate_limit_retry_after_delta_seconds() -> None:
    exc = error_for(429, b"", {"Retry-After": "7"})
    assert isinstance(exc, errors.RateLimitError)
    assert exc.retry_after == 7.0


def test_rate_limit_retry_after_fractional() -> None:
    exc = error_for(429, b"", {"Retry-After": " 1.5 "})
    assert exc.retry_after == 1.5


def test_rate_limit_retry_after_missing() -> None:
    exc = error_for(429, b"")
    assert exc.retry_after is None


def test_rate_limit_retry_after_garbage() -> None:
    exc = error_for(429, b"", {"Retry-After": "soon"})
    assert isinstance(exc, errors.RateLimitError)
    assert exc.retry_after is None


def test_retry_after_http_date() -> None:
    now = 1_700_000_000.0
    value = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after(value, now=now) == pytest.approx(30.0)


def test_retry_after_http_date_in_the_past_is_zero() -> None:
    now = 1_700_000_000.0
    value = email.utils.formatdate(now - 3600, usegmt=True)
    assert parse_retry_after(value, now=now) == 0.0


def test_retry_after_on_a_503_is_kept() -> None:
    exc = error_for(503, b"", {"Retry-After": "2"})
    assert type(exc) is errors.InternalServerError
    assert exc.retry_after == 2.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("0", 0.0),
        ("120", 120.0),
        ("0.25", 0.25),
        ("-5", 0.0),
        ("-0.5", 0.0),
        ("inf", None),
        ("-inf", None),
        ("nan", None),
        ("", None),
        ("soon", None),
        ("Mon, 99 Foo 2024 99:99:99 GMT", None),
    ],
)
def test_parse_retry_after_edge_cases(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=1_700_000_000.0) == expected


# -- decode_body -------------------------------------------------------------------------------

JSON = {"Content-Type": "application/json; charset=utf-8"}


def test_decode_json_object() -> None:
    data = decode_body(rest_request(), 200, JSON, b'{"uuid": "x", "n": [1, 2]}')
    assert data == {"uuid": "x", "n": [1, 2]}


def test_decode_without_content_type_is_accepted() -> None:
    assert decode_body(rest_request(), 200, {}, b'{"a": 1}') == {"a": 1}


def test_decode_204_empty_is_none() -> None:
    request = rest_request("DELETE", frozenset({204}))
    assert decode_body(request, 204, {}, b"") is None


def test_decode_empty_200_is_error() -> None:
    with pytest.raises(errors.ResponseDecodeError) as info:
        decode_body(rest_request(), 200, JSON, b"")
    assert info.value.status == 200
    assert info.value.method == "GET"
    assert info.value.path == REST_URL.raw_path


def test_decode_html_200_is_error() -> None:
    with pytest.raises(errors.ResponseDecodeError, match="text/html"):
        decode_body(rest_request(), 200, {"Content-Type": "text/html"}, b"<html>login</html>")


def test_decode_truncated_json_is_error() -> None:
    with pytest.raises(errors.ResponseDecodeError, match="not valid JSON"):
        decode_body(rest_request(), 200, JSON, b'{"records": [{"uuid": "a"}, {"uu')


def test_decode_json_list_is_error() -> None:
    with pytest.raises(errors.ResponseDecodeError, match="list"):
        decode_body(rest_request(), 200, JSON, b"[1, 2]")


def test_decode_scim_json_accepted() -> None:
    data = decode_body(
        scim_request(),
        201,
        {"Content-Type": "application/scim+json"},
        b'{"id": "1", "userName": "ada"}',
    )
    assert data == {"id": "1", "userName": "ada"}


def test_decode_unexpected_status_is_error() -> None:
    with pytest.raises(errors.ResponseDecodeError, match="unexpected status 202"):
        decode_body(rest_request(), 202, JSON, b'{"a": 1}')


def test_decode_unexpected_204_for_a_get_is_error() -> None:
    with pytest.raises(errors.ResponseDecodeError):
        decode_body(rest_request(), 204, {}, b"")


def test_decode_error_is_not_a_status_error() -> None:
    with pytest.raises(errors.ResponseDecodeError) as info:
        decode_body(rest_request(), 200, JSON, b"nope")
    assert isinstance(info.value, errors.ScreendeskError)
    assert not isinstance(info.value, errors.APIStatusError)


@pytest.mark.parametrize(
    ("value", "depth"),
    [
        (1, 0),
        ("[[[", 0),
        ([], 1),
        ({}, 1),
        ([1, {"a": "b"}], 2),
        ({"a": [1], "b": {"c": [[]]}}, 4),
        ([[], [[[]]], {}], 4),
    ],
)
def test_nesting_is_measured_level_by_level(value: Any, depth: int) -> None:
    assert not nests_deeper_than(value, depth)
    assert nests_deeper_than(value, depth - 1) is (depth > 0)


def test_a_scim_body_past_the_depth_limit_is_refused_and_a_rest_one_is_not() -> None:
    body = b'{"id": "u1", "x": ' + b"[" * 64 + b"]" * 64 + b"}"
    with pytest.raises(errors.ResponseDecodeError, match="nests deeper than 64 levels"):
        decode_body(scim_request("GET", frozenset({200})), 200, JSON, body)
    assert decode_body(rest_request(), 200, JSON, body)["id"] == "u1"
