"""Which redirect a request follows: a pure decision per hop, no I/O.

Redirects are followed by hand (``Transport._exchange`` loops over the hops), so that a body is
never replayed to another place and credentials never leave the origin. Only a GET follows one,
never from https to http, and never to another origin when the caller's own session adds
credentials of its own (aiohttp would send those there).
"""

from __future__ import annotations

from collections.abc import Mapping

from yarl import URL

from . import _constants as C
from . import errors
from ._request import Request

Origin = tuple[str, str | None, int | None]


def origin(url: URL) -> Origin:
    """``(scheme, host, port)``: what the ``Authorization`` header is confined to."""
    return url.scheme, url.host, url.port


def _resolved(url: URL, location: str) -> URL | None:
    """``location`` resolved against ``url``, or ``None`` when it is not a valid URL.

    yarl raises ``ValueError`` (a port out of range, a bad IPv6 literal) lazily too, so the
    parts the redirect is checked and sent with are read here.
    """
    try:
        target = url.join(URL(location))
        origin(target)
    except ValueError:
        return None
    return target


def next_hop(
    request: Request,
    url: URL,
    status: int,
    headers: Mapping[str, str],
    *,
    foreign_credentials: bool,
) -> URL | errors.APIStatusError | None:
    """Where ``request``, answered ``status`` at ``url``, goes next.

    None when the answer is not a redirect to follow (it is the answer); a URL for the next
    hop; an ``APIStatusError`` (its status the 3xx) for a redirect that is refused.
    ``foreign_credentials``: the caller's session adds an ``Authorization`` of its own.
    """
    location = headers.get("Location")
    if status not in C.REDIRECT_STATUSES or not location:
        return None

    def refused(why: str) -> errors.APIStatusError:
        return errors.APIStatusError(why, status=status, method=request.method, path=request.path)

    if request.method != "GET":
        return refused(
            f"the server answered {request.method} with a redirect, which is not followed "
            "(the request and its body are never sent to another place)"
        )
    target = _resolved(url, location)
    if target is None:
        return refused("invalid redirect Location (not a URL that can be requested): not followed")
    if origin(target) != origin(request.url) and foreign_credentials:
        return refused(
            "refused a redirect to another origin: the caller's session carries credentials "
            "of its own, which aiohttp would send there"
        )
    if target.scheme not in ("http", "https") or (
        url.scheme == "https" and target.scheme != "https"
    ):
        return refused(f"refused a redirect from {url.scheme} to {target.scheme}")
    return target


def too_many(request: Request, status: int) -> errors.APIStatusError:
    """The error of a request redirected more than ``MAX_REDIRECTS`` times (a loop)."""
    return errors.APIStatusError(
        f"more than {C.MAX_REDIRECTS} redirects",
        status=status,
        method=request.method,
        path=request.path,
    )
