"""Records and callbacks as the live API sends them (REFERENCE §7.4, §8.1, §8.4, §6.14).

The bodies below are written from REFERENCE's descriptions of live traffic (the
fixtures in shared/api/fixtures are documentation examples; see test_records.py).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import pytest

from suno_async import Stage
from suno_async._convert import structure
from suno_async.jobs.job import Job
from suno_async.jobs.kinds import KINDS
from suno_async.models.callbacks import parse_callback
from suno_async.models.records import (
    MusicRecord,
    VocalRemovalRecord,
    VoiceRecord,
    VoiceValidateRecord,
)
from suno_async.models.results import CheckVoice

TASK = "2fac4b0ed3a1c9e8f7d6b5a4c3b2a19f"
MS = 1758044664461  # the live `first` callback's createTime (REFERENCE §8.1)


def item(n: int, *, ready: bool, create_time: object = MS) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": f"uuid-{n}",
        "audio_url": f"https://tempfile.aiquickdraw.com/r/{n}.mp3" if ready else "",
        "stream_audio_url": f"https://musicfile.kie.ai/{n}",
        "source_stream_audio_url": f"https://audiopipe.suno.ai/?item_id={n}",
        "image_url": f"https://musicfile.kie.ai/{n}.jpeg",
        "source_image_url": f"https://cdn2.suno.ai/image_{n}.jpeg",
        "prompt": "[Verse] la", "model_name": "chirp-v3-5", "title": "Night", "tags": "pop",
        "createTime": create_time,
    }
    if ready:
        body["source_audio_url"] = f"https://cdn1.suno.ai/{n}.mp3"
        body["duration"] = 154.68
    return body


def callback(kind: str, items: list[dict[str, Any]], msg: str = "ok") -> dict[str, Any]:
    return {"code": 200, "msg": msg,
            "data": {"callbackType": kind, "task_id": TASK, "data": items}}


def test_live_first_callback_has_both_items_and_the_first_is_ready() -> None:
    body = callback("first", [item(1, ready=True), item(2, ready=False)],
                    "First audio generated successfully.")
    record = parse_callback("music", body)
    assert isinstance(record, MusicRecord) and record.status == "FIRST_SUCCESS"
    first, second = record.tracks
    assert first.ready and first.duration == 154.68 and first.source_audio_url
    assert not second.ready and second.stream_audio_url and second.image_url
    assert second.audio_url == "" and second.duration is None
    assert record.ready_tracks == (first,)
    assert first.create_time == datetime.fromtimestamp(MS / 1000, tz=UTC)
    assert KINDS["music"].classify(record).stage is Stage.FIRST_SUCCESS


async def test_wait_for_first_success_gives_a_downloadable_track() -> None:
    job: Job[MusicRecord] = Job(TASK, KINDS["music"])
    text = parse_callback("music", callback("text", [item(1, ready=False), item(2, ready=False)]))
    assert job.ingest(text, source="callback")
    assert job.stage is Stage.TEXT_SUCCESS
    first = parse_callback("music", callback("first", [item(1, ready=True), item(2, ready=False)]))
    assert job.ingest(first, source="callback")
    record = await job.wait(Stage.FIRST_SUCCESS, timeout=1)
    (track,) = record.ready_tracks
    assert track.audio_url.endswith("/1.mp3") and track.duration is not None
    assert not job.done()


def test_text_stage_carries_stream_and_image_urls_but_nothing_ready() -> None:
    record = parse_callback("music", callback("text", [item(1, ready=False)]))
    assert record.status == "TEXT_SUCCESS"
    (track,) = record.tracks
    assert track.stream_audio_url and track.image_url and not track.ready
    assert record.ready_tracks == ()


def test_record_info_at_first_success_camel_case() -> None:
    data = {"taskId": TASK, "status": "FIRST_SUCCESS", "createTime": MS, "response": {
        "taskId": TASK, "sunoData": [
            {"id": "1", "audioUrl": "https://x.test/1.mp3", "streamAudioUrl": "https://x.test/s1",
             "duration": 120.5, "createTime": MS},
            {"id": "2", "audioUrl": "", "streamAudioUrl": "https://x.test/s2",
             "imageUrl": "https://x.test/2.jpeg", "duration": None}]}}
    record = KINDS["music"].parse(data)
    assert isinstance(record, MusicRecord)
    assert [t.id for t in record.ready_tracks] == ["1"]


def test_track_ready_needs_audio_and_duration() -> None:
    no_duration = parse_callback("music", callback("complete", [
        {**item(1, ready=True), "duration": None}]))
    (track,) = no_duration.tracks
    assert track.audio_url and not track.ready
    # a SUCCESS with audio URLs still completes (kept behaviour, see MusicRecord.complete)
    assert no_duration.complete


@pytest.mark.parametrize("value", [MS, str(MS), float(MS), f"{MS}.0", MS // 1000])
def test_callback_create_time_as_int_string_or_float(value: object) -> None:
    record = parse_callback("music", callback("first", [item(1, ready=True, create_time=value)]))
    (track,) = record.tracks
    assert track.create_time is not None
    assert abs(track.create_time.timestamp() - MS / 1000) < 1


@pytest.mark.parametrize("value", [math.nan, math.inf, 10**30, "not a time", [1]])
def test_odd_create_time_is_absent_not_a_failed_callback(value: object) -> None:
    record = parse_callback("music", callback("first", [item(1, ready=True, create_time=value)]))
    assert record.tracks[0].create_time is None and record.tracks[0].ready


# ---------------------------------------------------------------- vocal separation (§8.4)

STEMS = {"instrumental_url": "https://x.test/i.mp3", "origin_url": "",
         "vocal_url": "https://x.test/v.mp3"}


@pytest.mark.parametrize("key", ["vocal_separation_info", "vocal_removal_info"])
def test_separation_callback_under_either_key(key: str) -> None:
    body = {"code": 200, "msg": "vocal separation generated successfully.",
            "data": {"task_id": TASK, key: STEMS}}
    record = parse_callback("vocal_removal", body)
    assert isinstance(record, VocalRemovalRecord)
    assert record.stems == {"instrumental": STEMS["instrumental_url"],
                            "vocal": STEMS["vocal_url"]}
    assert record.complete
    assert KINDS["vocal_removal"].classify(record).stage is Stage.SUCCESS


def test_split_stem_callback_under_the_kie_key() -> None:
    info = {"drums_url": "https://x.test/d.mp3", "bass_url": "https://x.test/b.mp3"}
    body = {"code": 200, "msg": "ok", "data": {"task_id": TASK, "vocal_separation_info": info}}
    assert set(parse_callback("vocal_removal", body).stems) == {"drums", "bass"}  # type: ignore[attr-defined]


ADVANCED = {"origin_data": [{
    "extract": {"audio_url": "https://x.test/drums.mp3", "stem_type_group_name": "Drums",
                "id": "e1", "duration": 200.1},
    "remove": {"audio_url": "https://x.test/no-drums.mp3", "stem_type_group_name": "Drums",
               "id": "r1", "duration": 200.1}}]}


def test_split_stem_advanced_callback_shape() -> None:
    body = {"code": 200, "msg": "ok", "data": {"task_id": TASK, "vocal_removal_info": ADVANCED}}
    record = parse_callback("vocal_removal", body)
    assert isinstance(record, VocalRemovalRecord)
    (entry,) = record.origin_data
    assert entry.extract is not None and entry.extract.audio_url.endswith("drums.mp3")
    assert entry.remove is not None and entry.remove.id == "r1"
    assert entry.urls == ("https://x.test/drums.mp3", "https://x.test/no-drums.mp3")
    assert record.complete and record.stems == {}


def test_split_stem_advanced_record_info_shape() -> None:
    data = {"taskId": TASK, "successFlag": "SUCCESS", "response": {"originData": [
        {"extract": {"audioUrl": "https://x.test/v.mp3", "stemTypeGroupName": "Vocals"},
         "remove": {"audioUrl": "https://x.test/rest.mp3"}}]}}
    record = structure(data, VocalRemovalRecord)
    assert record.origin_data[0].urls == ("https://x.test/v.mp3", "https://x.test/rest.mp3")
    assert record.complete


def test_separation_failure_with_a_null_result() -> None:
    body = {"code": 400, "msg": "bad", "data": {"task_id": TASK, "vocal_separation_info": None}}
    record = parse_callback("vocal_removal", body)
    assert record.error_code == 400 and not record.complete  # type: ignore[attr-defined]


# ---------------------------------------------------------------- Suno Voice (§6.14)


def test_voice_records_and_callbacks() -> None:
    record = structure({"taskId": "g1", "voiceId": "voice-9", "status": "success",
                        "errorCode": None, "errorMessage": None}, VoiceRecord)
    assert record.complete and record.voice_id == "voice-9"
    body = {"code": 200, "msg": "ok", "data": {"taskId": "g1", "voiceId": "voice-9",
                                                "status": "success"}}
    assert parse_callback("voice", body) == record
    failed = parse_callback("voice", {"code": 501, "msg": "voice failed",
                                      "data": {"taskId": "g1", "status": "processing"}})
    assert failed.status == "fail" and failed.error_code == 501  # type: ignore[attr-defined]
    assert failed.error_message == "voice failed"
    validate = parse_callback("voice_validate", {"code": 200, "msg": "ok", "data": {
        "taskId": "v1", "validateInfo": "Please read: blue sky", "status": "wait_validating"}})
    assert isinstance(validate, VoiceValidateRecord)
    assert validate.phrase == "Please read: blue sky" and validate.complete
    odd = structure({"taskId": "v1", "validateInfo": {"text": "x"},
                     "status": "processing_validate"}, VoiceValidateRecord)
    assert odd.phrase == "" and odd.validate_info == {"text": "x"} and not odd.complete
    assert structure({"isAvailable": True}, CheckVoice).is_available
    assert structure({}, CheckVoice).is_available is False
