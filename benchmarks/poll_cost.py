"""Scenario 1: record-info round trips per second, SDK vs a bare aiohttp loop.

The sandbox runs in a child process with every task held at FIRST_SUCCESS (two tracks
with stream URLs: a realistic reply size), so the figures measure this process only.
Three SDK paths are timed against the bare loop at the same concurrency:
``client.get_record`` one at a time and with 32 workers, and the poller's own polls
(every tracked job due at once, the poller's in-flight cap of 32). Rounds alternate
between the SDK and the baseline so drift on a busy machine hits both alike.
"""

from __future__ import annotations

import asyncio
import time

from suno_async import PollPolicy, RateLimit, SunoClient

from ._common import PLACEHOLDER_CALLBACK, RECORD_PATH, Row, auth_session, row, submit_raw
from ._sandbox_proc import SandboxProcess

SCENARIO = "1 poll cost"
TASKS = 64


async def _timed_workers(workers: int, seconds: float, call: object) -> tuple[int, float, float]:
    """Run ``workers`` loops of ``await call(i)`` for ``seconds``; (count, wall, cpu)."""
    assert callable(call)
    count = 0
    stop = time.perf_counter() + seconds

    async def worker(i: int) -> None:
        nonlocal count
        while time.perf_counter() < stop:
            await call(i)
            count += 1

    wall0, cpu0 = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker(i) for i in range(workers)))
    return count, time.perf_counter() - wall0, time.process_time() - cpu0


def _add(totals: dict[str, list[float]], name: str, n: float, wall: float, cpu: float) -> None:
    acc = totals.setdefault(name, [0.0, 0.0, 0.0])
    acc[0] += n
    acc[1] += wall
    acc[2] += cpu


async def run(quick: bool) -> list[Row]:
    seconds = 0.4 if quick else 2.0
    rounds = 1 if quick else 2
    # Stuck at FIRST_SUCCESS forever: every poll returns the same realistic record.
    timeline = {"text": 0.0, "first": 0.0, "complete": 1e9}
    async with (
        SandboxProcess(time_scale=1.0, timeline=timeline) as sb,
        auth_session(sb.api_key) as http,
    ):
        ids = [
            await submit_raw(http, sb.url, f"bench {i}", PLACEHOLDER_CALLBACK) for i in range(TASKS)
        ]

        async def bare(i: int) -> None:
            params = {"taskId": ids[i % TASKS]}
            async with http.get(f"{sb.url}{RECORD_PATH}", params=params) as resp:
                reply = await resp.json()
            if reply["code"] != 200:
                raise RuntimeError(reply)

        async with SunoClient(
            api_key=sb.api_key,
            base_url=sb.url,
            rate_limit=RateLimit(creates=10_000, per_seconds=1.0),
        ) as client:

            async def sdk(i: int) -> None:
                await client.get_record(ids[i % TASKS])

            await _timed_workers(4, 0.2, bare)  # warm up both connection pools
            await _timed_workers(4, 0.2, sdk)
            totals: dict[str, list[float]] = {}
            for _ in range(rounds):
                for name, fn, workers in (
                    ("bare_1", bare, 1),
                    ("sdk_1", sdk, 1),
                    ("bare_32", bare, 32),
                    ("sdk_32", sdk, 32),
                ):
                    n, wall, cpu = await _timed_workers(workers, seconds, fn)
                    _add(totals, name, n, wall, cpu)

        fast = PollPolicy(
            initial=1e-4, maximum=1e-4, early_maximum=1e-4, min_interval=0.0, jitter=0.0
        )
        failures = 0
        for _ in range(rounds):
            n, wall, cpu = await _timed_workers(32, seconds, bare)
            _add(totals, "bare_32_p", n, wall, cpu)
            async with SunoClient(api_key=sb.api_key, base_url=sb.url, poll=fast) as client:
                poller = client._poller
                for task_id in ids:
                    client.track(task_id)
                await asyncio.sleep(0.2)  # connections opened, every job in rotation
                polls0 = poller.polls
                wall0, cpu0 = time.perf_counter(), time.process_time()
                await asyncio.sleep(seconds)
                _add(
                    totals,
                    "poller",
                    poller.polls - polls0,
                    time.perf_counter() - wall0,
                    time.process_time() - cpu0,
                )
                failures += poller.poll_failures

    def rate(name: str) -> float:
        n, wall, _ = totals[name]
        return n / wall

    def cpu_us(name: str) -> float:
        n, _, cpu = totals[name]
        return cpu / n * 1e6

    rows: list[Row] = []
    for label, sdk_name, bare_name in (
        ("get_record, 1 at a time", "sdk_1", "bare_1"),
        ("get_record, 32 concurrent", "sdk_32", "bare_32"),
        ("poller (64 jobs, cap 32)", "poller", "bare_32_p"),
    ):
        rows.append(
            row(
                SCENARIO,
                f"{label}: round trips/s",
                round(rate(sdk_name)),
                "/s",
                baseline=round(rate(bare_name)),
                ratio=round(rate(sdk_name) / rate(bare_name), 3),
            )
        )
        rows.append(
            row(
                SCENARIO,
                f"{label}: client CPU per round trip",
                round(cpu_us(sdk_name)),
                "us",
                baseline=round(cpu_us(bare_name)),
                ratio=round(cpu_us(sdk_name) / cpu_us(bare_name), 3),
            )
        )
    rows.append(row(SCENARIO, "poller: failed polls", failures, "count"))
    return rows
