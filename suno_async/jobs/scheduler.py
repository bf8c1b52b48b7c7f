"""One poller per client: every tracked job in a due-time heap, one scheduler task.

Cadence per job follows :class:`~suno_async.PollPolicy`: it grows by ``factor`` while
nothing changes (capped at ``early_maximum`` until first results, ``maximum`` after),
resets to ``initial`` on a stage change, and is jittered so a batch never polls in
lock-step. At most ``policy.concurrency`` polls are in flight, below the connection
pool size, so submissions always find a free connection. A failed poll is retried
with backoff; only ``max_failures`` consecutive failures end tracking with
:class:`~suno_async.errors.JobTrackingError`.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any

from .._retry import failure_delay
from ..config import PollPolicy, RetryPolicy
from ..errors import AuthenticationError, JobTrackingError, NotFoundError, SunoError
from ..models.enums import Stage
from .job import Job

__all__ = ["Poller"]

log = logging.getLogger("suno_async")

Fetch = Callable[[Job[Any]], Awaitable[Any]]


class Poller:
    """The scheduler task and its heap. Created by the client; not public API."""

    def __init__(
        self,
        fetch: Fetch,
        policy: PollPolicy,
        retry: RetryPolicy,
        *,
        webhooks_active: Callable[[], bool] = lambda: False,
        seed: int | None = None,
    ) -> None:
        self._fetch = fetch
        self.policy = policy
        self._retry = retry
        self._webhooks_active = webhooks_active
        self._rng = random.Random(seed)
        self._heap: list[tuple[float, int, int, Job[Any]]] = []
        self._seq = 0
        self._jobs: set[Job[Any]] = set()
        self._wake: asyncio.Event | None = None
        self._sem: asyncio.Semaphore | None = None
        self._task: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[None]] = set()
        self._closed = False
        # Measurements (read by benchmarks and tests).
        self.polls = 0
        self.poll_failures = 0
        self.lag_total = 0.0
        self.lag_max = 0.0

    @property
    def tracked(self) -> int:
        """Number of jobs being polled."""
        return len(self._jobs)

    # ------------------------------------------------------------------ control

    def track(self, job: Job[Any]) -> None:
        """Start polling ``job``; the first poll comes after the policy's ``initial``."""
        if self._closed:
            return
        self._jobs.add(job)
        job.interval = self.policy.initial
        self._schedule(job, self._next_delay(job))
        self._ensure_running()

    def forget(self, job: Job[Any]) -> None:
        """Stop polling ``job`` (stale heap entries are skipped lazily)."""
        self._jobs.discard(job)
        job.sched_token += 1

    def _schedule(self, job: Job[Any], delay: float) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        earliest = job.last_poll + self.policy.min_interval
        due = max(now + delay, earliest)
        if job.deadline is not None:
            due = min(due, job.deadline)
        job.due = due
        job.sched_token += 1
        self._seq += 1
        first = not self._heap or due < self._heap[0][0]
        heapq.heappush(self._heap, (due, self._seq, job.sched_token, job))
        if first and self._wake is not None:
            self._wake.set()

    def _next_delay(self, job: Job[Any], *, moved: bool = False) -> float:
        policy = self.policy
        if moved:
            interval = policy.initial
        else:
            interval = job.interval * policy.factor if job.polls else policy.initial
        early = job.stage < Stage.FIRST_SUCCESS
        interval = min(interval, policy.early_maximum if early else policy.maximum)
        interval = max(interval, policy.min_interval)
        if self._webhooks_active():
            interval = max(interval, policy.webhook_interval)
        job.interval = interval
        spread = policy.jitter
        return interval * self._rng.uniform(1.0 - spread, 1.0 + spread)

    def _ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._wake = asyncio.Event()
            self._sem = asyncio.Semaphore(self.policy.concurrency)
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="suno-async-poller"
            )

    async def aclose(self) -> None:
        """Stop the scheduler task and cancel polls in flight."""
        self._closed = True
        tasks = list(self._inflight)
        if self._task is not None:
            tasks.append(self._task)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._heap.clear()
        self._jobs.clear()

    # ------------------------------------------------------------------ the loop

    async def _run(self) -> None:
        assert self._wake is not None
        assert self._sem is not None
        loop = asyncio.get_running_loop()
        heap = self._heap
        while not self._closed:
            now = loop.time()
            while heap and heap[0][0] <= now:
                due, _, token, job = heapq.heappop(heap)
                if token != job.sched_token or job not in self._jobs:
                    continue
                if job.deadline is not None and now >= job.deadline:
                    self._jobs.discard(job)
                    job.expire(now - job.created)
                    continue
                await self._sem.acquire()
                if token != job.sched_token or job not in self._jobs:
                    self._sem.release()
                    continue
                now = loop.time()
                lag = now - due
                self.lag_total += lag
                self.lag_max = max(self.lag_max, lag)
                job.last_poll = now
                task = loop.create_task(self._poll(job, self._sem))
                self._inflight.add(task)
                task.add_done_callback(self._inflight.discard)
            self._wake.clear()
            timeout = heap[0][0] - loop.time() if heap else None
            if timeout is not None and timeout <= 0:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def _poll(self, job: Job[Any], sem: asyncio.Semaphore) -> None:
        """One poll; releases ``sem``, the semaphore it was started under."""
        try:
            try:
                data = await self._fetch(job)
                if data is None:
                    raise NotFoundError(
                        f"record-info has no task {job.task_id} (yet)", code=200, msg="data null"
                    )
                record = job.kind.parse(data)
            finally:
                sem.release()
        except asyncio.CancelledError:
            raise
        except SunoError as exc:
            self._failed(job, exc)
            return
        except Exception as exc:  # a bug must not leave waiters hanging
            log.exception("task %s: unexpected error while polling", job.task_id)
            self._forget_with(job, JobTrackingError(job.task_id, exc))
            return
        job.polls += 1
        self.polls += 1
        job.poll_failures = 0
        moved = job.ingest(record, source="poll")
        if job.tracking and job in self._jobs:
            self._schedule(job, self._next_delay(job, moved=moved))

    def _failed(self, job: Job[Any], exc: SunoError) -> None:
        job.poll_failures += 1
        self.poll_failures += 1
        if isinstance(exc, AuthenticationError) or job.poll_failures >= self.policy.max_failures:
            self._forget_with(job, JobTrackingError(job.task_id, exc))
            return
        log.info(
            "task %s: poll failed (%s, %d in a row); retrying",
            job.task_id, type(exc).__name__, job.poll_failures,
        )
        retry_after = getattr(exc, "retry_after", None)
        delay = failure_delay(self._retry, job.poll_failures, retry_after)
        if job in self._jobs:
            self._schedule(job, max(delay, self.policy.min_interval))

    def _forget_with(self, job: Job[Any], error: JobTrackingError) -> None:
        self.forget(job)
        if not job.done():
            job._finish(error, failed=False)
