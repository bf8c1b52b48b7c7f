"""Callbacks into the same state machine: early, duplicated, reordered, lost, forged."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest

from suno_async import PollPolicy, Stage, SunoClient
from suno_async.sandbox import Fault, Sandbox
from suno_async.webhooks import WebhookReceiver, sign

from .conftest import TIME_SCALE, make_client

GENERATE = "/api/v1/generate"
#: Webhooks on: polling only as a (here: very slow) safety net.
CALLBACKS_ONLY = PollPolicy(initial=0.01, maximum=0.05, early_maximum=0.05, min_interval=0,
                            webhook_interval=30, max_wait=20)


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    hook = WebhookReceiver()
    async with hook.serve():
        yield hook


async def stages_of(job: object) -> list[Stage]:
    return [e.stage async for e in job.events()]  # type: ignore[attr-defined]


async def test_callbacks_alone_drive_a_job(sandbox: Sandbox, receiver: WebhookReceiver) -> None:
    async with make_client(sandbox, poll=CALLBACKS_ONLY) as c:
        receiver.attach(c)
        job = await c.generate(prompt="by callback")
        assert sandbox.task(job.task_id).callback_url == receiver.callback_url
        record = await asyncio.wait_for(job.wait(), 10)
    assert len(record.tracks) == 2 and all(t.ready for t in record.tracks)
    assert job.polls == 0 and receiver.stats["accepted"] >= 3


async def test_early_callbacks_are_buffered_until_generate_returns(
    sandbox: Sandbox, receiver: WebhookReceiver
) -> None:
    sandbox.inject(Fault(route=GENERATE, kind="callback_early"))
    async with make_client(sandbox, poll=CALLBACKS_ONLY) as c:
        receiver.attach(c)
        job = await c.generate(prompt="early bird")
        assert receiver.stats["buffered"] >= 1
        assert job.stage >= Stage.TEXT_SUCCESS  # applied the moment the id registered
        await asyncio.wait_for(job.wait(), 10)


@pytest.mark.parametrize("kind", ["callback_duplicate", "callback_reorder"])
async def test_duplicated_and_reordered_callbacks_change_nothing_twice(
    sandbox: Sandbox, receiver: WebhookReceiver, kind: str
) -> None:
    sandbox.inject(Fault(route=GENERATE, kind=kind))
    async with make_client(sandbox, poll=CALLBACKS_ONLY) as c:
        receiver.attach(c)
        job = await c.generate(prompt=kind)
        stages = await asyncio.wait_for(stages_of(job), 10)
    assert stages == sorted(set(stages)) and stages[-1] is Stage.SUCCESS
    assert job.polls == 0


async def test_lost_callbacks_are_covered_by_safety_net_polling(
    sandbox: Sandbox, receiver: WebhookReceiver
) -> None:
    sandbox.inject(Fault(route=GENERATE, kind="callback_drop"))
    safety = PollPolicy(initial=0.01, maximum=0.05, early_maximum=0.05, min_interval=0,
                        webhook_interval=0.05)
    async with make_client(sandbox, poll=safety) as c:
        receiver.attach(c)
        job = await c.generate(prompt="lost in the mail")
        await asyncio.wait_for(job.wait(), 10)
    assert job.polls >= 1 and receiver.stats["accepted"] == 0


async def test_signed_callbacks(receiver: WebhookReceiver) -> None:
    signed = WebhookReceiver(hmac_key="hook-secret")
    async with Sandbox(time_scale=TIME_SCALE, seed=4, poll_limit=None,
                       hmac_key="hook-secret") as sb, signed.serve():
        async with make_client(sb, poll=CALLBACKS_ONLY) as c:
            signed.attach(c)
            job = await c.generate(prompt="signed")
            await asyncio.wait_for(job.wait(), 10)
    assert signed.stats["accepted"] >= 3 and job.polls == 0
    assert not any(k.startswith("rejected") for k in signed.stats)


async def post(url: str, body: object, headers: dict[str, str] | None = None) -> int:
    async with aiohttp.ClientSession() as http, http.post(
        url, data=json.dumps(body), headers={"Content-Type": "application/json", **(headers or {})}
    ) as resp:
        return resp.status


async def test_forged_callbacks_are_refused_without_touching_state(client: SunoClient) -> None:
    hook = WebhookReceiver(hmac_key="k")
    async with hook.serve() as base:
        hook.attach(client)
        job = await client.generate(prompt="[[never]]")
        fake = {"code": 200, "msg": "ok", "data": {"callbackType": "complete",
                                                    "task_id": job.task_id, "data": []}}
        now = str(int(time.time()))
        good_sig = {"X-Webhook-Timestamp": now, "X-Webhook-Signature": sign("k", job.task_id, now)}
        assert await post(f"{base}{hook.path}/wrong-token", fake, good_sig) == 404
        assert await post(hook.callback_url, fake, {"X-Webhook-Timestamp": now,
                                                    "X-Webhook-Signature": "AAAA"}) == 401
        assert await post(hook.callback_url, fake) == 401  # unsigned
        old = str(int(time.time()) - 3600)
        replay = {"X-Webhook-Timestamp": old, "X-Webhook-Signature": sign("k", job.task_id, old)}
        assert await post(hook.callback_url, fake, replay) == 401
        other = {**fake, "data": {**fake["data"], "task_id": "f" * 32}}  # type: ignore[dict-item]
        sig = {"X-Webhook-Timestamp": now, "X-Webhook-Signature": sign("k", "f" * 32, now)}
        assert await post(hook.callback_url, other, sig) == 404
        assert job.stage is Stage.PENDING and not job.done()
        # the genuine article is accepted
        text = {"code": 200, "msg": "ok", "data": {"callbackType": "text", "task_id": job.task_id,
                                                    "data": []}}
        assert await post(hook.callback_url, text, good_sig) == 200
        assert job.stage is Stage.TEXT_SUCCESS
        job.detach()


async def test_a_callback_body_arriving_in_chunks_is_read_whole(client: SunoClient) -> None:
    hook = WebhookReceiver()
    async with hook.serve():
        hook.attach(client)
        job = await client.generate(prompt="[[never]] chunked")
        body = json.dumps({"code": 200, "msg": "ok", "data": {
            "callbackType": "text", "task_id": job.task_id, "data": [],
            "padding": "x" * 3000}}).encode()

        async def chunks() -> AsyncIterator[bytes]:
            for i in range(0, len(body), 1024):
                yield body[i:i + 1024]
                await asyncio.sleep(0.01)

        async with aiohttp.ClientSession() as http, http.post(
            hook.callback_url, data=chunks(), headers={"Content-Type": "application/json"}
        ) as resp:
            assert resp.status == 200
        assert job.stage is Stage.TEXT_SUCCESS
        job.detach()
