"""Webhooks in FastAPI: the receiver's pure ASGI app mounted in a real app, served by
a real uvicorn on loopback, receiving the sandbox's real callbacks (issue 15)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from suno_async import PollPolicy, Stage, WebhookPolicy
from suno_async.sandbox import Sandbox
from suno_async.webhooks import WebhookReceiver, sign

from .conftest import TIME_SCALE, eventually, make_client

fastapi = pytest.importorskip("fastapi")
uvicorn = pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")

KEY = "asgi-hmac-key"
CALLBACKS_ONLY = PollPolicy(initial=0.01, maximum=0.05, early_maximum=0.05, min_interval=0,
                            webhook_interval=30, max_wait=20)


@contextlib.asynccontextmanager
async def served(app: Any, *, lifespan: str = "auto") -> AsyncIterator[str]:
    """``app`` under a real uvicorn on a free loopback port, in this event loop."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan=lifespan)
    server = uvicorn.Server(config)
    task = asyncio.ensure_future(server.serve(sockets=[sock]))
    try:
        await eventually(lambda: server.started or task.done(), within=10)
        assert server.started, "uvicorn did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


def user_app(receiver: WebhookReceiver) -> Any:
    """What a FastAPI user writes: their app, and one line mounting the receiver."""
    app = fastapi.FastAPI()

    @app.get("/health")  # type: ignore[untyped-decorator]
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    app.mount("/suno", receiver.asgi())
    return app


async def test_fastapi_app_receives_the_sandboxs_callbacks() -> None:
    receiver = WebhookReceiver(hmac_key=KEY)
    async with Sandbox(time_scale=TIME_SCALE, seed=5, poll_limit=None, hmac_key=KEY) as sb, \
            served(user_app(receiver)) as base:
        receiver.public_url = f"{base}/suno"
        async with make_client(sb, poll=CALLBACKS_ONLY) as client:
            receiver.attach(client)
            job = await client.generate(prompt="served by uvicorn")
            assert sb.task(job.task_id).callback_url == receiver.callback_url
            assert receiver.callback_url.startswith(f"{base}/suno/suno-async/callback/")
            record = await asyncio.wait_for(job.wait(), 10)
            stages = [e.stage async for e in job.events()]
        async with httpx.AsyncClient() as http:
            assert (await http.get(f"{base}/health")).json() == {"status": "ok"}
    assert job.stage is Stage.SUCCESS and len(record.tracks) == 2
    assert stages[-1] is Stage.SUCCESS
    assert job.polls == 0  # callbacks alone drove the job
    assert receiver.stats["accepted"] >= 3
    assert not [k for k in receiver.stats if k.startswith("rejected")]


def stage_of(job: Any) -> Stage:
    stage: Stage = job.stage
    return stage


def callback(task_id: str, kind: str = "text") -> dict[str, Any]:
    return {"code": 200, "msg": "ok", "data": {"callbackType": kind, "task_id": task_id,
                                               "data": []}}


def signed(task_id: str, key: str = KEY, when: float | None = None) -> dict[str, str]:
    stamp = str(int(time.time() if when is None else when))
    return {"X-Webhook-Timestamp": stamp, "X-Webhook-Signature": sign(key, task_id, stamp)}


async def test_fastapi_mount_refuses_what_the_aiohttp_route_refuses(sandbox: Sandbox) -> None:
    receiver = WebhookReceiver(hmac_key=KEY, policy=WebhookPolicy(max_body=4096))
    async with served(user_app(receiver)) as base, make_client(sandbox) as client, \
            httpx.AsyncClient() as http:
        receiver.public_url = f"{base}/suno"
        receiver.attach(client)
        job = await client.generate(prompt="guarded [[never]]")
        url = receiver.callback_url
        token = url.rsplit("/", 1)[1]
        task = job.task_id
        body = callback(task)

        async def status(target: str = url, **options: Any) -> int:
            options.setdefault("headers", {**signed(task), "Content-Type": "application/json"})
            resp = await http.request(options.pop("method", "POST"), target, **options)
            assert token not in resp.text
            code: int = resp.status_code
            return code

        assert await status(url.replace(token, "wrong-token-0123456789"), json=body) == 404
        assert await status(f"{base}/suno/elsewhere", json=body) == 404
        assert await status(method="GET") == 405
        assert await status(json=body, headers={"Content-Type": "application/json"}) == 401
        assert await status(json=body, headers={**signed(task, key="forged"),
                                                "Content-Type": "application/json"}) == 401
        stale = signed(task, when=time.time() - 3600)
        assert await status(json=body, headers={**stale, "Content-Type": "application/json"}) \
            == 401
        assert await status(content=b"{}", headers={**signed(task),
                                                    "Content-Type": "text/plain"}) == 415
        big = {**body, "padding": "x" * 5000}
        assert await status(json=big) == 413  # declared length

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(10):
                yield b"x" * 1000

        assert await status(content=chunks()) == 413  # chunked: counted while reading
        other = "f" * 32
        assert await status(json=callback(other), headers={
            **signed(other), "Content-Type": "application/json"}) == 404
        assert stage_of(job) is Stage.PENDING and not job.done()
        # the genuine article
        assert await status(json=body) == 200
        assert stage_of(job) is Stage.TEXT_SUCCESS
        job.detach()
    assert receiver.stats["rejected:bad token"] == 2
    assert receiver.stats["rejected:bad signature"] == 3
    assert receiver.stats["rejected:body too large"] == 2
    assert receiver.stats["accepted"] == 1


async def test_the_asgi_app_alone_answers_lifespan_and_serves() -> None:
    """Served directly (no framework), uvicorn's lifespan protocol is acknowledged."""
    receiver = WebhookReceiver()
    async with served(receiver.asgi(), lifespan="on") as base, httpx.AsyncClient() as http:
        receiver.public_url = base
        resp = await http.post(receiver.callback_url, json=callback("a" * 32))
    assert resp.status_code == 404  # no client attached: an unknown task id
    assert resp.json() == {"code": 404, "msg": "unknown task id"}
