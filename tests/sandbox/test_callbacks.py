"""Callback delivery: signatures, retries, loopback-only, per-family shapes, callback faults."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import time
from collections.abc import AsyncIterator

import pytest

from suno_async.sandbox import Fault, Sandbox

from .support import CB, Http, Receiver, create, finish, finished_music, generate


@pytest.fixture
async def signed() -> AsyncIterator[Sandbox]:
    async with Sandbox(
        time_scale=0.002, seed=2, hmac_key="s3cret", poll_limit=None, rate_limit=None
    ) as sb:
        yield sb


@pytest.fixture
async def shttp(signed: Sandbox) -> AsyncIterator[Http]:
    async with Http(headers={"Authorization": f"Bearer {signed.api_key}"}) as session:
        yield session


async def test_callbacks_are_signed_per_kie_spec(
    signed: Sandbox, shttp: Http, receiver: Receiver
) -> None:
    task_id = await generate(shttp, signed, callBackUrl=receiver.url)
    await receiver.wait_for(3, task_id=task_id)
    for body, headers in receiver.calls:
        ts = headers["X-Webhook-Timestamp"]
        assert abs(int(ts) - time.time()) < 60
        expected = base64.b64encode(
            hmac.new(b"s3cret", f"{task_id}.{ts}".encode(), hashlib.sha256).digest()
        ).decode()
        assert hmac.compare_digest(headers["X-Webhook-Signature"], expected)
        assert headers["Content-Type"].startswith("application/json")
        assert body["data"]["task_id"] == task_id
    assert signed.stats.callbacks_sent == signed.stats.callbacks_acked == 3


async def test_unsigned_without_hmac_key(sb: Sandbox, http: Http, receiver: Receiver) -> None:
    task_id = await generate(http, sb, callBackUrl=receiver.url)
    await receiver.wait_for(1, task_id=task_id)
    assert "X-Webhook-Signature" not in receiver.calls[0][1]


async def test_retried_on_500_up_to_the_limit(sb: Sandbox, http: Http, receiver: Receiver) -> None:
    receiver.statuses = [500, 503]  # text callback: two failures, then 200
    task_id = await generate(http, sb, callBackUrl=receiver.url, prompt="[[skip]]")
    await receiver.wait_for(3, task_id=task_id)
    bodies = receiver.of(task_id)
    assert [b["data"]["callbackType"] for b in bodies] == ["complete"] * 3
    assert sb.stats.callbacks_sent == 3
    assert sb.stats.callbacks_failed == 2
    assert sb.stats.callbacks_acked == 1


async def test_gives_up_after_callback_retries(receiver: Receiver) -> None:
    async with (
        Sandbox(time_scale=0.002, callback_retries=2, poll_limit=None) as sb,
        Http(headers={"Authorization": f"Bearer {sb.api_key}"}) as http,
    ):
        receiver.statuses = [500] * 10
        task_id = await generate(http, sb, callBackUrl=receiver.url, prompt="[[skip]]")
        await receiver.wait_for(2, task_id=task_id)
        await asyncio.sleep(0.1)
        assert len(receiver.calls) == 2
        assert sb.stats.callbacks_failed == 2
        assert sb.stats.callbacks_acked == 0


async def test_connection_errors_are_retried_and_counted(sb: Sandbox, http: Http) -> None:
    task_id = await generate(http, sb, callBackUrl="http://127.0.0.1:9/cb", prompt="[[skip]]")
    await finish(sb, task_id)
    for _ in range(100):
        if sb.stats.callbacks_failed >= 3:
            break
        await asyncio.sleep(0.02)
    assert sb.stats.callbacks_sent == 3
    assert sb.stats.callbacks_failed == 3


async def test_non_loopback_urls_are_skipped(sb: Sandbox, http: Http) -> None:
    task_id = await generate(http, sb, callBackUrl=CB)
    await finish(sb, task_id)
    await asyncio.sleep(0.02)
    assert sb.stats.callbacks_sent == 0
    assert sb.stats.callbacks_skipped == 3


async def test_family_callback_shapes(sb: Sandbox, http: Http, receiver: Receiver) -> None:
    music, audio = await finished_music(http, sb)
    ref = {"taskId": music, "audioId": audio[0], "callBackUrl": receiver.url}
    wav = await create(http, sb, "/api/v1/wav/generate", ref)
    mp4 = await create(http, sb, "/api/v1/mp4/generate", ref)
    vocal = await create(http, sb, "/api/v1/vocal-removal/generate", ref)
    cover = await create(http, sb, "/api/v1/suno/cover/generate", ref)
    lyrics = await create(
        http, sb, "/api/v1/lyrics", {"prompt": "night", "callBackUrl": receiver.url}
    )
    for tid in (wav, mp4, vocal, cover, lyrics):
        await receiver.wait_for(1, task_id=tid)
    (w,) = receiver.of(wav)
    assert w == {
        "code": 200,
        "msg": "success",
        "data": {"audioWavUrl": f"{sb.url}/files/wav/{wav}.wav", "task_id": wav},
    }
    (m,) = receiver.of(mp4)
    assert m["msg"] == "MP4 generated successfully."
    assert set(m["data"]) == {"task_id", "video_url"}
    (v,) = receiver.of(vocal)
    # kie (the default provider) uses vocal_separation_info (REFERENCE §8.4)
    assert v["msg"] == "vocal separation generated successfully."
    assert set(v["data"]) == {"task_id", "vocal_separation_info"}
    info = v["data"]["vocal_separation_info"]
    assert set(info) == {"instrumental_url", "origin_url", "vocal_url"}
    (c,) = receiver.of(cover)
    assert set(c["data"]) == {"taskId", "images"}
    assert len(c["data"]["images"]) == 2
    (ly,) = receiver.of(lyrics)
    assert ly["data"]["callbackType"] == "complete"
    assert set(ly["data"]) == {"callbackType", "task_id", "data"}
    assert set(ly["data"]["data"][0]) == {"error_message", "status", "text", "title"}
    midi = await create(
        http, sb, "/api/v1/midi/generate", {"taskId": vocal, "callBackUrl": receiver.url}
    )
    await receiver.wait_for(1, task_id=midi)
    (md,) = receiver.of(midi)
    assert md["task_id"] == midi
    assert md["data"]["state"] == "complete"
    assert md["data"]["instruments"][0]["notes"]


async def test_callback_duplicate(sb: Sandbox, http: Http, receiver: Receiver) -> None:
    sb.inject(Fault(route="/api/v1/generate", kind="callback_duplicate"))
    task_id = await generate(http, sb, callBackUrl=receiver.url)
    await receiver.wait_for(6, task_id=task_id)
    kinds = [b["data"]["callbackType"] for b in receiver.of(task_id)]
    assert kinds == ["text", "text", "first", "first", "complete", "complete"]
    assert sb.stats.faults_injected["callback_duplicate"] == 3


async def test_callback_drop_times(sb: Sandbox, http: Http, receiver: Receiver) -> None:
    fault = sb.inject(Fault(route="/api/v1/generate", kind="callback_drop", times=1))
    task_id = await generate(http, sb, callBackUrl=receiver.url)
    await receiver.wait_for(2, task_id=task_id)
    await finish(sb, task_id)
    await asyncio.sleep(0.05)
    kinds = [b["data"]["callbackType"] for b in receiver.of(task_id)]
    assert kinds == ["first", "complete"]
    assert fault.applied == 1


async def test_callback_reorder(sb: Sandbox, http: Http, receiver: Receiver) -> None:
    sb.inject(Fault(route="/api/v1/generate", kind="callback_reorder"))
    task_id = await generate(http, sb, callBackUrl=receiver.url)
    await receiver.wait_for(3, task_id=task_id)
    kinds = [b["data"]["callbackType"] for b in receiver.of(task_id)]
    assert kinds == ["complete", "first", "text"]


async def test_callback_early_arrives_before_create_reply(
    sb: Sandbox, http: Http, receiver: Receiver
) -> None:
    sb.inject(Fault(route="/api/v1/generate", kind="callback_early", times=1))
    task_id = await generate(http, sb, callBackUrl=receiver.url)
    # the reply came back only after the text callback was delivered
    assert [b["data"]["callbackType"] for b in receiver.of(task_id)] == ["text"]
    await receiver.wait_for(3, task_id=task_id)
    kinds = [b["data"]["callbackType"] for b in receiver.of(task_id)]
    assert kinds == ["text", "first", "complete"]


async def test_close_cancels_pending_callbacks(receiver: Receiver) -> None:
    receiver.statuses = [500] * 100
    async with (
        Sandbox(time_scale=1.0, poll_limit=None) as sb,
        Http(headers={"Authorization": f"Bearer {sb.api_key}"}) as http,
    ):
        await generate(http, sb, callBackUrl=receiver.url, prompt="[[create-fail]]")
        await receiver.wait_for(1)
        # a retry is now sleeping (2 s backoff); closing must not hang or leak
    assert len(receiver.calls) == 1
