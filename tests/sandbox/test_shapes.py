"""Shapes against the fixtures: live replies key for key, documentation examples as subsets."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from suno_async.sandbox import Sandbox

from .support import (
    CB,
    Http,
    Receiver,
    create,
    finish,
    finished_music,
    fixture,
    gen_body,
    generate,
    get,
    post,
)

HEX32 = re.compile(r"^[0-9a-f]{32}$")


def keys(obj: dict[str, Any]) -> set[str]:
    return {k for k in obj if k != "_note"}


async def test_generate_reply_matches_live_fixture(sb: Sandbox, http: Http) -> None:
    status, reply = await post(http, sb, "/api/v1/generate", gen_body())
    live = fixture("sunoapi_generate_response_real.json")
    assert status == 200
    assert keys(reply) == keys(live)
    assert keys(reply["data"]) == keys(live["data"])
    assert reply["msg"] == "success"
    assert HEX32.match(reply["data"]["taskId"])


async def test_pending_record_matches_live_fixture(sb: Sandbox, http: Http) -> None:
    body = gen_body(
        customMode=True, model="V4", style="Classical", title="Rainy Memories", prompt="[[never]]"
    )
    task_id = await create(http, sb, "/api/v1/generate", body)
    status, reply = await get(http, sb, "/api/v1/generate/record-info", taskId=task_id)
    live = fixture("sunoapi_record_info_pending_real.json")
    assert status == 200
    assert keys(reply) == keys(live)
    data = reply["data"]
    assert keys(data) == keys(live["data"])
    for key, value in live["data"].items():
        assert type(data[key]) is type(value), key
    assert data["response"] is None
    assert data["status"] == "PENDING"
    assert data["type"] == "chirp-v4"
    assert data["operationType"] == "generate"
    assert data["parentMusicId"] == ""
    assert json.loads(data["param"]) == body
    assert data["createTime"] > 1_600_000_000_000  # epoch ms


async def test_success_record_covers_documented_keys(sb: Sandbox, http: Http) -> None:
    task_id, audio_ids = await finished_music(http, sb)
    _, reply = await get(http, sb, "/api/v1/generate/record-info", taskId=task_id)
    doc = fixture("doc_kie_record_info_success.json")["data"]
    data = reply["data"]
    assert keys(doc) <= keys(data)
    assert data["status"] == "SUCCESS"
    assert data["type"] == "chirp-crow"
    tracks = data["response"]["sunoData"]
    assert len(tracks) == 2
    assert [t["id"] for t in tracks] == audio_ids
    for track in tracks:
        assert keys(doc["response"]["sunoData"][0]) <= keys(track)
        assert str(uuid.UUID(track["id"])) == track["id"]
        assert track["audioUrl"].startswith(sb.url)
        assert isinstance(track["duration"], float)
        assert isinstance(track["createTime"], int)


async def test_failed_record_has_live_failure_fields(sb: Sandbox, http: Http) -> None:
    task_id = await generate(http, sb, prompt="[[fail]] rain")
    await finish(sb, task_id)
    _, reply = await get(http, sb, "/api/v1/generate/record-info", taskId=task_id)
    live = fixture("sunoapi_record_info_generate_audio_failed_fragment.json")
    assert keys(live) <= keys(reply["data"])
    assert reply["data"]["status"] == "GENERATE_AUDIO_FAILED"
    assert isinstance(reply["data"]["errorCode"], int)
    assert isinstance(reply["data"]["errorMessage"], str)


async def test_error_envelopes_match_fixtures(sb: Sandbox, http: Http) -> None:
    status, reply = await post(http, sb, "/api/v1/generate", gen_body(callBackUrl=None))
    live = fixture("kie_error_callbackurl_missing_http200_code422.json")
    assert status == 200
    assert reply == {k: live[k] for k in keys(live)}
    async with http.post(
        f"{sb.url}/api/v1/generate", json=gen_body(), headers={"Authorization": "Bearer nope"}
    ) as resp:
        assert resp.status == 401
        body = await resp.json()
    no_access = fixture("kie_error_401_no_access.json")
    assert {k: body[k] for k in no_access} == no_access
    assert body["data"] is None


async def test_unknown_task_on_generate_record_info_is_data_null(sb: Sandbox, http: Http) -> None:
    status, reply = await get(http, sb, "/api/v1/generate/record-info", taskId="0" * 32)
    assert (status, reply) == (200, {"code": 200, "msg": "success", "data": None})


async def test_music_callbacks_match_documented_shapes(
    sb: Sandbox, http: Http, receiver: Receiver
) -> None:
    task_id = await generate(http, sb, callBackUrl=receiver.url)
    await receiver.wait_for(3, task_id=task_id)
    text, first, complete = receiver.of(task_id)
    doc_text = fixture("doc_callback_generate_text.json")
    doc_first = fixture("doc_callback_generate_first.json")
    doc_complete = fixture("doc_callback_generate_complete.json")
    assert text == {**doc_text, "data": {**doc_text["data"], "task_id": task_id}}
    assert keys(first) == keys(doc_first)
    assert keys(first["data"]) == keys(doc_first["data"])
    assert first["data"]["callbackType"] == "first"
    assert first["msg"] == "First audio generated successfully."  # live text
    # live (REFERENCE §7.4, §8.1): both items; track 1 complete, track 2 stream/image only
    ready, streaming = first["data"]["data"]
    assert keys(ready) == keys(doc_first["data"]["data"][0])
    assert ready["audio_url"].startswith(sb.url)
    assert ready["duration"] > 0
    assert keys(streaming) == keys(doc_first["data"]["data"][0]) - {"duration"}
    assert streaming["audio_url"] == ""
    assert streaming["stream_audio_url"].startswith(sb.url)
    assert streaming["image_url"].startswith(sb.url)
    assert complete["msg"] == doc_complete["msg"]
    assert complete["data"]["callbackType"] == "complete"
    assert len(complete["data"]["data"]) == 2
    for got in complete["data"]["data"]:
        assert keys(got) == keys(doc_complete["data"]["data"][0])
        assert isinstance(got["createTime"], int)  # live: epoch ms, not the docs' string
        assert got["createTime"] > 1_700_000_000_000


async def test_error_callback_matches_documented_shape(
    sb: Sandbox, http: Http, receiver: Receiver
) -> None:
    task_id = await generate(http, sb, prompt="[[fail]]", callBackUrl=receiver.url)
    await receiver.wait_for(2, task_id=task_id)
    error = receiver.of(task_id)[-1]
    doc = fixture("doc_callback_generate_error.json")
    assert error == {**doc, "data": {**doc["data"], "task_id": task_id}}


async def test_upload_cover_callbacks_carry_source_urls(
    sb: Sandbox, http: Http, receiver: Receiver
) -> None:
    body = gen_body(uploadUrl="https://example.com/a.mp3", callBackUrl=receiver.url)
    task_id = await create(http, sb, "/api/v1/generate/upload-cover", body)
    await receiver.wait_for(3, task_id=task_id)
    item = receiver.of(task_id)[-1]["data"]["data"][0]
    assert {"source_audio_url", "source_stream_audio_url", "source_image_url"} <= keys(item)
    _, reply = await get(http, sb, "/api/v1/generate/record-info", taskId=task_id)
    assert reply["data"]["operationType"] == "upload_cover"


async def test_sync_endpoint_shapes(sb: Sandbox, http: Http) -> None:
    task_id, audio_ids = await finished_music(
        http, sb, customMode=True, style="pop", title="T", prompt="[Verse]\nhello world"
    )
    _, reply = await post(
        http,
        sb,
        "/api/v1/generate/get-timestamped-lyrics",
        {"taskId": task_id, "audioId": audio_ids[0]},
    )
    doc = fixture("doc_timestamped_lyrics.json")
    assert keys(reply["data"]) == keys(doc["data"])
    assert keys(reply["data"]["alignedWords"][0]) == keys(doc["data"]["alignedWords"][0])
    assert [w["word"] for w in reply["data"]["alignedWords"]] == ["[Verse]", "\nhello", "world"]
    _, reply = await post(http, sb, "/api/v1/style/generate", {"content": "Pop, Mysterious"})
    assert keys(fixture("doc_style_boost.json")["data"]) <= keys(reply["data"])
    assert reply["data"]["creditsConsumed"] == 0.4
    assert reply["data"]["param"] == "Pop, Mysterious"
    assert "errorMsg" in reply["data"]


async def test_family_records_cover_documented_keys(sb: Sandbox, http: Http) -> None:
    task_id, audio_ids = await finished_music(http, sb)
    ref = {"taskId": task_id, "audioId": audio_ids[1], "callBackUrl": CB}
    mp4 = await create(http, sb, "/api/v1/mp4/generate", ref)
    vocal = await create(http, sb, "/api/v1/vocal-removal/generate", ref)
    wav = await create(http, sb, "/api/v1/wav/generate", ref)
    for tid in (mp4, vocal, wav):
        await finish(sb, tid)
    _, mp4_reply = await get(http, sb, "/api/v1/mp4/record-info", taskId=mp4)
    doc = fixture("doc_mp4_record_info.json")["data"]
    assert keys(doc) <= keys(mp4_reply["data"])
    assert mp4_reply["data"]["successFlag"] == "SUCCESS"
    assert mp4_reply["data"]["musicIndex"] == 1
    assert mp4_reply["data"]["musicId"] == audio_ids[1]
    assert mp4_reply["data"]["response"]["videoUrl"].endswith(".mp4")
    _, vocal_reply = await get(http, sb, "/api/v1/vocal-removal/record-info", taskId=vocal)
    doc = fixture("doc_vocal_removal_record_info.json")["data"]
    assert keys(doc["response"]) <= keys(vocal_reply["data"]["response"])
    origin = vocal_reply["data"]["response"]["originData"]
    assert [o["stem_type_group_name"] for o in origin] == ["Vocals", "Instrumental"]
    _, wav_reply = await get(http, sb, "/api/v1/wav/record-info", taskId=wav)
    assert wav_reply["data"]["response"]["audioWavUrl"].endswith(".wav")
    assert isinstance(wav_reply["data"]["createTime"], int)
