"""The job registry: every job a client knows, by task id, and everything fed into them.

Package-internal (the client owns one as ``client.registry``; :mod:`suno_async.batch`
and :mod:`suno_async.webhooks` use it through the non-underscore names below):

* :meth:`JobRegistry.register` / :meth:`JobRegistry.track` / :meth:`JobRegistry.get`
* :meth:`JobRegistry.ingest_callback`: a callback (already authenticated) into its job;
  a failure the callback cannot name exactly is confirmed by one poll first, so a
  failure raises the same error class whichever path delivered it
* the early-callback buffer (:meth:`JobRegistry.buffer_early`), used while a create
  call is in flight (:meth:`JobRegistry.expecting_callbacks`)
* :meth:`JobRegistry.use_webhook_url` / :attr:`JobRegistry.webhook_url`
* eviction of settled jobs beyond ``config.SETTLED_JOBS_KEPT``
* terminal outcomes written to the store or journal (drained by :meth:`JobRegistry.aclose`)
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from .config import (
    EARLY_CALLBACK_BYTES,
    EARLY_CALLBACK_TASKS,
    EARLY_CALLBACK_TTL,
    EARLY_CALLBACKS_PER_TASK,
    JOURNAL_DRAIN_TIMEOUT,
    SETTLED_JOBS_KEPT,
    PollPolicy,
)
from .errors import APIResponseValidationError, ClientClosedError, JournalError, SunoError
from .jobs.job import Job
from .jobs.kinds import JobKind
from .jobs.scheduler import Poller
from .models.callbacks import callback_task_id, parse_callback
from .models.enums import Stage
from .models.records import Record
from .store.base import Store

if TYPE_CHECKING:
    from ._fleet import Fleet

__all__ = ["JobRegistry", "RecordFetch"]

log = logging.getLogger("suno_async")

#: Fetches the raw record of a task once: ``await fetch(kind, task_id)``.
RecordFetch = Callable[[JobKind, str], Awaitable[Any]]


class JobRegistry:
    """The jobs of one client and the ways records reach them."""

    def __init__(
        self,
        *,
        poller: Poller,
        policy: PollPolicy,
        fetch: RecordFetch,
        store: Store | None,
        expecting: Callable[[], bool] = lambda: False,
        early_tasks: int = EARLY_CALLBACK_TASKS,
        early_per_task: int = EARLY_CALLBACKS_PER_TASK,
        early_bytes: int = EARLY_CALLBACK_BYTES,
    ) -> None:
        self.poller = poller
        self.policy = policy
        #: Where terminal outcomes are recorded (``None``: nowhere).
        self.store = store
        self._fetch = fetch
        self._expecting = expecting
        #: Bounds of the early buffer: task ids, and bodies per task id.
        self.early_tasks = early_tasks
        self.early_per_task = early_per_task
        self.early_bytes = early_bytes
        self._early_sizes: dict[str, int] = {}
        self.jobs: dict[str, Job[Any]] = {}
        #: Ids of settled jobs, oldest first; beyond ``SETTLED_JOBS_KEPT`` they are
        #: dropped from :attr:`jobs` so a long-running client does not grow unbounded.
        self.settled: collections.deque[str] = collections.deque()
        #: Callbacks for task ids not registered yet: id -> (first seen, bodies).
        self.early_buffer: dict[str, tuple[float, list[Any]]] = {}
        #: The attached webhook receiver's URL (``None``: results come by polling).
        self.webhook_url: str | None = None
        self.closed = False
        self._background: set[asyncio.Task[None]] = set()
        #: Outcome writes still in flight (a subset of ``_background``).
        self._outcomes: set[asyncio.Task[None]] = set()
        #: Jobs shared with the other clients of the store (``None``: this process
        #: polls every job it knows). See :mod:`suno_async._fleet`.
        self.fleet: Fleet | None = None

    def share_with(self, fleet: Fleet) -> None:
        """Hand every job registered from now on to ``fleet`` (leases, followers)."""
        self.fleet = fleet
        fleet.registry = self

    # ------------------------------------------------------------------ jobs

    def get(self, task_id: str) -> Job[Any] | None:
        """The job of ``task_id`` if this client knows it."""
        return self.jobs.get(task_id)

    def track(self, task_id: str, kind: JobKind) -> Job[Any]:
        """The job handle of ``task_id``: the known one, or a new tracked one."""
        job = self.jobs.get(task_id)
        if job is not None and not (job.error is not None and not job.done()):
            if job.kind is not kind:
                raise ValueError(
                    f"task {task_id} is tracked as a {job.kind.name} job, not {kind.name}"
                )
            return job
        return self.register(task_id, kind, request=None)

    def register(self, task_id: str, kind: JobKind, *, request: object) -> Job[Any]:
        """A new job for a task id just created (or re-attached), polled from now on."""
        loop = asyncio.get_running_loop()
        job: Job[Any] = Job(
            task_id,
            kind,
            poller=self.poller,
            request=request,
            deadline=loop.time() + self.policy.max_wait,
        )
        self.jobs[task_id] = job
        if self.store is not None:
            job.add_done_callback(self._journal_outcome)
        job.add_done_callback(self._forget_settled)
        if self.closed:
            return job
        # re-attached by id (no request): it may be finished already, so poll at once
        if self.fleet is not None:
            self.fleet.adopt(job, immediate=request is None)  # polled here, or followed
        else:
            self.poller.add(job, immediate=request is None)
        _, early = self.early_buffer.pop(task_id, (0.0, []))
        self._early_sizes.pop(task_id, None)
        for body in early:
            with contextlib.suppress(APIResponseValidationError):
                self._apply(job, _parse(kind, body))
        return job

    def _forget_settled(self, job: Job[Any]) -> None:
        self.settled.append(job.task_id)
        while len(self.settled) > SETTLED_JOBS_KEPT:
            old = self.settled.popleft()
            known = self.jobs.get(old)
            if known is not None and not known.tracking:
                del self.jobs[old]

    # ------------------------------------------------------------------ callbacks

    def use_webhook_url(self, url: str | None) -> None:
        """Send ``url`` as the callback URL of new tasks (``None``: back to polling)."""
        self.webhook_url = url

    def expecting_callbacks(self) -> bool:
        """A create call is in flight: its callbacks may arrive before its task id."""
        return self._expecting()

    def ingest_callback(
        self, body: object, *, size: int | None = None, routed: bool = False
    ) -> bool:
        """Feed a callback payload (already authenticated) into its job (``size``: its
        length on the wire, for the early buffer's byte bound).

        Returns ``True`` when it reached a known job. While a create call is in
        flight, callbacks for unknown task ids are buffered (bounded) and applied if
        that id registers; otherwise they are ignored. A malformed body raises
        :class:`~suno_async.errors.APIResponseValidationError`. With a fleet, a
        callback received here (not ``routed`` from another process) is also passed on
        to every other client of the store.
        """
        task_id = callback_task_id(body)
        if task_id is None:
            raise APIResponseValidationError("callback has no task id", body=body)
        if self.fleet is not None and not routed:
            self.fleet.route(task_id, body)
        job = self.jobs.get(task_id)
        if job is None:
            if self.expecting_callbacks():
                self.buffer_early(task_id, body, size)
            return False
        self._apply(job, _parse(job.kind, body))
        return True

    def buffer_early(self, task_id: str, body: object, size: int | None = None) -> bool:
        """Keep a callback for a task id that may register soon; returns whether it was
        kept. Bounded in task ids, bodies per id and bytes in all (``size``: the body's
        length on the wire, measured here when not given), and by a TTL."""
        now = time.monotonic()
        stale = [k for k, (t, _) in self.early_buffer.items() if now - t > EARLY_CALLBACK_TTL]
        for key in stale:
            del self.early_buffer[key]
            self._early_sizes.pop(key, None)
        if task_id not in self.early_buffer and len(self.early_buffer) >= self.early_tasks:
            return False
        if size is None:
            size = _wire_size(body)
        if sum(self._early_sizes.values()) + size > self.early_bytes:
            return False
        _, bodies = self.early_buffer.setdefault(task_id, (now, []))
        if len(bodies) >= self.early_per_task:
            return False
        bodies.append(body)
        self._early_sizes[task_id] = self._early_sizes.get(task_id, 0) + size
        return True

    def _apply(self, job: Job[Any], record: Record) -> None:
        """A callback's record into its job; a failure it cannot name is confirmed first."""
        if job.kind.confirm_by_poll(record) and not job.done() and not self.closed:
            self._spawn(self._confirm_failure(job, record))
            return
        job.ingest(record, source="callback")

    async def _confirm_failure(self, job: Job[Any], reported: Record) -> None:
        """One poll names the failure (``CREATE_TASK_FAILED`` or a generation failure);
        when it cannot (error, still running), the callback's own report stands."""
        record = reported
        try:
            data = await self._fetch(job.kind, job.task_id)
            polled = job.kind.parse(data) if data is not None else None
        except (SunoError, ClientClosedError):
            polled = None
        if polled is not None and job.kind.classify(polled).stage is Stage.FAILED:
            record = polled
        job.ingest(record, source="callback")

    def _spawn(self, work: Awaitable[None]) -> asyncio.Task[None]:
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    # ------------------------------------------------------------------ journal

    def _journal_outcome(self, job: Job[Any]) -> None:
        if self.store is None or not job.done() or self.closed:
            return  # only terminal outcomes are journaled; timeouts stay resumable
        ok = job.stage is Stage.SUCCESS
        task = self._spawn(self._record_outcome(self.store, job.task_id, job.status, ok))
        self._outcomes.add(task)
        task.add_done_callback(self._outcomes.discard)

    async def outcomes_written(self) -> None:
        """Wait (at most ``JOURNAL_DRAIN_TIMEOUT``) for the outcome writes of the jobs
        already finished here: what this client saw end is then in the store too."""
        if self._outcomes:
            await asyncio.wait(list(self._outcomes), timeout=JOURNAL_DRAIN_TIMEOUT)

    @staticmethod
    async def _record_outcome(store: Store, task_id: str, status: str, ok: bool) -> None:
        """An outcome into the store; a store that fails here is logged (the job has its
        result already, and ``resume()`` would only poll it once more)."""
        try:
            await store.record_outcome(task_id, status, ok)
        except JournalError as exc:
            log.warning("task %s: its outcome was not recorded in the store: %s", task_id, exc)

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Pending waits of every job end with ``ClientClosedError``."""
        self.closed = True
        for job in list(self.jobs.values()):
            job.close(ClientClosedError("the client was closed"))

    async def aclose(self) -> None:
        """Close every job, then let journal writes and confirmations still running end."""
        self.close()
        if self._background:
            await asyncio.wait(list(self._background), timeout=JOURNAL_DRAIN_TIMEOUT)
        for task in list(self._background):
            task.cancel()
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)


def _wire_size(body: object) -> int:
    try:
        return len(json.dumps(body, separators=(",", ":"), default=str))
    except (TypeError, ValueError, RecursionError):
        return EARLY_CALLBACK_BYTES + 1  # not JSON-shaped: never buffered


def _parse(kind: JobKind, body: object) -> Record:
    """``parse_callback``, with every malformed body as one typed error."""
    try:
        return parse_callback(kind.name, body)
    except APIResponseValidationError:
        raise
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. code 1e400
        raise APIResponseValidationError(
            f"malformed {kind.name} callback: {type(exc).__name__}", body=body
        ) from None
