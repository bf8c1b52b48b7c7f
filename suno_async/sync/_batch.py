"""Blocking batches: the twin of ``BatchItem`` and a blocking ``as_completed``."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Generic

import attrs

from ..batch import BatchItem, item_failure, item_record, item_settled
from ..batch import as_completed as async_as_completed
from ..models.records import Record
from ..models.requests import Request
from ._job import WAIT_GRACE, SyncJob, relay
from ._loop import LoopThread

if TYPE_CHECKING:
    from typing_extensions import TypeVar

    RI = TypeVar("RI", bound=Record, default=Any)  # bare SyncBatchItem: as before
else:
    from typing import TypeVar

    RI = TypeVar("RI", bound=Record)

R = TypeVar("R", bound=Record)

__all__ = ["SyncBatchItem", "as_completed"]


@attrs.frozen
class SyncBatchItem(Generic[RI]):
    """The outcome of one request of a blocking batch (twin of ``BatchItem``).

    ``job`` is a :class:`SyncJob` when the task was created (or found in the journal:
    ``resumed``); ``error`` when submission failed. Generic in the record type, as
    ``BatchItem`` is: ``settled``, ``failure`` and ``record`` read as there.

    >>> from suno_async import GenerateRequest
    >>> item = SyncBatchItem(3, GenerateRequest(prompt="a"), error=ValueError("x"))
    >>> (item.ok, item.settled, item.failure, item.record)
    (False, True, ValueError('x'), None)
    """

    index: int
    request: Request = attrs.field(repr=False)
    job: SyncJob[RI] | None = None
    error: BaseException | None = None
    resumed: bool = False

    @property
    def ok(self) -> bool:
        """True when the task exists (submitted or re-attached)."""
        return self.job is not None

    @property
    def settled(self) -> bool:
        """True once submission failed, or the job succeeded, failed or stopped being
        tracked."""
        return item_settled(self.job)

    @property
    def failure(self) -> BaseException | None:
        """Why this item gave no record: the submission error or the job's error."""
        return item_failure(self.job, self.error)

    @property
    def record(self) -> RI | None:
        """The final record once the job succeeded, else ``None``."""
        return item_record(self.job)

    @classmethod
    def wrap(
        cls, item: BatchItem[R], runner: LoopThread, max_wait: float
    ) -> SyncBatchItem[R]:
        """The blocking twin of an async batch item."""
        job = None if item.job is None else SyncJob(item.job, runner, max_wait)
        return SyncBatchItem(item.index, item.request, job, item.error, item.resumed)


def as_completed(
    items: Iterable[SyncJob[R] | SyncBatchItem[R]], *, timeout: float | None = None
) -> Iterator[SyncJob[R]]:
    """Yield jobs as they finish (succeeded, failed or timed out), fastest first.

    The blocking :func:`suno_async.as_completed`: takes :class:`SyncJob` s or
    :class:`SyncBatchItem` s of one client (items whose submission failed are skipped);
    call ``job.result()`` on each for its record or error. ``timeout`` bounds the whole
    iteration (``TimeoutError``; ``None``: the longest ``max_wait`` of the jobs' client).

    >>> from suno_async import GenerateRequest, PollPolicy
    >>> from suno_async.sync import Sandbox, SunoClient, as_completed
    >>> fast = PollPolicy(initial=0.02, maximum=0.1, early_maximum=0.05, min_interval=0)
    >>> with Sandbox(time_scale=0.002, seed=4, poll_limit=None) as sb, SunoClient(
    ...         api_key=sb.api_key, base_url=sb.url, poll=fast) as client:
    ...     items = client.generate_many([GenerateRequest(prompt=f"song {i}") for i in range(3)])
    ...     [len(job.result().tracks) for job in as_completed(items, timeout=60)]
    [2, 2, 2]
    """
    jobs = [item.job if isinstance(item, SyncBatchItem) else item for item in items]
    handles = [job for job in jobs if job is not None]
    if not handles:
        return
    runners = {job.runner for job in handles}
    if len(runners) != 1:
        raise ValueError("as_completed() takes jobs of one sync client")
    (runner,) = runners
    limit = timeout if timeout is not None else max(job.max_wait for job in handles)
    by_id = {id(job.aio): job for job in handles}
    started = time.monotonic()

    def expired() -> BaseException:
        return TimeoutError(f"jobs still running after {time.monotonic() - started:.1f}s")

    stream = async_as_completed([job.aio for job in handles], timeout=limit)
    for done in relay(runner, stream, started + limit + WAIT_GRACE, expired):
        yield by_id[id(done)]
