"""Paid-request claims in SQLite: the ``tasks`` table shared by the journal and ``SQLiteStore``.

A claim is taken before a task-creating POST: in one ``BEGIN IMMEDIATE`` transaction,
either a row for the request key exists (a task, or a ``SENDING`` / ``MAYBE_SUBMITTED``
placeholder) and is returned, or a ``SENDING`` placeholder owned by the caller is
inserted. So any number of threads, processes or instances over one file send one POST
per request key.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs

from ._engine import SQLiteEngine
from ._owner import Owner, owner_alive

__all__ = [
    "IN_DOUBT",
    "MAYBE_SUBMITTED",
    "SECRET_FIELDS",
    "SENDING",
    "ClaimTable",
    "JournalEntry",
    "public_body",
    "request_key_for",
]

#: Request fields never written to the journal or store (they carry secrets).
SECRET_FIELDS: Final = frozenset({"callBackUrl"})

#: Status of a request that was sent but whose reply never arrived (no task id known).
MAYBE_SUBMITTED: Final = "MAYBE_SUBMITTED"
#: Status of a request being sent right now (written before the POST). Found by a later
#: run whose owner is dead, it means the process died mid-send: as doubtful as
#: MAYBE_SUBMITTED.
SENDING: Final = "SENDING"
IN_DOUBT: Final = (MAYBE_SUBMITTED, SENDING)


def public_body(request: Mapping[str, Any]) -> str:
    """The request as stored: JSON, secret fields removed."""
    return json.dumps({k: v for k, v in request.items() if k not in SECRET_FIELDS}, sort_keys=True)


def request_key_for(path: str, body: Mapping[str, Any], occurrence: int = 0) -> str:
    """A stable key for a request: endpoint + body (minus secrets) + occurrence."""
    public = {k: v for k, v in body.items() if k not in SECRET_FIELDS}
    text = json.dumps([path, public, occurrence], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@attrs.frozen
class JournalEntry:
    """One journaled task or claim. ``ok`` is ``None`` while unfinished.

    ``in_flight``: a ``SENDING`` claim of another, live, owner (wait or re-attach; do
    not send). ``mine``: a ``SENDING`` claim of the instance that read it.
    """

    task_id: str
    kind: str
    path: str
    request_key: str | None
    request: dict[str, Any] = attrs.field(repr=False)
    submitted_at: float
    status: str | None = None
    ok: bool | None = None
    in_flight: bool = False
    mine: bool = False

    @property
    def maybe_submitted(self) -> bool:
        """The request was sent but its reply was lost, or the process sending it died:
        a task may exist, its id is unknown. Never send it again without asking."""
        if self.status == MAYBE_SUBMITTED:
            return True
        return self.status == SENDING and not self.in_flight and not self.mine

    @property
    def placeholder(self) -> bool:
        """No task id is known for this row (``SENDING`` or ``MAYBE_SUBMITTED``)."""
        return self.status in IN_DOUBT


#: Request keys per ``IN (...)`` query (well under SQLite's 999 bound parameters).
_IN_CHUNK: Final = 500

_COLUMNS: Final = (
    "task_id, kind, path, request_key, request, submitted_at, status, ok,"
    " owner_pid, owner_host, owner_id"
)


class ClaimTable:
    """Claims and journaled tasks of one account in one SQLite file (package-internal)."""

    def __init__(self, engine: SQLiteEngine, owner: Owner, account: str = "") -> None:
        self.engine = engine
        self.owner = owner
        self.account = account

    def placeholder_id(self, request_key: str) -> str:
        """Row id of a request whose task id is not known (yet)."""
        if self.account:
            return f"unknown:{self.account}:{request_key}"
        return f"unknown:{request_key}"

    def _entry(self, row: tuple[Any, ...]) -> JournalEntry:
        status = row[6]
        mine = status == SENDING and row[10] == self.owner.id
        in_flight = (
            status == SENDING and not mine and owner_alive(row[8], row[9], row[10], row[5])
        )
        return JournalEntry(
            task_id=row[0],
            kind=row[1],
            path=row[2],
            request_key=row[3],
            request=json.loads(row[4]),
            submitted_at=row[5],
            status=status,
            ok=None if row[7] is None else bool(row[7]),
            in_flight=in_flight,
            mine=mine,
        )

    def _find_row(self, conn: sqlite3.Connection, request_key: str) -> tuple[Any, ...] | None:
        # A real task row wins over a placeholder left next to it.
        row: tuple[Any, ...] | None = conn.execute(
            f"SELECT {_COLUMNS} FROM tasks WHERE account = ? AND request_key = ?"
            " ORDER BY (task_id = ?) LIMIT 1",
            (self.account, request_key, self.placeholder_id(request_key)),
        ).fetchone()
        return row

    # ------------------------------------------------------------------ writes

    async def claim(
        self, kind: str, path: str, request_key: str, request: Mapping[str, Any]
    ) -> JournalEntry | None:
        """Atomically: return the existing row for ``request_key``, or take the claim
        (insert a ``SENDING`` placeholder owned by this instance) and return ``None``."""
        text = public_body(request)
        now = time.time()
        owner = self.owner

        def write(conn: sqlite3.Connection) -> tuple[Any, ...] | None:
            row = self._find_row(conn, request_key)
            if row is not None:
                return row
            conn.execute(
                "INSERT INTO tasks(task_id, kind, path, request_key, request, submitted_at,"
                " status, account, owner_pid, owner_host, owner_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    self.placeholder_id(request_key), kind, path, request_key, text, now,
                    SENDING, self.account, owner.pid, owner.host, owner.id,
                ),
            )
            return None

        row = await self.engine.run(write, write=True)
        return None if row is None else self._entry(row)

    async def record_submitted(
        self,
        task_id: str,
        kind: str,
        path: str,
        request_key: str | None,
        request: Mapping[str, Any],
    ) -> None:
        """In one transaction: the placeholder of ``request_key`` becomes task ``task_id``."""
        text = public_body(request)
        now = time.time()
        owner = self.owner

        def write(conn: sqlite3.Connection) -> None:
            if request_key is not None:
                conn.execute(
                    "DELETE FROM tasks WHERE task_id = ?", (self.placeholder_id(request_key),)
                )
            conn.execute(
                "INSERT OR IGNORE INTO tasks(task_id, kind, path, request_key, request,"
                " submitted_at, account, owner_pid, owner_host, owner_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (task_id, kind, path, request_key, text, now, self.account,
                 owner.pid, owner.host, owner.id),
            )

        await self.engine.run(write, write=True, task_id=task_id)

    async def set_placeholder(
        self, kind: str, path: str, request_key: str, request: Mapping[str, Any], status: str
    ) -> None:
        """Insert or update the placeholder of ``request_key`` with ``status``."""
        text = public_body(request)
        now = time.time()
        owner = self.owner

        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO tasks(task_id, kind, path, request_key, request, submitted_at,"
                " status, account, owner_pid, owner_host, owner_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(task_id) DO UPDATE SET"
                " status = excluded.status, owner_pid = excluded.owner_pid,"
                " owner_host = excluded.owner_host, owner_id = excluded.owner_id",
                (
                    self.placeholder_id(request_key), kind, path, request_key, text, now,
                    status, self.account, owner.pid, owner.host, owner.id,
                ),
            )

        await self.engine.run(write, write=True)

    async def release(self, request_key: str) -> None:
        """Drop the placeholder of ``request_key`` (the send provably created nothing)."""

        def write(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM tasks WHERE task_id = ?", (self.placeholder_id(request_key),))

        await self.engine.run(write, write=True)

    async def forget(self, request_key: str) -> bool:
        """Remove every row of ``request_key``; whether there was one."""

        def write(conn: sqlite3.Connection) -> int:
            return conn.execute(
                "DELETE FROM tasks WHERE account = ? AND request_key = ?",
                (self.account, request_key),
            ).rowcount

        return await self.engine.run(write, write=True) > 0

    async def record_outcome(self, task_id: str, status: str, ok: bool) -> None:
        """Commit a terminal outcome."""
        now = time.time()

        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE tasks SET status = ?, ok = ?, finished_at = ?"
                " WHERE account = ? AND task_id = ?",
                (status, int(ok), now, self.account, task_id),
            )

        await self.engine.run(write, write=True)

    # ------------------------------------------------------------------ reads

    async def find(self, request_key: str) -> JournalEntry | None:
        """The row of ``request_key``, if any."""
        row = await self.engine.run(lambda conn: self._find_row(conn, request_key))
        return None if row is None else self._entry(row)

    async def find_many(self, request_keys: Sequence[str]) -> dict[str, JournalEntry]:
        """The row of each of ``request_keys`` that has one (as :meth:`find` picks it),
        by key: indexed reads of those keys only, however many rows the account has."""
        wanted = list(dict.fromkeys(request_keys))
        account = self.account

        def read(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
            rows: list[tuple[Any, ...]] = []
            for start in range(0, len(wanted), _IN_CHUNK):
                chunk = wanted[start:start + _IN_CHUNK]
                marks = ", ".join("?" * len(chunk))
                rows.extend(conn.execute(
                    f"SELECT {_COLUMNS} FROM tasks WHERE account = ?"
                    f" AND request_key IN ({marks})",
                    (account, *chunk),
                ))
            return rows

        found: dict[str, JournalEntry] = {}
        for row in await self.engine.run(read):
            key = row[3]
            # A real task row wins over a placeholder left next to it (as in find()).
            if key not in found or found[key].task_id == self.placeholder_id(key):
                found[key] = self._entry(row)
        return found

    async def select(self, where: str, args: tuple[Any, ...]) -> list[JournalEntry]:
        """Rows of this account matching ``where`` (an SQL condition and order)."""
        query = f"SELECT {_COLUMNS} FROM tasks WHERE account = ? AND {where}"
        params = (self.account, *args)

        def read(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
            return list(conn.execute(query, params))

        return [self._entry(row) for row in await self.engine.run(read)]

    async def unfinished(self) -> list[JournalEntry]:
        """Tasks with no terminal outcome, oldest first (placeholders excluded)."""
        return await self.select(
            "ok IS NULL AND (status IS NULL OR status NOT IN (?, ?)) ORDER BY submitted_at",
            IN_DOUBT,
        )

    async def entries(self) -> list[JournalEntry]:
        """Every row, oldest first."""
        return await self.select("1 ORDER BY submitted_at", ())

    async def in_doubt(self) -> list[JournalEntry]:
        """Requests that may have created a task whose id is unknown, oldest first:
        ``MAYBE_SUBMITTED``, and ``SENDING`` claims whose owner is dead or stale."""
        rows = await self.select("status IN (?, ?) ORDER BY submitted_at", IN_DOUBT)
        return [entry for entry in rows if entry.maybe_submitted]
