"""Flows of the other endpoints: lyrics, vocal removal -> midi, cover art, persona, the rest."""

from __future__ import annotations

import json

import aiohttp

from suno_async.sandbox import Sandbox

from .support import CB, Http, create, finish, finished_music, gen_body, generate, get, post


async def test_lyrics_record(sb: Sandbox, http: Http) -> None:
    tid = await create(http, sb, "/api/v1/lyrics", {"prompt": "peaceful night", "callBackUrl": CB})
    _, reply = await get(http, sb, "/api/v1/lyrics/record-info", taskId=tid)
    assert reply["data"]["status"] == "PENDING"
    assert reply["data"]["response"] is None
    await finish(sb, tid)
    _, reply = await get(http, sb, "/api/v1/lyrics/record-info", taskId=tid)
    data = reply["data"]
    assert data["type"] == "LYRICS"
    assert data["status"] == "SUCCESS"
    assert json.loads(data["param"]) == {"prompt": "peaceful night", "callBackUrl": CB}
    items = data["response"]["data"]
    assert len(items) == 2
    assert set(items[0]) == {"text", "title", "status", "errorMessage"}
    assert items[0]["status"] == "complete"
    assert items[0]["text"].startswith("[Verse]")
    # invisible on the music record-info
    _, reply = await get(http, sb, "/api/v1/generate/record-info", taskId=tid)
    assert reply["data"] is None


async def test_vocal_removal_then_midi(sb: Sandbox, http: Http) -> None:
    music, audio = await finished_music(http, sb)
    vocal = await create(
        http,
        sb,
        "/api/v1/vocal-removal/generate",
        {"taskId": music, "audioId": audio[0], "callBackUrl": CB},
    )
    _, reply = await post(http, sb, "/api/v1/midi/generate", {"taskId": vocal, "callBackUrl": CB})
    assert reply["msg"] == "Record does not exist"  # not finished yet
    await finish(sb, vocal)
    _, reply = await get(http, sb, "/api/v1/vocal-removal/record-info", taskId=vocal)
    assert reply["data"]["successFlag"] == "SUCCESS"
    origin = reply["data"]["response"]["originData"]
    _, reply = await post(
        http, sb, "/api/v1/midi/generate", {"taskId": vocal, "audioId": "nope", "callBackUrl": CB}
    )
    assert reply["msg"] == "Record does not exist"
    midi = await create(
        http,
        sb,
        "/api/v1/midi/generate",
        {"taskId": vocal, "audioId": origin[0]["id"], "callBackUrl": CB},
    )
    _, reply = await get(http, sb, "/api/v1/midi/record-info", taskId=midi)
    assert reply["data"]["successFlag"] == 0
    assert reply["data"]["midiData"] is None
    await finish(sb, midi)
    _, reply = await get(http, sb, "/api/v1/midi/record-info", taskId=midi)
    data = reply["data"]
    assert data["successFlag"] == 1
    assert data["recordTaskId"] == -1
    assert data["audioId"] == origin[0]["id"]
    note = data["midiData"]["instruments"][0]["notes"][0]
    assert set(note) == {"pitch", "start", "end", "velocity"}
    assert 0 <= note["pitch"] <= 127
    assert note["end"] > note["start"]
    assert isinstance(data["completeTime"], int)


async def test_cover_art_flags_and_duplicate(sb: Sandbox, http: Http) -> None:
    music = await generate(http, sb)
    cover = await create(
        http, sb, "/api/v1/suno/cover/generate", {"taskId": music, "callBackUrl": CB}
    )
    _, reply = await get(http, sb, "/api/v1/suno/cover/record-info", taskId=cover)
    assert reply["data"]["successFlag"] == 0
    status, reply = await post(
        http, sb, "/api/v1/suno/cover/generate", {"taskId": music, "callBackUrl": CB}
    )
    assert (status, reply) == (
        200,
        {"code": 400, "msg": "Cover already generated for this task", "data": {"taskId": cover}},
    )
    seen = set()
    task = sb.task(cover)
    for step in task.steps:
        seen.add(step.phase.name)
    assert seen == {"PENDING", "GENERATING", "SUCCESS"}
    await finish(sb, cover)
    _, reply = await get(http, sb, "/api/v1/suno/cover/record-info", taskId=cover)
    assert reply["data"]["successFlag"] == 1
    assert reply["data"]["parentTaskId"] == music
    assert len(reply["data"]["response"]["images"]) == 2


async def test_persona_and_timestamped_lyrics(sb: Sandbox, http: Http) -> None:
    music, audio = await finished_music(http, sb)
    body = {"taskId": music, "audioId": audio[0], "name": "Singer", "description": "warm"}
    _, first = await post(http, sb, "/api/v1/generate/generate-persona", body)
    assert set(first["data"]) == {"personaId", "name", "description"}
    _, again = await post(
        http, sb, "/api/v1/generate/generate-persona", {**body, "name": "Renamed"}
    )
    assert again["data"]["personaId"] == first["data"]["personaId"]
    assert again["data"]["name"] == "Renamed"
    old, old_audio = await finished_music(http, sb, model="V3_5")
    _, reply = await post(
        http,
        sb,
        "/api/v1/generate/generate-persona",
        {**body, "taskId": old, "audioId": old_audio[0]},
    )
    assert reply["code"] == 422
    before = sb.credits()
    _, reply = await post(
        http, sb, "/api/v1/generate/get-timestamped-lyrics", {"taskId": music, "audioId": audio[1]}
    )
    assert reply["code"] == 200
    assert sb.credits() == before - 0.5
    instrumental, inst_audio = await finished_music(http, sb, instrumental=True)
    _, reply = await post(
        http,
        sb,
        "/api/v1/generate/get-timestamped-lyrics",
        {"taskId": instrumental, "audioId": inst_audio[0]},
    )
    assert reply["data"]["alignedWords"] == []


async def test_other_music_operations(sb: Sandbox, http: Http) -> None:
    url = "https://example.com/a.mp3"
    music, audio = await finished_music(http, sb)
    cases = {
        "/api/v1/generate/upload-extend": (
            {
                "uploadUrl": url,
                "defaultParamFlag": False,
                "instrumental": False,
                "model": "V5",
                "prompt": "more",
                "continueAt": 30,
                "callBackUrl": CB,
            },
            "upload_extend",
        ),
        "/api/v1/generate/add-instrumental": (
            {
                "uploadUrl": url,
                "title": "t",
                "tags": "jazz",
                "negativeTags": "metal",
                "callBackUrl": CB,
            },
            "add_instrumental",
        ),
        "/api/v1/generate/add-vocals": (
            {
                "uploadUrl": url,
                "prompt": "[Verse] hi",
                "title": "t",
                "style": "pop",
                "negativeTags": "x",
                "model": "V5",
                "callBackUrl": CB,
            },
            "add_vocals",
        ),
        "/api/v1/generate/replace-section": (
            {
                "taskId": music,
                "audioId": audio[0],
                "prompt": "new words",
                "tags": "pop",
                "title": "t",
                "infillStartS": 10,
                "infillEndS": 20.5,
                "fullLyrics": "all",
                "callBackUrl": CB,
            },
            "replace_section",
        ),
        "/api/v1/generate/mashup": (gen_body(uploadUrlList=[url, url]), "mashup"),
        "/api/v1/generate/sounds": (
            {
                "prompt": "rain on a tin roof",
                "model": "V5",
                "soundLoop": True,
                "soundTempo": 90,
                "soundKey": "Am",
                "callBackUrl": CB,
            },
            "sounds",
        ),
    }
    for path, (body, operation) in cases.items():
        tid = await create(http, sb, path, body)
        await finish(sb, tid)
        _, reply = await get(http, sb, "/api/v1/generate/record-info", taskId=tid)
        data = reply["data"]
        assert data["operationType"] == operation, path
        assert data["status"] == "SUCCESS", path
        assert len(data["response"]["sunoData"]) == 2
    assert sb.task(tid).model == "V5"
    add = next(t for t in sb.state.store.tasks.values() if t.operation == "add_instrumental")
    assert add.model == "V4_5PLUS"  # documented default
    replace = next(t for t in sb.state.store.tasks.values() if t.operation == "replace_section")
    assert replace.parent_music_id == audio[0]
    assert replace.cost == 5


async def test_download_url_and_stats_route(sb: Sandbox, http: Http) -> None:
    _, reply = await post(
        http, sb, "/api/v1/common/download-url", {"url": f"{sb.url}/files/audio/x.wav"}
    )
    assert reply == {"code": 422, "msg": "url is wrong", "data": None}  # not generated here
    task_id = await generate(http, sb)
    await get(http, sb, "/api/v1/generate/record-info", taskId=task_id)
    _, stats = await get(http, sb, "/_sandbox/stats")
    assert stats["submissions"] == {"/api/v1/generate": 1}
    assert stats["submissions_by_key"] == {sb.api_key: 1}
    assert stats["polls"] == {task_id: 1}
    assert stats["received"]["/api/v1/common/download-url"] == 1
    assert stats["submissions"] == {"/api/v1/generate": 1}
    async with aiohttp.ClientSession() as anon, anon.get(f"{sb.url}/_sandbox/stats") as resp:
        assert resp.status == 401
    sb.stats.reset()
    assert sb.stats.submissions.total() == 0
    assert sb.stats.polls == {}


async def test_unknown_route_and_sandbox_helpers(sb: Sandbox, http: Http) -> None:
    status, reply = await get(http, sb, "/api/v1/nothing")
    assert (status, reply["code"]) == (404, 404)
    task_id = await generate(http, sb)
    assert sb.status(task_id) == "PENDING"
    await finish(sb, task_id)
    assert sb.status(task_id) == "SUCCESS"


async def test_make_app_without_a_server() -> None:
    from aiohttp.test_utils import TestClient, TestServer

    app = Sandbox.make_app(time_scale=0.01, api_key="abc")
    async with TestClient(TestServer(app)) as client:
        resp = await client.get("/api/v1/chat/credit", headers={"Authorization": "Bearer abc"})
        assert (await resp.json())["data"] == 10_000
