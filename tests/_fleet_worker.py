"""A worker process for the fleet tests: a real ``SunoClient(store=..., fleet=...)``.

``python -m tests._fleet_worker MODE SPEC URL API_KEY ARG GO``

* ``batch``: once the file ``GO`` exists, submit the requests ``song 0`` ..
  ``song ARG-1`` through ``generate_many`` (each request paid once in the fleet: a
  worker that comes second re-attaches to the first one's tasks), print
  ``{"submitted": [task ids], "owned": [...], "followed": [...]}``, wait for every job and
  print ``{"stages": {task id: stage}, "polls": {...}, "stats": {...}}``.
* ``serve``: serve a ``WebhookReceiver`` attached to the client; print ``{"base": url}``;
  run until the file ``GO`` exists; print the receiver's and the fleet's counters.
* ``await``: submit one request whose callbacks go to the fleet's route served at
  ``ARG`` (another process); wait for it by callbacks only (the safety-net poll is far
  off); print ``{"stage": ..., "polls": n, "stats": {...}}``.

Every worker first prints ``{"ready": true}``.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from typing import Any

from suno_async import FleetPolicy, PollPolicy, RetryPolicy, SunoClient, Timeouts
from suno_async.models import GenerateRequest
from suno_async.webhooks import WebhookReceiver

FLEET = FleetPolicy(lease_ttl=2.0, follow_interval=0.1, takeover_interval=0.2)
POLL = PollPolicy(initial=0.05, maximum=0.2, early_maximum=0.1, min_interval=0.0, max_wait=60.0,
                  webhook_interval=60.0)


def client(spec: str, url: str, key: str) -> SunoClient:
    return SunoClient(
        api_key=key, base_url=url, store=spec, fleet=FLEET, poll=POLL,
        retry=RetryPolicy(max_attempts=3, max_delay=0.2, base=0.02),
        timeouts=Timeouts(connect=5, read=10, total=20),
    )


def say(data: dict[str, Any]) -> None:
    print(json.dumps(data), flush=True)


async def wait_for(path: str) -> None:
    while not await asyncio.to_thread(os.path.exists, path):
        await asyncio.sleep(0.01)


async def batch(spec: str, url: str, key: str, count: str, go: str) -> None:
    await wait_for(go)
    async with client(spec, url, key) as c:
        assert c.fleet is not None
        items = await c.generate_many(
            [GenerateRequest(prompt=f"song {i}") for i in range(int(count))], concurrency=8
        )
        jobs = [i.job for i in items if i.job is not None]
        assert len(jobs) == len(items), [str(i.error) for i in items]
        await asyncio.sleep(0.3)  # adoption (lease or follow) is a store round trip away
        say({"submitted": [j.task_id for j in jobs], "owned": sorted(c.fleet.owned),
             "followed": sorted(c.fleet.followed)})
        await asyncio.gather(*(j.wait() for j in jobs), return_exceptions=True)
        say({"stages": {j.task_id: j.stage.name for j in jobs},
             "polls": {j.task_id: j.polls for j in jobs}, "stats": dict(c.fleet.stats)})


async def serve(spec: str, url: str, key: str, go: str) -> None:
    receiver = WebhookReceiver()
    async with client(spec, url, key) as c, receiver.serve() as base:
        receiver.attach(c)
        say({"base": base})
        await wait_for(go)
        assert c.fleet is not None
        say({"receiver": dict(receiver.stats), "stats": dict(c.fleet.stats)})


async def wait_by_callback(spec: str, url: str, key: str, base: str) -> None:
    async with client(spec, url, key) as c:
        WebhookReceiver(public_url=base).attach(c)  # not served here: the URL is another's
        job = await c.generate(prompt="resolved by another process's callback")
        await asyncio.wait_for(job.wait(), 30)
        assert c.fleet is not None
        say({"stage": job.stage.name, "polls": job.polls, "stats": dict(c.fleet.stats),
             "at": time.time()})


def main(argv: list[str]) -> None:
    mode, spec, url, key, arg, go = argv
    say({"ready": True})
    if mode == "batch":
        asyncio.run(batch(spec, url, key, arg, go))
    elif mode == "serve":
        asyncio.run(serve(spec, url, key, go))
    else:
        asyncio.run(wait_by_callback(spec, url, key, arg))


if __name__ == "__main__":
    main(sys.argv[1:])
