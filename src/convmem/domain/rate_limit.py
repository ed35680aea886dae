"""Per-account token buckets."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Protocol


class RateLimiter(Protocol):
    # True when ``take`` does I/O (a shared bucket in the database), so callers on an event
    # loop must run it in a thread; in-process buckets are a few arithmetic operations.
    blocking: bool

    def take(self, key: str) -> int:
        """0 when a request may proceed, else the whole seconds to wait for a token."""
        ...


class TokenBuckets:
    """A bucket per key holding up to ``burst`` tokens, refilled at ``rate`` per second.

    ``take`` returns 0 when a request may proceed, or the whole seconds to wait before one
    token will be available."""

    blocking = False

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self._clock = rate, burst, clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> int:
        if self.rate <= 0:
            return 0
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0
            self._buckets[key] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / self.rate))
