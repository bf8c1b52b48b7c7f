"""The :class:`SunoClient`: every endpoint as a method, jobs tracked by one poller.

>>> import asyncio
>>> from suno_async import SunoClient, PollPolicy
>>> from suno_async.sandbox import Sandbox
>>> async def main():
...     async with Sandbox(time_scale=0.002, seed=3) as sb:
...         async with SunoClient(api_key=sb.api_key, base_url=sb.url,
...                               poll=PollPolicy(initial=0.02, maximum=0.1,
...                                               early_maximum=0.05, min_interval=0)) as c:
...             job = await c.generate(prompt="calm piano", instrumental=True)
...             record = await job
...             return [t.ready for t in record.tracks]
>>> asyncio.run(main())
[True, True]
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar, overload

import aiohttp
import attrs

from ._endpoints import EndpointsMixin
from ._http import Transport
from ._ratelimit import CreateLimiter
from .batch import BatchItem, submit_many
from .config import (
    DEFAULT_BATCH_CONCURRENCY,
    DEFAULT_CALLBACK_PLACEHOLDER,
    EARLY_CALLBACK_TASKS,
    EARLY_CALLBACK_TTL,
    EARLY_CALLBACKS_PER_TASK,
    JOURNAL_DRAIN_TIMEOUT,
    PROVIDERS,
    SETTLED_JOBS_KEPT,
    PollPolicy,
    RateLimit,
    RetryPolicy,
    Timeouts,
)
from .errors import (
    APIConnectionError,
    APIResponseValidationError,
    ClientClosedError,
    NotFoundError,
    SunoError,
)
from .jobs.job import Job
from .jobs.kinds import KINDS, JobKind
from .jobs.scheduler import Poller
from .journal import Journal
from .models.callbacks import callback_task_id, parse_callback
from .models.enums import Stage
from .models.records import MusicRecord, Record
from .models.requests import (
    AddInstrumentalRequest,
    GenerateRequest,
    Request,
    UploadCoverRequest,
    fill_callback,
)

__all__ = ["SunoClient"]

log = logging.getLogger("suno_async")

Q = TypeVar("Q", bound=Request)



class SunoClient(EndpointsMixin):
    """An async client for the Suno API family.

    ``api_key`` defaults to ``$SUNO_API_KEY``; ``base_url`` to ``$SUNO_BASE_URL`` or
    the ``provider`` preset (``"kie"``, ``"apikley"``, ``"sunoapi"``), which also picks
    the body-code table. Use it as an async context manager, or call :meth:`aclose`.
    A ``session`` passed in is used and never closed by the client.

    ``callback_url``: where the API should POST results (your public webhook URL).
    When unset and no webhook receiver is attached, a documented placeholder is sent
    (the API requires the field) and results are read by polling.
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        provider: str = "kie",
        *,
        upload_base_url: str | None = None,
        session: aiohttp.ClientSession | None = None,
        poll: PollPolicy | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        rate_limit: RateLimit | None = None,
        callback_url: str | None = None,
        journal: str | os.PathLike[str] | Journal | None = None,
    ) -> None:
        if provider not in PROVIDERS:
            raise ValueError(f"provider must be one of {', '.join(PROVIDERS)}, got {provider!r}")
        key = api_key if api_key is not None else os.environ.get("SUNO_API_KEY", "")
        if not key:
            raise ValueError(
                "no API key: pass api_key=... or set SUNO_API_KEY "
                "(or run against the sandbox: suno_async.sandbox.Sandbox)"
            )
        profile = PROVIDERS[provider]
        base = base_url or os.environ.get("SUNO_BASE_URL") or profile.base_url
        self.provider = profile
        self.poll_policy = poll or PollPolicy()
        self.retry_policy = retry or RetryPolicy()
        self.rate_limit = rate_limit or RateLimit()
        self.callback_url = callback_url
        self._transport = Transport(
            api_key=key,
            base_url=base,
            # The key goes to the upload host too: never to the preset's host when the
            # API itself lives elsewhere (argument or $SUNO_BASE_URL).
            upload_base_url=upload_base_url
            or (profile.upload_base_url if base == profile.base_url else base),
            provider=profile,
            timeouts=timeouts or Timeouts(),
            retry=self.retry_policy,
            session=session,
        )
        self._limiter = CreateLimiter(self.rate_limit)
        self._poller = Poller(
            self._fetch_record,
            self.poll_policy,
            self.retry_policy,
            webhooks_active=lambda: self._webhook_url is not None,
        )
        self._jobs: dict[str, Job[Any]] = {}
        # Ids of settled jobs, oldest first; beyond SETTLED_JOBS_KEPT they are dropped
        # from ``_jobs`` so a long-running client does not grow without bound.
        self._settled: collections.deque[str] = collections.deque()
        self._early: dict[str, tuple[float, list[Any]]] = {}
        # In-flight task-creating calls and whether each has started sending.
        self._submits: dict[asyncio.Task[Any], _Submission] = {}
        self._webhook_url: str | None = None
        self._closed = False
        self.journal: Journal | None = (
            journal if isinstance(journal, Journal) or journal is None else Journal(journal)
        )
        self._journal_writes: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        return (
            f"SunoClient(base_url={self._transport.base_url!r}, "
            f"provider={self.provider.name!r}, jobs={len(self._jobs)})"
        )

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> SunoClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop polling, end every pending wait with ``ClientClosedError``, close the session.

        Task-creating calls already sent are allowed to finish first (their task ids
        are registered, never lost).
        """
        if self._closed:
            return
        self._closed = True
        # Calls still waiting for a rate-limit slot have sent nothing: cancel them. Calls
        # already sending may finish (their task ids get registered), within a bound.
        for task, submission in list(self._submits.items()):
            if not submission.sending:
                task.cancel()
        if self._submits:
            tasks = list(self._submits)
            _, late = await asyncio.wait(tasks, timeout=self._transport.timeouts.total)
            for task in late:
                task.cancel()  # a journaled intent stays "maybe submitted"
            await asyncio.gather(*tasks, return_exceptions=True)
        await self._poller.aclose()
        for job in list(self._jobs.values()):
            job.close(ClientClosedError("the client was closed"))
        if self._journal_writes:
            await asyncio.wait(list(self._journal_writes), timeout=JOURNAL_DRAIN_TIMEOUT)
        if self.journal is not None:
            await self.journal.aclose()
        await self._transport.aclose()

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    @property
    def jobs(self) -> Mapping[str, Job[Any]]:
        """Jobs known to this client, by task id: every unfinished job and the most
        recently settled ones (``config.SETTLED_JOBS_KEPT``)."""
        return self._jobs

    # ------------------------------------------------------------------ music family

    async def generate(
        self, request: GenerateRequest | None = None, /, **fields: Any
    ) -> Job[MusicRecord]:
        """Create music from text (two tracks); returns a :class:`Job` at once.

        Takes a :class:`GenerateRequest` or its fields as keywords (``prompt``,
        ``custom_mode``, ``instrumental``, ``model``, ``style``, ``title``,
        ``negative_tags``, ``vocal_gender``, ``style_weight``,
        ``weirdness_constraint``, ``audio_weight``, ``persona_id``,
        ``call_back_url``). Invalid input raises ``RequestValidationError`` and sends
        nothing.
        """
        return await self._create(self._request(GenerateRequest, request, fields))

    async def upload_cover(
        self, request: UploadCoverRequest | None = None, /, **fields: Any
    ) -> Job[MusicRecord]:
        """Cover uploaded audio (``upload_url``) in a new style; fields as for :meth:`generate`."""
        return await self._create(self._request(UploadCoverRequest, request, fields))

    async def add_instrumental(
        self, request: AddInstrumentalRequest | None = None, /, **fields: Any
    ) -> Job[MusicRecord]:
        """Generate accompaniment for a vocal stem (``upload_url``, ``title``, ``tags``,
        ``negative_tags``; ``model`` V4_5PLUS or V5)."""
        return await self._create(self._request(AddInstrumentalRequest, request, fields))

    # ------------------------------------------------------------------ batches

    async def generate_many(
        self,
        requests: Iterable[Request],
        *,
        concurrency: int = DEFAULT_BATCH_CONCURRENCY,
        on_item: Callable[[BatchItem], object] | None = None,
    ) -> list[BatchItem]:
        """Submit many requests (any task-creating request objects, not only generate).

        At most ``concurrency`` jobs are unfinished at once (not only in submission).
        Returns a :class:`~suno_async.batch.BatchItem` per request in input order; a
        failed submission is reported on its item and the batch goes on. With a
        journal, requests submitted by an earlier run are re-attached, not re-sent.
        Run one batch per journal at a time: two concurrent ``generate_many`` calls over
        the same requests could both miss the journal and both send.
        Follow up with ``suno_async.as_completed(items)``.
        """
        return await submit_many(self, requests, concurrency=concurrency, on_item=on_item)

    async def resume(self) -> list[Job[Any]]:
        """Re-attach every unfinished task recorded in the journal (after a crash)."""
        self._check_open()
        if self.journal is None:
            raise ValueError("resume() needs a journal: SunoClient(journal='jobs.sqlite3')")
        return [self.track(e.task_id, e.kind) for e in await self.journal.unfinished()]

    # ------------------------------------------------------------------ tracking

    @overload
    def track(self, task_id: str) -> Job[MusicRecord]: ...
    @overload
    def track(self, task_id: str, kind: str) -> Job[Any]: ...

    def track(self, task_id: str, kind: str = "music") -> Job[Any]:
        """A job handle for an existing task (after a restart, from another process).

        Returns the same handle when the task is already tracked by this client.
        """
        self._check_open()
        job_kind = _kind(kind)
        job = self._jobs.get(task_id)
        if job is not None and not (job.error is not None and not job.done()):
            if job.kind is not job_kind:
                raise ValueError(
                    f"task {task_id} is tracked as a {job.kind.name} job, not {kind}"
                )
            return job
        return self._register(task_id, job_kind, request=None)

    async def get_record(self, task_id: str, kind: str = "music") -> Record:
        """Fetch a task's record once, without tracking it.

        Raises :class:`~suno_async.errors.NotFoundError` when the API does not know it.
        """
        self._check_open()
        job_kind = _kind(kind)
        data = await self._record_data(job_kind, task_id)
        if data is None:
            raise NotFoundError(f"no {kind} task {task_id}", code=200, msg="data is null")
        return job_kind.parse(data)

    async def get_credits(self) -> float:
        """The account's remaining credits."""
        self._check_open()
        data = await self._transport.get(self.provider.credits_path)
        if isinstance(data, bool) or not isinstance(data, int | float | str):
            raise APIResponseValidationError("credits reply is not a number", body=data)
        try:
            return float(data)
        except ValueError:
            raise APIResponseValidationError("credits reply is not a number", body=data) from None

    # ------------------------------------------------------------------ callbacks

    def ingest_callback(self, body: object) -> bool:
        """Feed a callback payload (already authenticated) into its job.

        Returns ``True`` when it reached a known job. While a task-creating call is
        in flight, callbacks for unknown task ids are buffered (bounded) and applied
        if that id registers; otherwise they are ignored.
        """
        task_id = callback_task_id(body)
        if task_id is None:
            raise APIResponseValidationError("callback has no task id", body=body)
        job = self._jobs.get(task_id)
        if job is None:
            if self._expecting_callbacks():
                self._buffer_early(task_id, body)
            return False
        job.ingest(parse_callback(job.kind.name, body), source="callback")
        return True

    def _expecting_callbacks(self) -> bool:
        """A create call is in flight: its callbacks may arrive before its task id."""
        return bool(self._submits)

    def _buffer_early(self, task_id: str, body: object) -> None:
        now = time.monotonic()
        for stale in [k for k, (t, _) in self._early.items() if now - t > EARLY_CALLBACK_TTL]:
            del self._early[stale]
        if task_id not in self._early and len(self._early) >= EARLY_CALLBACK_TASKS:
            return
        _, bodies = self._early.setdefault(task_id, (now, []))
        if len(bodies) < EARLY_CALLBACKS_PER_TASK:
            bodies.append(body)

    def _use_webhook_url(self, url: str | None) -> None:
        self._webhook_url = url

    # ------------------------------------------------------------------ internals

    def _check_open(self) -> None:
        if self._closed:
            raise ClientClosedError("the client is closed")

    @staticmethod
    def _request(cls: type[Q], request: Q | None, fields: Mapping[str, Any]) -> Q:
        if request is not None:
            if fields:
                raise TypeError("pass either a request object or keyword fields, not both")
            if not isinstance(request, cls):
                raise TypeError(f"expected {cls.__name__}, got {type(request).__name__}")
            return request
        return cls(**fields)

    def _callback_for(self) -> str:
        return self._webhook_url or self.callback_url or DEFAULT_CALLBACK_PLACEHOLDER

    def _journal_key(self, request: Request, occurrence: int) -> str:
        return Journal.key_for(request.path, request.to_wire(), occurrence)

    async def _submit_or_resume(
        self, request: Request, key: str | None
    ) -> tuple[Job[Any], bool]:
        """Submit ``request`` unless the journal shows it was submitted before."""
        if self.journal is not None and key is not None:
            entry = await self.journal.find(key)
            if entry is not None and entry.maybe_submitted:
                raise APIConnectionError(
                    "an earlier run sent this request but never saw the reply, so a task may"
                    " exist (and be billed); it is not sent again. Check your tasks, then"
                    f" call journal.forget({key!r}) to send it anyway",
                    maybe_submitted=True,
                )
            if entry is not None:
                return self.track(entry.task_id, entry.kind), True
        return await self._create(request, key=key), False

    async def _create(self, request: Request, *, key: str | None = None) -> Job[Any]:
        """Send a task-creating request and register its task id, come what may.

        The POST runs in its own task: cancelling the caller after the request was
        sent still registers (and journals) the returned id: a paid task never goes
        unseen.
        """
        self._check_open()
        if request.needs_callback:
            request = fill_callback(request, self._callback_for())
        kind = _kind(request.kind or "music")
        body = request.to_wire()

        journal = self.journal
        submission = _Submission()

        async def submit() -> Job[Any]:
            try:
                async with self._limiter.slot():
                    if self._closed:
                        raise ClientClosedError("the client was closed before this was sent")
                    # From here on the request may reach the server: never cancelled.
                    submission.sending = True
                    if journal is not None and key is not None:
                        # write-ahead: a crash while sending is never mistaken for "not sent"
                        await journal.record_intent(kind.name, request.path, key, body)
                    data = await self._transport.post(request.path, body)
            except SunoError as exc:
                if journal is not None and key is not None:
                    if getattr(exc, "maybe_submitted", False):
                        await journal.record_ambiguous(kind.name, request.path, key, body)
                    else:
                        await journal.clear_intent(key)
                raise
            task_id = data.get("taskId") if isinstance(data, dict) else None
            if not isinstance(task_id, str) or not task_id:
                task_id = data.get("task_id") if isinstance(data, dict) else None
            if not isinstance(task_id, str) or not task_id:
                error = APIResponseValidationError(
                    f"reply to {request.path} has no taskId", body=data
                )
                error.maybe_submitted = True  # accepted, but we cannot tell which task
                raise error
            job = self._register(task_id, kind, request=request)
            if self.journal is not None:
                await self.journal.record_submitted(task_id, kind.name, request.path, key, body)
            return job

        task = asyncio.get_running_loop().create_task(submit())
        self._submits[task] = submission
        task.add_done_callback(self._submit_done)
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            # Cancelled while still queued for a slot: nothing was sent, so nothing is
            # sent later. Once sending, the call finishes and registers its task id.
            if not submission.sending:
                task.cancel()
                await asyncio.wait([task])  # gone before we return: nothing left queued
            raise

    def _submit_done(self, task: asyncio.Task[Any]) -> None:
        self._submits.pop(task, None)
        if not task.cancelled():
            task.exception()  # retrieved by the caller; avoid "never retrieved" noise

    def _register(self, task_id: str, kind: JobKind, *, request: object) -> Job[Any]:
        loop = asyncio.get_running_loop()
        job: Job[Any] = Job(
            task_id,
            kind,
            poller=self._poller,
            request=request,
            deadline=loop.time() + self.poll_policy.max_wait,
        )
        self._jobs[task_id] = job
        if self.journal is not None:
            job.add_done_callback(self._journal_outcome)
        job.add_done_callback(self._forget_settled)
        if self._closed:
            return job
        self._poller.track(job)
        _, early = self._early.pop(task_id, (0.0, []))
        for body in early:
            with contextlib.suppress(APIResponseValidationError):
                job.ingest(parse_callback(kind.name, body), source="callback")
        return job

    def _forget_settled(self, job: Job[Any]) -> None:
        self._settled.append(job.task_id)
        while len(self._settled) > SETTLED_JOBS_KEPT:
            old = self._settled.popleft()
            known = self._jobs.get(old)
            if known is not None and not known.tracking:
                del self._jobs[old]

    def _journal_outcome(self, job: Job[Any]) -> None:
        if self.journal is None or not job.done() or self._closed:
            return  # only terminal outcomes are journaled; timeouts stay resumable
        write = self.journal.record_outcome(job.task_id, job.status, job.stage is Stage.SUCCESS)
        task = asyncio.get_running_loop().create_task(write)
        self._journal_writes.add(task)
        task.add_done_callback(self._journal_writes.discard)

    async def _fetch_record(self, job: Job[Any]) -> Any:
        return await self._record_data(job.kind, job.task_id, retry=False)

    async def _record_data(self, kind: JobKind, task_id: str, *, retry: bool = True) -> Any:
        """The raw record of ``task_id`` from its family's record-info endpoint."""
        return await self._transport.get(
            kind.record_path,
            {kind.id_param: task_id},
            retry=retry,
            envelope_codes=kind.envelope_codes,
        )


@attrs.define
class _Submission:
    """State of one task-creating call: has the request possibly reached the server?"""

    sending: bool = False


def _kind(name: str) -> JobKind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"unknown job kind {name!r}; one of {', '.join(KINDS)}") from None

