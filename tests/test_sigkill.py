"""SIGKILL mid-batch, restart, resume: every request submitted exactly once, every job resolved.

Three real processes: the sandbox (``python -m suno_async.sandbox --port 0``), a first
batch runner killed with ``SIGKILL`` while jobs are in flight, and a second runner that
resumes from the same journal file. The sandbox's own counters (``GET /_sandbox/stats``)
prove nothing was paid for twice.

The first runner freezes (blocks its event loop) at a moment when no task-creating POST
is in flight and then gets ``kill -9``: a POST whose reply never arrived cannot be
journaled by any client (the API has no idempotency key), so the test places the kill
where the claim is decidable. Jobs are running, some finished, some not yet submitted.
"""

from __future__ import annotations

import json
import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ._reliability import no_leaks  # noqa: F401

pytestmark = pytest.mark.usefixtures("no_leaks")

ROOT = Path(__file__).resolve().parents[1]
GENERATE = "/api/v1/generate"
BATCH = 12
CONCURRENCY = 4
#: Freeze (then get killed) at the first submission after this many, with no POST in flight.
FREEZE_AFTER = 7

RUNNER = r"""
import asyncio, json, sys, time
import suno_async
from suno_async import GenerateRequest, PollPolicy, RetryPolicy, SunoClient, Timeouts

base_url, api_key, journal, mode = sys.argv[1:5]
BATCH, CONCURRENCY, FREEZE_AFTER = (int(x) for x in sys.argv[5:8])

def out(*parts):
    print(*parts, flush=True)

async def main():
    requests = [
        GenerateRequest(prompt=f"sigkill song {i}" + (" [[slow]]" if i % 3 == 0 else ""))
        for i in range(BATCH)
    ]
    poll = PollPolicy(initial=0.1, maximum=0.4, early_maximum=0.3, min_interval=0.34,
                      max_wait=60)
    async with SunoClient(api_key=api_key, base_url=base_url, poll=poll,
                          retry=RetryPolicy(max_attempts=4, max_delay=0.2, base=0.02),
                          timeouts=Timeouts(connect=2, read=10, total=20),
                          journal=journal) as client:
        submitted = 0

        def on_item(item):
            nonlocal submitted
            if item.job is None:
                out("error", item.index, type(item.error).__name__)
                return
            submitted += 1
            out("submitted", item.index, item.job.task_id, int(item.resumed))
            # Freeze only when no other task-creating POST is in flight.
            if mode == "first" and submitted >= FREEZE_AFTER and not client._submits:
                out("frozen")
                time.sleep(120)  # blocks the loop; the test sends SIGKILL now

        if mode == "resume":
            resumed = await client.resume()
            out("resumed", len(resumed))
        items = await client.generate_many(requests, concurrency=CONCURRENCY, on_item=on_item)
        results = {}
        async for job in suno_async.as_completed(items, timeout=60):
            try:
                record = await job
                results[job.task_id] = ["ok", len(record.tracks)]
            except suno_async.SunoError as exc:
                results[job.task_id] = [type(exc).__name__, 0]
        out("result", json.dumps({
            "items": [[i.index, i.job.task_id if i.job else None, i.resumed] for i in items],
            "jobs": results,
        }))

asyncio.run(main())
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("SUNO_API_KEY", None)
    env.pop("SUNO_BASE_URL", None)
    return env


def _lines(proc: subprocess.Popen[bytes], deadline: float) -> Iterator[str]:
    """Lines from ``proc.stdout`` until EOF, failing the test past ``deadline``.

    Reads the raw pipe (``os.read``), so ``select`` never misses lines held in a buffer.
    """
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    pending = b""
    while True:
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            yield line.decode()
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            pytest.fail("child process produced no expected output in time")
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            if pending:
                yield pending.decode()
            return
        pending += chunk


def _spawn(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.communicate(timeout=10)


def _stats(url: str, key: str) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{url}/_sandbox/stats", headers={"Authorization": f"Bearer {key}"}
    )
    with urllib.request.urlopen(request, timeout=5) as reply:
        data: dict[str, Any] = json.loads(reply.read())
    return data.get("data", data) if isinstance(data.get("data"), dict) else data


def _journal(path: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.execute("SELECT task_id, request_key, ok FROM tasks"))
    finally:
        conn.close()


def test_sigkill_mid_batch_then_resume(tmp_path: Path) -> None:
    journal = tmp_path / "jobs.sqlite3"
    sandbox = _spawn(
        "-m", "suno_async.sandbox", "--port", "0", "--time-scale", "0.005", "--seed", "7"
    )
    children: list[subprocess.Popen[bytes]] = []
    try:
        url = key = None
        for line in _lines(sandbox, time.monotonic() + 20):
            if line.startswith("Suno sandbox listening on "):
                url = line.rsplit(" ", 1)[1]
            elif line.startswith("API key: "):
                key = line.split(": ", 1)[1]
                break
        assert url, "the sandbox did not print its URL"
        assert key, "the sandbox did not print its key"
        args = [url, key, str(journal)]
        counts = [str(BATCH), str(CONCURRENCY), str(FREEZE_AFTER)]

        # --- run 1: killed with SIGKILL mid-batch --------------------------------------
        first = _spawn("-c", RUNNER, *args, "first", *counts)
        children.append(first)
        before_kill: dict[int, str] = {}
        frozen = False
        for line in _lines(first, time.monotonic() + 30):
            word, *rest = line.split()
            if word == "submitted":
                before_kill[int(rest[0])] = rest[1]
            elif word == "frozen":
                frozen = True
                first.send_signal(signal.SIGKILL)
                break
        _, err = first.communicate(timeout=10)
        assert frozen, f"run 1 never reached its kill point: {err.decode()}"
        assert first.returncode == -signal.SIGKILL
        journaled = _journal(journal)
        assert len(before_kill) >= FREEZE_AFTER
        assert len(journaled) == len(before_kill) < BATCH  # mid-batch: work left to submit
        assert any(ok is None for _, _, ok in journaled)  # and jobs still in flight
        submitted_before = _stats(url, key)["submissions"].get(GENERATE, 0)
        assert submitted_before == len(before_kill)

        # --- run 2: same journal, resume and finish the batch ---------------------------
        second = _spawn("-c", RUNNER, *args, "resume", *counts)
        children.append(second)
        result: dict[str, Any] | None = None
        resumed_count = -1
        for line in _lines(second, time.monotonic() + 60):
            word, _, rest = line.partition(" ")
            if word == "resumed":
                resumed_count = int(rest)
            elif word == "result":
                result = json.loads(rest)
        _, err = second.communicate(timeout=20)
        assert second.returncode == 0, err.decode()
        assert result is not None, err.decode()

        # --- the proof ------------------------------------------------------------------
        stats = _stats(url, key)
        assert stats["submissions"][GENERATE] == BATCH  # each request exactly once
        assert stats["submissions_by_key"][key] == BATCH
        assert resumed_count == sum(1 for _, _, ok in journaled if ok is None)
        items = {index: (task_id, resumed) for index, task_id, resumed in result["items"]}
        assert sorted(items) == list(range(BATCH))
        for index, task_id in before_kill.items():
            assert items[index] == (task_id, True)  # re-attached, not re-sent
        assert all(not resumed for i, (_, resumed) in items.items() if i not in before_kill)
        task_ids = [task_id for task_id, _ in items.values()]
        assert len(set(task_ids)) == BATCH
        assert result["jobs"] == {task_id: ["ok", 2] for task_id in task_ids}
        final = _journal(journal)
        assert sorted(t for t, _, _ in final) == sorted(task_ids)
        assert len({k for _, k, _ in final}) == BATCH
        assert all(ok == 1 for _, _, ok in final)
        assert sum(stats["polls"].get(t, 0) for t in task_ids) > 0
    finally:
        for child in children:
            _stop(child)
        if sandbox.poll() is None:
            sandbox.send_signal(signal.SIGTERM)
        try:
            sandbox.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            _stop(sandbox)
    assert sandbox.returncode == 0
