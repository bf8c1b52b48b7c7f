"""Shared fixtures: a sandbox on loopback and a client pointed at it with fast policies.

Tests talk HTTP to the sandbox with the real aiohttp client; nothing of our own
transport, scheduler or parser is patched.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
from hypothesis import settings

from suno_async import PollPolicy, RateLimit, RetryPolicy, SunoClient, Timeouts
from suno_async.sandbox import Sandbox

from . import _readme_run
from ._reliability import forget_aiohttp_middleware_chains

#: Property tests are deterministic in CI: fixed derivation of examples from the test,
#: no example database carried between runs (``HYPOTHESIS_PROFILE=dev`` to explore).
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev", database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: Not test modules: programs checked by tests (tests/typing is type-checked, not run).
collect_ignore = ["typing"]

#: Sandbox timeline scale for tests: the ~3 minute music timeline takes ~0.2 s.
TIME_SCALE = 0.001

#: Fast, still adaptive, polling for tests (the sandbox's poll limit is disabled).
FAST_POLL = PollPolicy(
    initial=0.01, maximum=0.05, early_maximum=0.03, min_interval=0.0, max_wait=20.0
)
FAST_RETRY = RetryPolicy(max_attempts=4, max_delay=0.05, base=0.005)
FAST_TIMEOUTS = Timeouts(connect=2.0, read=5.0, total=10.0)


def pytest_collection_finish(session: pytest.Session) -> None:
    # The README samples wait for the default poll policy's first window (~30-40 s,
    # asleep): start the selected ones now, their tests collect the results later.
    if not session.config.option.collectonly:
        _readme_run.prefetch(item.name for item in session.items)


def pytest_sessionfinish(session: pytest.Session) -> None:
    _readme_run.stop_all()


@pytest.fixture(autouse=True)
def _closed_apps_are_freed() -> Iterator[None]:
    yield
    forget_aiohttp_middleware_chains()


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    # Limits off: tests of the limits start their own sandboxes.
    async with Sandbox(time_scale=TIME_SCALE, seed=1, poll_limit=None,
                       rate_limit=(10_000, 1.0)) as sb:
        yield sb


def make_client(sb: Sandbox, **overrides: object) -> SunoClient:
    """A client for ``sb`` with test policies; keyword overrides win."""
    options: dict[str, object] = {
        "api_key": sb.api_key,
        "base_url": sb.url,
        "upload_base_url": sb.upload_url,
        "poll": FAST_POLL,
        "retry": FAST_RETRY,
        "timeouts": FAST_TIMEOUTS,
        "rate_limit": RateLimit(creates=1000, per_seconds=1.0, max_wait=5.0),
    }
    options.update(overrides)
    return SunoClient(**options)  # type: ignore[arg-type]


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[SunoClient]:
    async with make_client(sandbox) as c:
        yield c


async def eventually(predicate: Callable[[], bool], within: float = 10.0) -> None:
    """Wait until ``predicate()`` holds (bounded): instead of guessing a sleep."""
    async with asyncio.timeout(within):
        while not predicate():
            await asyncio.sleep(0.005)
