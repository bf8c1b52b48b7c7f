"""A worker process for the fleet benchmark: ``python -m benchmarks._fleet_worker MODE JSON``.

Each mode runs a real :class:`~suno_async.SunoClient` (``store=`` the spec it is given)
against the parent's sandbox and prints JSON lines on stdout; the last one is the result.
The worker waits for the file ``go`` (every worker starts together) when one is given.

``batch``: submit ``common`` requests every worker shares (identical bodies: one POST in
all) and ``own`` of its own through ``generate_many``, under the client rate limit
``limit`` per ``per`` s; wait for every job; report what it sent (prompt, task id, epoch
seconds), what it re-attached, the errors and its own CPU seconds.

``receive`` (process A): a fleet client with a :class:`~suno_async.webhooks.WebhookReceiver`
attached, behind a minimal aiohttp route that hands each request to
``receiver.handle_raw`` (the path every framework uses) and notes when the receiver
accepted it (``time.time()`` once it answered 200); prints ``{"ready", "base"}``, then
serves until its stdin closes and reports every accepted callback (task id, type, time).

``await`` (process B): a fleet client whose tasks carry A's callback URL (a receiver
with ``public_url`` = A's base URL, read from the ``go`` file, attached, as every worker
behind one load balancer does) submits ``jobs`` tasks and notes when each job reached
each stage; polling is a safety net far beyond the run, so B's stages come from A's
callbacks through the store.

``share`` (the takeover part): the same batch of ``count`` requests in every worker
(claims split it), a fleet client with the lease ``lease_ttl``; prints a line per task
it sent as soon as it is sent, then waits for every job and reports when each one
resolved here and how.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from typing import Any

from suno_async import PollPolicy, RateLimit, SunoClient, Timeouts
from suno_async.batch import BatchItem
from suno_async.models import GenerateRequest


def out(**data: Any) -> None:
    """One JSON line on stdout (the parent reads them as they come)."""
    print(json.dumps(data), flush=True)


def wait_for(path: str | None) -> str:
    """Block until ``path`` exists (every worker starts together); its text."""
    if not path:
        return ""
    while not os.path.exists(path):
        time.sleep(0.005)
    with open(path, encoding="utf-8") as f:
        return f.read().strip()


def fast_poll(max_wait: float = 300.0) -> PollPolicy:
    """Polling for a sandbox whose timeline is compressed (tasks end within seconds)."""
    return PollPolicy(initial=0.05, maximum=0.25, early_maximum=0.1, min_interval=0.0,
                      max_wait=max_wait)


async def batch(opts: dict[str, Any]) -> dict[str, Any]:
    worker = opts["worker"]
    requests = [GenerateRequest(prompt=f"common {i}") for i in range(opts["common"])]
    requests += [GenerateRequest(prompt=f"worker {worker} #{i}") for i in range(opts["own"])]
    sent: list[list[Any]] = []

    def on_item(item: BatchItem) -> None:
        if item.job is not None and not item.resumed:
            sent.append([item.request.to_wire()["prompt"], item.job.task_id, time.time()])

    cpu0 = time.process_time()
    async with SunoClient(
        api_key=opts["api_key"],
        base_url=opts["url"],
        store=opts["store"],
        rate_limit=RateLimit(creates=opts["limit"], per_seconds=opts["per"], max_wait=600),
        poll=fast_poll(),
        timeouts=Timeouts(connect=5, read=15, total=30),
    ) as client:
        out(ready=True)
        wait_for(opts.get("go"))
        began = time.time()
        items = await client.generate_many(requests, concurrency=len(requests), on_item=on_item)
        submitted = time.time()
        results = await asyncio.gather(
            *(i.job.wait() for i in items if i.job is not None), return_exceptions=True
        )
    return {
        "worker": worker,
        "began": began,
        "submitted": submitted,
        "ended": time.time(),
        "cpu": time.process_time() - cpu0,
        "sent": sent,
        "resumed": [
            [i.request.to_wire()["prompt"], i.job.task_id]
            for i in items
            if i.job is not None and i.resumed
        ],
        "errors": [f"{type(i.error).__name__}: {i.error}" for i in items if i.error]
        + [f"{type(r).__name__}: {r}" for r in results if isinstance(r, BaseException)],
    }


def fleet_policy(opts: dict[str, Any]) -> Any:
    from suno_async import FleetPolicy  # the fleet (leases, callback routing) of issue 14

    fields = ("lease_ttl", "follow_interval", "takeover_interval")
    return FleetPolicy(**{k: opts[k] for k in fields if opts.get(k) is not None})


#: Callback types -> the stage they report.
CALLBACK_STAGES = {"text": "TEXT_SUCCESS", "first": "FIRST_SUCCESS", "complete": "SUCCESS"}


def callback_of(body: bytes) -> tuple[str, str]:
    """(task id, callback type) of a callback body, for the log only."""
    try:
        data = json.loads(body).get("data") or {}
        return str(data.get("task_id") or data.get("taskId") or ""), str(
            data.get("callbackType") or "")
    except (ValueError, AttributeError):
        return "", ""


async def receive(opts: dict[str, Any]) -> dict[str, Any]:
    from aiohttp import web

    from suno_async.webhooks import WebhookReceiver

    accepted: list[list[Any]] = []
    refused: dict[str, int] = {}
    async with SunoClient(
        api_key=opts["api_key"], base_url=opts["url"], store=opts["store"],
        fleet=fleet_policy(opts), poll=fast_poll(),
    ) as client:
        receiver = WebhookReceiver()

        async def route(request: web.Request) -> web.StreamResponse:
            body = await request.read()
            reply = await receiver.handle_raw(
                request.method, request.path, request.query_string, request.headers, body
            )
            at = time.time()  # the receiver has accepted (or refused) the callback
            if reply.status == 200:
                accepted.append([*callback_of(body), at])
            else:
                refused[str(reply.status)] = refused.get(str(reply.status), 0) + 1
            return web.Response(status=reply.status, body=reply.body,
                                headers=dict(reply.headers))

        app = web.Application()
        app.router.add_post(receiver.route, route)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        base = f"http://127.0.0.1:{port}"
        receiver.public_url = base
        receiver.attach(client)
        try:
            out(ready=True, base=base)
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        finally:
            receiver.detach(client)
            await runner.cleanup()
        stats = dict(client.fleet.stats) if client.fleet is not None else {}
    return {"accepted": accepted, "refused": refused, "fleet": stats,
            "receiver": dict(receiver.stats)}


async def await_jobs(opts: dict[str, Any]) -> dict[str, Any]:
    from suno_async import Stage
    from suno_async.webhooks import WebhookReceiver

    safety_net = PollPolicy(initial=0.05, maximum=0.25, early_maximum=0.1, min_interval=0.0,
                            max_wait=300.0, webhook_interval=3600.0)
    reached: dict[str, dict[str, float]] = {}
    polls: dict[str, int] = {}
    errors: list[str] = []
    async with SunoClient(
        api_key=opts["api_key"], base_url=opts["url"], store=opts["store"],
        fleet=fleet_policy(opts), poll=safety_net,
    ) as client:
        out(ready=True)
        base = wait_for(opts["go"])  # it holds A's base URL: the fleet's public URL
        elsewhere = WebhookReceiver(public_url=base)
        elsewhere.attach(client)

        async def stage_times(job: Any) -> None:
            seen = reached.setdefault(job.task_id, {})

            async def one(stage: Stage) -> None:
                await job.wait(stage)
                seen[stage.name] = time.time()

            try:
                await asyncio.gather(*(one(Stage[s]) for s in CALLBACK_STAGES.values()))
            except Exception as exc:  # reported; the run goes on
                errors.append(f"{type(exc).__name__}: {exc}")
            polls[job.task_id] = job.polls

        waits = []
        for i in range(opts["jobs"]):
            job = await client.generate(prompt=f"callback routing {i}", instrumental=True)
            waits.append(asyncio.ensure_future(stage_times(job)))
            await asyncio.sleep(opts.get("spacing", 0.0))
        await asyncio.gather(*waits)
        elsewhere.detach(client)
        stats = dict(client.fleet.stats) if client.fleet is not None else {}
    return {"reached": reached, "polls": polls, "errors": errors, "fleet": stats}


async def share(opts: dict[str, Any]) -> dict[str, Any]:
    from suno_async.errors import SunoError

    requests = [GenerateRequest(prompt=f"shared batch {i}") for i in range(opts["count"])]
    resolved: dict[str, list[Any]] = {}
    errors: list[str] = []

    attached: dict[str, float] = {}
    settling: list[asyncio.Future[None]] = []

    async def settle(job: Any) -> None:
        try:
            await job
            ok = True
        except SunoError as exc:
            ok = False
            errors.append(f"{job.task_id}: {type(exc).__name__}: {exc}")
        resolved[job.task_id] = [time.time(), ok, job.polls]

    def on_item(item: BatchItem) -> None:
        if item.job is None:
            return
        if item.resumed:  # another worker's task: re-attached here
            attached[item.job.task_id] = time.time()
        else:
            out(sent=item.job.task_id, at=time.time())
        settling.append(asyncio.ensure_future(settle(item.job)))  # awaited from now on

    async with SunoClient(
        api_key=opts["api_key"], base_url=opts["url"], store=opts["store"],
        fleet=fleet_policy(opts), poll=fast_poll(),
        rate_limit=RateLimit(creates=opts["limit"], per_seconds=opts["per"], max_wait=600),
        timeouts=Timeouts(connect=5, read=15, total=30),
    ) as client:
        out(ready=True)
        wait_for(opts.get("go"))
        items = await client.generate_many(requests, concurrency=len(requests), on_item=on_item)
        out(submitted=True)
        await asyncio.gather(*settling)
        stats = dict(client.fleet.stats) if client.fleet is not None else {}
    return {
        "resolved": resolved,
        "attached": attached,
        "errors": errors + [f"item {i.index}: {type(i.error).__name__}: {i.error}"
                            for i in items if i.error is not None],
        "fleet": stats,
    }


MODES = {"batch": batch, "receive": receive, "await": await_jobs, "share": share}


def main(argv: list[str]) -> int:
    mode, raw = argv
    opts = json.loads(raw)
    result = asyncio.run(MODES[mode](opts))
    out(result=result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
