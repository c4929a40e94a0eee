"""Deterministic draws for the fake's sample data: hash-based randomness, ids, timestamps.

Everything the fake generates is derived from ``(seed, index)`` with these, so a fake with a
million recordings stores nothing per record and repeats itself for the same seed.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Sequence
from typing import TypeVar

_T = TypeVar("_T")

# 2023-01-01T00:00:00Z; recordings are spread forward from here by index.
EPOCH = 1_672_531_200
THREE_YEARS = 94_608_000
MASK60 = (1 << 60) - 1
_MUL1 = 0x9E3779B97F4A7C1
_MUL2 = 0xBF58476D1CE4E5B
_INV1 = pow(_MUL1, -1, 1 << 60)
_INV2 = pow(_MUL2, -1, 1 << 60)


class Bits:
    """A stream of pseudo-random draws from a hash, far cheaper than seeding ``random.Random``."""

    __slots__ = ("_digest", "_left", "_value")

    def __init__(self, key: bytes) -> None:
        self._digest = hashlib.blake2b(key, digest_size=64).digest()
        self._value = int.from_bytes(self._digest, "little")
        self._left = 512

    def below(self, n: int) -> int:
        # 24 bits per draw keeps the modulo bias negligible for the small n used here.
        if self._left < 24:
            self._digest = hashlib.blake2b(self._digest, digest_size=64).digest()
            self._value = int.from_bytes(self._digest, "little")
            self._left = 512
        value = self._value & 0xFFFFFF
        self._value >>= 24
        self._left -= 24
        return value % n

    def pick(self, options: Sequence[_T]) -> _T:
        return options[self.below(len(options))]


def _scramble(x: int, first: int, second: int) -> int:
    x ^= x >> 30
    x = (x * first) & MASK60
    x ^= x >> 30
    x = (x * second) & MASK60
    return x ^ (x >> 30)


def mix60(x: int) -> int:
    """An invertible scramble of 60 bits: uuids look random yet encode their index."""
    return _scramble(x, _MUL1, _MUL2)


def unmix60(x: int) -> int:
    """The inverse of :func:`mix60` (xor-shifts by 30 of 60 bits undo themselves)."""
    return _scramble(x, _INV2, _INV1)


def seed_offset(seed: int, salt: str) -> int:
    digest = hashlib.blake2b(f"{salt}:{seed}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") & MASK60


_OFFSETS = {0: "Z", 60: "+01:00", 120: "+02:00", -300: "-05:00", 330: "+05:30"}
OFFSET_CHOICES = (0, 0, 0, 120, 60, -300, 330)


@functools.lru_cache(maxsize=8192)
def _date(day: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(day * 86_400))


def iso_timestamp(ts: float, offset_minutes: int = 0) -> str:
    """Format a Unix time as ISO-8601 with ``Z`` or a ``+HH:MM`` offset, as the API does."""
    day, seconds = divmod(int(ts) + offset_minutes * 60, 86_400)
    hours, rest = divmod(seconds, 3600)
    suffix = _OFFSETS.get(offset_minutes)
    if suffix is None:
        sign = "+" if offset_minutes > 0 else "-"
        off_hours, off_minutes = divmod(abs(offset_minutes), 60)
        suffix = f"{sign}{off_hours:02d}:{off_minutes:02d}"
    return f"{_date(day)}T{hours:02d}:{rest // 60:02d}:{rest % 60:02d}{suffix}"
