"""The ``Store`` protocol: what every client of one account shares, whatever holds it.

A store holds five things for one account (see :func:`~suno_async.store.account_key`):

1. **Paid-request claims** — the journal's semantics. ``claim()`` before a task-creating
   POST: ``None`` means "yours, send it"; otherwise the existing entry (a task to
   re-attach to, an ``in_flight`` claim to wait for, or a ``maybe_submitted`` one never to
   send again without the user's word). Then exactly one of ``record_submitted()``,
   ``record_maybe_submitted()`` or ``release()``.
2. **The rate budget** — one sliding window shared by every process:
   ``acquire_create_slot(limit, per_seconds)`` returns ``0.0`` when a slot was taken, or
   the seconds to wait before asking again. Slots outlive processes (a rerun sees them).
   ``finish_create_slot(slot_id)`` moves a slot to its reply's time;
   ``release_create_slot(slot_id)`` gives back one that was never used.
3. **The job registry** — ``put_job()`` / ``get_job()`` a task's kind, stage, status and
   latest record (JSON text), and an owner lease: ``try_acquire(task_id, owner, ttl)``,
   ``renew(owner, ttl)`` (the heartbeat), ``release_lease()``; ``orphans()`` lists
   unfinished jobs whose lease expired (their owner died) for takeover.
4. **Callback routing** — ``publish(task_id, body)`` from whichever process received the
   callback; ``subscribe()`` yields callbacks published by any process from the moment
   the subscription was entered.
5. **Fleet secrets** — ``get_or_create_token(name)``: one webhook token for every worker.

Optional: ``find_many(request_keys) -> dict[str, JournalEntry]`` (the built-in stores
have it) reads only a batch's keys for ``batch_progress``; without it the whole
``entries()`` list is read.

Every failure is a :class:`~suno_async.errors.JournalError` (``StoreError`` for a store
that cannot be reached); none is ever a driver's raw exception.
"""

from __future__ import annotations

import types
from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol, Self, runtime_checkable

import attrs

from ..errors import StoreError
from ._claims import JournalEntry

__all__ = ["Callback", "JobState", "Store", "StoreError", "Subscription"]


@attrs.frozen
class JobState:
    """What the registry knows about one task (``record`` is JSON text or ``None``)."""

    task_id: str
    kind: str
    stage: str | None
    status: str | None
    record: str | None = attrs.field(repr=False)
    final: bool
    updated_at: float
    owner: str | None
    lease_until: float | None


@attrs.frozen
class Callback:
    """One callback body routed through the store (``body`` as received, as text)."""

    task_id: str
    body: str = attrs.field(repr=False)
    published_at: float


@runtime_checkable
class Subscription(Protocol):
    """Callbacks published by any process, from entry on: ``async with`` then ``async for``."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: types.TracebackType | None,
    ) -> None: ...

    def __aiter__(self) -> AsyncIterator[Callback]: ...

    async def __anext__(self) -> Callback: ...


@runtime_checkable
class Store(Protocol):
    """Shared state of one account: claims, rate budget, jobs, callbacks, secrets."""

    #: The account scope of this store's keys ("" when unscoped).
    account: str

    @property
    def owner_id(self) -> str:
        """A random id of this instance (its claims' owner; a natural lease owner)."""
        ...

    def for_account(self, api_key: str, api_host: str) -> Store:
        """A view of this store scoped to one account (shares its connection)."""
        ...

    async def open(self) -> None:
        """Connect and check the schema; an unreachable or newer store raises here."""
        ...

    async def aclose(self) -> None:
        """Release connections and threads (a view leaves the shared ones to its root)."""
        ...

    # -- claims
    async def claim(
        self, kind: str, path: str, request_key: str, request: Mapping[str, Any]
    ) -> JournalEntry | None:
        """Atomically take ``request_key`` (``None``) or return who has it."""
        ...

    async def record_submitted(
        self,
        task_id: str,
        kind: str,
        path: str,
        request_key: str | None,
        request: Mapping[str, Any],
    ) -> None:
        """The claim became task ``task_id`` (one atomic write)."""
        ...

    async def record_maybe_submitted(
        self, kind: str, path: str, request_key: str, request: Mapping[str, Any]
    ) -> None:
        """The request was sent, its reply lost: never send it again unasked."""
        ...

    async def release(self, request_key: str) -> None:
        """Drop the claim: the send provably created nothing."""
        ...

    async def forget(self, request_key: str) -> bool:
        """Remove everything known about ``request_key`` (the user's decision)."""
        ...

    async def find(self, request_key: str) -> JournalEntry | None:
        """The task or claim of ``request_key``, if any."""
        ...

    async def in_doubt(self) -> list[JournalEntry]:
        """Claims that may have created a task whose id is unknown."""
        ...

    async def unfinished(self) -> list[JournalEntry]:
        """Submitted tasks without a recorded outcome (for ``resume()``)."""
        ...

    async def entries(self) -> list[JournalEntry]:
        """Every task and claim of the account, oldest first (a batch's progress)."""
        ...

    async def record_outcome(self, task_id: str, status: str, ok: bool) -> None:
        """A task's terminal outcome."""
        ...

    # -- rate budget
    async def acquire_create_slot(
        self, limit: int, per_seconds: float, *, slot_id: str | None = None
    ) -> float:
        """Take one slot of the shared window (``0.0``) or say how long to wait.

        Without ``slot_id`` the slot counts from now. With one, the slot is *in flight*
        (it occupies the window whatever its age, for at most a bound such as a POST's
        total timeout) until :meth:`finish_create_slot` makes it count from the reply:
        so the server never sees more than ``limit`` creates in a window, whatever the
        network delay (the in-memory limiter's rule).
        """
        ...

    async def finish_create_slot(self, slot_id: str) -> None:
        """The create of ``slot_id`` got its reply: its slot now counts from now."""
        ...

    async def release_create_slot(self, slot_id: str) -> None:
        """The create of ``slot_id`` was never sent (its request turned out to be claimed
        by someone else): the in-flight slot is given back to the window."""
        ...

    # -- job registry
    async def put_job(
        self,
        task_id: str,
        kind: str,
        *,
        stage: str | None = None,
        status: str | None = None,
        record: str | None = None,
        final: bool = False,
    ) -> None:
        """Record a task's latest state (a final one also ends its lease)."""
        ...

    async def get_job(self, task_id: str) -> JobState | None:
        """The registry's view of ``task_id``."""
        ...

    async def try_acquire(self, task_id: str, owner: str, ttl: float) -> bool:
        """Take (or keep) the lease of ``task_id``: free, expired or already ours."""
        ...

    async def renew(self, owner: str, ttl: float) -> list[str]:
        """Heartbeat: extend every lease ``owner`` still holds; the task ids held."""
        ...

    async def release_lease(self, task_id: str, owner: str) -> None:
        """Give up the lease of ``task_id`` if ``owner`` holds it."""
        ...

    async def orphans(self) -> list[str]:
        """Unfinished jobs whose lease is missing or expired (to take over)."""
        ...

    # -- callbacks
    async def publish(self, task_id: str, body: str) -> None:
        """Route one received callback to every subscriber of the account."""
        ...

    def subscribe(self) -> Subscription:
        """Callbacks published from now on, by any process."""
        ...

    # -- secrets
    async def get_or_create_token(self, name: str = "webhook") -> str:
        """The fleet-wide secret ``name`` (created once, then shared)."""
        ...


def job_retention_seconds(value: object) -> float:
    """A store's ``job_retention`` argument checked: seconds >= 0 (package-internal)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise ValueError(f"job_retention must be seconds >= 0, got {value!r}")
    return float(value)
