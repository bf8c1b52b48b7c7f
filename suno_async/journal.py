"""A crash-safe journal of submitted tasks (stdlib ``sqlite3``, on its own thread).

Each task id is committed the moment the API returns it, with its kind, the request
body (without the callback URL, which holds a secret token) and a dedupe key; each
terminal outcome is recorded too. After a crash, ``await client.resume()`` re-attaches
every unfinished task, and ``generate_many`` skips requests already submitted, so a
batch never pays twice for the same work.

Before a POST the request is *claimed* (:meth:`Journal.claim`): check-and-insert in one
transaction, so two runs (two ``generate_many`` calls, two processes) over one file send
each request once. Every write is one transaction, retried while another process holds
the file's lock; a write that still fails, or a damaged, read-only or newer-schema
file, raises :class:`~suno_async.errors.JournalError` (never a raw ``sqlite3`` error).

>>> import asyncio, tempfile, os
>>> from suno_async.journal import Journal
>>> async def main():
...     path = os.path.join(tempfile.mkdtemp(), "jobs.sqlite3")
...     journal = Journal(path)
...     key = Journal.key_for("/api/v1/generate", {"prompt": "x", "callBackUrl": "secret"})
...     first = await journal.claim("music", "/api/v1/generate", key, {"prompt": "x"})
...     again = await journal.claim("music", "/api/v1/generate", key, {"prompt": "x"})
...     await journal.record_submitted("t1", "music", "/api/v1/generate", key, {"prompt": "x"})
...     entries = await journal.unfinished()
...     found = await journal.find(key)
...     await journal.aclose()
...     return first, again.mine, [(e.task_id, e.kind) for e in entries], found.task_id
>>> asyncio.run(main())
(None, True, [('t1', 'music')], 't1')
"""

from __future__ import annotations

import os
import sqlite3
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from .store._claims import (
    MAYBE_SUBMITTED,
    SENDING,
    ClaimTable,
    JournalEntry,
    request_key_for,
)
from .store._engine import DEFAULT_LOCK_TIMEOUT, SQLiteEngine
from .store._owner import Owner
from .store.base import JobState, Store, Subscription
from .store.sqlite import SQLiteStore, store_view

__all__ = ["MAYBE_SUBMITTED", "SENDING", "Journal", "JournalEntry"]

T = TypeVar("T")


class Journal(Store):
    """The journal file. One thread owns its connection; every write is one committed
    transaction before the call returns.

    A journal *is* the SQLite store of its file, unscoped (``account == ""``, so files
    written by earlier versions keep their rows): it implements the whole
    :class:`~suno_async.store.Store` protocol, so ``SunoClient(journal=path)`` also
    shares its rate window with every other client of that file.

    ``lock_timeout``: how long, in total, a write waits for another process's lock
    before raising ``JournalError`` (seconds).
    """

    #: The account scope of the journal's rows: unscoped.
    account: str = ""

    def __init__(
        self, path: str | os.PathLike[str], *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT
    ) -> None:
        self.path = os.fspath(path)
        self._engine = SQLiteEngine(self.path, lock_timeout=lock_timeout)
        self._owner = Owner.new()
        self._claims = ClaimTable(self._engine, self._owner)
        self._store: SQLiteStore = store_view(self._engine, self._owner)
        # Dropped without aclose(): its claims stop counting as in flight.
        weakref.finalize(self, self._owner.retire)

    def __repr__(self) -> str:
        return f"Journal({self.path!r})"

    @staticmethod
    def key_for(path: str, body: Mapping[str, Any], occurrence: int = 0) -> str:
        """A stable key for a request: endpoint + body (minus secrets) + occurrence.

        ``occurrence`` tells identical requests of one batch apart.
        """
        return request_key_for(path, body, occurrence)

    @property
    def owner_id(self) -> str:
        """This instance's random owner id (stored with each claim it takes)."""
        return self._owner.id

    @property
    def closed(self) -> bool:
        """``aclose()`` was called: every further call raises ``JournalError``."""
        return self._engine.closed

    # ------------------------------------------------------------------ plumbing

    async def _run(self, fn: Callable[[sqlite3.Connection], T], *, write: bool = False) -> T:
        """Run ``fn(conn)`` on the journal thread (tests and maintenance)."""
        return await self._engine.run(fn, write=write)

    def for_account(self, api_key: str, api_host: str) -> Store:
        """A view of this file scoped to one account (shares the journal's thread)."""
        return self._store.for_account(api_key, api_host)

    async def open(self) -> None:
        """Open the file now (create or migrate its schema); raises ``JournalError``.

        Optional: every other call opens it on first use.
        """
        await self._store.open()

    async def aclose(self) -> None:
        """Finish queued writes, close the database on its thread and join the thread.

        Safe while writes are pending; afterwards every call raises ``JournalError``.
        This instance's unanswered ``SENDING`` claims now count as maybe submitted.
        """
        try:
            await self._engine.aclose()
        finally:
            self._owner.retire()

    # ------------------------------------------------------------------ writes

    async def claim(
        self, kind: str, path: str, request_key: str, request: Mapping[str, Any]
    ) -> JournalEntry | None:
        """Claim ``request_key`` before sending it, atomically.

        Returns ``None`` when this instance now owns the claim (a ``SENDING`` row was
        written: send the request, then :meth:`record_submitted`,
        :meth:`record_ambiguous` or :meth:`clear_intent`). Otherwise returns the row that
        was already there and writes nothing: a task (re-attach to ``task_id``), an
        ``in_flight`` claim of a live sender (wait for it), or a ``maybe_submitted`` one
        (do not send; the user decides with :meth:`forget`).
        """
        return await self._claims.claim(kind, path, request_key, request)

    async def record_submitted(
        self,
        task_id: str,
        kind: str,
        path: str,
        request_key: str | None,
        request: Mapping[str, Any],
    ) -> None:
        """Commit a new task id: the claim's placeholder becomes the task row, in one
        transaction. On failure raises ``JournalError`` carrying ``task_id``."""
        await self._claims.record_submitted(task_id, kind, path, request_key, request)

    async def record_intent(
        self, kind: str, path: str, request_key: str, request: Mapping[str, Any]
    ) -> None:
        """Commit, unconditionally, that ``request_key`` is about to be sent (``SENDING``).

        Prefer :meth:`claim`, which also tells whether someone else has sent it.
        """
        await self._claims.set_placeholder(kind, path, request_key, request, SENDING)

    async def record_ambiguous(
        self, kind: str, path: str, request_key: str, request: Mapping[str, Any]
    ) -> None:
        """Commit a request that was sent but never answered (it may have created a task).

        A later run finds it by ``request_key`` and does not send it again; the user
        decides (:meth:`forget` re-enables sending). It is never resumed: its task id
        is unknown.
        """
        await self._claims.set_placeholder(kind, path, request_key, request, MAYBE_SUBMITTED)

    async def clear_intent(self, request_key: str) -> None:
        """The send failed in a way that proves nothing was created: drop the claim."""
        await self._claims.release(request_key)

    async def record_maybe_submitted(
        self, kind: str, path: str, request_key: str, request: Mapping[str, Any]
    ) -> None:
        """The store protocol's name of :meth:`record_ambiguous`."""
        await self.record_ambiguous(kind, path, request_key, request)

    async def release(self, request_key: str) -> None:
        """The store protocol's name of :meth:`clear_intent`."""
        await self.clear_intent(request_key)

    async def forget(self, request_key: str) -> bool:
        """Remove what the journal knows about ``request_key``; returns whether it knew.

        The next batch run will send that request again (and pay for it again).
        """
        return await self._claims.forget(request_key)

    async def record_outcome(self, task_id: str, status: str, ok: bool) -> None:
        """Commit a terminal outcome."""
        await self._claims.record_outcome(task_id, status, ok)

    # ------------------------------------------------------------------ reads

    async def unfinished(self) -> list[JournalEntry]:
        """Tasks with no terminal outcome, oldest first (claims without a task id excluded)."""
        return await self._claims.unfinished()

    async def entries(self) -> list[JournalEntry]:
        """Every journaled task and claim, oldest first."""
        return await self._claims.entries()

    async def find(self, request_key: str) -> JournalEntry | None:
        """The task or claim recorded for ``request_key``, if any (see ``maybe_submitted``
        and ``in_flight``)."""
        return await self._claims.find(request_key)

    async def find_many(self, request_keys: Sequence[str]) -> dict[str, JournalEntry]:
        """The task or claim of each of ``request_keys`` that has one, by key (a batch's
        progress: reads those keys only)."""
        return await self._claims.find_many(request_keys)

    async def in_doubt(self) -> list[JournalEntry]:
        """Requests that may have created a (billed) task whose id is unknown: sent but
        never answered (``MAYBE_SUBMITTED``), or claimed by a process that died while
        sending. Surface them to the user; :meth:`forget` re-enables sending."""
        return await self._claims.in_doubt()

    # ------------------------------------------------------------------ the rest of Store
    # Rate window, job registry, callback feed and fleet secrets of the journal's file.

    async def acquire_create_slot(
        self, limit: int, per_seconds: float, *, slot_id: str | None = None
    ) -> float:
        """See :meth:`suno_async.store.Store.acquire_create_slot`."""
        return await self._store.acquire_create_slot(limit, per_seconds, slot_id=slot_id)

    async def finish_create_slot(self, slot_id: str) -> None:
        """See :meth:`suno_async.store.Store.finish_create_slot`."""
        await self._store.finish_create_slot(slot_id)

    async def release_create_slot(self, slot_id: str) -> None:
        """See :meth:`suno_async.store.Store.release_create_slot`."""
        await self._store.release_create_slot(slot_id)

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
        """See :meth:`suno_async.store.Store.put_job`."""
        await self._store.put_job(
            task_id, kind, stage=stage, status=status, record=record, final=final
        )

    async def get_job(self, task_id: str) -> JobState | None:
        """See :meth:`suno_async.store.Store.get_job`."""
        return await self._store.get_job(task_id)

    async def try_acquire(self, task_id: str, owner: str, ttl: float) -> bool:
        """See :meth:`suno_async.store.Store.try_acquire`."""
        return await self._store.try_acquire(task_id, owner, ttl)

    async def renew(self, owner: str, ttl: float) -> list[str]:
        """See :meth:`suno_async.store.Store.renew`."""
        return await self._store.renew(owner, ttl)

    async def release_lease(self, task_id: str, owner: str) -> None:
        """See :meth:`suno_async.store.Store.release_lease`."""
        await self._store.release_lease(task_id, owner)

    async def orphans(self) -> list[str]:
        """See :meth:`suno_async.store.Store.orphans`."""
        return await self._store.orphans()

    async def publish(self, task_id: str, body: str) -> None:
        """See :meth:`suno_async.store.Store.publish`."""
        await self._store.publish(task_id, body)

    def subscribe(self) -> Subscription:
        """See :meth:`suno_async.store.Store.subscribe`."""
        return self._store.subscribe()

    async def get_or_create_token(self, name: str = "webhook") -> str:
        """See :meth:`suno_async.store.Store.get_or_create_token`."""
        return await self._store.get_or_create_token(name)
