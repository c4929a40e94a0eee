"""The exception class each error status raises, spelled out once for the suites.

It restates the public contract's table on its own (it never reads the package's), so the
tests that use it check the client against the contract: every status >= 500 raises
``InternalServerError``; the 5xx listed are the ones the suites send.
"""

from __future__ import annotations

from typing import Final

from screendesk_async import errors

# Repeats the lines of the package's table (_response.py) on purpose: importing it checks nothing.
STATUS_CLASSES: Final[dict[int, type[errors.APIStatusError]]] = {
    400: errors.BadRequestError,
    401: errors.AuthenticationError,
    403: errors.PermissionDeniedError,
    404: errors.NotFoundError,
    409: errors.ConflictError,
    422: errors.UnprocessableEntityError,
    429: errors.RateLimitError,
    500: errors.InternalServerError,
    502: errors.InternalServerError,
    503: errors.InternalServerError,
    504: errors.InternalServerError,
}
