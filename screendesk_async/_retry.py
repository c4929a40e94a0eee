"""When to try a request again and how long to wait first; tenacity runs the loop.

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

import random
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

import attrs
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
)

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

    async def run(self, attempt: Callable[[int], Awaitable[T]], method: str, target: str) -> T:
        """Await ``attempt(1)``, ``attempt(2)`` … until one succeeds or the rules above say stop.

        tenacity drives the loop with this policy's decisions: :meth:`should_retry` picks what
        is retried, :meth:`wait_for` how long to wait, and it stops after ``max_retries``
        retries or before a wait that would pass the call's deadline. The last exception is
        raised as it is (``reraise=True``: never a ``RetryError``).
        """

        def wait(state: RetryCallState) -> float:
            return self.wait_for(_failure(state), state.attempt_number)

        def log_retry(state: RetryCallState) -> None:
            logger.info(
                "retrying %s %s in %.2f s (attempt %d of %d failed: %s)",
                method,
                target,
                state.upcoming_sleep,
                state.attempt_number,
                self.max_retries + 1,
                describe(_failure(state)),
            )

        retrying = AsyncRetrying(
            retry=retry_if_exception(lambda exc: self.should_retry(exc, method)),
            stop=stop_after_attempt(self.max_retries + 1) | stop_before_delay(self.deadline),
            wait=wait,
            before_sleep=log_retry,
            reraise=True,
        )
        async for try_ in retrying:
            with try_:
                return await attempt(try_.retry_state.attempt_number)
        raise AssertionError("unreachable: tenacity returns or re-raises")  # pragma: no cover


def _failure(state: RetryCallState) -> BaseException:
    """The exception of the attempt that just failed (tenacity only waits after a failure)."""
    exc = state.outcome.exception() if state.outcome is not None else None
    if exc is None:  # pragma: no cover - tenacity never asks to wait after a success
        raise AssertionError("no failed attempt to wait after")
    return exc
