"""The store against the sandbox: three real processes work through one batch on one API
key, through the shared store (claim, shared rate slot, POST, record) — the sandbox
enforcing 8 creates per 0.5 s window sees no HTTP 429 and each request paid once.

The client is not wired to the store yet: the workers (``tests/_store_worker.py batch``)
do from outside exactly what the submitter will do inside.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from suno_async.sandbox import Sandbox
from suno_async.store import open_store

from ._redis import redis_server, redis_url  # noqa: F401
from ._reliability import no_leaks  # noqa: F401
from .test_store_shared import (  # noqa: F401
    kill_worker,
    record_figure,
    spawn_worker,
    spec,
    worker_line,
    worker_result,
    workers_ready,
)

pytestmark = pytest.mark.usefixtures("no_leaks")

GENERATE = "/api/v1/generate"
LIMIT, PER = 8, 0.5  # 20 jobs span two full windows (the clients' own limits are off)
WORKERS, JOBS = 3, 20


async def test_three_workers_share_one_batch_and_one_rate_budget(
    spec: str, tmp_path: Path  # noqa: F811
) -> None:
    async with Sandbox(time_scale=0.001, seed=11, poll_limit=None,
                       rate_limit=(LIMIT, PER)) as sb:
        start = tmp_path / "go"
        args = [str(start), sb.url, sb.api_key, str(JOBS), str(LIMIT), str(PER), "6"]
        procs = [spawn_worker("batch", spec, *args) for _ in range(WORKERS)]
        try:
            await workers_ready(procs)
            start.touch()
            results = [await worker_result(p, within=120) for p in procs]
        finally:
            for p in procs:
                kill_worker(p)
        sent = [row for r in results for row in r["sent"]]
        assert sorted(i for i, _, _ in sent) == list(range(JOBS))  # each request once
        assert sum(r["skipped"] for r in results) == (WORKERS - 1) * JOBS
        assert sb.stats.submissions[GENERATE] == JOBS  # 0 duplicate POSTs
        assert sb.stats.rate_limited == 0  # 0 HTTP 429
        assert len({t for _, t, _ in sent}) == JOBS
        began = sorted(b for _, _, b in sent)
        span = began[-1] - began[0]
        ideal = (-(-JOBS // LIMIT) - 1) * PER  # full windows the batch must span
        record_figure(
            f"shared_batch_{spec.split(':')[0]}",
            {"jobs": JOBS, "workers": WORKERS, "span_s": round(span, 3),
             "limit_used": round(ideal / span, 3) if span else None,
             "per_worker": json.dumps([len(r["sent"]) for r in results])},
        )


async def test_a_killed_workers_jobs_resolve_through_the_survivors(
    spec: str, tmp_path: Path  # noqa: F811
) -> None:
    """3 workers, one batch; one is frozen then SIGKILLed mid-batch with jobs running.
    The survivors take its leased jobs over; each request is paid once; every job ends."""
    import signal
    import time

    jobs, ttl = 16, 1.5
    # time_scale 0.01: a music job runs ~1.2-1.8 s, so the victim (frozen within
    # milliseconds of its third submission) dies with jobs unfinished.
    async with Sandbox(time_scale=0.01, seed=12, poll_limit=None, rate_limit=(LIMIT, PER)) as sb:
        go, later = tmp_path / "go", tmp_path / "go-survivors"
        common = [sb.url, sb.api_key, str(jobs), str(LIMIT), str(PER)]
        victim = spawn_worker("fleet", spec, str(go), *common, "1", str(ttl), "3")
        survivors = [
            spawn_worker("fleet", spec, str(later), *common, "4", str(ttl), "-1")
            for _ in range(2)
        ]
        try:
            await workers_ready([victim, *survivors])
            go.touch()  # the victim starts alone, so it surely submits its 3 jobs
            victim_tasks = []
            while True:
                line = await worker_line(victim, within=60)
                if "submitted" in line:
                    victim_tasks.append(line["submitted"])
                if line.get("frozen"):
                    break
            later.touch()  # the survivors start while the victim is frozen...
            victim.send_signal(signal.SIGKILL)  # ...and it dies with its jobs leased
            killed = time.time()
            await asyncio.to_thread(victim.wait, 10)
            results = [await worker_result(p, within=150) for p in survivors]
        finally:
            for p in [victim, *survivors]:
                kill_worker(p)
        assert len(victim_tasks) == 3
        assert sb.stats.submissions[GENERATE] == jobs  # each request paid once
        assert sb.stats.rate_limited == 0
        taken = {t: at for r in results for t, at in r["taken_over"]}
        unfinished_at_kill = [t for t in victim_tasks if t in taken]
        assert unfinished_at_kill, "the victim's jobs all finished before the kill"
        assert set(taken) <= set(victim_tasks)  # only the dead worker's jobs moved
        store = await open_store(spec, api_key=sb.api_key, api_host=sb.url)
        assert store is not None
        try:
            assert await store.unfinished() == []
            assert await store.in_doubt() == []
            for t in victim_tasks:
                state = await store.get_job(t)
                assert state is not None and state.final and state.status == "SUCCESS"
        finally:
            await store.aclose()
        record_figure(
            f"fleet_takeover_{spec.split(':')[0]}",
            {"lease_ttl_s": ttl, "taken_over": len(taken),
             "takeover_after_kill_s": sorted(round(at - killed, 3) for at in taken.values())},
        )
