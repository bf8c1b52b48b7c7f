"""The :class:`Job` handle: a remote task whose stages are awaitable.

A job is fed by the client's poller and by webhooks through one idempotent
:meth:`Job.ingest`: stages only move forward, a terminal state is sticky, duplicates
and out-of-order deliveries change nothing.

>>> import asyncio
>>> from suno_async import SunoClient, Stage, PollPolicy
>>> from suno_async.sandbox import Sandbox
>>> async def main():
...     async with Sandbox(time_scale=0.002, seed=1) as sb, SunoClient(
...             api_key=sb.api_key, base_url=sb.url,
...             poll=PollPolicy(initial=0.02, maximum=0.1, early_maximum=0.05,
...                             min_interval=0)) as client:
...         job = await client.generate(prompt="lofi piano", instrumental=True)
...         first = await job.wait(Stage.FIRST_SUCCESS, timeout=30)
...         final = await job
...         return bool(first.tracks[0].stream_audio_url), len(final.tracks), job.stage
>>> asyncio.run(main())
(True, 2, <Stage.SUCCESS: 3>)
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import AsyncIterator, Callable, Generator
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, cast

import attrs

from ..errors import (
    ClientClosedError,
    JobDetachedError,
    JobFailedError,
    JobTimeoutError,
    SunoError,
)
from ..models.enums import Stage
from ..models.records import Record
from .kinds import JobKind

if TYPE_CHECKING:
    from .scheduler import Poller

__all__ = ["Job", "JobEvent"]

log = logging.getLogger("suno_async")

R = TypeVar("R", bound=Record)
Source = Literal["poll", "callback", "submit", "store"]


@attrs.frozen
class JobEvent(Generic[R]):
    """One observed change: the stage reached (or ``FAILED``), the raw status, the record.

    Generic in the record type: a ``Job[MusicRecord]`` yields ``JobEvent[MusicRecord]``.
    Every stage a job passes through gets its own event, in order, even when one
    observation jumps several stages (each carries the record that showed it).
    ``error`` is set on the last event of a job that failed, timed out or was closed.

    >>> from suno_async.models.records import MusicRecord
    >>> JobEvent("t1", Stage.SUCCESS, "SUCCESS", MusicRecord(status="SUCCESS")).terminal
    True
    """

    task_id: str
    stage: Stage
    status: str
    record: R | None = attrs.field(default=None, repr=False)
    error: BaseException | None = None

    @property
    def terminal(self) -> bool:
        """True on the last event a job emits."""
        return self.stage.terminal or self.error is not None


class Job(Generic[R]):
    """A handle on one remote task.

    ``await job`` gives the final record (``job.result``) or raises a typed error
    (:class:`~suno_async.errors.JobFailedError` and subclasses,
    :class:`~suno_async.errors.JobTimeoutError`...). ``await job.wait(Stage.X)``
    resolves at or past stage X with the record seen then. ``async for event in
    job.events()`` yields each change, starting with the current state.
    """

    def __init__(
        self,
        task_id: str,
        kind: JobKind,
        *,
        poller: Poller | None = None,
        request: object = None,
        deadline: float | None = None,
    ) -> None:
        self.task_id = task_id
        self.kind = kind
        self.request = request
        self._poller = poller
        self._stage = Stage.PENDING
        self._status = ""
        self._record: R | None = None
        self._error: BaseException | None = None
        self._waiters: dict[Stage, asyncio.Future[R]] = {}
        self._listeners: list[asyncio.Queue[JobEvent[R]]] = []
        self._unknown_logged: set[str] = set()
        self._done_callbacks: list[Callable[[Job[R]], object]] = []
        self._tracking = poller is not None
        #: Loop time after which waiting ends with ``JobTimeoutError``.
        self.deadline = deadline
        self.created = asyncio.get_running_loop().time()
        self._polls = 0
        #: Loop time each stage was first known to be reached (for latency
        #: measurements); a stage skipped by one observation gets that observation's time.
        self.observed_at: dict[Stage, float] = {}

    def __repr__(self) -> str:
        return f"<Job {self.kind.name} {self.task_id} {self._stage.name} status={self._status!r}>"

    # ------------------------------------------------------------------ state

    @property
    def stage(self) -> Stage:
        """The furthest stage observed (``FAILED`` after a failure)."""
        return self._stage

    @property
    def status(self) -> str:
        """The raw status string last seen (``""`` before the first observation)."""
        return self._status

    @property
    def record(self) -> R | None:
        """The latest record seen, if any."""
        return self._record

    @property
    def result(self) -> R:
        """The final record; raises the job's error, or ``RuntimeError`` if not done."""
        if self._error is not None:
            raise self._error
        if self._stage is not Stage.SUCCESS or self._record is None:
            raise RuntimeError(f"job {self.task_id} is not finished ({self._stage.name})")
        return self._record

    @property
    def error(self) -> BaseException | None:
        """The error that ended waiting (failure, timeout, detach, close), if any."""
        return self._error

    @property
    def polls(self) -> int:
        """Successful polls that fed this job (read-only; the poller keeps its schedule)."""
        return self._polls

    def done(self) -> bool:
        """True once the job succeeded or failed (not after a mere wait timeout)."""
        return self._stage.terminal

    @property
    def tracking(self) -> bool:
        """Whether the client is still polling this task."""
        return self._tracking and not self.done()

    # ------------------------------------------------------------------ ingest

    def ingest(self, record: Record, *, source: Source = "poll") -> bool:
        """Apply a record from a poll or a callback; returns whether the stage moved.

        Idempotent: earlier or equal stages, duplicates and anything after a terminal
        state are ignored (a fresher poll at the same stage only refreshes ``record``).
        """
        if source == "poll":
            self._polls += 1
        if record is self._record and record.status is self._status:
            # The very record already applied (an unchanged reply gives the same frozen
            # object): it means the stage it meant then; nothing to change.
            return False
        if self.done() or self._error is not None:
            return False  # settled, or no longer tracked (re-attach with client.track)
        classified = self.kind.classify(record)
        stage = classified.stage
        if stage is None:
            status = record.status
            if status not in self._unknown_logged:
                self._unknown_logged.add(status)
                log.warning(
                    "task %s: unknown status %r for %s jobs; still tracking",
                    self.task_id, status, self.kind.name,
                )
            self._status = status
            return False
        if stage is Stage.FAILED:
            failure = classified.failure or JobFailedError
            self._record = cast(R, record)
            self._status = record.status
            self._finish(
                failure(
                    self.task_id,
                    record.status,
                    error_code=record.error_code,
                    error_message=record.error_message,
                    record=record,
                )
            )
            return True
        if stage < self._stage or (stage is self._stage and self._record is not None):
            if stage is self._stage and source in ("poll", "store"):
                self._record = cast(R, record)
                self._status = record.status
            return False
        previous = self._stage
        moved = stage > previous
        typed = cast(R, record)
        self._stage = stage
        self._status = record.status
        self._record = typed
        now = asyncio.get_running_loop().time()
        reached = [s for s in _reachable(self.kind) if previous < s <= stage] if moved else []
        if moved and (not reached or reached[-1] is not stage):
            reached.append(stage)  # a stage outside the kind's table still gets its event
        for passed in reached or [stage]:
            self.observed_at.setdefault(passed, now)
        for waited in [s for s in self._waiters if s <= stage]:
            future = self._waiters.pop(waited)
            if not future.done():
                future.set_result(typed)
        for passed in reached:
            self._emit(JobEvent(self.task_id, passed, record.status, typed))
        if stage is Stage.SUCCESS:
            self._stop_tracking()
            self._settled()
        return moved

    def _finish(self, error: BaseException, *, failed: bool = True) -> None:
        """End every pending wait with ``error``; ``failed`` marks a terminal failure."""
        if failed:
            self._stage = Stage.FAILED
            self.observed_at.setdefault(Stage.FAILED, asyncio.get_running_loop().time())
        self._error = error
        waiters, self._waiters = self._waiters, {}
        for future in waiters.values():
            if not future.done():
                future.set_exception(error)
        stage = Stage.FAILED if failed else self._stage
        self._emit(JobEvent(self.task_id, stage, self._status, self._record, error))
        self._stop_tracking()
        self._settled()

    def add_done_callback(self, fn: Callable[[Job[R]], object]) -> None:
        """Call ``fn(job)`` once the job settles: it succeeded, failed, or stopped being
        tracked (timed out, detached, client closed). Called at once if it already has."""
        if self.done() or self._error is not None:
            fn(self)
        else:
            self._done_callbacks.append(fn)

    def _settled(self) -> None:
        callbacks, self._done_callbacks = self._done_callbacks, []
        for fn in callbacks:
            try:
                fn(self)
            except Exception:
                log.exception("done callback of task %s failed", self.task_id)

    def _stop_tracking(self) -> None:
        self._tracking = False
        if self._poller is not None:
            self._poller.forget(self)

    # Called by the poller and the client.
    def expire(self, waited: float) -> None:
        """``max_wait`` passed: waiting ends with ``JobTimeoutError``; polling stops."""
        if not self.done():
            self._finish(JobTimeoutError(self.task_id, waited), failed=False)

    def lose_tracking(self, error: BaseException) -> None:
        """Polling gave up (``JobTrackingError``): waits end with ``error``, the job is
        not marked failed and ``client.track`` can attach again."""
        self._stop_tracking()
        if not self.done():
            self._finish(error, failed=False)

    def close(self, error: SunoError | None = None) -> None:
        """The client is closing: pending waits end with ``ClientClosedError``."""
        if not self.done() and (self._waiters or self._listeners or self._tracking):
            self._finish(error or ClientClosedError("the client was closed"), failed=False)

    def detach(self) -> None:
        """Stop tracking this task locally.

        The remote task still runs and still costs credits; pending waits end with
        :class:`~suno_async.errors.JobDetachedError`. ``client.track(task_id)``
        attaches again.
        """
        if not self.done():
            self._finish(JobDetachedError(f"job {self.task_id} was detached"), failed=False)

    # ------------------------------------------------------------------ waiting

    async def wait(
        self, until: Stage = Stage.SUCCESS, *, timeout: float | None = None
    ) -> R:
        """Wait until the job is at or past ``until``; return the record seen then.

        ``timeout`` (seconds) bounds this wait only: it raises
        :class:`~suno_async.errors.JobTimeoutError` and leaves the job running.
        Without it the wait is bounded by the poll policy's ``max_wait``.
        A failure raises the job's error whatever ``until`` is. Cancelling a wait
        cancels only that wait.
        """
        until = _stage_arg(until)
        timeout = _timeout_arg(timeout)
        if self._stage is Stage.FAILED:
            assert self._error is not None
            raise self._error
        if self._stage >= until and self._record is not None:
            return self._record
        if self._error is not None:  # expired, detached or closed
            raise self._error
        loop = asyncio.get_running_loop()
        future = self._waiters.get(until)
        if future is None:
            future = loop.create_future()
            future.add_done_callback(_consume)
            self._waiters[until] = future
        limit = timeout
        if self.deadline is not None:
            remaining = max(0.0, self.deadline - loop.time())
            limit = remaining if limit is None else min(limit, remaining)
        try:
            return await asyncio.wait_for(asyncio.shield(future), limit)
        except TimeoutError:
            if future.done() and not future.cancelled():
                return future.result()  # resolved in the same instant; an error raises
            if self.deadline is not None and loop.time() >= self.deadline:
                self.expire(loop.time() - self.created)  # the deadline ends the job's tracking
            raise JobTimeoutError(self.task_id, loop.time() - self.created, until) from None

    def __await__(self) -> Generator[Any, None, R]:
        return self.wait(Stage.SUCCESS).__await__()

    async def events(self) -> AsyncIterator[JobEvent[R]]:
        """Yield the current state, then every stage reached, in order; ends after the
        terminal event.

        A poll that jumps from PENDING to SUCCESS yields TEXT_SUCCESS, FIRST_SUCCESS and
        SUCCESS (each with the record observed), so a consumer waiting for one stage
        never misses it. Safe to ``break`` out of early. Bounded like :meth:`wait`.
        """
        queue: asyncio.Queue[JobEvent[R]] = asyncio.Queue()
        self._listeners.append(queue)
        try:
            current = JobEvent(self.task_id, self._stage, self._status, self._record, self._error)
            yield current
            if current.terminal:
                return
            while True:
                event = await queue.get()
                yield event
                if event.terminal:
                    return
        finally:
            if queue in self._listeners:
                self._listeners.remove(queue)

    def _emit(self, event: JobEvent[R]) -> None:
        for queue in self._listeners:
            queue.put_nowait(event)


_REACHABLE: dict[str, tuple[Stage, ...]] = {}


def _reachable(kind: JobKind) -> tuple[Stage, ...]:
    """The stages a job of ``kind`` passes through after PENDING, in order."""
    stages = _REACHABLE.get(kind.name)
    if stages is None:
        known = set(kind.stages.values()) | {Stage.SUCCESS}
        if kind.staged:
            known.add(Stage.FIRST_SUCCESS)
        stages = tuple(sorted(s for s in known if s not in (Stage.PENDING, Stage.FAILED)))
        _REACHABLE[kind.name] = stages
    return stages


def _stage_arg(until: object) -> Stage:
    """``until`` as a waitable :class:`Stage` (a stage name is accepted)."""
    if isinstance(until, str) and not isinstance(until, Stage):
        try:
            until = Stage[until.upper()]
        except KeyError:
            raise ValueError(f"wait(until=...) got an unknown stage name {until!r}") from None
    if not isinstance(until, Stage):
        raise TypeError(f"wait(until=...) takes a Stage, got {type(until).__name__}")
    if until is Stage.FAILED:
        raise ValueError("wait() takes PENDING, TEXT_SUCCESS, FIRST_SUCCESS or SUCCESS")
    return until


def _timeout_arg(timeout: object) -> float | None:
    """``timeout`` as finite, non-negative seconds (``None``: the policy's max_wait)."""
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError(f"wait(timeout=...) takes seconds as a number, got {timeout!r}")
    if not math.isfinite(timeout) or timeout < 0:
        raise ValueError(f"wait(timeout=...) must be finite and >= 0, got {timeout!r}")
    return float(timeout)


def _consume(future: asyncio.Future[Any]) -> None:
    """Mark a waiter's exception as retrieved (waiters may all have timed out)."""
    if not future.cancelled():
        future.exception()

