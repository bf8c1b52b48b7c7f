"""Fidelity to the REFERENCE revision (recorded live kie.ai traffic): not-found texts per
endpoint, leniencies at submit, models per endpoint, stage contents, callback shapes per
provider and separation mode, download-url, the provider switch."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from suno_async.sandbox import Sandbox

from .support import (
    CB,
    Http,
    Receiver,
    create,
    finish,
    finished_music,
    gen_body,
    generate,
    get,
    post,
)

UNKNOWN = "f" * 32
BOGUS_AUDIO = "90273aa5-f25a-4ab0-adc7-9dfa1bac51f7"
NOWHERE = "https://nowhere.invalid/song.mp3"  # reserved domain: "unreachable" to the sandbox


def refused(code: int, msg: str) -> dict[str, Any]:
    return {"code": code, "msg": msg, "data": None}


@pytest.fixture
async def suno() -> AsyncIterator[Sandbox]:
    async with Sandbox(
        time_scale=0.002, seed=2, provider="sunoapi", poll_limit=None, rate_limit=None
    ) as sandbox:
        yield sandbox


@pytest.fixture
async def suno_http(suno: Sandbox) -> AsyncIterator[Http]:
    async with Http(headers={"Authorization": f"Bearer {suno.api_key}"}) as session:
        yield session


# --- §2.4 not found: record-info data null vs create 422 vs recovery 500 -------------------


RECORD_INFOS = [
    ("/api/v1/generate/record-info", "taskId"),
    ("/api/v1/lyrics/record-info", "taskId"),
    ("/api/v1/wav/record-info", "taskId"),
    ("/api/v1/vocal-removal/record-info", "taskId"),
    ("/api/v1/midi/record-info", "taskId"),
    ("/api/v1/mp4/record-info", "taskId"),
    ("/api/v1/suno/cover/record-info", "taskId"),
    ("/api/v1/voice/record-info", "taskId"),
    ("/api/v1/voice/validate-info", "taskId"),
]


@pytest.mark.parametrize(("path", "param"), RECORD_INFOS)
async def test_record_info_of_an_unknown_id_is_data_null(
    sb: Sandbox, http: Http, path: str, param: str
) -> None:
    status, reply = await get(http, sb, path, **{param: UNKNOWN})
    assert (status, reply) == (200, {"code": 200, "msg": "success", "data": None})


async def test_recovery_not_found_is_body_code_500(sb: Sandbox, http: Http) -> None:
    _, reply = await get(http, sb, "/api/v1/suno/recovery/record-info", task_id=UNKNOWN)
    assert reply == refused(500, "The music link recovery task does not exist.")
    _, reply = await post(http, sb, "/api/v1/suno/recovery", {"task_id": UNKNOWN})
    assert reply == refused(500, "The original Suno task does not exist.")


async def test_create_calls_with_bogus_ids_use_their_own_texts(sb: Sandbox, http: Http) -> None:
    ids = {"taskId": UNKNOWN, "audioId": BOGUS_AUDIO, "callBackUrl": CB}
    cases = [
        ("/api/v1/wav/generate", ids, "Record does not exist"),
        ("/api/v1/mp4/generate", ids, "Record does not exist"),
        ("/api/v1/vocal-removal/generate", ids, "Record does not exist"),
        ("/api/v1/midi/generate", {"taskId": UNKNOWN, "callBackUrl": CB}, "Record does not exist"),
        ("/api/v1/suno/cover/generate", {"taskId": UNKNOWN, "callBackUrl": CB},
         "Original music record does not exist"),
        ("/api/v1/generate/generate-persona",
         {"taskId": UNKNOWN, "audioId": BOGUS_AUDIO, "name": "n", "description": "d"},
         "Music does not exist"),
        ("/api/v1/generate/get-timestamped-lyrics", {"taskId": UNKNOWN, "audioId": BOGUS_AUDIO},
         "The corresponding record does not exist"),
        ("/api/v1/voice/generate", {"taskId": UNKNOWN, "verifyUrl": "https://x.test/v.mp3"},
         "Validate record not found"),
        ("/api/v1/voice/regenerate", {"taskId": UNKNOWN, "calBackUrl": CB},
         "The record is not found or does not need to be rebuilt or does not require a retry"),
        ("/api/v1/voice/check-voice", {"task_id": UNKNOWN}, "Voice record not found"),
    ]
    for path, body, msg in cases:
        status, reply = await post(http, sb, path, body)
        assert (status, reply) == (200, refused(422, msg)), path
    assert sb.stats.submissions.total() == 0


async def test_required_field_texts(sb: Sandbox, http: Http) -> None:
    replace = {
        "taskId": UNKNOWN, "audioId": BOGUS_AUDIO, "prompt": "new words", "tags": "pop",
        "title": "t", "infillStartS": 10, "infillEndS": 20, "callBackUrl": CB,
    }
    _, reply = await post(http, sb, "/api/v1/generate/replace-section", replace)
    assert reply == refused(422, "fullLyrics cannot be blank")
    add = {"uploadUrl": "https://x.test/a.mp3", "title": "t", "tags": "pop", "callBackUrl": CB}
    _, reply = await post(http, sb, "/api/v1/generate/add-instrumental", add)
    assert reply == refused(422, "Please enter negativeTags.")
    _, reply = await post(http, sb, "/api/v1/generate", gen_body(callBackUrl=None))
    assert reply == refused(422, "Please enter callBackUrl.")


# --- §10 item 4: accepted at submit, failing later ---------------------------------------


async def test_live_leniencies_at_submit(sb: Sandbox, http: Http) -> None:
    extend = {"defaultParamFlag": False, "audioId": BOGUS_AUDIO, "model": "V5", "callBackUrl": CB}
    upload_extend = {
        "uploadUrl": NOWHERE, "defaultParamFlag": True, "instrumental": False,
        "continueAt": 60, "model": "V5", "prompt": "[Verse] words", "callBackUrl": CB,
    }  # no style, no title
    cover = gen_body(uploadUrl=NOWHERE)
    vocals = {
        "uploadUrl": NOWHERE, "prompt": "la la", "title": "t", "style": "pop",
        "negativeTags": "metal", "callBackUrl": CB,
    }
    mashup = {
        "uploadUrlList": ["https://x.test/a.mp3", "https://x.test/b.mp3"],
        "customMode": False, "model": "V4", "callBackUrl": CB,
    }  # non-custom without a prompt
    voice = {"voiceUrl": NOWHERE, "vocalStartS": 0, "vocalEndS": 20}
    failing = {
        "/api/v1/generate/extend": extend,
        "/api/v1/generate/upload-extend": upload_extend,
        "/api/v1/generate/upload-cover": cover,
        "/api/v1/generate/add-vocals": vocals,
        "/api/v1/voice/validate": voice,
    }
    failed = {path: await create(http, sb, path, body) for path, body in failing.items()}
    ok_mashup = await create(http, sb, "/api/v1/generate/mashup", mashup)
    for task_id in [*failed.values(), ok_mashup]:
        await finish(sb, task_id)
    for path, task_id in failed.items():
        status = sb.status(task_id)
        assert status in ("GENERATE_AUDIO_FAILED", "processing_validate_fail"), path
    _, reply = await get(http, sb, "/api/v1/generate/record-info", taskId=failed[
        "/api/v1/generate/upload-cover"])
    assert reply["data"]["errorCode"] == 451
    assert sb.status(ok_mashup) == "SUCCESS"


async def test_upload_extend_without_continue_at_is_accepted_then_fails(
    sb: Sandbox, http: Http
) -> None:
    body = {
        "uploadUrl": "https://x.test/a.mp3", "defaultParamFlag": False, "instrumental": False,
        "model": "V5", "prompt": "more", "callBackUrl": CB,
    }
    task_id = await create(http, sb, "/api/v1/generate/upload-extend", body)
    await finish(sb, task_id)
    assert sb.status(task_id) == "GENERATE_AUDIO_FAILED"
    ok = await create(http, sb, "/api/v1/generate/upload-extend", {**body, "continueAt": 30})
    await finish(sb, ok)
    assert sb.status(ok) == "SUCCESS"


# --- §3.1 models per endpoint ----------------------------------------------------------


async def test_models_per_endpoint(sb: Sandbox, http: Http, suno: Sandbox,
                                   suno_http: Http) -> None:
    sounds = {"prompt": "rain on a tin roof", "callBackUrl": CB}
    for model in ("V5", "V5_5"):
        await create(http, sb, "/api/v1/generate/sounds", {**sounds, "model": model})
    _, reply = await post(http, sb, "/api/v1/generate/sounds", {**sounds, "model": "V4_5"})
    assert reply == refused(422, "model must be one of V5, V5_5")
    await generate(http, sb, model="V5_5")
    add = {
        "uploadUrl": "https://x.test/a.mp3", "title": "t", "tags": "pop", "negativeTags": "x",
        "callBackUrl": CB, "model": "V5_5",
    }
    await create(http, sb, "/api/v1/generate/add-instrumental", add)
    # the V6 family: sunoapi.org has it, kie's legacy endpoints are not known to
    _, reply = await post(http, sb, "/api/v1/generate", gen_body(model="V6"))
    assert reply["code"] == 422
    assert "V6" not in reply["msg"]
    for model in ("V6", "V6_WILD", "V6_MINI"):
        await create(suno_http, suno, "/api/v1/generate", gen_body(model=model))
    # V5_5 duration and personaModel
    await generate(http, sb, model="V5_5", customMode=True, style="pop", title="t",
                   duration=120, personaId="p1", personaModel="voice_persona")
    _, reply = await post(http, sb, "/api/v1/generate", gen_body(duration=5))
    assert reply == refused(422, "duration must be an integer between 10 and 360 seconds")
    _, reply = await post(http, sb, "/api/v1/generate", gen_body(personaModel="x"))
    assert reply == refused(422, "personaModel must be one of style_persona, voice_persona")


# --- §7.4 / §8.1 stage contents, both items in `first`, integer createTime ---------------


async def test_stage_contents_in_record_info_and_callbacks(
    sb: Sandbox, http: Http, receiver: Receiver
) -> None:
    task_id = await generate(http, sb, prompt="a song [[never]]", callBackUrl=receiver.url)
    assert sb.advance(task_id, "TEXT_SUCCESS")
    await receiver.wait_for(1, task_id=task_id)
    _, reply = await get(http, sb, "/api/v1/generate/record-info", taskId=task_id)
    assert reply["data"]["status"] == "TEXT_SUCCESS"
    for track in reply["data"]["response"]["sunoData"]:
        assert track["streamAudioUrl"].startswith(sb.url)
        assert track["imageUrl"].startswith(sb.url)
        assert (track["audioUrl"], track["duration"]) == ("", None)
    assert sb.advance(task_id, "FIRST_SUCCESS")
    await receiver.wait_for(2, task_id=task_id)
    _, reply = await get(http, sb, "/api/v1/generate/record-info", taskId=task_id)
    one, two = reply["data"]["response"]["sunoData"]
    assert one["audioUrl"].startswith(sb.url)
    assert one["duration"] > 0
    assert two["streamAudioUrl"] and two["imageUrl"]
    assert (two["audioUrl"], two["duration"]) == ("", None)
    async with http.get(one["audioUrl"]) as resp:  # the first track downloads already
        assert resp.status == 200
        assert (await resp.read())[:4] == b"RIFF"
    text, first = receiver.of(task_id)
    assert text["data"]["callbackType"] == "text"
    assert first["data"]["callbackType"] == "first"
    ready, streaming = first["data"]["data"]
    assert ready["audio_url"] == one["audioUrl"]
    assert ready["duration"] == one["duration"]
    assert streaming["audio_url"] == ""
    assert "duration" not in streaming
    assert "source_audio_url" not in streaming
    assert streaming["stream_audio_url"] == two["streamAudioUrl"]
    for item in (ready, streaming):
        assert isinstance(item["createTime"], int)
        assert item["createTime"] > 1_700_000_000_000


async def test_the_first_track_is_usable_at_first_success(sb: Sandbox, http: Http) -> None:
    task_id = await generate(http, sb, prompt="words to sing [[never]]")
    sb.advance(task_id, "FIRST_SUCCESS")
    one, two = (t.id for t in sb.task(task_id).tracks)
    await create(http, sb, "/api/v1/wav/generate", {"taskId": task_id, "audioId": one,
                                                    "callBackUrl": CB})
    _, reply = await post(http, sb, "/api/v1/wav/generate", {"taskId": task_id, "audioId": two,
                                                             "callBackUrl": CB})
    assert reply == refused(422, "Record does not exist")  # track 2 is not complete yet
    _, reply = await post(http, sb, "/api/v1/generate/get-timestamped-lyrics",
                          {"taskId": task_id, "audioId": one})
    assert reply["code"] == 200
    assert reply["data"]["alignedWords"]


# --- §8.4 separation callback key per provider and shape per mode ------------------------


async def _separation_callback(
    sb: Sandbox, http: Http, receiver: Receiver, **extra: Any
) -> tuple[str, dict[str, Any]]:
    music, audio = await finished_music(http, sb)
    body = {"taskId": music, "audioId": audio[0], "callBackUrl": receiver.url, **extra}
    vocal = await create(http, sb, "/api/v1/vocal-removal/generate", body)
    await receiver.wait_for(1, task_id=vocal)
    (callback,) = receiver.of(vocal)
    return vocal, callback


async def test_separation_callback_key_per_provider(
    sb: Sandbox, http: Http, suno: Sandbox, suno_http: Http, receiver: Receiver
) -> None:
    _, kie = await _separation_callback(sb, http, receiver, type="split_stem")
    assert kie["msg"] == "vocal separation generated successfully."
    assert set(kie["data"]) == {"task_id", "vocal_separation_info"}
    assert {"drums_url", "bass_url", "vocal_url"} <= set(kie["data"]["vocal_separation_info"])
    _, other = await _separation_callback(suno, suno_http, receiver)
    assert other["msg"] == "vocal Removal generated successfully."
    assert set(other["data"]) == {"task_id", "vocal_removal_info"}
    assert set(other["data"]["vocal_removal_info"]) == {
        "instrumental_url", "origin_url", "vocal_url"
    }


async def test_split_stem_advanced_shape(sb: Sandbox, http: Http, receiver: Receiver) -> None:
    _, reply = await post(http, sb, "/api/v1/vocal-removal/generate", {
        "taskId": UNKNOWN, "audioId": BOGUS_AUDIO, "type": "split_stem_advanced",
        "callBackUrl": CB})
    assert reply == refused(422, "Please enter stemName.")
    vocal, callback = await _separation_callback(
        sb, http, receiver, type="split_stem_advanced", stemName="Drums"
    )
    (pair,) = callback["data"]["vocal_removal_info"]["origin_data"]
    assert set(pair) == {"extract", "remove"}
    assert pair["extract"]["stem_type_group_name"] == "Drums"
    for part in pair.values():
        assert set(part) == {"audio_url", "stem_type_group_name", "id", "duration"}
        async with http.get(part["audio_url"]) as resp:
            assert resp.status == 200
    _, record = await get(http, sb, "/api/v1/vocal-removal/record-info", taskId=vocal)
    assert record["data"]["response"]["originData"] == [pair]
    # MIDI takes an originData id of an advanced separation as well
    midi = {"taskId": vocal, "audioId": pair["extract"]["id"], "callBackUrl": CB}
    await create(http, sb, "/api/v1/midi/generate", midi)


async def test_separation_of_an_uploaded_file(sb: Sandbox, http: Http) -> None:
    body = {"audioUrl": "https://x.test/mix.mp3", "callBackUrl": CB}
    vocal = await create(http, sb, "/api/v1/vocal-removal/generate", body)
    await finish(sb, vocal)
    _, record = await get(http, sb, "/api/v1/vocal-removal/record-info", taskId=vocal)
    assert record["data"]["successFlag"] == "SUCCESS"
    assert record["data"]["response"]["vocalUrl"].startswith(sb.url)
    both = {**body, "taskId": UNKNOWN, "audioId": BOGUS_AUDIO}
    _, reply = await post(http, sb, "/api/v1/vocal-removal/generate", both)
    assert reply["code"] == 422
    gone = await create(http, sb, "/api/v1/vocal-removal/generate", {**body, "audioUrl": NOWHERE})
    await finish(sb, gone)
    assert sb.status(gone) == "GENERATE_AUDIO_FAILED"


# --- §6.15 download-url ----------------------------------------------------------------


async def test_download_url_only_for_files_the_sandbox_generated(sb: Sandbox, http: Http) -> None:
    music, audio = await finished_music(http, sb)
    _, record = await get(http, sb, "/api/v1/generate/record-info", taskId=music)
    url = record["data"]["response"]["sunoData"][0]["audioUrl"]
    _, reply = await post(http, sb, "/api/v1/common/download-url", {"url": url})
    assert reply == {"code": 200, "msg": "success", "data": url}
    for foreign in ("https://cdn.kie.ai/files/x.mp3", f"{sb.url}/files/audio/nope.wav",
                    url.replace("127.0.0.1", "localhost")):
        _, reply = await post(http, sb, "/api/v1/common/download-url", {"url": foreign})
        assert reply == refused(422, "url is wrong"), foreign
    _, reply = await post(http, sb, "/api/v1/common/download-url", {})
    assert reply == refused(422, "Please enter url.")
    assert audio


# --- the provider switch ---------------------------------------------------------------


async def test_provider_differences(suno: Sandbox, suno_http: Http, receiver: Receiver) -> None:
    assert suno.provider == "sunoapi"
    _, reply = await post(suno_http, suno, "/api/v1/generate", gen_body(callBackUrl=None))
    assert reply == refused(400, "Please enter callBackUrl.")  # fixture: sunoapi code 400
    suno.set_credits(suno.api_key, 41.7)
    _, reply = await get(suno_http, suno, "/api/v1/generate/credit")
    assert reply == {"code": 200, "msg": "success", "data": 41}
    status, _ = await get(suno_http, suno, "/api/v1/chat/credit")
    assert status == 404
    lyrics = await create(suno_http, suno, "/api/v1/lyrics",
                          {"prompt": "night", "callBackUrl": receiver.url})
    await receiver.wait_for(1, task_id=lyrics)
    (body,) = receiver.of(lyrics)
    assert set(body["data"]) == {"callbackType", "taskId", "data"}
    assert set(body["data"]["data"][0]) == {"errorMessage", "status", "text", "title"}
    music = await create(suno_http, suno, "/api/v1/generate", gen_body(callBackUrl=receiver.url))
    await receiver.wait_for(3, task_id=music)
    complete = receiver.of(music)[-1]["data"]["data"][0]
    assert {"source_audio_url", "source_stream_audio_url", "source_image_url"} <= set(complete)


async def test_sunoapi_rate_limit_is_body_code_430() -> None:
    async with (
        Sandbox(time_scale=0.01, provider="sunoapi", rate_limit=(1, 60.0)) as sb,
        Http(headers={"Authorization": f"Bearer {sb.api_key}"}) as http,
    ):
        await generate(http, sb)
        status, reply = await post(http, sb, "/api/v1/generate", gen_body())
        assert (status, reply["code"], reply["data"]) == (200, 430, None)
        assert sb.stats.submissions["/api/v1/generate"] == 1


async def test_unknown_provider_is_refused() -> None:
    with pytest.raises(ValueError, match="provider must be one of kie, sunoapi"):
        Sandbox(provider="apikley")


async def test_upload_file_path_prefix_per_provider(suno: Sandbox, suno_http: Http) -> None:
    body = {"base64Data": "aGVsbG8=", "uploadPath": "docs", "fileName": "a.txt"}
    async with suno_http.post(f"{suno.upload_url}/api/file-base64-upload", json=body) as resp:
        reply = await resp.json()
    assert reply["data"]["filePath"].startswith("sunoapiorg/")
