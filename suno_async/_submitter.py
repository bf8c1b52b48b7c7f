"""The submitter: how a task-creating request is sent once, and only once.

Package-internal (the client owns one as ``client.submitter``; :mod:`suno_async.batch`
uses the non-underscore names below). A submission:

1. waits for a create slot of the client-side rate limiter (a batch item waits for
   its turn in the queue: ``queued=True``); with a store, the slot is the account's,
   shared by every process;
2. with a store (``SunoClient(store=...)``, or a journal, which is the SQLite store),
   claims the request in it, atomically (write-ahead: a crash while sending is never
   mistaken for "not sent"); a claim someone else holds — this client, another
   process, another machine — is re-attached to or waited for, never sent again, and
   the slot taken for it is given back;
3. sends the POST in a task of its own, shielded: cancelling the caller after the
   request left still registers (and journals) the returned task id;
4. registers the task id with the :class:`~suno_async._registry.JobRegistry`.

A store write that fails after a successful POST keeps the job tracked in memory
and raises :class:`~suno_async.errors.JournalError` carrying the task id; a store that
fails before the POST fails the call typed and sends nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
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
    StoreError,
    SunoError,
)
from .jobs.job import Job
from .jobs.kinds import JobKind, kind_named
from .models.requests import Request, fill_callback
from .store._claims import JournalEntry, request_key_for
from .store.base import Store

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
        store: Store | None,
        callback_url: Callable[[], str | None] = lambda: None,
        ready: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.transport = transport
        self.limiter = limiter
        self.registry = registry
        #: Where paid requests are claimed (``None``: no claims, in memory).
        self.store = store
        self._ready = ready
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
        """The claim key of ``request`` (``occurrence`` tells identical ones apart)."""
        return request_key_for(request.path, request.to_wire(), occurrence)

    async def create(self, request: Request) -> Job[Any]:
        """Send ``request`` (no journal key) and return its job."""
        job, _ = await self.submit_or_resume(request, None)
        return job

    async def submit_or_resume(
        self, request: Request, key: str | None, *, queued: bool = False
    ) -> tuple[Job[Any], bool]:
        """Submit ``request`` unless the store shows it was submitted before.

        Returns the job and whether it was re-attached (``True``) rather than sent.
        ``queued``: wait for a rate-limit slot however long the queue is (batches).
        """
        self._check_open()
        if self._ready is not None:
            await self._ready()  # the store is opened on first use (or at async with)
        if request.needs_callback:
            request = fill_callback(request, self._callback_url() or DEFAULT_CALLBACK_PLACEHOLDER)
        kind = kind_named(request.kind or "music")
        journal = self.store if key is not None else None
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
        self, journal: Store, key: str, entry: JournalEntry | None, deadline: float
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
                f" call journal.forget({key!r}) (or store.forget; CLI: suno-async journal"
                " forget) to send it anyway",
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
        """One claim-and-send in a shielded task: the new job, or the store's entry
        when someone already claimed ``key``."""
        journal = self.store if key is not None else None
        body = request.to_wire()
        submission = Submission()

        async def submit() -> Job[Any] | JournalEntry:
            try:
                async with self.limiter.slot(queued=queued) as ticket:
                    if self.closed:
                        ticket.unused()
                        raise ClientClosedError("the client was closed before this was sent")
                    # From here on the request may reach the server: never cancelled.
                    submission.sending = True
                    if journal is not None and key is not None:
                        try:
                            entry = await _claim(journal, kind.name, request.path, key, body)
                        except Exception as exc:  # nothing was sent
                            ticket.unused()
                            submission.sending = False  # nothing to settle
                            raise _store_error(
                                "could not record the request before sending", exc
                            ) from exc
                        if entry is not None:
                            ticket.unused()  # someone else sends it: the slot goes back
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
            if self.store is not None:
                try:
                    await self.store.record_submitted(
                        task_id, kind.name, request.path, key, body
                    )
                except Exception as exc:  # disk full, locked, closed: the job is tracked
                    raise JournalError(
                        f"task {task_id} was created but could not be recorded in the store"
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
            current = asyncio.current_task()
            if task.cancelled() and self.closed and not (current and current.cancelling()):
                # aclose() cancelled it while it waited for a slot: nothing was sent
                raise ClientClosedError("the client was closed before this was sent") from None
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


# ---------------------------------------------------------------------- store adapter
# The claim contract: ``entry = await store.claim(kind, path, key, body)`` returns
# ``None`` when this client now owns the claim (then it sends), or the existing
# ``JournalEntry``; ``entry.in_flight`` says another live process is sending it.


async def _find(journal: Store, key: str) -> JournalEntry | None:
    """``store.find(key)``, with a store failure as :class:`JournalError`."""
    try:
        return await journal.find(key)
    except Exception as exc:  # locked, corrupt, closed, unreachable
        raise _store_error("could not be read", exc) from exc


def _store_error(what: str, exc: Exception) -> JournalError:
    """A store failure before anything was sent, keeping its class (``StoreError``:
    the store is unreachable) and its own, already redacted, message."""
    if isinstance(exc, StoreError):
        return StoreError(f"the store {what} ({exc}); nothing was sent")
    return JournalError(f"the journal {what} ({type(exc).__name__}); nothing was sent")


async def _claim(
    journal: Store, kind: str, path: str, key: str, body: dict[str, Any]
) -> JournalEntry | None:
    """Claim ``key`` for sending in one transaction: ``None`` when the claim is ours,
    else the entry already there (a task, someone's claim, or one in doubt)."""
    return await journal.claim(kind, path, key, body)


def _in_flight(entry: JournalEntry) -> bool:
    """A live sender holds the claim: another process, or another call of this client
    (``mine``): wait for its outcome instead of sending."""
    return entry.in_flight or entry.mine


async def _settle_claim(
    journal: Store, kind: str, path: str, key: str, body: dict[str, Any], exc: SunoError
) -> None:
    """After a failed send: keep the claim as "maybe submitted", or release it when the
    error proves nothing was created. A store failure here keeps the claim in doubt."""
    try:
        if exc.maybe_submitted:
            await journal.record_maybe_submitted(kind, path, key, body)
        else:
            await journal.release(key)
    except Exception:
        log.warning("could not update the store claim of a failed send", exc_info=True)
