"""The fake's request log: one record per request it received, the token redacted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from screendesk_async.testing._faults import FaultKind
from screendesk_async.testing._rest import AuthKind

__all__ = ["RequestRecord", "redact_authorization"]


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request the fake received, as logged in :attr:`FakeScreendesk.requests`.

    Attributes:
        method: HTTP method.
        path: the URL path, percent-decoded.
        query: every query parameter as ``(name, value)`` pairs, in order.
        headers: request headers; the ``Authorization`` value is redacted (``"Bearer ***"``).
        auth_kind: whose token it was: ``"admin"``, ``"member"``, ``"scim"``, ``"invalid"``
            or ``"missing"``.
        body: the raw request body, or None when there was none.
        status: the status sent, or None when the connection was dropped.
        started: ``time.monotonic()`` when the request arrived (before any latency).
        finished: ``time.monotonic()`` once the response was written (or dropped).
        fault: the fault injected into this request, if any.
    """

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: dict[str, str]
    auth_kind: AuthKind
    body: bytes | None
    status: int | None
    started: float
    finished: float
    fault: FaultKind | None

    @property
    def params(self) -> dict[str, str]:
        """The query parameters as a dict (the last value wins for a repeated name)."""
        return dict(self.query)

    def json(self) -> Any:
        """Parse the body as JSON (None when there was no body)."""
        return None if self.body is None else orjson.loads(self.body)


def redact_authorization(headers: Any) -> dict[str, str]:
    """``headers`` as a dict, the ``Authorization`` value replaced by ``Bearer ***``."""
    out = dict(headers)
    for name in list(out):
        if name.lower() == "authorization":
            scheme = out[name].partition(" ")[0]
            out[name] = f"{scheme} ***" if scheme.lower() == "bearer" else "***"
    return out
