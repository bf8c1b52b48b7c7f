"""Scenarios 2-4: detection latency, polls per job, failure detection.

One in-process sandbox on a compressed timeline (``scale``); three ways of following
the same kind of jobs, run one after the other so they never compete for the CPU:

* SDK with callbacks: a :class:`~suno_async.webhooks.WebhookReceiver` on loopback
  (polling stays on as the safety net, its interval scaled like the rest).
* SDK polling: the default :class:`~suno_async.PollPolicy`, every duration multiplied
  by ``scale``.
* The provider's sample client (seeds 003): poll, then sleep a fixed 10 s (scaled).

Latency is the loop time a stage was observed (``job.observed_at``; a skipped stage
counts as seen when a later one was) minus the loop time the sandbox task entered it
(its timeline). Polling figures are divided by ``scale`` (seconds of the real
timeline); callback figures are real milliseconds, since delivery is not scaled.
A server-side log of record-info arrivals gives polls per job and the interval in
force when each stage changed (the gap between the two polls around the change).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any

from suno_async import RateLimit, Stage, SunoClient
from suno_async.errors import GenerationFailedError
from suno_async.jobs.job import Job
from suno_async.sandbox import Sandbox
from suno_async.webhooks import WebhookReceiver

from ._common import (
    PLACEHOLDER_CALLBACK,
    SAMPLE_INTERVAL,
    PollLog,
    Row,
    auth_session,
    row,
    sample_client_track,
    scaled_policy,
    stage_times,
    submit_raw,
    summary,
)

STAGES = (Stage.TEXT_SUCCESS, Stage.FIRST_SUCCESS, Stage.SUCCESS)
#: The "1 s fixed poller" baseline: poll every second of the timeline.
FIXED_INTERVAL = 1.0
FAIL_PROMPT = "bench failure [[fail]]"


@dataclass
class PathResult:
    """What one way of following jobs observed, per task id."""

    seen: dict[str, dict[Stage, float]] = field(default_factory=dict)
    failed_at: dict[str, float] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    lag: dict[str, float] = field(default_factory=dict)
    #: SDK paths: (polls whose reply was the last one again, polls).
    unchanged: tuple[int, int] = (0, 0)


def _first_seen(observed: dict[Stage, float], stage: Stage) -> float | None:
    """When ``stage`` was first known to be reached (a later stage implies it)."""
    times = [t for s, t in observed.items() if s is not Stage.FAILED and s >= stage]
    return min(times) if times else None


async def _follow_sdk(job: Job[Any], out: PathResult) -> None:
    loop = asyncio.get_running_loop()
    try:
        await job
    except GenerationFailedError:
        out.failed_at[job.task_id] = loop.time()
    except Exception as exc:  # reported, never hidden
        out.errors[job.task_id] = type(exc).__name__
    out.seen[job.task_id] = dict(job.observed_at)


async def _sdk_path(sb: Sandbox, scale: float, n: int, nfail: int, callbacks: bool) -> PathResult:
    out = PathResult()
    policy = scaled_policy(scale)
    limit = RateLimit(creates=10_000, per_seconds=1.0)
    receiver = WebhookReceiver()
    async with contextlib.AsyncExitStack() as stack:
        if callbacks:
            await stack.enter_async_context(receiver.serve())
        client = await stack.enter_async_context(
            SunoClient(api_key=sb.api_key, base_url=sb.url, poll=policy, rate_limit=limit)
        )
        if callbacks:
            receiver.attach(client)
        prompts = [f"bench {i}" for i in range(n)] + [FAIL_PROMPT] * nfail
        jobs = await asyncio.gather(
            *(client.generate(prompt=p, instrumental=True) for p in prompts)
        )
        await asyncio.gather(*(_follow_sdk(job, out) for job in jobs))
        poller = client._poller
        out.lag = {
            "mean": poller.lag_total / max(1, poller.polls) * 1e3,
            "max": poller.lag_max * 1e3,
        }
        out.unchanged = (poller.unchanged, poller.polls)
    return out


async def _sample_path(
    sb: Sandbox, scale: float, n: int, nfail: int, every: float = SAMPLE_INTERVAL
) -> PathResult:
    """Bare aiohttp: poll, sleep a fixed ``every`` seconds of the timeline, repeat."""
    out = PathResult()
    interval = every * scale
    async with auth_session(sb.api_key) as http:
        prompts = [f"bench {i}" for i in range(n)] + [FAIL_PROMPT] * nfail
        ids = await asyncio.gather(
            *(submit_raw(http, sb.url, p, PLACEHOLDER_CALLBACK) for p in prompts)
        )

        async def follow(task_id: str) -> None:
            seen, _ = await sample_client_track(http, sb.url, task_id, interval)
            if Stage.FAILED in seen:
                out.failed_at[task_id] = seen.pop(Stage.FAILED)
            out.seen[task_id] = seen

        await asyncio.gather(*(follow(t) for t in ids))
    return out


def _latencies(sb: Sandbox, result: PathResult, stage: Stage, unit: float) -> list[float]:
    values = []
    for task_id, observed in result.seen.items():
        if task_id in result.failed_at:
            continue
        due = stage_times(sb.task(task_id)).get(stage)
        seen = _first_seen(observed, stage)
        if due is not None and seen is not None:
            values.append((seen - due) / unit)
    return values


def _failure_latencies(sb: Sandbox, result: PathResult, unit: float) -> list[float]:
    values = []
    for task_id, raised in result.failed_at.items():
        due = stage_times(sb.task(task_id)).get(Stage.FAILED)
        if due is not None:
            values.append((raised - due) / unit)
    return values


def _gaps(sb: Sandbox, log: PollLog, result: PathResult, stage: Stage, unit: float) -> list[float]:
    """The poll interval in force around each stage change (scaled back by ``unit``)."""
    gaps = []
    for task_id in result.seen:
        if task_id in result.failed_at:
            continue
        task = sb.task(task_id)
        due = stage_times(task).get(stage)
        if due is None:
            continue
        gap = log.gap_before(task_id, due, task.created)
        if gap is not None:
            gaps.append(gap / unit)
    return gaps


def _detection_overheads(sb: Sandbox, log: PollLog, result: PathResult) -> list[float]:
    """Real ms from the detecting poll's arrival at the server to the stage being observed."""
    values = []
    for task_id, observed in result.seen.items():
        if task_id in result.failed_at:
            continue
        polls = log.times.get(task_id, [])
        for stage, due in stage_times(sb.task(task_id)).items():
            seen = observed.get(stage)
            arrivals = [t for t in polls if t >= due]
            if seen is not None and arrivals:
                values.append((seen - arrivals[0]) * 1e3)
    return values


def _polls(log: PollLog, result: PathResult) -> list[float]:
    return [float(len(log.times.get(t, ()))) for t in result.seen if t not in result.failed_at]


def _stats(values: list[float], digits: int = 2) -> dict[str, float]:
    return {k: (round(v, digits) if k != "n" else v) for k, v in summary(values).items()}


async def run(quick: bool) -> list[Row]:
    scale = 0.01 if quick else 0.05
    n, nfail = (16, 6) if quick else (120, 30)
    n_fixed = 8 if quick else 30
    log = PollLog()
    sb = Sandbox(time_scale=scale, seed=7, rate_limit=None, poll_limit=3.0 / scale)
    log.install(sb)
    async with sb:
        callbacks = await _sdk_path(sb, scale, n, nfail, callbacks=True)
        polling = await _sdk_path(sb, scale, n, nfail, callbacks=False)
        sample = await _sample_path(sb, scale, n, nfail)
        # A peer polling every second: fewer jobs, its request rate is 10x the sample's.
        fixed = await _sample_path(sb, scale, n_fixed, 0, FIXED_INTERVAL)

    rows: list[Row] = []
    note = f"time scale {scale:g}; {n} jobs per path; polling figures in real-timeline seconds"
    s2 = "2 detection latency"
    paths = {"default": polling, "sample10": sample, "fixed1": fixed}
    keys = "default/sample10/fixed1"

    def lags(stage: Stage) -> dict[str, dict[str, float]]:
        return {k: _stats(_latencies(sb, r, stage, scale)) for k, r in paths.items()}

    first, success = lags(Stage.FIRST_SUCCESS), lags(Stage.SUCCESS)
    polls = {k: _stats(_polls(log, r), 1) for k, r in paths.items()}
    detection = [
        ("SUCCESS lag, mean", success, "mean", "s", "default <= 5 s",
         success["default"]["mean"] <= 5.0),
        ("SUCCESS lag, max", success, "max", "s", None, None),
        ("FIRST_SUCCESS lag, mean", first, "mean", "s", None, None),
        ("FIRST_SUCCESS lag, max", first, "max", "s", "default <= 10 s",
         first["default"]["max"] <= 10.0),
        ("polls per music job, mean", polls, "mean", "polls", None, None),
        ("polls per music job, max", polls, "max", "polls", "default <= 12",
         polls["default"]["max"] <= 12),
    ]
    for label, figures, stat, unit, target, ok in detection:
        rows.append(
            row(
                s2,
                f"detection: {label} ({keys})",
                {k: figures[k][stat] for k in paths},
                unit,
                target=target,
                ok=ok,
                note=f"{note}; the 1 s fixed poller follows {n_fixed} jobs",
            )
        )
    for stage in STAGES:
        cb = _stats(_latencies(sb, callbacks, stage, 0.001), 1)
        rows.append(
            row(
                s2,
                f"{stage.name}: SDK callbacks (mean/p50/p99)",
                cb,
                "ms",
                target="p50 <= 10 ms",
                ok=cb["p50"] <= 10.0,
            )
        )
    for stage in STAGES:
        poll = _latencies(sb, polling, stage, scale)
        base = _latencies(sb, sample, stage, scale)
        ps, bs = _stats(poll), _stats(base)
        rows.append(
            row(
                s2,
                f"{stage.name}: SDK polling vs sample client (mean/p50/p99)",
                ps,
                "s",
                baseline=bs,
                ratio=round(ps["mean"] / bs["mean"], 3),
                note=note,
            )
        )
    for stage in STAGES:
        lat = summary(_latencies(sb, polling, stage, scale))["mean"]
        gap = summary(_gaps(sb, log, polling, stage, scale))["mean"]
        share = lat / gap
        rows.append(
            row(
                s2,
                f"{stage.name}: SDK polling mean latency / interval in force ({gap:.1f} s)",
                round(share, 3),
                "x",
                # TEXT_SUCCESS has no window of its own: it is seen on the way to FIRST
                target="<= 0.6" if stage is not Stage.TEXT_SUCCESS else None,
                ok=share <= 0.6 if stage is not Stage.TEXT_SUCCESS else None,
            )
        )

    over = _stats(_detection_overheads(sb, log, polling), 1)
    over_base = _stats(_detection_overheads(sb, log, sample), 1)
    rows.append(
        row(
            s2,
            "SDK polling vs sample: detecting poll's arrival -> stage observed (mean/p50/p99)",
            over,
            "ms",
            baseline=over_base,
            note="real milliseconds: reply, parse and wake-up, not scaled",
        )
    )
    rows.append(
        row(
            s2,
            "SDK polling: scheduler lag (mean/max)",
            {k: round(v, 2) for k, v in polling.lag.items()},
            "ms",
            note="real milliseconds a poll fired after its due time",
        )
    )

    s3 = "3 polls per job"
    sdk_polls, base_polls = _polls(log, polling), _polls(log, sample)
    ps, bs = _stats(sdk_polls, 1), _stats(base_polls, 1)
    rows.append(
        row(
            s3,
            "polls per completed music job (mean/p50/max)",
            {"mean": ps["mean"], "p50": ps["p50"], "max": ps["max"]},
            "polls",
            baseline={"mean": bs["mean"], "p50": bs["p50"], "max": bs["max"]},
            ratio=round(ps["mean"] / bs["mean"], 3),
            target="max <= 12",
            ok=ps["max"] <= 12,
        )
    )
    first_sdk = _stats(_latencies(sb, polling, Stage.FIRST_SUCCESS, scale))
    first_base = _stats(_latencies(sb, sample, Stage.FIRST_SUCCESS, scale))
    rows.append(
        row(
            s3,
            "FIRST_SUCCESS seen after (mean/p99/max)",
            {"mean": first_sdk["mean"], "p99": first_sdk["p99"], "max": first_sdk["max"]},
            "s",
            baseline={
                "mean": first_base["mean"],
                "p99": first_base["p99"],
                "max": first_base["max"],
            },
            target="max <= 10 s",
            ok=first_sdk["max"] <= 10.0,
        )
    )
    safety = _stats(_polls(log, callbacks), 1)
    rows.append(
        row(
            s3,
            "safety-net polls per job with callbacks (mean/max)",
            {"mean": safety["mean"], "max": safety["max"]},
            "polls",
        )
    )

    same, total = polling.unchanged
    rows.append(
        row(
            s3,
            "SDK polling: polls whose reply was the last one again (not decoded)",
            {"share": round(same / max(total, 1), 3), "polls": total},
            "",
        )
    )

    s4 = "4 failure detection"
    pf = _stats(_failure_latencies(sb, polling, scale))
    bf = _stats(_failure_latencies(sb, sample, scale))
    rows.append(
        row(
            s4,
            "GENERATE_AUDIO_FAILED -> error raised, SDK polling vs sample (mean/p50/p99)",
            pf,
            "s",
            baseline=bf,
            ratio=round(pf["mean"] / bf["mean"], 3),
        )
    )
    cf = _stats(_failure_latencies(sb, callbacks, 0.001), 1)
    rows.append(
        row(
            s4,
            "GENERATE_AUDIO_FAILED -> error raised, SDK callbacks (mean/p50/p99)",
            cf,
            "ms",
        )
    )
    missed = sum(len(r.errors) for r in (callbacks, polling)) + sum(
        nfail - len(r.failed_at) for r in (callbacks, polling, sample)
    )
    rows.append(
        row(
            s4,
            "unexpected errors or failures not raised",
            missed,
            "count",
            target="0",
            ok=missed == 0,
        )
    )
    return rows
