"""Scenario 1: record-info round trips per second, SDK vs a bare aiohttp loop.

The sandbox runs in a child process with every task held at FIRST_SUCCESS (two tracks
with stream URLs: a realistic reply size), so the figures measure this process only.
Three SDK paths are timed against the bare loop at the same concurrency (rounds
alternate bare / SDK, at least three of each; every round pair gives one ratio and the
table shows their min / median / max, so a noisy machine shows as a range):
``client.get_record`` one at a time and with 32 workers, and the poller's own polls
(every tracked job due at once, the poller's in-flight cap of 32). Rounds alternate
between the SDK and the baseline so drift on a busy machine hits both alike.

Held at one stage, every reply is the one before it, as it is for most polls of a real
job (a stage lasts tens of seconds to minutes); the poller then does not decode it
again. The poller is also timed against a sandbox whose every reply differs (a counter
added to each record-info ``data``, for the bare loop alike): the cost of a poll that
finds a change, every time.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

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


Timed = tuple[int, float, float]


def _ratios(pairs: list[tuple[Timed, Timed]]) -> dict[str, Any]:
    """Per round: SDK/bare round trips per second and CPU per round trip; min/median/max."""
    rate = [(s[0] / s[1]) / (b[0] / b[1]) for s, b in pairs]
    cpu = [(s[2] / s[0]) / (b[2] / b[0]) for s, b in pairs]
    sdk_rate = statistics.median(s[0] / s[1] for s, _ in pairs)
    bare_rate = statistics.median(b[0] / b[1] for _, b in pairs)
    sdk_cpu = statistics.median(s[2] / s[0] * 1e6 for s, _ in pairs)
    bare_cpu = statistics.median(b[2] / b[0] * 1e6 for _, b in pairs)
    return {
        "rate": {"min": min(rate), "median": statistics.median(rate), "max": max(rate)},
        "cpu": {"min": min(cpu), "median": statistics.median(cpu), "max": max(cpu)},
        "sdk_rate": sdk_rate, "bare_rate": bare_rate, "sdk_cpu": sdk_cpu, "bare_cpu": bare_cpu,
        "rounds": len(pairs),
    }


#: Held at FIRST_SUCCESS forever: every poll returns the same realistic record.
HELD = {"text": 0.0, "first": 0.0, "complete": 1e9}

#: Every tracked job due at once: the poller's in-flight cap is the only limit.
FAST = PollPolicy(
    initial=1e-4, maximum=1e-4, early_maximum=1e-4, min_interval=0.0, jitter=0.0, windows=(),
)


class _Counts:
    """What the poller rounds saw: failed polls, and polls not decoded (unchanged)."""

    def __init__(self) -> None:
        self.failures = 0
        self.polls = 0
        self.unchanged = 0


async def _tasks(http: Any, url: str) -> list[str]:
    return [await submit_raw(http, url, f"bench {i}", PLACEHOLDER_CALLBACK) for i in range(TASKS)]


def _bare_loop(http: Any, url: str, ids: list[str]) -> Any:
    """The baseline: ``http.get`` + ``resp.json()`` of record-info, as a user would."""

    async def bare(i: int) -> None:
        params = {"taskId": ids[i % TASKS]}
        async with http.get(f"{url}{RECORD_PATH}", params=params) as resp:
            reply = await resp.json()
        if reply["code"] != 200:
            raise RuntimeError(reply)

    return bare


async def _poller_rounds(
    sb: SandboxProcess, http: Any, ids: list[str], rounds: int, seconds: float, counts: _Counts
) -> list[tuple[Timed, Timed]]:
    """Alternate bare rounds and poller rounds (a new client each: 64 jobs tracked)."""
    bare = _bare_loop(http, sb.url, ids)
    await _timed_workers(32, 0.2, bare)  # the bare loop's connections open
    pairs: list[tuple[Timed, Timed]] = []
    for _ in range(rounds):
        b = await _timed_workers(32, seconds, bare)
        async with SunoClient(api_key=sb.api_key, base_url=sb.url, poll=FAST) as client:
            poller = client._poller
            for task_id in ids:
                client.track(task_id)
            await asyncio.sleep(0.2)  # connections opened, every job in rotation
            polls0, unchanged0 = poller.polls, poller.unchanged
            wall0, cpu0 = time.perf_counter(), time.process_time()
            await asyncio.sleep(seconds)
            p = (poller.polls - polls0, time.perf_counter() - wall0,
                 time.process_time() - cpu0)
            counts.polls += p[0]
            counts.unchanged += poller.unchanged - unchanged0
            counts.failures += poller.poll_failures
        pairs.append((p, b))
    return pairs


async def run(quick: bool) -> list[Row]:
    seconds = 0.2 if quick else 1.5
    rounds = 3 if quick else 7
    pairs: dict[str, list[tuple[Timed, Timed]]] = {"1": [], "32": []}
    held, changing = _Counts(), _Counts()
    async with (
        SandboxProcess(time_scale=1.0, timeline=HELD) as sb,
        auth_session(sb.api_key) as http,
    ):
        ids = await _tasks(http, sb.url)
        bare = _bare_loop(http, sb.url, ids)
        async with SunoClient(
            api_key=sb.api_key,
            base_url=sb.url,
            rate_limit=RateLimit(creates=10_000, per_seconds=1.0),
        ) as client:

            async def sdk(i: int) -> None:
                await client.get_record(ids[i % TASKS])

            await _timed_workers(4, 0.2, bare)  # warm up both connection pools
            await _timed_workers(4, 0.2, sdk)
            # Alternate SDK and bare rounds so drift on a busy machine hits both alike;
            # every round gives one ratio, reported as min / median / max.
            for _ in range(rounds):
                for key, workers in (("1", 1), ("32", 32)):
                    b = await _timed_workers(workers, seconds, bare)
                    s = await _timed_workers(workers, seconds, sdk)
                    pairs[key].append((s, b))
        pairs["poller"] = await _poller_rounds(sb, http, ids, rounds, seconds, held)
    async with (
        SandboxProcess(time_scale=1.0, timeline=HELD, vary_records=True) as sb,
        auth_session(sb.api_key) as http,
    ):
        ids = await _tasks(http, sb.url)
        pairs["changing"] = await _poller_rounds(sb, http, ids, rounds, seconds, changing)

    rows: list[Row] = []
    for label, key, targets in (
        ("get_record, 1 at a time", "1", False),
        ("get_record, 32 concurrent", "32", True),
        ("poller (64 jobs, cap 32)", "poller", True),
        ("poller, every reply changed", "changing", False),
    ):
        r = _ratios(pairs[key])
        rate, cpu = r["rate"], r["cpu"]
        rows.append(
            row(
                SCENARIO,
                f"{label}: round trips/s, SDK / bare per round (min/median/max)",
                {k: round(v, 3) for k, v in rate.items()},
                "x",
                target=">= 0.85 (median)" if targets else None,
                ok=rate["median"] >= 0.85 if targets else None,
                rounds=r["rounds"],
            )
        )
        rows.append(
            row(
                SCENARIO,
                f"{label}: client CPU per round trip, SDK / bare per round (min/median/max)",
                {k: round(v, 3) for k, v in cpu.items()},
                "x",
                target="<= 1.25 (median)" if targets else None,
                ok=cpu["median"] <= 1.25 if targets else None,
            )
        )
        rows.append(
            row(
                SCENARIO,
                f"{label}: median round trips/s and CPU per round trip (rate/cpu)",
                {"rate": round(r["sdk_rate"]), "cpu": round(r["sdk_cpu"])},
                "",
                baseline={"rate": round(r["bare_rate"]), "cpu": round(r["bare_cpu"])},
                note="rate in round trips/s, cpu in microseconds",
            )
        )
    rows.append(row(SCENARIO, "poller: failed polls", held.failures + changing.failures, "count"))
    rows.append(
        row(
            SCENARIO,
            "poller: replies not decoded (unchanged), held / every reply changed",
            {"held": round(held.unchanged / max(held.polls, 1), 3),
             "changing": round(changing.unchanged / max(changing.polls, 1), 3)},
            "share of polls",
        )
    )
    return rows
