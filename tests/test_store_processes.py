"""Real processes, one API key, one store: ``SunoClient(store=...)`` end to end.

Three worker processes (``python -m tests._client_worker``) each submit a batch of 10
through ``generate_many`` against one sandbox enforcing 8 creates per 0.5 s: 4 requests
are the same in every worker, 6 are each worker's own, 22 distinct POSTs in all, so the
creates must span at least two full windows (each worker alone would send its 10 at once:
without the shared window the sandbox answers 429). The sandbox sees 0 HTTP 429 and
exactly one POST per distinct request; every worker gets the same task id for a shared
request.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from suno_async.sandbox import Sandbox

from ._redis import redis_server, redis_url  # noqa: F401
from ._reliability import no_leaks  # noqa: F401
from .test_store_shared import (  # noqa: F401
    kill_worker,
    record_figure,
    spec,
    worker_result,
    workers_ready,
)

pytestmark = pytest.mark.usefixtures("no_leaks")

ROOT = Path(__file__).resolve().parents[1]
GENERATE = "/api/v1/generate"
LIMIT, PER = 8, 0.5
WORKERS, COMMON, OWN = 3, 4, 6


def spawn(module: str, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.Popen(
        [sys.executable, "-m", module, *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


async def test_three_processes_one_key_no_429_no_duplicate_posts(
    spec: str, tmp_path: Path  # noqa: F811
) -> None:
    async with Sandbox(time_scale=0.001, seed=21, poll_limit=None,
                       rate_limit=(LIMIT, PER)) as sb:
        go = tmp_path / "go"
        procs = [
            spawn("tests._client_worker", spec, sb.url, sb.api_key, str(n), str(COMMON),
                  str(OWN), str(LIMIT), str(PER), str(go))
            for n in range(WORKERS)
        ]
        try:
            await workers_ready(procs)  # every interpreter is up
            go.touch()
            results: list[dict[str, Any]] = [await worker_result(p, within=120) for p in procs]
        finally:
            for p in procs:
                kill_worker(p)
        assert [r["errors"] for r in results] == [[]] * WORKERS
        distinct = COMMON + WORKERS * OWN
        assert sb.stats.rate_limited == 0  # 0 HTTP 429
        assert sb.stats.submissions[GENERATE] == distinct  # 0 duplicate POSTs
        sent = [row for r in results for row in r["sent"]]
        assert sorted(p for p, _, _ in sent) == sorted(
            [f"common {i}" for i in range(COMMON)]
            + [f"worker {n} #{i}" for n in range(WORKERS) for i in range(OWN)]
        )
        common_ids = {p: t for p, t, _ in sent if p.startswith("common")}
        for r in results:  # every worker ends up with the one task of a shared request
            for prompt, task_id in r["resumed"]:
                assert common_ids[prompt] == task_id
        assert sum(len(r["resumed"]) for r in results) == (WORKERS - 1) * COMMON
        times = sorted(t for _, _, t in sent)
        span = times[-1] - times[0]
        ideal = (-(-distinct // LIMIT) - 1) * PER  # full windows the creates must span
        record_figure(
            f"client_processes_{spec.split(':')[0]}",
            {"posts": distinct, "workers": WORKERS, "span_s": round(span, 3),
             "limit_used": round(ideal / span, 3) if span else None,
             "per_worker_sent": json.dumps([len(r["sent"]) for r in results])},
        )
