"""The store against the sandbox: four real processes work through one batch on one API
key, through the shared store (claim, shared rate slot, POST, record) — the sandbox
enforcing 20 creates per (scaled) window sees no HTTP 429 and each request paid once.

The client is not wired to the store yet: the workers (``tests/_store_worker.py batch``)
do from outside exactly what the submitter will do inside.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from suno_async.sandbox import Sandbox

from ._redis import redis_server, redis_url  # noqa: F401
from ._reliability import no_leaks  # noqa: F401
from .test_store_shared import (  # noqa: F401
    kill_worker,
    record_figure,
    spawn_worker,
    spec,
    worker_result,
)

pytestmark = pytest.mark.usefixtures("no_leaks")

GENERATE = "/api/v1/generate"
LIMIT, PER = 20, 1.0  # the API's 20 per 10 s, scaled by 0.1
WORKERS, JOBS = 4, 50


async def test_four_workers_share_one_batch_and_one_rate_budget(
    spec: str, tmp_path: Path  # noqa: F811
) -> None:
    async with Sandbox(time_scale=0.001, seed=11, poll_limit=None,
                       rate_limit=(LIMIT, PER)) as sb:
        start = tmp_path / "go"
        args = [str(start), sb.url, sb.api_key, str(JOBS), str(LIMIT), str(PER), "6"]
        procs = [spawn_worker("batch", spec, *args) for _ in range(WORKERS)]
        try:
            await asyncio.sleep(1.0)
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
