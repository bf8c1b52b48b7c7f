"""HTTP fault kinds: statuses, body codes, drops, delays, malformed and HTML bodies."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from suno_async.sandbox import Fault, Sandbox

from .support import Http, gen_body, generate, get


@pytest.mark.parametrize(
    ("kind", "status"), [("http_429", 429), ("http_500", 500), ("http_503", 503)]
)
async def test_http_status_faults(sb: Sandbox, http: Http, kind: str, status: int) -> None:
    sb.inject(Fault(route="/api/v1/generate", kind=kind, times=1, retry_after=2))
    async with http.post(f"{sb.url}/api/v1/generate", json=gen_body()) as resp:
        assert resp.status == status
        assert resp.headers["Retry-After"] == "2"
        body = await resp.json()
    assert body["code"] == status
    assert body["data"] is None
    assert sb.stats.submissions.total() == 0
    assert sb.stats.faults_injected[kind] == 1
    assert sb.stats.rate_limited == 0  # injected faults are not limiter replies
    await generate(http, sb)  # times=1: the next call passes


async def test_body_code_fault(sb: Sandbox, http: Http) -> None:
    sb.inject(Fault(route="*/record-info", kind="body_code", code=455, msg="maintenance"))
    task_id = await generate(http, sb)
    status, body = await get(http, sb, "/api/v1/generate/record-info", taskId=task_id)
    assert (status, body) == (200, {"code": 455, "msg": "maintenance", "data": None})


async def test_drop_before_processing_creates_nothing(sb: Sandbox, http: Http) -> None:
    sb.inject(Fault(route="/api/v1/generate", kind="drop", times=1))
    with pytest.raises(aiohttp.ClientError):
        async with http.post(f"{sb.url}/api/v1/generate", json=gen_body()) as resp:
            await resp.read()
    assert len(sb.state.store) == 0
    assert sb.stats.submissions.total() == 0
    assert sb.stats.received["/api/v1/generate"] == 1


async def test_drop_after_processing_creates_the_task(sb: Sandbox, http: Http) -> None:
    sb.inject(Fault(route="/api/v1/generate", kind="drop", after=True, times=1))
    with pytest.raises(aiohttp.ClientError):
        async with http.post(f"{sb.url}/api/v1/generate", json=gen_body()) as resp:
            await resp.read()
    assert len(sb.state.store) == 1
    assert sb.stats.submissions["/api/v1/generate"] == 1
    assert sb.credits() == 10_000 - 12


async def test_delay_processes_then_replies_late(sb: Sandbox, http: Http) -> None:
    sb.inject(Fault(route="/api/v1/generate", kind="delay", seconds=0.3))
    timeout = aiohttp.ClientTimeout(total=0.1)
    with pytest.raises(asyncio.TimeoutError):
        async with http.post(f"{sb.url}/api/v1/generate", json=gen_body(), timeout=timeout):
            pass
    assert sb.stats.submissions["/api/v1/generate"] == 1  # created although the client gave up
    loop = asyncio.get_running_loop()
    start = loop.time()
    await generate(http, sb)
    assert loop.time() - start >= 0.3


async def test_malformed_and_html(sb: Sandbox, http: Http) -> None:
    sb.inject(Fault(route="/api/v1/chat/credit", kind="malformed", times=1))
    sb.inject(Fault(route="/api/v1/generate/credit", kind="html", times=1))
    async with http.get(f"{sb.url}/api/v1/chat/credit") as resp:
        assert resp.status == 200
        text = await resp.text()
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)
    async with http.get(f"{sb.url}/api/v1/generate/credit") as resp:
        assert resp.status == 502
        assert resp.content_type == "text/html"
        assert "502 Bad Gateway" in await resp.text()


async def test_rate_and_times_are_seeded_and_capped(sb: Sandbox, http: Http) -> None:
    fault = sb.inject(Fault(route="/api/v1/chat/credit", kind="http_500", rate=0.5, times=3))
    statuses = []
    for _ in range(20):
        async with http.get(f"{sb.url}/api/v1/chat/credit") as resp:
            statuses.append(resp.status)
    assert statuses.count(500) == 3
    assert fault.applied == 3
    assert statuses.count(200) == 17
    sb.clear_faults()
    async with http.get(f"{sb.url}/api/v1/chat/credit") as resp:
        assert resp.status == 200


async def test_route_patterns(sb: Sandbox, http: Http) -> None:
    sb.inject(Fault(route="*/record-info", kind="http_503"))
    task_id = await generate(http, sb)  # create path untouched
    async with http.get(f"{sb.url}/api/v1/generate/record-info?taskId={task_id}") as resp:
        assert resp.status == 503
    async with http.get(f"{sb.url}/api/v1/wav/record-info?taskId={task_id}") as resp:
        assert resp.status == 503


def test_fault_validation() -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        Fault(kind="explode")
    with pytest.raises(ValueError, match="rate"):
        Fault(kind="drop", rate=2)
