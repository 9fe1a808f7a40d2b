"""Staying inside GitHub's rate limit from many threads at once.

``RateGate`` reads ``X-RateLimit-Remaining`` / ``X-RateLimit-Reset`` from every answer, hands out the remaining
requests one at a time (so eight threads with one request left do not all fire), and when none are left waits
for the reset — or, when the reset is further away than ``max_wait``, raises ``RateLimitedError`` so a batch
stops cleanly and can be resumed.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from grader.errors import RateLimitedError


class RateGate:
    def __init__(self, reserve: int = 0, max_wait: float = 120.0, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.reserve = reserve
        self.max_wait = max_wait
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self.remaining: int | None = None  # unknown until the first answer
        self.reset_at: float = 0.0
        self.blocked_until: float = 0.0  # after a 403/429 'rate limited' (e.g. a secondary limit's Retry-After)
        self.waited: float = 0.0  # seconds spent waiting for resets (for reports and benchmarks)
        self.probe_timeout = 10.0  # while the budget is unknown, one request goes first; another after this
        self._probe_at: float | None = None
        self.unlimited = False

    def observe(self, headers: Mapping[str, Any]) -> None:
        """Learn the limit from an answer's headers (answers may arrive out of order)."""
        lower = {str(k).lower(): v for k, v in headers.items()}
        try:
            remaining = int(lower["x-ratelimit-remaining"])
            reset_at = float(lower["x-ratelimit-reset"])
        except (KeyError, TypeError, ValueError):
            with self._lock:  # a server that sends no limit (GitHub Enterprise with limits off): no budget
                self._probe_at, self.unlimited = None, True
            return
        with self._lock:
            self._probe_at = None
            if self.remaining is None or reset_at > self.reset_at:
                self.remaining, self.reset_at = remaining, reset_at  # a new window
            else:
                self.remaining = min(self.remaining, remaining)

    def end_probe(self) -> None:
        """A request failed without an answer: the next one may go first instead."""
        with self._lock:
            self._probe_at = None

    def acquire(self) -> None:
        """Take one request from the budget; wait for the reset (or raise) when nothing is left."""
        while True:
            with self._lock:
                now = self._clock()
                blocked = self.blocked_until - now
            if blocked > 0:
                self.wait(blocked, "GitHub asked to slow down (rate limited)")
                continue
            with self._lock:
                now = self._clock()
                if self.remaining is not None and now >= self.reset_at:
                    self.remaining = None  # the window has reset: the next answer tells the new budget
                if self.remaining is None:
                    if self.unlimited:
                        return
                    # Budget unknown: one request goes first and its answer tells the budget; the others
                    # wait for it instead of all firing into a limit that may be spent.
                    if self._probe_at is None or now - self._probe_at > self.probe_timeout:
                        self._probe_at = now
                        return
                    wait = None
                elif self.remaining > self.reserve:
                    self.remaining -= 1
                    return
                else:
                    wait = self.reset_at - now + 0.5
            if wait is None:
                time.sleep(0.02)
            else:
                self.wait(wait, "the rate limit is used up")

    def wait(self, seconds: float, why: str) -> None:
        """Sleep ``seconds`` if that is within ``max_wait``; otherwise raise ``RateLimitedError``."""
        seconds = max(0.0, seconds)
        if seconds > self.max_wait:
            raise RateLimitedError(f"GitHub: {why}; it resets in {seconds:.0f} s, longer than "
                                   f"GitHubSettings.max_wait = {self.max_wait:.0f} s. Run again later: "
                                   "what is done stays done", retry_after=seconds)
        with self._lock:
            self.waited += seconds
        self._sleep(seconds)

    def blocked(self, retry_after: float) -> None:
        """A 403/429 said 'rate limited' for ``retry_after`` seconds: every thread waits that long."""
        with self._lock:
            self.blocked_until = max(self.blocked_until, self._clock() + retry_after)


def backoff_delay(attempt: int, base: float, cap: float = 60.0) -> float:
    """Exponential back-off with jitter: base·2^attempt, scaled by a random factor in [0.5, 1.5)."""
    return min(cap, base * (2 ** attempt)) * (0.5 + random.random())
