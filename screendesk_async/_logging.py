"""The library's logger, and a filter that keeps tokens out of every record it emits.

Everything logs through ``logging.getLogger("screendesk_async")``: one DEBUG line per request
(method, path and query string, status, elapsed, attempt) and one INFO line per retry (reason,
wait). Bodies and headers are never logged; tokens are only ever sent in a header. The filter
is a second line of defence: the code never formats a token into a message (and scrubs the
clients' own tokens out of what servers send back), and the filter redacts anything
token-shaped, and every token a client of this process was given, that reaches a record
anyway.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any, Final, TypeVar

__all__ = [
    "LOGGER_NAME",
    "RedactingFilter",
    "logger",
    "redact",
    "redact_exception",
    "remember_secret",
    "scrub",
]

LOGGER_NAME: Final = "screendesk_async"

E = TypeVar("E", bound=BaseException)

_PATTERNS: Final = (
    re.compile(r"(?i)(\bbearer\s+)[^\s'\",;]+"),
    re.compile(
        r"(?i)((?:authorization|(?:api_|scim_)?token|secret|password)['\"]?\s*[:=]\s*['\"]?)"
        r"(?:bearer\s+)?[^\s'\",;}]+"
    ),
)


#: The tokens the clients of this process were given: the filter redacts them by value, since a
#: server may echo a token back in any shape (a logging filter cannot ask the client).
_KNOWN_SECRETS: Final[set[str]] = set()
_REDACTED: Final = "***"
#: Shorter values are not redacted by value: replacing every "t" would garble the text, and a
#: real token is far longer.
_MIN_SECRET_LENGTH: Final = 8


def remember_secret(value: str) -> None:
    """Have the logging filter redact ``value`` wherever it appears."""
    _KNOWN_SECRETS.add(value)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Replace ``secrets``, bearer credentials and ``token=...`` values in ``text`` with ``***``.

    ``secrets`` are matched by value (those of fewer than 8 characters are left alone).

    >>> redact("Authorization: Bearer abc.def")
    'Authorization: ***'
    >>> redact("no such user: tok-12345 (check TOK-12345)", ["tok-12345"])
    'no such user: *** (check ***)'
    """
    for secret in secrets:
        # Case-insensitively: a server may echo a token upper- or lower-cased.
        if len(secret) >= _MIN_SECRET_LENGTH and secret.lower() in text.lower():
            text = re.sub(re.escape(secret), _REDACTED, text, flags=re.IGNORECASE)
    for pattern in _PATTERNS:
        text = pattern.sub(r"\1***", text)
    return text


def scrub(value: Any, secrets: Iterable[str]) -> Any:
    """``value`` (a decoded JSON body) with every string :func:`redact`-ed, keys included."""
    secrets = tuple(secrets)
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, list):
        return [scrub(item, secrets) for item in value]
    if isinstance(value, dict):
        return {scrub(key, secrets): scrub(item, secrets) for key, item in value.items()}
    return value


def redact_exception(exc: E, secrets: Iterable[str]) -> E:
    """``exc`` with its ``args`` and every attribute :func:`scrub`-bed of ``secrets``, in place.

    One pass over whatever an exception carries, so a server's echo of the token (in a status
    line, a chunk size, a header that aiohttp quotes back, a ``scimType``) never reaches
    ``str``, ``repr`` or any attribute, whichever field it landed in.
    """
    secrets = tuple(secrets)
    exc.args = tuple(scrub(arg, secrets) for arg in exc.args)
    for name, value in vars(exc).items():
        if not name.startswith("__"):
            setattr(exc, name, scrub(value, secrets))
    return exc


class RedactingFilter(logging.Filter):
    """A logging filter that redacts credentials from a record's message and arguments.

    Attached to the ``screendesk_async`` logger; add it to your own handlers too if they format
    records of other libraries that might print request headers.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; never drops it."""
        message = record.getMessage()
        redacted = redact(message, tuple(_KNOWN_SECRETS))
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


logger: Final = logging.getLogger(LOGGER_NAME)
logger.addFilter(RedactingFilter())
