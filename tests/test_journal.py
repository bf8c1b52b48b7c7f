"""The journal: task ids committed the moment the API returns them, outcomes recorded,
``resume()`` re-attaching unfinished jobs, ``generate_many`` never re-sending journaled work.

Everything runs against the in-process sandbox over loopback; the journal file is read
back with a separate ``sqlite3`` connection (what a restarted process would see).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from suno_async import GenerateRequest, PollPolicy, Stage
from suno_async.errors import ClientClosedError, JobTimeoutError
from suno_async.journal import Journal
from suno_async.sandbox import Sandbox

from ._reliability import assert_no_stray_tasks, no_leaks  # noqa: F401
from .conftest import FAST_POLL, TIME_SCALE, eventually, make_client

pytestmark = pytest.mark.usefixtures("no_leaks")

GENERATE = "/api/v1/generate"


def rows(path: Path) -> list[dict[str, Any]]:
    """The journal as another process sees it (committed rows only)."""
    conn = sqlite3.connect(path)
    try:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("SELECT * FROM tasks ORDER BY submitted_at")]
    finally:
        conn.close()


async def test_task_id_is_committed_before_generate_returns(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    path = tmp_path / "jobs.sqlite3"
    async with make_client(sandbox, journal=path) as client:
        job = await client.generate(prompt="journal me [[never]]")
        # Read with an independent connection while the client still runs.
        found = rows(path)
        assert [r["task_id"] for r in found] == [job.task_id]
        assert found[0]["kind"] == "music"
        assert found[0]["path"] == GENERATE
        assert found[0]["ok"] is None
        request = json.loads(found[0]["request"])
        assert request["prompt"] == "journal me [[never]]"
        assert "callBackUrl" not in request  # it may carry a secret token
    assert_no_stray_tasks()


async def test_outcomes_are_recorded(sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    async with make_client(sandbox, journal=path) as client:
        good = await client.generate(prompt="fine song")
        bad = await client.generate(prompt="broken song [[fail]]")
        async with asyncio.timeout(15):
            await good
            with pytest.raises(Exception, match="GENERATE_AUDIO_FAILED"):
                await bad
    by_id = {r["task_id"]: r for r in rows(path)}
    assert by_id[good.task_id]["ok"] == 1
    assert by_id[good.task_id]["status"] == "SUCCESS"
    assert by_id[bad.task_id]["ok"] == 0
    assert by_id[bad.task_id]["status"] == "GENERATE_AUDIO_FAILED"
    assert by_id[bad.task_id]["finished_at"] is not None
    assert_no_stray_tasks()


async def test_resume_reattaches_unfinished_jobs(sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    slow = PollPolicy(initial=5.0, maximum=5.0, early_maximum=5.0, min_interval=0.0)
    # First run: submit, then "crash" (close) long before the first poll.
    async with make_client(sandbox, journal=path, poll=slow) as first:
        submitted = [await first.generate(prompt=f"resume {i}") for i in range(3)]
        waiter = asyncio.ensure_future(submitted[0].wait())
    with pytest.raises(ClientClosedError):
        await waiter
    assert all(r["ok"] is None for r in rows(path))  # nothing finished was recorded

    before = sandbox.stats.submissions[GENERATE]
    async with make_client(sandbox, journal=path) as second:
        resumed = await second.resume()
        assert sorted(j.task_id for j in resumed) == sorted(j.task_id for j in submitted)
        async with asyncio.timeout(15):
            records = [await job for job in resumed]
        assert all(len(r.tracks) == 2 for r in records)
    assert sandbox.stats.submissions[GENERATE] == before  # nothing re-sent
    assert {r["ok"] for r in rows(path)} == {1}

    async with make_client(sandbox, journal=path) as third:
        assert await third.resume() == []  # finished work is not resumed
    assert_no_stray_tasks()


async def test_generate_many_skips_journaled_requests(sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    requests = [GenerateRequest(prompt=f"batch {i}") for i in range(6)]
    # Identical requests in one batch are distinct work, told apart by occurrence.
    requests += [GenerateRequest(prompt="same"), GenerateRequest(prompt="same")]
    async with make_client(sandbox, journal=path) as client:
        head = await client.generate_many(requests[:3], concurrency=3)
        async with asyncio.timeout(15):
            for item in head:
                assert item.job is not None
                await item.job
    assert sandbox.stats.submissions[GENERATE] == 3

    async with make_client(sandbox, journal=path) as client:
        items = await client.generate_many(requests, concurrency=4)
        assert [i.resumed for i in items] == [True] * 3 + [False] * 5
        assert [i.job.task_id for i in items[:3] if i.job] == [i.job.task_id for i in head if i.job]
        async with asyncio.timeout(15):
            for item in items:
                assert item.job is not None
                await item.job
    assert sandbox.stats.submissions[GENERATE] == 8

    async with make_client(sandbox, journal=path) as client:
        again = await client.generate_many(requests, concurrency=8)
        assert all(i.resumed for i in again)
        async with asyncio.timeout(15):
            for item in again:
                assert item.job is not None
                assert item.job.stage is Stage.SUCCESS or len((await item.job).tracks) == 2
    assert sandbox.stats.submissions[GENERATE] == 8
    entries = rows(path)
    assert len(entries) == 8
    assert len({r["request_key"] for r in entries}) == 8
    assert_no_stray_tasks()


async def test_timed_out_job_stays_resumable(sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    short = PollPolicy(
        initial=0.01, maximum=0.05, early_maximum=0.03, min_interval=0.0, max_wait=0.3
    )
    async with make_client(sandbox, journal=path, poll=short) as client:
        job = await client.generate(prompt="forever [[never]]")
        async with asyncio.timeout(10):
            with pytest.raises(JobTimeoutError):
                await job
    assert rows(path)[0]["ok"] is None  # a wait timeout is not an outcome
    async with make_client(sandbox, journal=path, poll=short) as client:
        assert [j.task_id for j in await client.resume()] == [job.task_id]
    assert_no_stray_tasks()


async def test_journal_io_runs_off_the_event_loop(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    loop_thread = threading.get_ident()
    seen: list[int] = []
    try:
        await journal._run(lambda conn: seen.append(threading.get_ident()))
        await journal.record_submitted("t1", "music", GENERATE, "k1", {"prompt": "p"})
        assert seen
        assert seen[0] != loop_thread
        assert [e.task_id for e in await journal.unfinished()] == ["t1"]
    finally:
        await journal.aclose()
    # Reopening the same file sees the committed row.
    reopened = Journal(tmp_path / "j.sqlite3")
    try:
        entry = await reopened.find("k1")
        assert entry is not None
        assert entry.task_id == "t1"
    finally:
        await reopened.aclose()


async def test_journal_survives_a_crash_without_close(tmp_path: Path) -> None:
    """Rows are committed per write: a process that never closes the journal loses nothing."""
    path = tmp_path / "j.sqlite3"
    journal = Journal(path)
    try:
        for i in range(5):
            await journal.record_submitted(f"t{i}", "music", GENERATE, f"k{i}", {"i": i})
        await journal.record_outcome("t0", "SUCCESS", True)
        assert [r["task_id"] for r in rows(path)] == [f"t{i}" for i in range(5)]
        assert rows(path)[0]["ok"] == 1
    finally:
        await journal.aclose()


async def test_concurrent_batch_with_journal_under_load(tmp_path: Path) -> None:
    """20 concurrent submissions all land in the journal, each exactly once."""
    path = tmp_path / "jobs.sqlite3"
    async with Sandbox(time_scale=TIME_SCALE, seed=5, poll_limit=None, rate_limit=None) as sb:
        async with make_client(sb, journal=path, poll=FAST_POLL) as client:
            requests = [GenerateRequest(prompt=f"load {i}") for i in range(20)]
            items = await client.generate_many(requests, concurrency=20)
            async with asyncio.timeout(20):
                for item in items:
                    assert item.job is not None
                    await item.job
        assert sb.stats.submissions[GENERATE] == 20
        assert len(sb.state.store.tasks) == 20
    entries = rows(path)
    assert sorted(r["task_id"] for r in entries) == sorted(i.job.task_id for i in items if i.job)
    assert all(r["ok"] == 1 for r in entries)
    assert_no_stray_tasks()


async def test_an_ambiguous_submission_is_never_resent_by_a_rerun(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """A POST whose reply was lost may have created a (paid) task: the journal remembers
    it, and a rerun of the batch reports it instead of sending it again."""
    from suno_async.errors import APIConnectionError
    from suno_async.sandbox import Fault

    path = tmp_path / "jobs.sqlite3"
    requests = [GenerateRequest(prompt=f"ambiguous {i}") for i in range(3)]
    sandbox.inject(Fault(route=GENERATE, kind="drop", after=True, times=1))
    async with make_client(sandbox, journal=path) as client:
        first = await client.generate_many(requests, concurrency=1)
        async with asyncio.timeout(15):
            for item in first:
                if item.job is not None:
                    await item.job
    failed = [i for i in first if i.error is not None]
    assert len(failed) == 1
    assert isinstance(failed[0].error, APIConnectionError)
    assert failed[0].error.maybe_submitted
    assert sandbox.stats.submissions[GENERATE] == 3  # the dropped reply's task exists

    async with make_client(sandbox, journal=path) as client:
        assert await client.resume() == []  # nothing to poll: its task id is unknown
        second = await client.generate_many(requests, concurrency=3)
    assert sandbox.stats.submissions[GENERATE] == 3  # not paid for twice
    again = second[failed[0].index]
    assert again.job is None
    assert isinstance(again.error, APIConnectionError)
    assert again.error.maybe_submitted
    assert "journal" in str(again.error)
    assert all(i.resumed for i in second if i.index != failed[0].index)

    # The user checked their task list and wants it sent again: forget it, rerun.
    async with make_client(sandbox, journal=path) as client:
        assert client.journal is not None
        key = client._journal_key(requests[failed[0].index], 0)
        assert await client.journal.forget(key)
        third = await client.generate_many(requests, concurrency=3)
        async with asyncio.timeout(15):
            for item in third:
                assert item.job is not None
                await item.job
    assert sandbox.stats.submissions[GENERATE] == 4
    assert_no_stray_tasks()


# -- write-ahead intents: a crash while sending is never mistaken for "not sent" ---------


async def test_a_request_in_flight_when_the_process_died_is_not_resent(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    path = tmp_path / "jobs.sqlite3"
    request = GenerateRequest(prompt="sent as the power went out")
    async with make_client(sandbox, journal=path) as first:
        key = first._journal_key(request, 0)
        assert first.journal is not None
        # what a run that died between writing its intent and reading the reply leaves
        await first.journal.record_intent("music", request.path, key, request.to_wire())
    async with make_client(sandbox, journal=path) as second:
        (item,) = await second.generate_many([request])
        assert item.error is not None and getattr(item.error, "maybe_submitted", False)
        assert "journal.forget" in str(item.error)
        assert await second.resume() == []  # no task id to resume
        assert second.journal is not None
        assert await second.journal.forget(key)
        (retry,) = await second.generate_many([request])
        assert retry.ok
    assert sandbox.stats.received["/api/v1/generate"] == 1


@pytest.mark.parametrize("kind", ["http_500", "malformed"])
async def test_a_server_error_reply_to_a_paid_post_counts_as_maybe_submitted(
    sandbox: Sandbox, tmp_path: Path, kind: str
) -> None:
    from suno_async.sandbox import Fault

    path = tmp_path / "jobs.sqlite3"
    sandbox.inject(Fault(route="/api/v1/generate", kind=kind, after=True, times=1))
    request = GenerateRequest(prompt="did it or did it not")
    async with make_client(sandbox, journal=path) as first:
        (item,) = await first.generate_many([request])
        assert getattr(item.error, "maybe_submitted", False) is True
    async with make_client(sandbox, journal=path) as second:
        (again,) = await second.generate_many([request])
        assert getattr(again.error, "maybe_submitted", False) is True
    assert sandbox.stats.received["/api/v1/generate"] == 1
    assert sandbox.stats.submissions["/api/v1/generate"] == 1  # the task did exist


async def test_a_definite_refusal_clears_the_intent(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    async with Sandbox(time_scale=TIME_SCALE, seed=3, poll_limit=None, credits=0) as sb:
        request = GenerateRequest(prompt="no credits today")
        async with make_client(sb, journal=path) as first:
            (item,) = await first.generate_many([request])
            assert item.error is not None and not getattr(item.error, "maybe_submitted", True)
        assert rows(path) == []  # nothing in doubt: the server said no
        sb.set_credits(sb.api_key, 100)
        async with make_client(sb, journal=path) as second:
            (retry,) = await second.generate_many([request])
            assert retry.ok
        assert sb.stats.submissions["/api/v1/generate"] == 1


# -- issue 12 items 4, 5, 17, 18: claims, transactions, locks, damaged files, closing ----

CLAIMER = r"""
import asyncio, json, os, random, sys, time
from suno_async.journal import Journal

path, start, count, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])

async def main():
    journal = Journal(path)
    keys = [f"key-{i}" for i in range(count)]
    random.Random(seed).shuffle(keys)
    await journal.find("warm-up")  # open the file before the race starts
    while not os.path.exists(start):
        time.sleep(0.001)
    won, seen = [], []
    for key in keys:
        entry = await journal.claim("music", "/api/v1/generate", key, {"prompt": key})
        (won if entry is None else seen).append(key)
    await journal.aclose()
    print(json.dumps({"won": won, "seen": seen}), flush=True)

asyncio.run(main())
"""


def _spawn_python(code: str, *args: str) -> Any:
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ)
    env["PYTHONPATH"] = str(root) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


async def test_two_journals_claim_each_key_once(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    first, second = Journal(path), Journal(path)
    keys = [f"k{i}" for i in range(40)]
    try:
        results = await asyncio.gather(
            *(j.claim("music", GENERATE, k, {"prompt": k}) for k in keys for j in (first, second))
        )
        winners = [r for r in results if r is None]
        assert len(winners) == 40
        losers = [r for r in results if r is not None]
        assert len(losers) == 40
        # The loser sees the other instance's live claim: in flight, not "maybe submitted".
        assert all(e.in_flight and not e.maybe_submitted and not e.mine for e in losers)
        assert await first.in_doubt() == []
        # A claim of our own instance is ours, not in flight.
        own = await first.claim("music", GENERATE, "k0", {"prompt": "k0"})
        other = await second.claim("music", GENERATE, "k0", {"prompt": "k0"})
        assert own is not None and other is not None
        assert own.mine != other.mine
    finally:
        await first.aclose()
        await second.aclose()
    assert len(rows(path)) == 40


async def test_two_processes_claim_each_key_once(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    start = tmp_path / "go"
    procs = [_spawn_python(CLAIMER, str(path), str(start), "40", str(seed)) for seed in (1, 2)]
    await asyncio.sleep(0.5)  # let both open the file
    start.touch()
    outputs = []
    for proc in procs:
        out, err = await asyncio.to_thread(proc.communicate, timeout=60)
        assert proc.returncode == 0, err
        outputs.append(json.loads(out))
    won = [k for o in outputs for k in o["won"]]
    assert sorted(won) == sorted(f"key-{i}" for i in range(40))  # each key won exactly once
    assert all(len(o["won"]) + len(o["seen"]) == 40 for o in outputs)
    found = rows(path)
    assert len(found) == 40 and all(r["status"] == "SENDING" for r in found)
    # Both owners have exited: their claims are now in doubt, never re-sendable silently.
    journal = Journal(path)
    try:
        doubt = await journal.in_doubt()
        assert len(doubt) == 40 and all(e.maybe_submitted for e in doubt)
    finally:
        await journal.aclose()


async def test_record_submitted_is_one_transaction(tmp_path: Path) -> None:
    """The placeholder's DELETE and the task's INSERT commit together (one BEGIN...COMMIT),
    so no reader ever sees the claim gone and the task missing."""
    path = tmp_path / "j.sqlite3"
    journal = Journal(path)
    statements: list[str] = []
    try:
        assert await journal.claim("music", GENERATE, "k1", {"prompt": "p"}) is None
        await journal._run(lambda conn: conn.set_trace_callback(statements.append))
        await journal.record_submitted("t1", "music", GENERATE, "k1", {"prompt": "p"})
        await journal._run(lambda conn: conn.set_trace_callback(None))
    finally:
        await journal.aclose()
    verbs = [s.split()[0].upper() for s in statements]
    assert verbs == ["BEGIN", "DELETE", "INSERT", "COMMIT"], statements
    assert [(r["task_id"], r["status"]) for r in rows(path)] == [("t1", None)]


async def test_claim_checks_and_inserts_in_one_transaction(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    statements: list[str] = []
    try:
        await journal._run(lambda conn: conn.set_trace_callback(statements.append))
        assert await journal.claim("music", GENERATE, "k1", {"prompt": "p"}) is None
        await journal._run(lambda conn: conn.set_trace_callback(None))
    finally:
        await journal.aclose()
    verbs = [s.split()[0].upper() for s in statements]
    assert verbs == ["BEGIN", "SELECT", "INSERT", "COMMIT"], statements
    assert statements[0].upper() == "BEGIN IMMEDIATE"


async def test_a_write_waits_for_a_short_lock(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    journal = Journal(path, lock_timeout=5.0)
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        await journal.find("open")
        other.execute("BEGIN EXCLUSIVE")
        released = threading.Timer(0.3, lambda: other.execute("COMMIT"))
        released.start()
        await journal.record_submitted("t1", "music", GENERATE, "k1", {"prompt": "p"})
        released.join()
        assert [e.task_id for e in await journal.unfinished()] == ["t1"]
    finally:
        await journal.aclose()
        other.close()


async def test_a_write_locked_out_raises_journal_error_with_the_task_id(tmp_path: Path) -> None:
    from suno_async.errors import JournalError

    path = tmp_path / "j.sqlite3"
    journal = Journal(path, lock_timeout=0.3)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        await journal.find("open")
        other.execute("BEGIN EXCLUSIVE")
        with pytest.raises(JournalError) as caught:
            await journal.record_submitted("paid-1", "music", GENERATE, "k1", {"prompt": "p"})
        assert caught.value.task_id == "paid-1"
        assert "locked" in str(caught.value) and "paid-1" in str(caught.value)
        assert not isinstance(caught.value.__cause__, JournalError)
        other.execute("ROLLBACK")
        # The journal still works once the lock is gone.
        await journal.record_submitted("paid-1", "music", GENERATE, "k1", {"prompt": "p"})
        assert [e.task_id for e in await journal.unfinished()] == ["paid-1"]
    finally:
        await journal.aclose()
        other.close()


def _make_valid(path: Path) -> None:
    async def fill() -> None:
        journal = Journal(path)
        try:
            for i in range(50):
                body = {"i": "x" * 500}
                await journal.record_submitted(f"t{i}", "music", GENERATE, f"k{i}", body)
        finally:
            await journal.aclose()

    asyncio.run(fill())


@pytest.mark.parametrize("damage", ["garbage", "truncated", "directory", "newer_schema"])
async def test_a_damaged_journal_raises_journal_error(tmp_path: Path, damage: str) -> None:
    from suno_async.errors import JournalError

    path = tmp_path / "j.sqlite3"
    if damage == "garbage":
        path.write_bytes(b"this is not a database, just text " * 200)
    elif damage == "truncated":
        await asyncio.to_thread(_make_valid, path)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 3])
    elif damage == "directory":
        path.mkdir()
    else:
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA user_version = 99")
        conn.commit()
        conn.close()
    journal = Journal(path)
    try:
        with pytest.raises(JournalError) as caught:
            await journal.find("k1")
            await journal.entries()
            await journal.record_submitted("t-new", "music", GENERATE, "k-new", {"i": 1})
        if damage == "newer_schema":
            assert "newer" in str(caught.value)
        with pytest.raises(JournalError) as again:
            await journal.record_submitted("t9", "music", GENERATE, "k9", {"i": 1})
        assert again.value.task_id == "t9"
    finally:
        await journal.aclose()
    if damage == "newer_schema":  # never silently rewritten
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA user_version").fetchone() == (99,)
        conn.close()


def _protect(paths: list[Path], on: bool) -> bool:
    """Make ``paths`` unwritable even for root (``chattr +i``); whether it worked."""
    import os
    import shutil
    import subprocess

    if os.geteuid() != 0:
        for p in paths:
            p.chmod((0o555 if p.is_dir() else 0o444) if on else 0o755)
        return True
    chattr = shutil.which("chattr")
    if chattr is None:
        return False
    flag = "+i" if on else "-i"
    done = subprocess.run([chattr, flag, *map(str, paths)], capture_output=True, check=False)
    return done.returncode == 0


def test_a_read_only_journal_raises_journal_error(tmp_path: Path) -> None:
    from suno_async.errors import JournalError

    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "j.sqlite3"
    _make_valid(path)
    protected = [path, folder]
    if not _protect(protected, True):
        _protect(protected, False)
        pytest.skip("running as root without a working chattr: cannot make a file read-only")

    async def write() -> None:
        journal = Journal(path)
        try:
            await journal.record_submitted("t-new", "music", GENERATE, "k-new", {"i": 1})
        finally:
            await journal.aclose()

    try:
        with pytest.raises(JournalError) as caught:
            asyncio.run(write())
        assert caught.value.task_id == "t-new"
    finally:
        _protect(protected, False)


async def test_a_0_1_0_journal_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE tasks (task_id TEXT PRIMARY KEY, kind TEXT NOT NULL, path TEXT NOT NULL,
            request_key TEXT, request TEXT NOT NULL, submitted_at REAL NOT NULL, status TEXT,
            ok INTEGER, finished_at REAL);
        CREATE INDEX tasks_key ON tasks(request_key);
        INSERT INTO tasks VALUES ('t1', 'music', '/api/v1/generate', 'k1', '{}', 1.0, NULL,
            NULL, NULL);
        INSERT INTO tasks VALUES ('unknown:k2', 'music', '/api/v1/generate', 'k2', '{}', 2.0,
            'SENDING', NULL, NULL);
        """
    )
    conn.commit()
    conn.close()
    journal = Journal(path)
    try:
        assert [e.task_id for e in await journal.unfinished()] == ["t1"]
        (doubt,) = await journal.in_doubt()  # 0.1.0 recorded no owner: in doubt
        assert doubt.request_key == "k2" and doubt.maybe_submitted
        found = await journal.claim("music", GENERATE, "k1", {})
        assert found is not None and found.task_id == "t1"
    finally:
        await journal.aclose()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone() == (1,)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(tasks)")}
    conn.close()
    assert {"account", "owner_pid", "owner_host", "owner_id"} <= columns


async def test_a_dead_senders_claim_is_in_doubt(tmp_path: Path) -> None:
    import subprocess
    import sys

    def exited_pid() -> int:
        done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)
        return int(done.stdout)

    path = tmp_path / "j.sqlite3"
    dead_pid = await asyncio.to_thread(exited_pid)
    journal = Journal(path)
    try:
        assert await journal.claim("music", GENERATE, "k1", {}) is None

        def orphan(conn: sqlite3.Connection) -> None:
            conn.execute("UPDATE tasks SET owner_pid = ?, owner_id = 'gone'", (dead_pid,))

        await journal._run(orphan, write=True)
        entry = await journal.claim("music", GENERATE, "k1", {})
        assert entry is not None and entry.maybe_submitted and not entry.in_flight
        assert [e.request_key for e in await journal.in_doubt()] == ["k1"]
    finally:
        await journal.aclose()
    # A closed instance of this process counts as dead too (a later run in one process).
    journal = Journal(path)
    try:
        assert await journal.forget("k1")
        assert await journal.claim("music", GENERATE, "k2", {}) is None
    finally:
        await journal.aclose()
    reopened = Journal(path)
    try:
        (entry,) = await reopened.in_doubt()
        assert entry.request_key == "k2" and entry.maybe_submitted
    finally:
        await reopened.aclose()


async def test_aclose_while_200_writes_are_queued(tmp_path: Path) -> None:
    from suno_async.errors import JournalError

    path = tmp_path / "j.sqlite3"
    journal = Journal(path)
    await journal.find("open")
    writes = [
        asyncio.ensure_future(
            journal.record_submitted(f"t{i}", "music", GENERATE, f"k{i}", {"i": i})
        )
        for i in range(200)
    ]
    await asyncio.sleep(0)  # every write is queued on the journal thread
    await journal.aclose()
    results = await asyncio.gather(*writes, return_exceptions=True)
    assert all(r is None for r in results), [r for r in results if r is not None][:3]
    assert len(rows(path)) == 200
    assert not [t for t in threading.enumerate() if t.name == "suno-async-store"]
    with pytest.raises(JournalError, match="closed"):
        await journal.find("k1")
    with pytest.raises(JournalError, match="closed") as caught:
        await journal.record_submitted("late", "music", GENERATE, "k-late", {})
    assert caught.value.task_id == "late"
    await journal.aclose()  # idempotent


async def test_aclose_during_generate_many_is_clean(sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    requests = [GenerateRequest(prompt=f"closing {i}") for i in range(30)]
    client = make_client(sandbox, journal=path)
    async with client:
        batch = asyncio.ensure_future(client.generate_many(requests, concurrency=10))
        await eventually(lambda: sandbox.stats.submissions[GENERATE] >= 3)
    # Closing mid-batch: the batch ends with per-item errors, never a raw sqlite3 error.
    items = await asyncio.wait_for(batch, 20)
    for item in items:
        assert item.error is None or not isinstance(item.error, sqlite3.Error)
    assert not [t for t in threading.enumerate() if t.name == "suno-async-store"]
    journaled = {r["task_id"] for r in rows(path) if not r["task_id"].startswith("unknown:")}
    assert {i.job.task_id for i in items if i.job is not None} <= journaled


async def test_a_journal_locked_at_open_works_once_the_lock_is_gone(tmp_path: Path) -> None:
    from suno_async.errors import JournalError

    path = tmp_path / "j.sqlite3"
    await asyncio.to_thread(_make_valid, path)
    other = sqlite3.connect(path, isolation_level=None)
    journal = Journal(path, lock_timeout=0.2)
    try:
        other.execute("PRAGMA locking_mode=EXCLUSIVE")
        other.execute("BEGIN EXCLUSIVE")
        other.execute("DELETE FROM tasks WHERE task_id = 'nothing'")
        with pytest.raises(JournalError, match="locked"):
            await journal.find("k1")
        other.execute("ROLLBACK")
        other.close()
        entry = await journal.find("k1")  # the next call opens the file
        assert entry is not None and entry.task_id == "t1"
    finally:
        other.close()
        await journal.aclose()
