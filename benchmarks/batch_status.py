"""Cost of one whole-batch progress read (``client.batch_progress``) as the store grows.

Run: ``PYTHONPATH=. python -m benchmarks.batch_status [--rows 10000] [--lines 100]
[--running 16] [--rounds 5]``.

A store (SQLite, then a throw-away ``redis-server`` when one is installed) is filled
with ``--rows`` submitted tasks of earlier runs of the account, plus a batch of
``--lines`` requests of which half were sent (``--running`` still running, the rest
finished); then ``progress_of(store, batch)`` -- what ``client.batch_progress`` and the
CLI's whole-batch row do every ``BATCH_PROGRESS_INTERVAL`` -- is timed ``--rounds``
times: min / median / max milliseconds per read. Nothing here is a test assertion;
nothing reaches the network (loopback Redis only).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from suno_async import GenerateRequest
from suno_async.batch import progress_of, request_keys
from suno_async.store import RedisStore, SQLiteStore, Store, account_key

from ._redis import RedisServer, redis_server_binary

PATH = "/api/v1/generate"
ACCOUNT = account_key("sk-bench", "http://127.0.0.1:9")


async def fill(store: Store, rows: int, batch: list[GenerateRequest], running: int) -> None:
    """Earlier tasks of the account, then half the batch sent (``running`` unfinished)."""
    for i in range(rows):
        body = {"prompt": f"old {i}"}
        key = f"old-{i}"
        await store.claim("music", PATH, key, body)
        await store.record_submitted(f"old-task-{i}", "music", PATH, key, body)
        await store.record_outcome(f"old-task-{i}", "SUCCESS", True)
    for n, (request, key) in enumerate(zip(batch, request_keys(batch), strict=True)):
        if n >= len(batch) // 2:
            break
        body = request.to_wire()
        await store.claim("music", PATH, key, body)
        await store.record_submitted(f"task-{n}", "music", PATH, key, body)
        if n < running:
            await store.put_job(f"task-{n}", "music", stage="FIRST_SUCCESS", record="{}")
        else:
            await store.record_outcome(f"task-{n}", "SUCCESS", True)


async def measure(store: Store, args: argparse.Namespace) -> dict[str, object]:
    batch = [GenerateRequest(prompt=f"line {i}") for i in range(args.lines)]
    await store.open()
    try:
        started = time.perf_counter()
        await fill(store, args.rows, batch, args.running)
        filled = time.perf_counter() - started
        times: list[float] = []
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            progress = await progress_of(store, batch)
            times.append((time.perf_counter() - t0) * 1000)
        assert progress.running == args.running, progress  # the read saw what was written
    finally:
        await store.aclose()
    return {
        "rows": args.rows, "lines": args.lines, "running": args.running,
        "fill_seconds": round(filled, 2), "progress": str(progress),
        "read_ms_min": round(min(times), 2), "read_ms_median": round(statistics.median(times), 2),
        "read_ms_max": round(max(times), 2),
    }


async def main(argv: Sequence[str] | None = None) -> list[dict[str, object]]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.batch_status")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=100)
    parser.add_argument("--running", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    results: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = SQLiteStore(Path(tmp) / "s.sqlite3", account=ACCOUNT)
        results.append({"store": "sqlite", **await measure(sqlite, args)})
    if redis_server_binary() is not None:
        with RedisServer() as server:
            redis = RedisStore(server.url, account=ACCOUNT)
            results.append({"store": "redis", **await measure(redis, args)})
    for row in results:
        print(json.dumps(row))
    return results


if __name__ == "__main__":
    asyncio.run(main())
