"""Fixtures for the sandbox tests: a running sandbox, an authenticated session, a callback sink."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from suno_async.sandbox import Sandbox

from .support import SCALE, Receiver


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    recv = Receiver()
    app = web.Application()
    app.router.add_post("/cb", recv.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    recv.url = f"http://127.0.0.1:{port}/cb"
    yield recv
    await runner.cleanup()


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    async with Sandbox(time_scale=SCALE, seed=1, poll_limit=None, rate_limit=None) as sandbox:
        yield sandbox


@pytest.fixture
async def http(sb: Sandbox) -> AsyncIterator[aiohttp.ClientSession]:
    headers = {"Authorization": f"Bearer {sb.api_key}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        yield session
