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
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, get_args, overload

import attrs

from ._submitter import Submitter
from .config import DEFAULT_BATCH_CONCURRENCY
from .errors import JournalError, SunoError
from .jobs.job import Job
from .models.records import Record
from .models.requests import (
    AddInstrumentalRequest,
    AddVocalsRequest,
    ExtendRequest,
    GenerateRequest,
    MashupRequest,
    ReplaceSectionRequest,
    Request,
    SoundsRequest,
    UploadCoverRequest,
    UploadExtendRequest,
)
from .store._claims import JournalEntry

if TYPE_CHECKING:
    # A default (PEP 696) for the bare name: ``BatchItem`` written without a type
    # argument (0.1.0 annotations, the CLI) stays ``BatchItem[Any]`` as before, so no
    # existing annotation breaks; every signature of this package names its type.
    # Type checkers ship typing_extensions' stubs; at run time a plain TypeVar serves.
    from typing_extensions import TypeVar

    from .store.base import Store

    RI = TypeVar("RI", bound=Record, default=Any)
else:
    from typing import TypeVar

    RI = TypeVar("RI", bound=Record)

__all__ = [
    "BatchItem",
    "BatchLine",
    "BatchProgress",
    "BatchRequest",
    "MusicBatchRequest",
    "as_completed",
    "gather",
    "iter_settled",
    "progress_of",
    "request_keys",
    "submit_many",
]

R = TypeVar("R", bound=Record)
RO = TypeVar("RO", bound=Record, covariant=True)

#: The request classes whose tasks give a :class:`~suno_async.MusicRecord`; a mapping of
#: fields is a :class:`GenerateRequest`. A batch of these is ``BatchItem[MusicRecord]``.
MusicBatchRequest = (
    GenerateRequest | UploadCoverRequest | AddInstrumentalRequest | ExtendRequest
    | UploadExtendRequest | AddVocalsRequest | ReplaceSectionRequest | MashupRequest
    | SoundsRequest | Mapping[str, object]
)
#: Any item a batch takes: a task-creating request, or a mapping of generate fields.
BatchRequest = Request | Mapping[str, object]


@attrs.frozen
class BatchItem(Generic[RI]):
    """The outcome of one request of a batch; generic in the record type.

    ``job`` is set when the task was created (or found in the journal: ``resumed``);
    ``error`` when submission failed (validation, credits...). Other items go on. A
    :class:`~suno_async.errors.JournalError` with a ``task_id`` means the task was
    created and is tracked, but could not be journaled. A batch of music requests
    gives ``BatchItem[MusicRecord]``: ``item.job`` is a ``Job[MusicRecord]``.

    >>> from suno_async.models.records import MusicRecord
    >>> item = BatchItem[MusicRecord](0, GenerateRequest(prompt="a"), error=ValueError("x"))
    >>> (item.ok, item.settled, item.failure, item.record)
    (False, True, ValueError('x'), None)
    """

    index: int
    request: Request = attrs.field(repr=False)
    job: Job[RI] | None = None
    error: BaseException | None = None
    resumed: bool = False

    @property
    def ok(self) -> bool:
        """True when the task exists (submitted or re-attached); says nothing of its end."""
        return self.job is not None

    @property
    def settled(self) -> bool:
        """True once nothing more will happen here: submission failed, or the job
        succeeded, failed or stopped being tracked (timed out, detached, client closed)."""
        return item_settled(self.job)

    @property
    def failure(self) -> BaseException | None:
        """Why this item gave no record: the submission error or the job's error."""
        return item_failure(self.job, self.error)

    @property
    def record(self) -> RI | None:
        """The final record once the job succeeded, else ``None``."""
        return item_record(self.job)


class Outcome(Protocol[RO]):
    """What a batch item reads of its job (a ``Job`` or the sync twin's ``SyncJob``)."""

    @property
    def error(self) -> BaseException | None: ...

    @property
    def record(self) -> RO | None: ...

    def done(self) -> bool: ...


def item_settled(job: Outcome[Any] | None) -> bool:
    """A batch item's ``settled``: no job, or a job that ended here (either twin)."""
    return job is None or job.done() or job.error is not None


def item_failure(job: Outcome[Any] | None, error: BaseException | None) -> BaseException | None:
    """A batch item's ``failure``: the submission error, else the job's error."""
    if error is not None:
        return error
    return None if job is None else job.error


def item_record(job: Outcome[RO] | None) -> RO | None:
    """A batch item's ``record``: the final record once the job succeeded."""
    if job is None or job.error is not None or not job.done():
        return None
    return job.record


def batch_requests(requests: Iterable[BatchRequest]) -> list[Request]:
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
            fields: dict[str, Any] = dict(item)  # checked by GenerateRequest
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


def request_keys(requests: Sequence[Request]) -> list[str]:
    """The claim key of each request of a batch, in order.

    Identical requests are told apart by their occurrence (the second copy of a line is
    a second song, paid once more), so every process reading the same batch computes
    the same keys: that is how workers on several machines share one batch.
    """
    seen: dict[str, int] = {}
    keys: list[str] = []
    for request in requests:
        first = Submitter.journal_key(request)
        occurrence = seen.get(first, 0)
        seen[first] = occurrence + 1
        keys.append(first if occurrence == 0 else Submitter.journal_key(request, occurrence))
    return keys


async def submit_many(
    submitter: Submitter,
    requests: Iterable[BatchRequest],
    *,
    concurrency: int = DEFAULT_BATCH_CONCURRENCY,
    on_item: Callable[[BatchItem[R]], object] | None = None,
) -> list[BatchItem[R]]:
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
    results: list[BatchItem[R] | None] = [None] * len(items)
    slots = asyncio.Semaphore(limit)
    keys: list[str | None] = (
        list(request_keys(items)) if submitter.store is not None else [None] * len(items)
    )

    async def run_one(index: int, request: Request) -> None:
        await slots.acquire()
        running: Job[Any] | None = None
        item: BatchItem[R]
        try:
            job, resumed = await submitter.submit_or_resume(request, keys[index], queued=True)
        except SunoError as exc:
            item = BatchItem(index, request, error=exc)
            if isinstance(exc, JournalError) and exc.task_id is not None:
                running = submitter.registry.get(exc.task_id)  # created, still tracked
        else:
            # the record type follows the request class (generate_many's overloads say it)
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


def iter_settled(
    submitter: Submitter,
    requests: Iterable[BatchRequest],
    *,
    concurrency: int = DEFAULT_BATCH_CONCURRENCY,
    on_item: Callable[[BatchItem[R]], object] | None = None,
) -> AsyncGenerator[BatchItem[R], None]:
    """Submit as :func:`submit_many` does and yield each item as it *settles*.

    A failed submission is yielded at once; a job when it succeeded, failed or stopped
    being tracked (``item.settled``). Yielding starts with the first item to settle,
    while later requests still wait for a free slot; each item is yielded once.
    ``on_item`` is still called at each submission. Leaving the loop early (``break``,
    an exception, cancellation) sends nothing more: requests not yet submitted are
    dropped, jobs already created keep running on the client. Items are checked
    here, at the call (``TypeError`` naming the index), not at the first step.
    """
    checked = batch_requests(requests)
    _concurrency(concurrency)
    return _settling(submitter, checked, concurrency, on_item)


async def _settling(
    submitter: Submitter,
    requests: list[Request],
    concurrency: int,
    on_item: Callable[[BatchItem[R]], object] | None,
) -> AsyncGenerator[BatchItem[R], None]:
    settled: asyncio.Queue[BatchItem[R]] = asyncio.Queue()

    def submitted(item: BatchItem[R]) -> None:
        if on_item is not None:
            on_item(item)
        if item.job is None:
            settled.put_nowait(item)
        else:
            item.job.add_done_callback(lambda _job: settled.put_nowait(item))

    submitting = asyncio.ensure_future(
        submit_many(submitter, requests, concurrency=concurrency, on_item=submitted)
    )
    yielded = 0
    try:
        while True:
            if not settled.empty():
                yielded += 1
                yield settled.get_nowait()
            elif submitting.done():
                if yielded >= len(submitting.result()):  # raises what submission raised
                    return
                item = await settled.get()
                yielded += 1
                yield item
            else:  # wait for an item to settle, or for the submission to end
                getter = asyncio.ensure_future(settled.get())
                try:
                    await asyncio.wait({getter, submitting}, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    if not getter.done():
                        getter.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await getter
                if getter.done() and not getter.cancelled():
                    yielded += 1
                    yield getter.result()
    finally:
        if not submitting.done():
            submitting.cancel()  # unsent requests are dropped; created jobs keep running
        with contextlib.suppress(BaseException):
            await submitting


def _jobs(items: Iterable[Job[R] | BatchItem[R]]) -> list[Job[R]]:
    jobs: list[Job[R]] = []
    for item in items:
        if isinstance(item, BatchItem):
            if item.job is not None:
                jobs.append(item.job)
        else:
            jobs.append(item)
    return jobs


async def _settle(job: Job[R]) -> Job[R]:
    with contextlib.suppress(Exception):
        await job.wait()
    return job


async def as_completed(
    items: Iterable[Job[R] | BatchItem[R]], *, timeout: float | None = None
) -> AsyncIterator[Job[R]]:
    """Yield jobs as they finish (succeeded, failed or timed out), fastest first.

    Accepts jobs or :class:`BatchItem` s (items whose submission failed are skipped).
    ``await`` a yielded job for its result or error. ``timeout`` bounds the whole
    iteration (``TimeoutError``); jobs keep running either way. To see every item of
    a batch as it settles, failed submissions included, while the batch is still
    being submitted, use ``client.generate_many_iter`` instead.
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


# ---------------------------------------------------------------------- progress

#: Where one request of a batch stands, as the store shows it to any process:
#: ``waiting`` (nobody has claimed it yet), ``sending`` (a live process is sending it),
#: ``running`` (a task exists, no outcome yet), ``succeeded``, ``failed``, or
#: ``in_doubt`` (sent, reply lost: maybe paid, task id unknown; never resent unasked).
LineState = Literal["waiting", "sending", "running", "succeeded", "failed", "in_doubt"]

_LINE_STATES: tuple[LineState, ...] = get_args(LineState)

_PENDING_WORDS: tuple[tuple[LineState, str], ...] = (
    ("running", "running"), ("sending", "sending"), ("waiting", "waiting"),
    ("in_doubt", "in doubt (maybe paid, task id unknown)"),
)


@attrs.frozen
class BatchLine:
    """One request of a batch in a :class:`BatchProgress` (``index`` in input order).

    ``status`` is the provider's last status recorded (``SUCCESS``,
    ``GENERATE_AUDIO_FAILED``, ...), ``stage`` the furthest stage any process has
    shared for the task (fleet stores; ``None`` when not known).
    """

    index: int
    key: str
    state: LineState
    task_id: str | None = None
    status: str | None = None
    stage: str | None = None


@attrs.frozen
class BatchProgress:
    """A whole batch as every process sharing one store sees it.

    Built by :meth:`suno_async.SunoClient.batch_progress` from the claims in the store,
    so it counts the lines every worker has sent, not only this one's.

    >>> p = BatchProgress((BatchLine(0, "k0", "succeeded"), BatchLine(1, "k1", "running"),
    ...                    BatchLine(2, "k2", "waiting")))
    >>> (p.total, p.done, p.succeeded, p.running, p.waiting, p.finished)
    (3, 1, 1, 1, 1, False)
    >>> str(p)
    '1/3 done (1 ok), 1 running, 1 waiting'
    """

    lines: tuple[BatchLine, ...]

    def count(self, state: LineState) -> int:
        """How many lines are in ``state``."""
        return sum(1 for line in self.lines if line.state == state)

    @property
    def total(self) -> int:
        """Requests in the batch."""
        return len(self.lines)

    @property
    def succeeded(self) -> int:
        return self.count("succeeded")

    @property
    def failed(self) -> int:
        return self.count("failed")

    @property
    def running(self) -> int:
        return self.count("running")

    @property
    def sending(self) -> int:
        return self.count("sending")

    @property
    def waiting(self) -> int:
        return self.count("waiting")

    @property
    def in_doubt(self) -> int:
        return self.count("in_doubt")

    @property
    def done(self) -> int:
        """Lines with an outcome (succeeded or failed)."""
        return self.succeeded + self.failed

    @property
    def finished(self) -> bool:
        """Nothing is left to send or to wait for (``in_doubt`` lines need the user)."""
        return self.waiting + self.sending + self.running == 0

    def counts(self) -> dict[str, int]:
        """Every state's count, plus ``total`` and ``done`` (for JSON output)."""
        out: dict[str, int] = {state: self.count(state) for state in _LINE_STATES}
        out["total"] = self.total
        out["done"] = self.done
        return out

    def __str__(self) -> str:
        parts = [f"{self.succeeded} ok"] if self.succeeded else []
        if self.failed:
            parts.append(f"{self.failed} failed")
        text = f"{self.done}/{self.total} done" + (f" ({', '.join(parts)})" if parts else "")
        for state, word in _PENDING_WORDS:
            n = self.count(state)
            if n:
                text += f", {n} {word}"
        return text


def _line(index: int, key: str, entry: JournalEntry | None) -> BatchLine:
    if entry is None:
        return BatchLine(index, key, "waiting")
    if entry.maybe_submitted:
        return BatchLine(index, key, "in_doubt", status=entry.status)
    if entry.placeholder:
        return BatchLine(index, key, "sending")
    state: LineState = "running" if entry.ok is None else (
        "succeeded" if entry.ok else "failed"
    )
    return BatchLine(index, key, state, task_id=entry.task_id, status=entry.status)


async def progress_of(store: Store, requests: Sequence[Request]) -> BatchProgress:
    """The progress of the batch ``requests`` in ``store`` (any process's claims).

    Reads the batch's own claims (``find_many()``, which the bundled stores have: the
    cost follows the batch, not the account's history of claims and downloads; another
    ``Store`` is read through ``entries()``), plus the shared stage of each running task.
    """
    keys = request_keys(requests)
    find_many = getattr(store, "find_many", None)
    if callable(find_many):
        found: dict[str, JournalEntry] = await find_many(keys)
    else:
        wanted = set(keys)
        found = {
            e.request_key: e for e in await store.entries()
            if e.request_key is not None and e.request_key in wanted
        }
    lines = [_line(i, key, found.get(key)) for i, key in enumerate(keys)]
    for n, line in enumerate(lines):
        if line.state == "running" and line.task_id is not None:
            state = await store.get_job(line.task_id)
            if state is None or state.stage is None:
                continue
            ended = _ENDED.get(state.stage) if state.final else None
            if ended is not None:
                # the job's row is closed at SUCCESS or FAILED but its claim has no outcome
                # (the process that saw the end died before writing it): the row decides
                lines[n] = attrs.evolve(line, state=ended, status=state.status or line.status)
            else:
                lines[n] = attrs.evolve(line, stage=state.stage)
    return BatchProgress(tuple(lines))


#: A closed job row's stage -> the line's state (other closed rows stay ``running``:
#: a row closed unfinished, e.g. given up after ``max_wait``, tells no outcome).
_ENDED: dict[str, LineState] = {"SUCCESS": "succeeded", "FAILED": "failed"}
