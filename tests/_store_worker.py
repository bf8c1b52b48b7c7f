"""A worker process for the multi-process store tests: ``python -m tests._store_worker``.

``MODE SPEC ARGS...``; prints one JSON line with what it did. Modes:
claims (start-file, n-keys, seed), slots (start-file, count, limit, per),
lease (task-id, owner, ttl), listen (count), publish (count, pause).
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
    finally:
        await store.aclose()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:]))
