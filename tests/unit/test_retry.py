"""Retry decisions, backoff, the 429 pause, and the retry loop driven end to end."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from screendesk_async import errors
from screendesk_async._retry import RetryPolicy, describe

from ..status_classes import STATUS_CLASSES

T = TypeVar("T")

IDEMPOTENT = ["GET", "PUT", "DELETE", "PATCH", "get"]
RETRIED = [408, 429, 500, 502, 503, 504]
NOT_RETRIED = [400, 401, 403, 404, 409, 422, 418, 501]


def status(code: int, retry_after: float | None = None) -> errors.APIStatusError:
    other = errors.InternalServerError if code >= 500 else errors.APIStatusError
    cls = STATUS_CLASSES.get(code, other)
    return cls("m", status=code, retry_after=retry_after)


POLICY = RetryPolicy()


@pytest.mark.parametrize("method", IDEMPOTENT)
@pytest.mark.parametrize("code", RETRIED)
def test_retried_statuses_for_idempotent(method: str, code: int) -> None:
    assert POLICY.should_retry(status(code), method) is True


@pytest.mark.parametrize("method", [*IDEMPOTENT, "POST"])
@pytest.mark.parametrize("code", NOT_RETRIED)
def test_not_retried_statuses(method: str, code: int) -> None:
    assert POLICY.should_retry(status(code), method) is False


@pytest.mark.parametrize("method", IDEMPOTENT)
def test_connection_errors_and_timeouts_retried_for_idempotent(method: str) -> None:
    assert POLICY.should_retry(errors.APIConnectionError("x"), method) is True
    assert POLICY.should_retry(errors.APIConnectionError("x", request_sent=False), method)
    assert POLICY.should_retry(errors.APITimeoutError("x"), method) is True
    assert POLICY.should_retry(errors.ResponseDecodeError("x"), method) is True


@pytest.mark.parametrize("code", [500, 502, 503, 504, 408])
def test_post_server_errors_not_retried(code: int) -> None:
    assert POLICY.should_retry(status(code), "POST") is False


def test_post_rate_limit_retried() -> None:
    assert POLICY.should_retry(status(429), "POST") is True
    assert POLICY.should_retry(status(429, retry_after=5.0), "post") is True


def test_post_connection_errors() -> None:
    assert POLICY.should_retry(errors.APIConnectionError("x", request_sent=False), "POST") is True
    assert POLICY.should_retry(errors.APIConnectionError("x", request_sent=True), "POST") is False
    assert POLICY.should_retry(errors.APITimeoutError("x"), "POST") is False


def test_decode_error_retried_for_get_not_post() -> None:
    assert POLICY.should_retry(errors.ResponseDecodeError("x"), "GET") is True
    assert POLICY.should_retry(errors.ResponseDecodeError("x"), "POST") is False


@pytest.mark.parametrize(
    "exc",
    [
        errors.ConfigurationError("no token"),
        ValueError("bug"),
        RuntimeError("bug"),
        KeyError("x"),
    ],
)
def test_other_exceptions_not_retried(exc: BaseException) -> None:
    assert POLICY.should_retry(exc, "GET") is False


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_long_retry_after_not_retried(method: str) -> None:
    assert POLICY.should_retry(status(429, retry_after=60.0), method) is True
    assert POLICY.should_retry(status(429, retry_after=61.0), method) is False
    assert POLICY.should_retry(status(503, retry_after=3600.0), "GET") is False
    assert RetryPolicy(max_retry_after=120).should_retry(status(429, retry_after=90.0), method)


def test_backoff_growth_and_jitter_bounds() -> None:
    policy = RetryPolicy()
    expected = [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    for attempt, base in enumerate(expected, start=1):
        samples = [policy.backoff(attempt) for _ in range(200)]
        assert all(base * (1 - policy.jitter) <= s <= base for s in samples), (attempt, samples)
        # jitter actually varies the wait
        assert len(set(samples)) > 1


def test_backoff_without_jitter_is_exact() -> None:
    policy = RetryPolicy(jitter=0.0, initial_backoff=1.0, max_backoff=5.0)
    assert [policy.backoff(n) for n in range(1, 6)] == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_wait_for_uses_retry_after() -> None:
    policy = RetryPolicy(jitter=0.0)
    assert policy.wait_for(status(429, retry_after=2.5), 1) == 2.5
    assert policy.wait_for(status(429, retry_after=0.0), 3) == 0.0
    assert policy.wait_for(status(503), 3) == 2.0
    assert policy.wait_for(errors.APIConnectionError("x"), 1) == 0.5
    assert policy.wait_for(None, 2) == 1.0


def test_describe() -> None:
    assert describe(status(503)) == "503 m"
    assert describe(errors.APITimeoutError("slow")) == "APITimeoutError: slow"


# -- the retry loop ---------------------------------------------------------------------------


class Flaky:
    """An async call that fails ``failures`` times with ``error()``, then returns ``value``."""

    def __init__(self, failures: int, error: Callable[[], BaseException], value: str = "ok"):
        self.failures = failures
        self.error = error
        self.value = value
        self.calls = 0
        self.raised: list[BaseException] = []

    async def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            exc = self.error()
            self.raised.append(exc)
            raise exc
        return self.value


async def run(policy: RetryPolicy, method: str, call: Callable[[], Awaitable[T]]) -> T:
    return await policy.run(lambda number: call(), method, "/x")


FAST = {"initial_backoff": 0.001, "max_backoff": 0.002}


async def test_max_retries_zero_is_one_try() -> None:
    call = Flaky(5, lambda: status(503))
    with pytest.raises(errors.InternalServerError) as info:
        await run(RetryPolicy(max_retries=0, **FAST), "GET", call)
    assert call.calls == 1
    assert info.value is call.raised[0]


async def test_max_retries_two_is_three_tries_then_original_error() -> None:
    call = Flaky(10, lambda: errors.APIConnectionError("boom"))
    with pytest.raises(errors.APIConnectionError) as info:
        await run(RetryPolicy(max_retries=2, **FAST), "GET", call)
    assert call.calls == 3
    # The original exception (the last one raised), never a wrapper.
    assert type(info.value) is errors.APIConnectionError
    assert info.value is call.raised[-1]


async def test_success_after_two_failures() -> None:
    call = Flaky(2, lambda: status(502))
    assert await run(RetryPolicy(max_retries=3, **FAST), "GET", call) == "ok"
    assert call.calls == 3


async def test_non_retryable_raised_at_once() -> None:
    call = Flaky(1, lambda: status(404))
    with pytest.raises(errors.NotFoundError):
        await run(RetryPolicy(max_retries=5, **FAST), "GET", call)
    assert call.calls == 1


async def test_post_500_raised_at_once_but_429_retried() -> None:
    call = Flaky(1, lambda: status(500))
    with pytest.raises(errors.InternalServerError):
        await run(RetryPolicy(max_retries=5, **FAST), "POST", call)
    assert call.calls == 1
    limited = Flaky(1, lambda: status(429, retry_after=0.001))
    assert await run(RetryPolicy(max_retries=5, **FAST), "POST", limited) == "ok"
    assert limited.calls == 2


async def test_sleeps_follow_backoff_and_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    errors_seq = itertools.chain(
        [status(503), status(429, retry_after=7.0), errors.APIConnectionError("x")]
    )
    call = Flaky(3, lambda: next(errors_seq))
    policy = RetryPolicy(max_retries=3, jitter=0.0)
    assert await run(policy, "GET", call) == "ok"
    assert slept == [0.5, 7.0, 2.0]


async def test_deadline_stops_before_a_long_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    call = Flaky(10, lambda: status(429, retry_after=1.0))
    policy = RetryPolicy(max_retries=5, deadline=0.05)
    with pytest.raises(errors.RateLimitError) as info:
        await run(policy, "GET", call)
    assert slept == []  # the 1 s wait would pass the deadline: not slept at all
    assert call.calls == 1
    assert info.value is call.raised[0]


async def test_retry_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="screendesk_async")
    call = Flaky(1, lambda: status(503))
    assert await run(RetryPolicy(max_retries=1, **FAST), "GET", call) == "ok"
    messages = [r.getMessage() for r in caplog.records if r.name == "screendesk_async"]
    assert len(messages) == 1
    assert "retrying GET /x" in messages[0]
    assert "attempt 1 of 2 failed: 503 m" in messages[0]


def test_pause_for_a_429_is_its_retry_after_never_longer_and_none_over_the_cap() -> None:
    policy = RetryPolicy(jitter=0.0)
    assert policy.pause_for(status(429, retry_after=2.5), 1) == 2.5
    assert policy.pause_for(status(429, retry_after=60.0), 1) == 60.0
    assert policy.pause_for(status(429, retry_after=3600.0), 1) is None  # raised, pauses nothing
    assert policy.pause_for(status(429), 2) == 1.0  # no Retry-After: the backoff
    assert policy.pause_for(status(503, retry_after=5.0), 1) is None  # only a 429 slows all
    assert policy.pause_for(errors.APIConnectionError("x"), 1) is None


def test_too_large_is_never_retried() -> None:
    too_large = errors.ResponseTooLargeError("big", limit=10)
    assert POLICY.should_retry(too_large, "GET") is False
    assert POLICY.should_retry(errors.ResponseDecodeError("cut off"), "GET") is True
