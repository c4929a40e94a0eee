"""How the errors and log lines of a request name it, and say which limit a timeout passed.

A request is named by its method, path and query string. Tokens are never part of it: they
travel only in the ``Authorization`` header, never in a URL.
"""

from __future__ import annotations

import aiohttp

from . import errors
from ._request import Request


def target(request: Request) -> str:
    """What a log line names: the path and the query string (``/api/v2/recordings?page=3``).

    Tokens travel only in the ``Authorization`` header, never in a URL; the logger's
    ``RedactingFilter`` stays as the second line of defence.
    """
    return request.url.raw_path_qs


def naming(error: errors.ScreendeskError, request: Request) -> errors.ScreendeskError:
    """``error``, naming ``request``'s query string too (those of ``_response`` name its path)."""
    if isinstance(error, errors._RequestError) and error.path == request.path:
        error.query = request.url.raw_query_string
    return error


def timed_out(exc: TimeoutError, limits: aiohttp.ClientTimeout) -> str:
    """Which limit a request passed, in seconds."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return f"could not connect: timed out after {limits.sock_connect:g} s"
    if isinstance(exc, aiohttp.SocketTimeoutError):
        return f"request timed out after {limits.sock_read:g} s without data from the server"
    return f"request timed out after {limits.total:g} s"
