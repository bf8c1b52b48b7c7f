"""Client-side creation limit: a sliding window the server never rejects."""

from __future__ import annotations

import asyncio

import pytest

from suno_async import RateLimit, RetryPolicy
from suno_async._ratelimit import CreateLimiter
from suno_async.errors import RateLimitError
from suno_async.sandbox import Sandbox

from .conftest import TIME_SCALE, make_client


async def test_never_more_than_n_creates_in_any_window() -> None:
    limiter = CreateLimiter(RateLimit(creates=3, per_seconds=0.1, max_wait=5))
    loop = asyncio.get_running_loop()
    starts: list[float] = []

    async def one() -> None:
        async with limiter.slot():
            starts.append(loop.time())

    await asyncio.gather(*(one() for _ in range(9)))
    starts.sort()
    for i in range(len(starts) - 3):
        assert starts[i + 3] - starts[i] >= 0.1 - 1e-3  # a 4th start only after the window


async def test_a_wait_longer_than_max_wait_fails_fast() -> None:
    limiter = CreateLimiter(RateLimit(creates=1, per_seconds=60, max_wait=0.05))
    async with limiter.slot():
        pass
    with pytest.raises(RateLimitError) as info:
        async with limiter.slot():
            pass
    assert info.value.retry_after is not None and info.value.retry_after > 50


async def test_a_burst_against_the_server_limit_gets_no_429() -> None:
    window = (5, 0.5)  # the API's 20 per 10 s, compressed
    async with Sandbox(time_scale=TIME_SCALE, seed=8, poll_limit=None, rate_limit=window) as sb:
        limit = RateLimit(creates=window[0], per_seconds=window[1], max_wait=10)
        no_retries = RetryPolicy(max_attempts=1)
        async with make_client(sb, rate_limit=limit, retry=no_retries) as c:
            jobs = await asyncio.gather(*(c.generate(prompt=f"burst {i}") for i in range(16)))
        assert len({j.task_id for j in jobs}) == 16
        assert sb.stats.rate_limited == 0
        assert sb.stats.submissions["/api/v1/generate"] == 16
