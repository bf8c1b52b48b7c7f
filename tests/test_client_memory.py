"""A long-running client keeps only a bounded number of settled jobs."""

from __future__ import annotations

import asyncio

from suno_async import config
from suno_async.sandbox import Sandbox

from .conftest import TIME_SCALE, make_client


async def test_settled_jobs_beyond_the_cap_are_forgotten() -> None:
    keep = config.SETTLED_JOBS_KEPT
    async with Sandbox(time_scale=TIME_SCALE, seed=12, poll_limit=None, credits=1e6,
                       rate_limit=(100_000, 1.0)) as sb, make_client(sb) as client:
        jobs = await asyncio.gather(*(client.generate(prompt=f"[[skip]] {i}")
                                      for i in range(keep + 20)))
        await asyncio.wait_for(asyncio.gather(*(j.wait() for j in jobs)), 60)
        assert len(client.jobs) == keep  # the 20 oldest settled jobs were dropped
        newest = jobs[-1]
        assert client.jobs[newest.task_id] is newest
        assert client.track(newest.task_id) is newest
        active = await client.generate(prompt="[[never]] still running")
        assert active.task_id in client.jobs  # unfinished jobs are never dropped
