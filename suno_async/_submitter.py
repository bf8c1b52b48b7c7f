"""The submitter: how a task-creating request is sent once, and only once.

Package-internal (the client owns one as ``client.submitter``; :mod:`suno_async.batch`
uses the non-underscore names below). A submission:

1. waits for a create slot of the client-side rate limiter (a batch item waits for
   its turn in the queue: ``queued=True``);
2. with a journal, claims the request in it (write-ahead: a crash while sending is
   never mistaken for "not sent"); a claim someone else holds is re-attached to or
   waited for, never sent again;
3. sends the POST in a task of its own, shielded: cancelling the caller after the
   request left still registers (and journals) the returned task id;
4. registers the task id with the :class:`~suno_async._registry.JobRegistry`.

A journal write that fails after a successful POST keeps the job tracked in memory
and raises :class:`~suno_async.errors.JournalError` carrying the task id.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import attrs

from ._http import Transport
from ._ratelimit import CreateLimiter
from ._registry import JobRegistry
from .config import CLAIM_POLL_INTERVAL, CLAIM_WAIT, DEFAULT_CALLBACK_PLACEHOLDER
from .errors import (
    APIConnectionError,
    APIResponseValidationError,
    ClientClosedError,
    JournalError,
    SunoError,
)
from .jobs.job import Job
from .jobs.kinds import JobKind, kind_named
from .journal import Journal, JournalEntry
from .models.requests import Request, fill_callback

__all__ = ["Submission", "Submitter"]

log = logging.getLogger("suno_async")


@attrs.define
class Submission:
    """State of one task-creating call: has the request possibly reached the server?"""

    sending: bool = False


class Submitter:
    """Sends task-creating requests for one client."""

    def __init__(
        self,
        *,
        transport: Transport,
        limiter: CreateLimiter,
        registry: JobRegistry,
        journal: Journal | None,
        callback_url: Callable[[], str | None] = lambda: None,
    ) -> None:
        self.transport = transport
        self.limiter = limiter
        self.registry = registry
        self.journal = journal
        self._callback_url = callback_url
        #: Task-creating calls in flight, and whether each has started sending.
        self.in_flight: dict[asyncio.Task[Any], Submission] = {}
        self.closed = False

    # ------------------------------------------------------------------ interface

    def expecting_callbacks(self) -> bool:
        """A create call is in flight: its callbacks may arrive before its task id."""
        return bool(self.in_flight)

    @staticmethod
    def journal_key(request: Request, occurrence: int = 0) -> str:
        """The journal key of ``request`` (``occurrence`` tells identical ones apart)."""
        return Journal.key_for(request.path, request.to_wire(), occurrence)

    async def create(self, request: Request) -> Job[Any]:
        """Send ``request`` (no journal key) and return its job."""
        job, _ = await self.submit_or_resume(request, None)
        return job

    async def submit_or_resume(
        self, request: Request, key: str | None, *, queued: bool = False
    ) -> tuple[Job[Any], bool]:
        """Submit ``request`` unless the journal shows it was submitted before.

        Returns the job and whether it was re-attached (``True``) rather than sent.
        ``queued``: wait for a rate-limit slot however long the queue is (batches).
        """
        self._check_open()
        if request.needs_callback:
            request = fill_callback(request, self._callback_url() or DEFAULT_CALLBACK_PLACEHOLDER)
        kind = kind_named(request.kind or "music")
        journal = self.journal if key is not None else None
        if journal is None or key is None:
            outcome = await self._send(request, kind, None, queued=queued)
            assert isinstance(outcome, Job)  # no journal, no claim to find
            return outcome, False
        deadline = asyncio.get_running_loop().time() + CLAIM_WAIT
        while True:
            # a cheap look first: a request sent before is re-attached without taking a
            # rate-limit slot; the claim itself (inside the slot) is the authority
            entry = await _find(journal, key)
            if entry is None:
                outcome = await self._send(request, kind, key, queued=queued)
                if isinstance(outcome, Job):
                    return outcome, False
                entry = outcome
            job = await self._attach(journal, key, entry, deadline)
            if job is not None:
                return job, True
            # the other claim went away: claim it again

    async def _attach(
        self, journal: Journal, key: str, entry: JournalEntry | None, deadline: float
    ) -> Job[Any] | None:
        """The job of someone else's claim on ``key``: waited for while another process
        is sending it; ``None`` when the claim disappeared (claim again)."""
        loop = asyncio.get_running_loop()
        while entry is not None and _in_flight(entry):
            if loop.time() >= deadline:
                raise APIConnectionError(
                    "another process is sending this request and has not finished"
                    f" within {CLAIM_WAIT:g}s; it is not sent twice. Run again later",
                    maybe_submitted=True,
                )
            await asyncio.sleep(CLAIM_POLL_INTERVAL)
            entry = await _find(journal, key)
        if entry is None:
            return None
        if entry.maybe_submitted:
            raise APIConnectionError(
                "an earlier run sent this request but never saw the reply, so a task may"
                " exist (and be billed); it is not sent again. Check your tasks, then"
                f" call journal.forget({key!r}) to send it anyway",
                maybe_submitted=True,
            )
        return self.registry.track(entry.task_id, kind_named(entry.kind))

    async def aclose(self) -> None:
        """Calls still waiting for a slot are cancelled (nothing was sent); calls already
        sending may finish within the total timeout, so their task ids are registered."""
        self.closed = True
        for task, submission in list(self.in_flight.items()):
            if not submission.sending:
                task.cancel()
        if self.in_flight:
            tasks = list(self.in_flight)
            _, late = await asyncio.wait(tasks, timeout=self.transport.timeouts.total)
            for task in late:
                task.cancel()  # a journaled intent stays "maybe submitted"
            await asyncio.gather(*tasks, return_exceptions=True)

    # ------------------------------------------------------------------ internals

    def _check_open(self) -> None:
        if self.closed:
            raise ClientClosedError("the client is closed")

    async def _send(
        self, request: Request, kind: JobKind, key: str | None, *, queued: bool
    ) -> Job[Any] | JournalEntry:
        """One claim-and-send in a shielded task: the new job, or the journal's entry
        when someone already claimed ``key``."""
        journal = self.journal if key is not None else None
        body = request.to_wire()
        submission = Submission()

        async def submit() -> Job[Any] | JournalEntry:
            try:
                async with self.limiter.slot(queued=queued):
                    if self.closed:
                        raise ClientClosedError("the client was closed before this was sent")
                    # From here on the request may reach the server: never cancelled.
                    submission.sending = True
                    if journal is not None and key is not None:
                        try:
                            entry = await _claim(journal, kind.name, request.path, key, body)
                        except Exception as exc:  # nothing was sent
                            raise JournalError(
                                f"the journal could not record the request before sending"
                                f" ({type(exc).__name__}); nothing was sent"
                            ) from exc
                        if entry is not None:
                            return entry
                    data = await self.transport.post(request.path, body)
            except SunoError as exc:
                if journal is not None and key is not None and submission.sending:
                    await _settle_claim(journal, kind.name, request.path, key, body, exc)
                raise
            task_id = _task_id(data)
            if task_id is None:
                raise APIResponseValidationError(  # accepted, but we cannot tell which task
                    f"reply to {request.path} has no taskId", body=data, maybe_submitted=True
                )
            job = self.registry.register(task_id, kind, request=request)
            if self.journal is not None:
                try:
                    await self.journal.record_submitted(
                        task_id, kind.name, request.path, key, body
                    )
                except Exception as exc:  # disk full, locked, closed: the job is tracked
                    raise JournalError(
                        f"task {task_id} was created but could not be journaled"
                        f" ({type(exc).__name__}); it is tracked in memory: keep its id",
                        task_id=task_id,
                    ) from exc
            return job

        task = asyncio.get_running_loop().create_task(submit())
        self.in_flight[task] = submission
        task.add_done_callback(self._done)
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            # Cancelled while still queued for a slot: nothing was sent, so nothing is
            # sent later. Once sending, the call finishes and registers its task id.
            if not submission.sending:
                task.cancel()
                await asyncio.wait([task])  # gone before we return: nothing left queued
            raise

    def _done(self, task: asyncio.Task[Any]) -> None:
        self.in_flight.pop(task, None)
        if not task.cancelled():
            task.exception()  # retrieved by the caller; avoid "never retrieved" noise


def _task_id(data: object) -> str | None:
    if not isinstance(data, dict):
        return None
    for name in ("taskId", "task_id"):
        value = data.get(name)
        if isinstance(value, str) and value:
            return value
    return None


# ---------------------------------------------------------------------- journal adapter
# The claim contract: ``entry = await journal.claim(kind, path, key, body)`` returns
# ``None`` when this client now owns the claim (then it sends), or the existing
# ``JournalEntry``; ``entry.in_flight`` says another live process is sending it.


async def _find(journal: Journal, key: str) -> JournalEntry | None:
    """``journal.find(key)``, with a journal failure as :class:`JournalError`."""
    try:
        return await journal.find(key)
    except Exception as exc:  # locked, corrupt, closed
        raise JournalError(
            f"the journal could not be read ({type(exc).__name__}); nothing was sent"
        ) from exc


async def _claim(
    journal: Journal, kind: str, path: str, key: str, body: dict[str, Any]
) -> JournalEntry | None:
    """Claim ``key`` for sending in one transaction: ``None`` when the claim is ours,
    else the entry already there (a task, someone's claim, or one in doubt)."""
    return await journal.claim(kind, path, key, body)


def _in_flight(entry: JournalEntry) -> bool:
    """A live sender holds the claim: another process, or another call of this client
    (``mine``): wait for its outcome instead of sending."""
    return entry.in_flight or entry.mine


async def _settle_claim(
    journal: Journal, kind: str, path: str, key: str, body: dict[str, Any], exc: SunoError
) -> None:
    """After a failed send: keep the claim as "maybe submitted", or release it when the
    error proves nothing was created. A journal failure here keeps the claim in doubt."""
    try:
        if exc.maybe_submitted:
            await journal.record_ambiguous(kind, path, key, body)
        else:
            await journal.clear_intent(key)
    except Exception:
        log.warning("could not update the journal claim of a failed send", exc_info=True)
