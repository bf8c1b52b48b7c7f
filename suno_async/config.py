"""Configuration objects and every default number the SDK uses.

All configuration is made of small frozen attrs classes, in the spirit of
``aiohttp.ClientTimeout``: build one, pass it to :class:`~suno_async.SunoClient`,
derive variants with :func:`attrs.evolve`.

>>> from suno_async import PollPolicy
>>> fast = PollPolicy(initial=0.05, maximum=0.2, max_wait=5)
>>> fast.initial
0.05
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Final

import attrs

__all__ = [
    "DEFAULT_BATCH_CONCURRENCY",
    "DEFAULT_CALLBACK_PLACEHOLDER",
    "DEFAULT_DOWNLOAD_TIMEOUT",
    "DEFAULT_MAX_DOWNLOAD_BYTES",
    "JOURNAL_DRAIN_TIMEOUT",
    "MAX_REPLY_BYTES",
    "PROVIDERS",
    "SETTLED_JOBS_KEPT",
    "FleetPolicy",
    "PollPolicy",
    "ProviderProfile",
    "RateLimit",
    "RetryPolicy",
    "StageWindow",
    "Timeouts",
    "WebhookPolicy",
]

# --------------------------------------------------------------------------------------
# Every default number, in one place.
# --------------------------------------------------------------------------------------

# Poll schedule. Where a stage's timing is documented (REFERENCE §9 "Latency": stream
# URL 30-40 s, downloadable ~2-3 min after creation), its polls go inside that window,
# evenly in probability: FIRST_SUCCESS is seen within ~6 s of happening and SUCCESS
# ~4 s after it happens on average, at <= 12 polls per music job. The windows move
# with what the client observes (per kind and model) and stretch for a job that runs
# late; past a window the cadence backs off geometrically. Stages without a documented
# window (other families) use the geometric cadence from ``initial``. See benchmarks/
# for the measured figures.
#: Without a window: the first poll after submission or a stage change comes this soon.
DEFAULT_POLL_INITIAL: Final = 7.5
#: Poll cadence never grows beyond this (seconds).
DEFAULT_POLL_MAXIMUM: Final = 100.0
#: Until a job's first results (FIRST_SUCCESS) no gap between polls exceeds this.
DEFAULT_POLL_EARLY_MAXIMUM: Final = 40.0
#: Multiplier applied to the interval after each poll that saw no change (no window,
#: or past the window).
DEFAULT_POLL_FACTOR: Final = 2.0
#: The API allows at most 3 record-info calls per second per task.
DEFAULT_POLL_MIN_INTERVAL: Final = 0.34
#: Record-info requests in flight at once, per client (below the connection pool).
DEFAULT_POLL_CONCURRENCY: Final = 32
#: Fraction of the interval (of the probability step, inside a window) randomised so a
#: batch never polls in lock-step.
DEFAULT_POLL_JITTER: Final = 0.2
#: A job is given up as timed out (``JobTimeoutError``) after this long (seconds).
DEFAULT_POLL_MAX_WAIT: Final = 15 * 60.0
#: Polls per job spent by the schedule; beyond it a job is polled at its cap
#: (``maximum``; ``early_maximum`` before first results).
DEFAULT_POLL_BUDGET: Final = 12
#: Weight (in jobs) of the documented window against observed jobs when it is moved.
POLL_PRIOR_WEIGHT: Final = 4.0
#: Each new observation of a (kind, model, stage) weighs this much more than the last
#: (1 / decay): the learned pace follows the last ~10 jobs.
POLL_LEARN_DECAY: Final = 0.9
#: A window moves or stretches by at most this factor either way.
POLL_MAX_PACE: Final = 8.0
#: (kind, model) pairs whose timings are learned; further ones use the documented window.
POLL_LEARNED_KEYS: Final = 256
#: ``aclose()`` waits at most this long for journal writes still in flight (seconds).
JOURNAL_DRAIN_TIMEOUT: Final = 10.0
#: Callbacks that arrive before their task id is known (while a create is in flight)
#: are buffered: at most this many task ids, this many bodies each, for this long.
EARLY_CALLBACK_TASKS: Final = 256
EARLY_CALLBACKS_PER_TASK: Final = 4
EARLY_CALLBACK_TTL: Final = 300.0
#: ... and at most this many bytes of bodies in all (a flood of large unsigned bodies
#: must not grow memory: 40 bodies of 1 MiB would otherwise be kept).
EARLY_CALLBACK_BYTES: Final = 4 * 1024 * 1024
#: Connections in a client's pool; the poller uses at most ``PollPolicy.concurrency``
#: of them, so a submission always finds a free one.
CONNECTION_LIMIT: Final = 100
#: Records ``get_record`` keeps with their reply's fingerprint, so asking again for a
#: task whose reply did not change decodes nothing (oldest out).
RECORDS_REMEMBERED: Final = 256
#: Unfinished jobs ``generate_many`` (and ``suno-async batch``) keeps at once unless
#: told otherwise. One number for the library and the CLI: 8 keeps a batch's creates
#: well inside the API's 20 per 10 s and its polls inside ``DEFAULT_POLL_CONCURRENCY``.
DEFAULT_BATCH_CONCURRENCY: Final = 8
#: How often ``suno-async batch --store`` reads the whole batch's progress (every
#: worker's lines) from the store (seconds): one ``entries()`` read per look.
BATCH_PROGRESS_INTERVAL: Final = 2.0
#: Replies from the API larger than this are refused unread (bytes); the biggest
#: genuine replies (record-info with MIDI notes) are far below it.
MAX_REPLY_BYTES: Final = 16 * 1024 * 1024
#: How long a submission waits for another process's claim on the same request to
#: turn into a task (or disappear) before giving up (seconds), and how often it looks.
CLAIM_WAIT: Final = 60.0
CLAIM_POLL_INTERVAL: Final = 0.2
#: Settled jobs a client keeps indexed (``client.jobs``, late callbacks); older ones
#: are dropped so a long-running client's memory stays bounded.
SETTLED_JOBS_KEPT: Final = 1000
#: Polling cadence while webhooks are attached (the safety net), seconds.
DEFAULT_WEBHOOK_SAFETY_POLL: Final = 60.0
#: Consecutive failed polls that end a job with ``JobTrackingError``.
DEFAULT_MAX_POLL_FAILURES: Final = 8

DEFAULT_CONNECT_TIMEOUT: Final = 10.0
DEFAULT_READ_TIMEOUT: Final = 30.0
DEFAULT_TOTAL_TIMEOUT: Final = 60.0

DEFAULT_RETRY_ATTEMPTS: Final = 5
DEFAULT_RETRY_MAX_DELAY: Final = 30.0
DEFAULT_RETRY_BASE: Final = 0.5

#: kie.ai: at most 20 new generation requests per 10 seconds per account.
DEFAULT_RATE_CREATES: Final = 20
DEFAULT_RATE_PERIOD: Final = 10.0
DEFAULT_RATE_MAX_WAIT: Final = 120.0

#: Callback endpoints must answer within 15 s; we answer at once and bound bodies.
DEFAULT_WEBHOOK_MAX_BODY: Final = 1024 * 1024
DEFAULT_WEBHOOK_TOLERANCE: Final = 300.0

#: Downloads larger than this are refused (bytes).
DEFAULT_MAX_DOWNLOAD_BYTES: Final = 200 * 1024 * 1024
#: A download gives up after this long in all, however slowly bytes trickle (seconds).
DEFAULT_DOWNLOAD_TIMEOUT: Final = 600.0

#: ``callBackUrl`` is mandatory for task creation; when the user only polls, this
#: documented placeholder is sent (the API never validates reachability at submit).
DEFAULT_CALLBACK_PLACEHOLDER: Final = "https://example.invalid/suno-async/no-callback"


# Fleet (clients sharing one store: FleetPolicy).
#: A job's lease (the right to poll it) lasts this long without renewal (seconds):
#: a dead owner's jobs are taken over by a survivor after this long.
DEFAULT_LEASE_TTL: Final = 30.0
#: A followed job (leased by another process) is read from the store this often, as a
#: safety net under the store's feed (seconds).
DEFAULT_FOLLOW_INTERVAL: Final = 5.0
#: Orphaned leases taken over per look (bounded: the store's rows are many).
FLEET_TAKEOVER_BATCH: Final = 100
#: On close, the fleet's feed reader gets this long to end its blocking read (seconds;
#: above ``REDIS_STREAM_BLOCK_MS``), then it is cancelled.
FLEET_FEED_STOP: Final = 1.0
#: A poll's or a callback's record routed through the store is at most this long (bytes).
FLEET_MAX_MESSAGE: Final = 1_048_576


def _number(attribute: attrs.Attribute[Any], value: object) -> float:
    """``value`` as a finite real number, or a TypeError/ValueError naming the field."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{attribute.name} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{attribute.name} must be finite, got {value!r}")
    return float(value)


def _positive(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not _number(attribute, value) > 0:
        raise ValueError(f"{attribute.name} must be > 0, got {value!r}")


def _non_negative(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if _number(attribute, value) < 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {value!r}")


def _at_least(minimum: float) -> Callable[[object, attrs.Attribute[Any], object], None]:
    def check(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if _number(attribute, value) < minimum:
            raise ValueError(f"{attribute.name} must be >= {minimum:g}, got {value!r}")

    return check


def _count(minimum: int) -> Callable[[object, attrs.Attribute[Any], object], None]:
    """An ``int`` (not a bool, not a float) of at least ``minimum``."""

    def check(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{attribute.name} must be an int, got {value!r}")
        if value < minimum:
            raise ValueError(f"{attribute.name} must be >= {minimum}, got {value!r}")

    return check


@attrs.frozen
class StageWindow:
    """When a stage of a task family is expected, in seconds after the task's creation.

    ``polls`` polls are spent between ``low`` and ``high``, evenly in probability.

    >>> StageWindow("music", "SUCCESS", 120.0, 180.0, 8).high
    180.0
    """

    kind: str
    stage: str
    low: float
    high: float
    polls: int = 4

    def __attrs_post_init__(self) -> None:
        if not 0 <= self.low < self.high:
            raise ValueError(f"window of {self.kind} {self.stage}: need 0 <= low < high")
        if self.polls < 1:
            raise ValueError(f"window of {self.kind} {self.stage}: polls must be >= 1")


#: The documented timings (REFERENCE §9): stream URL 30-40 s, downloadable ~2-3 min.
DEFAULT_POLL_WINDOWS: Final = (
    StageWindow("music", "FIRST_SUCCESS", 30.0, 40.0, 2),
    StageWindow("music", "SUCCESS", 120.0, 180.0, 8),
)


@attrs.frozen(kw_only=True)
class PollPolicy:
    """How tracked jobs are polled.

    Where ``windows`` documents when a stage is expected (seconds after the task was
    created), the polls waiting for it are spread inside that window, evenly in
    probability (``StageWindow.polls`` of them): densest where the change is likely,
    none before. The windows are moved by what the client observed of earlier jobs of
    the same kind and model (``learn``), and a job that reached a stage late has its
    later windows stretched alike. Past a window, and for stages without one, the
    interval starts at ``initial`` (at the window's spacing), is multiplied by
    ``factor`` after every poll that saw no change, and is capped at ``maximum``
    (``early_maximum`` until the job's first results). After ``budget`` polls a job is
    polled at that cap. ``jitter`` randomises each step by that fraction
    so a batch never polls in lock-step; ``min_interval`` keeps within the API's 3 calls
    per second per task. A job that has not finished after ``max_wait`` seconds fails
    its waiters with ``JobTimeoutError`` and stops being polled (the task itself may
    still finish).

    >>> PollPolicy(initial=0.05, maximum=0.5, early_maximum=0.1).factor
    2.0
    >>> PollPolicy().scaled(0.01).windows[0].high
    0.4
    """

    initial: float = attrs.field(default=DEFAULT_POLL_INITIAL, validator=_positive)
    maximum: float = attrs.field(default=DEFAULT_POLL_MAXIMUM, validator=_positive)
    early_maximum: float = attrs.field(default=DEFAULT_POLL_EARLY_MAXIMUM, validator=_positive)
    min_interval: float = attrs.field(default=DEFAULT_POLL_MIN_INTERVAL, validator=_non_negative)
    concurrency: int = attrs.field(default=DEFAULT_POLL_CONCURRENCY, validator=_count(1))
    factor: float = attrs.field(default=DEFAULT_POLL_FACTOR, validator=_at_least(1))
    max_wait: float = attrs.field(default=DEFAULT_POLL_MAX_WAIT, validator=_positive)
    jitter: float = attrs.field(default=DEFAULT_POLL_JITTER, validator=_non_negative)
    max_failures: int = attrs.field(default=DEFAULT_MAX_POLL_FAILURES, validator=_count(1))
    #: Cadence used while a webhook receiver is attached (polling as a safety net).
    webhook_interval: float = attrs.field(default=DEFAULT_WEBHOOK_SAFETY_POLL, validator=_positive)
    #: When each stage is expected, per task family (``()``: geometric cadence only).
    windows: tuple[StageWindow, ...] = DEFAULT_POLL_WINDOWS
    #: Polls per job spent by the schedule before falling back to the cap.
    budget: int = attrs.field(default=DEFAULT_POLL_BUDGET, validator=_count(1))
    #: Move the windows by what this client observes (per kind and model).
    learn: bool = True

    def __attrs_post_init__(self) -> None:
        if self.maximum < self.initial:
            raise ValueError("maximum must be >= initial")
        if self.jitter >= 1:
            raise ValueError("jitter must be < 1")

    def _scaled_windows(self, factor: float) -> tuple[StageWindow, ...]:
        return tuple(
            StageWindow(w.kind, w.stage, w.low * factor, w.high * factor, w.polls)
            for w in self.windows
        )

    def scaled(self, factor: float) -> PollPolicy:
        """This policy with every duration multiplied by ``factor`` (for a sandbox run at
        ``time_scale=factor``: the same schedule on its compressed clock)."""
        return attrs.evolve(
            self,
            initial=self.initial * factor,
            maximum=self.maximum * factor,
            early_maximum=self.early_maximum * factor,
            min_interval=self.min_interval * factor,
            webhook_interval=self.webhook_interval * factor,
            max_wait=self.max_wait * factor,
            windows=self._scaled_windows(factor),
        )


@attrs.frozen(kw_only=True)
class Timeouts:
    """Finite timeouts for every HTTP call (seconds).

    >>> Timeouts(total=5).connect
    10.0
    """

    connect: float = attrs.field(default=DEFAULT_CONNECT_TIMEOUT, validator=_positive)
    read: float = attrs.field(default=DEFAULT_READ_TIMEOUT, validator=_positive)
    total: float = attrs.field(default=DEFAULT_TOTAL_TIMEOUT, validator=_positive)


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """Retries of safe requests: exponential backoff with full jitter.

    ``max_attempts`` counts the first try. ``max_delay`` caps one sleep, including a
    server's ``Retry-After``. ``base`` is the first backoff step.

    >>> RetryPolicy(max_attempts=1).max_attempts  # no retries
    1
    """

    max_attempts: int = attrs.field(default=DEFAULT_RETRY_ATTEMPTS, validator=_count(1))
    max_delay: float = attrs.field(default=DEFAULT_RETRY_MAX_DELAY, validator=_positive)
    base: float = attrs.field(default=DEFAULT_RETRY_BASE, validator=_positive)


@attrs.frozen(kw_only=True)
class RateLimit:
    """Client-side limit on task-creating calls: a sliding window.

    At most ``creates`` calls start in any ``per_seconds`` window (the API's own rule);
    a single call waits at most ``max_wait`` seconds for a slot, then raises
    ``RateLimitError`` (at once, when the wait would be longer). Items of
    ``generate_many`` wait for their turn in the batch's queue instead.

    >>> RateLimit().creates, RateLimit().per_seconds
    (20, 10.0)
    """

    creates: int = attrs.field(default=DEFAULT_RATE_CREATES, validator=_count(1))
    per_seconds: float = attrs.field(default=DEFAULT_RATE_PERIOD, validator=_positive)
    max_wait: float = attrs.field(default=DEFAULT_RATE_MAX_WAIT, validator=_non_negative)


@attrs.frozen(kw_only=True)
class WebhookPolicy:
    """Limits applied by the webhook receiver.

    >>> WebhookPolicy().max_body
    1048576
    """

    max_body: int = attrs.field(default=DEFAULT_WEBHOOK_MAX_BODY, validator=_count(1))
    #: Accepted clock skew for ``X-Webhook-Timestamp`` (seconds), against replays.
    tolerance: float = attrs.field(default=DEFAULT_WEBHOOK_TOLERANCE, validator=_positive)


@attrs.frozen(kw_only=True)
class FleetPolicy:
    """How clients sharing a store (``SunoClient(store=...)``) share their jobs.

    Each task is polled by one process at a time: the one holding its *lease*, which it
    renews every ``lease_ttl / 3`` seconds. Other processes follow the task through the
    store (the owner's observations and every callback any process received reach them
    through the store's feed; ``follow_interval`` is the safety-net read of the job's
    row). A lease not renewed for ``lease_ttl`` seconds (its owner died) is taken over
    by a survivor within ``takeover_interval`` more. ``enabled=False`` keeps only the
    claims and the rate window shared (each process polls its own jobs).

    >>> FleetPolicy().lease_ttl, FleetPolicy().takeover
    (30.0, 7.5)
    >>> FleetPolicy(lease_ttl=0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: lease_ttl must be > 0, got 0
    """

    lease_ttl: float = attrs.field(default=DEFAULT_LEASE_TTL, validator=_positive)
    follow_interval: float = attrs.field(default=DEFAULT_FOLLOW_INTERVAL, validator=_positive)
    #: How often orphaned leases are looked for (default ``lease_ttl / 4``).
    takeover_interval: float | None = attrs.field(default=None)
    enabled: bool = True

    @takeover_interval.validator
    def _check_takeover(self, attribute: attrs.Attribute[Any], value: float | None) -> None:
        if value is not None:
            _positive(self, attribute, value)

    @property
    def heartbeat(self) -> float:
        """Seconds between two lease renewals (a third of ``lease_ttl``)."""
        return self.lease_ttl / 3

    @property
    def takeover(self) -> float:
        """Seconds between two looks for orphaned leases."""
        return self.takeover_interval if self.takeover_interval is not None else self.lease_ttl / 4


@attrs.frozen(kw_only=True)
class ProviderProfile:
    """What differs between same-shape hosts: base URLs, paths and the body-code table.

    ``code_map`` maps a body ``code`` to an error kind name understood by
    :mod:`suno_async.errors` (``"auth"``, ``"credits"``, ``"rate_limit"`` ...).
    """

    name: str
    base_url: str
    upload_base_url: str
    credits_path: str
    code_map: dict[int, str] = attrs.field(factory=dict)


_KIE_CODES: Final[dict[int, str]] = {
    400: "invalid",
    401: "auth",
    402: "credits",
    404: "not_found",
    # kie's lyrics page lists the old sunoapi table: 405/430 as rate limits is harmless
    # (REFERENCE §2.1), and retried on GETs.
    405: "rate_limit",
    409: "conflict",
    413: "invalid",
    422: "invalid",
    429: "rate_limit",
    430: "rate_limit",
    451: "invalid",
    455: "maintenance",
    500: "server",
    501: "server",
    505: "invalid",
}

_SUNOAPI_OLD_CODES: Final[dict[int, str]] = {
    400: "invalid",
    401: "auth",
    # current sunoapi.org pages use kie's table: 402 is out of credits there too (§2.2)
    402: "credits",
    404: "not_found",
    405: "rate_limit",
    409: "conflict",
    413: "invalid",
    422: "invalid",
    429: "credits",
    430: "rate_limit",
    455: "maintenance",
    500: "server",
}

#: Provider presets, keyed by the name passed as ``SunoClient(provider=...)``.
PROVIDERS: Final[dict[str, ProviderProfile]] = {
    "kie": ProviderProfile(
        name="kie",
        base_url="https://api.kie.ai",
        upload_base_url="https://kieai.redpandaai.co",
        credits_path="/api/v1/chat/credit",
        code_map=_KIE_CODES,
    ),
    "apikley": ProviderProfile(
        name="apikley",
        base_url="https://api.apikley.ru",
        upload_base_url="https://api.apikley.ru",
        credits_path="/api/v1/chat/credit",
        code_map=_KIE_CODES,
    ),
    "sunoapi": ProviderProfile(
        name="sunoapi",
        base_url="https://api.sunoapi.org",
        upload_base_url="https://api.sunoapi.org",
        credits_path="/api/v1/generate/credit",
        code_map=_SUNOAPI_OLD_CODES,
    ),
}

# --------------------------------------------------------------------------------------
# The shared store (suno_async.store; SunoClient(store=...), journal=...).
# --------------------------------------------------------------------------------------

#: A store write waits at most this long, in total, for another process's lock (seconds).
STORE_LOCK_TIMEOUT: Final = 10.0
#: SQLite's own busy handler waits at most this long per attempt (seconds).
STORE_BUSY_TIMEOUT_PER_ATTEMPT: Final = 1.0
#: Pause between two attempts of a SQLite write that found the file locked (seconds).
STORE_LOCK_RETRY_PAUSE: Final = 0.05
#: A ``SENDING`` claim older than this is never in flight (its POST, retries included,
#: has long timed out): its owner counts as dead (seconds).
STALE_SENDING_AFTER: Final = 600.0
#: How often a SQLite subscription reads the callback feed: the SQLite routing delay (s).
FEED_POLL_INTERVAL: Final = 0.05
#: Callback feed rows older than this are pruned (seconds).
FEED_RETENTION: Final = 3600.0
#: Feed rows a SQLite subscription reads per query.
FEED_BATCH: Final = 256
#: A finished job's registry row (its last record, JSON) is kept this long after it
#: finished, then dropped (seconds; a later ``track()`` of the task polls the API once).
#: Claims are never dropped: they are what keeps a rerun from paying twice.
STORE_JOB_RETENTION: Final = 7 * 24 * 3600.0
#: A SQLite store drops expired job rows at most this often per client (seconds);
#: Redis expires them itself.
STORE_PRUNE_INTERVAL: Final = 600.0
#: Rate-slot rows are kept this long past their window, for inspection (seconds).
SLOT_RETENTION: Final = 600.0
#: An in-flight slot (taken with a ``slot_id``, not finished) stops counting after this
#: long: its owner died mid-create (seconds; above a POST's total timeout).
SLOT_PENDING_MAX: Final = 120.0
#: When only in-flight slots fill the shared window, ask again after this long (seconds).
SLOT_PENDING_POLL: Final = 0.05
#: Random bytes of a fleet secret created by ``Store.get_or_create_token``.
STORE_TOKEN_BYTES: Final = 24
#: Callback stream entries a Redis store keeps per account (approximate trim).
REDIS_STREAM_MAXLEN: Final = 10_000
#: A Redis subscription's ``XREAD`` blocks at most this long per call (milliseconds).
REDIS_STREAM_BLOCK_MS: Final = 250
#: Connecting to Redis gives up after this long (seconds).
REDIS_CONNECT_TIMEOUT: Final = 5.0
#: A Redis command gives up after this long (seconds; above ``REDIS_STREAM_BLOCK_MS``).
REDIS_COMMAND_TIMEOUT: Final = 10.0
