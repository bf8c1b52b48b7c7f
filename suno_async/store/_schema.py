"""The SQLite schema of the journal and ``SQLiteStore``, versioned with ``PRAGMA user_version``.

Version 0 is the 0.1.0 journal (one ``tasks`` table); it is migrated in place by adding
columns. A file written by a newer suno-async (a version above :data:`SCHEMA_VERSION`)
is refused with a clear error: nothing is dropped or rewritten.
"""

from __future__ import annotations

import sqlite3
from typing import Final

from ..errors import JournalError

__all__ = ["SCHEMA_VERSION", "setup_schema"]

#: The schema this code reads and writes.
SCHEMA_VERSION: Final = 1

_TASKS_V0: Final = """
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
)
"""

#: Columns added to ``tasks`` by version 1: the account scope and the claim's owner.
_TASKS_V1_COLUMNS: Final = (
    ("account", "TEXT NOT NULL DEFAULT ''"),
    ("owner_pid", "INTEGER"),
    ("owner_host", "TEXT"),
    ("owner_id", "TEXT"),
)

_V1_TABLES: Final = (
    "CREATE INDEX IF NOT EXISTS tasks_account_key ON tasks(account, request_key)",
    # The shared rate budget: one row per create slot taken.
    """CREATE TABLE IF NOT EXISTS rate_slots (
        account TEXT NOT NULL,
        at      REAL NOT NULL,
        slot_id TEXT,
        pending INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX IF NOT EXISTS rate_slots_at ON rate_slots(account, at)",
    # The job registry and its owner leases.
    """CREATE TABLE IF NOT EXISTS jobs (
        account     TEXT NOT NULL,
        task_id     TEXT NOT NULL,
        kind        TEXT NOT NULL,
        stage       TEXT,
        status      TEXT,
        record      TEXT,
        updated_at  REAL NOT NULL,
        final       INTEGER NOT NULL DEFAULT 0,
        owner       TEXT,
        lease_until REAL,
        PRIMARY KEY (account, task_id)
    )""",
    "CREATE INDEX IF NOT EXISTS jobs_owner ON jobs(account, owner)",
    "CREATE INDEX IF NOT EXISTS jobs_open ON jobs(account, final, lease_until)",
    # The callback change feed: every process reads rows above its last seen id.
    """CREATE TABLE IF NOT EXISTS feed (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL,
        task_id TEXT NOT NULL,
        body    TEXT NOT NULL,
        at      REAL NOT NULL
    )""",
    # Fleet-wide secrets kept in the store (the webhook token).
    """CREATE TABLE IF NOT EXISTS secrets (
        account TEXT NOT NULL,
        name    TEXT NOT NULL,
        value   TEXT NOT NULL,
        PRIMARY KEY (account, name)
    )""",
)


def setup_schema(conn: sqlite3.Connection, path: str) -> None:
    """Create or migrate the schema (run inside the engine's write transaction)."""
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    if version > SCHEMA_VERSION:
        raise JournalError(
            f"{path} was written by a newer suno-async (schema {version}; this version"
            f" reads up to {SCHEMA_VERSION}): upgrade suno-async, or use another file"
        )
    if version == SCHEMA_VERSION:
        return
    conn.execute(_TASKS_V0)
    present = {row[1] for row in conn.execute("PRAGMA table_info(tasks)")}
    for name, decl in _TASKS_V1_COLUMNS:
        if name not in present:
            conn.execute(f"ALTER TABLE tasks ADD COLUMN {name} {decl}")
    for statement in _V1_TABLES:
        conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
