"""Helpers shared by the reliability test files (journal, faults, fuzz, secrets, webhooks).

``no_leaks`` fails a test that leaves a pending task to be garbage-collected ("Task was
destroyed but it is pending") or an unclosed aiohttp session/connector behind; pyproject's
filterwarnings already turns ``ResourceWarning`` into an error. ``assert_no_stray_tasks``
checks, at the end of an async test, that nothing of ours is still running.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Iterator

import aiohttp.web_app
import pytest

#: Messages asyncio / aiohttp log (through the loop's exception handler) for leaks.
LEAK_MESSAGES = (
    "Task was destroyed but it is pending",
    "Unclosed client session",
    "Unclosed connector",
    "Task exception was never retrieved",
    "Future exception was never retrieved",
)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def forget_aiohttp_middleware_chains() -> None:
    """Drop aiohttp's module-level cache of middleware chains.

    aiohttp (3.10+) caches, per ``(handler, apps)``, the chain it builds for an app with
    middlewares in an ``lru_cache(maxsize=1024)``; each entry keeps its whole closed
    application (for a sandbox: its routes, tasks and media) alive. A suite starts
    hundreds of sandboxes, so the heap grows by each one and every ``gc.collect()``
    (``no_leaks`` runs one per test) gets slower as the run goes on. Only a cache.
    """
    cached = getattr(aiohttp.web_app, "_cached_build_middleware", None)
    if cached is not None:
        cached.cache_clear()


@pytest.fixture
def no_leaks() -> Iterator[None]:
    """Fail the test when asyncio or aiohttp report a leaked task, future or session.

    Set up before the test's event loop, sandboxes and clients (and torn down after
    them), it freezes what exists before the test (``gc.freeze``), so the collection at
    the end walks only the objects created since, everything the test could leak,
    instead of the whole heap of the session: a full collection per test was ~0.1-0.6 s.
    """
    handler = _Collect()
    logger = logging.getLogger("asyncio")
    logger.addHandler(handler)
    gc.freeze()
    try:
        yield
        forget_aiohttp_middleware_chains()  # the test's closed sandboxes are garbage now
        gc.collect()
    finally:
        gc.unfreeze()
        logger.removeHandler(handler)
    leaks = [
        r.getMessage() for r in handler.records if any(m in r.getMessage() for m in LEAK_MESSAGES)
    ]
    assert not leaks, f"leaked tasks or sessions: {leaks}"


def _server_side(task: asyncio.Task[object]) -> bool:
    """A task of a sandbox still serving (its fixture closes it after the test)."""
    code = getattr(task.get_coro(), "cr_code", None)
    filename = getattr(code, "co_filename", "")
    return "suno_async/sandbox" in filename or "aiohttp/web_" in filename


def assert_no_stray_tasks() -> None:
    """Only the running test's own task (and a still-open sandbox's) is left on the loop."""
    current = asyncio.current_task()
    stray = [
        t for t in asyncio.all_tasks() if t is not current and not t.done() and not _server_side(t)
    ]
    assert not stray, f"tasks still pending: {stray}"
