"""Callbacks delivered to the caller's own route (any framework) through
``client.ingest_callback``: polling drops to the safety net, failures keep their class."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from suno_async import PollPolicy, SunoClient
from suno_async.errors import CreateTaskFailedError
from suno_async.jobs.kinds import KINDS
from suno_async.sandbox import Sandbox

from .conftest import make_client

SAFETY_NET = PollPolicy(initial=0.01, maximum=0.05, early_maximum=0.03, min_interval=0,
                        webhook_interval=30, max_wait=20)


@pytest.fixture
async def own_route() -> AsyncIterator[tuple[list[SunoClient], str]]:
    """The user's app: one POST route that hands each body to the client."""
    clients: list[SunoClient] = []

    async def handle(request: web.Request) -> web.Response:
        body: Any = await request.json()
        for client in clients:
            client.ingest_callback(body)
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/hooks/suno", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield clients, f"http://127.0.0.1:{port}/hooks/suno"
    finally:
        await runner.cleanup()


async def test_a_callback_url_switches_to_safety_net_polling(
    sandbox: Sandbox, own_route: tuple[list[SunoClient], str]
) -> None:
    clients, url = own_route
    async with make_client(sandbox, poll=SAFETY_NET, callback_url=url) as client:
        clients.append(client)
        jobs = [await client.generate(prompt=f"song {i}") for i in range(4)]
        records = await asyncio.wait_for(asyncio.gather(*(j.wait() for j in jobs)), 10)
    assert all(len(r.tracks) == 2 for r in records)
    assert sum(j.polls for j in jobs) == 0  # callbacks alone (0.1.0: dozens of polls)


async def test_create_fail_by_the_callers_route_is_create_task_failed(
    sandbox: Sandbox, own_route: tuple[list[SunoClient], str]
) -> None:
    clients, url = own_route
    async with make_client(sandbox, poll=SAFETY_NET, callback_url=url) as client:
        clients.append(client)
        job = await client.generate(prompt="doomed [[create-fail]]")
        with pytest.raises(CreateTaskFailedError):
            await asyncio.wait_for(job.wait(), 10)
        assert job.polls == 0  # the confirming poll is not a tracking poll


async def test_the_early_buffer_is_bounded_in_bytes(client: SunoClient) -> None:
    registry = client.registry
    mib = "x" * (1024 * 1024)
    kept = [
        registry.buffer_early(f"{n:032x}", {"data": {"task_id": f"{n:032x}", "pad": mib}})
        for n in range(40)
    ]
    stored = sum(len(bodies) for _, bodies in registry.early_buffer.values())
    assert kept.count(True) == stored < 40
    assert stored * len(mib) <= registry.early_bytes
    late = {"data": {"task_id": "f" * 32, "pad": mib}}
    assert not registry.buffer_early("f" * 32, late)  # the budget is spent
    # registering a buffered id applies its bodies and frees its share of the budget
    first = next(iter(registry.early_buffer))
    registry.register(first, KINDS["music"], request=None).detach()
    assert registry.buffer_early("f" * 32, late)
