"""Scenario 5: 1,000 and 10,000 concurrently tracked jobs in one process.

Each size runs in a fresh child process (clean memory figures) against a sandbox in
another child process (its tasks never count against the client's memory). The
worker submits every job through ``client.generate`` (a client rate limit that
allows it; the sandbox's creation limit is off), waits for all of them, and reports:
jobs resolved, peak tracked at once, peak RSS growth over the idle client (VmHWM
after resetting it through ``/proc/self/clear_refs`` where allowed), client CPU per
poll while tracking, and scheduler lag (how late polls fired vs their due time).

The sandbox timeline is compressed by ``scale`` and the default poll policy scaled
with it, so the poll rate the client must sustain is ``1/scale`` times what the same
number of jobs needs against the real API.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import resource
import sys
import time
from collections import Counter
from typing import Any

from suno_async import RateLimit, Stage, SunoClient, Timeouts
from suno_async.jobs.job import Job

from ._common import Row, row, scaled_policy
from ._sandbox_proc import ROOT, SandboxProcess

SCENARIO = "5 scale"
SUBMIT_CONCURRENCY = 64


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False when not possible."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _rss_kb() -> int:
    value = _status_kb("VmRSS")
    if value is not None:
        return value
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


async def _worker(url: str, api_key: str, jobs: int, scale: float) -> dict[str, Any]:
    policy = scaled_policy(scale)
    limit = RateLimit(creates=jobs * 2, per_seconds=1.0, max_wait=600.0)
    loop = asyncio.get_running_loop()
    async with SunoClient(
        api_key=api_key,
        base_url=url,
        poll=policy,
        rate_limit=limit,
        timeouts=Timeouts(connect=10.0, read=60.0, total=120.0),
    ) as client:
        await client.get_credits()  # session and connection pool exist
        gc.collect()
        baseline = _rss_kb()
        reset = _reset_peak()
        poller = client._poller
        slots = asyncio.Semaphore(SUBMIT_CONCURRENCY)
        outcomes: Counter[str] = Counter()
        all_done = asyncio.Event()
        # Like a batch that hands each result on: the harness keeps no job handles.
        peak = {"rss": baseline, "rss_tracked": baseline, "tracked": 0}

        def settled(job: Job[Any]) -> None:
            ok = job.stage is Stage.SUCCESS
            outcomes["SUCCESS" if ok else type(job.error).__name__] += 1
            if sum(outcomes.values()) >= jobs:
                all_done.set()

        async def submit(i: int) -> None:
            async with slots:
                try:
                    job = await client.generate(prompt=f"scale {i}", instrumental=True)
                except Exception as exc:
                    outcomes[f"submit {type(exc).__name__}"] += 1
                    if sum(outcomes.values()) >= jobs:
                        all_done.set()
                    return
            job.add_done_callback(settled)

        async def sample() -> None:
            while True:
                rss, tracked = _rss_kb(), poller.tracked
                peak["rss"] = max(peak["rss"], rss)
                peak["tracked"] = max(peak["tracked"], tracked)
                if tracked >= jobs:
                    peak["rss_tracked"] = max(peak["rss_tracked"], rss)
                await asyncio.sleep(0.1)

        sampler = loop.create_task(sample())
        t0, cpu0 = loop.time(), time.process_time()
        await asyncio.gather(*(submit(i) for i in range(jobs)))
        t1, cpu1, polls1 = loop.time(), time.process_time(), poller.polls
        await asyncio.wait_for(all_done.wait(), policy.max_wait + 60)
        t2, cpu2 = loop.time(), time.process_time()
        sampler.cancel()
        end_rss = _rss_kb()
        hwm = _status_kb("VmHWM") if reset else None
        peak_kb = max(peak["rss"], end_rss, hwm or 0)
        polls = poller.polls
        return {
            "jobs": jobs,
            "scale": scale,
            "resolved": outcomes.get("SUCCESS", 0),
            "outcomes": dict(outcomes),
            "peak_tracked": peak["tracked"],
            "baseline_rss_mb": baseline / 1024,
            "peak_rss_growth_mb": (peak_kb - baseline) / 1024,
            "tracked_rss_growth_mb": (peak["rss_tracked"] - baseline) / 1024,
            "end_rss_growth_mb": (end_rss - baseline) / 1024,
            "jobs_retained_by_client": len(client.jobs),
            "hwm_reset": reset,
            "submit_seconds": t1 - t0,
            "submit_cpu_ms_per_job": (cpu1 - cpu0) / jobs * 1e3,
            "track_seconds": t2 - t1,
            "polls": polls,
            "polls_per_job": polls / jobs,
            "poll_failures": poller.poll_failures,
            "cpu_us_per_poll": (cpu2 - cpu1) / max(1, polls - polls1) * 1e6,
            "cpu_total_s": cpu2 - cpu0,
            "lag_mean_ms": poller.lag_total / max(1, polls) * 1e3,
            "lag_max_ms": poller.lag_max * 1e3,
            "poll_rate": polls / max(1e-9, t2 - t0),
            "poll_demand_early": jobs / policy.early_maximum,
        }


async def _measure(jobs: int, scale: float) -> dict[str, Any]:
    async with SandboxProcess(time_scale=scale, poll_limit=3.0 / scale) as sb:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "benchmarks.scale",
            "--worker",
            "--url",
            sb.url,
            "--key",
            sb.api_key,
            "--jobs",
            str(jobs),
            "--scale",
            str(scale),
            stdout=asyncio.subprocess.PIPE,
            cwd=ROOT,
        )
        cpu0 = sb.cpu_seconds()
        out, _ = await proc.communicate()
        cpu1 = sb.cpu_seconds()
        if proc.returncode != 0:
            raise RuntimeError(f"scale worker failed with exit status {proc.returncode}")
        result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
        if cpu0 is not None and cpu1 is not None:
            result["sandbox_cpu_us_per_poll"] = (cpu1 - cpu0) / max(1, result["polls"]) * 1e6
        return result


#: (jobs, time scale) per mode. Full mode keeps the early-stage poll demand at the
#: real API's for 10,000 jobs (10,000 / 8 s = 1,250 polls/s): 1,000 jobs at 0.1, and
#: 10,000 jobs on the real timeline (about 3 minutes).
SIZES = {True: [(1_000, 0.05)], False: [(1_000, 0.1), (10_000, 1.0)]}
#: ``--smoke`` (the test suite's shape check): a few hundred jobs on a short timeline.
SMOKE_SIZES = [(200, 0.02)]


async def run(quick: bool, smoke: bool = False) -> list[Row]:
    rows: list[Row] = []
    for jobs, scale in SMOKE_SIZES if smoke else SIZES[quick]:
        r = await _measure(jobs, scale)
        label = f"{jobs:,} jobs"
        note = (
            f"time scale {scale:g}; {r['polls_per_job']:.1f} polls/job; "
            f"{r['poll_rate']:.0f} polls/s achieved, {r['poll_demand_early']:.0f}/s due "
            f"before first results; submit {r['submit_seconds']:.1f} s, "
            f"track {r['track_seconds']:.1f} s"
        )
        ok = r["resolved"] == jobs
        rows.append(
            row(
                SCENARIO,
                f"{label}: resolved / peak tracked at once",
                f"{r['resolved']:,} / {r['peak_tracked']:,}",
                "jobs",
                target=f"{jobs:,} resolved",
                ok=ok,
                note=note,
                raw=r,
            )
        )
        big = jobs >= 10_000
        for key, what in (
            ("tracked_rss_growth_mb", "RSS growth while all tracked"),
            ("peak_rss_growth_mb", "peak RSS growth, whole run"),
        ):
            growth = r[key]
            rows.append(
                row(
                    SCENARIO,
                    f"{label}: {what}",
                    round(growth, 1),
                    "MB",
                    target="<= 60 MB" if big else None,
                    ok=growth <= 60.0 if big else None,
                    per_job_kb=round(growth * 1024 / jobs, 2),
                )
            )
        sandbox_cpu = r.get("sandbox_cpu_us_per_poll")
        rows.append(
            row(
                SCENARIO,
                f"{label}: CPU per poll, client (sandbox)",
                round(r["cpu_us_per_poll"]),
                "us",
                sandbox_us=round(sandbox_cpu) if sandbox_cpu is not None else None,
                note=(f"sandbox {sandbox_cpu:.0f} us/poll" if sandbox_cpu is not None else ""),
            )
        )
        rows.append(
            row(
                SCENARIO,
                f"{label}: scheduler lag (mean/max)",
                {"mean": round(r["lag_mean_ms"], 2), "max": round(r["lag_max_ms"], 1)},
                "ms",
            )
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale")
    parser.add_argument("--worker", action="store_true", help="run one size (internal)")
    parser.add_argument("--url")
    parser.add_argument("--key")
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--scale", type=float, default=0.05)
    args = parser.parse_args(argv)
    if args.worker:
        result = asyncio.run(_worker(args.url, args.key, args.jobs, args.scale))
        print(json.dumps(result), flush=True)
        return 0
    for r in asyncio.run(run(quick=args.jobs <= 1000)):
        print(r)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
