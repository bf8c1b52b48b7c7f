"""Test helpers for users: ``Sandbox.advance`` and the request log ``Sandbox.requests``."""

from __future__ import annotations

import asyncio
import enum
from collections.abc import AsyncIterator
from dataclasses import FrozenInstanceError

import pytest

from suno_async.sandbox import Sandbox, SandboxRequest

from .support import CB, Http, Receiver, create, gen_body, generate, get, post


class Stage(enum.Enum):  # the shape of the client's Stage (the sandbox never imports it)
    TEXT_SUCCESS = 1
    FIRST_SUCCESS = 2
    SUCCESS = 3
    FAILED = 9


@pytest.fixture
async def slow() -> AsyncIterator[Sandbox]:
    """A realistic timeline: nothing happens by itself within a test."""
    async with Sandbox(time_scale=1.0, seed=5, poll_limit=None, rate_limit=None) as sandbox:
        yield sandbox


@pytest.fixture
async def slow_http(slow: Sandbox) -> AsyncIterator[Http]:
    async with Http(headers={"Authorization": f"Bearer {slow.api_key}"}) as session:
        yield session


async def test_advance_walks_the_stages_and_fires_callbacks(
    slow: Sandbox, slow_http: Http, receiver: Receiver
) -> None:
    task_id = await generate(slow_http, slow, callBackUrl=receiver.url)
    assert slow.status(task_id) == "PENDING"
    assert slow.advance(task_id, Stage.FIRST_SUCCESS)  # an enum member with that name
    await receiver.wait_for(2, task_id=task_id)
    assert [b["data"]["callbackType"] for b in receiver.of(task_id)] == ["text", "first"]
    assert slow.status(task_id) == "FIRST_SUCCESS"
    assert not slow.advance(task_id, "TEXT_SUCCESS")  # already passed: nothing changes
    assert slow.advance(task_id, "SUCCESS")
    await receiver.wait_for(3, task_id=task_id)
    assert receiver.of(task_id)[-1]["data"]["callbackType"] == "complete"
    _, reply = await get(slow_http, slow, "/api/v1/generate/record-info", taskId=task_id)
    assert reply["data"]["status"] == "SUCCESS"
    assert all(t["audioUrl"] for t in reply["data"]["response"]["sunoData"])
    assert not slow.advance(task_id, "FAILED")  # finished tasks stay finished
    assert len(receiver.of(task_id)) == 3  # each callback once


async def test_advance_to_a_failure(
    slow: Sandbox, slow_http: Http, receiver: Receiver
) -> None:
    task_id = await generate(slow_http, slow, callBackUrl=receiver.url)
    credits = slow.credits()
    assert slow.advance(task_id, "GENERATE_AUDIO_FAILED")
    await receiver.wait_for(1, task_id=task_id)
    (error,) = receiver.of(task_id)
    assert error["code"] == 501
    assert error["data"]["callbackType"] == "error"
    _, reply = await get(slow_http, slow, "/api/v1/generate/record-info", taskId=task_id)
    assert (reply["data"]["status"], reply["data"]["errorCode"]) == ("GENERATE_AUDIO_FAILED", 501)
    created = await generate(slow_http, slow)
    assert slow.advance(created, "CREATE_TASK_FAILED")
    assert slow.status(created) == "CREATE_TASK_FAILED"
    async with asyncio.timeout(5):  # create-fail refunds once its event ran
        while slow.credits() != credits:
            await asyncio.sleep(0.005)


async def test_advance_a_never_task_and_other_families(slow: Sandbox, slow_http: Http) -> None:
    never = await generate(slow_http, slow, prompt="x [[never]]")
    assert slow.advance(never, "SUCCESS")
    assert slow.status(never) == "SUCCESS"
    phases = [s.phase.name for s in slow.task(never).steps]
    assert phases == ["PENDING", "TEXT", "FIRST", "SUCCESS"]  # the skipped stages fire too
    lyrics = await create(slow_http, slow, "/api/v1/lyrics", {"prompt": "rain", "callBackUrl": CB})
    with pytest.raises(ValueError, match="music only"):
        slow.advance(lyrics, "FIRST_SUCCESS")
    assert slow.advance(lyrics, "SUCCESS")
    _, reply = await get(slow_http, slow, "/api/v1/lyrics/record-info", taskId=lyrics)
    assert reply["data"]["status"] == "SUCCESS"
    with pytest.raises(ValueError, match="unknown stage"):
        slow.advance(lyrics, "DONE")
    with pytest.raises(KeyError):
        slow.advance("0" * 32, "SUCCESS")
    text_only = await generate(slow_http, slow, prompt="y [[never]]")
    assert slow.advance(text_only, "TEXT_SUCCESS")
    later = [s.phase.name for s in slow.task(text_only).steps]
    assert later == ["PENDING", "TEXT", "FIRST", "SUCCESS"]  # and then the usual remainder
    assert slow.status(text_only) == "TEXT_SUCCESS"


async def test_request_log(sb: Sandbox, http: Http) -> None:
    task_id = await generate(http, sb, model="V4_5")
    await get(http, sb, "/api/v1/generate/record-info", taskId=task_id)
    async with http.post(f"{sb.url}/api/v1/lyrics", data=b"{not json",
                         headers={"Content-Type": "application/json"}) as resp:
        assert (await resp.json())["code"] == 400
    post_, poll, broken = sb.requests
    assert isinstance(post_, SandboxRequest)
    assert (post_.method, post_.path, post_.json["model"]) == ("POST", "/api/v1/generate", "V4_5")
    assert post_.headers["Authorization"] == "<redacted>"
    assert sb.api_key not in repr(post_) + str(dict(post_.headers))
    assert "callback.example.com" not in repr(post_)  # a callback URL may carry a token
    assert "callBackUrl" in repr(post_)
    assert (poll.method, dict(poll.query), poll.json) == ("GET", {"taskId": task_id}, None)
    assert broken.json is None
    with pytest.raises(FrozenInstanceError):
        post_.path = "/x"  # type: ignore[misc]
    sb.clear_requests()
    assert sb.requests == []
    await post(http, sb, "/api/v1/generate", gen_body(callBackUrl=None))  # refused: still logged
    assert [r.path for r in sb.requests] == ["/api/v1/generate"]


async def test_multipart_uploads_still_work_when_logged(sb: Sandbox, http: Http) -> None:
    import aiohttp

    form = aiohttp.FormData()
    form.add_field("file", b"RIFF....", filename="a.wav", content_type="audio/wav")
    form.add_field("uploadPath", "music")
    async with http.post(f"{sb.upload_url}/api/file-stream-upload", data=form) as resp:
        reply = await resp.json()
    assert reply["code"] == 200
    (logged,) = sb.requests
    assert logged.path == "/api/file-stream-upload"
    assert logged.json is None
