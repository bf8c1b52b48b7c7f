"""One poller per client: every tracked job in a due-time heap, one scheduler task.

The poller owns all poll bookkeeping: each tracked job has an entry here (due time,
interval, heap token, consecutive failures, last poll, the job's clock anchor); the
:class:`~suno_async.jobs.job.Job` only counts its polls.

When the next poll comes is a pure function, :func:`next_delay`, of what the poller
knows of the job (a :class:`PollView`) and the policy. Where the policy documents a
window for the stage the job waits for (:class:`~suno_async.config.StageWindow`, in
seconds after the task's creation), the polls go inside it, evenly in probability:
none before it, ``polls`` of them across it. :class:`Timings` moves each window by the
pace observed on earlier jobs of the same kind and model, and a job that reached a stage
late has its later windows stretched alike. Past the window, or without one, the
interval grows geometrically (``factor``) up to ``maximum`` (``early_maximum`` before
first results); after ``budget`` polls a job is polled every ``maximum``. Every step is
jittered so a batch never polls in lock-step. At most ``policy.concurrency`` polls are
in flight, below the connection pool size, so submissions always find a free
connection. A failed poll is retried with backoff; only ``max_failures`` consecutive
failures end tracking with :class:`~suno_async.errors.JobTrackingError`.

>>> from suno_async import PollPolicy
>>> view = PollView(elapsed=0.0, stage=Stage.PENDING, window=Window(30.0, 40.0, 2))
>>> next_delay(view, PollPolicy(jitter=0.0), 0.5)  # half the window's probability
35.0
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

import attrs

from .._http import UNCHANGED
from .._retry import failure_delay
from ..config import (
    POLL_LEARN_DECAY,
    POLL_LEARNED_KEYS,
    POLL_MAX_PACE,
    POLL_PRIOR_WEIGHT,
    PollPolicy,
    RetryPolicy,
)
from ..errors import AuthenticationError, JobTrackingError, NotFoundError, SunoError
from ..models.enums import Stage
from ..models.records import Record
from .job import Job

__all__ = [
    "Cadence",
    "PollState",
    "PollView",
    "Poller",
    "Simulated",
    "Timings",
    "Window",
    "next_delay",
    "simulate",
]

log = logging.getLogger("suno_async")

#: One poll of a job: ``fetch(job, last)`` -> ``(fingerprint, data)``, where ``last`` is
#: the fingerprint of the job's last reply that parsed, and ``data`` is
#: :data:`~suno_async._http.UNCHANGED` when the reply is that one again.
Fetch = Callable[[Job[Any], int | None], Awaitable[tuple[int, Any]]]


# ---------------------------------------------------------------------- the schedule


@attrs.frozen
class Window:
    """Where a stage is expected for one job: seconds after creation, and polls to spend."""

    low: float
    high: float
    polls: int

    @property
    def spacing(self) -> float:
        return (self.high - self.low) / self.polls


@attrs.frozen(kw_only=True)
class PollView:
    """What :func:`next_delay` knows of a job; times are seconds since its creation."""

    elapsed: float
    stage: Stage
    #: Window of the next expected stage, if the policy documents one.
    window: Window | None = None
    #: Polls of this job so far, and those made inside the current window.
    polls: int = 0
    window_polls: int = 0
    #: The previous interval; 0 right after submission or a stage change.
    last_gap: float = 0.0


def next_delay(view: PollView, policy: PollPolicy, u: float) -> float:
    """Seconds until the next poll; ``u`` in [0, 1) is the jitter draw.

    Deterministic for a given ``u``: the schedule can be simulated offline.
    """
    return _delay(policy, view.elapsed, view.stage, view.window, view.polls,
                  view.window_polls, view.last_gap, u)


#: ``Stage.FIRST_SUCCESS`` as its number: the cap test runs on every poll.
_FIRST = Stage.FIRST_SUCCESS.value


def _delay(
    policy: PollPolicy,
    elapsed: float,
    stage: Stage,
    window: Window | None,
    polls: int,
    window_polls: int,
    last_gap: float,
    u: float,
) -> float:
    """:func:`next_delay` on plain values (the poller's path: no view built per poll)."""
    maximum = policy.maximum
    cap = policy.early_maximum if stage._value_ < _FIRST else maximum
    if cap > maximum:
        cap = maximum
    jitter = policy.jitter
    spread = 1.0 + jitter * (2.0 * u - 1.0)
    if polls >= policy.budget:
        delay = cap * spread
    elif window is not None and elapsed < window.high:
        # Inside (or before) the window: the next poll takes the next equal share of the
        # probability that is left, the share jittered rather than the time.
        start = max(elapsed, window.low)
        left = max(1, window.polls - window_polls)
        share = 1.0 if left == 1 else min(1.0, spread / left)  # the last one at the end
        delay = start + (window.high - start) * share - elapsed
        if delay > cap:
            delay = cap * spread  # the cap still holds, jittered like any step
    else:
        if window is not None:  # past the window: back off from its spacing
            entering = elapsed - last_gap < window.high
            step = window.spacing
            if not entering:
                step = max(last_gap, step) * policy.factor
        elif last_gap > 0:
            step = last_gap * policy.factor
        else:
            step = policy.initial
        delay = min(step, cap) * spread
    return max(policy.min_interval, min(delay, cap * (1.0 + jitter)))


def _pace_window(window: Window, pace: float) -> Window:
    return Window(window.low * pace, window.high * pace, window.polls)


class Timings:
    """Stage windows per task family and model: the policy's, moved by observation.

    Each observed transition (known to lie in ``(lo, hi]`` seconds after creation)
    gives a pace, the ratio of its likely time to the documented window's middle; the
    pace per (kind, model, stage) is their decaying geometric mean, shrunk towards 1
    (the documented window) with weight ``POLL_PRIOR_WEIGHT``.

    >>> from suno_async import PollPolicy
    >>> t = Timings(PollPolicy())
    >>> for _ in range(20):
    ...     t.observe("music", "m", Stage.SUCCESS, 290.0, 300.0)
    >>> round(t.window("music", "m", Stage.SUCCESS).low)  # moved towards 2x (from 120)
    191
    """

    def __init__(self, policy: PollPolicy) -> None:
        self._learn = policy.learn
        self._prior: dict[tuple[str, Stage], Window] = {}
        for w in policy.windows:
            stage = Stage[w.stage]
            self._prior[(w.kind, stage)] = Window(w.low, w.high, w.polls)
        self._next: dict[tuple[str, Stage], Stage | None] = {}
        # (kind, model, stage) -> [sum of weighted log paces, sum of weights]
        self._pace: dict[tuple[str, str, Stage], list[float]] = {}
        self._models: set[tuple[str, str]] = set()
        self._windows: dict[tuple[str, str, Stage], Window] = {}

    def next_stage(self, kind: str, stage: Stage) -> Stage | None:
        """The first stage after ``stage`` with a window for ``kind``."""
        key = (kind, stage)
        if key not in self._next:
            later = [s for (k, s) in self._prior if k == kind and s > stage]
            self._next[key] = min(later) if later else None
        return self._next[key]

    def pace(self, kind: str, model: str, stage: Stage) -> float:
        acc = self._pace.get((kind, model, stage))
        if acc is None:
            return 1.0
        return math.exp(acc[0] / (acc[1] + POLL_PRIOR_WEIGHT))

    def window(self, kind: str, model: str, stage: Stage) -> Window | None:
        """The window (seconds after creation) in which ``stage`` is expected."""
        key = (kind, model, stage)
        cached = self._windows.get(key)
        if cached is not None:
            return cached
        prior = self._prior.get((kind, stage))
        if prior is None:
            return None
        window = _pace_window(prior, self.pace(kind, model, stage))
        if len(self._windows) < POLL_LEARNED_KEYS * 4:
            self._windows[key] = window
        return window

    def observe(self, kind: str, model: str, stage: Stage, lo: float, hi: float) -> None:
        """``stage`` was reached between ``lo`` and ``hi`` seconds after creation."""
        prior = self._prior.get((kind, stage))
        if prior is None or not self._learn or not 0 <= lo <= hi:
            return
        if (kind, model) not in self._models:
            if len(self._models) >= POLL_LEARNED_KEYS:
                return  # bounded: models are strings from the server
            self._models.add((kind, model))
        current = self.window(kind, model, stage)
        assert current is not None
        a, b = max(lo, current.low), min(hi, current.high)
        likely = (a + b) / 2 if a < b else (lo + hi) / 2
        middle = (prior.low + prior.high) / 2
        ratio = min(POLL_MAX_PACE, max(1 / POLL_MAX_PACE, likely / middle))
        acc = self._pace.setdefault((kind, model, stage), [0.0, 0.0])
        acc[0] = acc[0] * POLL_LEARN_DECAY + math.log(ratio)
        acc[1] = acc[1] * POLL_LEARN_DECAY + 1.0
        self._windows.pop((kind, model, stage), None)


class Cadence:
    """The schedule state of one job, with no clock of its own (times are passed in).

    Shared by the poller and :func:`simulate`, so what is simulated is what runs.
    """

    __slots__ = ("_for", "_window", "anchor", "interval", "kind", "last_seen", "model",
                 "polls", "stretch", "trusted", "window_polls")

    def __init__(self, kind: str, anchor: float, *, trusted: bool = True) -> None:
        self.kind = kind
        self.anchor = anchor  # loop time the task was created (best known)
        self.trusted = trusted  # whether the anchor is good enough to learn from
        self.interval = 0.0
        self.polls = 0
        self.window_polls = 0
        self.last_seen = 0.0  # time of the last successful poll before the current one
        self.stretch = 1.0
        self.model = ""
        self._window: Window | None = None
        self._for: Stage | None = None  # the stage ``_window`` was taken for; None: none yet

    def window(self, timings: Timings, stage: Stage) -> Window | None:
        """The window of the next expected stage after ``stage``, for this job.

        Taken once per target stage: what other jobs teach meanwhile applies to later
        waits, so the early finishers of a batch do not pull the window from under the
        jobs still waiting in it.
        """
        taken_for = self._for
        if stage is taken_for:  # asked on every poll: the same stage, the same window
            return self._window
        self._for = stage
        target = timings.next_stage(self.kind, stage)
        if taken_for is not None and timings.next_stage(self.kind, taken_for) is target:
            return self._window  # a stage on the way to the same target keeps its window
        window = None if target is None else timings.window(self.kind, self.model, target)
        if window is not None and self.stretch != 1.0:
            window = _pace_window(window, self.stretch)
        self._window = window
        return window

    def _retake(self) -> None:
        """The next :meth:`window` looks the window up again (model or pace changed)."""
        self._for = None

    def delay(
        self,
        timings: Timings,
        policy: PollPolicy,
        now: float,
        stage: Stage,
        u: float,
        *,
        moved: bool = False,
    ) -> float:
        """Seconds from ``now`` to the next poll (``u``: the jitter draw)."""
        elapsed = now - self.anchor
        return _delay(policy, elapsed if elapsed > 0.0 else 0.0, stage,
                      self.window(timings, stage), self.polls, self.window_polls,
                      0.0 if moved else self.interval, u)

    def first_reply(self, record: Record, now: float, wall: float) -> None:
        """The model, and for a re-attached task its age from ``createTime``."""
        model = str(getattr(record, "type", "") or "")[:64]
        if model != self.model:
            self.model = model
            self._retake()
        created = getattr(record, "create_time", None)
        if self.trusted or created is None:
            return  # submitted here: the submission time is the better clock
        age = wall - created.timestamp()
        if 0 <= age <= MAX_RECORD_AGE:
            self.anchor = min(self.anchor, now - age)
            self.trusted = True

    def polled(self, timings: Timings, now: float, before: Stage, after: Stage) -> None:
        """Book a successful poll sent at ``now`` that saw ``after`` (``before`` until then)."""
        self.polls += 1
        window = self.window(timings, before)
        if window is not None and now - self.anchor >= window.low:
            self.window_polls += 1
        if after is not before and after > before and after is not Stage.FAILED:
            self._learn(timings, before, after, now)
            if timings.next_stage(self.kind, after) != timings.next_stage(self.kind, before):
                self.window_polls = 0  # a new window (TEXT_SUCCESS keeps FIRST's)
        self.last_seen = now

    def _learn(self, timings: Timings, before: Stage, after: Stage, now: float) -> None:
        lo = max(0.0, self.last_seen - self.anchor) if self.polls > 1 else 0.0
        hi = now - self.anchor
        stage = before
        while True:
            upcoming = timings.next_stage(self.kind, stage)
            if upcoming is None or upcoming > after:
                break
            stage = upcoming
            window = timings.window(self.kind, self.model, stage)
            if window is None:
                continue
            if self.trusted:
                timings.observe(self.kind, self.model, stage, lo, hi)
            late = (lo + hi) / 2 / (window.high * self.stretch)
            if lo >= window.high * self.stretch and late > 1.0:
                # this job runs late: stretch its later windows alike
                self.stretch = min(POLL_MAX_PACE, self.stretch * late)
                self._retake()


#: A re-attached task's ``createTime`` is believed when it says the task is younger.
MAX_RECORD_AGE = 30 * 86400.0


@attrs.frozen
class Simulated:
    """What :func:`simulate` saw: when each stage was first known, and the poll count."""

    seen: dict[Stage, float]
    polls: int


def simulate(
    policy: PollPolicy,
    timeline: list[tuple[float, Stage]],
    *,
    u: Callable[[], float],
    timings: Timings | None = None,
    kind: str = "music",
    horizon: float | None = None,
) -> Simulated:
    """Follow one task offline: ``timeline`` lists (seconds after creation, stage reached).

    Polls are instantaneous; the same :class:`Cadence` the poller uses decides each
    delay. With ``timings`` shared across calls the windows learn from earlier tasks.

    >>> from suno_async import PollPolicy
    >>> run = simulate(PollPolicy(), [(10.0, Stage.TEXT_SUCCESS), (33.0, Stage.FIRST_SUCCESS),
    ...                               (150.0, Stage.SUCCESS)], u=lambda: 0.5)
    >>> run.seen[Stage.FIRST_SUCCESS], run.seen[Stage.SUCCESS], run.polls
    (35.0, 150.0, 5)
    """
    timings = timings or Timings(policy)
    end = policy.max_wait if horizon is None else horizon
    cadence = Cadence(kind, 0.0)
    stage = Stage.PENDING
    seen: dict[Stage, float] = {}
    now = cadence.delay(timings, policy, 0.0, stage, u())
    while now <= end:
        observed = Stage.PENDING
        for at, reached in timeline:
            if at <= now:
                observed = max(observed, reached)
        before = stage
        cadence.polled(timings, now, before, max(before, observed))
        moved = observed > stage
        if moved:
            for _, reached in timeline:
                if before < reached <= observed:
                    seen.setdefault(reached, now)
            stage = observed
        if stage is Stage.SUCCESS or stage is Stage.FAILED:
            break
        delay = cadence.delay(timings, policy, now, stage, u(), moved=moved)
        delay = max(delay, policy.min_interval)
        cadence.interval = delay
        now += delay
    return Simulated(seen, cadence.polls)


# ---------------------------------------------------------------------- the poller


class _Entry(Cadence):
    """The poller's bookkeeping for one tracked job: its cadence, heap token, due time,
    consecutive failures and when its last poll was sent (one object per job)."""

    __slots__ = ("due", "failures", "job", "last_poll", "record", "reply", "token")

    def __init__(self, job: Job[Any]) -> None:
        super().__init__(job.kind.name, job.created, trusted=job.request is not None)
        self.job = job
        self.token = 0
        self.due = 0.0
        self.failures = 0
        self.last_poll = float("-inf")  # loop time the last poll was sent
        #: The last reply that parsed: its fingerprint and its record (a reply with the
        #: same fingerprint is that record again, not decoded).
        self.reply: int | None = None
        self.record: Record | None = None



@attrs.frozen
class PollState:
    """A read-only snapshot of the poller's bookkeeping for one job."""

    due: float
    interval: float
    failures: int
    polls: int
    last_poll: float


class Poller:
    """The scheduler task and its heap. Created by the client; not public API."""

    def __init__(
        self,
        fetch: Fetch,
        policy: PollPolicy,
        retry: RetryPolicy,
        *,
        webhooks_active: Callable[[], bool] = lambda: False,
        seed: int | None = None,
        timings: Timings | None = None,
    ) -> None:
        self._fetch = fetch
        self.policy = policy
        self._retry = retry
        self._webhooks_active = webhooks_active
        self._rng = random.Random(seed)
        #: Stage windows, learned from the jobs this poller observed.
        self.timings = timings or Timings(policy)
        self._heap: list[tuple[float, int, int, _Entry]] = []
        self._seq = 0
        self._entries: dict[Job[Any], _Entry] = {}
        self._wake: asyncio.Event | None = None
        self._sem: asyncio.Semaphore | None = None
        self._task: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[None]] = set()
        self._closed = False
        # Measurements (read by benchmarks and tests).
        self.polls = 0
        self.poll_failures = 0
        #: Polls whose reply was byte for byte the job's last parsed one (not decoded).
        self.unchanged = 0
        self.lag_total = 0.0
        self.lag_max = 0.0

    @property
    def tracked(self) -> int:
        """Number of jobs being polled."""
        return len(self._entries)

    def state(self, job: Job[Any]) -> PollState | None:
        """The bookkeeping for ``job`` (None when it is not polled)."""
        e = self._entries.get(job)
        if e is None:
            return None
        return PollState(e.due, e.interval, e.failures, e.polls, e.last_poll)

    # ------------------------------------------------------------------ control

    def add(self, job: Job[Any], *, immediate: bool = False) -> None:
        """Start polling ``job``.

        ``immediate``: the first poll is sent at once (a re-attached task may already
        be finished, and its record's ``createTime`` anchors the schedule); otherwise
        the schedule decides (the window of the first expected stage, or ``initial``).
        """
        if self._closed or job in self._entries:
            return
        entry = _Entry(job)
        self._entries[job] = entry
        now = asyncio.get_running_loop().time()
        self._schedule(entry, 0.0 if immediate else self._next_delay(entry, now), now)
        self._ensure_running()

    def remove(self, job: Job[Any]) -> None:
        """Stop polling ``job`` (stale heap entries are skipped lazily)."""
        entry = self._entries.pop(job, None)
        if entry is not None:
            entry.token += 1

    forget = remove

    def _schedule(self, entry: _Entry, delay: float, now: float | None = None) -> None:
        if now is None:
            now = asyncio.get_running_loop().time()
        due = now + delay
        earliest = entry.last_poll + self.policy.min_interval
        if due < earliest:
            due = earliest
        deadline = entry.job.deadline
        if deadline is not None and deadline < due:
            due = deadline
        entry.due = due
        entry.interval = delay
        entry.token += 1
        self._seq += 1
        heap = self._heap
        first = not heap or due < heap[0][0]
        heapq.heappush(heap, (due, self._seq, entry.token, entry))
        if first and self._wake is not None:
            self._wake.set()

    def _next_delay(self, entry: _Entry, now: float, *, moved: bool = False) -> float:
        delay = entry.delay(
            self.timings, self.policy, now, entry.job.stage, self._rng.random(), moved=moved
        )
        if self._webhooks_active():
            delay = max(delay, self.policy.webhook_interval)
        return delay

    def _ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._wake = asyncio.Event()
            self._sem = asyncio.Semaphore(self.policy.concurrency)
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="suno-async-poller"
            )

    async def aclose(self) -> None:
        """Stop the scheduler task and cancel polls in flight."""
        self._closed = True
        tasks = list(self._inflight)
        if self._task is not None:
            tasks.append(self._task)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._heap.clear()
        self._entries.clear()

    # ------------------------------------------------------------------ the loop

    async def _run(self) -> None:
        assert self._wake is not None
        assert self._sem is not None
        loop = asyncio.get_running_loop()
        heap = self._heap
        sem = self._sem
        wake = self._wake
        while not self._closed:
            if heap and heap[0][0] <= loop.time():
                # A free slot first, then the job: while this waits, the polls in flight
                # take the due jobs themselves (``_polls``), so nothing popped waits here.
                await sem.acquire()
                entry = self._take(loop.time())
                if entry is None:
                    sem.release()
                    continue
                task = loop.create_task(self._polls(entry, sem))
                self._inflight.add(task)
                task.add_done_callback(self._inflight.discard)
                continue
            wake.clear()
            if not heap:
                await wake.wait()  # idle: add() or a scheduled poll sets it
                continue
            timeout = heap[0][0] - loop.time()
            if timeout <= 0:
                continue
            # One timer handle per turn instead of ``asyncio.wait_for`` (which wraps the
            # wait in a task and a timeout per turn): the next due time sets the event.
            timer = loop.call_later(timeout, wake.set)
            try:
                await wake.wait()
            finally:
                timer.cancel()

    def _take(self, now: float) -> _Entry | None:
        """Pop the first due job still tracked (expiring the overdue), booked as polled
        at ``now``; None when nothing is due."""
        heap = self._heap
        entries = self._entries
        while heap and heap[0][0] <= now:
            due, _, token, entry = heapq.heappop(heap)
            job = entry.job
            if token != entry.token or entries.get(job) is not entry:
                continue  # stale: rescheduled or removed since
            if job.deadline is not None and now >= job.deadline:
                self.remove(job)
                job.expire(now - job.created)
                continue
            lag = now - due
            self.lag_total += lag
            if lag > self.lag_max:
                self.lag_max = lag
            entry.last_poll = now
            return entry
        return None

    async def _polls(self, entry: _Entry, sem: asyncio.Semaphore) -> None:
        """Poll ``entry``, then, in the same slot of ``sem``, every job that is due by
        then (no task per poll under load); releases ``sem`` when nothing is due."""
        loop = asyncio.get_running_loop()
        try:
            while True:
                await self._poll(entry)
                if self._closed:
                    return
                nxt = self._take(loop.time())
                if nxt is None:
                    return
                entry = nxt
        finally:
            sem.release()

    async def _poll(self, entry: _Entry) -> None:
        """One poll: ``fetch``, then parse and ingest with no await in between."""
        job = entry.job
        try:
            reply, data = await self._fetch(job, entry.reply)
            if data is UNCHANGED:
                record = entry.record
                assert record is not None  # an UNCHANGED reply follows a parsed one
                self.unchanged += 1
            else:
                if data is None:
                    raise NotFoundError(
                        f"record-info has no task {job.task_id} (yet)", code=200,
                        msg="data null",
                    )
                record = job.kind.parse(data)
                entry.reply, entry.record = reply, record
        except asyncio.CancelledError:
            raise
        except SunoError as exc:
            self._failed(entry, exc)
            return
        except Exception as exc:  # a bug must not leave waiters hanging
            log.exception("task %s: unexpected error while polling", job.task_id)
            self._forget_with(job, JobTrackingError(job.task_id, exc))
            return
        self.polls += 1
        self._observe(entry, record)

    def _observe(self, entry: _Entry, record: Record) -> None:
        """Book one successful poll, feed the job, learn, schedule the next poll."""
        job = entry.job
        sent = entry.last_poll
        if entry.polls == 0:
            entry.first_reply(record, sent, time.time())
        entry.failures = 0
        before = job.stage
        moved = job.ingest(record, source="poll")
        entry.polled(self.timings, sent, before, job.stage)
        if job.tracking and self._entries.get(job) is entry:
            now = asyncio.get_running_loop().time()
            self._schedule(entry, self._next_delay(entry, now, moved=moved), now)

    def _failed(self, entry: _Entry, exc: SunoError) -> None:
        job = entry.job
        entry.failures += 1
        self.poll_failures += 1
        if isinstance(exc, AuthenticationError) or entry.failures >= self.policy.max_failures:
            self._forget_with(job, JobTrackingError(job.task_id, exc))
            return
        log.info(
            "task %s: poll failed (%s, %d in a row); retrying",
            job.task_id, type(exc).__name__, entry.failures,
        )
        retry_after = getattr(exc, "retry_after", None)
        delay = failure_delay(self._retry, entry.failures, retry_after)
        if self._entries.get(job) is entry:
            interval = entry.interval
            self._schedule(entry, max(delay, self.policy.min_interval))
            entry.interval = interval  # a retry does not change the cadence

    def _forget_with(self, job: Job[Any], error: JobTrackingError) -> None:
        self.remove(job)
        job.lose_tracking(error)
