"""The fleet with real processes (``python -m tests._fleet_worker``), one key, one store.

* SIGKILL the owner of every job of a batch while the jobs run: the two survivors, which
  re-attached to the same batch (each request paid once), take the dead owner's jobs
  over when its leases lapse and every job resolves in both.
* A callback received by one process (its receiver served) resolves the job awaited in
  another, with no poll.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from suno_async.sandbox import Sandbox

from ._redis import redis_server, redis_url  # noqa: F401
from ._reliability import no_leaks  # noqa: F401
from .test_store_processes import spawn
from .test_store_shared import kill_worker, spec, worker_line, workers_ready  # noqa: F401

pytestmark = pytest.mark.usefixtures("no_leaks")

GENERATE = "/api/v1/generate"
JOBS = 6


async def test_survivors_take_over_a_killed_owners_jobs(spec: str, tmp_path: Path) -> None:  # noqa: F811
    # ~5 s per song: the owner dies while every job still runs
    async with Sandbox(time_scale=0.03, seed=5, poll_limit=None, rate_limit=(100, 1.0)) as sb:
        first, rest = tmp_path / "go-first", tmp_path / "go-rest"
        procs = [
            spawn("tests._fleet_worker", "batch", spec, sb.url, sb.api_key, str(JOBS),
                  str(first if n == 0 else rest))
            for n in range(3)
        ]
        try:
            await workers_ready(procs)
            first.touch()
            owner = await worker_line(procs[0], 60)
            assert sorted(owner["owned"]) == sorted(owner["submitted"])  # it polls them all
            rest.touch()
            survivors = [await worker_line(p, 60) for p in procs[1:]]
            for s in survivors:  # re-attached to the same tasks, following the owner
                assert s["submitted"] == owner["submitted"] and s["owned"] == []
            assert any(sb.status(t) != "SUCCESS" for t in owner["submitted"])
            kill_worker(procs[0])  # SIGKILL
            ends: list[dict[str, Any]] = [await worker_line(p, 90) for p in procs[1:]]
        finally:
            for p in procs:
                kill_worker(p)
        assert sb.stats.submissions[GENERATE] == JOBS  # each request paid once
        for end in ends:
            assert set(end["stages"].values()) == {"SUCCESS"}, end
        # each dead owner's job was taken over (once per lapse; never by both at once)
        assert sum(e["stats"].get("takeovers", 0) for e in ends) >= JOBS
        for task_id in owner["submitted"]:  # somebody polled it after the kill
            assert sum(e["polls"][task_id] for e in ends) >= 1


async def test_a_callback_received_by_one_process_resolves_a_job_in_another(
    spec: str, tmp_path: Path  # noqa: F811
) -> None:
    async with Sandbox(time_scale=0.001, seed=6, poll_limit=None, rate_limit=(100, 1.0)) as sb:
        stop = tmp_path / "stop"
        server = spawn("tests._fleet_worker", "serve", spec, sb.url, sb.api_key, "-", str(stop))
        waiter = None
        try:
            await workers_ready([server])
            base = (await worker_line(server, 60))["base"]
            waiter = spawn("tests._fleet_worker", "await", spec, sb.url, sb.api_key, base, "-")
            await workers_ready([waiter])
            done = await worker_line(waiter, 60)
            stop.touch()
            served = await worker_line(server, 30)
        finally:
            kill_worker(server)
            if waiter is not None:
                kill_worker(waiter)
        assert done["stage"] == "SUCCESS"
        assert done["polls"] == 0  # resolved by the callback another process received
        assert done["stats"].get("routed_in", 0) >= 1
        assert served["receiver"].get("routed", 0) >= 1
        assert served["receiver"].get("rejected:unknown task id", 0) == 0
