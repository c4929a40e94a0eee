"""The client-side rate limiter: evenly spaced starts, no burst, and pauses after a 429."""

from __future__ import annotations

import asyncio
import time
from itertools import pairwise

import pytest

from screendesk_async._ratelimit import RateLimiter


async def timed_starts(limiter: RateLimiter, n: int) -> list[float]:
    """Start ``n`` concurrent acquires; return when each one was let through (sorted)."""
    loop = asyncio.get_running_loop()
    starts: list[float] = []

    async def one() -> None:
        await limiter.acquire()
        starts.append(loop.time())

    await asyncio.gather(*(one() for _ in range(n)))
    return sorted(starts)


def assert_spaced(starts: list[float], rate: float) -> None:
    """Start k comes at least k/rate after the first one, for every k.

    Timers only ever wake late, so this holds however loaded the machine is, and it rules out
    any burst (two starts together at the beginning, or more than ``rate`` in a second).
    """
    for k, start in enumerate(starts):
        assert start - starts[0] >= k / rate, (k, [s - starts[0] for s in starts])


async def test_the_first_start_goes_at_once() -> None:
    limiter = RateLimiter(50)
    first = asyncio.ensure_future(limiter.acquire())
    await asyncio.sleep(0)  # one step of the loop: no timer could have fired yet
    assert first.done()
    second = asyncio.ensure_future(limiter.acquire())
    await asyncio.sleep(0)
    assert not second.done()  # the next one waits its interval
    await second


async def test_rate_spaces_starts_evenly_with_no_burst() -> None:
    loop = asyncio.get_running_loop()
    began = loop.time()
    starts = await timed_starts(RateLimiter(50), 26)
    assert loop.time() - began >= 0.5
    # 26 starts never fit in half a second: at most 25 per 0.5 s, i.e. 50 per second.
    assert starts[-1] - starts[0] >= 25 / 50
    assert_spaced(starts, 50)


async def test_rate_100() -> None:
    starts = await timed_starts(RateLimiter(100), 31)
    assert starts[30] - starts[0] >= 0.3
    assert_spaced(starts, 100)


async def test_sequential_acquires_are_spaced() -> None:
    loop = asyncio.get_running_loop()
    limiter = RateLimiter(100)
    starts = []
    for _ in range(6):
        await limiter.acquire()
        starts.append(loop.time())
    assert_spaced(starts, 100)


async def test_no_burst_after_the_loop_was_blocked() -> None:
    rate = 20.0
    limiter = RateLimiter(rate)

    async def block_the_loop() -> None:
        await asyncio.sleep(0)
        # A CPU-bound stretch in the app (blocking on purpose), about 3 intervals long.
        time.sleep(0.15)  # noqa: ASYNC251

    starts, _ = await asyncio.gather(timed_starts(limiter, 6), block_the_loop())
    gaps = [b - a for a, b in pairwise(starts)]
    assert min(gaps) >= 1 / rate - 0.005, gaps


async def test_no_rate_does_not_wait() -> None:
    limiter = RateLimiter(None)
    acquires = [asyncio.ensure_future(limiter.acquire()) for _ in range(200)]
    await asyncio.sleep(0)  # one step of the loop: every one of them is through
    assert all(task.done() for task in acquires)


@pytest.mark.parametrize(
    ("acquired_before", "pauses", "held"),
    [
        pytest.param(True, [0.2], 0.2, id="pause-delays-next-acquire"),
        pytest.param(False, [0.2, 0.01], 0.2, id="pause-never-shortens-a-longer-pause"),
    ],
)
async def test_pause_holds_the_next_acquire(
    acquired_before: bool, pauses: list[float], held: float
) -> None:
    loop = asyncio.get_running_loop()
    limiter = RateLimiter(None)
    if acquired_before:
        await limiter.acquire()
    for seconds in pauses:
        limiter.pause(seconds)
    began = loop.time()
    await limiter.acquire()
    assert loop.time() - began >= held - 1e-3


async def test_pause_holds_an_acquire_already_sleeping() -> None:
    loop = asyncio.get_running_loop()
    limiter = RateLimiter(10)  # slots about 0.1 s apart
    await limiter.acquire()  # takes slot 0 at once
    began = loop.time()
    waiting = asyncio.create_task(limiter.acquire())  # sleeps until ~0.1 s
    await asyncio.sleep(0.02)
    assert not waiting.done()
    limiter.pause(0.2)  # set while that acquire is already sleeping
    await waiting
    assert loop.time() - began >= 0.02 + 0.2 - 1e-3


async def test_pause_with_rate_limit_then_spacing_resumes() -> None:
    loop = asyncio.get_running_loop()
    limiter = RateLimiter(50)
    limiter.pause(0.1)
    began = loop.time()
    starts = await timed_starts(limiter, 3)
    assert starts[0] - began >= 0.1 - 1e-3
    assert_spaced(starts, 50)
