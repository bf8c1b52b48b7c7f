"""Jobs: the awaitable handle, the status tables per task family, and the poller."""

from __future__ import annotations

from .job import Job, JobEvent
from .kinds import KINDS, JobKind

__all__ = ["KINDS", "Job", "JobEvent", "JobKind"]
