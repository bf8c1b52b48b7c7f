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
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from .config import DEFAULT_BATCH_CONCURRENCY
from .errors import SunoError
from .jobs.job import Job
from .models.requests import Request

if TYPE_CHECKING:
    from .client import SunoClient

__all__ = ["BatchItem", "as_completed", "gather", "submit_many"]


@attrs.frozen
class BatchItem:
    """The outcome of submitting one request of a batch.

    ``job`` is set when the task was created (or found in the journal: ``resumed``);
    ``error`` when submission failed (validation, credits...). Other items go on.
    """

    index: int
    request: Request = attrs.field(repr=False)
    job: Job[Any] | None = None
    error: BaseException | None = None
    resumed: bool = False

    @property
    def ok(self) -> bool:
        return self.job is not None


async def submit_many(
    client: SunoClient,
    requests: Iterable[Request],
    *,
    concurrency: int = DEFAULT_BATCH_CONCURRENCY,
    on_item: Callable[[BatchItem], object] | None = None,
) -> list[BatchItem]:
    """Submit ``requests`` with at most ``concurrency`` unfinished jobs at a time.

    Returns one :class:`BatchItem` per request, in input order, once every request
    has been submitted (up to ``concurrency`` jobs may still be running). A failed
    submission is recorded on its item and does not stop the batch. With a journal,
    requests already submitted in an earlier run are re-attached instead of re-sent.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be >= 1")
    items = list(requests)
    results: list[BatchItem | None] = [None] * len(items)
    slots = asyncio.Semaphore(concurrency)
    keys: list[str | None] = [None] * len(items)
    if client.journal is not None:  # dedupe keys: identical requests told apart by order
        seen: dict[str, int] = {}
        for index, request in enumerate(items):
            body_key = client._journal_key(request, 0)
            occurrence = seen.get(body_key, 0)
            seen[body_key] = occurrence + 1
            keys[index] = body_key if occurrence == 0 else client._journal_key(request, occurrence)

    async def run_one(index: int, request: Request) -> None:
        await slots.acquire()
        release = True
        try:
            job, resumed = await client._submit_or_resume(request, keys[index])
        except SunoError as exc:
            item = BatchItem(index, request, error=exc)
        else:
            item = BatchItem(index, request, job=job, resumed=resumed)
            if not job.done():
                release = False
                job.add_done_callback(lambda _job: slots.release())
        finally:
            if release:
                slots.release()
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


async def gather(*jobs: Job[Any], return_exceptions: bool = False) -> list[Any]:
    """Await every job; results in input order.

    Unlike ``asyncio.gather``, a failure never cancels the others (their work is paid
    for): every job is awaited, then the first error in input order is raised, or
    with ``return_exceptions=True`` errors are returned in place.
    """
    settled: Sequence[Any] = await asyncio.gather(
        *(job.wait() for job in jobs), return_exceptions=True
    )
    if not return_exceptions:
        for outcome in settled:
            if isinstance(outcome, BaseException):
                raise outcome
    return list(settled)

