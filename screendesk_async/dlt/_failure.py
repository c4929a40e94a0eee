"""What a failed load says: the library's own error, dlt's instructions whole, else one line.

dlt wraps whatever went wrong in its step exceptions (``PipelineStepFailed``), keeping the
original in ``exception`` or ``__cause__``. What the user can act on is at the end of that
chain: the library's error (a bad page, a 401), dlt's own instructions (a destination it does
not know, credentials it could not find: which variables it read, which files it probed), or a
driver's error (a refused connection). dlt's instructions are printed whole, as dlt wrote them;
anything else is one line.
"""

from __future__ import annotations

import re
from typing import Final

from ..errors import ScreendeskError

#: A URL's ``user:password@``: the password is never printed.
_URL_PASSWORD: Final = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://[^/\s:@]*):[^/\s@]*@", re.I)


def chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and what it wraps, outermost first (dlt's ``exception``, else the cause)."""
    found: list[BaseException] = []
    cause: BaseException | None = exc
    while cause is not None and cause not in found:
        found.append(cause)
        inner = getattr(cause, "exception", None)  # PipelineStepFailed keeps it here
        cause = inner if isinstance(inner, BaseException) else cause.__cause__ or cause.__context__
    return found


def interrupted(exc: BaseException) -> bool:
    """Whether Ctrl-C (``KeyboardInterrupt``) is what stopped the load."""
    return any(isinstance(item, KeyboardInterrupt) for item in chain(exc))


def _instructions() -> tuple[type[BaseException], ...]:
    from dlt.common.configuration.exceptions import ConfigurationException
    from dlt.common.destination.exceptions import (
        InvalidDestinationReference,
        UnknownDestinationModule,
    )
    from dlt.common.exceptions import MissingDependencyException

    return (
        ConfigurationException,
        MissingDependencyException,
        UnknownDestinationModule,
        InvalidDestinationReference,
    )


def without_passwords(text: str) -> str:
    """``text`` with the password of every URL in it masked.

    >>> without_passwords("postgresql://loader:s3cret@db:5432/x")
    'postgresql://loader:***@db:5432/x'
    """
    return _URL_PASSWORD.sub(r"\g<scheme>:***@", text)


def reason(exc: BaseException) -> str:
    """What to tell the user about a failed load (see the module's documentation)."""
    found = chain(exc)
    for item in found:
        if isinstance(item, ScreendeskError):
            return str(item)
    instructions = _instructions()
    for item in found:
        if isinstance(item, instructions):
            return without_passwords(str(item).strip())
    last = found[-1]
    lines = [line.strip() for line in str(last).splitlines() if line.strip()]
    return without_passwords(" ".join(lines)) if lines else type(last).__name__
