"""Batches: bounded active jobs, per-item outcomes, completion order, gather semantics."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import suno_async
from suno_async import BatchItem, GenerateRequest, Stage, SunoClient
from suno_async.errors import GenerationFailedError, InsufficientCreditsError
from suno_async.sandbox import Sandbox

from .conftest import make_client


async def test_concurrency_bounds_active_jobs_not_only_submissions(client: SunoClient) -> None:
    peak = 0

    def on_item(item: BatchItem) -> None:
        nonlocal peak
        peak = max(peak, sum(1 for j in client.jobs.values() if not j.done()))

    requests = [GenerateRequest(prompt=f"song {i}") for i in range(8)]
    items = await client.generate_many(requests, concurrency=3, on_item=on_item)
    assert [i.index for i in items] == list(range(8)) and all(i.ok for i in items)
    assert 1 <= peak <= 3
    await asyncio.wait_for(suno_async.gather(*(i.job for i in items if i.job)), 10)


async def test_a_failed_submission_does_not_sink_the_batch(sandbox: Sandbox) -> None:
    sandbox.set_credits(sandbox.api_key, 30)  # enough for two 12-credit generations
    async with make_client(sandbox) as c:
        items = await c.generate_many([GenerateRequest(prompt=f"p{i}") for i in range(4)],
                                      concurrency=1)
    assert [i.ok for i in items] == [True, True, False, False]
    assert all(isinstance(i.error, InsufficientCreditsError) for i in items[2:])


async def test_as_completed_yields_in_completion_order(client: SunoClient) -> None:
    slow = await client.generate(prompt="[[slow]] tortoise")
    fast = await client.generate(prompt="hare")
    order = [job async for job in suno_async.as_completed([slow, fast], timeout=10)]
    assert order == [fast, slow]


async def test_as_completed_timeout_leaves_jobs_running(client: SunoClient) -> None:
    job = await client.generate(prompt="[[never]]")
    with pytest.raises(TimeoutError):
        async for _ in suno_async.as_completed([job], timeout=0.05):
            pass
    assert job.tracking and not job.done()


async def test_gather_never_cancels_siblings(client: SunoClient) -> None:
    doomed = await client.generate(prompt="[[fail]]")
    others = [await client.generate(prompt=f"fine {i}") for i in range(3)]
    with pytest.raises(GenerationFailedError):
        await asyncio.wait_for(suno_async.gather(doomed, *others), 10)
    assert all(job.stage is Stage.SUCCESS for job in others)
    outcomes = await suno_async.gather(doomed, *others, return_exceptions=True)
    assert isinstance(outcomes[0], GenerationFailedError) and outcomes[1].status == "SUCCESS"


async def test_journal_resume_never_resubmits(sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    requests = [GenerateRequest(prompt="same"), GenerateRequest(prompt="same"),
                GenerateRequest(prompt="[[never]] other")]
    async with make_client(sandbox, journal=path) as first:
        items = await first.generate_many(requests, concurrency=3)
        done = items[0].job
        assert done is not None
        await asyncio.wait_for(done.wait(), 10)
    assert sandbox.stats.submissions["/api/v1/generate"] == 3  # identical twins both count
    async with make_client(sandbox, journal=path) as second:
        resumed = await second.resume()
        again = await second.generate_many(requests, concurrency=3)
        assert all(item.resumed for item in again)
        assert {j.task_id for j in resumed} <= {i.job.task_id for i in again if i.job}
    assert sandbox.stats.submissions["/api/v1/generate"] == 3
