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


class FailureThrottle:
    """Counts failed authentications per client address so that credentials cannot be guessed
    at wire speed: ``burst`` failures are free, then one more per ``1/rate`` seconds. While an
    address is over its allowance, ``wait`` says how long it must pause and the caller refuses
    its requests without checking credentials at all.

    The table is bounded: past ``max_keys`` addresses, those that have recovered their full
    allowance are forgotten (they are indistinguishable from new ones), so a flood of
    addresses cannot grow memory without limit."""

    def __init__(self, rate: float, burst: int, *, max_keys: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self.max_keys, self._clock = rate, burst, max_keys, clock
        self._failures: dict[str, tuple[float, float]] = {}  # key -> (allowance left, at)
        self._lock = threading.Lock()

    def _allowance(self, key: str, now: float) -> float:
        left, at = self._failures.get(key, (float(self.burst), now))
        return min(float(self.burst), left + (now - at) * self.rate)

    def wait(self, key: str) -> int:
        """0 when ``key`` may try to authenticate, else the whole seconds until it may."""
        now = self._clock()
        with self._lock:
            if key not in self._failures:
                return 0
            left = self._allowance(key, now)
        return 0 if left >= 1.0 else max(1, math.ceil((1.0 - left) / self.rate))

    def failed(self, key: str) -> None:
        now = self._clock()
        with self._lock:
            if key not in self._failures and len(self._failures) >= self.max_keys:
                self._forget_recovered(now)
            self._failures[key] = (max(0.0, self._allowance(key, now) - 1.0), now)

    def _forget_recovered(self, now: float) -> None:
        recovered = [k for k in self._failures if self._allowance(k, now) >= self.burst]
        for k in recovered:
            del self._failures[k]
        if len(self._failures) >= self.max_keys:  # all of them still throttled: drop the oldest
            for k, _ in sorted(self._failures.items(), key=lambda item: item[1][1])[: self.max_keys // 10 or 1]:
                del self._failures[k]
