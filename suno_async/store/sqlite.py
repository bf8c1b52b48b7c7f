"""``SQLiteStore``: the shared store for several processes on one machine (one file, WAL).

Every operation is one short transaction on the store's own thread (never on the event
loop). Callbacks travel through a change-feed table that each subscription reads every
:data:`FEED_POLL_INTERVAL` seconds. The journal (``SunoClient(journal=...)``) is this
store's claims table: a journal file can be opened as a ``SQLiteStore`` and back.

>>> import asyncio, os, tempfile
>>> from suno_async.store import SQLiteStore
>>> async def main():
...     store = SQLiteStore(os.path.join(tempfile.mkdtemp(), "store.sqlite3"))
...     await store.open()
...     account = store.for_account("sk-key", "https://api.kie.ai")
...     won = await account.claim("music", "/api/v1/generate", "k1", {"prompt": "x"})
...     slot = await account.acquire_create_slot(20, 10.0)
...     token = await account.get_or_create_token()
...     same = await account.get_or_create_token()
...     await store.aclose()
...     return won, slot, token == same
>>> asyncio.run(main())
(None, 0.0, True)
"""

from __future__ import annotations

import asyncio
import os
import secrets
import sqlite3
import time
import types
import weakref
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any, Final, Self

from ..config import (
    FEED_BATCH,
    FEED_POLL_INTERVAL,
    FEED_RETENTION,
    SLOT_PENDING_MAX,
    SLOT_PENDING_POLL,
    SLOT_RETENTION,
    STORE_JOB_RETENTION,
    STORE_PRUNE_INTERVAL,
    STORE_TOKEN_BYTES,
)
from ._claims import MAYBE_SUBMITTED, ClaimTable, JournalEntry
from ._engine import DEFAULT_LOCK_TIMEOUT, SQLiteEngine
from ._keys import account_key
from ._owner import Owner
from .base import Callback, JobState, Store, StoreError, job_retention_seconds

__all__ = [
    "FEED_POLL_INTERVAL", "FEED_RETENTION", "SLOT_RETENTION", "SQLiteStore", "store_view",
]

# Defaults live in suno_async.config.
TOKEN_BYTES: Final = STORE_TOKEN_BYTES

_JOB_COLUMNS: Final = "task_id, kind, stage, status, record, final, updated_at, owner, lease_until"


class SQLiteStore(Store):
    """The shared store in one SQLite file (several processes on one machine).

    ``SQLiteStore(path)`` is unscoped; ``for_account(api_key, api_host)`` returns a view
    scoped to one account that shares the file's thread. Close the root to release it.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        account: str = "",
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        job_retention: float = STORE_JOB_RETENTION,
    ) -> None:
        self.path = os.fspath(path)
        self.account = account
        #: How long a finished job's row is kept (seconds; claims are kept for good).
        self.job_retention = job_retention_seconds(job_retention)
        self._pruned_at = 0.0
        self._engine = SQLiteEngine(self.path, lock_timeout=lock_timeout)
        self._owner = Owner.new()
        self._root = True
        self._claims = ClaimTable(self._engine, self._owner, account)
        weakref.finalize(self, self._owner.retire)

    def __repr__(self) -> str:
        return f"SQLiteStore({self.path!r}, account={self.account[:8]!r})"

    @property
    def owner_id(self) -> str:
        """This instance's random owner id (claims; use it as the lease owner too)."""
        return self._owner.id

    def for_account(self, api_key: str, api_host: str) -> SQLiteStore:
        """A view scoped to one account; it shares this store's file and thread."""
        view = store_view(self._engine, self._owner, account_key(api_key, api_host))
        view.job_retention = self.job_retention
        return view

    async def open(self) -> None:
        """Open the file and create or migrate its schema; raises ``JournalError``."""
        await self._engine.run(lambda conn: conn.execute("SELECT 1").fetchall())

    async def aclose(self) -> None:
        """Finish queued work and close the file (a view leaves it to its root)."""
        if not self._root:
            return
        try:
            await self._engine.aclose()
        finally:
            self._owner.retire()

    # ------------------------------------------------------------------ claims

    async def claim(
        self, kind: str, path: str, request_key: str, request: Mapping[str, Any]
    ) -> JournalEntry | None:
        """See :meth:`suno_async.journal.Journal.claim`."""
        return await self._claims.claim(kind, path, request_key, request)

    async def record_submitted(
        self,
        task_id: str,
        kind: str,
        path: str,
        request_key: str | None,
        request: Mapping[str, Any],
    ) -> None:
        """The claim became task ``task_id`` (one transaction)."""
        await self._claims.record_submitted(task_id, kind, path, request_key, request)

    async def record_maybe_submitted(
        self, kind: str, path: str, request_key: str, request: Mapping[str, Any]
    ) -> None:
        """The request was sent and its reply lost."""
        await self._claims.set_placeholder(kind, path, request_key, request, MAYBE_SUBMITTED)

    async def release(self, request_key: str) -> None:
        """Drop the claim (nothing was created)."""
        await self._claims.release(request_key)

    async def forget(self, request_key: str) -> bool:
        """Remove everything known about ``request_key``."""
        return await self._claims.forget(request_key)

    async def find(self, request_key: str) -> JournalEntry | None:
        """The task or claim of ``request_key``."""
        return await self._claims.find(request_key)

    async def find_many(self, request_keys: Sequence[str]) -> dict[str, JournalEntry]:
        """The task or claim of each of ``request_keys`` that has one, by key (a batch's
        progress: reads those keys only)."""
        return await self._claims.find_many(request_keys)

    async def in_doubt(self) -> list[JournalEntry]:
        """Claims that may have created a task whose id is unknown."""
        return await self._claims.in_doubt()

    async def unfinished(self) -> list[JournalEntry]:
        """Submitted tasks without an outcome."""
        return await self._claims.unfinished()

    async def entries(self) -> list[JournalEntry]:
        """Every task and claim of the account, oldest first."""
        return await self._claims.entries()

    async def record_outcome(self, task_id: str, status: str, ok: bool) -> None:
        """A task's terminal outcome."""
        await self._claims.record_outcome(task_id, status, ok)

    # ------------------------------------------------------------------ rate budget

    async def acquire_create_slot(
        self, limit: int, per_seconds: float, *, slot_id: str | None = None
    ) -> float:
        """Take a slot of the account's sliding window (``0.0``) or the seconds to wait."""
        if limit < 1 or not per_seconds > 0:
            raise ValueError("acquire_create_slot needs limit >= 1 and per_seconds > 0")
        account = self.account

        def write(conn: sqlite3.Connection) -> float:
            now = time.time()
            conn.execute(
                "DELETE FROM rate_slots WHERE account = ? AND (at < ? OR (pending = 1 AND at < ?))",
                (account, now - per_seconds - SLOT_RETENTION, now - SLOT_PENDING_MAX),
            )
            done = [
                float(row[0])
                for row in conn.execute(
                    "SELECT at FROM rate_slots WHERE account = ? AND pending = 0 AND at > ?"
                    " ORDER BY at",
                    (account, now - per_seconds),
                )
            ]
            (in_flight,) = conn.execute(
                "SELECT COUNT(*) FROM rate_slots WHERE account = ? AND pending = 1",
                (account,),
            ).fetchone()
            used = len(done) + int(in_flight)
            if used < limit:
                conn.execute(
                    "INSERT INTO rate_slots(account, at, slot_id, pending) VALUES (?, ?, ?, ?)",
                    (account, now, slot_id, int(slot_id is not None)),
                )
                return 0.0
            return _slot_wait(done, used, limit, per_seconds, now)

        return await self._engine.run(write, write=True)

    async def finish_create_slot(self, slot_id: str) -> None:
        """The slot ``slot_id`` counts from now (its create's reply arrived)."""
        account = self.account

        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE rate_slots SET at = MAX(at, ?), pending = 0"
                " WHERE account = ? AND slot_id = ?",
                (time.time(), account, slot_id),
            )

        await self._engine.run(write, write=True)

    async def release_create_slot(self, slot_id: str) -> None:
        """Give back the in-flight slot ``slot_id`` (nothing was sent with it)."""
        account = self.account

        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                "DELETE FROM rate_slots WHERE account = ? AND slot_id = ? AND pending = 1",
                (account, slot_id),
            )

        await self._engine.run(write, write=True)

    # ------------------------------------------------------------------ job registry

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
        """Record a task's latest state; ``final`` also ends its lease.

        A final write also drops finished rows older than ``job_retention`` (at most
        every ``STORE_PRUNE_INTERVAL`` per store object)."""
        account = self.account
        now = time.time()
        prune = final and now - self._pruned_at >= min(STORE_PRUNE_INTERVAL, self.job_retention)
        expired = now - self.job_retention

        def write(conn: sqlite3.Connection) -> None:
            if prune:
                conn.execute(
                    "DELETE FROM jobs WHERE account = ? AND final = 1 AND updated_at < ?",
                    (account, expired),
                )
            conn.execute(
                "INSERT INTO jobs(account, task_id, kind, stage, status, record, final,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(account, task_id) DO UPDATE SET kind = excluded.kind,"
                " stage = COALESCE(excluded.stage, stage),"
                " status = COALESCE(excluded.status, status),"
                " record = COALESCE(excluded.record, record),"
                " final = MAX(final, excluded.final), updated_at = excluded.updated_at",
                (account, task_id, kind, stage, status, record, int(final), now),
            )
            if final:
                conn.execute(
                    "UPDATE jobs SET owner = NULL, lease_until = NULL"
                    " WHERE account = ? AND task_id = ?",
                    (account, task_id),
                )

        await self._engine.run(write, write=True)
        if prune:
            self._pruned_at = now  # only once a prune has happened

    async def get_job(self, task_id: str) -> JobState | None:
        """The registry's view of ``task_id``."""
        account = self.account

        def read(conn: sqlite3.Connection) -> tuple[Any, ...] | None:
            row: tuple[Any, ...] | None = conn.execute(
                f"SELECT {_JOB_COLUMNS} FROM jobs WHERE account = ? AND task_id = ?",
                (account, task_id),
            ).fetchone()
            return row

        row = await self._engine.run(read)
        if row is None:
            return None
        return JobState(
            task_id=row[0], kind=row[1], stage=row[2], status=row[3], record=row[4],
            final=bool(row[5]), updated_at=row[6], owner=row[7], lease_until=row[8],
        )

    async def try_acquire(self, task_id: str, owner: str, ttl: float) -> bool:
        """Take the lease of ``task_id`` when free, expired or already ``owner``'s."""
        account = self.account

        def write(conn: sqlite3.Connection) -> bool:
            now = time.time()
            row = conn.execute(
                "SELECT owner, lease_until, final FROM jobs WHERE account = ? AND task_id = ?",
                (account, task_id),
            ).fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO jobs(account, task_id, kind, updated_at, owner, lease_until)"
                    " VALUES (?, ?, '', ?, ?, ?)",
                    (account, task_id, now, owner, now + ttl),
                )
                return True
            held_by, until, final = row
            if final:
                return False
            if held_by not in (None, owner) and until is not None and until > now:
                return False
            conn.execute(
                "UPDATE jobs SET owner = ?, lease_until = ? WHERE account = ? AND task_id = ?",
                (owner, now + ttl, account, task_id),
            )
            return True

        return await self._engine.run(write, write=True)

    async def renew(self, owner: str, ttl: float) -> list[str]:
        """Extend every lease ``owner`` holds by ``ttl`` from now; the task ids held."""
        account = self.account

        def write(conn: sqlite3.Connection) -> list[str]:
            conn.execute(
                "UPDATE jobs SET lease_until = ? WHERE account = ? AND owner = ?",
                (time.time() + ttl, account, owner),
            )
            return [
                row[0]
                for row in conn.execute(
                    "SELECT task_id FROM jobs WHERE account = ? AND owner = ? ORDER BY task_id",
                    (account, owner),
                )
            ]

        return await self._engine.run(write, write=True)

    async def release_lease(self, task_id: str, owner: str) -> None:
        """Give up the lease of ``task_id`` if ``owner`` holds it."""
        account = self.account

        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE jobs SET owner = NULL, lease_until = NULL"
                " WHERE account = ? AND task_id = ? AND owner = ?",
                (account, task_id, owner),
            )

        await self._engine.run(write, write=True)

    async def orphans(self) -> list[str]:
        """Unfinished jobs whose lease is missing or expired."""
        account = self.account

        def read(conn: sqlite3.Connection) -> list[str]:
            return [
                row[0]
                for row in conn.execute(
                    "SELECT task_id FROM jobs WHERE account = ? AND final = 0"
                    " AND (lease_until IS NULL OR lease_until < ?) ORDER BY updated_at",
                    (account, time.time()),
                )
            ]

        return await self._engine.run(read)

    # ------------------------------------------------------------------ callbacks

    async def publish(self, task_id: str, body: str) -> None:
        """Append a callback to the feed every subscription reads."""
        account = self.account

        def write(conn: sqlite3.Connection) -> None:
            now = time.time()
            conn.execute(
                "INSERT INTO feed(account, task_id, body, at) VALUES (?, ?, ?, ?)",
                (account, task_id, body, now),
            )
            conn.execute("DELETE FROM feed WHERE at < ?", (now - FEED_RETENTION,))

        await self._engine.run(write, write=True)

    def subscribe(self) -> _FeedSubscription:
        """Callbacks published from entry on (read every ``FEED_POLL_INTERVAL`` s)."""
        return _FeedSubscription(self._engine, self.account)

    # ------------------------------------------------------------------ secrets

    async def get_or_create_token(self, name: str = "webhook") -> str:
        """The account's shared secret ``name``, created on first use."""
        account = self.account
        candidate = secrets.token_urlsafe(TOKEN_BYTES)

        def write(conn: sqlite3.Connection) -> str:
            conn.execute(
                "INSERT OR IGNORE INTO secrets(account, name, value) VALUES (?, ?, ?)",
                (account, name, candidate),
            )
            (value,) = conn.execute(
                "SELECT value FROM secrets WHERE account = ? AND name = ?", (account, name)
            ).fetchone()
            return str(value)

        return await self._engine.run(write, write=True)


def store_view(engine: SQLiteEngine, owner: Owner, account: str = "") -> SQLiteStore:
    """A ``SQLiteStore`` over an engine someone else owns and closes (package-internal:
    the journal and :meth:`SQLiteStore.for_account` use it); closing the view is a no-op."""
    view = object.__new__(SQLiteStore)
    view.path = engine.path
    view.account = account
    view._engine = engine
    view._owner = owner
    view._root = False
    view._claims = ClaimTable(engine, owner, account)
    view.job_retention = STORE_JOB_RETENTION
    view._pruned_at = 0.0
    return view



def _slot_wait(done: list[float], used: int, limit: int, per: float, now: float) -> float:
    """Seconds until the window may have a free slot (``done``: finished slot times, sorted).

    Enough finished slots must leave the window for ``used`` to drop below ``limit``: the
    ``used - limit``-th oldest leaves at its time + ``per``. When in-flight slots alone
    fill it, their replies decide: ask again soon.
    """
    index = used - limit
    if index < len(done):
        return max(done[index] + per - now, 1e-3)
    return SLOT_PENDING_POLL


class _FeedSubscription:
    """Reads the feed table from its last row at entry, every ``FEED_POLL_INTERVAL``."""

    def __init__(self, engine: SQLiteEngine, account: str) -> None:
        self._engine = engine
        self._account = account
        self._cursor: int | None = None
        self._buffer: deque[Callback] = deque()
        self._closed = False

    async def __aenter__(self) -> Self:
        def read(conn: sqlite3.Connection) -> int:
            (top,) = conn.execute("SELECT COALESCE(MAX(id), 0) FROM feed").fetchone()
            return int(top)

        self._cursor = await self._engine.run(read)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: types.TracebackType | None,
    ) -> None:
        self._closed = True

    def close(self) -> None:
        """Stop iterating at the next read of the feed."""
        self._closed = True

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> Callback:
        if self._cursor is None:
            raise StoreError("enter the subscription first: async with store.subscribe() as s")
        while not self._buffer:
            if self._closed:
                raise StopAsyncIteration
            cursor, account = self._cursor, self._account

            def read(
                conn: sqlite3.Connection, cursor: int = cursor, account: str = account
            ) -> list[tuple[Any, ...]]:
                return list(
                    conn.execute(
                        "SELECT id, task_id, body, at FROM feed WHERE id > ? AND account = ?"
                        " ORDER BY id LIMIT ?",
                        (cursor, account, FEED_BATCH),
                    )
                )

            rows = await self._engine.run(read)
            if rows:
                self._cursor = int(rows[-1][0])
                self._buffer.extend(Callback(r[1], r[2], r[3]) for r in rows)
            else:
                await asyncio.sleep(FEED_POLL_INTERVAL)
        return self._buffer.popleft()
