"""``suno-async batch FILE --store URL``: several CLI processes run one batch together.

Two real CLI processes over one batch file and one store (SQLite, and a real
``redis-server``): each line is paid once, each track downloaded once (by one of the
two), and the sandbox never answers HTTP 429.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from suno_async.sandbox import Sandbox

from ._redis import free_port, redis_server, redis_url  # noqa: F401
from .test_cli import GENERATE, cli, conn, start_cli
from .test_store_shared import spec  # noqa: F401

LINES = 6


async def test_two_cli_processes_share_one_batch(spec: str, tmp_path: Path) -> None:  # noqa: F811
    batch = tmp_path / "songs.jsonl"
    batch.write_text("".join(
        json.dumps({"prompt": f"line {i}", "instrumental": True}) + "\n" for i in range(LINES)
    ))
    async with Sandbox(time_scale=0.01, seed=31, poll_limit=None) as sb:
        procs = [
            await start_cli(
                "batch", str(batch), "--store", spec, "--download", str(tmp_path / name),
                "--concurrency", str(LINES), "--json", *conn(sb), cwd=tmp_path,
            )
            for name in ("a", "b")
        ]
        outputs = [await asyncio.wait_for(p.communicate(), 90) for p in procs]
        for proc, (_, err) in zip(procs, outputs, strict=True):
            assert proc.returncode == 0, err.decode()
        docs = [json.loads(out) for out, _ in outputs]
        assert sb.stats.submissions[GENERATE] == LINES  # each line paid once
        assert sb.stats.rate_limited == 0
        # every line succeeded: --status says so with exit 0 (the only test of that code)
        status = await cli("batch", str(batch), "--store", spec, "--status", *conn(sb),
                           cwd=tmp_path)
        assert status.code == 0, status.err
        assert f"whole batch: {LINES}/{LINES} done ({LINES} ok)" in status.out
        assert sb.stats.submissions[GENERATE] == LINES
    assert sum(d["submitted"] for d in docs) == LINES
    assert sum(d["resumed"] for d in docs) == LINES  # the other process re-attached
    for doc in docs:  # each worker ends with the whole batch's figures, not only its own
        assert doc["batch"]["succeeded"] == doc["batch"]["total"] == LINES
    saved = [p for name in ("a", "b") if (tmp_path / name).exists()
             for p in (tmp_path / name).iterdir()]
    assert len(saved) == 2 * LINES  # two tracks per line, each downloaded once in all
    files = [f for d in docs for job in d["jobs"] for f in job["files"]]
    assert len(files) == len(set(files)) == 2 * LINES


async def test_the_whole_batch_is_visible_from_any_machine(
    spec: str, tmp_path: Path  # noqa: F811
) -> None:
    lines = [{"prompt": "one"}, {"prompt": "[[fail]] two"}, {"prompt": "three"},
             {"prompt": "four"}]
    full, part = tmp_path / "songs.jsonl", tmp_path / "part.jsonl"
    full.write_text("".join(json.dumps(line) + "\n" for line in lines))
    part.write_text("".join(json.dumps(line) + "\n" for line in lines[:3]))
    async with Sandbox(time_scale=0.003, seed=35, poll_limit=None) as sb:
        # machine A ran the first three lines (one failed) and stopped
        r = await cli("batch", str(part), "--store", spec, "--json", *conn(sb), cwd=tmp_path)
        assert r.code == 1, r.err
        # machine C runs none of it and asks: sends nothing, exit 6 (not finished)
        status = await cli("batch", str(full), "--store", spec, "--status", "--json",
                           *conn(sb), cwd=tmp_path)
        assert status.code == 6, status.err
        doc = json.loads(status.out)
        assert [line["state"] for line in doc["lines"]] == [
            "succeeded", "failed", "succeeded", "waiting"]
        assert doc["batch"]["done"] == 3 and doc["batch"]["waiting"] == 1
        assert all(line["task_id"] for line in doc["lines"][:3])
        assert sb.stats.submissions[GENERATE] == 3
        # machine B runs the whole file: re-attaches to three, sends the fourth, and its
        # live line counts every worker's lines
        b = await cli("batch", str(full), "--store", spec, "--plain", *conn(sb), cwd=tmp_path)
        assert b.code == 1, b.err  # the failed line is still failed
        assert "whole batch (all workers): " in b.out
        assert "whole batch (every worker sharing the store): 4/4 done (3 ok, 1 failed)" in b.out
        assert sb.stats.submissions[GENERATE] == 4
        table = await cli("batch", str(full), "--store", spec, "--status", "--plain",
                          *conn(sb), cwd=tmp_path)
        assert table.code == 1, table.err  # finished, one line failed
        assert "whole batch: 4/4 done (3 ok, 1 failed)" in table.out
        assert sb.stats.submissions[GENERATE] == 4


async def test_status_without_a_store_is_a_usage_error(tmp_path: Path) -> None:
    batch = tmp_path / "songs.jsonl"
    batch.write_text('{"prompt": "x"}\n')
    async with Sandbox(time_scale=0.01, seed=36, poll_limit=None) as sb:
        r = await cli("batch", str(batch), "--status", *conn(sb), cwd=tmp_path)
        assert r.code == 2 and "--store URL" in r.err
        r = await cli("batch", str(batch), "--status", "--journal", str(tmp_path / "no.db"),
                      *conn(sb), cwd=tmp_path)
        assert r.code == 2 and "no journal at" in r.err
        assert not (tmp_path / "no.db").exists()
        assert sb.stats.submissions[GENERATE] == 0


async def test_status_of_a_sqlite_store_that_does_not_exist_is_a_usage_error(
    tmp_path: Path,
) -> None:
    # a mistyped --store path must not create an empty store and report every line
    # "waiting" (exit 6, as if the batch had not started yet)
    batch = tmp_path / "songs.jsonl"
    batch.write_text('{"prompt": "x"}\n')
    async with Sandbox(time_scale=0.01, seed=37, poll_limit=None) as sb:
        for spec in (f"sqlite:///{tmp_path / 'typo.sqlite3'}", str(tmp_path / "typo.sqlite3")):
            r = await cli("batch", str(batch), "--status", "--store", spec, *conn(sb),
                          cwd=tmp_path)
            assert r.code == 2, (r.out, r.err)
            assert "no store at" in r.err and "typo.sqlite3" in r.err
        assert not (tmp_path / "typo.sqlite3").exists()
        assert sb.stats.submissions[GENERATE] == 0


async def test_journal_and_store_together_are_refused(tmp_path: Path) -> None:
    batch = tmp_path / "songs.jsonl"
    batch.write_text('{"prompt": "x"}\n')
    async with Sandbox(time_scale=0.01, seed=32, poll_limit=None) as sb:
        r = await cli("batch", str(batch), "--store", str(tmp_path / "s.sqlite3"),
                      "--journal", str(tmp_path / "j.sqlite3"), *conn(sb), cwd=tmp_path)
        assert r.code == 2, r.err
        assert "--journal and --store" in r.err
        assert sb.stats.submissions[GENERATE] == 0


async def test_an_unreachable_store_fails_before_anything_is_sent(tmp_path: Path) -> None:
    batch = tmp_path / "songs.jsonl"
    batch.write_text('{"prompt": "x"}\n')
    url = f"redis://:hunter2@127.0.0.1:{free_port()}/0"
    async with Sandbox(time_scale=0.01, seed=33, poll_limit=None) as sb:
        r = await cli("batch", str(batch), "--store", url, *conn(sb), cwd=tmp_path)
        assert r.code != 0
        assert "redis store" in r.err and "hunter2" not in r.err + r.out
        assert "the store failed" in r.err and "--store server" in r.err  # not "journal"
        assert sb.stats.submissions[GENERATE] == 0


@pytest.mark.parametrize("command", ["generate"])
async def test_generate_takes_a_store(command: str, tmp_path: Path) -> None:
    async with Sandbox(time_scale=0.003, seed=34, poll_limit=None) as sb:
        store = f"sqlite:///{tmp_path / 's.sqlite3'}"
        r = await cli(command, "one song", "--store", store, "--wait", *conn(sb), cwd=tmp_path)
        assert r.code == 0, r.err
        assert sb.stats.submissions[GENERATE] == 1
    assert (tmp_path / "s.sqlite3").exists()  # the shared window lives there
