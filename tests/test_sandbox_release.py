"""A closed sandbox is garbage once dropped: a suite that starts one per test does not grow.

aiohttp keeps, per ``(handler, apps)``, the middleware chain it built for an application
in a process-wide cache; ``Sandbox.close()`` empties it. (``tests/conftest.py`` also
empties it after every test, so these tests check what ``close`` itself does.)
"""

from __future__ import annotations

import gc
import weakref

import aiohttp

from suno_async.sandbox import Sandbox
from suno_async.testing import client_for

CREDITS = "/api/v1/chat/credit"


async def _credits(http: aiohttp.ClientSession, sb: Sandbox) -> int:
    async with http.get(f"{sb.url}{CREDITS}",
                        headers={"Authorization": f"Bearer {sb.api_key}"}) as reply:
        assert (await reply.json())["code"] == 200
        return reply.status


async def test_a_closed_sandbox_that_served_requests_is_freed() -> None:
    sb = Sandbox(seed=1)
    await sb.start()
    async with aiohttp.ClientSession() as http:
        assert await _credits(http, sb) == 200
    await sb.close()
    app, state = weakref.ref(sb.app), weakref.ref(sb.state)
    del sb
    gc.collect()
    assert app() is None and state() is None


async def test_a_client_and_a_sandbox_closed_leave_nothing_alive() -> None:
    async with Sandbox(time_scale=0.001, seed=2, poll_limit=None) as sb, client_for(sb) as client:
        job = await client.generate(prompt="lofi", instrumental=True)
        await job
    app = weakref.ref(sb.app)
    del sb, client, job
    gc.collect()
    assert app() is None


async def test_closing_one_sandbox_leaves_another_serving() -> None:
    async with Sandbox(seed=3) as other, aiohttp.ClientSession() as http:
        assert await _credits(http, other) == 200  # its chain is cached
        async with Sandbox(seed=4) as sb:
            assert await _credits(http, sb) == 200
        # sb closed: the cache is empty; the other one builds its chain again
        assert await _credits(http, other) == 200
        assert other.stats.received[CREDITS] == 2
