"""Clients sharing a store share their jobs (``suno_async._fleet``): one poller per task,
followers fed by the store, callbacks routed between clients, takeover of a dead
owner's jobs, the fleet-wide webhook token.

Each test runs for SQLite and a real ``redis-server`` (``tests/_redis.py``). Two
``SunoClient`` instances with their own store objects are two owners exactly as two
processes are (each store instance has its own random owner id, its own connection and
its own feed subscription); ``tests/test_fleet_processes.py`` repeats the decisive cases
with real processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from suno_async import FleetPolicy, PollPolicy, Stage, SunoClient
from suno_async.errors import GenerationFailedError
from suno_async.sandbox import Sandbox
from suno_async.store import JobState, Store, open_store
from suno_async.webhooks import WebhookReceiver

from ._redis import RedisServer, free_port, redis_server, redis_url, require_redis_server  # noqa: F401
from ._reliability import no_leaks  # noqa: F401
from .conftest import eventually, make_client
from .test_store_shared import spec  # noqa: F401

pytestmark = pytest.mark.usefixtures("no_leaks")

#: Short leases so takeovers happen within a test; follow reads often.
FLEET = FleetPolicy(lease_ttl=0.6, follow_interval=0.1, takeover_interval=0.1)
#: Slow enough that a job only moves when a test advances it; callbacks at once.
SLOW = 1.0
#: In callback mode polls are only a safety net far beyond a test's length.
SAFETY_NET = PollPolicy(initial=0.02, maximum=0.05, early_maximum=0.05, min_interval=0.0,
                        max_wait=30.0, webhook_interval=60.0)


@pytest.fixture
async def slow_sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox(time_scale=SLOW, seed=3, poll_limit=None,
                       rate_limit=(10_000, 1.0)) as sb:
        yield sb


def fleet_client(sb: Sandbox, store: str, **overrides: object) -> SunoClient:
    options: dict[str, object] = {"store": store, "fleet": FLEET}
    options.update(overrides)
    return make_client(sb, **options)


def record_info_polls(sb: Sandbox, task_id: str) -> int:
    return sum(
        1 for r in sb.requests
        if r.path.endswith("/record-info") and task_id in str(r.query)
    )


@contextlib.asynccontextmanager
async def shared_store(sb: Sandbox, store_spec: str) -> AsyncIterator[Store]:
    """The sandbox account's store, opened beside the clients (a third owner)."""
    store = await open_store(store_spec, api_key=sb.api_key, api_host=sb.url)
    assert store is not None
    try:
        yield store
    finally:
        await store.aclose()


async def row_when(store: Store, task_id: str, predicate: Callable[[JobState], bool]) -> JobState:
    """The job's row once ``predicate`` holds (the fleet writes in the background)."""
    async with asyncio.timeout(10):
        while True:
            state = await store.get_job(task_id)
            if state is not None and predicate(state):
                return state
            await asyncio.sleep(0.02)


# ------------------------------------------------------------------ one poller per task


async def test_a_second_client_follows_a_job_without_polling(
    slow_sandbox: Sandbox, spec: str  # noqa: F811
) -> None:
    async with fleet_client(slow_sandbox, spec) as a, fleet_client(slow_sandbox, spec) as b:
        assert a.fleet is not None and b.fleet is not None
        assert a.fleet.owner != b.fleet.owner
        job = await a.generate(prompt="owned by a")
        await eventually(lambda: job.task_id in a.fleet.owned, 5)  # type: ignore[union-attr]
        followed = b.track(job.task_id)
        await eventually(lambda: job.task_id in b.fleet.followed, 5)  # type: ignore[union-attr]
        slow_sandbox.advance(job.task_id, "FIRST_SUCCESS")
        first = await followed.wait(Stage.FIRST_SUCCESS, timeout=10)
        assert first.tracks and first.tracks[0].stream_audio_url
        slow_sandbox.advance(job.task_id, "SUCCESS")
        record = await asyncio.wait_for(followed, 10)
        mine = await asyncio.wait_for(job, 10)
        assert [t.audio_url for t in record.tracks] == [t.audio_url for t in mine.tracks]
        # b never polled: every observation came from a, through the store
        assert followed.polls == 0 and job.polls >= 2
        assert b.fleet.stats["followed"] == 1 and b.fleet.stats["routed_in"] >= 1
        assert b.fleet.stats["adopted"] == 0


async def test_track_of_a_finished_job_resolves_from_the_store(
    sandbox: Sandbox, spec: str  # noqa: F811
) -> None:
    async with fleet_client(sandbox, spec) as a:
        job = await a.generate(prompt="done before b starts")
        await asyncio.wait_for(job, 10)
        task_id = job.task_id
        await eventually(lambda: task_id not in a.fleet._writes, 5)  # type: ignore[union-attr]
        async with fleet_client(sandbox, spec) as b:
            sandbox.clear_requests()
            late = b.track(task_id)
            record = await asyncio.wait_for(late, 10)
            assert record.tracks and all(t.audio_url for t in record.tracks)
            # the row was closed with its final record: b read it, and, since nobody
            # polls a closed row, polled it itself at most once
            assert record_info_polls(sandbox, task_id) <= 1


async def test_a_dead_owners_job_is_taken_over(slow_sandbox: Sandbox, spec: str) -> None:  # noqa: F811
    async with shared_store(slow_sandbox, spec) as store:
        async with fleet_client(slow_sandbox, spec) as b:
            job = await b.generate(prompt="orphan")  # b owns it ...
            await eventually(lambda: job.task_id in b.fleet.owned, 5)  # type: ignore[union-attr]
            # ... and holds its lease: nobody else can take it while b renews it
            assert not await store.try_acquire(job.task_id, store.owner_id, 5.0)
            async with fleet_client(slow_sandbox, spec) as c:
                follower = c.track(job.task_id)
                await eventually(lambda: job.task_id in c.fleet.followed, 5)  # type: ignore[union-attr]
                # b stops renewing and gives its leases back (what a clean exit does)
                await b.fleet.aclose()  # type: ignore[union-attr]
                await eventually(lambda: job.task_id in c.fleet.owned, 5)  # type: ignore[union-attr]
                assert c.fleet.stats["takeovers"] == 1  # type: ignore[union-attr]
                slow_sandbox.advance(job.task_id, "SUCCESS")
                record = await asyncio.wait_for(follower, 10)
                assert record.tracks and follower.polls >= 1  # c polled it after taking over


async def test_orphans_nobody_awaits_are_polled_to_their_end(
    sandbox: Sandbox, spec: str  # noqa: F811
) -> None:
    async with shared_store(sandbox, spec) as store:
        # a dead process's job: a row with a lapsed lease (what SIGKILL leaves)
        async with make_client(sandbox) as plain:
            task_id = (await plain.generate(prompt="left behind")).task_id
        await store.put_job(task_id, "music", stage="PENDING")
        assert await store.try_acquire(task_id, "dead-owner", 0.05)
        await asyncio.sleep(0.1)
        assert task_id in await store.orphans()
        async with fleet_client(sandbox, spec) as survivor:
            await eventually(lambda: survivor.jobs.get(task_id) is not None, 5)
            record = await asyncio.wait_for(survivor.jobs[task_id], 10)
            assert record.tracks
            state = await row_when(store, task_id, lambda s: s.final)
            assert state.stage == "SUCCESS" and state.status == "SUCCESS"
            assert state.owner is None  # a final row has no lease


async def test_a_lease_lost_while_alive_turns_the_job_into_a_followed_one(
    slow_sandbox: Sandbox, spec: str  # noqa: F811
) -> None:
    async with shared_store(slow_sandbox, spec) as store:
        async with fleet_client(slow_sandbox, spec) as a:
            job = await a.generate(prompt="stolen")
            await eventually(lambda: job.task_id in a.fleet.owned, 5)  # type: ignore[union-attr]
            # someone takes the lease over (a's renewals lapsed, say): a stops polling
            await store.release_lease(job.task_id, a.fleet.owner)  # type: ignore[union-attr]
            assert await store.try_acquire(job.task_id, "other", 60.0)
            await eventually(lambda: job.task_id in a.fleet.followed, 5)  # type: ignore[union-attr]
            assert a.fleet.stats["lost"] == 1  # type: ignore[union-attr]
            # the new owner's observation reaches a through the store
            failed = json.dumps({"taskId": job.task_id, "status": "GENERATE_AUDIO_FAILED",
                                 "errorCode": 400, "errorMessage": "boom"})
            await store.put_job(job.task_id, "music", stage="FAILED",
                                status="GENERATE_AUDIO_FAILED", record=failed, final=True)
            with pytest.raises(GenerationFailedError):
                await asyncio.wait_for(job, 10)


# ------------------------------------------------------------------ callbacks


async def test_a_callback_received_by_one_client_resolves_the_job_of_another(
    slow_sandbox: Sandbox, spec: str  # noqa: F811
) -> None:
    async with (
        fleet_client(slow_sandbox, spec, poll=SAFETY_NET) as a,
        fleet_client(slow_sandbox, spec, poll=SAFETY_NET) as b,
    ):
        served = WebhookReceiver()  # served by a's process only
        async with served.serve() as base:
            served.attach(a)
            assert served.token_source == "fleet"
            # b's own receiver is not reachable by the provider: its tasks carry the
            # fleet's URL (same route, same token), which a's process serves
            elsewhere = WebhookReceiver(public_url=base)
            elsewhere.attach(b)
            assert elsewhere.callback_url == served.callback_url
            job = await b.generate(prompt="callback for b, received by a")
            slow_sandbox.advance(job.task_id, "SUCCESS")
            record = await asyncio.wait_for(job, 10)
            assert record.tracks and all(t.audio_url for t in record.tracks)
            assert job.polls == 0  # no poll at all: the callback came through the store
            assert served.stats["routed"] >= 1 and served.stats["rejected:unknown task id"] == 0
            assert a.fleet.stats["routed_out"] >= 1 and b.fleet.stats["routed_in"] >= 1  # type: ignore[union-attr]
            elsewhere.detach(b)
            served.detach(a)


async def test_every_client_of_a_store_gets_the_same_webhook_token(
    sandbox: Sandbox, spec: str, tmp_path: Path  # noqa: F811
) -> None:
    async with fleet_client(sandbox, spec) as a, fleet_client(sandbox, spec) as b:
        one, two = WebhookReceiver(public_url="https://w1.test"), WebhookReceiver(
            public_url="https://w2.test")
        one.attach(a)
        two.attach(b)
        assert one.callback_url.rsplit("/", 1)[1] == two.callback_url.rsplit("/", 1)[1]
        assert a.fleet is not None and a.fleet.webhook_token not in repr(a.fleet)
        # a configured token wins over the fleet's (the user chose it for every worker)
        mine = WebhookReceiver(public_url="https://w3.test", token="t" * 24)
        mine.attach(a)
        assert mine.callback_url.endswith("/" + "t" * 24) and mine.token_source == "configured"
        # another account's store: another fleet, refused by a fleet receiver
        other = make_client(sandbox, api_key=sandbox.add_key("sk-other"),
                            store=f"sqlite:///{tmp_path / 'other.sqlite3'}", fleet=FLEET)
        async with other:
            with pytest.raises(ValueError, match="another store's fleet"):
                one.attach(other)
        for receiver, client in ((one, a), (two, b), (mine, a)):
            receiver.detach(client)


async def test_attaching_a_fleet_client_before_opening_it_is_a_clear_error(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    client = fleet_client(sandbox, f"sqlite:///{tmp_path / 's.sqlite3'}")
    try:
        with pytest.raises(RuntimeError, match="open the client before attaching"):
            WebhookReceiver(public_url="https://w.test").attach(client)
    finally:
        await client.aclose()


# ------------------------------------------------------------------ options and failure


async def test_fleet_can_be_turned_off_and_journal_has_none(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    path = f"sqlite:///{tmp_path / 's.sqlite3'}"
    async with make_client(sandbox, store=path, fleet=FleetPolicy(enabled=False)) as off:
        assert off.fleet is None
        job = await off.generate(prompt="plain")
        await asyncio.wait_for(job, 10)
    async with make_client(sandbox, journal=tmp_path / "j.sqlite3") as journaled:
        assert journaled.fleet is None
    with pytest.raises(TypeError, match="fleet"):
        make_client(sandbox, store=path, fleet={"lease_ttl": 1})
    for bad in ({"lease_ttl": 0}, {"follow_interval": -1}, {"takeover_interval": 0}):
        with pytest.raises(ValueError):
            FleetPolicy(**bad)  # type: ignore[arg-type]


async def test_a_redis_outage_does_not_stop_polling_of_owned_jobs(sandbox: Sandbox) -> None:
    server = RedisServer(require_redis_server())
    try:
        async with fleet_client(sandbox, server.url, poll=PollPolicy(
                initial=0.02, maximum=0.05, early_maximum=0.05, min_interval=0.0,
                max_wait=20.0)) as a:
            job = await a.generate(prompt="survives the outage")
            await eventually(lambda: job.task_id in a.fleet.owned, 5)  # type: ignore[union-attr]
            server.stop()
            record = await asyncio.wait_for(job, 15)  # polling goes on without the store
            assert record.tracks
            await eventually(lambda: a.fleet.stats["store_errors"] >= 1, 10)  # type: ignore[union-attr]
    finally:
        with contextlib.suppress(Exception):
            server.stop()
