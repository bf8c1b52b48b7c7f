"""Client-side limit on task creation: at most N creates in any window of W seconds.

The API rejects the 21st creation in 10 seconds with HTTP 429. A token bucket refilled
at the same average rate would still burst past a sliding window (20 at once, then one
more half a second later), so this limiter keeps the times of recent creates and lets a
new one start only when fewer than N started in the last W seconds. A create counts
from when it starts until W seconds after its reply arrived, which absorbs network
delay between our clock and the server's.

With a shared store (``SunoClient(store=...)``, or a journal) the window is the
account's, kept in the store (:meth:`~suno_async.store.Store.acquire_create_slot`): every
process of the account draws from it, so N processes together never exceed the limit,
and a rerun sees the creates of the run before. This process's waiters still queue in
order (a local FIFO lock) before asking the store.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator

import attrs

from .config import RateLimit
from .errors import JournalError, RateLimitError
from .store.base import Store

__all__ = ["CreateLimiter", "SlotTicket"]

log = logging.getLogger("suno_async")


@attrs.define
class SlotTicket:
    """A held create slot. Call :meth:`unused` when nothing was sent with it (the
    request turned out to be claimed elsewhere): the slot is then given back."""

    slot_id: str
    used: bool = True

    def unused(self) -> None:
        """Nothing was sent with this slot: give it back on release."""
        self.used = False


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

    def __init__(self, policy: RateLimit, store: Store | None = None) -> None:
        self.policy = policy
        #: The shared window's store (``None``: this process's window, in memory).
        self.store = store
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
    async def slot(self, *, queued: bool = False) -> AsyncIterator[SlotTicket]:
        """Wait (at most the policy's ``max_wait``) for a slot, then hold it.

        ``queued``: the caller is an item of a batch, which waits for its own turn in
        the queue however long that is (the batch itself bounds how many are queued).
        With a store, a store failure while taking the slot raises
        :class:`~suno_async.errors.JournalError` (nothing was sent).
        """
        loop = asyncio.get_running_loop()
        if self._lock is None:
            self._lock = asyncio.Lock()
            self._changed = asyncio.Event()
        assert self._changed is not None
        limit = self.policy.max_wait
        deadline = float("inf") if queued else loop.time() + limit
        ticket = SlotTicket(uuid.uuid4().hex)
        async with self._lock:  # FIFO: first come, first served
            while True:
                now = loop.time()
                if self.store is not None:
                    wait = await self._store_wait(ticket.slot_id)
                    now = loop.time()
                else:
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
            yield ticket
        finally:
            self._in_flight -= 1
            if self.store is not None:
                await self._store_release(ticket)
            elif ticket.used:
                self._done.append(loop.time())
            else:
                self.started -= 1
            self._changed.set()

    async def _store_wait(self, slot_id: str) -> float:
        """One try at the shared window: ``0.0`` = the slot is held (in flight)."""
        assert self.store is not None
        try:
            return await self.store.acquire_create_slot(
                self.policy.creates, self.policy.per_seconds, slot_id=slot_id
            )
        except asyncio.CancelledError:
            # the slot may have been taken just before: give it back (best effort)
            with contextlib.suppress(Exception):
                await self.store.release_create_slot(slot_id)
            raise
        except JournalError:
            raise
        except Exception as exc:  # a store that is not ours: still typed
            raise JournalError(
                f"the store could not give a create slot ({type(exc).__name__});"
                " nothing was sent"
            ) from exc

    async def _store_release(self, ticket: SlotTicket) -> None:
        """The slot counts from now (its reply came), or is given back (never used).

        A store failure here is logged, never raised: the request's outcome (a task id)
        matters more; the slot then stays in flight until the store's bound
        (``config.SLOT_PENDING_MAX``), which only ever errs on the safe side."""
        assert self.store is not None
        try:
            if ticket.used:
                await self.store.finish_create_slot(ticket.slot_id)
            else:
                await self.store.release_create_slot(ticket.slot_id)
                self.started -= 1
        except Exception:
            log.warning("could not update the shared create slot", exc_info=True)
