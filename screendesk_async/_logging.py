"""The library's logger, and a filter that keeps tokens out of every record it emits.

Everything logs through ``logging.getLogger("screendesk_async")``: one DEBUG line per request
(method, path, status, elapsed, attempt) and one INFO line per retry (reason, wait). Bodies are
never logged. The filter is a second line of defence: the code never formats a token into a
message, and the filter redacts anything token-shaped that reaches a record anyway.
"""

from __future__ import annotations

import logging
import re
from typing import Final

__all__ = ["LOGGER_NAME", "RedactingFilter", "logger", "redact"]

LOGGER_NAME: Final = "screendesk_async"

_PATTERNS: Final = (
    re.compile(r"(?i)(\bbearer\s+)[^\s'\",;]+"),
    re.compile(
        r"(?i)((?:authorization|(?:api_|scim_)?token|secret|password)['\"]?\s*[:=]\s*['\"]?)"
        r"(?:bearer\s+)?[^\s'\",;}]+"
    ),
)


def redact(text: str) -> str:
    """Replace bearer credentials and ``token=...``-style values in ``text`` with ``***``.

    >>> redact("Authorization: Bearer abc.def")
    'Authorization: ***'
    """
    for pattern in _PATTERNS:
        text = pattern.sub(r"\1***", text)
    return text


class RedactingFilter(logging.Filter):
    """A logging filter that redacts credentials from a record's message and arguments.

    Attached to the ``screendesk_async`` logger; add it to your own handlers too if they format
    records of other libraries that might print request headers.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; never drops it."""
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


logger: Final = logging.getLogger(LOGGER_NAME)
logger.addFilter(RedactingFilter())
