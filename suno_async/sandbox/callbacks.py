"""Callback delivery: one scheduler task fires each task's stage callbacks at their times.

Only loopback/localhost ``http(s)`` URLs are contacted; other hosts are counted as
``callbacks_skipped`` (the sandbox never reaches the internet). Bodies are optionally signed as
kie does (REFERENCE §8.8): ``X-Webhook-Timestamp`` = unix seconds and ``X-Webhook-Signature`` =
base64(HMAC-SHA256(key, f"{taskId}.{timestamp}")).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import heapq
import hmac
import ipaddress
import json
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from .faults import FaultRegistry
from .records import callback_body
from .stats import SandboxStats
from .tasks import Phase, Task

log = logging.getLogger(__name__)

MAX_PARALLEL_DELIVERIES = 64
DELIVERY_TIMEOUT = 15.0


def is_local_url(url: str) -> bool:
    """True for http(s) URLs on localhost or a loopback address."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    host = parts.hostname
    if parts.scheme not in ("http", "https") or not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def signature(key: str, task_id: str, timestamp: int) -> str:
    """base64(HMAC-SHA256(key, f"{task_id}.{timestamp}"))."""
    mac = hmac.new(key.encode(), f"{task_id}.{timestamp}".encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


class CallbackDispatcher:
    """Fires callbacks at stage times; tracks and cancels its background tasks on close."""

    def __init__(
        self,
        *,
        stats: SandboxStats,
        faults: FaultRegistry,
        seed: int,
        time_scale: float,
        retries: int,
        hmac_key: str | None,
        on_phase: Callable[[Task, Phase], None],
    ) -> None:
        self.stats = stats
        self.faults = faults
        self.seed = seed
        self.time_scale = time_scale
        self.retries = max(1, retries)
        self.hmac_key = hmac_key
        self.on_phase = on_phase
        # (due loop time, sequence, task, indexes into task.steps fired together)
        self._heap: list[tuple[float, int, Task, tuple[int, ...]]] = []
        self._seq = 0
        self._wake: asyncio.Event | None = None
        self._worker: asyncio.Task[None] | None = None
        self._deliveries: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None
        self._limit: asyncio.Semaphore | None = None
        self._closed = False

    # lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        self._closed = False
        self._wake = asyncio.Event()
        self._limit = asyncio.Semaphore(MAX_PARALLEL_DELIVERIES)
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=DELIVERY_TIMEOUT),
            connector=aiohttp.TCPConnector(limit=MAX_PARALLEL_DELIVERIES),
        )
        self._worker = asyncio.create_task(self._run(), name="sandbox-callbacks")

    async def close(self) -> None:
        self._closed = True
        pending = [t for t in (self._worker, *self._deliveries) if t is not None]
        for t in pending:
            t.cancel()
        for t in pending:
            with contextlib.suppress(asyncio.CancelledError):
                await t
        self._deliveries.clear()
        self._worker = None
        self._heap.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def pending_deliveries(self) -> int:
        return len(self._deliveries)

    # scheduling -----------------------------------------------------------------------------

    def schedule(self, task: Task) -> None:
        """Queue the stage events of a new task (callbacks and side effects such as refunds)."""
        pending = [
            i
            for i, step in enumerate(task.steps)
            if i not in task.fired and step.phase not in (Phase.PENDING, Phase.QUEUED)
        ]
        if not pending:
            return
        if task.reorder_callbacks:
            self._push(task.created + task.end_offset, task, tuple(reversed(pending)))
            return
        for i in pending:
            self._push(task.created + task.steps[i].offset, task, (i,))

    def reschedule(self, task: Task) -> None:
        """Re-queue the events of ``task`` after its timeline changed (``Sandbox.advance``):
        events now due fire at once, in stage order; the rest at their new times."""
        self._heap = [entry for entry in self._heap if entry[2] is not task]
        heapq.heapify(self._heap)
        self.schedule(task)
        if self._wake is not None:
            self._wake.set()

    def _push(self, due: float, task: Task, indexes: tuple[int, ...]) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (due, self._seq, task, indexes))
        if self._wake is not None and self._heap[0][1] == self._seq:
            self._wake.set()

    async def _run(self) -> None:
        assert self._wake is not None
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            while self._heap and self._heap[0][0] <= now:
                _, _, task, indexes = heapq.heappop(self._heap)
                try:
                    self._fire(task, indexes)
                except Exception:  # pragma: no cover - a bug must not stop the scheduler
                    log.exception("sandbox: callback event for %s failed", task.task_id)
            self._wake.clear()
            timeout = None if not self._heap else max(0.0, self._heap[0][0] - loop.time())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    def _fire(self, task: Task, indexes: tuple[int, ...]) -> None:
        payloads: list[dict[str, Any]] = []
        for index in indexes:
            if index in task.fired or index >= len(task.steps):
                continue
            task.fired.add(index)
            phase = task.steps[index].phase
            self.on_phase(task, phase)
            if phase in task.callbacks_sent_early:
                continue
            body = callback_body(task, phase, self.seed)
            if body is None:
                continue
            if self._callback_fault(task, "callback_drop"):
                continue
            copies = 2 if self._callback_fault(task, "callback_duplicate") else 1
            payloads.extend([body] * copies)
        self._deliver(task, payloads)

    def _callback_fault(self, task: Task, kind: str) -> bool:
        fault = self.faults.pick(task.path, frozenset({kind}))
        if fault is None:
            return False
        self.stats.faults_injected[kind] += 1
        return True

    def _deliver(self, task: Task, payloads: list[dict[str, Any]]) -> None:
        if not payloads:
            return
        if not is_local_url(task.callback_url):
            self.stats.callbacks_skipped += len(payloads)
            return
        if self._closed or self._session is None:
            return
        job = asyncio.create_task(self._post_all(task, payloads))
        self._deliveries.add(job)
        job.add_done_callback(self._deliveries.discard)

    async def send_now(self, task: Task, phase: Phase, limit: float = 5.0) -> None:
        """Deliver the callback of ``phase`` immediately (the ``callback_early`` fault)."""
        body = callback_body(task, phase, self.seed)
        task.callbacks_sent_early.add(phase)
        self.on_phase(task, phase)
        if body is None:
            return
        if not is_local_url(task.callback_url):
            self.stats.callbacks_skipped += 1
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._post_all(task, [body]), limit)

    # delivery -------------------------------------------------------------------------------

    async def _post_all(self, task: Task, payloads: list[dict[str, Any]]) -> None:
        assert self._limit is not None
        async with self._limit:
            for payload in payloads:
                await self._post(task, payload)

    async def _post(self, task: Task, payload: dict[str, Any]) -> None:
        session = self._session
        if session is None:
            return
        data = json.dumps(payload, ensure_ascii=False).encode()
        for attempt in range(self.retries):
            headers = {"Content-Type": "application/json"}
            if self.hmac_key is not None:
                ts = int(time.time())
                headers["X-Webhook-Timestamp"] = str(ts)
                headers["X-Webhook-Signature"] = signature(self.hmac_key, task.task_id, ts)
            self.stats.callbacks_sent += 1
            try:
                async with session.post(task.callback_url, data=data, headers=headers) as resp:
                    await resp.read()
                    if 200 <= resp.status < 300:
                        self.stats.callbacks_acked += 1
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            self.stats.callbacks_failed += 1
            if attempt + 1 < self.retries:
                await asyncio.sleep(min(30.0, 2.0 * 2**attempt) * self.time_scale)
