"""Scenario 8: one account, several processes, a shared store (issue 14, "Measure").

Every part runs for the SQLite store (``sqlite:///<tmp>/s.db``) and for Redis (a real
``redis-server`` on a free loopback port in a temp dir, started here and stopped after);
the in-memory client (``store=None``) is the baseline where it has one.

1. *Shared rate limit*: 4 worker processes (``python -m benchmarks._fleet_worker batch``)
   x 50 jobs on one API key, 10 of the 50 the same in every worker, against a sandbox
   enforcing the real limit (20 creates per 10 s). Counted on the server: HTTP 429
   replies, POSTs minus distinct requests (every extra POST: a retried 429 or a request
   paid twice), and the share of the limit used: the ideal span of the creates (full
   windows the distinct requests need) over the measured span (first to last create,
   the sandbox's clock). The baseline is the same run with ``store=None``: each process
   has its own limiter and its own claims.
2. *Store cost*: in this process, against a sandbox in a child process (so the CPU
   figures are the client's only; the SQLite store's thread counts, ``redis-server``
   does not), ``N`` submissions (``client.generate``) and ``N`` record round trips
   (``client.get_record``) at concurrency 8, and the poller's own polls of 32 tracked
   jobs for a fixed time: wall and client CPU per operation, store / memory per round,
   rounds alternating memory / SQLite / Redis, min / median / max over the rounds.

``--quick`` shrinks every part (2 workers, a 0.5 s window, fewer jobs and rounds).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from suno_async import PollPolicy, RateLimit, SunoClient
from suno_async.sandbox import Sandbox

from ._common import GENERATE_PATH, Row, row
from ._redis import RedisServer, redis_server_binary
from ._sandbox_proc import ROOT, SandboxProcess

SCENARIO = "8 fleet (shared store)"

#: The API's creation limit (the sandbox enforces it; every client is configured with it).
LIMIT, PER = 20, 10.0


# ----------------------------------------------------------------------------- processes


class Worker:
    """One ``python -m benchmarks._fleet_worker MODE`` child; its JSON lines as they come."""

    def __init__(self, mode: str, opts: dict[str, Any]) -> None:
        self.mode = mode
        self.opts = opts
        self.lines: list[dict[str, Any]] = []
        self.proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._changed = asyncio.Event()

    async def start(self) -> Worker:
        env = dict(os.environ)
        env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "benchmarks._fleet_worker", self.mode, json.dumps(self.opts),
            cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        self._reader = asyncio.ensure_future(self._read())
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def _read(self) -> None:
        assert self.proc is not None
        assert self.proc.stdout is not None
        async for raw in self.proc.stdout:
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            self.lines.append(line)
            if line.get("ready"):
                self._ready.set()
            self._changed.set()
        self._changed.set()

    async def ready(self, within: float = 60.0) -> None:
        """Until the worker printed ``{"ready": true}`` (its client is open)."""
        await asyncio.wait_for(self._ready.wait(), within)

    async def line(self, key: str, within: float) -> dict[str, Any]:
        """The first line that has ``key`` (waiting for it)."""
        async with asyncio.timeout(within):
            while True:
                for line in self.lines:
                    if key in line:
                        return line
                if self._reader is not None and self._reader.done():
                    raise RuntimeError(f"worker ended without {key!r}: {await self.stderr()}")
                self._changed.clear()
                await self._changed.wait()

    async def result(self, within: float) -> dict[str, Any]:
        found: dict[str, Any] = (await self.line("result", within))["result"]
        return found

    async def stderr(self) -> str:
        assert self.proc is not None
        assert self.proc.stderr is not None
        if self.proc.returncode is None:
            return ""
        return (await self.proc.stderr.read()).decode(errors="replace")[-2000:]

    async def stop(self) -> None:
        """Kill the worker if it is still running; reap it."""
        if self.proc is None:
            return
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
        await self.proc.wait()
        if self._reader is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._reader, 5)


def go_now(path: str) -> None:
    """Create the file every worker waits for (they start together)."""
    Path(path).touch()


@contextlib.asynccontextmanager
async def workers(mode: str, options: list[dict[str, Any]]) -> AsyncIterator[list[Worker]]:
    """Start one worker per options dict; kill whatever is left on exit."""
    started: list[Worker] = []
    try:
        for opts in options:
            started.append(await Worker(mode, opts).start())
        yield started
    finally:
        await asyncio.gather(*(w.stop() for w in started))


# ----------------------------------------------------------------------------- stores


@contextlib.asynccontextmanager
async def stores(tmp: Path) -> AsyncIterator[list[tuple[str, Callable[[str], str]]]]:
    """(name, spec factory) per backend; ``spec(tag)`` names the store for ``tag``.

    SQLite: one file per tag. Redis: one server for the whole run; its keys are per
    account (API key and host), and every sandbox has its own key and port, so runs
    against different sandboxes never see each other's rows.
    """
    backends: list[tuple[str, Callable[[str], str]]] = [
        ("sqlite", lambda tag: f"sqlite:///{tmp / tag}.db"),
    ]
    server: RedisServer | None = None
    if redis_server_binary() is not None:
        server = RedisServer().__enter__()
        url = server.url
        backends.append(("redis", lambda tag: url))
    try:
        yield backends
    finally:
        if server is not None:
            server.__exit__(None, None, None)


# ----------------------------------------------------------------------------- part 1


async def shared_limit(
    spec: str | None, *, workers_n: int, common: int, own: int, limit: int, per: float,
    seed: int, time_scale: float,
) -> dict[str, Any]:
    """One run of part 1: ``workers_n`` processes x (common + own) jobs on one key."""
    distinct = common + workers_n * own
    async with Sandbox(
        time_scale=time_scale, seed=seed, rate_limit=(limit, per), poll_limit=None, credits=1e12
    ) as sb:
        with tempfile.TemporaryDirectory(prefix="bench-fleet-go-") as tmp:
            go = os.path.join(tmp, "go")
            options = [
                {"store": spec, "url": sb.url, "api_key": sb.api_key, "worker": n,
                 "common": common, "own": own, "limit": limit, "per": per, "go": go}
                for n in range(workers_n)
            ]
            async with workers("batch", options) as procs:
                await asyncio.gather(*(w.ready() for w in procs))
                go_now(go)
                results = await asyncio.gather(*(w.result(900) for w in procs))
        tasks = [t for t in sb.state.store.tasks.values() if t.path == GENERATE_PATH]
        created = sorted(t.created for t in tasks)
        prompts = {t.body.get("prompt") for t in tasks}
        posts = sb.stats.received[GENERATE_PATH]
        limited = sb.stats.rate_limited
    span = created[-1] - created[0] if len(created) > 1 else float("nan")
    ideal = (math.ceil(len(created) / limit) - 1) * per  # full windows the creates need
    errors = [e for r in results for e in r["errors"]]
    return {
        "distinct": distinct,
        "posts": posts,
        "created": len(created),
        "distinct_created": len(prompts),
        "duplicate_posts": posts - distinct,
        "paid_twice": len(created) - len(prompts),
        "http_429": limited,
        "span_s": round(span, 3),
        "ideal_s": ideal,
        "limit_used": round(ideal / span, 3) if span else float("nan"),
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
        "worker_cpu_s": round(sum(r["cpu"] for r in results), 2),
    }


async def part_limit(quick: bool, backends: list[tuple[str, Callable[[str], str]]]) -> list[Row]:
    if quick:
        shape: dict[str, Any] = {"workers_n": 2, "common": 2, "own": 4, "limit": 4,
                                 "per": 0.5, "time_scale": 0.002}
    else:
        shape = {"workers_n": 4, "common": 10, "own": 40, "limit": LIMIT, "per": PER,
                 "time_scale": 0.01}
    label = (
        f"{shape['workers_n']} processes x {shape['common'] + shape['own']} jobs "
        f"({shape['common']} shared), {shape['limit']} creates / {shape['per']:g} s"
    )
    baseline = None
    if not quick:  # the in-memory client: every process its own limiter and claims
        baseline = await shared_limit(None, seed=80, **shape)
    rows: list[Row] = []
    for seed, (name, spec) in enumerate(backends, start=81):
        r = await shared_limit(spec(f"limit-{name}"), seed=seed, **shape)
        b = baseline or {}
        rows += [
            row(SCENARIO, f"{name}: {label}: HTTP 429", r["http_429"], "count",
                baseline=b.get("http_429"), target="0", ok=r["http_429"] == 0),
            row(SCENARIO, f"{name}: POSTs - distinct requests (duplicate POSTs)",
                r["duplicate_posts"], "count", baseline=b.get("duplicate_posts"),
                target="0", ok=r["duplicate_posts"] == 0 and r["paid_twice"] == 0,
                paid_twice=r["paid_twice"], posts=r["posts"], distinct=r["distinct"]),
            row(SCENARIO, f"{name}: share of the limit used (ideal / measured span of creates)",
                r["limit_used"], "x", baseline=b.get("limit_used"),
                target=">= 0.9", ok=r["limit_used"] >= 0.9, span_s=r["span_s"],
                ideal_s=r["ideal_s"]),
            row(SCENARIO, f"{name}: jobs failed (submission or wait)", r["errors"], "count",
                baseline=b.get("errors"), target="0", ok=r["errors"] == 0,
                first_error=r["first_error"][:300], raw=r, baseline_raw=baseline),
        ]
    return rows


# ----------------------------------------------------------------------------- part 2


Timed = tuple[int, float, float]  # (operations, wall seconds, CPU seconds)


async def timed(n: int, concurrency: int, op: Callable[[int], Awaitable[object]]) -> Timed:
    """``op(0..n-1)`` with at most ``concurrency`` at once; (n, wall, process CPU)."""
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with gate:
            await op(i)

    wall0, cpu0 = time.perf_counter(), time.process_time()
    await asyncio.gather(*(one(i) for i in range(n)))
    return n, time.perf_counter() - wall0, time.process_time() - cpu0


def spread(values: list[float], digits: int = 3) -> dict[str, float]:
    return {
        "min": round(min(values), digits),
        "median": round(statistics.median(values), digits),
        "max": round(max(values), digits),
    }


#: Polling that keeps every tracked job due at once (the poller runs flat out).
FLAT_OUT = PollPolicy(initial=1e-3, maximum=1e-3, early_maximum=1e-3, min_interval=0.0,
                      jitter=0.0, windows=())
#: Polling that never comes due within a round (submissions are timed alone).
NEVER = PollPolicy(initial=3600.0, maximum=3600.0, early_maximum=3600.0)


async def cost_round(
    url: str, api_key: str, store: str | None, tag: str, *, n: int, tracked: int,
    poll_seconds: float, settle: float,
) -> dict[str, Timed]:
    """One round of part 2 for one backend: submissions, get_record, the poller."""
    out: dict[str, Timed] = {}
    ids: list[str] = []
    async with SunoClient(
        api_key=api_key, base_url=url, store=store, poll=NEVER,
        rate_limit=RateLimit(creates=1_000_000, per_seconds=1.0),
    ) as client:
        await client.get_credits()  # the connection pool is warm

        async def submit(i: int) -> None:
            job = await client.generate(prompt=f"cost {tag} {i}")
            ids.append(job.task_id)
            job.detach()

        async def record(i: int) -> None:
            await client.get_record(ids[i % len(ids)])

        out["submit"] = await timed(n, 8, submit)
        out["get_record"] = await timed(n, 8, record)
    async with SunoClient(api_key=api_key, base_url=url, store=store, poll=FLAT_OUT) as client:
        poller = client._poller
        for task_id in ids[:tracked]:
            client.track(task_id)
        await asyncio.sleep(settle)  # connections open, every job in rotation
        polls0 = poller.polls
        wall0, cpu0 = time.perf_counter(), time.process_time()
        await asyncio.sleep(poll_seconds)
        out["poller"] = (
            poller.polls - polls0, time.perf_counter() - wall0, time.process_time() - cpu0
        )
    return out


async def part_cost(quick: bool, backends: list[tuple[str, Callable[[str], str]]]) -> list[Row]:
    n = 16 if quick else 200
    rounds = 3 if quick else 5
    tracked = 32
    shape: dict[str, Any] = {"n": n, "tracked": tracked, "settle": 0.05 if quick else 0.2,
                             "poll_seconds": 0.1 if quick else 1.5}
    # Stuck at FIRST_SUCCESS: every record is the same realistic size, no job ends.
    timeline = {"text": 0.0, "first": 0.0, "complete": 1e9}
    modes: list[tuple[str, Callable[[str], str] | None]] = [("memory", None), *backends]
    figures: dict[str, dict[str, list[Timed]]] = {
        name: {"submit": [], "get_record": [], "poller": []} for name, _ in modes
    }
    async with SandboxProcess(time_scale=1.0, timeline=timeline, seed=88) as sb:
        for rnd in range(rounds):  # each round runs every backend, in a rotating order,
            for name, spec in modes[rnd % 3:] + modes[:rnd % 3]:  # so drift hits all alike
                store = spec(f"cost-{name}") if spec else None
                got = await cost_round(sb.url, sb.api_key, store, f"{name} {rnd}", **shape)
                for op, t in got.items():
                    figures[name][op].append(t)
    rows: list[Row] = []
    memory = figures["memory"]

    def per_op(runs: list[Timed]) -> dict[str, float]:
        return {"wall": round(statistics.median(t[1] / t[0] * 1e3 for t in runs), 3),
                "cpu": round(statistics.median(t[2] / t[0] * 1e3 for t in runs), 3)}

    for op, label in (
        ("submit", f"submission (generate, {n} at concurrency 8)"),
        ("get_record", f"record round trip (get_record, {n} at concurrency 8)"),
        ("poller", f"poller poll ({tracked} tracked jobs, due at once)"),
    ):
        base = memory[op]
        for name, _ in backends:
            mine = figures[name][op]
            pairs = list(zip(mine, base, strict=True))
            wall = [(s[1] / s[0]) / (b[1] / b[0]) for s, b in pairs]
            cpu = [(s[2] / s[0]) / (b[2] / b[0]) for s, b in pairs]
            rows += [
                row(SCENARIO, f"{name}: {label}: wall / client CPU per op, median of "
                    f"{rounds} rounds, vs memory (wall/cpu)", per_op(mine), "ms",
                    baseline=per_op(base), ratio=round(statistics.median(wall), 3)),
                row(SCENARIO, f"{name}: {label}: wall per op, {name} / memory per round "
                    "(min/median/max)", spread(wall), "x", rounds=rounds),
                row(SCENARIO, f"{name}: {label}: client CPU per op, {name} / memory per round "
                    "(min/median/max)", spread(cpu), "x", rounds=rounds),
            ]
    return rows


# ----------------------------------------------------------------------------- entry


async def run(quick: bool) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as tmp:
        async with stores(Path(tmp)) as backends:
            if len(backends) < 2:
                rows.append(row(SCENARIO, "redis: not measured", "redis-server not found"))
            for part in (part_limit, part_cost):
                began = time.perf_counter()
                rows += await part(quick, backends)
                print(f"  fleet: {part.__name__} {time.perf_counter() - began:.1f} s",
                      file=sys.stderr, flush=True)
    return rows
