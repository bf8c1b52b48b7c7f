"""A worker process for the fleet benchmark: ``python -m benchmarks._fleet_worker MODE JSON``.

Each mode runs a real :class:`~suno_async.SunoClient` (``store=`` the spec it is given)
against the parent's sandbox and prints JSON lines on stdout; the last one is the result.
The worker waits for the file ``go`` (every worker starts together) when one is given.

``batch``: submit ``common`` requests every worker shares (identical bodies: one POST in
all) and ``own`` of its own through ``generate_many``, under the client rate limit
``limit`` per ``per`` s; wait for every job; report what it sent (prompt, task id, epoch
seconds), what it re-attached, the errors and its own CPU seconds.
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


def wait_for(path: str | None) -> None:
    """Block until ``path`` exists (every worker starts together)."""
    while path and not os.path.exists(path):
        time.sleep(0.005)


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


MODES = {"batch": batch}


def main(argv: list[str]) -> int:
    mode, raw = argv
    opts = json.loads(raw)
    result = asyncio.run(MODES[mode](opts))
    out(result=result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
