"""Every endpoint method against the sandbox over loopback.

Task-creating methods return a ``Job`` of the right kind whose final record is the
family's typed record; immediate calls return typed results; uploads pick the right
upload endpoint; invalid input raises ``RequestValidationError`` and nothing reaches
the server (the sandbox's own counters prove it).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from suno_async import (
    CoverArtRecord,
    ExtendRequest,
    LyricsRecord,
    MidiRecord,
    Mp4Record,
    MusicRecord,
    Persona,
    SeparationType,
    StyleBoost,
    SunoClient,
    TimestampedLyrics,
    UploadedFile,
    VocalRemovalRecord,
    WavRecord,
)
from suno_async.errors import (
    GenerationFailedError,
    InvalidParametersError,
    JobFailedError,
    NotFoundError,
    RequestValidationError,
    UnknownModelWarning,
)
from suno_async.limits import UPLOAD_BASE64_MAX_BYTES
from suno_async.sandbox import Sandbox

from .conftest import make_client

TIMEOUT = 10.0


async def finished_music(client: SunoClient, prompt: str = "calm piano at night",
                         **fields: Any) -> MusicRecord:
    job = await client.generate(prompt=prompt, **fields)
    return await job.wait(timeout=TIMEOUT)


async def uploaded(client: SunoClient, name: str = "a.wav") -> str:
    up = await client.upload_file(b"RIFF-demo-" + name.encode(), upload_path="tests",
                                  file_name=name)
    return up.download_url


# ----------------------------------------------------------------------------- music family


async def test_extend_of_a_generated_track(client: SunoClient, sandbox: Sandbox) -> None:
    source = await finished_music(client)
    track = source.tracks[0]
    job = await client.extend(audio_id=track.id)
    assert job.kind.name == "music"
    record = await job
    assert isinstance(record, MusicRecord)
    assert record.parent_music_id == track.id
    assert record.operation_type == "extend"
    assert len(record.tracks) == 2
    assert all(t.ready for t in record.tracks)
    assert record.params["callBackUrl"].startswith("https://")  # filled by the client
    assert sandbox.stats.submissions["/api/v1/generate/extend"] == 1


async def test_extend_with_custom_params_as_request_object(client: SunoClient) -> None:
    source = await finished_music(client)
    track = source.tracks[0]
    request = ExtendRequest(audio_id=track.id, default_param_flag=True, prompt="[Outro] bye",
                            style="lofi", title="Night, Longer", continue_at=30)
    record = await (await client.extend(request))
    assert record.tracks[0].title == "Night, Longer"
    assert record.params["continueAt"] == 30
    with pytest.raises(TypeError, match="either a request object or keyword"):
        await client.extend(request, audio_id="x")


async def test_extend_model_mismatch_is_the_servers_call(
    client: SunoClient, sandbox: Sandbox
) -> None:
    # live, a mismatch is not refused at submit (REFERENCE §5.2, §10 item 4): the
    # task is accepted and fails later; the SDK leaves the call to the server
    source = await finished_music(client)  # V5
    job = await client.extend(audio_id=source.tracks[0].id, model="V4_5")
    with pytest.raises(JobFailedError):
        await job
    assert sandbox.stats.received["/api/v1/generate/extend"] == 1


async def test_unknown_model_is_sent_with_a_warning(
    client: SunoClient, sandbox: Sandbox
) -> None:
    with pytest.warns(UnknownModelWarning), pytest.raises(InvalidParametersError):
        await client.extend(audio_id="x", model="V9_TURBO")
    assert sandbox.stats.received["/api/v1/generate/extend"] == 1


@pytest.mark.parametrize(
    ("method", "operation"),
    [
        ("upload_extend", "upload_extend"),
        ("add_vocals", "add_vocals"),
        ("mashup", "mashup"),
        ("generate_sounds", "sounds"),
    ],
)
async def test_music_family_from_uploads(
    client: SunoClient, sandbox: Sandbox, method: str, operation: str
) -> None:
    url_a = await uploaded(client, "a.wav")
    url_b = await uploaded(client, "b.wav")
    fields: dict[str, Any] = {
        "upload_extend": {"upload_url": url_a, "prompt": "keep going", "continue_at": 5},
        "add_vocals": {"upload_url": url_a, "prompt": "[Verse] hello", "title": "Hi",
                       "style": "soul", "negative_tags": "metal"},
        "mashup": {"upload_url_list": [url_a, url_b], "prompt": "blend them"},
        "generate_sounds": {"prompt": "rain on a tin roof", "sound_loop": True,
                            "sound_tempo": 90, "sound_key": "F#m"},
    }[method]
    job = await getattr(client, method)(**fields)
    assert job.kind.name == "music"
    record = await job
    assert isinstance(record, MusicRecord)
    assert record.operation_type == operation
    assert len(record.tracks) == 2
    assert sum(sandbox.stats.submissions.values()) == 1


async def test_replace_section_both_modes(client: SunoClient) -> None:
    source = await finished_music(client, prompt="a song about rain")
    track = source.tracks[0]
    section = {"prompt": "new words here", "tags": "pop", "title": "Rain (edit)",
               "full_lyrics": "all the words", "infill_start_s": 10, "infill_end_s": 25.5}
    from_track = await (await client.replace_section(
        task_id=source.task_id, audio_id=track.id, **section))
    assert from_track.operation_type == "replace_section"
    assert from_track.parent_music_id == track.id
    from_upload = await (await client.replace_section(
        upload_url=await uploaded(client), model="V4_5", **section))
    assert from_upload.tracks[0].model_name == "chirp-auk"


# ----------------------------------------------------------------------------- other families


async def test_generate_lyrics(client: SunoClient) -> None:
    job = await client.generate_lyrics(prompt="a quiet city night")
    assert job.kind.name == "lyrics"
    record = await job
    assert isinstance(record, LyricsRecord)
    assert len(record.variants) == 2
    assert all(v.text and v.status == "complete" for v in record.variants)


async def test_convert_to_wav(client: SunoClient) -> None:
    source = await finished_music(client)
    job = await client.convert_to_wav(task_id=source.task_id, audio_id=source.tracks[1].id)
    assert job.kind.name == "wav"
    record = await job
    assert isinstance(record, WavRecord)
    assert record.wav_url.endswith(".wav")
    assert record.music_id == source.tracks[1].id


@pytest.mark.parametrize(
    ("kind", "expected"),
    [(SeparationType.SEPARATE_VOCAL, {"vocal", "instrumental"}),
     ("split_stem", {"vocal", "drums", "bass"})],
)
async def test_separate_vocals(client: SunoClient, kind: Any, expected: set[str]) -> None:
    source = await finished_music(client)
    job = await client.separate_vocals(task_id=source.task_id,
                                       audio_id=source.tracks[0].id, type=kind)
    assert job.kind.name == "vocal_removal"
    record = await job
    assert isinstance(record, VocalRemovalRecord)
    assert expected <= set(record.stems)
    if kind == "split_stem":
        assert len(record.stems) > 2
        assert "instrumental" not in record.stems
    assert all(stem.id for stem in record.origin_data)


async def test_generate_midi_all_stems_and_one(client: SunoClient) -> None:
    source = await finished_music(client)
    separation = await (await client.separate_vocals(task_id=source.task_id,
                                                     audio_id=source.tracks[0].id))
    job = await client.generate_midi(task_id=separation.task_id)
    assert job.kind.name == "midi"
    record = await job
    assert isinstance(record, MidiRecord)
    assert record.instruments
    notes = [n for i in record.instruments for n in i.notes]
    assert notes
    assert all(0 <= n.pitch <= 127 and n.end > n.start >= 0 for n in notes)
    one = await (await client.generate_midi(task_id=separation.task_id,
                                            audio_id=separation.origin_data[0].id))
    assert one.audio_id == separation.origin_data[0].id


async def test_generate_midi_needs_a_separation(client: SunoClient) -> None:
    source = await finished_music(client)
    with pytest.raises(NotFoundError, match="Record does not exist"):
        await client.generate_midi(task_id=source.task_id)  # a music task, not a separation


async def test_create_music_video(client: SunoClient) -> None:
    source = await finished_music(client)
    job = await client.create_music_video(task_id=source.task_id, audio_id=source.tracks[0].id,
                                          author="Tester", domain_name="example.com")
    assert job.kind.name == "mp4"
    record = await job
    assert isinstance(record, Mp4Record)
    assert record.video_url.endswith(".mp4")


async def test_generate_cover_art_once_per_task(client: SunoClient) -> None:
    source = await finished_music(client)
    job = await client.generate_cover_art(task_id=source.task_id)
    assert job.kind.name == "cover_art"
    record = await job
    assert isinstance(record, CoverArtRecord)
    assert len(record.images) >= 1
    assert record.parent_task_id == source.task_id
    with pytest.raises(InvalidParametersError, match="already generated"):
        await client.generate_cover_art(task_id=source.task_id)


async def test_family_failure_uses_its_status_table(client: SunoClient) -> None:
    source = await finished_music(client, prompt="piano [[fail:wav]]")  # music succeeds
    job = await client.convert_to_wav(task_id=source.task_id, audio_id=source.tracks[0].id)
    with pytest.raises(GenerationFailedError) as info:
        await job
    assert info.value.status == "GENERATE_WAV_FAILED"


# ----------------------------------------------------------------------------- immediate


async def test_timestamped_lyrics(client: SunoClient, sandbox: Sandbox) -> None:
    source = await finished_music(client, prompt="a song about the sea")
    track = source.tracks[0]
    timed = await client.get_timestamped_lyrics(task_id=source.task_id, audio_id=track.id)
    assert isinstance(timed, TimestampedLyrics)
    assert timed.aligned_words
    starts = [w.start_s for w in timed.aligned_words]
    assert starts == sorted(starts)
    assert all(w.end_s is not None and w.start_s is not None and w.end_s > w.start_s
               for w in timed.aligned_words)
    assert timed.text.split() == track.prompt.split()
    assert sandbox.stats.received["/api/v1/generate/get-timestamped-lyrics"] == 1


async def test_boost_style(client: SunoClient, sandbox: Sandbox) -> None:
    before = await client.get_credits()
    boosted = await client.boost_style(content="Pop, Mysterious")
    assert isinstance(boosted, StyleBoost)
    assert boosted.result.startswith("Pop, Mysterious")
    assert boosted.credits_consumed == pytest.approx(0.4)
    assert boosted.create_time is not None
    assert boosted.error is None
    assert await client.get_credits() == pytest.approx(before - 0.4)
    assert sandbox.stats.received["/api/v1/style/generate"] == 1


async def test_generate_persona(client: SunoClient) -> None:
    source = await finished_music(client, prompt="a pop song")
    persona = await client.generate_persona(
        task_id=source.task_id, audio_id=source.tracks[0].id, name="Nova",
        description="airy pop voice", vocal_start=5, vocal_end=25,
    )
    assert isinstance(persona, Persona)
    assert persona.persona_id
    assert persona.name == "Nova"
    # usable at once in a generation
    job = await client.generate(prompt="x", custom_mode=True, style="pop", title="With Nova",
                                persona_id=persona.persona_id)
    assert (await job).params["personaId"] == persona.persona_id


async def test_immediate_call_on_an_unknown_track_is_not_found(client: SunoClient) -> None:
    job = await client.generate(prompt="never ends [[never]]")
    with pytest.raises(NotFoundError):
        await client.get_timestamped_lyrics(task_id=job.task_id, audio_id="nope")


# ----------------------------------------------------------------------------- uploads


async def fetch(client: SunoClient, url: str) -> bytes:
    async with client._transport.session().get(url) as resp:
        assert resp.status == 200
        return await resp.read()


async def test_upload_small_bytes_as_base64(client: SunoClient, sandbox: Sandbox) -> None:
    data = b"\x00\x01binary\xffdata"
    up = await client.upload_file(data, upload_path="audio/small", file_name="tiny.wav")
    assert isinstance(up, UploadedFile)
    assert sandbox.stats.received["/api/file-base64-upload"] == 1
    assert up.file_name == "tiny.wav"
    assert up.file_size == len(data)
    assert up.mime_type.startswith("audio/")
    assert up.file_path.endswith("audio/small/tiny.wav")
    assert await fetch(client, up.download_url) == data


async def test_upload_path_streams_multipart(
    client: SunoClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    source = tmp_path / "take 1.mp3"
    data = bytes(range(256)) * 40
    source.write_bytes(data)
    up = await client.upload_file(source, upload_path="audio")
    assert sandbox.stats.received["/api/file-stream-upload"] == 1
    assert sandbox.stats.received["/api/file-base64-upload"] == 0
    assert up.file_size == len(data)
    assert await fetch(client, up.download_url) == data
    assert up.file_name == "take 1.mp3"  # the part's name, not percent-encoded
    up2 = await client.upload_file(str(source), upload_path="audio", file_name="named.mp3")
    assert up2.file_name == "named.mp3"


async def test_upload_large_bytes_stream(client: SunoClient, sandbox: Sandbox) -> None:
    data = b"\x7f" * (UPLOAD_BASE64_MAX_BYTES + 1)
    up = await client.upload_file(data, upload_path="big", file_name="big.wav")
    assert sandbox.stats.received["/api/file-stream-upload"] == 1
    assert sandbox.stats.received["/api/file-base64-upload"] == 0
    assert up.file_size == len(data)


async def test_upload_from_url(client: SunoClient, sandbox: Sandbox) -> None:
    source = await finished_music(client)
    up = await client.upload_file(source.tracks[0].audio_url, upload_path="remote")
    assert sandbox.stats.received["/api/file-url-upload"] == 1
    assert (await fetch(client, up.download_url))[:4] == b"RIFF"
    # the hosted URL is what upload_url takes
    record = await (await client.upload_cover(upload_url=up.download_url, prompt="as jazz"))
    assert record.operation_type == "upload_cover"


async def test_same_file_name_overwrites(client: SunoClient) -> None:
    first = await client.upload_file(b"one", upload_path="notes", file_name="n.txt")
    second = await client.upload_file(b"two", upload_path="notes", file_name="n.txt")
    assert first.download_url == second.download_url
    assert await fetch(client, second.download_url) == b"two"


async def test_upload_refuses_other_schemes_and_missing_files(
    client: SunoClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match="http"):
        await client.upload_file("ftp://example.com/a.mp3", upload_path="x")
    with pytest.raises(FileNotFoundError):
        await client.upload_file(tmp_path / "missing.mp3", upload_path="x")
    with pytest.raises(RequestValidationError) as info:
        await client.upload_file(b"x", upload_path="/abs/")
    assert info.value.fields == ("upload_path",)
    assert sum(sandbox.stats.received.values()) == 0


async def test_upload_wire_is_plain_base64(sandbox: Sandbox) -> None:
    # the sandbox decodes strictly; a payload with every byte value round-trips
    async with make_client(sandbox) as client:
        data = bytes(range(256))
        up = await client.upload_file(data, upload_path="bytes")
        assert await fetch(client, up.download_url) == data
        assert base64.b64decode(base64.b64encode(data)) == data


# ----------------------------------------------------------------------------- invalid input

INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("extend", {"default_param_flag": True}, "/api/v1/generate/extend"),
    ("upload_extend", {"upload_url": "not-a-url"}, "/api/v1/generate/upload-extend"),
    ("add_vocals", {"upload_url": "https://x.test/a.mp3"}, "/api/v1/generate/add-vocals"),
    ("replace_section", {"task_id": "t", "audio_id": "a", "prompt": "p", "tags": "t",
                         "title": "t", "full_lyrics": "l", "infill_start_s": 0,
                         "infill_end_s": 61}, "/api/v1/generate/replace-section"),
    ("mashup", {"upload_url_list": ["https://x.test/a.mp3"], "prompt": "p"},
     "/api/v1/generate/mashup"),
    ("generate_sounds", {"prompt": "rain", "model": "V4_5"}, "/api/v1/generate/sounds"),
    ("generate_lyrics", {"prompt": "word " * 201}, "/api/v1/lyrics"),
    ("convert_to_wav", {"task_id": "t"}, "/api/v1/wav/generate"),
    ("separate_vocals", {"task_id": "t", "audio_id": "a", "type": "karaoke"},
     "/api/v1/vocal-removal/generate"),
    ("generate_midi", {}, "/api/v1/midi/generate"),
    ("create_music_video", {"task_id": "t", "audio_id": "a", "author": "x" * 51},
     "/api/v1/mp4/generate"),
    ("generate_cover_art", {"task_id": ""}, "/api/v1/suno/cover/generate"),
    ("get_timestamped_lyrics", {"task_id": "t"}, "/api/v1/generate/get-timestamped-lyrics"),
    ("boost_style", {"content": "  "}, "/api/v1/style/generate"),
    ("generate_persona", {"task_id": "t", "audio_id": "a", "name": "n", "description": "d",
                          "vocal_start": 0, "vocal_end": 5},
     "/api/v1/generate/generate-persona"),
]


@pytest.mark.parametrize(("method", "fields", "path"), INVALID, ids=[m for m, _, _ in INVALID])
async def test_invalid_input_sends_nothing(
    client: SunoClient, sandbox: Sandbox, method: str, fields: dict[str, Any], path: str
) -> None:
    with pytest.raises(RequestValidationError) as info:
        await getattr(client, method)(**fields)
    assert info.value.problems
    assert sandbox.stats.received[path] == 0
    assert sum(sandbox.stats.received.values()) == 0
    assert client.jobs == {}


async def test_every_method_returns_the_declared_kind() -> None:
    """The request class of each task-creating method names an existing job kind."""
    from suno_async import models
    from suno_async.jobs.kinds import KINDS

    for name in models.__all__:
        cls = getattr(models, name)
        kind = getattr(cls, "kind", None)
        if isinstance(kind, str):
            assert kind in KINDS, name


def test_results_parse_the_documented_shapes() -> None:
    from suno_async._convert import structure

    doc = json.loads(
        '{"alignedWords":[{"word":"[Verse]\\nWaggin\'","success":true,"startS":1.36,'
        '"endS":1.79,"palign":0}],"waveformData":[0,1,0.5,0.75],'
        '"hootCer":0.3803191489361702,"isStreamed":false}'
    )
    timed = structure(doc, TimestampedLyrics)
    assert timed.aligned_words[0].duration == pytest.approx(0.43)
    assert timed.waveform_data == (0.0, 1.0, 0.5, 0.75)
    boost = structure({"taskId": "98df", "param": "Pop", "result": "Mysterious pop",
                       "creditsConsumed": 0.4, "creditsRemaining": 29212.53,
                       "successFlag": "成功", "errorCode": None, "errorMsg": "boom",
                       "createTime": 1777379281542}, StyleBoost)
    assert boost.error == "boom"
    assert boost.create_time is not None and boost.create_time.year == 2026
    up = structure({"success": True, "fileName": "test.txt",
                    "filePath": "kieai/136592/documents/test-uploads/test.txt",
                    "downloadUrl": "https://tempfile.redpandaai.co/kieai/136592/x/test.txt",
                    "fileSize": 11, "mimeType": "text/plain",
                    "uploadedAt": "2026-04-16T07:19:10.400Z"}, UploadedFile)
    assert up.uploaded_at is not None and up.uploaded_at.microsecond == 400000
    assert up.file_size == 11


def test_every_endpoint_lists_exactly_its_request_fields() -> None:
    """Explicit keywords (a type checker sees them) = the request class's fields: a field
    added to a request class must be added to its method too."""
    import inspect
    import typing

    import attrs as attrs_

    from suno_async import SunoClient as Client

    checked = 0
    for name, method in inspect.getmembers(Client, inspect.iscoroutinefunction):
        params = inspect.signature(method).parameters
        request = params.get("request")
        if name.startswith("_") or request is None:
            continue
        hints = typing.get_type_hints(method)
        (cls,) = [a for a in typing.get_args(hints["request"]) if a is not type(None)]
        keywords = {p for p, v in params.items() if v.kind is inspect.Parameter.KEYWORD_ONLY}
        # ``host`` is the validation profile, taken from the client's provider
        assert keywords == {f.name for f in attrs_.fields(cls)} - {"host"}, name
        assert all(params[k].default is None for k in keywords), name
        checked += 1
    assert checked == 24
