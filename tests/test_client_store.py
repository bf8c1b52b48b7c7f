"""``SunoClient(store=...)``: the shared store wired into the client (one process).

Claims and the rate window go through the store for every backend (SQLite and a real
``redis-server``, ``tests/_redis.py``); the multi-process proofs are in
``tests/test_store_processes.py``.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from suno_async import RateLimit, RetryPolicy, SunoClient
from suno_async.errors import JournalError, StoreError
from suno_async.journal import Journal
from suno_async.models import GenerateRequest
from suno_async.sandbox import Sandbox
from suno_async.store import RedisStore, SQLiteStore, Store, account_key

from ._redis import RedisServer, free_port, redis_server, redis_url, require_redis_server  # noqa: F401
from ._reliability import no_leaks  # noqa: F401
from .conftest import TIME_SCALE, make_client
from .test_store_shared import spec  # noqa: F401

pytestmark = pytest.mark.usefixtures("no_leaks")

GENERATE = "/api/v1/generate"
KEY = "sk-store-test"


# ------------------------------------------------------------------ construction


def test_store_specs_are_parsed_at_construction(tmp_path: Path) -> None:
    base = "http://127.0.0.1:9"
    assert SunoClient(api_key=KEY, base_url=base).store is None
    by_path = SunoClient(api_key=KEY, base_url=base, store=tmp_path / "a.sqlite3").store
    by_url = SunoClient(api_key=KEY, base_url=base, store=f"sqlite:///{tmp_path}/b.sqlite3").store
    redis = SunoClient(api_key=KEY, base_url=base, store="redis://127.0.0.1:1/0").store
    assert isinstance(by_path, SQLiteStore) and isinstance(by_url, SQLiteStore)
    assert isinstance(redis, RedisStore)
    for store in (by_path, by_url, redis):
        # the account's scope: a hash of key and host, never the key
        assert store.account == account_key(KEY, base) and KEY not in store.account
        assert KEY not in repr(store)
    journal = SunoClient(api_key=KEY, base_url=base, journal=tmp_path / "j.sqlite3")
    assert journal.store is journal.journal and journal.store.account == ""  # unscoped


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"store": "ftp://x/y"}, ValueError, "unknown scheme"),
        ({"store": "sqlite:///"}, ValueError, "sqlite:///"),
        ({"store": 42}, TypeError, "store must be"),
        ({"store": SQLiteStore}, TypeError, "the class SQLiteStore"),
        ({"store": "s.sqlite3", "journal": "j.sqlite3"}, ValueError, "not both"),
    ],
)
def test_a_bad_store_argument_is_a_clear_error(
    options: dict[str, object], error: type[Exception], match: str, tmp_path: Path
) -> None:
    os.chdir(tmp_path)  # nothing is created anyway
    with pytest.raises(error, match=match):
        SunoClient(api_key=KEY, base_url="http://127.0.0.1:9", **options)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ lifecycle


async def test_an_unreachable_redis_fails_at_async_with(sandbox: Sandbox) -> None:
    url = f"redis://user:hunter2@127.0.0.1:{free_port()}/0"
    client = make_client(sandbox, store=url)
    with pytest.raises(StoreError) as caught:
        async with client:
            pytest.fail("entered with an unreachable store")
    assert isinstance(caught.value, JournalError)
    assert "hunter2" not in str(caught.value) and "127.0.0.1" in str(caught.value)
    assert client.closed  # nothing left open
    assert sandbox.stats.submissions[GENERATE] == 0


async def test_an_unusable_sqlite_store_fails_at_async_with(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    client = make_client(sandbox, store=tmp_path)  # a directory
    with pytest.raises(JournalError):
        async with client:
            pytest.fail("entered with an unusable store")
    assert client.closed


async def test_a_store_object_passed_in_stays_open_and_is_scoped(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    root = SQLiteStore(tmp_path / "s.sqlite3")
    await root.open()
    try:
        async with make_client(sandbox, store=root) as client:
            assert client.store is not None and client.store is not root
            assert client.store.account == account_key(sandbox.api_key, sandbox.url)
            job = await client.generate(prompt="scoped")
            await job
        # the caller's store is still usable; the task is in the account's view only
        assert await root.unfinished() == []
        view = root.for_account(sandbox.api_key, sandbox.url)
        assert [e.task_id for e in await view.entries()] == [job.task_id]
    finally:
        await root.aclose()


async def test_without_async_with_the_store_opens_on_first_use(
    sandbox: Sandbox, spec: str  # noqa: F811
) -> None:
    client = make_client(sandbox, store=spec)
    try:
        items = await client.generate_many([GenerateRequest(prompt="lazy")])
        assert items[0].error is None and items[0].job is not None
        await items[0].job
    finally:
        await client.aclose()
    assert sandbox.stats.submissions[GENERATE] == 1


# ------------------------------------------------------------------ claims


async def test_two_clients_over_one_store_pay_once(
    sandbox: Sandbox, spec: str  # noqa: F811
) -> None:
    requests = [GenerateRequest(prompt=f"shared {i}") for i in range(12)]
    async with make_client(sandbox, store=spec) as one, make_client(sandbox, store=spec) as two:
        first, second = await asyncio.gather(
            one.generate_many(requests), two.generate_many(requests)
        )
        assert [i.error for i in first + second] == [None] * 24
        ids = [i.job.task_id for i in first if i.job]
        assert ids == [i.job.task_id for i in second if i.job]  # the same tasks
        assert sum(i.resumed for i in first + second) == 12  # one side re-attached each
        await asyncio.gather(*(i.job.wait() for i in first + second if i.job))
    assert sandbox.stats.submissions[GENERATE] == 12  # each request paid once


async def test_a_rerun_over_a_store_resumes_instead_of_paying(
    sandbox: Sandbox, spec: str  # noqa: F811
) -> None:
    requests = [GenerateRequest(prompt=f"rerun {i}") for i in range(5)]
    async with make_client(sandbox, store=spec) as first:
        items = await first.generate_many(requests)
        await asyncio.gather(*(i.job.wait() for i in items if i.job))
    async with make_client(sandbox, store=spec) as second:
        again = await second.generate_many(requests)
        assert all(i.resumed for i in again)
        assert [i.job.task_id for i in again if i.job] == [i.job.task_id for i in items if i.job]
    assert sandbox.stats.submissions[GENERATE] == 5


async def test_resume_reattaches_the_stores_unfinished_tasks(
    sandbox: Sandbox, spec: str  # noqa: F811
) -> None:
    async with make_client(sandbox, store=spec) as first:
        job = await first.generate(prompt="[[slow]] resume me")
    async with make_client(sandbox, store=spec) as second:
        jobs = await second.resume()
        assert [j.task_id for j in jobs] == [job.task_id]
        assert (await jobs[0]).tracks


async def test_a_redis_outage_before_the_post_sends_nothing(sandbox: Sandbox) -> None:
    server = RedisServer(require_redis_server())
    try:
        async with make_client(sandbox, store=server.url) as client:
            await client.generate_many([GenerateRequest(prompt="before")])
            server.stop()
            items = await client.generate_many([GenerateRequest(prompt="during")])
            assert isinstance(items[0].error, StoreError)
            assert "nothing was sent" in str(items[0].error)
            with pytest.raises(StoreError):
                await client.generate(prompt="during, alone")
    finally:
        server.stop()
    assert sandbox.stats.submissions[GENERATE] == 1  # nothing sent unclaimed


# ------------------------------------------------------------------ the shared window


async def test_a_rerun_sees_the_previous_runs_creates(spec: str) -> None:  # noqa: F811
    """Run 1 uses the whole window; run 2 (a new client, as after a restart) must wait
    for it. In memory run 2 would start at once and draw HTTP 429."""
    window = (5, 0.5)
    limit = RateLimit(creates=window[0], per_seconds=window[1], max_wait=10)
    once = RetryPolicy(max_attempts=1)  # a 429 would surface, not be retried away
    async with Sandbox(time_scale=TIME_SCALE, seed=5, poll_limit=None, rate_limit=window) as sb:
        for run in range(2):
            async with make_client(sb, store=spec, rate_limit=limit, retry=once) as client:
                jobs = await asyncio.gather(
                    *(client.generate(prompt=f"run {run} #{i}") for i in range(window[0]))
                )
                assert len({j.task_id for j in jobs}) == window[0]
        assert sb.stats.rate_limited == 0
        assert sb.stats.submissions[GENERATE] == 2 * window[0]


async def test_in_memory_a_rerun_does_not_see_the_previous_runs_creates() -> None:
    """The contrast (memory mode unchanged): the same two runs without a store draw 429."""
    window = (5, 0.5)
    limit = RateLimit(creates=window[0], per_seconds=window[1], max_wait=10)
    once = RetryPolicy(max_attempts=1)
    async with Sandbox(time_scale=TIME_SCALE, seed=5, poll_limit=None, rate_limit=window) as sb:
        for run in range(2):
            async with make_client(sb, rate_limit=limit, retry=once) as client:
                await asyncio.gather(
                    *(client.generate(prompt=f"run {run} #{i}") for i in range(window[0])),
                    return_exceptions=True,
                )
        assert sb.stats.rate_limited > 0


async def test_two_clients_share_the_window(spec: str) -> None:  # noqa: F811
    window = (4, 0.5)
    limit = RateLimit(creates=window[0], per_seconds=window[1], max_wait=10)
    once = RetryPolicy(max_attempts=1)
    async with Sandbox(time_scale=TIME_SCALE, seed=6, poll_limit=None, rate_limit=window) as sb:
        async with make_client(sb, store=spec, rate_limit=limit, retry=once) as a, make_client(
            sb, store=spec, rate_limit=limit, retry=once
        ) as b:
            jobs = await asyncio.gather(
                *(c.generate(prompt=f"pair {i}") for i in range(6) for c in (a, b))
            )
        assert len({j.task_id for j in jobs}) == 12
        assert sb.stats.rate_limited == 0


async def test_a_slot_taken_for_a_request_claimed_elsewhere_is_given_back(
    sandbox: Sandbox, spec: str  # noqa: F811
) -> None:
    """Two clients race for the same requests: the loser's slots return to the window,
    so the window holds exactly one slot per POST."""
    requests = [GenerateRequest(prompt=f"race {i}") for i in range(6)]
    async with make_client(sandbox, store=spec) as one, make_client(sandbox, store=spec) as two:
        await asyncio.gather(one.generate_many(requests), two.generate_many(requests))
        store = one.store
        assert store is not None
        # a fresh window of 7 per minute: 6 slots held by the 6 POSTs, one left
        assert await store.acquire_create_slot(7, 60.0) == 0.0
        assert await store.acquire_create_slot(7, 60.0) > 0
    assert sandbox.stats.submissions[GENERATE] == 6


def test_store_is_a_protocol_the_journal_implements(tmp_path: Path) -> None:
    assert isinstance(Journal(tmp_path / "j.sqlite3"), Store)
