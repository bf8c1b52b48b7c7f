"""The framework-neutral core (``handle_raw``), construction checks that keep the
token secret (item 12.14), and the early-callback buffer bounded in bytes (12.12)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import aiohttp
import pytest

from suno_async import Stage, SunoClient
from suno_async.sandbox import Fault, Sandbox
from suno_async.webhooks import (
    EARLY_BODY_MAX_BYTES,
    EARLY_BUFFER_BYTES,
    WebhookReceiver,
    WebhookResponse,
    sign,
)

from .conftest import make_client

TOKEN = "tok-SECRET-0123456789abcdef"
KEY = "raw-hmac-SECRET"
JSON = {"Content-Type": "application/json"}


def callback(task_id: str, kind: str = "text", **extra: Any) -> dict[str, Any]:
    return {"code": 200, "msg": "ok",
            "data": {"callbackType": kind, "task_id": task_id, "data": [], **extra}}


def signed(task_id: str, key: str = KEY) -> dict[str, str]:
    stamp = str(int(time.time()))
    return {"X-Webhook-Timestamp": stamp, "X-Webhook-Signature": sign(key, task_id, stamp)}


# ----------------------------------------------------------------------------- construction


@pytest.mark.parametrize("public_url", ["bot.example.com", "ftp://bot.example.com",
                                        "https://", "https://bot.example.com/?x=1",
                                        "https://bot.example.com/#frag", "/relative/path"])
def test_a_bad_public_url_is_refused_without_showing_the_token(public_url: str) -> None:
    with pytest.raises(ValueError, match="public_url must be an absolute http") as info:
        WebhookReceiver(public_url=public_url, token=TOKEN, hmac_key=KEY)
    assert TOKEN not in str(info.value) and KEY not in str(info.value)
    receiver = WebhookReceiver(public_url="https://bot.example.com/", token=TOKEN)
    with pytest.raises(ValueError) as info:
        receiver.public_url = public_url  # assignment is checked too
    assert TOKEN not in str(info.value)
    assert receiver.callback_url == f"https://bot.example.com/suno-async/callback/{TOKEN}"


def test_credentials_in_a_public_url_are_not_echoed() -> None:
    with pytest.raises(ValueError) as info:
        WebhookReceiver(public_url="bot:hunter2@bot.example.com", token=TOKEN)
    assert "hunter2" not in str(info.value)


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        ("abc/def/ghi/jkl/mno", "'/', '?' or '#'"),
        ("abcdefgh?ijklmnop", "'/', '?' or '#'"),
        ("abcdefgh#ijklmnop", "'/', '?' or '#'"),
        ("abcdefgh ijklmnop", "whitespace"),
        ("abcdefgh\nijklmnop", "whitespace"),
        ("short", "5 characters"),
        ("é" * 20, "non-ASCII"),
        ("abcdefgh%2Fijklmnop", "other than"),
    ],
)
def test_unsafe_tokens_are_refused_clearly(token: str, problem: str) -> None:
    with pytest.raises(ValueError, match="token must be 16 to 256 URL-safe") as info:
        WebhookReceiver(token=token)
    assert problem in str(info.value)
    assert token not in str(info.value)


def test_paths_and_options_are_checked() -> None:
    for bad in ("/hooks/../x", "/hooks?x", "/a b", "/hooks/./x", "/h#"):
        with pytest.raises(ValueError, match="path must be"):
            WebhookReceiver(path=bad)
    with pytest.raises(ValueError, match="hmac_key"):
        WebhookReceiver(hmac_key="")
    with pytest.raises(ValueError, match="body_timeout"):
        WebhookReceiver(body_timeout=float("nan"))
    root = WebhookReceiver(public_url="https://bot.example.com/suno", path="/", token=TOKEN)
    assert root.callback_url == f"https://bot.example.com/suno/{TOKEN}"


def test_secrets_stay_out_of_reprs_and_errors() -> None:
    receiver = WebhookReceiver(token=TOKEN, hmac_key=KEY)
    for text in (repr(receiver), repr(receiver.asgi()), str(receiver.stats)):
        assert TOKEN not in text and KEY not in text
    with pytest.raises(RuntimeError) as info:
        receiver.callback_url  # noqa: B018 (not served, no public_url)
    assert TOKEN not in str(info.value)


# ----------------------------------------------------------------------------- handle_raw


async def test_handle_raw_drives_a_job_from_any_framework(client: SunoClient) -> None:
    receiver = WebhookReceiver(public_url="https://bot.example.com", token=TOKEN,
                               hmac_key=KEY)
    receiver.attach(client)
    job = await client.generate(prompt="no server at all [[never]]")
    path = f"/suno-async/callback/{TOKEN}"
    body = json.dumps(callback(job.task_id)).encode()
    # headers as ASGI gives them: lower-case byte pairs
    pairs = [(k.lower().encode(), v.encode()) for k, v in {**JSON, **signed(job.task_id)}.items()]
    reply = await receiver.handle_raw("POST", path, "", pairs, body)
    assert isinstance(reply, WebhookResponse)
    status, answer = reply  # unpacks as a pair; .status / .body are the typed fields
    assert (status, answer) == (reply.status, reply.body)
    assert (reply.status, json.loads(reply.body)) == (200, {"code": 200, "msg": "success"})
    assert job.stage is Stage.TEXT_SUCCESS
    # a plain dict in any case works too; refusals come back as answers, never raise
    mixed = {"content-TYPE": "application/json", **signed(job.task_id)}
    assert (await receiver.handle_raw("GET", path, "", mixed, body)).status == 405
    assert (await receiver.handle_raw("POST", path + "x", "", mixed, body)).status == 404
    assert (await receiver.handle_raw("POST", path, "", {**mixed, "Content-Type": "text/xml"},
                                      body)).status == 415
    assert (await receiver.handle_raw("POST", path, "", JSON, body)).status == 401
    big = b" " * (receiver.policy.max_body + 1)
    assert (await receiver.handle_raw("POST", path, "", mixed, big)).status == 413
    first = callback(job.task_id, "first", data=[{"id": "x", "audio_url": 1e400}])
    code_overflow = {**first, "code": 1e400}
    weird = json.dumps(code_overflow).replace("Infinity", "1e400").encode()
    assert (await receiver.handle_raw("POST", path, "", mixed, weird)).status == 400
    assert job.stage is Stage.TEXT_SUCCESS
    assert (await receiver.handle_raw("POST", path, "", mixed, bytearray(body))).status == 200
    with pytest.raises(TypeError, match="raw request body as bytes"):
        await receiver.handle_raw("POST", path, "", mixed, body.decode())  # type: ignore[arg-type]
    job.detach()


# ----------------------------------------------------------------------------- early bytes


async def test_early_buffer_is_bounded_in_bytes(sandbox: Sandbox) -> None:
    """Item 12.12: unsigned callbacks for unknown ids while a create is in flight are
    buffered up to EARLY_BUFFER_BYTES in all and EARLY_BODY_MAX_BYTES each (today
    40 bodies of 1 MiB were all kept); beyond that the API is told to retry (503)."""
    receiver = WebhookReceiver()  # no HMAC: only the token guards the buffer
    sandbox.inject(Fault(route="/api/v1/generate", kind="delay", seconds=1.0))
    async with receiver.serve(), make_client(sandbox) as client, \
            aiohttp.ClientSession() as http:
        receiver.attach(client)
        submit = asyncio.ensure_future(client.generate(prompt="slow reply [[never]]"))
        async with asyncio.timeout(5):
            while not client._submits:
                await asyncio.sleep(0.005)

        async def one(n: int, size: int) -> int:
            body = callback(f"{n:032x}", padding="p" * size)
            async with http.post(receiver.callback_url, json=body) as resp:
                return resp.status

        large = [await one(n, 900 * 1024) for n in range(5)]  # each over the per-body cap
        small = [await one(100 + n, 30 * 1024) for n in range(40)]  # 1.2 MB in all
        still_in_flight = bool(client._submits)
        held = receiver.early_bytes
        job = await submit
        job.detach()
    assert still_in_flight, "the flood arrived after the submission; nothing was tested"
    assert large == [503] * 5
    assert small.count(200) == receiver.stats["buffered"]
    assert 30 <= small.count(200) < 40 and set(small) == {200, 503}
    assert held <= EARLY_BUFFER_BYTES
    assert held >= small.count(200) * 30 * 1024
    assert receiver.stats["rejected:early buffer full"] == 5 + small.count(503)
    assert EARLY_BODY_MAX_BYTES < 900 * 1024


async def test_an_early_callback_is_released_from_the_budget_when_its_id_registers(
    sandbox: Sandbox,
) -> None:
    receiver = WebhookReceiver()
    sandbox.inject(Fault(route="/api/v1/generate", kind="callback_early"))
    async with receiver.serve(), make_client(sandbox) as client:
        receiver.attach(client)
        job = await client.generate(prompt="early bird")
        assert receiver.stats["buffered"] >= 1
        assert job.stage >= Stage.TEXT_SUCCESS
        await asyncio.wait_for(job.wait(), 10)
        assert receiver.early_bytes == 0  # the id registered: nothing counted as held
