"""When to try a request again, how long to wait first, and the loop that does it.

The decisions are pure functions of the exception, the method and the attempt, unit-tested
directly:

- connection errors, timeouts, 408, 429, 500, 502, 503, 504 and a 2xx body that is cut off or
  not JSON are retried for idempotent methods (GET, PUT, DELETE and this API's PATCH);
- a POST is retried only when the server cannot have acted on it: a 429, or a connection that
  failed before the request was sent;
- the wait is the server's ``Retry-After`` when it sent one, else exponential backoff with
  jitter (about 0.5 s, 1 s, 2 s … capped at 8 s);
- a ``Retry-After`` above ``max_retry_after`` (60 s) is not slept, and pauses nothing: the
  error is raised at once; a shorter 429 pauses the whole client for exactly that long
  (:meth:`RetryPolicy.pause_for`);
- a body over ``max_response_size`` is not retried (another try would read as much again);
- no wait runs past the call's deadline.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

import attrs

from . import _constants as C
from . import errors
from ._logging import logger

T = TypeVar("T")

_rng: Final = random.Random()


def describe(exc: BaseException) -> str:
    """A short reason for logs, e.g. ``"503 Service Unavailable"``."""
    if isinstance(exc, errors.APIStatusError):
        return f"{exc.status} {exc.message}"
    return f"{type(exc).__name__}: {exc}"


@attrs.frozen
class RetryPolicy:
    """The retry rules of one client (numbers documented in the README's "Reliability")."""

    max_retries: int = C.DEFAULT_MAX_RETRIES
    initial_backoff: float = C.INITIAL_BACKOFF
    max_backoff: float = C.MAX_BACKOFF
    jitter: float = C.BACKOFF_JITTER
    max_retry_after: float = C.MAX_RETRY_AFTER
    deadline: float = C.CALL_DEADLINE

    def should_retry(self, exc: BaseException, method: str) -> bool:
        """Whether a failed attempt of ``method`` that raised ``exc`` may be tried again."""
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None and retry_after > self.max_retry_after:
            return False
        if isinstance(exc, errors.RateLimitError):
            return True
        if isinstance(exc, errors.APIConnectionError) and not exc.request_sent:
            return True
        if method.upper() not in C.IDEMPOTENT_METHODS:
            return False
        if isinstance(exc, errors.APIStatusError):
            return exc.status in C.RETRY_STATUSES
        if isinstance(exc, errors.ResponseTooLargeError):
            return False
        return isinstance(exc, errors.APIConnectionError | errors.ResponseDecodeError)

    def backoff(self, attempt: int) -> float:
        """The wait before retry number ``attempt`` (1-based) when the server gave none."""
        base = min(self.max_backoff, self.initial_backoff * 2.0 ** (attempt - 1))
        return base * (1.0 - self.jitter * _rng.random())

    def wait_for(self, exc: BaseException | None, attempt: int) -> float:
        """The server's ``Retry-After`` if any, else :meth:`backoff`."""
        retry_after: float | None = getattr(exc, "retry_after", None)
        return self.backoff(attempt) if retry_after is None else retry_after

    def pause_for(self, exc: BaseException, attempt: int) -> float | None:
        """Seconds the whole client should hold its requests after ``exc``, or ``None``.

        A 429 slows every call of the client, for its ``Retry-After`` (or the backoff when it
        sent none) and never longer; a ``Retry-After`` over the cap pauses nothing, so a server
        asking for an hour cannot stall the client: the call that got it raises at once.
        """
        if not isinstance(exc, errors.RateLimitError):
            return None
        if exc.retry_after is not None and exc.retry_after > self.max_retry_after:
            return None
        return self.wait_for(exc, attempt)

    def next_wait(
        self, exc: BaseException, method: str, attempt: int, elapsed: float
    ) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` to raise ``exc`` now.

        ``attempt`` (1-based) is the one that failed; the call began ``elapsed`` seconds ago.
        """
        if attempt > self.max_retries or not self.should_retry(exc, method):
            return None
        wait = self.wait_for(exc, attempt)
        return None if elapsed + wait >= self.deadline else wait

    async def run(
        self,
        attempt: Callable[[int], Awaitable[T]],
        method: str,
        path: str,
        *,
        started: float | None = None,
    ) -> T:
        """Await ``attempt(1)``, ``attempt(2)`` … until one succeeds or :meth:`next_wait` says stop.

        The last exception is raised as it is (never wrapped). ``started``
        (``time.monotonic()``) is when the call began, if before this loop; the deadline counts
        from there.
        """
        # A plain loop around the pure decisions above, not tenacity's AsyncRetrying: that
        # costs about 0.2 ms per call even when the first try succeeds, most of the sync
        # facade's per-call budget on a small GET, and its wait/stop/before_sleep callbacks
        # would only re-express next_wait. Every decision is unit-tested in test_retry.py.
        started = time.monotonic() if started is None else started
        number = 1
        while True:
            try:
                return await attempt(number)
            except Exception as exc:
                wait = self.next_wait(exc, method, number, time.monotonic() - started)
                if wait is None:
                    raise
                logger.info(
                    "retrying %s %s in %.2f s (attempt %d of %d failed: %s)",
                    method,
                    path,
                    wait,
                    number,
                    self.max_retries + 1,
                    describe(exc),
                )
            # Slept outside the except block, so the next attempt's error is not chained to
            # this one.
            await asyncio.sleep(wait)
            number += 1
