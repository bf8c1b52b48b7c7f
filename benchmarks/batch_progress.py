"""First progress event of a 40-request batch: the README pattern vs ``generate_many_iter``.

Run: ``PYTHONPATH=. python -m benchmarks.batch_progress [--rounds 3] [--scale 0.05]``.

Both ways submit the same ``--requests`` music requests with ``--concurrency`` 8 to a
fresh in-process sandbox (default limits: 20 creates per 10 s, poll limit on) followed
by a client with the default policies, the poll policy scaled like the timeline:

* before: ``items = await client.generate_many(...)`` then
  ``async for job in suno_async.as_completed(items)`` (the README's batch pattern): the
  first thing a progress bar can show is the first job yielded by ``as_completed``;
* after: ``async for item in client.generate_many_iter(...)``: the first item yielded.

Reported per way: seconds to the first progress event, how many jobs had already
settled by then (the bar was frozen while they did), and the time to the last item.
The two ways run alternately, one round after the other, so they share the machine's
load; min / median / max over the rounds. Nothing here is a test assertion.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Sequence

import suno_async
from suno_async import GenerateRequest, SunoClient
from suno_async.sandbox import Sandbox

from ._common import scaled_policy


async def one_round(way: str, requests: int, concurrency: int, scale: float,
                    seed: int) -> dict[str, float]:
    batch = [GenerateRequest(prompt=f"song {i}", instrumental=True) for i in range(requests)]
    async with Sandbox(time_scale=scale, seed=seed) as sb, SunoClient(
        api_key=sb.api_key, base_url=sb.url, poll=scaled_policy(scale)
    ) as client:
        started = time.monotonic()
        first: float | None = None
        settled_before_first = 0
        seen = 0
        if way == "before":
            items = await client.generate_many(batch, concurrency=concurrency)
            async for _job in suno_async.as_completed(items):
                seen += 1
                if first is None:
                    first = time.monotonic() - started
                    settled_before_first = sum(
                        1 for j in client.jobs.values() if j.done() or j.error is not None)
        else:
            async for _item in client.generate_many_iter(batch, concurrency=concurrency):
                seen += 1
                if first is None:
                    first = time.monotonic() - started
                    settled_before_first = sum(
                        1 for j in client.jobs.values() if j.done() or j.error is not None)
        last = time.monotonic() - started
    assert first is not None
    assert seen == requests
    return {"first": first, "settled_at_first": settled_before_first, "last": last}


def spread(values: Sequence[float]) -> str:
    return (f"min {min(values):.2f} / median {statistics.median(values):.2f}"
            f" / max {max(values):.2f}")


async def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--scale", type=float, default=0.05,
                        help="sandbox time scale (the ~3 min music timeline x scale)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
    for n in range(args.rounds):
        for way in ("before", "after"):
            results[way].append(
                await one_round(way, args.requests, args.concurrency, args.scale, seed=n + 1))
    if args.json:
        print(json.dumps({"args": vars(args), "results": results}, indent=2))
        return
    print(f"{args.requests} requests, concurrency {args.concurrency}, scale {args.scale},"
          f" {args.rounds} rounds")
    for way, label in (("before", "generate_many + as_completed"),
                       ("after", "generate_many_iter")):
        rows = results[way]
        print(f"{way:6} {label}")
        print("   first progress event s:", spread([r["first"] for r in rows]))
        print("   jobs settled by then:  ", [int(r["settled_at_first"]) for r in rows])
        print("   last item s:           ", spread([r["last"] for r in rows]))
    ratios = [b["first"] / a["first"] for b, a in zip(results["before"], results["after"],
                                                      strict=True)]
    print("first-event ratio before/after per round:", [round(r, 1) for r in ratios])


if __name__ == "__main__":
    asyncio.run(main())
