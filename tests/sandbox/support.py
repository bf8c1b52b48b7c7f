"""Helpers shared by the sandbox tests (HTTP shortcuts, a callback sink, fixtures on disk)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from suno_async.sandbox import Sandbox

FIXTURES = Path(__file__).resolve().parent / "fixtures"  # copies of shared/api/fixtures
Http = aiohttp.ClientSession
SCALE = 0.002  # music completes in ~0.24-0.36 s


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


class Receiver:
    """A local callback endpoint that records every POST (body, headers)."""

    def __init__(self) -> None:
        self.calls: list[tuple[dict[str, Any], dict[str, str]]] = []
        self.statuses: list[int] = []  # replies to use, in order; then 200
        self._changed = asyncio.Event()
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.calls.append((body, dict(request.headers)))
        self._changed.set()
        status = self.statuses.pop(0) if self.statuses else 200
        return web.json_response({"code": 200, "msg": "ok"}, status=status)

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [b for b, _ in self.calls]

    def of(self, task_id: str) -> list[dict[str, Any]]:
        """Bodies that belong to ``task_id`` (any family's id field)."""
        out = []
        for body in self.bodies:
            data = body.get("data") if isinstance(body.get("data"), dict) else {}
            ids = {body.get("task_id"), data.get("task_id"), data.get("taskId")}
            if task_id in ids:
                out.append(body)
        return out

    async def wait_for(self, count: int, within: float = 5.0, task_id: str | None = None) -> None:
        async def reached() -> None:
            while len(self.of(task_id) if task_id else self.calls) < count:
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(reached(), within)


CB = "http://callback.example.com/hook"  # not loopback: never contacted


def gen_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "customMode": False,
        "instrumental": False,
        "model": "V5",
        "prompt": "a calm piano melody about rain",
        "callBackUrl": CB,
    }
    body.update(over)
    return {k: v for k, v in body.items() if v is not None}


async def post(http: Http, sb: Sandbox, path: str, body: Any) -> tuple[int, Any]:
    async with http.post(f"{sb.url}{path}", json=body) as resp:
        return resp.status, await resp.json()


async def get(http: Http, sb: Sandbox, path: str, **params: str) -> tuple[int, Any]:
    async with http.get(f"{sb.url}{path}", params=params) as resp:
        return resp.status, await resp.json()


async def create(http: Http, sb: Sandbox, path: str, body: dict[str, Any]) -> str:
    status, reply = await post(http, sb, path, body)
    assert status == 200, reply
    assert reply["code"] == 200, reply
    task_id: str = reply["data"]["taskId"]
    return task_id


async def generate(http: Http, sb: Sandbox, **over: Any) -> str:
    return await create(http, sb, "/api/v1/generate", gen_body(**over))


async def finish(sb: Sandbox, task_id: str) -> None:
    """Sleep until the task's timeline has ended."""
    task = sb.task(task_id)
    loop = asyncio.get_running_loop()
    await asyncio.sleep(max(0.0, task.created + task.end_offset - loop.time()) + 0.01)


async def finished_music(http: Http, sb: Sandbox, **over: Any) -> tuple[str, list[str]]:
    task_id = await generate(http, sb, **over)
    await finish(sb, task_id)
    return task_id, [t.id for t in sb.task(task_id).tracks]
