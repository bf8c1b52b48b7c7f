"""Client-side limit on task creation: at most N creates in any window of W seconds.

The API rejects the 21st creation in 10 seconds with HTTP 429. A token bucket refilled
at the same average rate would still burst past a sliding window (20 at once, then one
more half a second later), so this limiter keeps the times of recent creates and lets a
new one start only when fewer than N started in the last W seconds. A create counts
from when it starts until W seconds after its reply arrived, which absorbs network
delay between our clock and the server's.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import AsyncIterator

from .config import RateLimit
from .errors import RateLimitError

__all__ = ["CreateLimiter"]


class CreateLimiter:
    """Sliding-window limiter for task-creating requests.

    >>> import asyncio
    >>> from suno_async.config import RateLimit
    >>> async def main():
    ...     limiter = CreateLimiter(RateLimit(creates=2, per_seconds=0.05))
    ...     for _ in range(3):
    ...         async with limiter.slot():
    ...             pass
    ...     return limiter.started
    >>> asyncio.run(main())
    3
    """

    def __init__(self, policy: RateLimit) -> None:
        self.policy = policy
        self._done: collections.deque[float] = collections.deque()
        self._in_flight = 0
        self._changed: asyncio.Event | None = None
        self._lock: asyncio.Lock | None = None
        self.started = 0

    def _prune(self, now: float) -> None:
        window = self.policy.per_seconds
        while self._done and self._done[0] <= now - window:
            self._done.popleft()

    def _next_free(self, now: float) -> float:
        """How long until a slot is free (0 if now; inf if only in-flight creates block)."""
        self._prune(now)
        used = len(self._done) + self._in_flight
        if used < self.policy.creates:
            return 0.0
        if len(self._done) == 0 or used - self.policy.creates >= len(self._done):
            return float("inf")
        index = used - self.policy.creates
        return self._done[index] + self.policy.per_seconds - now

    @contextlib.asynccontextmanager
    async def slot(self, *, queued: bool = False) -> AsyncIterator[None]:
        """Wait (at most the policy's ``max_wait``) for a slot, then hold it.

        ``queued``: the caller is an item of a batch, which waits for its own turn in
        the queue however long that is (the batch itself bounds how many are queued).
        """
        loop = asyncio.get_running_loop()
        if self._lock is None:
            self._lock = asyncio.Lock()
            self._changed = asyncio.Event()
        assert self._changed is not None
        limit = self.policy.max_wait
        deadline = float("inf") if queued else loop.time() + limit
        async with self._lock:  # FIFO: first come, first served
            while True:
                now = loop.time()
                wait = self._next_free(now)
                if wait <= 0:
                    break
                remaining = deadline - now
                if wait > remaining and wait != float("inf"):
                    raise RateLimitError(
                        f"client rate limit: no create slot within {limit:.1f}s "
                        f"({self.policy.creates} per {self.policy.per_seconds:g}s)",
                        retry_after=wait,
                    )
                if remaining <= 0:
                    raise RateLimitError(
                        f"client rate limit: no create slot within {limit:.1f}s",
                        retry_after=None,
                    )
                self._changed.clear()
                with contextlib.suppress(TimeoutError):
                    bound = min(wait, remaining)
                    await asyncio.wait_for(
                        self._changed.wait(), None if bound == float("inf") else bound
                    )
            self._in_flight += 1
            self.started += 1
        try:
            yield
        finally:
            self._in_flight -= 1
            self._done.append(loop.time())
            self._changed.set()
