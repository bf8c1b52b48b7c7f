"""The submitter's journal claim (issue 12 items 4-5): two runs over one journal pay
once per distinct request; a claim held by a live process is waited for.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from suno_async import GenerateRequest
from suno_async.sandbox import Sandbox

from .conftest import make_client

GENERATE = "/api/v1/generate"

async def test_two_concurrent_batches_over_one_journal_pay_once_per_request(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    path = tmp_path / "jobs.sqlite3"
    requests = [GenerateRequest(prompt=f"song {i}") for i in range(12)]
    async with make_client(sandbox, journal=path) as one, make_client(
        sandbox, journal=path
    ) as two:
        first, second = await asyncio.gather(
            one.generate_many(requests, concurrency=12),
            two.generate_many(requests, concurrency=12),
        )
        assert all(item.ok for item in first + second), [i.error for i in first + second]
        for a, b in zip(first, second, strict=True):
            assert a.job is not None and b.job is not None
            assert a.job.task_id == b.job.task_id
            await a.job
    assert sandbox.stats.submissions[GENERATE] == len(requests)


async def test_a_rerun_re_attaches_instead_of_paying_again(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    path = tmp_path / "jobs.sqlite3"
    requests = [GenerateRequest(prompt=f"song {i}") for i in range(3)]
    async with make_client(sandbox, journal=path) as client:
        items = await client.generate_many(requests)
    async with make_client(sandbox, journal=path) as client:
        again = await client.generate_many(requests)
        assert [i.resumed for i in again] == [True, True, True]
        assert client.submitter.limiter.started == 0  # re-attaching takes no create slot
        assert [i.job.task_id for i in again if i.job] == [i.job.task_id for i in items if i.job]
    assert sandbox.stats.submissions[GENERATE] == 3
