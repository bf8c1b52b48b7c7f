"""One SQLite connection owned by one thread: the engine under the journal and ``SQLiteStore``.

The connection is opened, used and closed only on the engine's own thread; the event
loop hands it work through a queue and awaits a future. Every write runs inside one
``BEGIN IMMEDIATE ... COMMIT``; a write that finds the file locked is retried (SQLite's
busy handler, then a bounded loop) and, when it still cannot commit, or on any other
SQLite failure (corrupted, truncated, read-only, newer schema), raises
:class:`~suno_async.errors.JournalError` — never a raw ``sqlite3`` exception.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any, Final, TypeVar

import attrs

from ..config import STORE_BUSY_TIMEOUT_PER_ATTEMPT, STORE_LOCK_RETRY_PAUSE, STORE_LOCK_TIMEOUT
from ..errors import JournalError
from ._schema import setup_schema

__all__ = [
    "DEFAULT_LOCK_TIMEOUT",
    "LOCK_RETRY_PAUSE",
    "SQLiteEngine",
]

T = TypeVar("T")

#: A write waits at most this long, in total, for another process's lock (seconds).
DEFAULT_LOCK_TIMEOUT: Final = STORE_LOCK_TIMEOUT
BUSY_TIMEOUT_PER_ATTEMPT: Final = STORE_BUSY_TIMEOUT_PER_ATTEMPT
LOCK_RETRY_PAUSE: Final = STORE_LOCK_RETRY_PAUSE


def _is_lock_error(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


@attrs.define
class _Work:
    fn: Callable[[sqlite3.Connection], Any]
    write: bool
    task_id: str | None
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]


def _retrieve(future: asyncio.Future[Any]) -> None:
    """Mark a result as seen (its caller may have been cancelled meanwhile)."""
    if not future.cancelled():
        future.exception()


def _wal_mode(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA journal_mode=WAL").fetchall()


def _settle_none(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class SQLiteEngine:
    """A SQLite file served by one dedicated thread (package-internal interface).

    ``await engine.run(fn, write=True)`` runs ``fn(conn)`` on the engine thread inside one
    transaction and returns its result. ``await engine.aclose()`` lets queued work finish,
    closes the connection on its thread and joins the thread; later calls raise
    ``JournalError``.
    """

    def __init__(
        self,
        path: str,
        *,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        synchronous: str = "FULL",
    ) -> None:
        self.path = path
        self.lock_timeout = lock_timeout
        self._synchronous = synchronous
        self._queue: queue.SimpleQueue[_Work | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._guard = threading.Lock()
        self._exited = False
        self._close_waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []

    @property
    def closed(self) -> bool:
        """``aclose()`` was called."""
        return self._closed

    @property
    def thread(self) -> threading.Thread | None:
        """The engine thread (``None`` before the first call)."""
        return self._thread

    # ------------------------------------------------------------------ loop side

    async def run(
        self,
        fn: Callable[[sqlite3.Connection], T],
        *,
        write: bool = False,
        task_id: str | None = None,
    ) -> T:
        """Run ``fn(conn)`` on the engine thread (one transaction when ``write``)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        with self._guard:
            if self._closed:
                raise JournalError(f"{self._name()} is closed", task_id=task_id)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._serve, name="suno-async-store", daemon=True
                )
                self._thread.start()
            self._queue.put(_Work(fn, write, task_id, loop, future))
        future.add_done_callback(_retrieve)
        # Shielded: work already queued runs to its end even if the caller is cancelled
        # (a write that reaches the file is never half-abandoned).
        return await asyncio.shield(future)

    async def aclose(self) -> None:
        """Finish queued work, close the connection on its thread, join the thread."""
        with self._guard:
            if self._closed:
                thread = self._thread
            else:
                self._closed = True
                thread = self._thread
                if thread is not None:
                    self._queue.put(None)
        if thread is None:
            return
        loop = asyncio.get_running_loop()
        exited: asyncio.Future[None] = loop.create_future()
        with self._guard:
            if not self._exited:
                self._close_waiters.append((loop, exited))
            else:
                exited.set_result(None)
        await asyncio.shield(exited)
        thread.join()  # returns at once: the thread has left its loop

    def _name(self) -> str:
        return f"store {os.path.basename(self.path)!r}"

    # ------------------------------------------------------------------ engine thread

    def _serve(self) -> None:
        conn: sqlite3.Connection | None = None
        try:
            while True:
                work = self._queue.get()
                if work is None:
                    break
                if conn is None:
                    # (Re)try opening per call: a file locked past the timeout, or fixed
                    # by the user meanwhile, works on a later call.
                    try:
                        conn = self._open()
                    except sqlite3.Error as exc:
                        error = self._error(exc, work.task_id, "cannot be opened")
                        self._deliver(work, None, error)
                        continue
                    except JournalError as exc:
                        self._deliver(work, None, JournalError(str(exc), task_id=work.task_id))
                        continue
                try:
                    result = self._execute(conn, work)
                except JournalError as exc:
                    self._deliver(work, None, exc)
                except Exception as exc:  # a bug in fn: hand it over, keep serving
                    self._deliver(work, None, exc)
                else:
                    self._deliver(work, result, None)
        finally:
            if conn is not None:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            with self._guard:
                self._exited = True
                waiters, self._close_waiters = self._close_waiters, []
            for loop, future in waiters:
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(_settle_none, future)

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, timeout=min(BUSY_TIMEOUT_PER_ATTEMPT, self.lock_timeout),
            isolation_level=None,
        )
        try:
            # Two processes opening a new file at once may see SQLITE_BUSY on the switch
            # to WAL without the busy handler being consulted: retried like any lock.
            self._with_retry(conn, _wal_mode, False)
            conn.execute(f"PRAGMA synchronous={self._synchronous}")
            self._with_retry(conn, lambda c: setup_schema(c, self.path), True)
        except BaseException:
            conn.close()
            raise
        return conn

    def _execute(self, conn: sqlite3.Connection, work: _Work) -> Any:
        try:
            return self._with_retry(conn, work.fn, work.write)
        except sqlite3.Error as exc:
            what = "write failed" if work.write else "read failed"
            raise self._error(exc, work.task_id, what) from exc

    def _with_retry(
        self, conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], Any], write: bool
    ) -> Any:
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                if not write:
                    return fn(conn)
                conn.execute("BEGIN IMMEDIATE")
                try:
                    result = fn(conn)
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        with contextlib.suppress(sqlite3.Error):
                            conn.execute("ROLLBACK")
                    raise
                return result
            except sqlite3.Error as exc:
                if not _is_lock_error(exc) or time.monotonic() >= deadline:
                    raise
                time.sleep(LOCK_RETRY_PAUSE)

    def _error(self, exc: sqlite3.Error, task_id: str | None, what: str) -> JournalError:
        if _is_lock_error(exc):
            hint = f"locked by another process for more than {self.lock_timeout:g} s"
        else:
            hint = f"{type(exc).__name__}: {exc}"
        message = f"{self._name()} {what} ({hint})"
        if task_id is not None:
            message += f"; the paid task {task_id} is not recorded in it: keep its id"
        error = JournalError(message, task_id=task_id)
        error.__cause__ = exc
        return error

    @staticmethod
    def _deliver(work: _Work, result: Any, error: BaseException | None) -> None:
        def settle() -> None:
            if work.future.done():
                return
            if error is not None:
                work.future.set_exception(error)
            else:
                work.future.set_result(result)

        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody waits
            work.loop.call_soon_threadsafe(settle)
