"""Batches seen as they settle: ``generate_many_iter`` (async) and its blocking twin.

Real client, sandbox over loopback; which job settles when is driven by the sandbox's
magic prompts (``[[never]]``, ``[[fail]]``) and ``sandbox.advance``, never by sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from suno_async import BatchItem, GenerateRequest, MusicRecord, SunoClient
from suno_async.batch import MusicBatchRequest
from suno_async.errors import GenerationFailedError, InsufficientCreditsError
from suno_async.sandbox import Sandbox
from suno_async.sync import SandboxThread, SyncBatchItem

from .conftest import eventually, make_client
from .test_sync import make_sync_client, sync_sandbox  # noqa: F401  (fixture)

GENERATE = "/api/v1/generate"


async def test_the_first_item_comes_before_the_last_submission(
    sandbox: Sandbox, client: SunoClient
) -> None:
    # concurrency=1 and jobs that never end by themselves: request 2 cannot be sent
    # before job 1 settles, so what is yielded first proves the batch is still going.
    task_ids: list[str] = []
    requests = [GenerateRequest(prompt=f"[[never]] song {i}") for i in range(3)]
    stream = client.generate_many_iter(
        requests, concurrency=1,
        on_item=lambda item: task_ids.append(item.job.task_id if item.job else "-"),
    )
    order: list[int] = []
    async with asyncio.timeout(30):
        pending = asyncio.ensure_future(anext(stream))
        for position in range(3):
            await eventually(lambda n=position: len(task_ids) > n)  # type: ignore[misc]
            assert not pending.done()  # nothing has settled: nothing is yielded
            sandbox.advance(task_ids[position], "SUCCESS")
            item = await pending
            order.append(item.index)
            record: MusicRecord | None = item.record  # typed: a batch of music requests
            assert record is not None and record.tracks and item.failure is None
            assert item.settled and item.ok
            if position == 0:  # job 1 (never) holds the only slot: request 2 is unsent
                assert sandbox.stats.submissions[GENERATE] <= 2
            pending = asyncio.ensure_future(anext(stream))
        with pytest.raises(StopAsyncIteration):
            await pending
    assert order == [0, 1, 2]
    assert sandbox.stats.submissions[GENERATE] == 3


async def test_failed_submissions_are_yielded_at_once(sandbox: Sandbox) -> None:
    sandbox.set_credits(sandbox.api_key, 30)  # enough for two 12-credit generations
    async with make_client(sandbox) as client:
        requests = [GenerateRequest(prompt=f"[[never]] p{i}") for i in range(4)]
        seen: list[BatchItem[MusicRecord]] = []
        async with asyncio.timeout(30):
            async for item in client.generate_many_iter(requests, concurrency=4):
                seen.append(item)
                if len(seen) == 2:
                    break  # the two running jobs never end: only failures came
        assert sorted(i.index for i in seen) == [2, 3]
        assert all(isinstance(i.failure, InsufficientCreditsError) for i in seen)
        assert all(i.record is None and not i.ok and i.settled for i in seen)
        running = list(client.jobs.values())
        assert len(running) == 2 and all(job.tracking for job in running)  # left running


async def test_every_item_once_with_its_outcome(client: SunoClient) -> None:
    prompts: list[MusicBatchRequest] = [
        GenerateRequest(prompt="fine a"), GenerateRequest(prompt="[[fail]] doomed"),
        GenerateRequest(prompt="fine b"), {"prompt": "a mapping"},
    ]
    async with asyncio.timeout(30):
        items = [item async for item in client.generate_many_iter(prompts, concurrency=2)]
    assert sorted(i.index for i in items) == [0, 1, 2, 3]
    by_index = {i.index: i for i in items}
    assert isinstance(by_index[1].failure, GenerationFailedError)
    assert by_index[1].record is None and by_index[1].settled
    for index in (0, 2, 3):
        record = by_index[index].record
        assert record is not None and record.tracks and by_index[index].failure is None


async def test_leaving_early_sends_nothing_more(sandbox: Sandbox, client: SunoClient) -> None:
    submitted: list[BatchItem[MusicRecord]] = []
    requests = [GenerateRequest(prompt="[[fail]] first"),
                *(GenerateRequest(prompt=f"[[never]] rest {i}") for i in range(4))]
    stream = client.generate_many_iter(requests, concurrency=1, on_item=submitted.append)
    async with asyncio.timeout(30), contextlib.aclosing(stream):
        async for item in stream:
            assert item.index == 0
            break
    # request 1 may have been on the wire already (its POST is never cut): it lands as a
    # tracked job; nothing after it is sent
    await eventually(lambda: len(client.jobs) == sandbox.stats.submissions[GENERATE])
    sent = sandbox.stats.submissions[GENERATE]
    assert sent <= 2
    await asyncio.sleep(0.2)  # time for a wrongly still-running batch to send more
    assert sandbox.stats.submissions[GENERATE] == sent


async def test_bad_items_are_refused_at_the_call(sandbox: Sandbox, client: SunoClient) -> None:
    with pytest.raises(TypeError, match="item 1 of the batch"):
        client.generate_many_iter([GenerateRequest(prompt="ok"), "a song"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="concurrency"):
        client.generate_many_iter([GenerateRequest(prompt="ok")], concurrency=0)
    assert sandbox.stats.submissions[GENERATE] == 0


async def test_generate_many_keeps_its_list_and_typed_items(client: SunoClient) -> None:
    items = await client.generate_many([GenerateRequest(prompt=f"s{i}") for i in range(2)])
    assert isinstance(items, list) and [i.index for i in items] == [0, 1]
    for item in items:
        assert item.job is not None
        record: MusicRecord = await asyncio.wait_for(item.job, 10)
        assert record.tracks and item.record is record and item.settled


def test_the_blocking_twin_is_a_plain_iterator(sync_sandbox: SandboxThread) -> None:  # noqa: F811
    with make_sync_client(sync_sandbox) as client:
        requests = [GenerateRequest(prompt=f"song {i}") for i in range(2)]
        requests += [GenerateRequest(prompt=f"[[fail]] song {i}") for i in range(2, 4)]
        stream = client.generate_many_iter(requests, concurrency=2, timeout=60)
        items: list[SyncBatchItem[MusicRecord]] = list(stream)
    assert sorted(i.index for i in items) == [0, 1, 2, 3]
    failed = [i for i in items if i.failure is not None]
    assert sorted(i.index for i in failed) == [2, 3]
    assert all(isinstance(i.failure, GenerationFailedError) for i in failed)
    for item in items:
        if item.index < 2:
            record = item.record
            assert record is not None and record.tracks


def test_the_blocking_twin_can_be_left_early(sync_sandbox: SandboxThread) -> None:  # noqa: F811
    with make_sync_client(sync_sandbox) as client:
        requests = [GenerateRequest(prompt="[[fail]] first"),
                    *(GenerateRequest(prompt=f"[[never]] {i}") for i in range(3))]
        for item in client.generate_many_iter(requests, concurrency=1, timeout=60):
            assert item.index == 0 and isinstance(item.failure, GenerationFailedError)
            break
        assert client.get_credits() >= 0  # the client is still usable after leaving
    # request 1 may have been on the wire when the loop was left; nothing after it
    assert sync_sandbox.stats.submissions[GENERATE] <= 2
