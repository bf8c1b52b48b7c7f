"""Jobs shared by every client of one store: leases, followers, callback routing.

Package-internal: a client with ``store=...`` (not ``journal=``) owns one as
``client.fleet``; its :class:`~suno_async._registry.JobRegistry` hands it every job it
registers (:meth:`Fleet.adopt`) and every callback it ingests (:meth:`Fleet.route`),
and the client reports every successful poll (:meth:`Fleet.observed`).

* **One poller per task.** A job is polled here only while this process holds its
  lease in the store (``try_acquire``), renewed every ``FleetPolicy.heartbeat``. A job
  whose lease another live process holds is *followed*: not polled, fed by the store.
* **What reaches followers.** The owner writes each changed record to the job's row
  (``put_job``) and publishes it on the feed; every process that receives a callback
  publishes it too. Each process reads the feed (Redis: a stream; SQLite: a table read
  every ``FEED_POLL_INTERVAL``) and applies what it carries to its own jobs; the job's
  row is read every ``follow_interval`` as a safety net.
* **Takeover.** A lease not renewed for ``lease_ttl`` (its owner died, or closed and
  gave its leases back) is an orphan; every ``takeover`` seconds each process takes
  up to ``FLEET_TAKEOVER_BATCH`` of them and polls them. Orphans whose row has not
  changed for longer than ``PollPolicy.max_wait`` are not revived (nobody waits for
  them any more): their rows are closed.
* **Store trouble** never stops polling of owned jobs: a failed store call is logged and
  the job is polled here (at worst twice in the fleet, never paid twice: claims are
  separate and fail closed).

Messages on the feed are JSON envelopes ``{"v": 1, "from": owner, "src": "poll" |
"callback", "body": ...}`` (the receiving job knows its own kind); a process ignores
its own.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from .config import (
    FLEET_FEED_STOP,
    FLEET_MAX_MESSAGE,
    FLEET_TAKEOVER_BATCH,
    JOURNAL_DRAIN_TIMEOUT,
    FleetPolicy,
    PollPolicy,
)
from .errors import APIResponseValidationError, ClientClosedError, JournalError, SunoError
from .jobs.job import Job
from .jobs.kinds import JobKind, kind_named
from .jobs.scheduler import Poller
from .store.base import Callback, JobState, Store, Subscription

if TYPE_CHECKING:
    from ._registry import JobRegistry

__all__ = ["ENVELOPE_VERSION", "Fleet"]

log = logging.getLogger("suno_async")

#: The version of the feed's message envelope.
ENVELOPE_VERSION = 1

#: Pause before a failed feed subscription is entered again (seconds).
_RESUBSCRIBE_PAUSE = 1.0


class Fleet:
    """The leases, followed jobs and feed of one client (see the module docstring)."""

    def __init__(
        self,
        store: Store,
        policy: FleetPolicy,
        poll: PollPolicy,
        *,
        poller: Poller,
        ready: Callable[[], Awaitable[None]],
    ) -> None:
        self.store = store
        self.policy = policy
        self.poll = poll
        self.poller = poller
        self._ready = ready
        self.registry: JobRegistry | None = None  # set by the registry it serves
        #: Task ids whose lease this process holds (it polls them).
        self.owned: set[str] = set()
        #: Jobs of this process whose lease another process holds, by task id.
        self.followed: dict[str, Job[Any]] = {}
        #: Counters: ``adopted``, ``followed``, ``takeovers``, ``lost``, ``routed_in``,
        #: ``routed_out``, ``shared`` (records written), ``abandoned``, ``store_errors``.
        self.stats: collections.Counter[str] = collections.Counter()
        #: The fleet-wide webhook token (read from the store at :meth:`start`).
        self.webhook_token: str | None = None
        self._last: dict[str, Any] = {}  # task id -> last record-info reply shared
        self._writes: dict[str, asyncio.Task[None]] = {}
        self._background: set[asyncio.Task[None]] = set()
        self._loops: list[asyncio.Task[None]] = []
        self._started = False
        self._closed = False
        self._feed: Subscription | None = None

    def __repr__(self) -> str:
        return f"Fleet(owned={len(self.owned)}, followed={len(self.followed)})"

    @property
    def owner(self) -> str:
        """This process's lease owner id (the store instance's random id)."""
        return self.store.owner_id

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Read the fleet's webhook token; start the feed, heartbeat and watch loops.

        Called once the store is open (a store error here is the caller's to raise)."""
        if self._started or self._closed:
            return
        self._started = True
        self.webhook_token = await self.store.get_or_create_token("webhook")
        loop = asyncio.get_running_loop()
        subscribed = loop.create_future()
        self._loops = [
            loop.create_task(self._listen(subscribed), name="suno-async-fleet-feed"),
            loop.create_task(self._heartbeat(), name="suno-async-fleet-heartbeat"),
            loop.create_task(self._watch(), name="suno-async-fleet-watch"),
        ]
        # the feed is read from the moment start() returns: nothing published after it
        # is missed
        await asyncio.wait([subscribed, self._loops[0]], return_when=asyncio.FIRST_COMPLETED)

    async def aclose(self) -> None:
        """Stop the loops, give back every lease held (survivors take over at once)."""
        if self._closed:
            return
        self._closed = True
        # A task blocked in a Redis XREAD does not always honour a cancel until the
        # driver's socket timeout: the feed is told to stop after its current read
        # (REDIS_STREAM_BLOCK_MS), the other loops are cancelled.
        stop = getattr(self._feed, "close", None)
        if callable(stop):
            stop()
            listener = self._loops[:1]
            if listener:
                await asyncio.wait(listener, timeout=FLEET_FEED_STOP)
        for task in self._loops:
            task.cancel()
        await asyncio.gather(*self._loops, return_exceptions=True)
        pending = [t for t in self._writes.values() if not t.done()] + list(self._background)
        if pending:
            await asyncio.wait(pending, timeout=JOURNAL_DRAIN_TIMEOUT)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for task_id in sorted(self.owned):
            try:
                await self.store.release_lease(task_id, self.owner)
            except JournalError:
                break  # the leases expire by themselves
        self.owned.clear()
        self.followed.clear()

    # ------------------------------------------------------------------ jobs

    def adopt(self, job: Job[Any], *, immediate: bool) -> None:
        """A job the registry just registered: poll it here, or follow it."""
        self._spawn(self._adopt(job, immediate))

    async def _adopt(self, job: Job[Any], immediate: bool) -> None:
        task_id = job.task_id
        try:
            await self._ready()
            await self.store.put_job(task_id, job.kind.name)
            ours = await self.store.try_acquire(task_id, self.owner, self.policy.lease_ttl)
            state = None if ours else await self.store.get_job(task_id)
        except (JournalError, ClientClosedError) as exc:
            if self._closed:
                return
            self._store_trouble("adopting", task_id, exc)
            ours, state = True, None  # poll it ourselves: nothing is lost
        if self._closed or job.done() or job.error is not None:
            if ours:  # given back by aclose(), or closed/released by _settled()
                self.owned.add(task_id)
                if not self._closed:
                    self._settled(job)
            return
        job.add_done_callback(self._settled)
        if ours:
            self._own(job, immediate=immediate)
            self.stats["adopted"] += 1
            return
        self.followed[task_id] = job
        self.stats["followed"] += 1
        if state is not None:
            await self._apply_state(job, state)

    def _own(self, job: Job[Any], *, immediate: bool) -> None:
        self.followed.pop(job.task_id, None)
        self.owned.add(job.task_id)
        self.poller.add(job, immediate=immediate)

    def _settled(self, job: Job[Any]) -> None:
        """The job succeeded, failed, or stopped being followed here."""
        task_id = job.task_id
        self.followed.pop(task_id, None)
        if task_id not in self.owned:
            return
        self.owned.discard(task_id)
        if self._closed:
            return
        if job.done():  # final: the row says so, which also ends the lease
            self._write(job, None, final=True)
        else:  # timed out or detached here: someone else may go on
            self._spawn(self._release(task_id))

    async def _release(self, task_id: str) -> None:
        try:
            await self.store.release_lease(task_id, self.owner)
        except JournalError as exc:
            self._store_trouble("releasing", task_id, exc)
        self._last.pop(task_id, None)

    # ------------------------------------------------------------------ sharing

    def observed(self, job: Job[Any], data: Any) -> None:
        """A poll of ``job`` returned ``data``: share it when it changed.

        Called just before the poller parses and ingests ``data`` (with no await in
        between), so the write, which runs on the next loop turn, sees the job's new
        stage."""
        if self._closed or self._last.get(job.task_id) == data:
            return  # unchanged: nothing to share (no serializing on the poll path)
        try:
            text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        except (TypeError, ValueError, RecursionError):
            return
        self._last[job.task_id] = data
        self._write(job, text, final=False)

    def _write(self, job: Job[Any], text: str | None, *, final: bool) -> None:
        """Write the job's row and publish its record, after the writes before it."""
        previous = self._writes.get(job.task_id)
        task = asyncio.ensure_future(self._share(job, text, final, previous))
        self._writes[job.task_id] = task
        task.add_done_callback(functools.partial(self._write_done, job.task_id))

    def _write_done(self, task_id: str, task: asyncio.Future[None]) -> None:
        if self._writes.get(task_id) is task:
            del self._writes[task_id]

    async def _share(
        self, job: Job[Any], text: str | None, final: bool, previous: asyncio.Task[None] | None
    ) -> None:
        if previous is not None:
            with contextlib.suppress(BaseException):
                await previous
        final = final or job.done()
        record = text if text is not None and len(text) <= FLEET_MAX_MESSAGE else None
        try:
            await self.store.put_job(
                job.task_id,
                job.kind.name,
                stage=job.stage.name,
                status=job.status or None,
                record=record,
                final=final,
            )
            self.stats["shared"] += 1
            if record is not None:
                await self._publish(job.task_id, "poll", record)
        except JournalError as exc:
            self._store_trouble("sharing", job.task_id, exc)
        if final:
            self._last.pop(job.task_id, None)

    async def _publish(self, task_id: str, src: str, body_text: str) -> None:
        message = (
            f'{{"v":{ENVELOPE_VERSION},"from":{json.dumps(self.owner)},'
            f'"src":"{src}","body":{body_text}}}'
        )
        await self.store.publish(task_id, message)
        self.stats["routed_out"] += 1

    def route(self, task_id: str, body: object) -> None:
        """A callback this process received (authenticated): to every other process."""
        if self._closed:
            return
        try:
            text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
        except (TypeError, ValueError, RecursionError):
            return
        if len(text) > FLEET_MAX_MESSAGE:
            return
        self._spawn(self._route(task_id, text))

    async def _route(self, task_id: str, text: str) -> None:
        try:
            await self._ready()
            await self._publish(task_id, "callback", text)
        except (JournalError, ClientClosedError) as exc:
            if not self._closed:
                self._store_trouble("routing a callback of", task_id, exc)

    # ------------------------------------------------------------------ the feed

    async def _listen(self, subscribed: asyncio.Future[None]) -> None:
        while not self._closed:
            try:
                async with self.store.subscribe() as feed:
                    self._feed = feed
                    if not subscribed.done():
                        subscribed.set_result(None)
                    async for message in feed:
                        if self._closed:
                            return  # a driver that swallowed our cancel: stop anyway
                        self._receive(message)
                    if self._closed:
                        return
            except asyncio.CancelledError:
                raise
            except JournalError as exc:
                self._store_trouble("reading the feed for", "*", exc)
            except Exception:  # a bug must not stop routing for good
                log.exception("fleet feed: unexpected error")
            if not subscribed.done():
                subscribed.set_result(None)  # start() does not wait for a broken store
            if self._closed:
                return
            await asyncio.sleep(_RESUBSCRIBE_PAUSE)

    def _receive(self, message: Callback) -> None:
        registry = self.registry
        if registry is None or len(message.body) > FLEET_MAX_MESSAGE + 512:
            return
        try:
            envelope = json.loads(message.body)
        except (ValueError, RecursionError):
            return
        if (
            not isinstance(envelope, dict)
            or envelope.get("v") != ENVELOPE_VERSION
            or envelope.get("from") == self.owner
        ):
            return
        body = envelope.get("body")
        self.stats["routed_in"] += 1
        if envelope.get("src") == "callback":
            with contextlib.suppress(APIResponseValidationError, ValueError, TypeError):
                registry.ingest_callback(body, routed=True)
            return
        job = registry.get(message.task_id)
        if job is None or job.done():
            return
        with contextlib.suppress(SunoError, ValueError, TypeError, OverflowError):
            job.ingest(job.kind.parse(body), source="store")

    async def _apply_state(self, job: Job[Any], state: JobState) -> None:
        """What the store knows of a followed job, into the job."""
        if state.record is not None:
            with contextlib.suppress(SunoError, ValueError, TypeError, OverflowError):
                job.ingest(job.kind.parse(json.loads(state.record)), source="store")
        if state.final and not job.done() and job.task_id in self.followed:
            # the row is closed with no final record here (finished by a callback, or
            # abandoned): nobody polls it, so this process does
            self._own(job, immediate=True)

    # ------------------------------------------------------------------ loops

    # A driver may turn our cancel into its own error (redis-py raises a connection
    # error from a cancelled command): every loop also stops on ``_closed``.
    async def _heartbeat(self) -> None:
        while not self._closed:
            await asyncio.sleep(self.policy.heartbeat)
            if not self.owned:
                continue
            try:
                held = set(await self.store.renew(self.owner, self.policy.lease_ttl))
            except JournalError as exc:
                if not self._closed:
                    self._store_trouble("renewing leases for", "*", exc)
                continue
            registry = self.registry
            for task_id in sorted(self.owned - held):
                job = registry.get(task_id) if registry is not None else None
                if job is None or job.done():
                    self.owned.discard(task_id)
                    continue
                if task_id in self._writes:
                    continue  # its final write is on the way
                # another process took it over (our lease had lapsed): follow it
                self.owned.discard(task_id)
                self.poller.remove(job)
                self.followed[task_id] = job
                self.stats["lost"] += 1

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        step = min(self.policy.follow_interval, self.policy.takeover)
        next_takeover = loop.time() + self.policy.takeover
        next_follow = loop.time() + self.policy.follow_interval
        while not self._closed:
            await asyncio.sleep(step)
            now = loop.time()
            try:
                if now >= next_follow:
                    next_follow = now + self.policy.follow_interval
                    await self._follow(now)
                if now >= next_takeover:
                    next_takeover = now + self.policy.takeover
                    await self._take_over()
            except JournalError as exc:
                if not self._closed:
                    self._store_trouble("watching", "*", exc)

    async def _follow(self, now: float) -> None:
        """Read each followed job's row; expire, catch up, or take it over."""
        for task_id, job in list(self.followed.items()):
            if job.done() or self.followed.get(task_id) is not job:
                continue
            if job.deadline is not None and now >= job.deadline:
                self.followed.pop(task_id, None)
                job.expire(now - job.created)
                continue
            state = await self.store.get_job(task_id)
            if state is None:
                continue
            await self._apply_state(job, state)
            if job.done() or task_id not in self.followed:
                continue
            if _lapsed(state) and await self.store.try_acquire(
                task_id, self.owner, self.policy.lease_ttl
            ):
                self._own(job, immediate=True)
                self.stats["takeovers"] += 1

    async def _take_over(self) -> None:
        """Poll the jobs of dead owners (bounded per look)."""
        registry = self.registry
        if registry is None or registry.closed:
            return
        stale_before = time.time() - self.poll.max_wait
        taken = 0
        for task_id in await self.store.orphans():
            if taken >= FLEET_TAKEOVER_BATCH:
                break
            if task_id in self.owned or task_id in self.followed:
                continue
            state = await self.store.get_job(task_id)
            if state is None or state.final or not _lapsed(state):
                continue
            kind = kind_of(state)
            if kind is None or state.updated_at < stale_before:
                # nobody has looked at it for longer than anyone waits: close its row
                await self.store.put_job(task_id, state.kind or "music", final=True)
                self.stats["abandoned"] += 1
                continue
            if not await self.store.try_acquire(task_id, self.owner, self.policy.lease_ttl):
                continue
            taken += 1
            self.stats["takeovers"] += 1
            known = registry.get(task_id)
            if known is not None and not known.done():
                self._own(known, immediate=True)
            else:
                registry.track(task_id, kind)  # adopts it: the lease is already ours

    # ------------------------------------------------------------------ helpers

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _store_trouble(self, doing: str, task_id: str, exc: BaseException) -> None:
        self.stats["store_errors"] += 1
        log.warning("fleet: store error while %s task %s: %s", doing, task_id, exc)


def _lapsed(state: JobState) -> bool:
    """Nobody holds the row's lease (never taken, given back, or expired)."""
    return state.owner is None or state.lease_until is None or state.lease_until < time.time()


def kind_of(state: JobState) -> JobKind | None:
    """The job family a row names (``None`` for a name this version does not know)."""
    try:
        return kind_named(state.kind or "music")
    except ValueError:
        return None
