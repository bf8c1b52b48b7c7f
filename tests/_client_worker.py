"""A worker process for the multi-process client tests: a real ``SunoClient(store=...)``.

``python -m tests._client_worker SPEC URL API_KEY WORKER COMMON OWN LIMIT PER GO``

Waits for the file ``GO`` (so every worker starts together), then submits one batch
through ``generate_many``: ``COMMON`` requests every worker shares (identical bodies:
one POST in all) and ``OWN`` of its own, with the client rate limit ``LIMIT`` per
``PER`` s drawn from the store; waits for every job and prints one JSON line (after a
first ``{"ready": true}`` line once its interpreter is up):
``{"sent": [[prompt, task_id, epoch_s]], "resumed": [[prompt, task_id]], "errors": [...]}``.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from typing import Any

from suno_async import PollPolicy, RateLimit, RetryPolicy, SunoClient, Timeouts
from suno_async.batch import BatchItem
from suno_async.models import GenerateRequest


async def main(argv: list[str]) -> dict[str, Any]:
    spec, url, key, worker, common, own, limit, per, _go = argv
    requests = [GenerateRequest(prompt=f"common {i}") for i in range(int(common))]
    requests += [GenerateRequest(prompt=f"worker {worker} #{i}") for i in range(int(own))]
    sent: list[list[Any]] = []

    def on_item(item: BatchItem) -> None:
        if item.job is not None and not item.resumed:
            sent.append([item.request.to_wire()["prompt"], item.job.task_id, time.time()])

    async with SunoClient(
        api_key=key,
        base_url=url,
        store=spec,
        rate_limit=RateLimit(creates=int(limit), per_seconds=float(per), max_wait=60),
        retry=RetryPolicy(max_attempts=1),  # a 429 must surface, not be retried away
        poll=PollPolicy(initial=0.05, maximum=0.2, early_maximum=0.1, min_interval=0,
                        max_wait=120),
        timeouts=Timeouts(connect=5, read=10, total=20),
    ) as client:
        items = await client.generate_many(requests, concurrency=len(requests), on_item=on_item)
        await asyncio.gather(*(i.job.wait() for i in items if i.job is not None))
    return {
        "sent": sent,
        "resumed": [
            [i.request.to_wire()["prompt"], i.job.task_id] for i in items
            if i.job is not None and i.resumed
        ],
        "errors": [f"{type(i.error).__name__}: {i.error}" for i in items if i.error],
    }


def wait_for(path: str) -> None:
    """Say ``{"ready": true}``, then block until ``path`` exists (every worker starts
    together)."""
    print(json.dumps({"ready": True}), flush=True)
    while not os.path.exists(path):
        time.sleep(0.01)


if __name__ == "__main__":
    wait_for(sys.argv[-1])
    print(json.dumps(asyncio.run(main(sys.argv[1:]))), flush=True)
