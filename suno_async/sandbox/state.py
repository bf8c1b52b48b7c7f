"""Everything one sandbox holds: accounts, tasks, limits, faults, counters, callbacks."""

from __future__ import annotations

import asyncio
import json
import random
import secrets
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .callbacks import CallbackDispatcher
from .faults import FaultRegistry
from .limits import DEFAULT_COSTS, SlidingWindow
from .providers import provider
from .records import FAILURE_PHASES
from .requestlog import RequestLog
from .stats import SandboxStats
from .tasks import Phase, Task, TaskStore


@dataclass(kw_only=True)
class SandboxConfig:
    """Construction parameters of a sandbox (see ``Sandbox``)."""

    time_scale: float = 1.0
    seed: int = 0
    api_key: str | None = None
    credits: float = 10_000.0
    rate_limit: tuple[int, float] | None = (20, 10.0)
    poll_limit: float | None = 3.0
    hmac_key: str | None = None
    callback_retries: int = 3
    timeline: Mapping[str, float] | None = None
    costs: Mapping[str, float] = field(default_factory=dict)
    provider: str = "kie"


class SandboxState:
    """Shared by every handler of one sandbox application."""

    def __init__(self, config: SandboxConfig) -> None:
        if config.time_scale < 0:
            raise ValueError("time_scale must be >= 0")
        self.config = config
        self.provider = provider(config.provider)
        self.requests = RequestLog()
        self.seed = config.seed
        self.time_scale = config.time_scale
        self._ids = random.Random(f"ids:{config.seed}")
        self.api_key = config.api_key or secrets.token_hex(16)
        self.credits: dict[str, float] = {self.api_key: float(config.credits)}
        self.costs: dict[str, float] = {**DEFAULT_COSTS, **config.costs}
        self.stats = SandboxStats()
        self.faults = FaultRegistry(config.seed)
        self.store = TaskStore()
        self.rate = (
            SlidingWindow(int(config.rate_limit[0]), float(config.rate_limit[1]))
            if config.rate_limit is not None
            else None
        )
        self.polls: SlidingWindow | None = None
        if config.poll_limit is not None and config.poll_limit > 0:
            limit = max(1, int(config.poll_limit))
            self.polls = SlidingWindow(limit, limit / config.poll_limit)
        self.uploads: dict[str, tuple[bytes, str]] = {}  # filePath -> (bytes, mime type)
        self.callbacks = CallbackDispatcher(
            stats=self.stats,
            faults=self.faults,
            seed=config.seed,
            time_scale=config.time_scale,
            retries=config.callback_retries,
            hmac_key=config.hmac_key,
            on_phase=self._on_phase,
        )

    # clock and ids --------------------------------------------------------------------------

    @staticmethod
    def now() -> float:
        return asyncio.get_running_loop().time()

    @staticmethod
    def epoch_ms() -> int:
        return int(time.time() * 1000)

    def new_task_id(self) -> str:
        """32 lowercase hex characters, deterministic for a given seed and creation order."""
        return f"{self._ids.getrandbits(128):032x}"

    def new_uuid(self) -> str:
        return str(uuid.UUID(int=self._ids.getrandbits(128), version=4))

    def task_rng(self, task_id: str) -> random.Random:
        return random.Random(f"task:{self.seed}:{task_id}")

    # accounts -------------------------------------------------------------------------------

    def cost(self, operation: str) -> float:
        return float(self.costs.get(operation, 0.0))

    def can_pay(self, key: str, amount: float) -> bool:
        return amount <= 0 or self.credits.get(key, 0.0) + 1e-9 >= amount

    def charge(self, key: str, amount: float) -> None:
        self.credits[key] = round(self.credits.get(key, 0.0) - amount, 6)

    # tasks ----------------------------------------------------------------------------------

    @staticmethod
    def param_json(body: Mapping[str, Any]) -> str:
        return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def add_task(self, task: Task) -> None:
        self.store.add(task)
        self.stats.submissions[task.path] += 1
        self.stats.submissions_by_key[task.owner] += 1
        self.callbacks.schedule(task)

    def _on_phase(self, task: Task, phase: Phase) -> None:
        if phase in FAILURE_PHASES and task.refund_on_failure and task.cost > 0:
            task.refund_on_failure = False
            self.charge(task.owner, -task.cost)
