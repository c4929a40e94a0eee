"""The exception hierarchy of ``screendesk_async``.

Every exception the client raises on purpose derives from :class:`ScreendeskError`::

    ScreendeskError
    ├── ConfigurationError            bad or missing configuration (e.g. no token)
    ├── APIConnectionError            the request never got an HTTP answer
    │   └── APITimeoutError
    ├── APIStatusError                the server answered with a 4xx/5xx status
    │   ├── BadRequestError           400
    │   ├── AuthenticationError       401
    │   ├── PermissionDeniedError     403
    │   ├── NotFoundError             404
    │   ├── ConflictError             409
    │   ├── UnprocessableEntityError  422
    │   ├── RateLimitError            429 (``retry_after``)
    │   └── InternalServerError       >= 500
    ├── ResponseDecodeError           a 2xx body that is not the JSON expected
    │   └── ResponseTooLargeError     a body over ``max_response_size``
    └── ExportError                   an export cannot start or resume (e.g. the file exists)

Example::

    try:
        recording = await sd.recordings.get(uuid)
    except errors.NotFoundError:
        recording = None
    except errors.APIStatusError as exc:
        log.warning("Screendesk said %s: %s", exc.status, exc.message)

Each error of a request names it, as ``GET /api/v2/recordings?page=3``: its method, path and
query string (``str(exc)``; ``.method``, ``.path`` and ``.query`` hold the parts). No message,
attribute or ``repr`` of these exceptions ever contains a token: tokens travel only in a header,
never in a URL, and the client's own tokens are redacted from what a server sends back (an error
body that echoes the token).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "ExportError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseDecodeError",
    "ResponseTooLargeError",
    "ScreendeskError",
    "UnprocessableEntityError",
]


class ScreendeskError(Exception):
    """Base class of every error raised by ``screendesk_async``."""


class _RequestError(ScreendeskError):
    """An error of one request, which its message names (the base of the three kinds below)."""

    def __init__(self, message: str, *, method: str = "", path: str = "", query: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path
        self.query = query

    @property
    def where(self) -> str:
        """The request, as ``GET /api/v2/recordings?page=3`` (empty when it is not known)."""
        if not self.path:
            return ""
        target = f"{self.path}?{self.query}" if self.query else self.path
        return f"{self.method} {target}"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class ConfigurationError(ScreendeskError):
    """The client is not configured for the call (missing token, unsafe base URL, closed client)."""


class APIConnectionError(_RequestError):
    """The request did not get an HTTP response: DNS, refused or dropped connection, TLS failure.

    Attributes:
        method: The HTTP method of the request.
        path: The URL path of the request.
        query: The URL's query string, without ``?`` (``page=3``; empty when there is none).
        request_sent: ``False`` when the connection failed before the request was sent, so even
            a non-idempotent request (a SCIM create) can be retried safely.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str = "",
        path: str = "",
        query: str = "",
        request_sent: bool = True,
    ) -> None:
        super().__init__(message, method=method, path=path, query=query)
        self.request_sent = request_sent


class APITimeoutError(APIConnectionError):
    """The request timed out (connecting, or waiting for the server to send data)."""


class APIStatusError(_RequestError):
    """The server answered with an error status.

    Attributes:
        status: The HTTP status code.
        message: The best human-readable message found in the error body (or the reason phrase).
        body: The decoded JSON error body, the raw text when not JSON, or ``None`` when empty.
        method: The HTTP method of the request.
        path: The URL path of the request.
        query: The URL's query string, without ``?`` (empty when there is none).
        scim_type: The ``scimType`` of a SCIM error body (e.g. ``"uniqueness"``), else ``None``.
        retry_after: Seconds the server asked us to wait (``Retry-After``), else ``None``.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        body: Any = None,
        method: str = "",
        path: str = "",
        query: str = "",
        scim_type: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, method=method, path=path, query=query)
        self.status = status
        self.body = body
        self.scim_type = scim_type
        self.retry_after = retry_after

    def __str__(self) -> str:
        where = f" ({self.where})" if self.where else ""
        return f"{self.status}: {self.message}{where}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status}, message={self.message!r})"


class BadRequestError(APIStatusError):
    """400: the request was not accepted (e.g. a missing parameter)."""


class AuthenticationError(APIStatusError):
    """401: the token is invalid, revoked, or not the right kind (REST vs SCIM)."""


class PermissionDeniedError(APIStatusError):
    """403: the token's user may not do this (e.g. a member updating a recording)."""


class NotFoundError(APIStatusError):
    """404: no such recording, user or SCIM resource."""


class ConflictError(APIStatusError):
    """409: the resource conflicts with an existing one (SCIM ``uniqueness``)."""


class UnprocessableEntityError(APIStatusError):
    """422: the input failed validation."""


class RateLimitError(APIStatusError):
    """429: too many requests; ``retry_after`` holds the seconds the server asked us to wait."""


class InternalServerError(APIStatusError):
    """5xx: the service (or a proxy in front of it) failed."""


class ResponseDecodeError(_RequestError):
    """A successful (2xx) response whose body is not the JSON the call expects.

    Attributes:
        status: The HTTP status code.
        method: The HTTP method of the request.
        path: The URL path of the request (empty for a listing's page checks, whose message
            names the page).
        query: The URL's query string, without ``?`` (empty when there is none).
    """

    def __init__(
        self,
        message: str,
        *,
        status: int = 200,
        method: str = "",
        path: str = "",
        query: str = "",
    ) -> None:
        super().__init__(message, method=method, path=path, query=query)
        self.status = status


class ResponseTooLargeError(ResponseDecodeError):
    """A response body larger than the client's ``max_response_size`` (counted decompressed).

    The body is not kept: reading stops as soon as the cap is passed, and the connection is
    closed. Not retried (another try would read as much again).

    Attributes:
        limit: The cap, in bytes.
    """

    def __init__(
        self,
        message: str,
        *,
        limit: int,
        status: int = 200,
        method: str = "",
        path: str = "",
        query: str = "",
    ) -> None:
        super().__init__(message, status=status, method=method, path=path, query=query)
        self.limit = limit


class ExportError(ScreendeskError):
    """An export cannot start or resume: the output exists, or the checkpoint does not match."""
