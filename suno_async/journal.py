"""A crash-safe journal of submitted tasks (stdlib ``sqlite3``, off the event loop).

Each task id is committed the moment the API returns it, with its kind, the request
body (without the callback URL, which holds a secret token) and a dedupe key; each
terminal outcome is recorded too. After a crash, ``await client.resume()`` re-attaches
every unfinished task, and ``generate_many`` skips requests already submitted, so a
batch never pays twice for the same work.

>>> import asyncio, tempfile, os
>>> from suno_async.journal import Journal
>>> async def main():
...     path = os.path.join(tempfile.mkdtemp(), "jobs.sqlite3")
...     journal = Journal(path)
...     key = Journal.key_for("/api/v1/generate", {"prompt": "x", "callBackUrl": "secret"})
...     await journal.record_submitted("t1", "music", "/api/v1/generate", key, {"prompt": "x"})
...     entries = await journal.unfinished()
...     found = await journal.find(key)
...     await journal.aclose()
...     return [(e.task_id, e.kind) for e in entries], found.task_id
>>> asyncio.run(main())
([('t1', 'music')], 't1')
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

import attrs

__all__ = ["MAYBE_SUBMITTED", "SENDING", "Journal", "JournalEntry"]

T = TypeVar("T")

#: Request fields never written to the journal (they carry secrets).
_SECRET_FIELDS: Final = frozenset({"callBackUrl"})

#: Status of a request that was sent but whose reply never arrived (no task id known).
MAYBE_SUBMITTED: Final = "MAYBE_SUBMITTED"
#: Status of a request being sent right now (written before the POST). Found by a
#: later run, it means the process died mid-send: as doubtful as MAYBE_SUBMITTED.
SENDING: Final = "SENDING"
_IN_DOUBT: Final = (MAYBE_SUBMITTED, SENDING)

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS tasks (
    task_id      TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    path         TEXT NOT NULL,
    request_key  TEXT,
    request      TEXT NOT NULL,
    submitted_at REAL NOT NULL,
    status       TEXT,
    ok           INTEGER,
    finished_at  REAL
);
CREATE INDEX IF NOT EXISTS tasks_key ON tasks(request_key);
"""


@attrs.frozen
class JournalEntry:
    """One journaled task. ``ok`` is ``None`` while unfinished."""

    task_id: str
    kind: str
    path: str
    request_key: str | None
    request: dict[str, Any] = attrs.field(repr=False)
    submitted_at: float
    status: str | None = None
    ok: bool | None = None

    @property
    def maybe_submitted(self) -> bool:
        """The request was sent but its reply was lost (or the process died while
        sending it): a task may exist, its id is unknown."""
        return self.status in _IN_DOUBT


def _placeholder_id(request_key: str) -> str:
    """Row id of a request whose task id is not known (yet)."""
    return f"unknown:{request_key}"


class Journal:
    """The journal file. One writer thread; every write is committed before returning."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self._conn: sqlite3.Connection | None = None

    def __repr__(self) -> str:
        return f"Journal({self.path!r})"

    @staticmethod
    def key_for(path: str, body: Mapping[str, Any], occurrence: int = 0) -> str:
        """A stable key for a request: endpoint + body (minus secrets) + occurrence.

        ``occurrence`` tells identical requests of one batch apart.
        """
        public = {k: v for k, v in body.items() if k not in _SECRET_FIELDS}
        text = json.dumps([path, public, occurrence], sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    # ------------------------------------------------------------------ plumbing

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")  # an intent must survive power loss
            conn.executescript(_SCHEMA)
            self._conn = conn
        return self._conn

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        if self._executor is None:
            self._executor = concurrent.futures.ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="suno-async-journal"
            )
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: fn(self._connect()))

    async def aclose(self) -> None:
        """Close the database and its thread."""
        executor, self._executor = self._executor, None
        if executor is None:
            return

        def close() -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

        loop = asyncio.get_running_loop()
        await loop.run_in_executor(executor, close)
        executor.shutdown(wait=True)

    # ------------------------------------------------------------------ writes

    async def record_submitted(
        self,
        task_id: str,
        kind: str,
        path: str,
        request_key: str | None,
        request: Mapping[str, Any],
    ) -> None:
        """Commit a new task id (before anything else happens to it)."""
        public = {k: v for k, v in request.items() if k not in _SECRET_FIELDS}
        text = json.dumps(public, sort_keys=True)
        now = time.time()

        def write(conn: sqlite3.Connection) -> None:
            with conn:  # one transaction: the intent becomes the task
                if request_key is not None:
                    conn.execute(
                        "DELETE FROM tasks WHERE task_id = ?", (_placeholder_id(request_key),)
                    )
                conn.execute(
                    "INSERT OR IGNORE INTO tasks(task_id, kind, path, request_key, request,"
                    " submitted_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (task_id, kind, path, request_key, text, now),
                )

        await self._run(write)

    async def record_intent(
        self, kind: str, path: str, request_key: str, request: Mapping[str, Any]
    ) -> None:
        """Commit, before sending, that ``request_key`` is about to be sent (``SENDING``).

        If the process dies before the reply, a later run finds this row and treats
        the request as possibly submitted instead of paying for it again.
        """
        await self._insert_placeholder(kind, path, request_key, request, SENDING)

    async def record_ambiguous(
        self, kind: str, path: str, request_key: str, request: Mapping[str, Any]
    ) -> None:
        """Commit a request that was sent but never answered (it may have created a task).

        A later run finds it by ``request_key`` and does not send it again; the user
        decides (:meth:`forget` re-enables sending). It is never resumed: its task id
        is unknown.
        """
        await self._insert_placeholder(kind, path, request_key, request, MAYBE_SUBMITTED)

    async def _insert_placeholder(
        self, kind: str, path: str, request_key: str, request: Mapping[str, Any], status: str
    ) -> None:
        public = {k: v for k, v in request.items() if k not in _SECRET_FIELDS}
        text = json.dumps(public, sort_keys=True)
        now = time.time()

        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO tasks(task_id, kind, path, request_key, request, submitted_at,"
                " status) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(task_id) DO UPDATE SET"
                " status = excluded.status",
                (_placeholder_id(request_key), kind, path, request_key, text, now, status),
            )

        await self._run(write)

    async def clear_intent(self, request_key: str) -> None:
        """The send failed in a way that proves nothing was created: drop the intent."""

        def delete(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM tasks WHERE task_id = ?", (_placeholder_id(request_key),))

        await self._run(delete)

    async def forget(self, request_key: str) -> bool:
        """Remove what the journal knows about ``request_key``; returns whether it knew.

        The next batch run will send that request again (and pay for it again).
        """

        def delete(conn: sqlite3.Connection) -> int:
            return conn.execute("DELETE FROM tasks WHERE request_key = ?", (request_key,)).rowcount

        return await self._run(delete) > 0

    async def record_outcome(self, task_id: str, status: str, ok: bool) -> None:
        """Commit a terminal outcome."""
        now = time.time()

        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE tasks SET status = ?, ok = ?, finished_at = ? WHERE task_id = ?",
                (status, int(ok), now, task_id),
            )

        await self._run(write)

    # ------------------------------------------------------------------ reads

    async def unfinished(self) -> list[JournalEntry]:
        """Tasks with no terminal outcome, oldest first (ambiguous sends excluded)."""
        return await self._select(
            "WHERE ok IS NULL AND (status IS NULL OR status NOT IN (?, ?)) ORDER BY submitted_at",
            _IN_DOUBT,
        )

    async def entries(self) -> list[JournalEntry]:
        """Every journaled task, oldest first."""
        return await self._select("ORDER BY submitted_at", ())

    async def find(self, request_key: str) -> JournalEntry | None:
        """The task submitted for ``request_key``, if any (see ``maybe_submitted``)."""
        found = await self._select("WHERE request_key = ? LIMIT 1", (request_key,))
        return found[0] if found else None

    async def _select(self, where: str, args: tuple[Any, ...]) -> list[JournalEntry]:
        query = (
            "SELECT task_id, kind, path, request_key, request, submitted_at, status, ok"
            f" FROM tasks {where}"
        )

        def read(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
            return list(conn.execute(query, args))

        rows = await self._run(read)
        return [
            JournalEntry(
                task_id=row[0],
                kind=row[1],
                path=row[2],
                request_key=row[3],
                request=json.loads(row[4]),
                submitted_at=row[5],
                status=row[6],
                ok=None if row[7] is None else bool(row[7]),
            )
            for row in rows
        ]
