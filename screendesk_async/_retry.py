"""When to try a request again, and how long to wait first (built on tenacity).

The decision is a pure function of the exception and the method, unit-tested directly:

- connection errors, timeouts, 408, 429, 500, 502, 503, 504 and a 2xx body that is cut off or
  not JSON are retried for idempotent methods (GET, PUT, DELETE and this API's PATCH);
- a POST is retried only when the server cannot have acted on it: a 429, or a connection that
  failed before the request was sent;
- the wait is the server's ``Retry-After`` when it sent one, else exponential backoff with
  jitter (about 0.5 s, 1 s, 2 s … capped at 8 s);
- a ``Retry-After`` above ``max_retry_after`` (60 s) is not slept: the error is raised at once;
- no wait runs past the call's deadline.
"""

from __future__ import annotations

import random
import time
from typing import Final

import attrs
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
)
from tenacity.stop import stop_base

from . import _constants as C
from . import errors
from ._logging import logger

_rng: Final = random.Random()


class _StopBeforeDeadline(stop_base):
    """tenacity's ``stop_before_delay``, counted from a given start rather than its own."""

    def __init__(self, started: float, deadline: float) -> None:
        self.started = started
        self.deadline = deadline

    def __call__(self, retry_state: RetryCallState) -> bool:
        elapsed = time.monotonic() - self.started
        return elapsed + (retry_state.upcoming_sleep or 0.0) >= self.deadline


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
        return isinstance(exc, errors.APIConnectionError | errors.ResponseDecodeError)

    def backoff(self, attempt: int) -> float:
        """The wait before retry number ``attempt`` (1-based) when the server gave none."""
        base = min(self.max_backoff, self.initial_backoff * 2.0 ** (attempt - 1))
        return base * (1.0 - self.jitter * _rng.random())

    def wait_for(self, exc: BaseException | None, attempt: int) -> float:
        """The server's ``Retry-After`` if any, else :meth:`backoff`."""
        retry_after: float | None = getattr(exc, "retry_after", None)
        return self.backoff(attempt) if retry_after is None else retry_after

    def attempts(self, method: str, path: str, *, started: float | None = None) -> AsyncRetrying:
        """A tenacity loop for one call: ``async for attempt in policy.attempts(...)``.

        ``started`` (``time.monotonic()``) is when the call's first attempt began, if that was
        before this loop (the transport tries once without tenacity): the deadline counts
        from there.
        """

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            return self.wait_for(exc, state.attempt_number)

        def log_retry(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            logger.info(
                "retrying %s %s in %.2f s (attempt %d of %d failed: %s)",
                method,
                path,
                state.upcoming_sleep,
                state.attempt_number,
                self.max_retries + 1,
                describe(exc) if exc else "?",
            )

        deadline = (
            stop_before_delay(self.deadline)
            if started is None
            else _StopBeforeDeadline(started, self.deadline)
        )
        return AsyncRetrying(
            stop=stop_after_attempt(self.max_retries + 1) | deadline,
            retry=retry_if_exception(lambda exc: self.should_retry(exc, method)),
            wait=wait,
            before_sleep=log_retry,
            reraise=True,
        )
