"""Fault injection: the ``Fault`` rule and the registry that decides when one applies."""

from __future__ import annotations

import fnmatch
import random
from dataclasses import dataclass, field

HTTP_KINDS = frozenset(
    {"http_429", "http_500", "http_503", "body_code", "drop", "delay", "malformed", "html"}
)
CALLBACK_KINDS = frozenset(
    {"callback_duplicate", "callback_reorder", "callback_drop", "callback_early"}
)
KINDS = HTTP_KINDS | CALLBACK_KINDS


@dataclass(kw_only=True)
class Fault:
    """One fault-injection rule.

    ``route`` is an fnmatch pattern on the request path (for callback kinds: on the path of the
    request that created the task); ``rate`` the probability that a matching request is hit
    (drawn from the sandbox's seeded RNG); ``times`` the maximum number of applications
    (``None`` = unlimited). ``applied`` counts how often it fired.

    Kinds and their extra fields:

    * ``"http_429"``, ``"http_500"``, ``"http_503"``: that HTTP status with a JSON body
      ``{code, msg, data: null}``; ``retry_after`` (seconds) adds a ``Retry-After`` header.
    * ``"body_code"``: HTTP 200 + ``{code, msg, data: null}`` (``code`` e.g. 455 or 500, ``msg``).
    * ``"drop"``: the connection is closed without a reply, before processing (no task is
      created); ``after=True`` processes the request first (task created and counted).
    * ``"delay"``: the request is processed, then the reply is held back ``seconds`` (not scaled).
    * ``"malformed"``: HTTP 200 with a truncated JSON body; ``"html"``: HTTP 502 HTML page.
      Like the status kinds they reject before processing unless ``after=True``.
    * ``"callback_duplicate"``: each matching callback is delivered twice.
    * ``"callback_drop"``: each matching callback is lost (never sent).
    * ``"callback_reorder"``: the task's callbacks are all sent at its end, newest stage first
      (``complete`` before ``first`` before ``text``).
    * ``"callback_early"``: the first callback is sent before the create reply, which is held
      until that delivery finished.

    Example::

        async with Sandbox(time_scale=0.01) as sb:
            sb.inject(Fault(route="/api/v1/generate", kind="http_503", times=1, retry_after=1))
            sb.inject(Fault(route="*/record-info", kind="malformed", rate=0.2))
            sb.inject(Fault(route="/api/v1/generate", kind="callback_duplicate"))
    """

    route: str = "*"
    kind: str
    rate: float = 1.0
    times: int | None = None
    code: int = 500
    msg: str | None = None
    retry_after: float | None = None
    seconds: float = 1.0
    after: bool = False
    applied: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {sorted(KINDS)}")
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("rate must be within [0, 1]")
        if self.times is not None and self.times < 0:
            raise ValueError("times must be >= 0 or None")

    @property
    def exhausted(self) -> bool:
        """True once the rule was applied ``times`` times."""
        return self.times is not None and self.applied >= self.times

    def matches(self, path: str) -> bool:
        """Whether ``path`` matches the route pattern."""
        return fnmatch.fnmatchcase(path, self.route)


class FaultRegistry:
    """The active faults of one sandbox; draws from a seeded RNG."""

    def __init__(self, seed: int) -> None:
        self.faults: list[Fault] = []
        self._rng = random.Random(f"faults:{seed}")

    def add(self, fault: Fault) -> Fault:
        self.faults.append(fault)
        return fault

    def clear(self) -> None:
        self.faults.clear()

    def pick(self, path: str, kinds: frozenset[str]) -> Fault | None:
        """The first fault of ``kinds`` that matches ``path`` and wins its draw (then counted)."""
        for fault in self.faults:
            if fault.kind not in kinds or fault.exhausted or not fault.matches(path):
                continue
            if fault.rate < 1.0 and self._rng.random() >= fault.rate:
                continue
            fault.applied += 1
            return fault
        return None
