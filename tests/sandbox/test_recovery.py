"""Recovery audio (REFERENCE §4 row 29, §6.13): create, record-info, timeline, markers, callback."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from suno_async.sandbox import Sandbox

from .support import CB, Http, Receiver, create, finish, finished_music, generate, get, post

CREATE = "/api/v1/suno/recovery"
INFO = "/api/v1/suno/recovery/record-info"
# live kie replies for unknown ids (REFERENCE §6.13): HTTP 200, body code 500
NO_SOURCE = {"code": 500, "msg": "The original Suno task does not exist.", "data": None}
NO_RECORD = {"code": 500, "msg": "The music link recovery task does not exist.", "data": None}


async def recover(http: Http, sb: Sandbox, source: str, callback: str = CB) -> str:
    """kie (the default provider): ``{"task_id"}``, callback optional."""
    status, reply = await post(http, sb, CREATE, {"task_id": source, "callBackUrl": callback})
    assert status == 200, reply
    assert reply["code"] == 200, reply
    assert reply["msg"] == "success"
    assert set(reply["data"]) == {"task_id"}  # snake_case, as documented
    task_id: str = reply["data"]["task_id"]
    assert re.fullmatch(r"[0-9a-f]{32}", task_id)
    return task_id


async def info(http: Http, sb: Sandbox, task_id: str) -> dict[str, Any]:
    status, reply = await get(http, sb, INFO, task_id=task_id)
    assert status == 200, reply
    assert isinstance(reply, dict)
    return reply


async def test_create_then_running_then_recovered(sb: Sandbox, http: Http) -> None:
    music, audio_ids = await finished_music(http, sb)
    tid = await recover(http, sb, music)
    running = await info(http, sb, tid)
    assert running == {"code": 201, "task_id": tid, "msg": "Recovery in progress", "data": None}
    assert list(running) == ["code", "task_id", "msg", "data"]
    await finish(sb, tid)
    done = await info(http, sb, tid)
    assert done["code"] == 200
    assert done["msg"] == "success"
    assert done["task_id"] == tid
    items = done["data"]
    assert [i["id"] for i in items] == audio_ids  # the source's tracks, in order
    for item, track in zip(items, sb.task(music).tracks, strict=True):
        assert set(item) == {"id", "audio_url", "title", "status", "error"}
        assert item["status"] == "success"
        assert item["error"] is None
        assert item["title"] == track.title
        assert item["audio_url"].startswith(f"{sb.url}/files/recovered/")
    # the fresh link serves the track's own audio
    async with http.get(items[0]["audio_url"]) as resp:
        assert resp.status == 200
        assert resp.content_type == "audio/wav"
        recovered = await resp.read()
    async with http.get(f"{sb.url}/files/audio/{audio_ids[0]}.wav") as resp:
        assert await resp.read() == recovered
    assert recovered[:4] == b"RIFF"
    assert sb.status(tid) == "200"
    assert sb.stats.submissions[CREATE] == 1
    # a recovery id is no music task
    _, reply = await get(http, sb, "/api/v1/generate/record-info", taskId=tid)
    assert reply["data"] is None


async def test_link_is_served_only_once_recovered(sb: Sandbox, http: Http) -> None:
    music, audio_ids = await finished_music(http, sb)
    tid = await recover(http, sb, music)
    url = f"{sb.url}/files/recovered/{tid}_{audio_ids[0]}.wav"
    async with http.get(url) as resp:
        assert resp.status == 404  # still running
    await finish(sb, tid)
    async with http.get(url) as resp:
        assert resp.status == 200
    async with http.get(f"{sb.url}/files/recovered/{tid}_nope.wav") as resp:
        assert resp.status == 404


async def test_create_validation(sb: Sandbox, http: Http) -> None:
    music = await generate(http, sb)
    lyrics = await create(http, sb, "/api/v1/lyrics", {"prompt": "rain", "callBackUrl": CB})
    cases = [
        ({"callBackUrl": CB}, 422, "Please enter task_id."),
        ({"task_id": " ", "callBackUrl": CB}, 422, "Please enter task_id."),
        ({"sunoTaskId": music, "callBackUrl": CB}, 422, "Please enter task_id."),  # sunoapi's
        ({}, 422, "Please enter task_id."),
        ({"task_id": music, "callBackUrl": "ftp://x"}, 422, "callBackUrl must be a valid "
         "http(s) URL"),
        ({"task_id": "f" * 32}, 500, "The original Suno task does not exist."),
        ({"task_id": lyrics}, 500, "The original Suno task does not exist."),
    ]
    for body, code, msg in cases:
        status, reply = await post(http, sb, CREATE, body)
        assert status == 200, body
        assert reply == {"code": code, "msg": msg, "data": None}, body
    assert sb.stats.submissions[CREATE] == 0
    # no callback demanded on kie (live); call_back_url is taken as well
    await recover(http, sb, music, callback="")
    status, reply = await post(http, sb, CREATE, {"task_id": music, "call_back_url": CB})
    assert reply["code"] == 200
    assert sb.task(reply["data"]["task_id"]).callback_url == CB


async def test_sunoapi_takes_sunotaskid_and_needs_a_callback() -> None:
    async with (
        Sandbox(time_scale=0.002, provider="sunoapi", rate_limit=None) as sb,
        Http(headers={"Authorization": f"Bearer {sb.api_key}"}) as http,
    ):
        music = await generate(http, sb)
        cases = [
            ({"sunoTaskId": music}, 400, "Please enter callBackUrl."),
            ({"task_id": music, "callBackUrl": CB}, 422, "Please enter sunoTaskId."),
            ({"sunoTaskId": "f" * 32, "callBackUrl": CB}, 500,
             "The original Suno task does not exist."),
        ]
        for body, code, msg in cases:
            _, reply = await post(http, sb, CREATE, body)
            assert reply == {"code": code, "msg": msg, "data": None}, body
        _, reply = await post(http, sb, CREATE, {"sunoTaskId": music, "callBackUrl": CB})
        assert reply["code"] == 200
        assert set(reply["data"]) == {"task_id"}


async def test_other_accounts_task_does_not_exist(sb: Sandbox, http: Http) -> None:
    music = await generate(http, sb)
    other = sb.add_key("other-key")
    async with Http(headers={"Authorization": f"Bearer {other}"}) as ohttp:
        _, reply = await post(ohttp, sb, CREATE, {"task_id": music, "callBackUrl": CB})
        assert reply == NO_SOURCE
        tid = await recover(http, sb, music)
        status, reply = await get(ohttp, sb, INFO, task_id=tid)
        assert (status, reply) == (200, NO_RECORD)


async def test_record_info_unknown_and_missing_ids(sb: Sandbox, http: Http) -> None:
    music = await generate(http, sb)
    assert await info(http, sb, "0" * 32) == NO_RECORD
    assert await info(http, sb, music) == NO_RECORD  # a music task is no recovery task
    missing = {"code": 422, "msg": "Please enter task_id.", "data": None}
    status, reply = await get(http, sb, INFO)
    assert (status, reply) == (200, missing)
    tid = await recover(http, sb, music)
    status, reply = await get(http, sb, INFO, taskId=tid)  # the documented name is task_id
    assert (status, reply) == (200, missing)


async def test_timeline_scaled_seeded_and_overridable() -> None:
    ends = []
    for scale, seed, override in ((0.002, 7, None), (0.004, 7, None), (0.002, 7, {"recovery": 6})):
        async with (
            Sandbox(time_scale=scale, seed=seed, timeline=override, rate_limit=None) as sb,
            Http(headers={"Authorization": f"Bearer {sb.api_key}"}) as http,
        ):
            tid = await recover(http, sb, await generate(http, sb))
            task = sb.task(tid)
            assert task.steps[0].offset == 0.0
            assert 4.0 * scale <= task.end_offset <= 10.0 * scale
            ends.append(task.end_offset)
    assert ends[1] == pytest.approx(2 * ends[0])  # same seed, same draw, twice the scale
    assert ends[2] == pytest.approx(6 * 0.002)


async def test_source_still_running_is_clip_not_complete(sb: Sandbox, http: Http) -> None:
    music = await generate(http, sb)  # music takes 120-180 s, recovery 4-10 s
    tid = await recover(http, sb, music)
    await finish(sb, tid)
    reply = await info(http, sb, tid)
    assert reply["code"] == 500
    assert reply["msg"] == "All tracks failed to recover"
    assert [i["error"] for i in reply["data"]] == ["clip_not_complete"] * 2
    assert all(i["status"] == "failed" and i["audio_url"] == "" for i in reply["data"])


async def test_failed_source_is_clip_error(sb: Sandbox, http: Http) -> None:
    music, _ = await finished_music(http, sb, prompt="a song [[fail:music]]")
    assert sb.status(music) == "GENERATE_AUDIO_FAILED"
    tid = await recover(http, sb, music)
    await finish(sb, tid)
    reply = await info(http, sb, tid)
    assert reply["code"] == 500
    assert [i["error"] for i in reply["data"]] == ["clip_error"] * 2


async def test_fail_marker(sb: Sandbox, http: Http, receiver: Receiver) -> None:
    music, audio_ids = await finished_music(http, sb, prompt="rain [[fail:recovery]]")
    assert sb.status(music) == "SUCCESS"  # scoped: the music itself succeeds
    tid = await recover(http, sb, music, receiver.url)
    await receiver.wait_for(1, task_id=tid)
    reply = await info(http, sb, tid)
    assert reply["code"] == 500
    items = reply["data"]
    assert [i["id"] for i in items] == audio_ids
    for item in items:
        assert item["status"] == "failed"
        assert item["error"] == "clip_error"
        assert item["audio_url"] == ""
    body = receiver.of(tid)[0]
    assert body == {
        "code": 500,
        "msg": "All tracks failed to recover",
        "task_id": tid,
        "data": items,
    }


async def test_partial_marker(sb: Sandbox, http: Http) -> None:
    music, audio_ids = await finished_music(http, sb, style="x", title="[[partial:recovery]]")
    tid = await recover(http, sb, music)
    await finish(sb, tid)
    reply = await info(http, sb, tid)
    assert reply["code"] == 200
    first, second = reply["data"]
    assert (first["status"], first["error"]) == ("success", None)
    assert first["audio_url"].endswith(f"{tid}_{audio_ids[0]}.wav")
    assert (second["status"], second["error"]) == ("failed", "clip_not_complete")
    assert second["audio_url"] == ""
    async with http.get(f"{sb.url}/files/recovered/{tid}_{audio_ids[1]}.wav") as resp:
        assert resp.status == 404


async def test_never_marker_stays_running(sb: Sandbox, http: Http, receiver: Receiver) -> None:
    music, _ = await finished_music(http, sb, prompt="rain [[never:recovery]]")
    tid = await recover(http, sb, music, receiver.url)
    assert [s.offset for s in sb.task(tid).steps] == [0.0]
    await asyncio.sleep(10 * 0.002 * 3)  # three times the longest recovery
    reply = await info(http, sb, tid)
    assert reply == {"code": 201, "task_id": tid, "msg": "Recovery in progress", "data": None}
    assert receiver.of(tid) == []


async def test_markers_of_other_families_do_not_apply(sb: Sandbox, http: Http) -> None:
    music, _ = await finished_music(http, sb, prompt="rain [[fail:wav]] [[never:mp4]]")
    tid = await recover(http, sb, music)
    await finish(sb, tid)
    assert (await info(http, sb, tid))["code"] == 200


@pytest.fixture
async def signed() -> AsyncIterator[Sandbox]:
    async with Sandbox(
        time_scale=0.002, seed=4, hmac_key="k3y", poll_limit=None, rate_limit=None
    ) as sb:
        yield sb


async def test_callback_delivered_once_and_signed(signed: Sandbox, receiver: Receiver) -> None:
    async with Http(headers={"Authorization": f"Bearer {signed.api_key}"}) as http:
        music, _ = await finished_music(http, signed)  # its callbacks go to CB (never sent)
        tid = await recover(http, signed, music, receiver.url)
        await receiver.wait_for(1, task_id=tid)
        reply = await info(http, signed, tid)
    assert len(receiver.calls) == 1
    body, headers = receiver.calls[0]
    assert body == {"code": 200, "msg": "success", "task_id": tid, "data": reply["data"]}
    assert list(body) == ["code", "msg", "task_id", "data"]
    ts = headers["X-Webhook-Timestamp"]
    expected = base64.b64encode(
        hmac.new(b"k3y", f"{tid}.{ts}".encode(), hashlib.sha256).digest()
    ).decode()
    assert hmac.compare_digest(headers["X-Webhook-Signature"], expected)
    assert signed.stats.callbacks_acked == 1


async def test_polls_counted_and_limited() -> None:
    async with (
        Sandbox(time_scale=0.002, seed=3, poll_limit=3.0, rate_limit=None) as sb,
        Http(headers={"Authorization": f"Bearer {sb.api_key}"}) as http,
    ):
        tid = await recover(http, sb, await generate(http, sb))
        statuses = []
        for _ in range(4):
            status, reply = await get(http, sb, INFO, task_id=tid)
            statuses.append(status)
        assert statuses == [200, 200, 200, 429]
        assert reply["code"] == 429
        assert reply["data"] is None
        assert sb.stats.polls[tid] == 4
        assert sb.stats.rate_limited == 1


async def test_cost_credits_and_rate_limit() -> None:
    async with (
        Sandbox(time_scale=0.002, costs={"recovery": 1.5}, rate_limit=(2, 60.0)) as sb,
        Http(headers={"Authorization": f"Bearer {sb.api_key}"}) as http,
    ):
        music = await generate(http, sb)
        before = sb.credits()
        await recover(http, sb, music)
        assert sb.credits() == pytest.approx(before - 1.5)
        status, reply = await post(http, sb, CREATE, {"task_id": music, "callBackUrl": CB})
        assert status == 429
        assert reply["code"] == 429
        assert sb.stats.submissions[CREATE] == 1


async def test_insufficient_credits() -> None:
    async with (
        Sandbox(time_scale=0.002, costs={"recovery": 1.5}, rate_limit=None) as sb,
        Http(headers={"Authorization": f"Bearer {sb.api_key}"}) as http,
    ):
        music = await generate(http, sb)
        sb.set_credits(sb.api_key, 1.0)
        _, reply = await post(http, sb, CREATE, {"task_id": music, "callBackUrl": CB})
        assert reply["code"] == 402
        assert sb.credits() == 1.0
        assert sb.stats.submissions[CREATE] == 0


async def test_free_by_default(sb: Sandbox, http: Http) -> None:
    music = await generate(http, sb)
    before = sb.credits()
    await recover(http, sb, music)
    assert sb.credits() == before
