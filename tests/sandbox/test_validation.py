"""Validation rules and the API's own messages, endpoint by endpoint (no task is created)."""

from __future__ import annotations

from typing import Any

import pytest

from suno_async.sandbox import Sandbox

from .support import CB, Http, create, finish, finished_music, gen_body, post

URL = "https://example.com/a.mp3"


def custom(**over: Any) -> dict[str, Any]:
    return gen_body(**{"customMode": True, "style": "Jazz", "title": "Title", **over})


GENERATE_CASES = [
    (gen_body(callBackUrl=None), 422, "Please enter callBackUrl."),
    (gen_body(callBackUrl=""), 422, "Please enter callBackUrl."),
    (gen_body(callBackUrl="not a url"), 422, "callBackUrl must be a valid http(s) URL"),
    (gen_body(customMode=None), 400, "customMode cannot be null"),
    (gen_body(instrumental=None), 400, "instrumental cannot be null"),
    (gen_body(model=None), 422, "Please enter model."),
    (gen_body(model="V9"), 422, "model must be one of V3_5, V4, V4_5, V4_5PLUS, V4_5ALL, V5, V5_5"),
    (gen_body(prompt=None), 422, "Please enter prompt."),
    (
        gen_body(prompt="x" * 501),
        422,
        "prompt exceeds the maximum length of 500 characters in non-custom mode (got 501)",
    ),
    (custom(style=None), 422, "Please enter style."),
    (custom(title=None), 422, "Please enter title."),
    (custom(prompt=None), 422, "Please enter prompt."),
    (
        custom(model="V4", prompt="x" * 3001),
        422,
        "prompt exceeds the maximum length of 3000 characters for model V4 (got 3001)",
    ),
    (
        custom(model="V4", style="s" * 201),
        422,
        "style exceeds the maximum length of 200 characters for model V4 (got 201)",
    ),
    (
        custom(model="V5", style="s" * 1001),
        422,
        "style exceeds the maximum length of 1000 characters for model V5 (got 1001)",
    ),
    (
        custom(model="V4", title="t" * 81),
        422,
        "title exceeds the maximum length of 80 characters for model V4 (got 81)",
    ),
    (
        custom(model="V4_5ALL", title="t" * 81),
        422,
        "title exceeds the maximum length of 80 characters for model V4_5ALL (got 81)",
    ),
    (
        custom(model="V5", title="t" * 101),
        422,
        "title exceeds the maximum length of 100 characters for model V5 (got 101)",
    ),
    (
        gen_body(styleWeight=1.5),
        422,
        "styleWeight must be between 0 and 1 with at most 2 decimal places",
    ),
    (
        gen_body(audioWeight=0.555),
        422,
        "audioWeight must be between 0 and 1 with at most 2 decimal places",
    ),
    (gen_body(weirdnessConstraint="high"), 422, "weirdnessConstraint must be a number"),
    (gen_body(vocalGender="x"), 422, "vocalGender must be 'm' or 'f'"),
    (gen_body(customMode="yes"), 422, "customMode must be a boolean"),
]

ACCEPTED_GENERATE = [
    custom(model="V5", title="t" * 100, prompt="p" * 5000, style="s" * 1000),
    custom(model="V4_5", title="t" * 100),
    custom(model="V4", title="t" * 80, prompt="p" * 3000, style="s" * 200),
    custom(instrumental=True, prompt=None),
    gen_body(prompt="x" * 500, styleWeight=0.65, weirdnessConstraint=0, audioWeight=1),
]


@pytest.mark.parametrize(("body", "code", "msg"), GENERATE_CASES)
async def test_generate_rejections(
    sb: Sandbox, http: Http, body: dict[str, Any], code: int, msg: str
) -> None:
    status, reply = await post(http, sb, "/api/v1/generate", body)
    assert status == 200
    assert reply == {"code": code, "msg": msg, "data": None}
    assert sb.stats.submissions.total() == 0
    assert sb.stats.received["/api/v1/generate"] == 1


@pytest.mark.parametrize("body", ACCEPTED_GENERATE)
async def test_generate_accepts_limits(sb: Sandbox, http: Http, body: dict[str, Any]) -> None:
    await create(http, sb, "/api/v1/generate", body)


OTHER_CASES: list[tuple[str, dict[str, Any], int, str]] = [
    (
        "/api/v1/generate/extend",
        {"audioId": "a", "model": "V5", "defaultParamFlag": False},
        422,
        "Please enter callBackUrl.",
    ),
    (
        "/api/v1/generate/extend",
        {"audioId": "a", "model": "V5", "callBackUrl": CB},
        400,
        "defaultParamFlag cannot be null",
    ),
    (
        "/api/v1/generate/extend",
        {"model": "V5", "defaultParamFlag": False, "callBackUrl": CB},
        422,
        "Please enter audioId.",
    ),
    (
        "/api/v1/generate/extend",
        {
            "audioId": "a",
            "model": "V5",
            "defaultParamFlag": True,
            "callBackUrl": CB,
            "prompt": "p",
            "style": "s",
            "title": "t",
        },
        422,
        "Please enter continueAt.",
    ),
    (
        "/api/v1/generate/extend",
        {
            "audioId": "a",
            "model": "V5",
            "defaultParamFlag": True,
            "callBackUrl": CB,
            "prompt": "p",
            "style": "s",
            "title": "t",
            "continueAt": 0,
        },
        422,
        "continueAt must be greater than 0",
    ),
    ("/api/v1/generate/upload-cover", gen_body(), 422, "Please enter uploadUrl."),
    (
        "/api/v1/generate/upload-cover",
        gen_body(uploadUrl="ftp://x/y"),
        422,
        "uploadUrl must be a valid http(s) URL",
    ),
    (
        "/api/v1/generate/upload-cover",
        gen_body(uploadUrl=URL, instrumental=None),
        400,
        "instrumental cannot be null",
    ),
    (
        "/api/v1/generate/upload-extend",
        {
            "uploadUrl": URL,
            "defaultParamFlag": False,
            "model": "V5",
            "callBackUrl": CB,
            "prompt": "p",
        },
        400,
        "instrumental cannot be null",
    ),
    (
        "/api/v1/generate/add-instrumental",
        {"uploadUrl": URL, "title": "t", "tags": "x", "callBackUrl": CB},
        422,
        "Please enter negativeTags.",
    ),
    (
        "/api/v1/generate/add-instrumental",
        {
            "uploadUrl": URL,
            "title": "t",
            "tags": "x",
            "negativeTags": "y",
            "model": "V4",
            "callBackUrl": CB,
        },
        422,
        "model must be one of V4_5PLUS, V5, V5_5",
    ),
    (
        "/api/v1/generate/add-vocals",
        {"uploadUrl": URL, "title": "t", "style": "x", "negativeTags": "y", "callBackUrl": CB},
        422,
        "Please enter prompt.",
    ),
    (
        "/api/v1/generate/replace-section",
        {
            "prompt": "p",
            "tags": "t",
            "title": "x",
            "infillStartS": 10,
            "infillEndS": 12,
            "fullLyrics": "l",
            "taskId": "a",
            "audioId": "b",
            "callBackUrl": CB,
        },
        422,
        "infillEndS - infillStartS must be between 6 and 60 seconds",
    ),
    (
        "/api/v1/generate/replace-section",
        {
            "prompt": "p",
            "tags": "t",
            "title": "x",
            "infillStartS": 10,
            "infillEndS": 5,
            "fullLyrics": "l",
            "taskId": "a",
            "audioId": "b",
            "callBackUrl": CB,
        },
        422,
        "infillEndS must be greater than infillStartS",
    ),
    (
        "/api/v1/generate/replace-section",
        {
            "prompt": "p",
            "tags": "t",
            "title": "x",
            "infillStartS": 10,
            "infillEndS": 20,
            "taskId": "a",
            "audioId": "b",
            "callBackUrl": CB,
        },
        422,
        "fullLyrics cannot be blank",
    ),
    (
        "/api/v1/generate/mashup",
        gen_body(uploadUrlList=[URL]),
        422,
        "uploadUrlList must contain exactly 2 URLs",
    ),
    (
        "/api/v1/generate/mashup",
        gen_body(uploadUrlList=[URL, URL, URL]),
        422,
        "uploadUrlList must contain exactly 2 URLs",
    ),
    (
        "/api/v1/generate/sounds",
        {"prompt": "rain", "model": "V4_5", "callBackUrl": CB},
        422,
        "model must be one of V5, V5_5",
    ),
    (
        "/api/v1/generate/sounds",
        {"prompt": "r" * 501, "model": "V5", "callBackUrl": CB},
        422,
        "prompt exceeds the maximum length of 500 characters (got 501)",
    ),
    (
        "/api/v1/generate/sounds",
        {"prompt": "rain", "model": "V5", "soundTempo": 301, "callBackUrl": CB},
        422,
        "soundTempo must be an integer between 1 and 300",
    ),
    (
        "/api/v1/generate/sounds",
        {"prompt": "rain", "model": "V5", "soundKey": "H", "callBackUrl": CB},
        422,
        "soundKey must be one of Any, Cm, C#m, Dm, D#m, Em, Fm, F#m, Gm, G#m, Am, A#m, Bm, "
        "C, C#, D, D#, E, F, F#, G, G#, A, A#, B",
    ),
    ("/api/v1/lyrics", {"prompt": "night"}, 422, "Please enter callBackUrl."),
    (
        "/api/v1/lyrics",
        {"prompt": "w " * 201, "callBackUrl": CB},
        422,
        "prompt exceeds the maximum length of 200 words",
    ),
    ("/api/v1/wav/generate", {"taskId": "a", "audioId": "b"}, 422, "Please enter callBackUrl."),
    ("/api/v1/wav/generate", {"taskId": "a", "callBackUrl": CB}, 422, "Please enter audioId."),
    (
        "/api/v1/wav/generate",
        {"taskId": "a", "audioId": "b", "callBackUrl": CB},
        422,
        "Record does not exist",
    ),
    (
        "/api/v1/vocal-removal/generate",
        {"taskId": "a", "audioId": "b", "type": "karaoke", "callBackUrl": CB},
        422,
        "type must be one of separate_vocal, split_stem, split_stem_advanced",
    ),
    (
        "/api/v1/vocal-removal/generate",
        {"taskId": "a", "audioId": "b", "callBackUrl": CB},
        422,
        "Record does not exist",
    ),
    ("/api/v1/midi/generate", {"taskId": "a"}, 422, "Please enter callBackUrl."),
    ("/api/v1/midi/generate", {"taskId": "a", "callBackUrl": CB}, 422, "Record does not exist"),
    (
        "/api/v1/mp4/generate",
        {"taskId": "a", "audioId": "b", "author": "x" * 51, "callBackUrl": CB},
        422,
        "author exceeds the maximum length of 50 characters (got 51)",
    ),
    (
        "/api/v1/mp4/generate",
        {"taskId": "a", "audioId": "b", "callBackUrl": CB},
        422,
        "Record does not exist",
    ),
    ("/api/v1/suno/cover/generate", {"taskId": "a"}, 422, "Please enter callBackUrl."),
    (
        "/api/v1/suno/cover/generate",
        {"taskId": "a", "callBackUrl": CB},
        422,
        "Original music record does not exist",
    ),
    ("/api/v1/style/generate", {}, 422, "Please enter content."),
    ("/api/v1/generate/get-timestamped-lyrics", {"taskId": "a"}, 422, "Please enter audioId."),
    (
        "/api/v1/generate/get-timestamped-lyrics",
        {"taskId": "a", "audioId": "b"},
        422,
        "The corresponding record does not exist",
    ),
    (
        "/api/v1/generate/generate-persona",
        {"taskId": "a", "audioId": "b", "name": "n"},
        422,
        "Please enter description.",
    ),
    (
        "/api/v1/generate/generate-persona",
        {"taskId": "a", "audioId": "b", "name": "n", "description": "d", "vocalEnd": 5},
        422,
        "vocalEnd - vocalStart must be between 10 and 30 seconds",
    ),
]


@pytest.mark.parametrize(("path", "body", "code", "msg"), OTHER_CASES)
async def test_other_rejections(
    sb: Sandbox, http: Http, path: str, body: dict[str, Any], code: int, msg: str
) -> None:
    status, reply = await post(http, sb, path, body)
    assert status == 200
    assert reply == {"code": code, "msg": msg, "data": None}
    assert sb.stats.submissions.total() == 0


async def test_body_must_be_a_json_object(sb: Sandbox, http: Http) -> None:
    async with http.post(f"{sb.url}/api/v1/generate", data=b"[1,2]") as resp:
        assert (await resp.json())["code"] == 400
    async with http.post(f"{sb.url}/api/v1/generate", data=b"{oops") as resp:
        assert (await resp.json())["msg"] == "Request body must be valid JSON"


async def test_record_info_unknown_ids_per_family(sb: Sandbox, http: Http) -> None:
    unknown = "f" * 32
    for path in ("wav", "vocal-removal", "midi", "mp4", "suno/cover"):  # REFERENCE §2.4
        async with http.get(f"{sb.url}/api/v1/{path}/record-info?taskId={unknown}") as resp:
            assert await resp.json() == {"code": 200, "msg": "success", "data": None}
    async with http.get(f"{sb.url}/api/v1/lyrics/record-info?taskId={unknown}") as resp:
        assert (await resp.json())["data"] is None
    async with http.get(f"{sb.url}/api/v1/generate/record-info") as resp:
        assert await resp.json() == {"code": 422, "msg": "Please enter taskId.", "data": None}


async def test_extend_rules_against_a_real_source(sb: Sandbox, http: Http) -> None:
    task_id, audio = await finished_music(http, sb, model="V4_5")
    base = {"audioId": audio[0], "callBackUrl": CB, "defaultParamFlag": False}
    # not stricter than live: accepted at submit, the task fails later (REFERENCE §10.4)
    mismatch = await create(http, sb, "/api/v1/generate/extend", {**base, "model": "V5"})
    await finish(sb, mismatch)
    assert sb.status(mismatch) == "GENERATE_AUDIO_FAILED"
    duration = sb.task(task_id).tracks[0].duration
    custom_body = {
        **base,
        "model": "V4_5",
        "defaultParamFlag": True,
        "prompt": "[Verse] more",
        "style": "pop",
        "title": "t",
        "continueAt": duration + 1,
    }
    past_end = await create(http, sb, "/api/v1/generate/extend", custom_body)
    await finish(sb, past_end)
    assert sb.status(past_end) == "GENERATE_AUDIO_FAILED"
    assert sb.task(past_end).error_message.startswith("continueAt must be less than")
    extend_id = await create(http, sb, "/api/v1/generate/extend", {**custom_body, "continueAt": 60})
    assert sb.task(extend_id).parent_music_id == audio[0]


async def test_derived_endpoints_need_a_finished_source(sb: Sandbox, http: Http) -> None:
    pending = await create(http, sb, "/api/v1/generate", gen_body(prompt="[[never]]"))
    audio = sb.task(pending).tracks[0].id
    ref = {"taskId": pending, "audioId": audio, "callBackUrl": CB}
    for path in ("/api/v1/wav/generate", "/api/v1/mp4/generate", "/api/v1/vocal-removal/generate"):
        _, reply = await post(http, sb, path, ref)
        assert reply == {"code": 422, "msg": "Record does not exist", "data": None}, path
    _, reply = await post(http, sb, "/api/v1/generate/get-timestamped-lyrics", ref)
    assert reply["msg"] == "The music task is not completed yet"
    done, _audio_ids = await finished_music(http, sb)
    _, reply = await post(
        http, sb, "/api/v1/wav/generate", {"taskId": done, "audioId": audio, "callBackUrl": CB}
    )
    assert reply["msg"] == "Record does not exist"  # audio of another task
    _, reply = await post(http, sb, "/api/v1/midi/generate", {"taskId": done, "callBackUrl": CB})
    assert reply["msg"] == "Record does not exist"  # midi needs a vocal-removal task
