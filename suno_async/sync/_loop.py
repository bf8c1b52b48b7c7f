"""One asyncio event loop on one named daemon thread, and blocking calls into it.

The sync client and the sync sandbox each own one :class:`LoopThread`. A call from any
other thread (a plain script, a thread that runs its own event loop, a notebook cell)
submits a coroutine to that loop and waits for it with a finite timeout. Interrupting
the wait (``KeyboardInterrupt``, a timeout) cancels the coroutine on the loop and waits,
bounded, until the cancellation has run, so nothing is left half-done behind the caller.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar, cast

from ..errors import ClientClosedError

__all__ = ["CANCEL_GRACE", "JOIN_TIMEOUT", "START_TIMEOUT", "LoopThread"]

log = logging.getLogger("suno_async")

T = TypeVar("T")

#: Seconds to wait for a loop thread to start.
START_TIMEOUT: Final = 10.0
#: Seconds an interrupted call waits for its cancelled coroutine to finish on the loop.
CANCEL_GRACE: Final = 5.0
#: Seconds ``stop()`` waits for the loop thread to end (cancelling what is left on it).
JOIN_TIMEOUT: Final = 10.0


class LoopThread:
    """An event loop running on its own daemon thread until :meth:`stop`.

    >>> import asyncio
    >>> runner = LoopThread("doctest-loop")
    >>> async def add(a, b):
    ...     await asyncio.sleep(0)
    ...     return a + b
    >>> runner.run(lambda: add(1, 2), timeout=5, on_timeout=TimeoutError)
    3
    >>> runner.stop()
    >>> runner.closed
    True
    """

    def __init__(self, name: str, owner: str = "client") -> None:
        self.name = name
        self.owner = owner  # named in ClientClosedError messages
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        self._closed = False
        # Calls submitted and not finished: failed with ClientClosedError when the loop
        # ends, so that a call racing with stop() never waits for its whole timeout.
        self._pending: set[concurrent.futures.Future[object]] = set()
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT) or self._loop is None:
            self._closed = True
            raise RuntimeError(f"event loop thread {name!r} did not start")

    def __repr__(self) -> str:
        state = "closed" if self._closed else "running"
        return f"<LoopThread {self.name} {state}>"

    def _main(self) -> None:
        async def serve() -> None:
            self._stop_event = asyncio.Event()
            self._loop = asyncio.get_running_loop()
            self._ready.set()
            await self._stop_event.wait()

        try:
            # asyncio.run cancels whatever is left, shuts async generators and the default
            # executor down and closes the loop: no "Task was destroyed" at the end.
            asyncio.run(serve())
        except BaseException:  # pragma: no cover - only at interpreter shutdown
            log.debug("event loop thread %s ended with an error", self.name, exc_info=True)
        finally:
            self._ready.set()
            with self._lock:
                self._closed = True
                orphans, self._pending = self._pending, set()
            for outcome in orphans:
                with contextlib.suppress(concurrent.futures.InvalidStateError):
                    outcome.set_exception(ClientClosedError(f"the {self.owner} was closed"))

    @property
    def closed(self) -> bool:
        """True once :meth:`stop` was called (or the thread ended)."""
        return self._closed or not self._thread.is_alive()

    def in_loop_thread(self) -> bool:
        """Whether the calling thread is this loop's own thread."""
        return threading.get_ident() == self._thread.ident

    def run(
        self,
        factory: Callable[[], Awaitable[T]],
        *,
        timeout: float,
        on_timeout: Callable[[], BaseException],
    ) -> T:
        """Run ``factory()`` on the loop and block until it is done; return its value.

        Its exception is re-raised unchanged. After ``timeout`` seconds the coroutine
        is cancelled and ``on_timeout()`` is raised. ``KeyboardInterrupt`` (or any other
        interruption of the wait) cancels the coroutine too, then propagates.
        """
        loop = self._loop
        if self.closed or loop is None:  # closed, or its thread is gone (e.g. after fork)
            raise ClientClosedError(f"the {self.owner} is closed")
        if self.in_loop_thread():
            raise RuntimeError(
                "a blocking call was made on the client's own event loop thread (for example"
                " from an on_item callback); call it from another thread"
            )
        outcome: concurrent.futures.Future[T] = concurrent.futures.Future()
        holder: list[asyncio.Task[T]] = []

        async def call() -> T:
            return await factory()

        def start() -> None:
            if not outcome.set_running_or_notify_cancel():
                return
            if self._closed:  # stopping: start nothing new
                outcome.set_exception(ClientClosedError(f"the {self.owner} is closed"))
                return
            task = loop.create_task(call())
            holder.append(task)
            task.add_done_callback(lambda done: _settle(done, outcome, self.owner))

        def cancel() -> None:
            if holder:
                holder[0].cancel()

        pending = cast("concurrent.futures.Future[object]", outcome)
        with self._lock:
            if self._closed:
                raise ClientClosedError(f"the {self.owner} is closed")
            self._pending.add(pending)
        outcome.add_done_callback(self._forget)
        try:
            loop.call_soon_threadsafe(start)
        except RuntimeError:  # the loop stopped in between
            self._forget(pending)
            raise ClientClosedError(f"the {self.owner} is closed") from None
        try:
            return outcome.result(timeout)
        except concurrent.futures.TimeoutError:
            if outcome.done():  # finished meanwhile, or itself a TimeoutError: unchanged
                return outcome.result()
            self._interrupt(outcome, cancel)
            raise on_timeout() from None
        except BaseException:
            if not outcome.done():
                self._interrupt(outcome, cancel)
            raise

    def _forget(self, outcome: concurrent.futures.Future[Any]) -> None:
        with self._lock:
            self._pending.discard(outcome)

    def _interrupt(self, outcome: concurrent.futures.Future[T], cancel: Callable[[], None]) -> None:
        """Cancel the call on the loop; wait (bounded) until the cancellation has run."""
        if outcome.cancel():
            return  # never started: nothing ran
        try:
            self._loop_or_raise().call_soon_threadsafe(cancel)
        except (RuntimeError, ClientClosedError):
            return
        try:
            concurrent.futures.wait([outcome], timeout=CANCEL_GRACE)
        except BaseException:  # a second Ctrl-C: stop waiting, the loop goes on cancelling
            log.debug("interrupted while cancelling a call", exc_info=True)

    def _loop_or_raise(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise ClientClosedError(f"the {self.owner} is closed")
        return self._loop

    def stop(self, timeout: float = JOIN_TIMEOUT) -> None:
        """Stop the loop (what is left on it is cancelled) and join the thread (bounded).

        Idempotent. Must not be called from the loop's own thread.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
        loop, event = self._loop, self._stop_event
        if loop is not None and event is not None:
            with contextlib.suppress(RuntimeError):  # already closed
                loop.call_soon_threadsafe(event.set)
        if not self.in_loop_thread():
            self._thread.join(timeout)


def _settle(task: asyncio.Task[T], outcome: concurrent.futures.Future[T], owner: str) -> None:
    """Copy a finished task's outcome into the caller's future."""
    if task.cancelled():
        # Interrupted by its own caller (who no longer listens), or cut short by the
        # client closing (its ``aclose`` or the loop stopping): say which, not "cancelled".
        outcome.set_exception(ClientClosedError(f"the {owner} was closed during this call"))
        return
    error = task.exception()
    if error is not None:
        outcome.set_exception(error)
    else:
        outcome.set_result(task.result())
