"""A worker process for the multi-process store tests: ``python -m tests._store_worker``.

``MODE SPEC ARGS...``; prints one JSON line with what it did. Modes:
claims (start-file, n-keys, seed), slots (start-file, count, limit, per),
lease (task-id, owner, ttl), listen (count), publish (count, pause),
batch (start-file, base-url, api-key, count, limit, per, concurrency): the wiring the client
will do, from outside — claim, take a shared rate slot, POST through a real SunoClient,
finish the slot at the reply, record the task id;
fleet (start-file, base-url, api-key, count, limit, per, concurrency, ttl, freeze-after):
batch plus the job registry — each submitted job is leased and polled by its submitter, a
heartbeat renews the leases, a sweeper takes over orphans (a dead worker's jobs); with
freeze-after >= 0 the worker freezes (stops its loop, no POST in flight) after that many
submissions so the test can SIGKILL it;
cost (count): seconds per store operation, for the closing note's figures.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import time
from typing import Any

from suno_async.store import open_store

API_KEY = "sk-test-shared"
API_HOST = "sandbox.local"


def out(**data: Any) -> None:
    print(json.dumps(data), flush=True)


def wait_for(path: str) -> None:
    """Say ``{"ready": true}`` (warmed up), then block until ``path`` exists."""
    out(ready=True)
    while not os.path.exists(path):
        time.sleep(0.001)


async def main(mode: str, spec: str, *args: str) -> None:
    store = await open_store(spec, api_key=API_KEY, api_host=API_HOST)
    assert store is not None
    try:
        if mode == "claims":
            start, count, seed = args[0], int(args[1]), int(args[2])
            keys = [f"key-{i}" for i in range(count)]
            random.Random(seed).shuffle(keys)
            await store.find("warm-up")
            wait_for(start)
            won = []
            for key in keys:
                if await store.claim("music", "/api/v1/generate", key, {"k": key}) is None:
                    won.append(key)
            out(won=won)
        elif mode == "slots":
            start, count, limit, per = args[0], int(args[1]), int(args[2]), float(args[3])
            await store.find("warm-up")
            wait_for(start)
            taken: list[float] = []
            while len(taken) < count:
                wait = await store.acquire_create_slot(limit, per)
                if wait == 0.0:
                    taken.append(time.time())
                else:
                    await asyncio.sleep(wait)
            out(taken=taken)
        elif mode == "lease":
            task_id, owner, ttl = args[0], args[1], float(args[2])
            await store.put_job(task_id, "music", stage="PENDING")
            assert await store.try_acquire(task_id, owner, ttl)
            out(held=True)
            while True:  # heartbeat until killed
                await asyncio.sleep(ttl / 5)
                await store.renew(owner, ttl)
        elif mode == "listen":
            count = int(args[0])
            seen: list[list[Any]] = []
            async with store.subscribe() as feed:
                out(ready=True)
                async for callback in feed:
                    body = json.loads(callback.body)
                    seen.append([callback.task_id, body["n"], time.time() - body["sent"]])
                    if len(seen) == count:
                        break
            out(seen=seen)
        elif mode == "publish":
            count, pause = int(args[0]), float(args[1])
            for n in range(count):
                body = json.dumps({"n": n, "sent": time.time()})
                await store.publish(f"task-{n}", body)
                await asyncio.sleep(pause)
            out(published=count)
        elif mode == "cost":
            out(**await _cost(store, int(args[0])))
    finally:
        await store.aclose()


async def batch(spec: str, *args: str) -> None:
    from suno_async import RateLimit, RetryPolicy, SunoClient

    start, base_url, api_key = args[0], args[1], args[2]
    count, limit, per, concurrency = int(args[3]), int(args[4]), float(args[5]), int(args[6])
    store = await open_store(spec, api_key=api_key, api_host=base_url)
    assert store is not None
    order = list(range(count))
    random.Random(os.getpid()).shuffle(order)
    sent: list[list[Any]] = []
    skipped = 0
    gate = asyncio.Semaphore(concurrency)
    try:
        async with SunoClient(
            api_key=api_key, base_url=base_url,
            rate_limit=RateLimit(creates=100_000, per_seconds=1.0),
            retry=RetryPolicy(max_attempts=3, max_delay=0.05, base=0.01),
        ) as client:
            await store.find("warm-up")
            wait_for(start)

            async def one(i: int) -> None:
                nonlocal skipped
                body = {"prompt": f"shared batch {i}"}
                async with gate:
                    key = f"request-{i}"
                    if await store.claim("music", "/api/v1/generate", key, body) is not None:
                        skipped += 1
                        return
                    slot = f"{os.getpid()}-{i}"
                    while (wait := await store.acquire_create_slot(limit, per, slot_id=slot)) > 0:
                        await asyncio.sleep(wait)
                    began = time.time()
                    job = await client.generate(prompt=body["prompt"])
                    await store.finish_create_slot(slot)
                    await store.record_submitted(job.task_id, "music", "/api/v1/generate",
                                                 key, body)
                    sent.append([i, job.task_id, began])

            await asyncio.gather(*(one(i) for i in order))
    finally:
        await store.aclose()
    out(sent=sent, skipped=skipped)


async def fleet(spec: str, *args: str) -> None:
    from suno_async import PollPolicy, RateLimit, RetryPolicy, SunoClient
    from suno_async.errors import SunoError

    start, base_url, api_key = args[0], args[1], args[2]
    count, limit, per, concurrency = int(args[3]), int(args[4]), float(args[5]), int(args[6])
    ttl, freeze_after = float(args[7]), int(args[8])
    store = await open_store(spec, api_key=api_key, api_host=base_url)
    assert store is not None
    owner = store.owner_id
    order = list(range(count))
    random.Random(os.getpid()).shuffle(order)
    gate = asyncio.Semaphore(concurrency)
    submitted = 0
    taken_over: list[list[Any]] = []
    watchers: set[asyncio.Task[None]] = set()
    poll = PollPolicy(initial=0.05, maximum=0.2, early_maximum=0.1, min_interval=0.0,
                      max_wait=60.0)
    try:
        async with SunoClient(
            api_key=api_key, base_url=base_url, poll=poll,
            rate_limit=RateLimit(creates=100_000, per_seconds=1.0),
            retry=RetryPolicy(max_attempts=3, max_delay=0.05, base=0.01),
        ) as client:

            async def watch(task_id: str) -> None:
                job = client.track(task_id, "music")
                try:
                    await job
                    ok = True
                except SunoError:
                    ok = False
                await store.put_job(task_id, "music", stage=job.stage.name, status=job.status,
                                    final=True)
                await store.record_outcome(task_id, job.status, ok)

            def start_watch(task_id: str) -> None:
                task = asyncio.ensure_future(watch(task_id))
                watchers.add(task)
                task.add_done_callback(watchers.discard)

            async def heartbeat() -> None:
                while True:
                    await asyncio.sleep(ttl / 4)
                    await store.renew(owner, ttl)

            async def sweep() -> None:
                while True:
                    for task_id in await store.orphans():
                        if await store.try_acquire(task_id, owner, ttl):
                            taken_over.append([task_id, time.time()])
                            start_watch(task_id)
                    await asyncio.sleep(ttl / 4)

            async def one(i: int) -> None:
                nonlocal submitted
                body = {"prompt": f"fleet batch {i}"}
                key = f"request-{i}"
                async with gate:
                    if await store.claim("music", "/api/v1/generate", key, body) is not None:
                        return
                    slot = f"{owner}-{i}"
                    while (wait := await store.acquire_create_slot(limit, per, slot_id=slot)) > 0:
                        await asyncio.sleep(wait)
                    job = await client.generate(prompt=body["prompt"])
                    await store.finish_create_slot(slot)
                    await store.record_submitted(job.task_id, "music", "/api/v1/generate",
                                                 key, body)
                    await store.put_job(job.task_id, "music", stage="PENDING")
                    assert await store.try_acquire(job.task_id, owner, ttl)
                    start_watch(job.task_id)
                    submitted += 1
                    out(submitted=job.task_id)
                    if submitted == freeze_after:
                        out(frozen=True)
                        time.sleep(600)  # noqa: ASYNC251 -- freeze the loop: no heartbeat

            async def finished() -> bool:
                for i in range(count):
                    entry = await store.find(f"request-{i}")
                    if entry is None or entry.placeholder or entry.ok is None:
                        return False
                return True

            await store.find("warm-up")
            wait_for(start)
            background = [asyncio.ensure_future(heartbeat()), asyncio.ensure_future(sweep())]
            try:
                await asyncio.gather(*(one(i) for i in order))
                async with asyncio.timeout(90):
                    while not await finished():
                        await asyncio.sleep(0.1)
            finally:
                for task in [*background, *watchers]:
                    task.cancel()
                await asyncio.gather(*background, *watchers, return_exceptions=True)
    finally:
        await store.aclose()
    out(done=True, taken_over=taken_over)


async def _cost(store: Any, count: int) -> dict[str, float]:
    """Mean seconds per claim+record_submitted, per slot, per put_job, per get_job."""
    figures: dict[str, float] = {}
    began = time.perf_counter()
    for i in range(count):
        await store.claim("music", "/api/v1/generate", f"cost-{i}", {"prompt": "p"})
        await store.record_submitted(f"t-{i}", "music", "/api/v1/generate", f"cost-{i}",
                                     {"prompt": "p"})
    figures["submission"] = (time.perf_counter() - began) / count
    began = time.perf_counter()
    for _ in range(count):
        await store.acquire_create_slot(1_000_000, 10.0)
    figures["rate_slot"] = (time.perf_counter() - began) / count
    began = time.perf_counter()
    for i in range(count):
        await store.put_job(f"t-{i}", "music", stage="TEXT_SUCCESS", record='{"x": 1}')
    figures["poll_put_job"] = (time.perf_counter() - began) / count
    began = time.perf_counter()
    for i in range(count):
        await store.get_job(f"t-{i}")
    figures["get_job"] = (time.perf_counter() - began) / count
    return figures


if __name__ == "__main__":
    if sys.argv[1] == "batch":
        asyncio.run(batch(*sys.argv[2:]))
    elif sys.argv[1] == "fleet":
        asyncio.run(fleet(*sys.argv[2:]))
    else:
        asyncio.run(main(*sys.argv[1:]))
