"""Problems found before anything is paid: an unusable --journal or --download, a batch
file that is not UTF-8. Each exits 2 with one sentence, and the sandbox saw no submission."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from suno_async.sandbox import Sandbox

from .test_cli import GENERATE, cli_main, conn


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    async with Sandbox(time_scale=0.01, seed=5, poll_limit=None) as sandbox:
        yield sandbox


def _batch(tmp_path: Path) -> Path:
    path = tmp_path / "requests.jsonl"
    path.write_text(json.dumps({"prompt": "one song"}) + "\n")
    return path


async def test_journal_in_a_missing_directory_is_refused_before_paying(
    sb: Sandbox, tmp_path: Path
) -> None:
    journal = tmp_path / "no" / "such" / "dir" / "jobs.sqlite3"
    r = await cli_main("batch", str(_batch(tmp_path)), "--journal", str(journal), *conn(sb),
                  cwd=tmp_path)
    assert r.code == 2, r.err
    assert "the directory of --journal" in r.err and "does not exist" in r.err
    assert "mkdir -p" in r.err
    assert sb.stats.submissions[GENERATE] == 0
    assert sum(sb.stats.received.values()) == 0


async def test_journal_that_is_a_directory_is_refused(sb: Sandbox, tmp_path: Path) -> None:
    r = await cli_main("batch", str(_batch(tmp_path)), "--journal", str(tmp_path), *conn(sb),
                  cwd=tmp_path)
    assert r.code == 2 and "is a directory" in r.err
    assert sb.stats.submissions[GENERATE] == 0


@pytest.mark.parametrize("command", ["generate", "batch"])
async def test_download_directory_under_a_file_is_refused_before_paying(
    sb: Sandbox, tmp_path: Path, command: str
) -> None:
    blocker = tmp_path / "a-file.txt"
    blocker.write_text("not a directory")
    target = blocker / "tracks"
    what = ["generate", "lofi piano"] if command == "generate" else ["batch", str(_batch(tmp_path))]
    r = await cli_main(*what, "--download", str(target), *conn(sb), cwd=tmp_path)
    assert r.code == 2, r.err
    assert f"--download {target} is inside {blocker}, which is not a directory" in r.err
    assert "nothing was sent" in r.err
    assert sb.stats.submissions[GENERATE] == 0


async def test_download_onto_a_file_is_refused_before_paying(sb: Sandbox, tmp_path: Path) -> None:
    blocker = tmp_path / "tracks"
    blocker.write_text("a file where the directory should be")
    r = await cli_main("generate", "lofi", "--download", str(blocker), *conn(sb), cwd=tmp_path)
    assert r.code == 2, r.err
    assert "is not a directory" in r.err
    assert sb.stats.submissions[GENERATE] == 0


async def test_non_utf8_batch_file_exits_2(sb: Sandbox, tmp_path: Path) -> None:
    batch = tmp_path / "latin1.jsonl"
    batch.write_bytes('{"prompt": "caf\u00e9"}\n'.encode("latin-1"))
    r = await cli_main("batch", str(batch), *conn(sb), cwd=tmp_path)
    assert r.code == 2, r.err
    assert "is not UTF-8 text (line 1" in r.err and "nothing was sent" in r.err
    assert sum(sb.stats.received.values()) == 0


async def test_a_journal_that_is_not_a_database_is_refused_before_paying(
    sb: Sandbox, tmp_path: Path
) -> None:
    journal = tmp_path / "jobs.sqlite3"
    journal.write_bytes(b"this is not a database " * 100)
    r = await cli_main("batch", str(_batch(tmp_path)), "--journal", str(journal), *conn(sb),
                  cwd=tmp_path)
    assert r.code == 2, r.err
    assert "is not a readable suno-async journal" in r.err and "nothing was sent" in r.err
    assert sb.stats.submissions[GENERATE] == 0
    listed = await cli_main("journal", "list", "--journal", str(journal), cwd=tmp_path)
    assert listed.code == 2 and "is not a readable suno-async journal" in listed.err
