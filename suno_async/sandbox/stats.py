"""Counters of what the sandbox received and sent (``sb.stats``, ``GET /_sandbox/stats``)."""

from __future__ import annotations

from collections import Counter
from typing import Any


class SandboxStats:
    """Plain counters that tests read to prove what reached the server.

    Example::

        async with Sandbox(time_scale=0.01) as sb:
            ...
            assert sb.stats.submissions["/api/v1/generate"] == 1
            assert max(sb.stats.polls.values()) <= 10
            sb.stats.reset()
    """

    received: Counter[str]
    submissions: Counter[str]
    submissions_by_key: Counter[str]
    polls: Counter[str]
    faults_injected: Counter[str]
    rate_limited: int
    callbacks_sent: int
    callbacks_acked: int
    callbacks_failed: int
    callbacks_skipped: int

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Set every counter back to zero."""
        self.received = Counter()
        self.submissions = Counter()
        self.submissions_by_key = Counter()
        self.polls = Counter()
        self.faults_injected = Counter()
        self.rate_limited = 0
        self.callbacks_sent = 0
        self.callbacks_acked = 0
        self.callbacks_failed = 0
        self.callbacks_skipped = 0

    def to_json(self) -> dict[str, Any]:
        """All counters as a JSON-ready dict (the body of ``GET /_sandbox/stats``)."""
        return {
            "received": dict(self.received),
            "submissions": dict(self.submissions),
            "submissions_by_key": dict(self.submissions_by_key),
            "polls": dict(self.polls),
            "faults_injected": dict(self.faults_injected),
            "rate_limited": self.rate_limited,
            "callbacks_sent": self.callbacks_sent,
            "callbacks_acked": self.callbacks_acked,
            "callbacks_failed": self.callbacks_failed,
            "callbacks_skipped": self.callbacks_skipped,
        }

    def __repr__(self) -> str:
        return f"SandboxStats({self.to_json()!r})"
