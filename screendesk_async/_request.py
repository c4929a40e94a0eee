"""Building requests: URLs with encoded path segments and query, headers, JSON bodies.

Pure functions and a value class, no I/O: the transport only sends what is built here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal
from urllib.parse import quote

import attrs
import orjson
from yarl import URL

from . import _constants as C

Api = Literal["rest", "scim"]


@attrs.frozen
class Request:
    """One API call, ready to send (and to send again on a retry).

    Attributes:
        method: HTTP method.
        url: Absolute, already percent-encoded URL.
        api: Which token and media type to use.
        body: The encoded JSON body, or ``None``.
        expect: The success statuses this call may answer with; another 2xx is a decode error.
        expects_body: ``False`` for a call answered with no content (a DELETE): an empty body
            is then accepted with any status of ``expect``, not only 204.
        decoder: Reads a 2xx JSON body (a ``ValueError`` is a decode error); ``None``: the
            default, a JSON object as dicts and lists.
    """

    method: str
    url: URL
    api: Api = "rest"
    body: bytes | None = None
    expect: frozenset[int] = frozenset({200})
    expects_body: bool = True
    decoder: Callable[[bytes], Any] | None = attrs.field(default=None, eq=False)

    @property
    def path(self) -> str:
        """The URL path (errors name the query string apart, as ``.query``)."""
        return self.url.raw_path


def build_url(base: str, segments: Iterable[str], query: Mapping[str, Any] | None = None) -> URL:
    """Join ``base`` and path ``segments``, percent-encoding every segment and query value.

    Encoding is done here rather than by yarl so a ``/`` inside an id cannot change the path and
    a ``+`` in an email arrives as ``+`` (not as a space).

    >>> str(build_url("https://x.io/api", ["users", "search"], {"email": "a+b@c.io"}))
    'https://x.io/api/users/search?email=a%2Bb%40c.io'
    """
    path = "/".join(quote(segment, safe="") for segment in segments)
    url = f"{base}/{path}" if path else base
    if query:
        pairs = [
            f"{quote(str(key), safe='')}={quote(str(value), safe='')}"
            for key, value in query.items()
            if value is not None
        ]
        if pairs:
            url = f"{url}?{'&'.join(pairs)}"
    return URL(url, encoded=True)


def encode_json(payload: Any) -> bytes:
    """Encode a request body."""
    return orjson.dumps(payload)


def headers_for(api: Api, token: str, *, has_body: bool) -> dict[str, str]:
    """The headers of one request; the only place a token is put on the wire."""
    media = C.SCIM_MEDIA_TYPE if api == "scim" else "application/json"
    headers = {
        "Authorization": f"Bearer {token}",
        "User-Agent": C.USER_AGENT,
        "Accept": f"{media}, application/json;q=0.9" if api == "scim" else media,
    }
    if has_body:
        headers["Content-Type"] = media
    return headers
