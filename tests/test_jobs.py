"""Jobs: stage paths, failures per family, waits, cancellation, close, events."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest

from suno_async import JobEvent, PollPolicy, RateLimit, Stage, SunoClient
from suno_async.errors import (
    CallbackDeliveryError,
    ClientClosedError,
    ContentPolicyError,
    CreateTaskFailedError,
    GenerationFailedError,
    JobDetachedError,
    JobFailedError,
    JobTimeoutError,
)
from suno_async.jobs.job import Job
from suno_async.jobs.kinds import KINDS
from suno_async.models.records import (
    CoverArtRecord,
    ImagesResponse,
    LyricsRecord,
    MidiData,
    MidiRecord,
    Mp4Record,
    Mp4Response,
    MusicRecord,
    MusicResponse,
    StemsResponse,
    Track,
    VocalRemovalRecord,
    WavRecord,
    WavResponse,
)
from suno_async.sandbox import Fault, Sandbox

from .conftest import eventually, make_client

SLOW_ENOUGH = 0.01  # a music task takes ~1.5 s: every stage is observed by fast polls


async def collect(job: Job[MusicRecord]) -> list[JobEvent]:
    return [event async for event in job.events()]


async def test_every_stage_is_observed_in_order() -> None:
    async with Sandbox(time_scale=SLOW_ENOUGH, seed=2, poll_limit=None) as sb, \
            make_client(sb) as client:
        job = await client.generate(prompt="ordered stages", instrumental=True)
        events = await asyncio.wait_for(collect(job), 10)
    stages = [e.stage for e in events]
    assert stages == [Stage.PENDING, Stage.TEXT_SUCCESS, Stage.FIRST_SUCCESS, Stage.SUCCESS]
    first = events[2].record
    assert isinstance(first, MusicRecord)
    # REFERENCE §7.4: at FIRST_SUCCESS track 1 is complete, track 2 has stream/image only
    assert first.ready_tracks == (first.tracks[0],)
    assert first.tracks[1].stream_audio_url and not first.tracks[1].ready
    final = await job
    assert [t.ready for t in final.tracks] == [True, True]
    assert all(t.duration and t.duration > 0 for t in final.tracks)
    assert job.done() and job.status == "SUCCESS" and not job.tracking


async def test_skipped_stages_resolve_every_earlier_wait(client: SunoClient) -> None:
    job = await client.generate(prompt="[[skip]] straight through")
    text, first = await asyncio.gather(job.wait(Stage.TEXT_SUCCESS, timeout=10),
                                       job.wait(Stage.FIRST_SUCCESS, timeout=10))
    assert text is first and first.status == "SUCCESS"
    # the stages passed in one observation are known from the same instant
    seen = job.observed_at
    assert seen[Stage.TEXT_SUCCESS] == seen[Stage.FIRST_SUCCESS] == seen[Stage.SUCCESS]
    assert job.stage is Stage.SUCCESS


async def test_events_yield_every_stage_reached_when_one_poll_skips_them(
    client: SunoClient,
) -> None:
    job = await client.generate(prompt="[[skip]] straight through")
    events = await asyncio.wait_for(collect(job), 10)
    assert [e.stage for e in events] == [
        Stage.PENDING, Stage.TEXT_SUCCESS, Stage.FIRST_SUCCESS, Stage.SUCCESS
    ]
    # each event carries the record that showed the stage: here the final one
    assert all(e.record is job.result for e in events[1:])
    assert [e.terminal for e in events] == [False, False, False, True]


async def test_ingest_of_a_jump_emits_each_stage_in_order() -> None:
    job: Job[MusicRecord] = Job("c" * 32, KINDS["music"])
    stream = job.events()
    assert (await anext(stream)).stage is Stage.PENDING
    ready = Track(id="1", stream_audio_url="s", audio_url="a")
    final = MusicRecord(status="SUCCESS", response=MusicResponse(suno_data=(ready,)))
    assert job.ingest(final)
    events = [e async for e in stream]
    assert [(e.stage, e.status) for e in events] == [
        (Stage.TEXT_SUCCESS, "SUCCESS"),
        (Stage.FIRST_SUCCESS, "SUCCESS"),
        (Stage.SUCCESS, "SUCCESS"),
    ]
    assert all(e.record is final for e in events)
    assert job.polls == 1  # a poll-sourced ingest is counted; nothing else is kept on the job


async def test_poll_bookkeeping_is_not_on_the_job() -> None:
    job: Job[MusicRecord] = Job("d" * 32, KINDS["music"])
    public = {name for name in (*dir(Job), *vars(job)) if not name.startswith("_")}
    for gone in ("interval", "due", "sched_token", "last_poll", "poll_failures"):
        assert gone not in public
    assert isinstance(Job.polls, property) and Job.polls.fset is None  # read-only


@pytest.mark.parametrize(
    ("marker", "error", "code"),
    [
        ("[[fail]]", GenerationFailedError, 501),
        ("[[refund]]", GenerationFailedError, 531),
        ("[[create-fail]]", CreateTaskFailedError, None),
        ("[[sensitive]]", ContentPolicyError, 400),
        ("[[callback-exception-early]]", CallbackDeliveryError, None),
    ],
)
async def test_failures_reject_every_waiting_stage(
    client: SunoClient, marker: str, error: type[JobFailedError], code: int | None
) -> None:
    job = await client.generate(prompt=f"{marker} doomed")
    waits = [job.wait(stage, timeout=10) for stage in (Stage.FIRST_SUCCESS, Stage.SUCCESS)]
    results = await asyncio.gather(*waits, job, return_exceptions=True)
    assert all(type(r) is error for r in results), results
    failure = results[-1]
    assert isinstance(failure, JobFailedError) and failure.task_id == job.task_id
    if code is not None:
        assert failure.error_code == code
    assert job.stage is Stage.FAILED and job.done()


async def test_callback_exception_with_complete_tracks_is_a_success(client: SunoClient) -> None:
    job = await client.generate(prompt="[[callback-exception]] music exists")
    record = await asyncio.wait_for(job.wait(), 10)
    assert record.status == "CALLBACK_EXCEPTION" and job.stage is Stage.SUCCESS
    assert all(t.ready for t in record.tracks)


async def test_unknown_status_is_kept_logged_once_and_tracking_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # the undocumented status lasts the first half of the text stage: ~40-75 ms here
    policy = PollPolicy(initial=0.005, maximum=0.01, early_maximum=0.01, min_interval=0)
    async with Sandbox(time_scale=SLOW_ENOUGH, seed=6, poll_limit=None) as sb, \
            make_client(sb, poll=policy) as c:
        caplog.set_level(logging.WARNING, logger="suno_async")
        job = await c.generate(prompt="[[unknown-status]] novel")
        await asyncio.wait_for(job.wait(), 10)
    warnings = [r for r in caplog.records if "QUEUED_FOR_RENDER" in r.getMessage()]
    assert len(warnings) == 1
    assert job.stage is Stage.SUCCESS


def _record(kind: str, status: str) -> object:
    cls = KINDS[kind].record_type
    if cls in (MusicRecord, LyricsRecord):
        return cls(status=status)
    return cls(success_flag=status)


FAILURES = [
    ("music", "CREATE_TASK_FAILED", CreateTaskFailedError),
    ("music", "GENERATE_AUDIO_FAILED", GenerationFailedError),
    ("music", "SENSITIVE_WORD_ERROR", ContentPolicyError),
    ("music", "CALLBACK_EXCEPTION", CallbackDeliveryError),
    ("lyrics", "GENERATE_LYRICS_FAILED", GenerationFailedError),
    ("lyrics", "SENSITIVE_WORD_ERROR", ContentPolicyError),
    ("lyrics", "CREATE_TASK_FAILED", CreateTaskFailedError),
    ("wav", "GENERATE_WAV_FAILED", GenerationFailedError),
    ("wav", "CREATE_TASK_FAILED", CreateTaskFailedError),
    ("wav", "CALLBACK_EXCEPTION", CallbackDeliveryError),
    ("vocal_removal", "GENERATE_AUDIO_FAILED", GenerationFailedError),
    ("mp4", "GENERATE_MP4_FAILED", GenerationFailedError),
    ("midi", "2", CreateTaskFailedError),
    ("midi", "3", GenerationFailedError),
    ("cover_art", "3", GenerationFailedError),
    ("cover_art", "GENERATE_COVER_FAILED", GenerationFailedError),
]


@pytest.mark.parametrize(("kind", "status", "error"), FAILURES)
async def test_every_failure_status_per_family(kind: str, status: str,
                                               error: type[JobFailedError]) -> None:
    job: Job[object] = Job("t" * 32, KINDS[kind])  # type: ignore[type-var]
    assert job.ingest(_record(kind, status))  # type: ignore[arg-type]
    with pytest.raises(error):
        await job
    assert job.stage is Stage.FAILED


PENDING_STATES = [("midi", "0"), ("cover_art", "0"), ("cover_art", "2"), ("wav", "PENDING"),
                  ("lyrics", "PENDING"), ("mp4", "PENDING"), ("vocal_removal", "PENDING")]


@pytest.mark.parametrize(("kind", "status"), PENDING_STATES)
def test_pending_encodings_per_family(kind: str, status: str) -> None:
    assert KINDS[kind].classify(_record(kind, status)).stage is Stage.PENDING  # type: ignore[arg-type]


def test_success_needs_results_per_family() -> None:
    cases = {
        "wav": (WavRecord(success_flag="SUCCESS"),
                WavRecord(success_flag="SUCCESS", response=WavResponse(audio_wav_url="u"))),
        "mp4": (Mp4Record(success_flag="SUCCESS"),
                Mp4Record(success_flag="SUCCESS", response=Mp4Response(video_url="v"))),
        "vocal_removal": (VocalRemovalRecord(success_flag="SUCCESS"), VocalRemovalRecord(
            success_flag="SUCCESS", response=StemsResponse(vocal_url="v"))),
        "midi": (MidiRecord(success_flag="1"),
                 MidiRecord(success_flag="1", midi_data=MidiData(state="complete"))),
        "cover_art": (CoverArtRecord(success_flag="1"),
                      CoverArtRecord(success_flag="1", response=ImagesResponse(images=("i",)))),
    }
    for kind, (empty, full) in cases.items():
        assert KINDS[kind].classify(empty).stage is Stage.PENDING, kind
        assert KINDS[kind].classify(full).stage is Stage.SUCCESS, kind


async def test_success_without_audio_urls_is_not_final() -> None:
    job: Job[MusicRecord] = Job("a" * 32, KINDS["music"])
    streaming = Track(id="1", stream_audio_url="s", audio_url="")
    early = MusicRecord(status="SUCCESS", response=MusicResponse(suno_data=(streaming,)))
    assert job.ingest(early) and job.stage is Stage.FIRST_SUCCESS and not job.done()
    ready = Track(id="1", stream_audio_url="s", audio_url="a")
    assert job.ingest(MusicRecord(status="SUCCESS", response=MusicResponse(suno_data=(ready,))))
    assert (await job).tracks == (ready,)


async def test_ingest_is_idempotent_forward_only_and_terminal_is_sticky() -> None:
    job: Job[MusicRecord] = Job("b" * 32, KINDS["music"])
    first = MusicRecord(status="FIRST_SUCCESS")
    assert job.ingest(first) is True
    assert job.ingest(first, source="callback") is False  # duplicate
    assert job.ingest(MusicRecord(status="TEXT_SUCCESS")) is False  # out of order
    assert job.stage is Stage.FIRST_SUCCESS
    assert job.ingest(MusicRecord(status="GENERATE_AUDIO_FAILED", error_code=501)) is True
    assert job.ingest(MusicRecord(status="SUCCESS")) is False  # terminal is sticky
    assert job.stage is Stage.FAILED


async def test_a_wait_timeout_is_not_a_job_failure(client: SunoClient, sandbox: Sandbox) -> None:
    job = await client.generate(prompt="[[never]] takes forever")
    with pytest.raises(JobTimeoutError) as info:
        await job.wait(Stage.FIRST_SUCCESS, timeout=0.05)
    assert isinstance(info.value, TimeoutError)
    assert not job.done() and job.tracking and job.error is None
    polls = sandbox.stats.polls[job.task_id]
    await eventually(lambda: sandbox.stats.polls[job.task_id] > polls)  # still polled


async def test_max_wait_ends_waiting_and_polling(sandbox: Sandbox) -> None:
    policy = PollPolicy(initial=0.01, maximum=0.02, early_maximum=0.02, min_interval=0,
                        max_wait=0.2)
    async with make_client(sandbox, poll=policy) as c:
        job = await c.generate(prompt="[[never]]")
        with pytest.raises(JobTimeoutError):
            await asyncio.wait_for(job.wait(), 5)
        assert not job.tracking and not job.done()
        await eventually(lambda: not c._poller._inflight)  # a poll sent just before may land
        polls = sandbox.stats.polls[job.task_id]
        await asyncio.sleep(0.1)
        assert sandbox.stats.polls[job.task_id] == polls
        again = c.track(job.task_id)  # re-attaching starts a fresh tracking run
        assert again is not job and again.tracking
        again.detach()


async def test_cancelling_one_waiter_leaves_the_job_and_other_waiters(client: SunoClient) -> None:
    job = await client.generate(prompt="shared")
    doomed = asyncio.ensure_future(job.wait(Stage.SUCCESS))
    survivor = asyncio.ensure_future(job.wait(Stage.SUCCESS))
    await asyncio.sleep(0)
    doomed.cancel()
    record = await asyncio.wait_for(survivor, 10)
    assert doomed.cancelled() and record.status == "SUCCESS"


async def test_cancelled_generate_still_registers_the_paid_task(sandbox: Sandbox) -> None:
    sandbox.inject(Fault(route="/api/v1/generate", kind="delay", seconds=0.3))
    async with make_client(sandbox) as c:
        call = asyncio.ensure_future(c.generate(prompt="cancel me late"))
        await eventually(lambda: sandbox.stats.received["/api/v1/generate"] == 1)
        call.cancel()  # the POST has reached the server; its reply is held back
        with pytest.raises(asyncio.CancelledError):
            await call
        await eventually(lambda: bool(c.jobs))
        (job,) = c.jobs.values()
        assert sandbox.stats.submissions["/api/v1/generate"] == 1
        assert (await asyncio.wait_for(job.wait(), 10)).status == "SUCCESS"


async def test_aclose_fails_pending_waits_and_ends_event_streams(sandbox: Sandbox) -> None:
    client = make_client(sandbox)
    job = await client.generate(prompt="[[never]]")
    waiter = asyncio.ensure_future(job.wait())
    events = asyncio.ensure_future(collect(job))
    await asyncio.sleep(0.05)
    await client.aclose()
    with pytest.raises(ClientClosedError):
        await asyncio.wait_for(waiter, 5)
    stream = await asyncio.wait_for(events, 5)
    assert isinstance(stream[-1].error, ClientClosedError) and stream[-1].terminal
    assert client.closed and client._transport._session is None
    with pytest.raises(ClientClosedError):
        await client.generate(prompt="after close")


async def test_detach_stops_tracking_and_says_so(client: SunoClient, sandbox: Sandbox) -> None:
    job = await client.generate(prompt="[[never]]")
    waiter = asyncio.ensure_future(job.wait())
    await asyncio.sleep(0.02)
    job.detach()
    with pytest.raises(JobDetachedError):
        await waiter
    polls = sandbox.stats.polls[job.task_id]
    await asyncio.sleep(0.1)
    assert sandbox.stats.polls[job.task_id] == polls and not job.tracking


async def test_events_start_with_a_snapshot_and_can_stop_early(client: SunoClient) -> None:
    job = await client.generate(prompt="events")
    stream = job.events()
    event = await anext(stream)
    assert event.stage is Stage.PENDING and event.task_id == job.task_id
    assert len(job._listeners) == 1
    await stream.aclose()  # what `break` in `async for` leads to
    assert job._listeners == []
    await asyncio.wait_for(job.wait(), 10)
    done = [e async for e in job.events()]
    assert len(done) == 1 and done[0].stage is Stage.SUCCESS  # already terminal


async def test_track_shares_state_and_reattaches_from_another_client(
    client: SunoClient, sandbox: Sandbox
) -> None:
    job = await client.generate(prompt="shared state")
    assert client.track(job.task_id) is job
    async with make_client(sandbox) as other:
        twin = other.track(job.task_id)
        assert twin is not job
        assert (await asyncio.wait_for(twin, 10)).task_id == job.task_id


async def test_other_families_are_tracked_with_their_own_tables(sandbox: Sandbox) -> None:
    """A wav task created with a plain HTTP call is tracked to completion by kind."""
    async with make_client(sandbox) as c:
        music = await (await c.generate(prompt="source"))
        headers = {"Authorization": f"Bearer {sandbox.api_key}"}
        async with aiohttp.ClientSession() as http, http.post(
            sandbox.url + "/api/v1/wav/generate", headers=headers,
            json={"taskId": music.task_id, "audioId": music.tracks[0].id,
                  "callBackUrl": "https://example.invalid/cb"},
        ) as resp:
            task_id = (await resp.json())["data"]["taskId"]
        wav = c.track(task_id, "wav")
        record = await asyncio.wait_for(wav.wait(), 10)
    assert isinstance(record, WavRecord) and record.wav_url.startswith(sandbox.url)



async def test_a_generate_cancelled_while_queued_is_never_sent(sandbox: Sandbox) -> None:
    one_per_minute = RateLimit(creates=1, per_seconds=20, max_wait=30)
    async with make_client(sandbox, rate_limit=one_per_minute) as c:
        await c.generate(prompt="takes the only slot")
        queued = asyncio.ensure_future(c.generate(prompt="waits for a slot"))
        await asyncio.sleep(0.05)
        queued.cancel()
        with pytest.raises(asyncio.CancelledError):
            await queued
        assert not c._submits  # the queued call is gone, not parked
    assert sandbox.stats.received["/api/v1/generate"] == 1


async def test_aclose_cancels_queued_calls_instead_of_sending_them(sandbox: Sandbox) -> None:
    one_per_minute = RateLimit(creates=1, per_seconds=20, max_wait=30)
    client = make_client(sandbox, rate_limit=one_per_minute)
    await client.generate(prompt="sent")
    queued = asyncio.ensure_future(client.generate(prompt="never sent"))
    await asyncio.sleep(0.05)
    await asyncio.wait_for(client.aclose(), 5)
    with pytest.raises((asyncio.CancelledError, ClientClosedError)):
        await queued
    assert sandbox.stats.received["/api/v1/generate"] == 1


async def test_wait_arguments_are_checked_before_waiting(client: SunoClient) -> None:
    """Issue 12 item 16: nan, strings and other types are clear errors naming the
    argument (nan used to stall the client's other jobs)."""
    job = await client.generate(prompt="checked waits")
    for bad in (float("nan"), float("inf"), -1.0):
        with pytest.raises(ValueError, match="timeout"):
            await job.wait(timeout=bad)
    with pytest.raises(TypeError, match="timeout"):
        await job.wait(timeout="1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="until"):
        await job.wait(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown stage"):
        await job.wait("DONE")  # type: ignore[arg-type]
    record = await job.wait("SUCCESS", timeout=10)  # type: ignore[arg-type]
    assert record.tracks and job.stage is Stage.SUCCESS
