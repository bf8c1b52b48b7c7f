"""Magic prompt markers force deterministic outcomes, for music and for the other families."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from suno_async.sandbox import Sandbox

from .support import CB, Http, Receiver, create, finish, finished_music, generate, get


async def final(http: Http, sb: Sandbox, task_id: str) -> dict[str, Any]:
    await finish(sb, task_id)
    _, reply = await get(http, sb, "/api/v1/generate/record-info", taskId=task_id)
    return reply["data"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("marker", "status", "code", "has_tracks"),
    [
        ("[[fail]]", "GENERATE_AUDIO_FAILED", 501, False),
        ("[[refund]]", "GENERATE_AUDIO_FAILED", 531, False),
        ("[[create-fail]]", "CREATE_TASK_FAILED", 500, False),
        ("[[sensitive]]", "SENSITIVE_WORD_ERROR", 400, False),
        ("[[callback-exception]]", "CALLBACK_EXCEPTION", None, True),
        ("[[callback-exception-early]]", "CALLBACK_EXCEPTION", 500, False),
        ("[[skip]]", "SUCCESS", None, True),
    ],
)
async def test_music_outcomes(
    sb: Sandbox, http: Http, marker: str, status: str, code: int | None, has_tracks: bool
) -> None:
    data = await final(http, sb, await generate(http, sb, prompt=f"song {marker}"))
    assert data["status"] == status
    assert data["errorCode"] == code
    tracks = (data["response"] or {}).get("sunoData") or []
    assert bool(tracks) is has_tracks
    assert all(t["audioUrl"] for t in tracks)


async def test_markers_in_style_title_and_tags(sb: Sandbox, http: Http) -> None:
    body = {
        "customMode": True,
        "instrumental": True,
        "model": "V5",
        "callBackUrl": CB,
        "style": "rock [[fail]]",
        "title": "t",
    }
    data = await final(http, sb, await create(http, sb, "/api/v1/generate", body))
    assert data["status"] == "GENERATE_AUDIO_FAILED"
    body = {
        "uploadUrl": "https://x.io/a.mp3",
        "title": "[[sensitive]]",
        "tags": "t",
        "negativeTags": "n",
        "callBackUrl": CB,
    }
    data = await final(http, sb, await create(http, sb, "/api/v1/generate/add-instrumental", body))
    assert data["status"] == "SENSITIVE_WORD_ERROR"
    # case-sensitive
    data = await final(http, sb, await generate(http, sb, prompt="[[FAIL]]"))
    assert data["status"] == "SUCCESS"


async def test_fail_sends_text_then_error_callbacks(
    sb: Sandbox, http: Http, receiver: Receiver
) -> None:
    task_id = await generate(http, sb, prompt="[[fail]]", callBackUrl=receiver.url)
    await receiver.wait_for(2, task_id=task_id)
    kinds = [b["data"]["callbackType"] for b in receiver.of(task_id)]
    assert kinds == ["text", "error"]


async def test_skip_has_no_intermediate_stages_or_callbacks(
    sb: Sandbox, http: Http, receiver: Receiver
) -> None:
    task_id = await generate(http, sb, prompt="[[skip]]", callBackUrl=receiver.url)
    assert [s.phase.name for s in sb.task(task_id).steps] == ["PENDING", "SUCCESS"]
    await finish(sb, task_id)
    await receiver.wait_for(1, task_id=task_id)
    assert [b["data"]["callbackType"] for b in receiver.of(task_id)] == ["complete"]


async def test_unknown_status_then_normal_progress(sb: Sandbox, http: Http) -> None:
    task_id = await generate(http, sb, prompt="[[unknown-status]]")
    _, reply = await get(http, sb, "/api/v1/generate/record-info", taskId=task_id)
    assert reply["data"]["status"] == "QUEUED_FOR_RENDER"
    assert (await final(http, sb, task_id))["status"] == "SUCCESS"


async def test_never_and_slow(sb: Sandbox, http: Http) -> None:
    never = await generate(http, sb, prompt="[[never]]")
    slow = await generate(http, sb, prompt="[[slow]]")
    normal = await generate(http, sb)
    await asyncio.sleep(0.4)
    _, reply = await get(http, sb, "/api/v1/generate/record-info", taskId=never)
    assert reply["data"]["status"] == "PENDING"
    assert sb.task(slow).end_offset / sb.state.time_scale >= 3 * 120
    assert sb.task(normal).end_offset / sb.state.time_scale <= 180


async def test_extend_with_unknown_audio_is_accepted_then_fails(sb: Sandbox, http: Http) -> None:
    body = {
        "audioId": "00000000-0000-4000-8000-000000000000",
        "defaultParamFlag": False,
        "model": "V5",
        "callBackUrl": CB,
    }
    task_id = await create(http, sb, "/api/v1/generate/extend", body)
    data = await final(http, sb, task_id)
    assert data["status"] == "GENERATE_AUDIO_FAILED"
    assert data["operationType"] == "extend"
    assert data["parentMusicId"] == body["audioId"]


@pytest.mark.parametrize(
    ("path", "family", "flag"),
    [
        ("/api/v1/wav/generate", "wav", "GENERATE_WAV_FAILED"),
        ("/api/v1/mp4/generate", "mp4", "GENERATE_MP4_FAILED"),
        ("/api/v1/vocal-removal/generate", "vocal", "GENERATE_AUDIO_FAILED"),
    ],
)
async def test_family_scoped_fail(
    sb: Sandbox, http: Http, path: str, family: str, flag: str
) -> None:
    music, audio = await finished_music(http, sb, prompt=f"tune [[fail:{family}]]")
    record_path = path.replace("/generate", "/record-info")
    tid = await create(http, sb, path, {"taskId": music, "audioId": audio[0], "callBackUrl": CB})
    await finish(sb, tid)
    _, reply = await get(http, sb, record_path, taskId=tid)
    assert reply["data"]["successFlag"] == flag
    assert reply["data"]["response"] is None
    assert reply["data"]["errorCode"] == 501


async def test_integer_families_fail_flags(sb: Sandbox, http: Http) -> None:
    music, audio = await finished_music(http, sb, prompt="x [[fail:midi]] [[create-fail:cover]]")
    ref = {"taskId": music, "audioId": audio[0], "callBackUrl": CB}
    vocal = await create(http, sb, "/api/v1/vocal-removal/generate", ref)
    cover = await create(http, sb, "/api/v1/suno/cover/generate", ref)
    await finish(sb, vocal)
    midi = await create(http, sb, "/api/v1/midi/generate", {"taskId": vocal, "callBackUrl": CB})
    await finish(sb, midi)
    _, reply = await get(http, sb, "/api/v1/midi/record-info", taskId=midi)
    assert reply["data"]["successFlag"] == 3
    assert reply["data"]["midiData"] is None
    _, reply = await get(http, sb, "/api/v1/suno/cover/record-info", taskId=cover)
    assert reply["data"]["successFlag"] == 3


async def test_lyrics_markers(sb: Sandbox, http: Http) -> None:
    outcomes = {}
    for marker in ("[[fail]]", "[[sensitive]]", "[[create-fail]]", ""):
        tid = await create(http, sb, "/api/v1/lyrics", {"prompt": f"a {marker}", "callBackUrl": CB})
        await finish(sb, tid)
        _, reply = await get(http, sb, "/api/v1/lyrics/record-info", taskId=tid)
        outcomes[marker] = reply["data"]["status"]
    assert outcomes == {
        "[[fail]]": "GENERATE_LYRICS_FAILED",
        "[[sensitive]]": "SENSITIVE_WORD_ERROR",
        "[[create-fail]]": "CREATE_TASK_FAILED",
        "": "SUCCESS",
    }
