"""Following jobs from the shell: re-attaching, Ctrl-C resume lines, the sandbox across
commands, the demo's honesty about its audio, the first song at FIRST_SUCCESS."""

from __future__ import annotations

import asyncio
import json
import re
import shlex
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from suno_async.models.enums import Stage
from suno_async.sandbox import Fault, Sandbox

from .conftest import make_client
from .test_cli import GENERATE, cli_main, conn, start_cli

UNKNOWN_ID = "0123456789abcdef0123456789abcdef"


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    # a music job runs ~0.4-0.55 s
    async with Sandbox(time_scale=0.003, seed=5, poll_limit=None) as sandbox:
        yield sandbox


@pytest.fixture
async def slow_sb() -> AsyncIterator[Sandbox]:
    """Jobs that run ~1.2-1.8 s: still running when a test interrupts the command."""
    async with Sandbox(time_scale=0.01, seed=5, poll_limit=None) as sandbox:
        yield sandbox


async def _until(predicate: object, what: str) -> None:
    assert callable(predicate)
    for _ in range(500):
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


# ---------------------------------------------------------------------------- sandbox ids


@pytest.mark.parametrize("command", ["status", "wait", "download"])
async def test_in_process_sandbox_says_a_foreign_task_id_is_unknown_to_it(
    tmp_path: Path, command: str
) -> None:
    r = await cli_main(command, UNKNOWN_ID, "--sandbox", cwd=tmp_path)
    assert r.code == 2, r.err
    assert f"task {UNKNOWN_ID} is unknown to this sandbox" in r.err
    assert "fresh in-process sandbox for each command" in r.err
    assert "suno-async sandbox" in r.err and "--base-url" in r.err
    assert "check the network" not in r.err


async def test_generate_on_the_in_process_sandbox_does_not_suggest_a_later_wait(
    tmp_path: Path,
) -> None:
    r = await cli_main("generate", "lofi", "--sandbox", cwd=tmp_path)
    assert r.code == 0, r.err
    assert "stops with this command" in r.err and "suno-async sandbox" in r.err
    assert "follow it with `suno-async wait" not in r.err


async def test_demo_says_its_audio_is_short(tmp_path: Path) -> None:
    r = await cli_main("demo", "--time-scale", "0.003", "--out", "music", cwd=tmp_path)
    assert r.code == 0, r.err
    assert "2-3 minutes" in r.out and "1.5-second test tones" in r.out


# ---------------------------------------------------------------------------- re-attaching


async def _finished(sb: Sandbox, tmp_path: Path, prompt: str, status: str) -> str:
    r = await cli_main("generate", prompt, *conn(sb), cwd=tmp_path)
    assert r.code == 0, r.err
    task_id = r.out.strip()
    await _until(lambda: sb.status(task_id) == status, status)
    return task_id


async def test_wait_on_a_finished_task_needs_no_poll(sb: Sandbox, tmp_path: Path) -> None:
    task_id = await _finished(sb, tmp_path, "finished song", "SUCCESS")
    polls_before = sum(n for path, n in sb.stats.received.items() if "record-info" in path)
    # a first poll 60 s away and a 5 s timeout: only an immediate fetch can succeed
    r = await cli_main(
        "wait", task_id, "--download", "dl", "--json", *conn(sb),
        "--poll-initial", "60", "--poll-maximum", "60", "--timeout", "5",
        cwd=tmp_path,
    )
    assert r.code == 0, r.err
    doc = r.json()
    assert isinstance(doc, dict)
    (job,) = doc["jobs"]
    assert job["status"] == "SUCCESS" and len(job["files"]) == 2
    polls = sum(n for path, n in sb.stats.received.items() if "record-info" in path)
    assert polls - polls_before == 1


async def test_wait_on_a_failed_task_reports_it_at_once(sb: Sandbox, tmp_path: Path) -> None:
    task_id = await _finished(sb, tmp_path, "doomed [[fail]]", "GENERATE_AUDIO_FAILED")
    r = await cli_main(
        "wait", task_id, *conn(sb), "--poll-initial", "60", "--poll-maximum", "60",
        "--timeout", "5", cwd=tmp_path,
    )
    assert r.code == 1, r.err
    assert "GENERATE_AUDIO_FAILED" in r.err


# ---------------------------------------------------------------------------- Ctrl-C


async def _interrupt(sb: Sandbox, args: list[str], cwd: Path, submissions: int) -> str:
    proc = await start_cli(*args, cwd=cwd)
    await _until(lambda: sb.stats.submissions[GENERATE] >= submissions, "submissions")
    await asyncio.sleep(0.2)  # let the CLI register the job it was answered
    proc.send_signal(signal.SIGINT)
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    text = err.decode()
    assert proc.returncode == 130, text
    return text


def _resume_line(text: str) -> list[str]:
    match = re.search(r"resume with: (.+)", text)
    assert match, text
    return shlex.split(match.group(1))


async def test_generate_interrupted_resume_line_keeps_the_options(
    sb: Sandbox, tmp_path: Path
) -> None:
    out_dir = tmp_path / "my tracks"
    text = await _interrupt(
        sb, ["generate", "[[never]] endless", "--download", str(out_dir), *conn(sb)],
        tmp_path, 1,
    )
    (task_id,) = sb.state.store.tasks
    words = _resume_line(text)
    assert words[:3] == ["suno-async", "wait", task_id]
    for option in (["--download", str(out_dir)], ["--base-url", sb.url],
                   ["--poll-initial", "0.02"], ["--timeout", "30.0"]):
        assert " ".join(option) in " ".join(words), words
    assert sb.api_key not in text  # the key is never repeated


async def test_batch_interrupted_resume_line_keeps_concurrency_and_download(
    slow_sb: Sandbox, tmp_path: Path
) -> None:
    sb = slow_sb
    batch = tmp_path / "requests.jsonl"
    batch.write_text("".join(json.dumps({"prompt": f"song {i}"}) + "\n" for i in range(4)))
    journal, out_dir = tmp_path / "jobs.sqlite3", tmp_path / "out"
    args = ["batch", str(batch), "--journal", str(journal), "--concurrency", "3",
            "--download", str(out_dir), *conn(sb)]
    text = await _interrupt(sb, args, tmp_path, 2)
    words = _resume_line(text)
    joined = " ".join(words)
    assert words[:3] == ["suno-async", "batch", str(batch)]
    for option in (f"--journal {journal}", "--concurrency 3", f"--download {out_dir}",
                   f"--base-url {sb.url}"):
        assert option in joined, joined
    # the printed line, run as printed (plus the key), finishes the batch without paying twice
    r = await cli_main(*words[1:], "--api-key", sb.api_key, "--json", cwd=tmp_path)
    assert r.code == 0, r.err
    assert sb.stats.submissions[GENERATE] == 4
    assert len(list(out_dir.iterdir())) == 8


async def test_batch_without_journal_resume_line_waits_with_the_options(
    sb: Sandbox, tmp_path: Path
) -> None:
    batch = tmp_path / "requests.jsonl"
    batch.write_text("".join(json.dumps({"prompt": f"[[never]] {i}"}) + "\n" for i in range(2)))
    text = await _interrupt(
        sb, ["batch", str(batch), "--download", "out", *conn(sb)], tmp_path, 2
    )
    words = _resume_line(text)
    assert words[:2] == ["suno-async", "wait"]
    assert sorted(words[2:4]) == sorted(sb.state.store.tasks)
    assert "--download out" in " ".join(words)
    assert "--journal FILE" in text


# ---------------------------------------------------------------------------- FIRST_SUCCESS


async def _first_track_ready_at_first_success(sb: Sandbox) -> bool:
    async with make_client(sb) as client:
        job = await client.generate(prompt="probe")
        record = await job.wait(Stage.FIRST_SUCCESS, timeout=20)
        ready = bool(record.tracks) and record.tracks[0].ready
        await job.wait(timeout=20)
        return ready


async def test_first_song_is_saved_at_first_success_and_nothing_twice(tmp_path: Path) -> None:
    # FIRST_SUCCESS ~0.3-0.4 s, SUCCESS ~1.2-1.8 s: a gap of 8+ polls (0.1 s apart at most)
    # to see the first song in
    async with Sandbox(time_scale=0.01, seed=5, poll_limit=None) as sb:
        if not await _first_track_ready_at_first_success(sb):
            pytest.skip("this sandbox sends no complete first track at FIRST_SUCCESS (issue 13)")
        before = set(sb.state.store.tasks)
        # a no-op fault on the media routes counts every file fetched
        fetches = sb.inject(Fault(route="/files/*", kind="delay", seconds=0.0))
        out_dir = tmp_path / "tracks"
        proc = await start_cli(
            "generate", "first song first", "--download", str(out_dir), "--plain", *conn(sb),
            cwd=tmp_path,
        )
        assert proc.stdout is not None
        seen_at: str | None = None
        lines = []
        while raw := await asyncio.wait_for(proc.stdout.readline(), 30):
            line = raw.decode()
            lines.append(line)
            if "track 1 saved:" in line and seen_at is None:
                (task_id,) = set(sb.state.store.tasks) - before
                seen_at = sb.status(task_id)
                saved = Path(line.split("track 1 saved: ", 1)[1].split(" (the other")[0])
                assert (tmp_path / saved).is_file()
        assert await proc.wait() == 0, "".join(lines)
        assert seen_at == "FIRST_SUCCESS", "".join(lines)
        assert len(list(out_dir.iterdir())) == 2
        assert fetches.applied == 2  # each track fetched once, none twice


async def test_wait_reports_an_unknown_id_at_once_and_finishes_the_others(
    sb: Sandbox, tmp_path: Path
) -> None:
    task_id = await _finished(sb, tmp_path, "known song", "SUCCESS")
    r = await cli_main(
        "wait", task_id, UNKNOWN_ID, "--json", *conn(sb), "--poll-initial", "60",
        "--poll-maximum", "60", "--timeout", "5", cwd=tmp_path,
    )
    assert r.code == 5, r.err
    doc = r.json()
    assert isinstance(doc, dict)
    known, unknown = doc["jobs"]
    assert (known["task_id"], known["status"], known["ok"]) == (task_id, "SUCCESS", True)
    assert unknown["task_id"] == UNKNOWN_ID and unknown["error"]["type"] == "NotFoundError"
    assert unknown["error"]["message"].startswith("the API does not know this")
