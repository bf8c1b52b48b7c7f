"""The shared poller: cadence, jitter, per-task limit, failures during polling."""

from __future__ import annotations

import asyncio
import statistics

import attrs
import pytest

from suno_async import PollPolicy, RetryPolicy, Stage
from suno_async.errors import JobTrackingError
from suno_async.sandbox import Fault, Sandbox

from .conftest import eventually, make_client

RECORD = "*/record-info"


async def test_a_batch_does_not_poll_in_lock_step(sandbox: Sandbox) -> None:
    policy = PollPolicy(initial=0.05, maximum=0.2, early_maximum=0.2, min_interval=0, jitter=0.2)
    async with make_client(sandbox, poll=policy) as c:
        jobs = await asyncio.gather(*(c.generate(prompt=f"[[never]] {i}") for i in range(30)))
        await asyncio.sleep(0.3)
        states = [c._poller.state(job) for job in jobs]
        offsets = [s.due - job.created for s, job in zip(states, jobs, strict=True) if s]
    assert len({round(o, 4) for o in offsets}) > 25  # spread, not one instant
    assert statistics.pstdev(offsets) > 0.005


async def test_interval_grows_while_nothing_changes_up_to_its_cap(sandbox: Sandbox) -> None:
    policy = PollPolicy(initial=0.01, maximum=0.5, early_maximum=0.04, factor=2, min_interval=0,
                        jitter=0, windows=())
    async with make_client(sandbox, poll=policy) as c:
        job = await c.generate(prompt="[[never]]")
        await eventually(lambda: job.polls >= 4)
        state = c._poller.state(job)
        assert state is not None
        assert state.interval == pytest.approx(0.04)  # 0.01 -> 0.02 -> 0.04, capped early


async def test_polls_per_job_stay_within_budget_on_the_reference_timeline() -> None:
    """Default policy and the sandbox's realistic timeline, both scaled by 1/100."""
    scale = 0.01
    policy = attrs.evolve(PollPolicy().scaled(scale), min_interval=0)
    async with Sandbox(time_scale=scale, seed=11, poll_limit=None) as sb, \
            make_client(sb, poll=policy) as c:
        jobs = await asyncio.gather(*(c.generate(prompt=f"budget {i}") for i in range(10)))
        await asyncio.wait_for(asyncio.gather(*(j.wait() for j in jobs)), 30)
    polls = [j.polls for j in jobs]
    assert max(polls) <= 12, polls
    assert all(sb.stats.polls[j.task_id] == j.polls for j in jobs)


async def test_a_re_attached_task_is_polled_at_once() -> None:
    """``track()`` of a finished task: the first poll does not wait for a window."""
    slow_first = PollPolicy(initial=30.0, maximum=60.0, early_maximum=60.0, min_interval=0)
    async with Sandbox(time_scale=0.001, seed=4, poll_limit=None) as sb:
        async with make_client(sb) as first:
            done = await asyncio.wait_for(first.generate(prompt="finished"), 10)
            await done
        async with make_client(sb, poll=slow_first) as c:
            job = c.track(done.task_id)
            # bounded by the test, far below the policy's 30 s first interval
            record = await asyncio.wait_for(job.wait(), 10)
            assert record.status == "SUCCESS" and job.polls == 1
            pending = await c.generate(prompt="[[never]] submitted here")
            state = c._poller.state(pending)
            assert state is not None and state.due - pending.created > 1.0  # not at once


async def test_the_per_task_poll_limit_is_respected() -> None:
    async with Sandbox(time_scale=0.004, seed=3) as sb:  # the sandbox enforces 3 polls/s/task
        policy = PollPolicy(initial=0.01, maximum=0.05, early_maximum=0.05)  # min_interval 0.34
        async with make_client(sb, poll=policy) as c:
            job = await c.generate(prompt="patient")
            await asyncio.wait_for(job.wait(), 20)
        assert sb.stats.rate_limited == 0
        assert job.polls >= 2


@pytest.mark.parametrize(
    "fault",
    [Fault(route=RECORD, kind="http_429", rate=0.5), Fault(route=RECORD, kind="drop", rate=0.4),
     Fault(route=RECORD, kind="http_503", rate=0.4), Fault(route=RECORD, kind="html", rate=0.4)],
    ids=["429", "drop", "503", "html"],
)
async def test_jobs_complete_through_flaky_polling(sandbox: Sandbox, fault: Fault) -> None:
    sandbox.inject(fault)
    retry = RetryPolicy(max_attempts=3, base=0.001, max_delay=0.01)
    policy = PollPolicy(initial=0.01, maximum=0.03, early_maximum=0.03, min_interval=0,
                        max_failures=25)
    async with make_client(sandbox, retry=retry, poll=policy) as c:
        jobs = await asyncio.gather(*(c.generate(prompt=f"flaky {i}") for i in range(8)))
        records = await asyncio.wait_for(asyncio.gather(*(j.wait() for j in jobs)), 20)
        assert all(r.status == "SUCCESS" for r in records)
        assert c._poller.poll_failures > 0
    assert sandbox.stats.submissions["/api/v1/generate"] == 8


async def test_many_consecutive_poll_failures_end_tracking(sandbox: Sandbox) -> None:
    sandbox.inject(Fault(route=RECORD, kind="http_500"))
    retry = RetryPolicy(max_attempts=2, base=0.001, max_delay=0.005)
    policy = PollPolicy(initial=0.01, maximum=0.02, early_maximum=0.02, min_interval=0,
                        max_failures=4)
    async with make_client(sandbox, retry=retry, poll=policy) as c:
        job = await c.generate(prompt="unreachable status")
        with pytest.raises(JobTrackingError) as info:
            await asyncio.wait_for(job.wait(), 10)
        assert info.value.task_id == job.task_id and not job.done()
        assert 1 <= sandbox.stats.received["/api/v1/generate/record-info"] <= 4 * 2


async def test_submissions_are_not_starved_by_thousands_of_polls() -> None:
    async with Sandbox(time_scale=0.001, seed=9, poll_limit=None,
                       rate_limit=(10_000, 1.0)) as sb:
        policy = PollPolicy(initial=0.001, maximum=0.002, early_maximum=0.002, min_interval=0,
                            concurrency=8)
        async with make_client(sb, poll=policy) as c:
            await asyncio.gather(*(c.generate(prompt=f"[[never]] {i}") for i in range(300)))
            async with asyncio.timeout(20):
                while c._poller.polls < 600:  # the poller is saturated: 300 jobs, 8 slots
                    await asyncio.sleep(0.01)
            late = await asyncio.wait_for(c.generate(prompt="still gets through"), 5)
            assert late.task_id in c.jobs
            assert sb.stats.submissions["/api/v1/generate"] == 301


async def test_an_unchanged_reply_is_not_decoded_and_a_change_is_seen_at_once() -> None:
    # A real timeline: the task stays PENDING for as long as this test runs.
    async with Sandbox(time_scale=1.0, seed=3, poll_limit=None, rate_limit=(10_000, 1.0)) as sb:
        policy = PollPolicy(initial=0.002, maximum=0.002, early_maximum=0.002, min_interval=0,
                            jitter=0.0, windows=())
        async with make_client(sb, poll=policy) as c:
            poller = c._poller
            job = await c.generate(prompt="held where it is")
            await eventually(lambda: poller.polls >= 6)
            pending = job.record
            assert pending is not None and pending.status == "PENDING"
            assert poller.unchanged == poller.polls - 1  # only the first reply was decoded
            sb.advance(job.task_id, "FIRST_SUCCESS")
            record = await job.wait(Stage.FIRST_SUCCESS, timeout=5)
            assert record is not pending and record.tracks[0].stream_audio_url
            assert poller.unchanged <= poller.polls - 2  # the changed reply was decoded
            polls = poller.polls
            await eventually(lambda: poller.polls >= polls + 3)
            assert job.record is record and job.stage is Stage.FIRST_SUCCESS
            assert poller.unchanged == poller.polls - 2  # held again: not decoded again
