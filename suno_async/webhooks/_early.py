"""A byte budget for callbacks that arrive before their task id is known.

While a create call is in flight its callbacks may come first; they are buffered
until the id registers. Without HMAC only the URL token guards that buffer, so it is
bounded here in bytes (all bodies held, and each one), on top of the client's own
bounds by count. The receiver counts what it handed over and releases it when the id
registers (the client applied and dropped the bodies) or the buffer's TTL passes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final

from ..config import EARLY_CALLBACK_TTL

__all__ = ["EARLY_BODY_MAX_BYTES", "EARLY_BUFFER_BYTES", "EarlyBudget"]

#: Raw bytes of early callback bodies held at once, all task ids together
#: (module constant; to move to ``WebhookPolicy.early_bytes``).
EARLY_BUFFER_BYTES: Final = 1024 * 1024
#: The largest single body buffered early (a genuine callback is a few KiB; a larger
#: one is answered 503 and the API retries it once the id is known).
EARLY_BODY_MAX_BYTES: Final = 64 * 1024


class EarlyBudget:
    """Bytes held per early task id, released on registration or after ``ttl``.

    >>> budget = EarlyBudget(max_bytes=100, max_body=60)
    >>> waiting = lambda task: True
    >>> budget.admit("a", 60, still_early=waiting), budget.admit("b", 50, still_early=waiting)
    (True, False)
    >>> budget.admit("b", 50, still_early=lambda task: task != "a"), budget.held
    (True, 50)
    """

    def __init__(
        self,
        *,
        max_bytes: int = EARLY_BUFFER_BYTES,
        max_body: int = EARLY_BODY_MAX_BYTES,
        ttl: float = EARLY_CALLBACK_TTL,
    ) -> None:
        self.max_bytes = max_bytes
        self.max_body = max_body
        self.ttl = ttl
        self._held: dict[str, tuple[float, int]] = {}

    @property
    def held(self) -> int:
        """Bytes currently counted as buffered (an upper bound of what clients hold)."""
        return sum(size for _, size in self._held.values())

    def prune(self, still_early: Callable[[str], bool]) -> float:
        """Forget ids that registered or outlived the TTL; returns the time used."""
        now = time.monotonic()
        for old in [k for k, (t, _) in self._held.items()
                    if now - t > self.ttl or not still_early(k)]:
            del self._held[old]
        return now

    def admit(self, task_id: str, size: int, *, still_early: Callable[[str], bool]) -> bool:
        """Count ``size`` more bytes for ``task_id`` if they fit; ``still_early(id)``
        is false once an id has registered (its bodies were applied and dropped)."""
        now = self.prune(still_early)
        if size > self.max_body or self.held + size > self.max_bytes:
            return False
        first, before = self._held.get(task_id, (now, 0))
        self._held[task_id] = (first, before + size)
        return True
