"""The revised request and record shapes against the sandbox (written independently from
REFERENCE), over loopback with the real client: what the models send is accepted, and what
the sandbox answers parses into the records users read.
"""

from __future__ import annotations

import pytest

from suno_async import (
    AddInstrumentalRequest,
    GenerateRequest,
    RecoveryRequest,
    SeparateVocalsRequest,
    SoundsRequest,
    Stage,
    SunoClient,
    UploadExtendRequest,
)
from suno_async.sandbox import Sandbox

from .conftest import TIME_SCALE, make_client


async def test_first_success_gives_a_downloadable_first_track() -> None:
    async with Sandbox(time_scale=TIME_SCALE, seed=3, poll_limit=None) as sb, \
            make_client(sb) as client:
        job = await client.generate(prompt="the first song early")
        record = await job.wait(Stage.FIRST_SUCCESS, timeout=20)
        if record.status == "FIRST_SUCCESS":  # a fast sandbox may jump to SUCCESS
            first, second = record.tracks
            assert first.ready and record.ready_tracks == (first,)
            assert second.stream_audio_url and not second.ready
        assert record.ready_tracks and record.ready_tracks[0].audio_url
        final = await job.wait(timeout=20)
        assert len(final.ready_tracks) == 2


@pytest.mark.parametrize(
    "request_",
    [
        GenerateRequest(custom_mode=True, instrumental=True, style="ambient", title="Drift",
                        model="V5_5", duration=90, persona_id="p1",
                        persona_model="voice_persona"),
        SoundsRequest(prompt="rain on a tin roof", model="V5_5"),
        AddInstrumentalRequest(upload_url="https://files.example.com/v.mp3", title="T",
                               tags="piano", negative_tags="metal", model="V5_5"),
        UploadExtendRequest(upload_url="https://files.example.com/a.mp3", prompt="go on",
                            continue_at=10),
    ],
    ids=["generate-v5_5-duration-persona", "sounds-v5_5", "add-instrumental-v5_5",
         "upload-extend-continue-at"],
)
async def test_revised_music_requests_are_accepted(
    client: SunoClient, request_: object
) -> None:
    method = {
        GenerateRequest: client.generate,
        SoundsRequest: client.generate_sounds,
        AddInstrumentalRequest: client.add_instrumental,
        UploadExtendRequest: client.upload_extend,
    }[type(request_)]
    job = await method(request_)  # type: ignore[operator]
    assert len(job.task_id) == 32


async def test_separation_modes_end_to_end() -> None:
    async with Sandbox(time_scale=TIME_SCALE, seed=4, poll_limit=None) as sb, \
            make_client(sb) as client:
        music = await (await client.generate(prompt="stems please")).wait(timeout=20)
        track = music.tracks[0]
        advanced = await client.separate_vocals(SeparateVocalsRequest(
            task_id=music.task_id, audio_id=track.id, type="split_stem_advanced",
            stem_name="Vocals"))
        record = await advanced.wait(timeout=20)
        (item,) = record.origin_data
        assert item.extract is not None and item.extract.audio_url
        assert item.remove is not None and item.remove.audio_url
        uploaded = await client.separate_vocals(
            SeparateVocalsRequest(audio_url="https://files.example.com/song.mp3"))
        stems = await uploaded.wait(timeout=20)
        assert set(stems.stems) == {"vocal", "instrumental"}


async def test_recovery_sends_the_kie_field(client: SunoClient) -> None:
    music = await (await client.generate(prompt="links that expire")).wait(timeout=20)
    job = await client.recover_audio(RecoveryRequest(suno_task_id=music.task_id))
    assert job.kind.name == "recovery" and job.task_id
