"""Reading responses: status → exception, error bodies → messages, 2xx bodies → JSON.

Pure functions, no I/O, so every documented body shape is unit-tested directly.
"""

from __future__ import annotations

import email.utils
import html
import re
import time
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any, Final

import orjson

from . import _constants as C
from . import errors
from ._logging import redact, scrub
from ._request import Request

_STATUS_CLASSES: Final[dict[int, type[errors.APIStatusError]]] = {
    400: errors.BadRequestError,
    401: errors.AuthenticationError,
    403: errors.PermissionDeniedError,
    404: errors.NotFoundError,
    409: errors.ConflictError,
    422: errors.UnprocessableEntityError,
    429: errors.RateLimitError,
}
# Salvages the message from a body that is almost JSON (the API docs' own 404 example has a
# trailing comma): a bad error body must never hide the status or its message.
_MESSAGE_RE: Final = re.compile(r'"(?:message|detail|error)"\s*:\s*"((?:[^"\\]|\\.)*)"')
_HTML_TITLE_RE: Final = re.compile(r"<(title|h1)[^>]*>(.*?)</\1>", re.IGNORECASE | re.DOTALL)
_TAG_RE: Final = re.compile(r"<[^>]+>")
_MAX_MESSAGE: Final = 300


def error_class(status: int) -> type[errors.APIStatusError]:
    """The exception class for an error status."""
    if status >= 500:
        return errors.InternalServerError
    return _STATUS_CLASSES.get(status, errors.APIStatusError)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delta-seconds (fractions too) or an HTTP-date.

    >>> parse_retry_after("1.5")
    1.5
    >>> parse_retry_after("soon") is None
    True
    """
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds or seconds in (float("inf"), float("-inf")):
        return None
    return max(0.0, seconds)


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


def _message_from_json(data: Any) -> tuple[str | None, str | None]:
    """``(message, scimType)`` from every documented error body shape."""
    if not isinstance(data, dict):
        return (_shorten(data) if isinstance(data, str) and data.strip() else None), None
    error = data.get("error")
    if isinstance(error, dict):
        message = error.get("message") or error.get("detail")
        if message is not None:
            return _shorten(str(message)), None
    elif isinstance(error, str) and error.strip():
        return _shorten(error), None
    scim_type = data.get("scimType")
    scim_type = scim_type if isinstance(scim_type, str) else None
    for key in ("detail", "message", "error_description"):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return _shorten(value), scim_type
    errors_list = data.get("errors")
    if isinstance(errors_list, list) and errors_list:
        return _shorten("; ".join(str(item) for item in errors_list)), scim_type
    return None, scim_type


def _message_from_text(text: str) -> str | None:
    salvaged = _MESSAGE_RE.search(text)
    if salvaged:
        return _shorten(salvaged.group(1).replace('\\"', '"'))
    if "<" in text and ">" in text:
        title = _HTML_TITLE_RE.search(text)
        text = title.group(2) if title else _TAG_RE.sub(" ", text)
        text = html.unescape(text)
    return _shorten(text) if text.strip() else None


def nests_deeper_than(value: Any, limit: int) -> bool:
    """Whether decoded JSON ``value`` nests lists and objects more than ``limit`` levels deep.

    Level by level rather than recursively: what it guards against is a value recursion cannot
    follow.

    >>> nests_deeper_than([[1]], 2), nests_deeper_than([[[1]]], 2)
    (False, True)
    """
    level = [value] if isinstance(value, dict | list) else []
    for _ in range(limit):
        if not level:
            return False
        level = [
            child
            for parent in level
            for child in (parent.values() if isinstance(parent, dict) else parent)
            if isinstance(child, dict | list)
        ]
    return bool(level)


_NOT_JSON: Final = object()


def _error_json(body: bytes) -> Any:
    """The decoded error body, or ``_NOT_JSON``: not JSON, or nested past ``MAX_JSON_DEPTH``.

    A body that deep is read as text instead: its message is still salvaged, and nothing
    recursive (the token scrub, ``repr`` of the error) ever walks it.
    """
    try:
        decoded = orjson.loads(body)
    except orjson.JSONDecodeError:
        return _NOT_JSON
    return _NOT_JSON if nests_deeper_than(decoded, C.MAX_JSON_DEPTH) else decoded


def status_error(
    request: Request,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    secrets: Iterable[str] = (),
) -> errors.APIStatusError:
    """The exception for an error response, with the best message the body offers.

    ``secrets`` (the client's tokens) are redacted from the message and the body: a server may
    echo the token it was sent.
    """
    decoded: Any = None
    message: str | None = None
    scim_type: str | None = None
    if body.strip():
        decoded = _error_json(body)
        if decoded is _NOT_JSON:
            decoded = body.decode("utf-8", "replace")
            message = _message_from_text(decoded)
        else:
            message, scim_type = _message_from_json(decoded)
    if not message:
        try:
            message = HTTPStatus(status).phrase
        except ValueError:
            message = f"HTTP {status}"
    secrets = tuple(secrets)
    # retry_after is kept on every status error (not only 429), so a 503 with Retry-After is
    # obeyed too.
    return error_class(status)(
        redact(message, secrets),
        status=status,
        body=scrub(decoded, secrets),
        method=request.method,
        path=request.path,
        scim_type=None if scim_type is None else redact(scim_type, secrets),
        retry_after=parse_retry_after(headers.get("Retry-After")),
    )


def _is_json_type(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media in ("", "application/json") or media.endswith("+json")


def decode_body(request: Request, status: int, headers: Mapping[str, str], body: bytes) -> Any:
    """The decoded JSON object of a successful response (``None`` when empty and allowed).

    An empty body is allowed for a 204, and for every expected status of a request that
    expects no body (``Request.expects_body``, e.g. a DELETE answered 200 with nothing).

    Raises:
        errors.ResponseDecodeError: the status is not one the call expects, the body is not a
            JSON object, or it nests deeper than its decoder (or, for SCIM, ``MAX_JSON_DEPTH``)
            allows.
    """

    def failed(message: str) -> errors.ResponseDecodeError:
        return errors.ResponseDecodeError(
            message, status=status, method=request.method, path=request.path
        )

    if status not in request.expect:
        raise failed(f"unexpected status {status}")  # the error names the request itself
    if not body or body.isspace():  # not .strip(): no copy of a large body
        if status == 204 or not request.expects_body:
            return None
        raise failed("the response body is empty")
    content_type = headers.get("Content-Type", "")
    if not _is_json_type(content_type):
        raise failed(f"expected a JSON response, got {content_type.split(';')[0]!r}")
    if request.decoder is not None:
        try:
            return request.decoder(body)
        except ValueError as exc:
            raise failed(f"the response body is not what was expected: {exc}") from None
        except RecursionError:
            # msgspec descends as far as Python's recursion limit lets it (orjson stops at
            # 1,024 levels with a JSONDecodeError of its own).
            raise failed("the response body nests too deep to decode") from None
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise failed(f"the response body is not valid JSON ({len(body)} bytes): {exc}") from None
    if not isinstance(data, dict):
        raise failed(f"expected a JSON object, got {type(data).__name__}")
    # SCIM models keep the attributes they do not name and write them back (deactivate, the
    # export), through orjson, which refuses more than 254 levels; REST models drop them, and
    # its export copies each record's bytes. So only SCIM bodies pay for the walk.
    if request.api == "scim" and nests_deeper_than(data, C.MAX_JSON_DEPTH):
        raise failed(f"the response body nests deeper than {C.MAX_JSON_DEPTH} levels")
    return data
