"""The client-side rate limiter, shared by every request of one client.

Hand-written rather than aiolimiter because the contract asks for evenly spaced starts with no
burst (aiolimiter's leaky bucket lets a full bucket go at once) and for a client-wide pause after
a 429; both fit in a few lines here.
"""

from __future__ import annotations

import asyncio
from typing import Final

# Starts are spaced 2 % wider than 1/rate so that clock jitter between the client and the server
# never makes rate+1 starts land inside one second as the server sees them.
_GUARD: Final = 1.02


class RateLimiter:
    """Spaces request starts evenly at ``rate`` per second, and holds all of them during a pause.

    Callers queue in order; each starts one interval after the previous start *actually*
    happened, so a stalled event loop never releases a burst of overdue requests.
    ``rate=None`` disables spacing; pauses (after a 429) still apply.
    """

    def __init__(self, rate: float | None) -> None:
        self._interval = _GUARD / rate if rate else 0.0
        self._last_start = float("-inf")
        self._paused_until = 0.0
        self._queue = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        """Hold every request of the client for ``seconds`` from now (e.g. a 429's Retry-After)."""
        until = asyncio.get_running_loop().time() + seconds
        self._paused_until = max(self._paused_until, until)

    async def acquire(self) -> None:
        """Wait for this request's turn to start."""
        loop = asyncio.get_running_loop()
        if not self._interval and self._paused_until <= loop.time():
            return
        async with self._queue:
            while True:
                now = loop.time()
                wait = max(self._last_start + self._interval, self._paused_until) - now
                if wait <= 0:
                    break
                await asyncio.sleep(wait)
            self._last_start = loop.time()
