"""Batches: bounded concurrent submission, completion order, and a gather that never cancels.

>>> import asyncio
>>> import suno_async
>>> from suno_async import SunoClient, GenerateRequest, PollPolicy
>>> from suno_async.sandbox import Sandbox
>>> async def main():
...     async with Sandbox(time_scale=0.002, seed=4) as sb, SunoClient(
...             api_key=sb.api_key, base_url=sb.url,
...             poll=PollPolicy(initial=0.02, maximum=0.1, early_maximum=0.05,
...                             min_interval=0)) as client:
...         requests = [GenerateRequest(prompt=f"song {i}") for i in range(4)]
...         items = await client.generate_many(requests, concurrency=2)
...         done = [job async for job in suno_async.as_completed(items, timeout=60)]
...         return sorted(j.task_id for j in done) == sorted(i.job.task_id for i in items)
>>> asyncio.run(main())
True
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

import attrs

from .config import DEFAULT_BATCH_CONCURRENCY
from .errors import JournalError, SunoError
from .jobs.job import Job
from .models.records import Record
from .models.requests import GenerateRequest, Request

if TYPE_CHECKING:
    from ._submitter import Submitter

__all__ = ["BatchItem", "as_completed", "gather", "submit_many"]

R = TypeVar("R", bound=Record)


@attrs.frozen
class BatchItem:
    """The outcome of submitting one request of a batch.

    ``job`` is set when the task was created (or found in the journal: ``resumed``);
    ``error`` when submission failed (validation, credits...). Other items go on. A
    :class:`~suno_async.errors.JournalError` with a ``task_id`` means the task was
    created and is tracked, but could not be journaled.
    """

    index: int
    request: Request = attrs.field(repr=False)
    # Any until BatchItem is generic in the record type (needs the CLI's annotations to
    # name it: BatchItem[Record]); then generate_many can say BatchItem[MusicRecord].
    job: Job[Any] | None = None
    error: BaseException | None = None
    resumed: bool = False

    @property
    def ok(self) -> bool:
        return self.job is not None


def batch_requests(requests: Iterable[Request | Mapping[str, Any]]) -> list[Request]:
    """Every item as a task-creating request, checked before anything is sent.

    A mapping is taken as :class:`~suno_async.GenerateRequest` fields (as the CLI's
    JSONL is). Anything else, or a request that creates no task (uploads, style
    boost, timestamped lyrics, download URLs), is a ``TypeError`` naming its index.

    >>> batch_requests([{"prompt": "a"}])[0].prompt
    'a'
    >>> batch_requests(["a song"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    TypeError: item 0 of the batch must be a task-creating request or a mapping ..., got str
    """
    items: list[Request] = []
    for index, item in enumerate(requests):
        if isinstance(item, Mapping):
            fields = dict(item)
            if not all(isinstance(k, str) for k in fields):
                raise TypeError(f"item {index} of the batch has non-str field names")
            try:
                item = GenerateRequest(**fields)
            except TypeError as exc:
                raise TypeError(f"item {index} of the batch: {exc}") from None
        if not isinstance(item, Request):
            raise TypeError(
                f"item {index} of the batch must be a task-creating request or a mapping"
                f" of generate fields, got {type(item).__name__}"
            )
        if not item.needs_callback or item.kind is None:
            raise TypeError(
                f"item {index} of the batch ({type(item).__name__}) creates no task;"
                " call its endpoint method directly"
            )
        items.append(item)
    return items


def _concurrency(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"concurrency must be an int, got {value!r}")
    if value < 1:
        raise ValueError(f"concurrency must be >= 1, got {value!r}")
    return value


async def submit_many(
    submitter: Submitter,
    requests: Iterable[Request | Mapping[str, Any]],
    *,
    concurrency: int = DEFAULT_BATCH_CONCURRENCY,
    on_item: Callable[[BatchItem], object] | None = None,
) -> list[BatchItem]:
    """Submit ``requests`` with at most ``concurrency`` unfinished jobs at a time.

    Returns one :class:`BatchItem` per request, in input order, once every request
    has been submitted (up to ``concurrency`` jobs may still be running). A failed
    submission is recorded on its item and does not stop the batch. With a journal,
    requests already submitted in an earlier run are re-attached instead of re-sent.
    Items wait for their own turn at the rate limiter (never a client-side
    ``RateLimitError``).
    """
    limit = _concurrency(concurrency)
    items = batch_requests(requests)
    results: list[BatchItem | None] = [None] * len(items)
    slots = asyncio.Semaphore(limit)
    keys: list[str | None] = [None] * len(items)
    if submitter.store is not None:  # dedupe keys: identical requests told apart by order
        seen: dict[str, int] = {}
        for index, request in enumerate(items):
            body_key = submitter.journal_key(request, 0)
            occurrence = seen.get(body_key, 0)
            seen[body_key] = occurrence + 1
            keys[index] = body_key if occurrence == 0 else submitter.journal_key(
                request, occurrence
            )

    async def run_one(index: int, request: Request) -> None:
        await slots.acquire()
        running: Job[Any] | None = None
        try:
            job, resumed = await submitter.submit_or_resume(request, keys[index], queued=True)
        except SunoError as exc:
            item = BatchItem(index, request, error=exc)
            if isinstance(exc, JournalError) and exc.task_id is not None:
                running = submitter.registry.get(exc.task_id)  # created, still tracked
        else:
            item = BatchItem(index, request, job=job, resumed=resumed)
            running = job
        finally:
            if running is None or running.done():
                slots.release()
            else:
                running.add_done_callback(lambda _job: slots.release())
        results[index] = item
        if on_item is not None:
            on_item(item)

    tasks = [asyncio.ensure_future(run_one(i, r)) for i, r in enumerate(items)]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        with contextlib.suppress(BaseException):
            await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return [item for item in results if item is not None]


def _jobs(items: Iterable[Job[Any] | BatchItem]) -> list[Job[Any]]:
    jobs: list[Job[Any]] = []
    for item in items:
        if isinstance(item, BatchItem):
            if item.job is not None:
                jobs.append(item.job)
        else:
            jobs.append(item)
    return jobs


async def _settle(job: Job[Any]) -> Job[Any]:
    with contextlib.suppress(Exception):
        await job.wait()
    return job


@overload
def as_completed(
    items: Iterable[Job[R]], *, timeout: float | None = None
) -> AsyncIterator[Job[R]]: ...
@overload
def as_completed(
    items: Iterable[Job[Any] | BatchItem], *, timeout: float | None = None
) -> AsyncIterator[Job[Any]]: ...


async def as_completed(
    items: Iterable[Job[Any] | BatchItem], *, timeout: float | None = None
) -> AsyncIterator[Job[Any]]:
    """Yield jobs as they finish (succeeded, failed or timed out), fastest first.

    Accepts jobs or :class:`BatchItem` s (items whose submission failed are skipped).
    ``await`` a yielded job for its result or error. ``timeout`` bounds the whole
    iteration (``TimeoutError``); jobs keep running either way.
    """
    pending = {asyncio.ensure_future(_settle(job)) for job in _jobs(items)}
    loop = asyncio.get_running_loop()
    deadline = None if timeout is None else loop.time() + timeout
    try:
        while pending:
            remaining = None if deadline is None else max(0.0, deadline - loop.time())
            done, pending = await asyncio.wait(
                pending, timeout=remaining, return_when=asyncio.FIRST_COMPLETED
            )
            if not done:
                raise TimeoutError(f"{len(pending)} jobs still running after {timeout}s")
            for finished in done:
                yield finished.result()
    finally:
        for waiter in pending:
            waiter.cancel()  # cancels the wait only, never the job
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)


@overload
async def gather(*jobs: Job[R], return_exceptions: Literal[False] = ...) -> list[R]: ...
@overload
async def gather(*jobs: Job[R], return_exceptions: bool) -> list[R | BaseException]: ...


async def gather(*jobs: Job[R], return_exceptions: bool = False) -> list[Any]:
    """Await every job; results in input order.

    Unlike ``asyncio.gather``, a failure never cancels the others (their work is paid
    for): every job is awaited, then the first error in input order is raised, or
    with ``return_exceptions=True`` errors are returned in place.
    """
    settled: Sequence[R | BaseException] = await asyncio.gather(
        *(job.wait() for job in jobs), return_exceptions=True
    )
    if not return_exceptions:
        for outcome in settled:
            if isinstance(outcome, BaseException):
                raise outcome
    return list(settled)

