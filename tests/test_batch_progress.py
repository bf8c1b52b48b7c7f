"""``client.batch_progress(requests)``: a whole batch as every client of one store sees it.

Two clients over one store (SQLite, and a real ``redis-server``) and the sandbox: the
one that sends nothing sees the other's lines waiting, running (with the stage shared
through the store), succeeded and failed; identical lines stay distinct; claims in doubt
or being sent are reported as such, never as waiting (which would invite a resend).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import pytest

import suno_async
from suno_async import BatchProgress, GenerateRequest, Stage, SunoClient
from suno_async.batch import BatchRequest, progress_of, request_keys
from suno_async.sandbox import Sandbox
from suno_async.store import JobState, JournalEntry, Store, open_store
from suno_async.sync import Sandbox as SyncSandbox
from suno_async.sync import SunoClient as SyncSunoClient

from ._redis import free_port, redis_server, redis_url  # noqa: F401
from ._reliability import no_leaks  # noqa: F401
from .conftest import make_client
from .test_store_shared import spec  # noqa: F401

pytestmark = pytest.mark.usefixtures("no_leaks")


async def settled(client: SunoClient, batch: Sequence[BatchRequest], done: int) -> BatchProgress:
    """The batch's progress once ``done`` lines have an outcome (bounded wait)."""
    async with asyncio.timeout(10):
        while (progress := await client.batch_progress(batch)).done < done:
            await asyncio.sleep(0.01)
    return progress


BATCH = [
    {"prompt": "first line"},
    {"prompt": "[[fail]] second line"},
    {"prompt": "third line"},
    {"prompt": "fourth line, never sent"},
]


async def test_an_onlooker_sees_another_clients_batch(spec: str) -> None:  # noqa: F811
    async with Sandbox(time_scale=0.01, seed=41, poll_limit=None) as sb:
        async with make_client(sb, store=spec) as worker, make_client(sb, store=spec) as onlooker:
            before = await onlooker.batch_progress(BATCH)
            assert [line.state for line in before.lines] == ["waiting"] * 4
            assert not before.finished

            items = await worker.generate_many(BATCH[:3])
            jobs = [item.job for item in items if item.job is not None]
            assert len(jobs) == 3
            running = await onlooker.batch_progress(BATCH)
            assert [line.task_id for line in running.lines[:3]] == [j.task_id for j in jobs]
            assert running.lines[3].state == "waiting" and running.lines[3].task_id is None
            assert running.count("running") + running.done == 3

            await suno_async.gather(*jobs, return_exceptions=True)
            # outcomes are written by the worker's background writes, soon after
            after = await settled(onlooker, BATCH, done=3)
            # the onlooker polled nothing: every line it knows of came from the store
            assert sum(sb.stats.polls.values()) == sum(job.polls for job in jobs)
    assert [line.state for line in after.lines] == ["succeeded", "failed", "succeeded", "waiting"]
    assert after.lines[1].status is not None and after.lines[1].status != "SUCCESS"
    assert (after.total, after.done, after.succeeded, after.failed) == (4, 3, 2, 1)
    assert not after.finished  # the fourth line is still to be sent by someone
    assert str(after) == "3/4 done (2 ok, 1 failed), 1 waiting"
    assert after.counts()["waiting"] == 1 and after.counts()["total"] == 4


async def test_a_job_sent_outside_the_batch_is_not_one_of_its_lines(tmp_path: Path) -> None:
    path = f"sqlite:///{tmp_path / 's.sqlite3'}"
    async with Sandbox(time_scale=0.003, seed=47, poll_limit=None) as sb:
        async with make_client(sb, store=path) as client:
            job = await client.generate(prompt="single")
            await job.wait(timeout=30)
            progress = await client.batch_progress([{"prompt": "single"}])
    # generate() claims nothing (no request key): the batch's line is still to be sent
    assert [line.state for line in progress.lines] == ["waiting"]


async def test_running_lines_of_a_batch_carry_the_shared_stage(tmp_path: Path) -> None:
    path = f"sqlite:///{tmp_path / 'fleet.sqlite3'}"
    batch = [{"prompt": "watched"}]
    async with Sandbox(time_scale=0.02, seed=42, poll_limit=None) as sb:
        async with make_client(sb, store=path) as worker, make_client(sb, store=path) as onlooker:
            (item,) = await worker.generate_many(batch)
            assert item.job is not None
            await item.job.wait(Stage.FIRST_SUCCESS, timeout=30)
            seen: list[tuple[str, str | None]] = []
            async with asyncio.timeout(30):
                while True:
                    line = (await onlooker.batch_progress(batch)).lines[0]
                    seen.append((line.state, line.stage))
                    if line.state != "running":
                        break
                    await asyncio.sleep(0.05)
    assert ("running", "FIRST_SUCCESS") in seen  # the owner's observation, via the store
    assert seen[-1] == ("succeeded", None)


async def test_identical_lines_are_separate_requests(tmp_path: Path) -> None:
    path = f"sqlite:///{tmp_path / 's.sqlite3'}"
    twice = [{"prompt": "same"}, {"prompt": "same"}]
    keys = request_keys([GenerateRequest(prompt="same"), GenerateRequest(prompt="same")])
    assert len(set(keys)) == 2
    async with Sandbox(time_scale=0.003, seed=43, poll_limit=None) as sb:
        async with make_client(sb, store=path) as worker:
            (item,) = await worker.generate_many(twice[:1])
            assert item.job is not None
            await item.job.wait(timeout=30)
            progress = await settled(worker, twice, done=1)
    assert [line.state for line in progress.lines] == ["succeeded", "waiting"]
    assert [line.key for line in progress.lines] == keys


async def test_claims_being_sent_or_in_doubt_are_never_waiting(tmp_path: Path) -> None:
    path = f"sqlite:///{tmp_path / 's.sqlite3'}"
    requests = [GenerateRequest(prompt="in flight"), GenerateRequest(prompt="lost reply")]
    keys = request_keys(requests)
    async with Sandbox(time_scale=0.003, seed=44, poll_limit=None) as sb:
        other = await open_store(path, api_key=sb.api_key, api_host=sb.url)
        assert other is not None
        try:
            # another live process is sending the first; the second's reply was lost
            for request, key in zip(requests, keys, strict=True):
                assert await other.claim("music", request.path, key, request.to_wire()) is None
            await other.record_maybe_submitted(
                "music", requests[1].path, keys[1], requests[1].to_wire()
            )
            async with make_client(sb, store=path) as onlooker:
                progress = await onlooker.batch_progress(requests)
        finally:
            await other.aclose()
        assert sum(sb.stats.submissions.values()) == 0  # looking sends nothing
    assert [line.state for line in progress.lines] == ["sending", "in_doubt"]
    assert progress.finished is False and progress.in_doubt == 1
    assert str(progress) == "0/2 done, 1 sending, 1 in doubt (maybe paid, task id unknown)"


async def test_without_a_store_it_says_what_to_add() -> None:
    async with Sandbox(time_scale=0.003, seed=45, poll_limit=None) as sb:
        async with make_client(sb) as client:
            with pytest.raises(ValueError, match=r"store='sqlite:///"):
                await client.batch_progress(BATCH)
            with pytest.raises(TypeError, match="item 1"):
                await client.batch_progress([{"prompt": "ok"}, 42])  # type: ignore[list-item]


def test_the_blocking_twin(tmp_path: Path) -> None:
    path = f"sqlite:///{tmp_path / 's.sqlite3'}"
    fast = suno_async.PollPolicy(initial=0.02, maximum=0.1, early_maximum=0.05, min_interval=0)
    with SyncSandbox(time_scale=0.003, seed=46, poll_limit=None) as sb, SyncSunoClient(
        api_key=sb.api_key, base_url=sb.url, store=path, poll=fast,
    ) as client:
        items = client.generate_many([{"prompt": "sync"}])
        assert items[0].job is not None
        items[0].job.wait(timeout=30)
        progress = client.batch_progress([{"prompt": "sync"}, {"prompt": "other"}])
    assert isinstance(progress, BatchProgress)
    assert progress.lines[0].task_id == items[0].job.task_id
    assert progress.lines[0].state == "succeeded"  # its own outcome writes are awaited first
    assert progress.lines[1].state == "waiting"


async def test_the_readme_block_reports_a_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from .test_examples import py_block

    namespace: dict[str, object] = {}
    exec(compile(py_block("await client.batch_progress(lines)"), "<README>", "exec"), namespace)
    namespace["STORE"] = f"sqlite:///{tmp_path / 's.sqlite3'}"  # not the block's Redis host
    lines = [{"prompt": "one"}, {"prompt": "[[fail]] two"}, {"prompt": "three"}]
    async with Sandbox(time_scale=0.003, seed=48, poll_limit=None) as sb:
        monkeypatch.setenv("SUNO_API_KEY", sb.api_key)
        monkeypatch.setenv("SUNO_BASE_URL", sb.url)
        async with make_client(sb, store=namespace["STORE"]) as worker:
            items = await worker.generate_many(lines[:2])
            jobs = [item.job for item in items if item.job is not None]
            await suno_async.gather(*jobs, return_exceptions=True)
        report = namespace["report"]
        assert callable(report)
        await report(lines)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "2/3 done (1 ok, 1 failed), 1 waiting"
    assert [row.split()[:2] for row in out[1:]] == [["0", "succeeded"], ["1", "failed"],
                                                    ["2", "waiting"]]


class EntriesOnly:
    """A store without ``find_many`` (a user's own ``Store``): read through entries()."""

    def __init__(self, inner: Store) -> None:
        self._inner = inner

    async def entries(self) -> list[JournalEntry]:
        return await self._inner.entries()

    async def get_job(self, task_id: str) -> JobState | None:
        return await self._inner.get_job(task_id)


async def test_a_store_without_find_many_gives_the_same_progress(tmp_path: Path) -> None:
    path = f"sqlite:///{tmp_path / 's.sqlite3'}"
    requests = [GenerateRequest(prompt=f"line {i}") for i in range(3)]
    async with Sandbox(time_scale=0.003, seed=49, poll_limit=None) as sb:
        async with make_client(sb, store=path) as worker:
            items = await worker.generate_many(requests[:2])
            await suno_async.gather(
                *(item.job for item in items if item.job is not None), return_exceptions=True
            )
            await settled(worker, requests, done=2)  # outcomes written
            store = worker.store
            assert store is not None and hasattr(store, "find_many")
            fast = await progress_of(store, requests)
            slow = await progress_of(EntriesOnly(store), requests)  # type: ignore[arg-type]
    assert fast == slow
    assert [line.state for line in fast.lines][2] == "waiting"
    assert all(line.task_id for line in fast.lines[:2])


async def test_a_worker_sees_its_own_outcomes_at_once(spec: str) -> None:  # noqa: F811
    # the jobs this client just saw finish are finished in its own view, with no wait:
    # the CLI's closing "whole batch" line and --json "batch" figures are read this way
    # (with Redis, the outcome writes were still in flight: "5/6 done, 1 running")
    async with Sandbox(time_scale=0.003, seed=49, poll_limit=None) as sb:
        for round_ in range(3):  # 18 creates: inside the sandbox's 20 per 10 s
            batch = [{"prompt": f"round {round_} line {i}"} for i in range(5)]
            batch.append({"prompt": f"[[fail]] round {round_}"})
            async with make_client(sb, store=spec) as worker:
                items = await worker.generate_many(batch)
                jobs = [item.job for item in items if item.job is not None]
                assert len(jobs) == len(batch)
                await suno_async.gather(*jobs, return_exceptions=True)
                progress = await worker.batch_progress(batch)
            assert (progress.done, progress.failed, progress.finished) == (6, 1, True), (
                round_, str(progress))


async def test_a_line_reads_as_find_reads_its_claim(spec: str) -> None:  # noqa: F811
    # progress reads each line's claim the way claim()/find() do (a rerun's view): with a
    # SQLite placeholder left next to the task row, the task wins, not the newer placeholder
    request = GenerateRequest(prompt="recorded, then a lost reply written")
    (key,) = request_keys([request])
    async with Sandbox(time_scale=0.003, seed=50, poll_limit=None) as sb:
        other = await open_store(spec, api_key=sb.api_key, api_host=sb.url)
        assert other is not None
        try:
            body = request.to_wire()
            assert await other.claim("music", request.path, key, body) is None
            await other.record_submitted("task-1", "music", request.path, key, body)
            await asyncio.sleep(0.01)  # the placeholder is the newer row
            await other.record_maybe_submitted("music", request.path, key, body)
            # unrelated rows of the account (another batch, a download claim) are not lines
            assert await other.claim("music", request.path, "other-key", body) is None
            entry = await other.find(key)
            async with make_client(sb, store=spec) as onlooker:
                (line,) = (await onlooker.batch_progress([request])).lines
        finally:
            await other.aclose()
    assert entry is not None
    expected = "in_doubt" if entry.maybe_submitted else "running"
    assert line.state == expected
    if expected == "running":
        assert line.task_id == entry.task_id == "task-1"


async def test_a_closed_job_row_decides_a_line_whose_outcome_was_never_written(
    tmp_path: Path,
) -> None:
    # the process that saw these tasks end died before recording their outcomes
    path = f"sqlite:///{tmp_path / 's.sqlite3'}"
    requests = [GenerateRequest(prompt=f"ended {i}") for i in range(4)]
    keys = request_keys(requests)
    rows = [("SUCCESS", "SUCCESS", True), ("FAILED", "GENERATE_AUDIO_FAILED", True),
            ("FIRST_SUCCESS", "FIRST_SUCCESS", True), ("FIRST_SUCCESS", "FIRST_SUCCESS", False)]
    async with Sandbox(time_scale=0.003, seed=51, poll_limit=None) as sb:
        other = await open_store(path, api_key=sb.api_key, api_host=sb.url)
        assert other is not None
        try:
            for n, (request, key) in enumerate(zip(requests, keys, strict=True)):
                body = request.to_wire()
                assert await other.claim("music", request.path, key, body) is None
                await other.record_submitted(f"t{n}", "music", request.path, key, body)
                stage, status, final = rows[n]
                await other.put_job(f"t{n}", "music", stage=stage, status=status, final=final)
            async with make_client(sb, store=path) as onlooker:
                progress = await onlooker.batch_progress(requests)
        finally:
            await other.aclose()
    assert [(line.state, line.status) for line in progress.lines[:2]] == [
        ("succeeded", "SUCCESS"), ("failed", "GENERATE_AUDIO_FAILED")]
    # closed unfinished (given up) and still open: no outcome to tell, still running
    assert [(line.state, line.stage) for line in progress.lines[2:]] == [
        ("running", "FIRST_SUCCESS"), ("running", "FIRST_SUCCESS")]
    assert not progress.finished
