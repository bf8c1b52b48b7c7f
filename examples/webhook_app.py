"""An aiohttp web application that makes songs and receives the API's callbacks.

Routes:

- ``POST /songs`` with ``{"prompt": "..."}`` -> ``{"task_id": "..."}`` (at once)
- ``GET /songs/{task_id}`` -> the job's stage, and its tracks when they exist
- ``POST /suno-async/callback/{token}``: the mounted :class:`WebhookReceiver`; the API
  POSTs progress here, so the app learns about results without polling

One :class:`SunoClient` lives as long as the app (``cleanup_ctx``). Run it (an
in-process sandbox stands in for the API)::

    python examples/webhook_app.py           # a scripted visit, then exit
    python examples/webhook_app.py --serve   # keep serving on http://127.0.0.1:8080

Against the real API, set SUNO_API_KEY and pass ``--live --public-url https://your.host``
(the URL the API can reach; callbacks are checked by token, and by HMAC with
``--hmac-key``).
"""

from __future__ import annotations

import argparse
import asyncio
import socket
from collections.abc import AsyncIterator, Sequence
from typing import Any

import aiohttp
from aiohttp import web

from suno_async import PollPolicy, Stage, SunoClient
from suno_async.errors import RequestValidationError
from suno_async.webhooks import WebhookReceiver

CLIENT = web.AppKey("client", SunoClient)
RECEIVER = web.AppKey("receiver", WebhookReceiver)


async def create_song(request: web.Request) -> web.Response:
    client = request.app[CLIENT]
    body = await request.json()
    try:
        job = await client.generate(
            prompt=body.get("prompt"), instrumental=bool(body.get("instrumental"))
        )
    except RequestValidationError as exc:
        problems = [{"field": p.field, "message": p.message} for p in exc.problems]
        return web.json_response({"problems": problems}, status=422)
    return web.json_response({"task_id": job.task_id}, status=202)


async def show_song(request: web.Request) -> web.Response:
    client = request.app[CLIENT]
    job = client.jobs.get(request.match_info["task_id"])
    if job is None:
        raise web.HTTPNotFound()
    record = job.record
    tracks: list[dict[str, Any]] = []
    if job.stage >= Stage.FIRST_SUCCESS and record is not None and job.stage is not Stage.FAILED:
        tracks = [
            {"title": t.title, "stream": t.stream_audio_url, "audio": t.audio_url or None}
            for t in record.tracks
        ]
    return web.json_response(
        {"task_id": job.task_id, "stage": job.stage.name, "status": job.status, "tracks": tracks}
    )


def make_app(
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    public_url: str | None = None,
    hmac_key: str | None = None,
) -> web.Application:
    """The application; the client is created on startup and closed on cleanup."""
    app = web.Application()
    receiver = WebhookReceiver(public_url=public_url, hmac_key=hmac_key)
    receiver.mount(app)
    app[RECEIVER] = receiver

    async def client_ctx(app: web.Application) -> AsyncIterator[None]:
        async with SunoClient(
            api_key=api_key, base_url=base_url, poll=PollPolicy(webhook_interval=30)
        ) as client:
            receiver.attach(client)  # new tasks carry the receiver's callback URL
            app[CLIENT] = client
            yield

    app.cleanup_ctx.append(client_ctx)
    app.router.add_post("/songs", create_song)
    app.router.add_get("/songs/{task_id}", show_song)
    return app


async def visit(
    app_url: str, prompts: Sequence[str], give_up_after: float = 60
) -> list[dict[str, Any]]:
    """What a user of the app does: ask for songs, then look until they are done."""
    async with aiohttp.ClientSession() as http:
        ids = []
        for prompt in prompts:
            async with http.post(f"{app_url}/songs", json={"prompt": prompt}) as resp:
                ids.append((await resp.json())["task_id"])
        results = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + give_up_after
        for task_id in ids:
            while True:
                async with http.get(f"{app_url}/songs/{task_id}") as resp:
                    song = await resp.json()
                if song["stage"] in ("SUCCESS", "FAILED") or loop.time() > deadline:
                    break
                await asyncio.sleep(0.1)
            print(f"{task_id}: {song['stage']} {[t['title'] for t in song['tracks']]}")
            results.append(song)
    return results


async def demo(
    *, time_scale: float = 0.03, serve: bool = False, port: int = 0
) -> tuple[list[dict[str, Any]], WebhookReceiver, int]:
    """Sandbox + app on loopback + a scripted visit. Returns (songs, receiver, polls)."""
    from suno_async.sandbox import Sandbox

    # Bind first so the app knows its own URL (a deployed app knows its public URL).
    sock = socket.socket()
    sock.bind(("127.0.0.1", port))
    app_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    async with Sandbox(time_scale=time_scale, seed=11) as sb:
        app = make_app(api_key=sb.api_key, base_url=sb.url, public_url=app_url)
        runner = web.AppRunner(app)
        await runner.setup()
        try:
            await web.SockSite(runner, sock).start()
            print(f"app on {app_url}, API sandbox on {sb.url}")
            songs = await visit(app_url, ["sunrise over the harbour", "rainy night blues"])
            polls = sum(job.polls for job in app[CLIENT].jobs.values())
            if serve:
                print("serving; Ctrl-C to stop")
                await asyncio.Event().wait()
        finally:
            await runner.cleanup()
            sock.close()
    return songs, app[RECEIVER], polls


async def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="suno-async webhook app example")
    parser.add_argument("--serve", action="store_true")
    parser.add_argument("--live", action="store_true", help="real API (SUNO_API_KEY)")
    parser.add_argument("--public-url", help="with --live: the URL the API can reach")
    parser.add_argument("--hmac-key", help="with --live: your webhook HMAC key")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)
    if args.live:
        app = make_app(public_url=args.public_url, hmac_key=args.hmac_key)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "0.0.0.0", args.port).start()
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()
        return 0
    await demo(serve=args.serve, port=args.port if args.serve else 0)
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
