"""``suno-async journal list`` / ``journal forget``: clearing a maybe-submitted entry on purpose.

A dropped reply after the sandbox created the task leaves the request MAYBE_SUBMITTED in the
journal: the next batch run must not pay for it again, unless the user forgets it on purpose.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from suno_async.sandbox import Fault, Sandbox

from .test_cli import GENERATE, cli_main, conn


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    async with Sandbox(time_scale=0.003, seed=5, poll_limit=None) as sandbox:
        yield sandbox


async def _maybe_submitted_batch(sb: Sandbox, tmp_path: Path) -> tuple[list[str], Path]:
    batch = tmp_path / "requests.jsonl"
    batch.write_text(json.dumps({"prompt": "lost reply song"}) + "\n")
    journal = tmp_path / "jobs.sqlite3"
    args = ["batch", str(batch), "--journal", str(journal), *conn(sb)]
    sb.inject(Fault(route=GENERATE, kind="drop", after=True, times=1))
    first = await cli_main(*args, cwd=tmp_path)
    assert first.code == 5, first.err
    assert sb.stats.submissions[GENERATE] == 1
    return args, journal


async def test_list_shows_the_maybe_submitted_entry(sb: Sandbox, tmp_path: Path) -> None:
    _args, journal = await _maybe_submitted_batch(sb, tmp_path)
    r = await cli_main("journal", "list", "--journal", str(journal), "--json", cwd=tmp_path)
    assert r.code == 0, r.err
    doc = r.json()
    assert isinstance(doc, dict)
    (entry,) = doc["entries"]
    assert entry["maybe_submitted"] is True and entry["task_id"] is None
    assert entry["request"]["prompt"] == "lost reply song"
    assert len(entry["key"]) == 64
    plain = await cli_main("journal", "list", "--journal", str(journal), cwd=tmp_path)
    assert plain.code == 0, plain.err
    assert entry["key"][:12] in plain.out and "MAYBE_SUBMITTED" in plain.out
    assert "journal forget KEY" in plain.err


async def test_forget_prints_what_it_removed_and_the_next_run_sends_again(
    sb: Sandbox, tmp_path: Path
) -> None:
    args, journal = await _maybe_submitted_batch(sb, tmp_path)
    again = await cli_main(*args, "--json", cwd=tmp_path)  # in doubt: not sent again
    assert sb.stats.submissions[GENERATE] == 1, again.err

    listed = await cli_main("journal", "list", "--journal", str(journal), "--json", cwd=tmp_path)
    doc = listed.json()
    assert isinstance(doc, dict)
    key = doc["entries"][0]["key"]
    r = await cli_main("journal", "forget", key[:10], "--journal", str(journal), cwd=tmp_path)
    assert r.code == 0, r.err
    assert f"forgot {key}" in r.out and "lost reply song" in r.out
    assert "MAYBE_SUBMITTED" in r.out
    assert "sends that request again" in r.err

    after = await cli_main("journal", "list", "--journal", str(journal), "--json", cwd=tmp_path)
    doc = after.json()
    assert isinstance(doc, dict) and doc["entries"] == []

    rerun = await cli_main(*args, "--json", cwd=tmp_path)
    assert rerun.code == 0, rerun.err
    assert sb.stats.submissions[GENERATE] == 2


async def test_forget_an_unknown_key_says_so(sb: Sandbox, tmp_path: Path) -> None:
    _args, journal = await _maybe_submitted_batch(sb, tmp_path)
    r = await cli_main("journal", "forget", "deadbeef00", "--journal", str(journal), cwd=tmp_path)
    assert r.code == 2
    assert "no journal entry matches 'deadbeef00'; nothing was removed." in r.err
    assert "journal list" in r.err
    listed = await cli_main("journal", "list", "--journal", str(journal), "--json", cwd=tmp_path)
    doc = listed.json()
    assert isinstance(doc, dict) and len(doc["entries"]) == 1


async def test_journal_commands_need_an_existing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.sqlite3"
    r = await cli_main("journal", "list", "--journal", str(missing), cwd=tmp_path)
    assert r.code == 2 and "there is no journal at" in r.err
    assert not missing.exists()
