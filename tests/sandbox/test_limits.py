"""Rate limit on creations, poll limit on record-info, credits and 402."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from suno_async.sandbox import Sandbox

from .support import CB, Http, create, finish, gen_body, generate, get, post


@pytest.fixture
async def limited() -> AsyncIterator[Sandbox]:
    async with Sandbox(time_scale=0.002, seed=5, rate_limit=(20, 0.5), poll_limit=3.0) as sb:
        yield sb


@pytest.fixture
async def lhttp(limited: Sandbox) -> AsyncIterator[Http]:
    async with Http(headers={"Authorization": f"Bearer {limited.api_key}"}) as session:
        yield session


async def test_creates_beyond_20_in_window_get_http_429_and_are_not_counted(
    limited: Sandbox, lhttp: Http
) -> None:
    replies = await asyncio.gather(
        *(post(lhttp, limited, "/api/v1/generate", gen_body()) for _ in range(30))
    )
    statuses = sorted(status for status, _ in replies)
    assert statuses == [200] * 20 + [429] * 10
    rejected = next(reply for status, reply in replies if status == 429)
    assert rejected["code"] == 429
    assert rejected["data"] is None
    assert limited.stats.submissions["/api/v1/generate"] == 20
    assert limited.stats.received["/api/v1/generate"] == 30
    assert limited.stats.rate_limited == 10
    assert limited.credits() == 10_000 - 20 * 12
    assert len(limited.state.store) == 20
    # the window slides: after it passes, creations are accepted again
    await asyncio.sleep(0.55)
    await generate(lhttp, limited)


async def test_rate_limit_is_per_key(limited: Sandbox, lhttp: Http) -> None:
    other = limited.add_key("other-key", credits=100)
    for _ in range(20):
        await generate(lhttp, limited)
    status, _ = await post(lhttp, limited, "/api/v1/generate", gen_body())
    assert status == 429
    async with Http(headers={"Authorization": f"Bearer {other}"}) as http2:
        await generate(http2, limited)
    assert limited.stats.submissions_by_key == {limited.api_key: 20, other: 1}


async def test_rejected_validation_does_not_use_the_window(limited: Sandbox, lhttp: Http) -> None:
    for _ in range(25):
        await post(lhttp, limited, "/api/v1/generate", gen_body(callBackUrl=None))
    await generate(lhttp, limited)


async def test_poll_limit_per_task(limited: Sandbox, lhttp: Http) -> None:
    first = await generate(lhttp, limited)
    second = await generate(lhttp, limited)
    codes = []
    for _ in range(4):
        status, _ = await get(lhttp, limited, "/api/v1/generate/record-info", taskId=first)
        codes.append(status)
    assert codes == [200, 200, 200, 429]
    status, _ = await get(lhttp, limited, "/api/v1/generate/record-info", taskId=second)
    assert status == 200  # other tasks have their own budget
    assert limited.stats.polls[first] == 4
    assert limited.stats.rate_limited == 1
    await asyncio.sleep(1.05)
    status, _ = await get(lhttp, limited, "/api/v1/generate/record-info", taskId=first)
    assert status == 200


async def test_credits_endpoints_and_402(sb: Sandbox, http: Http) -> None:
    sb.set_credits(sb.api_key, 13.0)
    _, reply = await get(http, sb, "/api/v1/chat/credit")  # kie's path (REFERENCE §6.11)
    assert reply == {"code": 200, "msg": "success", "data": 13.0}
    status, reply = await get(http, sb, "/api/v1/generate/credit")  # sunoapi.org's path
    assert (status, reply["code"]) == (404, 404)
    await generate(http, sb)
    status, reply = await post(http, sb, "/api/v1/generate", gen_body())
    assert status == 200
    assert reply["code"] == 402
    assert reply["data"] is None
    assert sb.stats.submissions["/api/v1/generate"] == 1
    _, reply = await get(http, sb, "/api/v1/chat/credit")
    assert reply["data"] == 1.0
    # cheaper operations still pass
    lyrics = {"prompt": "night", "callBackUrl": CB}
    await create(http, sb, "/api/v1/lyrics", lyrics)
    assert sb.credits() == pytest.approx(0.6)


async def test_costs_are_configurable() -> None:
    async with (
        Sandbox(time_scale=0.01, costs={"generate": 1.5}, credits=3) as sb,
        Http(headers={"Authorization": f"Bearer {sb.api_key}"}) as http,
    ):
        await generate(http, sb)
        await generate(http, sb)
        _, reply = await post(http, sb, "/api/v1/generate", gen_body())
        assert reply["code"] == 402


async def test_refund_marker_returns_credits(sb: Sandbox, http: Http) -> None:
    before = sb.credits()
    task_id = await generate(http, sb, prompt="[[refund]] please")
    assert sb.credits() == before - 12
    await finish(sb, task_id)
    await asyncio.sleep(0.02)
    assert sb.credits() == before
    _, reply = await get(http, sb, "/api/v1/generate/record-info", taskId=task_id)
    assert reply["data"]["errorCode"] == 531


async def test_tasks_are_private_to_their_key(sb: Sandbox, http: Http) -> None:
    task_id = await generate(http, sb)
    other = sb.add_key("k2")
    async with Http(headers={"Authorization": f"Bearer {other}"}) as http2:
        _, reply = await get(http2, sb, "/api/v1/generate/record-info", taskId=task_id)
    assert reply["data"] is None


async def test_21st_sequential_create_is_rejected(limited: Sandbox, lhttp: Http) -> None:
    for _ in range(20):
        await generate(lhttp, limited)
    status, reply = await post(lhttp, limited, "/api/v1/generate", gen_body())
    assert status == 429
    assert reply["code"] == 429
    assert limited.stats.submissions["/api/v1/generate"] == 20
