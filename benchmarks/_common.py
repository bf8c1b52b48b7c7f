"""Shared helpers: rows of the table, statistics, scaled policies, the baselines, sandbox probes."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aiohttp
import attrs
from aiohttp import web

import suno_async
from suno_async import PollPolicy, Stage
from suno_async.sandbox import Sandbox
from suno_async.sandbox.tasks import Phase, Task

Row = dict[str, Any]

#: The provider's sample client (seeds 003): poll record-info, then sleep 10 s, repeat.
SAMPLE_INTERVAL = 10.0

#: Sandbox phases -> the SDK stage that observes them.
PHASE_STAGE: dict[Phase, Stage] = {
    Phase.TEXT: Stage.TEXT_SUCCESS,
    Phase.FIRST: Stage.FIRST_SUCCESS,
    Phase.SUCCESS: Stage.SUCCESS,
    Phase.FAILED: Stage.FAILED,
}

GENERATE_PATH = "/api/v1/generate"
RECORD_PATH = "/api/v1/generate/record-info"
PLACEHOLDER_CALLBACK = "https://example.invalid/benchmarks"


def row(
    scenario: str,
    metric: str,
    value: Any,
    unit: str = "",
    *,
    baseline: Any = None,
    ratio: float | None = None,
    target: str | None = None,
    ok: bool | None = None,
    **extra: Any,
) -> Row:
    """One line of the results table (also one entry of the JSON file)."""
    out: Row = {"scenario": scenario, "metric": metric, "value": value, "unit": unit}
    if baseline is not None:
        out["baseline"] = baseline
    if ratio is not None:
        out["ratio"] = ratio
    if target is not None:
        out["target"] = target
        out["ok"] = ok
    out.update(extra)
    return out


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (``q`` in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q / 100.0
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def summary(values: Sequence[float]) -> dict[str, float]:
    """``n``, ``mean``, ``p50``, ``p99``, ``max`` of ``values`` (NaN when empty)."""
    if not values:
        nan = float("nan")
        return {"n": 0, "mean": nan, "p50": nan, "p99": nan, "max": nan}
    return {
        "n": len(values),
        "mean": sum(values) / len(values),
        "p50": percentile(values, 50),
        "p99": percentile(values, 99),
        "max": max(values),
    }


def scaled_policy(scale: float, base: PollPolicy | None = None) -> PollPolicy:
    """The policy with every duration (its stage windows too) multiplied by the sandbox's
    time scale."""
    return (base or PollPolicy()).scaled(scale)


def stage_times(task: Task) -> dict[Stage, float]:
    """Loop time at which the sandbox task entered each observable stage."""
    return {
        PHASE_STAGE[s.phase]: task.created + s.offset for s in task.steps if s.phase in PHASE_STAGE
    }


def machine() -> dict[str, Any]:
    """A description of the machine and software the figures came from."""
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        load = os.getloadavg()
    except OSError:
        load = (float("nan"),) * 3
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
            cwd=os.path.dirname(os.path.abspath(__file__)),
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "loadavg_at_start": [round(x, 2) for x in load],
        "suno_async": suno_async.__version__,
        "aiohttp": aiohttp.__version__,
        "attrs": attrs.__version__,
        "git_commit": commit,
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


class PollLog:
    """Server-side log of record-info arrivals per task (an aiohttp middleware on the sandbox).

    Install with :meth:`install` before the sandbox starts; times are the loop clock,
    the same clock the sandbox's timelines use.
    """

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)

    def install(self, sb: Sandbox) -> None:
        times = self.times

        @web.middleware
        async def log_polls(
            request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
        ) -> web.StreamResponse:
            if request.path.endswith("/record-info"):
                task_id = request.query.get("taskId")
                if task_id:
                    times[task_id].append(asyncio.get_running_loop().time())
            return await handler(request)

        sb.app.middlewares.insert(0, log_polls)

    def gap_before(self, task_id: str, when: float, since: float) -> float | None:
        """Length of the gap between polls of ``task_id`` that contains ``when``.

        The gap starts at the previous poll (or ``since``, the submission) and ends at
        the first poll at or after ``when``; None if no poll followed ``when``.
        """
        previous = since
        for t in self.times.get(task_id, ()):
            if t >= when:
                return t - previous
            previous = t
        return None


async def submit_raw(http: aiohttp.ClientSession, url: str, prompt: str, callback: str) -> str:
    """Create a music task with a bare aiohttp POST (the baselines' submit)."""
    body = {
        "customMode": False,
        "instrumental": True,
        "model": "V5",
        "prompt": prompt,
        "callBackUrl": callback,
    }
    async with http.post(f"{url}{GENERATE_PATH}", json=body) as resp:
        reply = await resp.json()
    if reply.get("code") != 200:
        raise RuntimeError(f"submit failed: {reply}")
    return str(reply["data"]["taskId"])


_SAMPLE_STAGES = {
    "TEXT_SUCCESS": Stage.TEXT_SUCCESS,
    "FIRST_SUCCESS": Stage.FIRST_SUCCESS,
    "SUCCESS": Stage.SUCCESS,
}
_SAMPLE_FAILURES = {
    "CREATE_TASK_FAILED",
    "GENERATE_AUDIO_FAILED",
    "CALLBACK_EXCEPTION",
    "SENSITIVE_WORD_ERROR",
}


async def sample_client_track(
    http: aiohttp.ClientSession, url: str, task_id: str, interval: float, max_polls: int = 10_000
) -> tuple[dict[Stage, float], int]:
    """The provider's sample client (seeds 003), run to the end of the task.

    Poll record-info, act on the status, sleep a fixed ``interval``, repeat. Returns the
    loop time each stage was first seen (``FAILED`` when the task failed) and the poll count.
    (The sample itself returns at TEXT_SUCCESS; this one goes on to SUCCESS.)
    """
    loop = asyncio.get_running_loop()
    seen: dict[Stage, float] = {}
    polls = 0
    while polls < max_polls:
        async with http.get(f"{url}{RECORD_PATH}", params={"taskId": task_id}) as resp:
            reply = await resp.json()
        polls += 1
        status = (reply.get("data") or {}).get("status", "")
        now = loop.time()
        if status in _SAMPLE_FAILURES:
            seen.setdefault(Stage.FAILED, now)
            break
        stage = _SAMPLE_STAGES.get(status)
        if stage is not None:
            for s in _SAMPLE_STAGES.values():
                if s <= stage:
                    seen.setdefault(s, now)
            if stage is Stage.SUCCESS:
                break
        await asyncio.sleep(interval)
    return seen, polls


def auth_session(api_key: str, limit: int = 100) -> aiohttp.ClientSession:
    """A bare aiohttp session for the baselines."""
    return aiohttp.ClientSession(
        headers={"Authorization": f"Bearer {api_key}"},
        connector=aiohttp.TCPConnector(limit=limit),
        json_serialize=json.dumps,
    )
