"""Switchable faults: what can go wrong between a client and Screendesk, and how to inject it."""

from __future__ import annotations

import random
import threading
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Final, Literal

import orjson
from aiohttp import web

__all__ = ["FAULT_KINDS", "FaultKind", "Faults", "inject"]

FaultKind = Literal["429", "500", "502", "503", "drop", "malformed", "truncated"]
#: Every fault the fake can inject.
FAULT_KINDS: Final[tuple[FaultKind, ...]] = (
    "429",
    "500",
    "502",
    "503",
    "drop",
    "malformed",
    "truncated",
)
_REASONS = {"500": "Internal Server Error", "502": "Bad Gateway", "503": "Service Unavailable"}


def _check_kind(kind: str) -> FaultKind:
    for known in FAULT_KINDS:
        if kind == known:
            return known
    raise ValueError(f"unknown fault {kind!r}; expected one of {', '.join(FAULT_KINDS)}")


@dataclass
class _Pending:
    kind: FaultKind
    remaining: int
    path_prefix: str | None
    method: str | None

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        return self.path_prefix is None or path.startswith(self.path_prefix)


class Faults:
    """The faults a :class:`FakeScreendesk` injects; change any attribute at any time.

    Attributes:
        latency: seconds added to every request (awaited, so concurrent requests overlap).
        rate: fraction (0..1) of requests that get a fault drawn at random from ``kinds``.
        kinds: the faults ``rate`` draws from (see :data:`FAULT_KINDS`).
        retry_after: the ``Retry-After`` value sent with a 429: delta seconds (``"1"``,
            ``"0.5"``) or an HTTP-date; ``None`` sends no header.

    Faults other than ``"truncated"`` stop the request before it reaches the API, so it has no
    effect; ``"truncated"`` cuts the real response, so a PATCH or a SCIM write did happen.
    Draws use a seeded generator, so a run with the same seed and request order repeats.
    """

    def __init__(self, seed: int = 0) -> None:
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._pending: list[_Pending] = []
        self._latency = 0.0
        self._rate = 0.0
        self._kinds: tuple[FaultKind, ...] = FAULT_KINDS
        self.retry_after: str | None = "1"

    @property
    def latency(self) -> float:
        """Seconds added to every request."""
        return self._latency

    @latency.setter
    def latency(self, value: float) -> None:
        if value < 0:
            raise ValueError("latency must be >= 0")
        self._latency = float(value)

    @property
    def rate(self) -> float:
        """Fraction of requests that get a random fault from :attr:`kinds`."""
        return self._rate

    @rate.setter
    def rate(self, value: float) -> None:
        if not 0.0 <= value <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        self._rate = float(value)

    @property
    def kinds(self) -> tuple[FaultKind, ...]:
        """The faults that :attr:`rate` draws from."""
        return self._kinds

    @kinds.setter
    def kinds(self, value: Iterable[str]) -> None:
        kinds = tuple(_check_kind(kind) for kind in value)
        if not kinds:
            raise ValueError("kinds must not be empty")
        self._kinds = kinds

    @property
    def pending(self) -> int:
        """How many faults queued by :meth:`fail_next` have not been injected yet."""
        with self._lock:
            return sum(p.remaining for p in self._pending)

    def fail_next(
        self, count: int, kind: str, *, path_prefix: str | None = None, method: str | None = None
    ) -> None:
        """Inject ``kind`` into the next ``count`` matching requests, before any random fault.

        ``path_prefix`` (e.g. ``"/api/v2/scim"``) and ``method`` (e.g. ``"PATCH"``) narrow
        which requests match; queued faults are used in the order they were queued.
        """
        if count < 0:
            raise ValueError("count must be >= 0")
        pending = _Pending(_check_kind(kind), count, path_prefix, method and method.upper())
        if count:
            with self._lock:
                self._pending.append(pending)

    def clear(self) -> None:
        """Back to no faults: no latency, no random faults, nothing queued."""
        with self._lock:
            self._pending.clear()
        self._latency = 0.0
        self._rate = 0.0
        self._kinds = FAULT_KINDS
        self.retry_after = "1"

    def choose(self, method: str, path: str) -> FaultKind | None:
        """Pick the fault for this request, if any (queued ones first, then the random ``rate``)."""
        if self._pending:
            with self._lock:
                for pending in self._pending:
                    if pending.remaining > 0 and pending.matches(method, path):
                        pending.remaining -= 1
                        kind = pending.kind
                        self._pending = [p for p in self._pending if p.remaining > 0]
                        return kind
        if self._rate and self._rng.random() < self._rate:
            return self._rng.choice(self._kinds)
        return None


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def inject(
    kind: FaultKind, request: web.Request, handler: Handler, retry_after: str | None
) -> web.StreamResponse:
    """Build the response for a request hit by ``kind``; only ``truncated`` runs ``handler``."""
    if kind == "429":
        headers = {} if retry_after is None else {"Retry-After": retry_after}
        error = {"error": {"message": "Rate limit exceeded", "code": 429}}
        return web.Response(
            status=429, body=orjson.dumps(error), content_type="application/json", headers=headers
        )
    if kind in _REASONS:
        # What a proxy in front of the service answers: HTML, not the API's JSON.
        html = f"<html><body><h1>{kind} {_REASONS[kind]}</h1></body></html>"
        return web.Response(status=int(kind), text=html, content_type="text/html")
    if kind == "drop":
        # Closing the transport makes aiohttp's later write fail quietly, so the client sees
        # the connection end with no status line at all.
        transport = request.transport
        if transport is not None:
            transport.close()
        return web.Response(status=200)
    if kind == "malformed":
        return web.Response(
            status=200, body=b'{"records": [{"uuid": <html>', content_type="application/json"
        )
    response = await handler(request)
    body = response.body if isinstance(response, web.Response) else None
    whole = body if isinstance(body, bytes) and body else b'{"detail": "nothing to truncate"}'
    content_type = response.content_type if body else "application/json"
    return web.Response(status=200, body=whole[: len(whole) // 2], content_type=content_type)
