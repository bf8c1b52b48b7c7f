"""One sandbox serves 1,000 concurrent tasks, created and polled to completion."""

from __future__ import annotations

import asyncio

import aiohttp

from suno_async.sandbox import Sandbox

from .support import Receiver, gen_body

TASKS = 1000


async def test_thousand_concurrent_tasks(receiver: Receiver) -> None:
    async with Sandbox(
        time_scale=0.002, seed=7, rate_limit=(10_000, 10.0), poll_limit=3.0, credits=1e6
    ) as sb:
        connector = aiohttp.TCPConnector(limit=64)
        headers = {"Authorization": f"Bearer {sb.api_key}"}
        async with aiohttp.ClientSession(headers=headers, connector=connector) as http:

            async def one(i: int) -> tuple[str, list[str]]:
                async with http.post(
                    f"{sb.url}/api/v1/generate",
                    json=gen_body(prompt=f"song {i}", callBackUrl=receiver.url),
                ) as resp:
                    task_id = (await resp.json())["data"]["taskId"]
                seen: list[str] = []
                while True:
                    await asyncio.sleep(0.35)  # within 3 polls per second per task
                    url = f"{sb.url}/api/v1/generate/record-info?taskId={task_id}"
                    async with http.get(url) as resp:
                        assert resp.status == 200
                        data = (await resp.json())["data"]
                    seen.append(data["status"])
                    if data["status"] == "SUCCESS":
                        assert all(t["audioUrl"] for t in data["response"]["sunoData"])
                        return task_id, seen

            results = await asyncio.gather(*(one(i) for i in range(TASKS)))
        ids = {task_id for task_id, _ in results}
        assert len(ids) == TASKS
        assert sb.stats.submissions["/api/v1/generate"] == TASKS
        assert sb.stats.rate_limited == 0
        assert max(sb.stats.polls.values()) <= 10
        await receiver.wait_for(3 * TASKS, within=20)
        assert sb.stats.callbacks_acked == 3 * TASKS
