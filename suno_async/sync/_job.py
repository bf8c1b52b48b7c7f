"""Blocking handles on the async client's jobs, and blocking iteration.

A :class:`SyncJob` wraps one :class:`~suno_async.Job` living on the sync client's loop
thread; every wait is the async job's own wait, run there and bounded here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Final, Generic, TypeVar, cast

from ..errors import JobTimeoutError
from ..jobs.job import Job, JobEvent
from ..models.enums import Stage
from ..models.records import Record
from ._loop import LoopThread

__all__ = ["WAIT_GRACE", "SyncJob", "relay"]

R = TypeVar("R", bound=Record)
T = TypeVar("T")

#: Extra seconds a blocking wait allows beyond the async wait's own bound, so that the
#: async error (``JobTimeoutError`` with its details) is what the caller sees.
WAIT_GRACE: Final = 5.0

_END = object()


class SyncJob(Generic[R]):
    """A blocking handle on one remote task (the twin of :class:`~suno_async.Job`).

    ``result(timeout=)`` blocks until the final record (or raises the job's error,
    the same exception classes as ``await job``); ``wait(stage, timeout=)`` until a
    stage; ``events(timeout=)`` is a blocking iterator of every stage change.
    ``timeout=None`` means the client's poll policy ``max_wait`` (default 15 min,
    ``config.DEFAULT_POLL_MAX_WAIT``): no wait is unbounded. A timeout of a wait is
    not a failure of the job, which keeps running.

    >>> from suno_async import PollPolicy, Stage
    >>> from suno_async.sync import Sandbox, SunoClient
    >>> fast = PollPolicy(initial=0.02, maximum=0.1, early_maximum=0.05, min_interval=0)
    >>> with Sandbox(time_scale=0.002, seed=2, poll_limit=None) as sb, SunoClient(
    ...         api_key=sb.api_key, base_url=sb.url, poll=fast) as client:
    ...     job = client.generate(prompt="lofi piano", instrumental=True)
    ...     first = job.wait(Stage.FIRST_SUCCESS, timeout=30)
    ...     stages = [event.stage.name for event in job.events(timeout=30)]
    ...     (bool(first.tracks[0].stream_audio_url), stages[-1], job.done())
    (True, 'SUCCESS', True)
    """

    __slots__ = ("_job", "_max_wait", "_runner")

    def __init__(self, job: Job[R], runner: LoopThread, max_wait: float) -> None:
        self._job = job
        self._runner = runner
        self._max_wait = max_wait

    def __repr__(self) -> str:
        return f"<SyncJob {self._job.kind.name} {self.task_id} {self.stage.name}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SyncJob) and other._job is self._job

    def __hash__(self) -> int:
        return hash(id(self._job))

    # ------------------------------------------------------------------ state (snapshots)

    @property
    def task_id(self) -> str:
        return self._job.task_id

    @property
    def kind(self) -> str:
        """The job family's name (``"music"``, ``"lyrics"``, ``"wav"``...)."""
        return self._job.kind.name

    @property
    def request(self) -> object:
        """The request object that created the task (``None`` for a re-attached task)."""
        return self._job.request

    @property
    def stage(self) -> Stage:
        """The furthest stage observed so far (``FAILED`` after a failure)."""
        return self._job.stage

    @property
    def status(self) -> str:
        """The raw status string last seen."""
        return self._job.status

    @property
    def record(self) -> R | None:
        """The latest record seen, if any."""
        return self._job.record

    @property
    def error(self) -> BaseException | None:
        """The job's error once it failed, timed out, was detached or its client closed."""
        return self._job.error

    def done(self) -> bool:
        """True once the job succeeded or failed (not after a mere wait timeout)."""
        return self._job.done()

    # ------------------------------------------------------------------ blocking

    def result(self, timeout: float | None = None) -> R:
        """Block until the final record and return it, or raise the job's error."""
        return self.wait(Stage.SUCCESS, timeout=timeout)

    def wait(self, until: Stage = Stage.SUCCESS, *, timeout: float | None = None) -> R:
        """Block until the job is at or past ``until``; return the record seen then.

        Raises :class:`~suno_async.errors.JobTimeoutError` after ``timeout`` seconds
        (``None``: the poll policy's ``max_wait``), and the job's own error on failure.
        A finished job answers at once, even after its client was closed.
        """
        if self._job.done() and until is not Stage.FAILED:
            return self._job.result  # the async job's outcome, no loop needed
        job = self._job
        bound = (timeout if timeout is not None else self._max_wait) + WAIT_GRACE
        started = time.monotonic()
        return self._runner.run(
            lambda: job.wait(until, timeout=timeout),
            timeout=bound,
            on_timeout=lambda: JobTimeoutError(job.task_id, time.monotonic() - started, until),
        )

    def events(self, *, timeout: float | None = None) -> Iterator[JobEvent[R]]:
        """Yield the current state, then every stage change, until the terminal event.

        A blocking iterator over the async job's ``events()``: every stage reached, in
        order. The whole iteration is bounded by ``timeout`` (``None``: the poll
        policy's ``max_wait``); past it, :class:`~suno_async.errors.JobTimeoutError` is
        raised. Safe to ``break`` out of early.
        """
        job = self._job
        started = time.monotonic()
        deadline = started + (timeout if timeout is not None else self._max_wait)

        def expired() -> BaseException:
            return JobTimeoutError(job.task_id, time.monotonic() - started)

        yield from relay(self._runner, job.events(), deadline, expired)

    def detach(self) -> None:
        """Stop tracking this task locally (the remote task still runs and costs credits)."""
        job = self._job

        async def detach() -> None:
            job.detach()

        self._runner.run(detach, timeout=WAIT_GRACE, on_timeout=lambda: TimeoutError("detach"))

    @property
    def runner(self) -> LoopThread:
        """The loop thread of the client this job belongs to."""
        return self._runner

    @property
    def max_wait(self) -> float:
        """What ``timeout=None`` means for this job's waits (the poll policy's ``max_wait``)."""
        return self._max_wait

    @property
    def aio(self) -> Job[R]:
        """The underlying async :class:`~suno_async.Job`; touch it only on the client's
        loop thread (its ``await`` and methods are not thread-safe)."""
        return self._job


def relay(
    runner: LoopThread,
    stream: AsyncIterator[T],
    deadline: float,
    expired: Callable[[], BaseException],
) -> Iterator[T]:
    """A blocking iterator over an async iterator that lives on ``runner``'s loop.

    Each step runs on the loop and is bounded by ``deadline`` (``time.monotonic()``):
    past it, the step is cancelled and ``expired()`` is raised. Leaving the loop early
    closes the async iterator on its loop.
    """

    async def step() -> object:
        try:
            async with asyncio.timeout(max(0.0, deadline - time.monotonic())):
                return await anext(stream)
        except StopAsyncIteration:
            return _END
        except TimeoutError:
            raise expired() from None

    async def close() -> None:
        aclose = getattr(stream, "aclose", None)  # an async generator: end it now
        if aclose is not None:
            await aclose()

    try:
        while True:
            remaining = max(0.0, deadline - time.monotonic())
            item = runner.run(step, timeout=remaining + WAIT_GRACE, on_timeout=expired)
            if item is _END:
                return
            yield cast(T, item)
    finally:
        if not runner.closed and not runner.in_loop_thread():
            runner.run(close, timeout=WAIT_GRACE, on_timeout=expired)
