"""Scenario 6: submissions under the account's rate limit (20 new tasks per 10 s, scaled).

The window is compressed by ``WINDOW_SCALE`` on both sides (sandbox and client keep
the same 20-per-window ratio). All submissions are started at once; the client's
limiter must pace them so the sandbox never answers 429. Achieved rate is measured
on the server's clock: after the first window's burst of 20, every further 20
creations cost one window, so ``(N - 20) / (last create - first create)`` equals the
limit for a perfect client.
"""

from __future__ import annotations

import asyncio

from suno_async import PollPolicy, RateLimit, SunoClient
from suno_async.sandbox import Sandbox

from ._common import Row, row

SCENARIO = "6 rate-limited throughput"
CREATES = 20
WINDOW = 10.0
WINDOW_SCALE = 0.1


async def run(quick: bool) -> list[Row]:
    total = 60 if quick else 200
    window = WINDOW * WINDOW_SCALE
    async with Sandbox(time_scale=1.0, seed=3, rate_limit=(CREATES, window)) as sb:
        # Slow polling: this scenario measures submission, not tracking.
        poll = PollPolicy(initial=30.0, maximum=60.0, early_maximum=30.0)
        async with SunoClient(
            api_key=sb.api_key,
            base_url=sb.url,
            poll=poll,
            rate_limit=RateLimit(creates=CREATES, per_seconds=window, max_wait=600.0),
        ) as client:
            jobs = await asyncio.gather(
                *(client.generate(prompt=f"batch {i}", instrumental=True) for i in range(total)),
                return_exceptions=True,
            )
            for job in jobs:
                if not isinstance(job, BaseException):
                    job.detach()
        failures = sum(1 for j in jobs if isinstance(j, BaseException))
        created = sorted(t.created for t in sb.state.store.tasks.values())
        limited = sb.stats.rate_limited
    limit = CREATES / window
    span = created[-1] - created[0] if len(created) > 1 else float("nan")
    achieved = (len(created) - CREATES) / span
    ratio = achieved / limit
    return [
        row(
            SCENARIO,
            f"{total} submissions at {CREATES} per {window:g} s: achieved rate / limit",
            round(ratio, 3),
            "x",
            target=">= 0.9",
            ok=ratio >= 0.9,
            achieved_per_s=round(achieved, 2),
            limit_per_s=limit,
            span_s=round(span, 3),
            created=len(created),
        ),
        row(SCENARIO, "HTTP 429 received", limited, "count", target="0", ok=limited == 0),
        row(
            SCENARIO,
            "submissions failed / tasks created",
            f"{failures} / {len(created)}",
            "",
            target=f"0 / {total}",
            ok=failures == 0 and len(created) == total,
        ),
    ]
