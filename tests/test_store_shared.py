"""``suno_async.store``: SQLiteStore and RedisStore behave alike, in one process and across
real processes (``python -m tests._store_worker``) — claims won once, a shared rate window
never exceeded, leases taken over after a SIGKILL, callbacks routed between processes.

Redis runs as a real ``redis-server`` on a free loopback port (``tests/_redis.py``).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from suno_async.errors import JournalError
from suno_async.journal import Journal
from suno_async.store import (
    JournalEntry,
    RedisStore,
    SQLiteStore,
    Store,
    StoreError,
    account_key,
    open_store,
    store_for,
)

from ._redis import RedisServer, free_port, redis_server, redis_url  # noqa: F401
from ._reliability import no_leaks  # noqa: F401
from ._store_worker import API_HOST, API_KEY

pytestmark = pytest.mark.usefixtures("no_leaks")

ROOT = Path(__file__).resolve().parents[1]
GENERATE = "/api/v1/generate"
#: Figures measured by the tests (latency, takeover), printed for the closing note.
FIGURES = ROOT / ".store-figures.json"


@pytest.fixture(params=["sqlite", "redis"])
def spec(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store spec for each backend (the Redis one flushed)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    url: str = request.getfixturevalue("redis_url")
    return url


@pytest.fixture
async def store(spec: str) -> AsyncIterator[Store]:
    opened = await open_store(spec, api_key=API_KEY, api_host=API_HOST)
    assert opened is not None
    try:
        yield opened
    finally:
        await opened.aclose()


def record_figure(name: str, value: Any) -> None:
    figures = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    figures[name] = value
    FIGURES.write_text(json.dumps(figures, indent=1, sort_keys=True))


def spawn_worker(mode: str, spec: str, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.Popen(
        [sys.executable, "-m", "tests._store_worker", mode, spec, *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


async def worker_result(proc: subprocess.Popen[str], within: float = 60) -> dict[str, Any]:
    out, err = await asyncio.to_thread(proc.communicate, timeout=within)
    assert proc.returncode == 0, err
    data: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return data


async def worker_line(proc: subprocess.Popen[str], within: float = 30) -> dict[str, Any]:
    assert proc.stdout is not None
    line = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), within)
    assert line, proc.stderr.read() if proc.stderr else "worker exited"
    data: dict[str, Any] = json.loads(line)
    return data


async def workers_ready(procs: list[subprocess.Popen[str]], within: float = 60) -> None:
    """Wait for each worker's ``{"ready": true}`` line: its interpreter is up and warm."""
    for proc in procs:
        assert (await worker_line(proc, within))["ready"]


def kill_worker(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.communicate(timeout=10)


# -- one process: the protocol's semantics ------------------------------------------------


async def test_claim_lifecycle(store: Store) -> None:
    assert isinstance(store, Store)
    assert await store.claim("music", GENERATE, "k1", {"prompt": "a", "callBackUrl": "s"}) is None
    again = await store.claim("music", GENERATE, "k1", {"prompt": "a"})
    assert isinstance(again, JournalEntry)
    assert again.mine and not again.in_flight and not again.maybe_submitted
    assert "callBackUrl" not in again.request  # secrets never stored
    await store.record_submitted("t1", "music", GENERATE, "k1", {"prompt": "a"})
    found = await store.find("k1")
    assert found is not None and found.task_id == "t1" and found.status is None
    assert [e.task_id for e in await store.unfinished()] == ["t1"]
    await store.record_outcome("t1", "SUCCESS", True)
    assert await store.unfinished() == []
    done = await store.find("k1")
    assert done is not None and done.ok is True

    # A send that proves nothing was created releases the claim: claimable again.
    assert await store.claim("music", GENERATE, "k2", {}) is None
    await store.release("k2")
    assert await store.find("k2") is None
    # A lost reply: maybe submitted, in doubt, never claimable until forgotten.
    assert await store.claim("music", GENERATE, "k3", {}) is None
    await store.record_maybe_submitted("music", GENERATE, "k3", {})
    doubt = await store.claim("music", GENERATE, "k3", {})
    assert doubt is not None and doubt.maybe_submitted
    assert [e.request_key for e in await store.in_doubt()] == ["k3"]
    assert await store.forget("k3")
    assert not await store.forget("k3")
    assert await store.in_doubt() == []
    assert await store.claim("music", GENERATE, "k3", {}) is None
    everything = await store.entries()
    assert [(e.request_key, e.placeholder, e.ok) for e in everything] == [
        ("k1", False, True), ("k3", True, None)
    ]
    assert everything[0].task_id == "t1"


async def test_another_instances_live_claim_is_in_flight(spec: str) -> None:
    first = await open_store(spec, api_key=API_KEY, api_host=API_HOST)
    second = await open_store(spec, api_key=API_KEY, api_host=API_HOST)
    assert first is not None and second is not None
    assert first.owner_id != second.owner_id and len(first.owner_id) == 16
    try:
        assert await first.claim("music", GENERATE, "k", {}) is None
        seen = await second.claim("music", GENERATE, "k", {})
        assert seen is not None and seen.in_flight and not seen.maybe_submitted
        await first.aclose()  # the sender is gone without an answer: now in doubt
        after = await second.claim("music", GENERATE, "k", {})
        assert after is not None and after.maybe_submitted and not after.in_flight
        assert [e.request_key for e in await second.in_doubt()] == ["k"]
    finally:
        await first.aclose()
        await second.aclose()


async def test_accounts_do_not_share_anything(spec: str) -> None:
    a = await open_store(spec, api_key="sk-one", api_host=API_HOST)
    b = await open_store(spec, api_key="sk-two", api_host=API_HOST)
    c = await open_store(spec, api_key="sk-one", api_host="other.host")
    assert a is not None and b is not None and c is not None
    try:
        assert len({a.account, b.account, c.account}) == 3
        assert "sk-one" not in a.account
        for s in (a, b, c):
            assert await s.claim("music", GENERATE, "same-key", {}) is None
            assert await s.acquire_create_slot(1, 60.0) == 0.0
        assert await a.acquire_create_slot(1, 60.0) > 0
        tokens = {await s.get_or_create_token() for s in (a, b, c)}
        assert len(tokens) == 3
    finally:
        for s in (a, b, c):
            await s.aclose()


async def test_the_webhook_token_is_shared_by_every_instance(spec: str) -> None:
    stores = [await open_store(spec, api_key=API_KEY, api_host=API_HOST) for _ in range(3)]
    try:
        tokens = await asyncio.gather(*(s.get_or_create_token() for s in stores if s))
        assert len(set(tokens)) == 1 and len(tokens[0]) >= 32
        assert await stores[0].get_or_create_token("hmac") not in tokens  # type: ignore[union-attr]
    finally:
        for s in stores:
            assert s is not None
            await s.aclose()


async def test_rate_window_returns_the_wait(store: Store) -> None:
    assert [await store.acquire_create_slot(3, 30.0) for _ in range(3)] == [0.0] * 3
    wait = await store.acquire_create_slot(3, 30.0)
    assert 0 < wait <= 30.0
    with pytest.raises(ValueError, match="limit"):
        await store.acquire_create_slot(0, 1.0)


async def test_an_in_flight_slot_counts_until_its_reply(store: Store) -> None:
    """A slot taken with a ``slot_id`` occupies the window until finished, then counts
    from the reply: a slow POST never lets a 21st create reach the server early."""
    assert await store.acquire_create_slot(2, 0.2, slot_id="a") == 0.0
    assert await store.acquire_create_slot(2, 0.2, slot_id="b") == 0.0
    await asyncio.sleep(0.3)  # older than the window, but still in flight
    short = await store.acquire_create_slot(2, 0.2)
    assert 0 < short <= 0.1  # only the replies can free a slot: ask again soon
    await store.finish_create_slot("a")
    wait = await store.acquire_create_slot(2, 0.2)
    assert 0.1 < wait <= 0.2  # "a" counts from its reply, a full window from now
    await asyncio.sleep(wait)
    assert await store.acquire_create_slot(2, 0.2) == 0.0


async def test_a_rerun_sees_the_previous_runs_slots(spec: str) -> None:
    first = await open_store(spec, api_key=API_KEY, api_host=API_HOST)
    assert first is not None
    try:
        for _ in range(5):
            assert await first.acquire_create_slot(5, 60.0) == 0.0
    finally:
        await first.aclose()
    rerun = await open_store(spec, api_key=API_KEY, api_host=API_HOST)
    assert rerun is not None
    try:
        assert await rerun.acquire_create_slot(5, 60.0) > 0
    finally:
        await rerun.aclose()


async def test_job_registry_and_leases(store: Store) -> None:
    await store.put_job("t1", "music", stage="PENDING", status="PENDING")
    assert await store.try_acquire("t1", "A", 30.0)
    assert await store.try_acquire("t1", "A", 30.0)  # ours: kept
    assert not await store.try_acquire("t1", "B", 30.0)
    state = await store.get_job("t1")
    assert state is not None and state.owner == "A" and state.stage == "PENDING"
    assert state.lease_until is not None and state.lease_until > time.time()
    await store.put_job("t1", "music", stage="TEXT_SUCCESS", record='{"taskId": "t1"}')
    state = await store.get_job("t1")
    assert state is not None and state.stage == "TEXT_SUCCESS" and state.status == "PENDING"
    assert state.record == '{"taskId": "t1"}'
    assert await store.renew("A", 30.0) == ["t1"]
    assert await store.renew("B", 30.0) == []
    assert await store.orphans() == []
    await store.release_lease("t1", "B")  # not B's: nothing happens
    assert not await store.try_acquire("t1", "B", 30.0)
    await store.release_lease("t1", "A")
    assert await store.orphans() == ["t1"]
    assert await store.try_acquire("t1", "B", 0.2)
    await asyncio.sleep(0.3)  # B's lease expires without a heartbeat
    assert await store.orphans() == ["t1"]
    assert await store.try_acquire("t1", "C", 30.0)
    assert await store.renew("B", 30.0) == []  # B lost it
    await store.put_job("t1", "music", stage="SUCCESS", final=True)
    state = await store.get_job("t1")
    assert state is not None and state.final and state.owner is None
    assert not await store.try_acquire("t1", "D", 30.0)  # finished: nobody polls it
    assert await store.orphans() == []
    await store.put_job("t1", "music")  # a late adopter's write does not reopen it
    assert await store.orphans() == []
    state = await store.get_job("t1")
    assert state is not None and state.final and state.stage == "SUCCESS"
    assert await store.get_job("nope") is None


async def test_callbacks_reach_every_subscriber_from_entry_on(store: Store) -> None:
    await store.publish("before", '{"old": true}')  # published before: not delivered
    async with store.subscribe() as one, store.subscribe() as two:
        for n in range(3):
            await store.publish(f"t{n}", json.dumps({"n": n}))
        async with asyncio.timeout(10):
            got_one = [await anext(one) for _ in range(3)]
            got_two = [await anext(two) for _ in range(3)]
    assert [c.task_id for c in got_one] == ["t0", "t1", "t2"]
    assert [c.body for c in got_two] == [json.dumps({"n": n}) for n in range(3)]


# -- failure: unreachable, newer schema -----------------------------------------------


async def test_an_unreachable_redis_fails_at_open() -> None:
    port = free_port()
    with pytest.raises(StoreError, match=r"(?i)connect|refused") as caught:
        await open_store(f"redis://user:hunter2@127.0.0.1:{port}/0")
    assert "hunter2" not in str(caught.value)
    assert isinstance(caught.value, JournalError)
    assert "hunter2" not in repr(RedisStore(f"redis://u:hunter2@127.0.0.1:{port}/0"))


async def test_an_unusable_sqlite_store_fails_at_open(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    with pytest.raises(JournalError):
        await open_store(tmp_path / "dir")
    # the store that failed to open was closed again: its engine thread is gone
    assert not [t for t in threading.enumerate() if t.name == "suno-async-store"]
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"garbage " * 1000)
    store = SQLiteStore(bad)
    try:
        with pytest.raises(JournalError):
            await store.open()
    finally:
        await store.aclose()


async def test_a_newer_redis_layout_is_refused(redis_url: str) -> None:  # noqa: F811
    import redis.asyncio as aioredis

    raw = aioredis.from_url(redis_url)
    try:
        await raw.set(f"suno-async:{account_key(API_KEY, API_HOST)}:schema", 99)
    finally:
        await raw.aclose()
    with pytest.raises(StoreError, match="newer"):
        await open_store(redis_url, api_key=API_KEY, api_host=API_HOST)


def test_specs() -> None:
    assert store_for(None) is None
    assert isinstance(store_for("redis://h:6379/0"), RedisStore)
    assert isinstance(store_for("rediss://h:6380/1"), RedisStore)
    s = store_for("sqlite:////abs/x.db")
    assert isinstance(s, SQLiteStore) and s.path == "/abs/x.db"
    s = store_for("sqlite:///rel/x.db")
    assert isinstance(s, SQLiteStore) and s.path == "rel/x.db"
    s = store_for(Path("plain.db"), api_key="k", api_host="h")
    assert isinstance(s, SQLiteStore) and s.account == account_key("k", "h")
    with pytest.raises(ValueError, match="scheme"):
        store_for("ftp://x")
    with pytest.raises(ValueError, match="sqlite:///"):
        store_for("sqlite://x.db")
    with pytest.raises(TypeError, match="Store"):
        store_for(42)  # type: ignore[arg-type]
    root = SQLiteStore("x.db")
    view = store_for(root, api_key="k", api_host="h")
    assert isinstance(view, SQLiteStore) and view.account == account_key("k", "h")


async def test_a_journal_file_is_a_sqlite_store(tmp_path: Path) -> None:
    """``journal=`` keeps working: the journal is the SQLite store's (unscoped) claims."""
    path = tmp_path / "j.sqlite3"
    journal = Journal(path)
    try:
        await journal.record_submitted("t1", "music", GENERATE, "k1", {"p": 1})
    finally:
        await journal.aclose()
    store = SQLiteStore(path)
    try:
        entry = await store.find("k1")
        assert entry is not None and entry.task_id == "t1"
    finally:
        await store.aclose()


# -- real processes ------------------------------------------------------------------------


async def test_four_processes_claim_each_key_once(spec: str, tmp_path: Path) -> None:
    start = tmp_path / "go"
    procs = [spawn_worker("claims", spec, str(start), "50", str(seed)) for seed in range(4)]
    try:
        await workers_ready(procs)
        start.touch()
        results = [await worker_result(p) for p in procs]
    finally:
        for p in procs:
            kill_worker(p)
    won = [k for r in results for k in r["won"]]
    assert sorted(won) == sorted(f"key-{i}" for i in range(50))


async def test_four_processes_never_exceed_the_shared_window(spec: str, tmp_path: Path) -> None:
    limit, per, each = 10, 0.5, 8  # 32 slots: at least three full windows
    start = tmp_path / "go"
    args = [str(start), str(each), str(limit), str(per)]
    procs = [spawn_worker("slots", spec, *args) for _ in range(4)]
    try:
        await workers_ready(procs)
        start.touch()
        results = [await worker_result(p, within=120) for p in procs]
    finally:
        for p in procs:
            kill_worker(p)
    assert sum(len(r["taken"]) for r in results) == 4 * each
    stamps = await slot_stamps(spec)
    assert len(stamps) == 4 * each
    # Any `limit + 1` consecutive slots span at least one window: never more than
    # `limit` slots inside any window of `per` seconds.
    tightest = min(stamps[i + limit] - stamps[i] for i in range(len(stamps) - limit))
    assert tightest >= per - 2e-6, tightest
    record_figure(f"slots_tightest_window_{spec.split(':')[0]}", tightest)


async def slot_stamps(spec: str) -> list[float]:
    """The slot times as the store recorded them."""
    account = account_key(API_KEY, API_HOST)
    if spec.startswith("sqlite"):
        conn = sqlite3.connect(spec.removeprefix("sqlite:///"))
        try:
            rows = conn.execute(
                "SELECT at FROM rate_slots WHERE account = ? ORDER BY at", (account,)
            ).fetchall()
        finally:
            conn.close()
        return [float(r[0]) for r in rows]
    import redis.asyncio as aioredis

    raw = aioredis.from_url(spec)
    try:
        found = await raw.zrange(f"suno-async:{account}:slots", 0, -1, withscores=True)
    finally:
        await raw.aclose()
    return sorted(float(score) for _, score in found)


async def test_a_killed_owners_lease_is_taken_over(spec: str) -> None:
    ttl = 2.0  # the owner heartbeats every ttl / 5: a loaded machine still renews in time
    owner = spawn_worker("lease", spec, "task-1", "worker-A", str(ttl))
    store = await open_store(spec, api_key=API_KEY, api_host=API_HOST)
    assert store is not None
    try:
        assert (await worker_line(owner))["held"]
        # While the owner heartbeats, its lease holds beyond its ttl.
        for _ in range(5):  # the last try is 4/3 ttl after the first
            assert not await store.try_acquire("task-1", "worker-B", ttl)
            await asyncio.sleep(ttl / 3)
        assert await store.orphans() == []
        owner.send_signal(signal.SIGKILL)
        await asyncio.to_thread(owner.wait, 10)
        killed = time.monotonic()
        async with asyncio.timeout(10 * ttl):
            while not await store.try_acquire("task-1", "worker-B", ttl):
                await asyncio.sleep(0.02)
        takeover = time.monotonic() - killed
        state = await store.get_job("task-1")
        assert state is not None and state.owner == "worker-B"
        record_figure(f"lease_takeover_s_{spec.split(':')[0]}", round(takeover, 3))
    finally:
        kill_worker(owner)
        await store.aclose()


async def test_a_callback_published_by_one_process_reaches_another(spec: str) -> None:
    count = 60
    listener = spawn_worker("listen", spec, str(count))
    try:
        assert (await worker_line(listener))["ready"]
        publisher = spawn_worker("publish", spec, str(count), "0.01")
        try:
            assert (await worker_result(publisher))["published"] == count
            seen = (await worker_result(listener))["seen"]
        finally:
            kill_worker(publisher)
    finally:
        kill_worker(listener)
    assert [n for _, n, _ in seen] == list(range(count))  # each once, in order
    assert [t for t, _, _ in seen] == [f"task-{n}" for n in range(count)]
    latencies = sorted(lat * 1000 for _, _, lat in seen)
    record_figure(
        f"callback_latency_ms_{spec.split(':')[0]}",
        {"median": round(statistics.median(latencies), 2),
         "p99": round(latencies[int(0.99 * (len(latencies) - 1))], 2)},
    )


def test_redis_server_fixture_is_real(redis_server: RedisServer) -> None:  # noqa: F811
    assert redis_server.proc.poll() is None
    assert redis_server.url.startswith("redis://127.0.0.1:")


async def test_a_redis_outage_mid_run_is_a_typed_error() -> None:
    from ._redis import require_redis_server

    server = RedisServer(require_redis_server())
    try:
        store = await open_store(server.url, api_key=API_KEY, api_host=API_HOST)
        assert store is not None
        try:
            assert await store.claim("music", GENERATE, "k1", {}) is None
            server.stop()
            with pytest.raises(StoreError) as caught:
                await store.claim("music", GENERATE, "k2", {})
            assert "claim" in str(caught.value)
            with pytest.raises(StoreError) as paid:
                await store.record_submitted("paid-7", "music", GENERATE, "k1", {})
            assert paid.value.task_id == "paid-7" and "paid-7" in str(paid.value)
            with pytest.raises(StoreError):
                await store.acquire_create_slot(20, 10.0)
            with pytest.raises(StoreError):
                async with store.subscribe() as feed:
                    await anext(feed)
        finally:
            await store.aclose()
    finally:
        server.stop()


async def test_a_sqlite_store_waiting_for_a_lock_never_blocks_the_loop(tmp_path: Path) -> None:
    import threading

    path = tmp_path / "s.sqlite3"
    store = SQLiteStore(path)
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    try:
        await store.open()
        other.execute("BEGIN EXCLUSIVE")
        release = threading.Timer(0.5, lambda: other.execute("COMMIT"))
        release.start()
        tick = asyncio.ensure_future(ticker())
        assert await store.claim("music", GENERATE, "k", {}) is None  # waited for the lock
        tick.cancel()
        await asyncio.gather(tick, return_exceptions=True)
        release.join()
        assert ticks >= 10  # the loop kept running while the store's thread waited
    finally:
        other.close()
        await store.aclose()


async def test_finished_job_rows_expire_but_claims_stay(tmp_path: Path) -> None:
    root = SQLiteStore(tmp_path / "r.sqlite3", job_retention=0.05)
    store = root.for_account(API_KEY, API_HOST)
    assert store.job_retention == 0.05
    await store.open()
    try:
        body = {"prompt": "kept"}
        assert await store.claim("music", "/api/v1/generate", "k-old", body) is None
        await store.record_submitted("old", "music", "/api/v1/generate", "k-old", body)
        await store.put_job("old", "music", stage="SUCCESS", record="{}", final=True)
        await store.put_job("running", "music", stage="FIRST_SUCCESS")
        await asyncio.sleep(0.1)  # both rows are now older than the retention
        await store.put_job("new", "music", stage="SUCCESS", final=True)
        assert await store.get_job("old") is None  # finished and expired: dropped
        assert await store.get_job("new") is not None  # just finished: kept
        running = await store.get_job("running")
        assert running is not None and not running.final  # unfinished rows are never dropped
        entry = await store.find("k-old")  # the claim stays: a rerun still never pays twice
        assert entry is not None and entry.task_id == "old"
    finally:
        await root.aclose()
    with pytest.raises(ValueError, match="job_retention"):
        SQLiteStore(tmp_path / "x.sqlite3", job_retention=-1)


async def test_finished_job_keys_get_a_ttl_in_redis(redis_url: str) -> None:  # noqa: F811
    import redis.asyncio as aioredis

    root = RedisStore(redis_url, job_retention=100)
    store = root.for_account(API_KEY, API_HOST)
    await store.open()
    raw = aioredis.from_url(redis_url)
    try:
        await store.put_job("open-job", "music", stage="PENDING")
        await store.put_job("done-job", "music", stage="SUCCESS", final=True)
        assert await raw.ttl(store._key("job", "open-job")) == -1  # no expiry
        ttl = await raw.ttl(store._key("job", "done-job"))
        assert 0 < ttl <= 100
        state = await store.get_job("done-job")
        assert state is not None and state.final
    finally:
        await raw.aclose()
        await root.aclose()
    with pytest.raises(ValueError, match="job_retention"):
        RedisStore(redis_url, job_retention=float("nan"))


async def test_find_many_reads_only_the_keys_asked_for(store: Store) -> None:
    body = {"prompt": "many"}
    assert await store.claim("music", "/api/v1/generate", "m-sent", body) is None
    await store.record_submitted("m-task", "music", "/api/v1/generate", "m-sent", body)
    assert await store.claim("music", "/api/v1/generate", "m-sending", body) is None
    assert await store.claim("music", "/api/v1/generate", "m-other", body) is None
    find_many = store.find_many
    found = await find_many(["m-sent", "m-sending", "m-missing"])
    assert set(found) == {"m-sent", "m-sending"}  # not m-other, not the missing one
    assert found["m-sent"].task_id == "m-task" and not found["m-sent"].placeholder
    assert found["m-sending"].placeholder and found["m-sending"].mine
    assert found["m-sent"] == await store.find("m-sent")
    assert await find_many([]) == {}
