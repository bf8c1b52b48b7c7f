"""Rows 28-29: temporary download links, and recovery of expired audio links."""

from __future__ import annotations

import asyncio

import pytest

from suno_async import RecoveryRecord, Stage, SunoClient
from suno_async.errors import GenerationFailedError, NotFoundError, RequestValidationError
from suno_async.jobs.job import Job
from suno_async.jobs.kinds import KINDS
from suno_async.models.callbacks import parse_callback
from suno_async.sandbox import Sandbox

RUNNING = {"code": 201, "task_id": "r" * 32, "msg": "running", "data": None}
DONE = {"code": 200, "task_id": "r" * 32, "msg": "success", "data": [
    {"id": "a1", "audio_url": "https://x.test/a1.m4a", "title": "T", "status": "success",
     "error": None},
    {"id": "a2", "audio_url": "", "title": "T", "status": "failed", "error": "clip_error"}]}
FAILED = {"code": 500, "task_id": "r" * 32, "msg": "all failed", "data": [
    {"id": "a1", "audio_url": "", "title": "T", "status": "failed", "error": "feed_failed"}]}


async def test_download_url(client: SunoClient, sandbox: Sandbox) -> None:
    music = await (await client.generate(prompt="to fetch"))
    link = await client.get_download_url(url=music.tracks[0].audio_url)
    assert link.startswith("http")
    with pytest.raises(RequestValidationError):
        await client.get_download_url(url="not a url")
    assert sandbox.stats.received["/api/v1/common/download-url"] == 1


async def test_the_envelope_code_is_the_recovery_status() -> None:
    kind = KINDS["recovery"]
    assert kind.classify(kind.parse(RUNNING)).stage is Stage.PENDING
    done = kind.parse(DONE)
    assert isinstance(done, RecoveryRecord)
    assert kind.classify(done).stage is Stage.SUCCESS
    assert [t.ok for t in done.tracks] == [True, False]
    verdict = kind.classify(kind.parse(FAILED))
    assert verdict.stage is Stage.FAILED and verdict.failure is GenerationFailedError


async def test_recovery_callbacks_feed_the_same_job() -> None:
    job: Job[RecoveryRecord] = Job("r" * 32, KINDS["recovery"])
    assert job.ingest(parse_callback("recovery", DONE), source="callback")
    record = await job
    assert record.tracks[0].audio_url.endswith(".m4a")
    failing: Job[RecoveryRecord] = Job("s" * 32, KINDS["recovery"])
    failing.ingest(parse_callback("recovery", {**FAILED, "task_id": "s" * 32}))
    with pytest.raises(GenerationFailedError):
        await failing


async def test_recovery_request_rules(client: SunoClient, sandbox: Sandbox) -> None:
    with pytest.raises(RequestValidationError) as info:
        await client.recover_audio()
    assert info.value.fields == ("suno_task_id",)
    assert sandbox.stats.received["/api/v1/suno/recovery"] == 0


async def test_unknown_recovery_task_is_not_found(client: SunoClient) -> None:
    with pytest.raises(NotFoundError):
        await asyncio.wait_for(client.get_record("0" * 32, "recovery"), 10)


async def test_recover_audio_end_to_end(client: SunoClient, sandbox: Sandbox) -> None:
    music = await (await client.generate(prompt="[[partial:recovery]] links expired"))
    job = await client.recover_audio(suno_task_id=music.task_id)
    assert job.kind.name == "recovery"
    record = await asyncio.wait_for(job.wait(), 10)
    assert isinstance(record, RecoveryRecord)
    assert [t.ok for t in record.tracks] == [True, False]
    assert record.tracks[0].id == music.tracks[0].id
    async with client._transport.session().get(record.tracks[0].audio_url) as resp:
        assert resp.status == 200
        assert (await resp.read())[:4] == b"RIFF"
    assert sandbox.stats.polls[job.task_id] >= 1


async def test_a_failed_recovery_raises_with_the_reply_message(client: SunoClient) -> None:
    music = await (await client.generate(prompt="[[fail:recovery]] gone for good"))
    job = await client.recover_audio(suno_task_id=music.task_id)
    with pytest.raises(GenerationFailedError) as info:
        await asyncio.wait_for(job.wait(), 10)
    assert info.value.error_code == 500
    assert info.value.error_message  # the reply's msg, not just a code
    assert info.value.error_message in str(info.value)


def test_a_bare_500_is_a_server_hiccup_not_the_outcome() -> None:
    from suno_async.errors import APIResponseValidationError

    with pytest.raises(APIResponseValidationError):
        KINDS["recovery"].parse({"code": 500, "task_id": "r" * 32, "msg": "oops", "data": None})
