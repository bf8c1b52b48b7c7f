"""The ``suno-async`` command line, driven against a sandbox on loopback.

The sandbox runs in this test process; the CLI talks HTTP to it, so the counters in
``sb.stats`` show exactly what the command sent. ``cli`` runs the command as a child
process (``python -m suno_async.cli``): the tests of exit codes, signals and the entry
point do. ``cli_main`` runs the same ``main(argv)`` in this process, on a thread of its
own with the command's working directory, environment and stdout/stderr (UTF-8, strict,
not a terminal, like a pipe): most tests, which are about what the command does, not
about the process, save an interpreter start and the imports each.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import signal
import sqlite3
import sys
import wave
from collections.abc import AsyncIterator
from pathlib import Path

import attrs
import pytest

from suno_async.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[1]
GENERATE = "/api/v1/generate"
#: Poll fast: the sandbox timeline is scaled down and its poll limit disabled.
FAST = ["--poll-initial", "0.02", "--poll-maximum", "0.1", "--timeout", "30"]


@attrs.frozen
class Result:
    code: int
    out: str
    err: str

    def json(self) -> object:
        return json.loads(self.out)


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUNO_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


async def start_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "suno_async.cli", *args,
        cwd=cwd,
        env=env or cli_env(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Result:
    proc = await start_cli(*args, cwd=cwd, env=env)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return Result(proc.returncode, out.decode(), err.decode())


def _main_in_this_process(args: list[str], cwd: Path, env: dict[str, str]) -> Result:
    from suno_async.cli import main

    out, err = io.BytesIO(), io.BytesIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8", errors="strict", write_through=True)
    stderr = io.TextIOWrapper(err, encoding="utf-8", errors="backslashreplace",
                              write_through=True)
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                code = main(args)
            except SystemExit as exc:  # argparse: --help, usage errors
                code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        stdout.flush()
        stderr.flush()
        return Result(int(code), out.getvalue().decode(), err.getvalue().decode())
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)


async def cli_main(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Result:
    """``suno-async ARGS`` run by ``main()`` in this process (see the module docstring)."""
    return await asyncio.to_thread(_main_in_this_process, list(args), cwd, env or cli_env())


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    # a music job runs ~0.4-0.55 s: a command that waits for one returns soon
    async with Sandbox(time_scale=0.003, seed=5, poll_limit=None) as sandbox:
        yield sandbox


@pytest.fixture
async def slow_sb() -> AsyncIterator[Sandbox]:
    """Jobs that run ~0.6-0.9 s: still running when a test interrupts the command."""
    async with Sandbox(time_scale=0.005, seed=5, poll_limit=None) as sandbox:
        yield sandbox


def conn(sb: Sandbox, key: str | None = None) -> list[str]:
    return ["--base-url", sb.url, "--api-key", key or sb.api_key, *FAST]


def assert_wav(path: Path) -> None:
    with wave.open(str(path), "rb") as w:
        assert w.getnframes() > 0
        assert w.getframerate() > 0


async def test_generate_wait_download_writes_playable_wavs(sb: Sandbox, tmp_path: Path) -> None:
    out_dir = tmp_path / "tracks"
    r = await cli_main(
        "generate", "lofi piano in the rain", "--instrumental", "--download", str(out_dir),
        "--json", *conn(sb), cwd=tmp_path,
    )
    assert r.code == 0, r.err
    doc = r.json()
    assert isinstance(doc, dict) and doc["ok"] is True
    (job,) = doc["jobs"]
    assert job["status"] == "SUCCESS"
    assert len(job["files"]) == 2
    for name in job["files"]:
        path = tmp_path / name
        assert path.parent == out_dir
        assert_wav(path)
    assert [t["file"] for t in job["tracks"]] == job["files"]
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(Path(f).name for f in job["files"])
    assert sb.stats.submissions[GENERATE] == 1


async def test_generate_without_wait_prints_the_task_id_then_status_and_download(
    sb: Sandbox, tmp_path: Path
) -> None:
    r = await cli_main("generate", "--prompt", "[[skip]] synthwave", *conn(sb), cwd=tmp_path)
    assert r.code == 0, r.err
    task_id = r.out.strip()
    assert len(task_id) == 32
    assert f"suno-async wait {task_id}" in r.err
    sb.task(task_id)  # the sandbox knows it
    for _ in range(100):
        if sb.status(task_id) == "SUCCESS":
            break
        await asyncio.sleep(0.05)
    status = await cli_main("status", task_id, "--json", *conn(sb), cwd=tmp_path)
    assert status.code == 0, status.err
    doc = status.json()
    assert isinstance(doc, dict)
    assert (doc["task_id"], doc["stage"], len(doc["tracks"])) == (task_id, "SUCCESS", 2)
    saved = await cli_main("download", task_id, "--to", "dl", *conn(sb), cwd=tmp_path)
    assert saved.code == 0, saved.err
    files = saved.out.splitlines()
    assert len(files) == 2
    for name in files:
        assert_wav(tmp_path / name)
    assert sb.stats.submissions[GENERATE] == 1


async def test_credits_json_parses(sb: Sandbox, tmp_path: Path) -> None:
    sb.set_credits(sb.api_key, 42.5)
    r = await cli_main("credits", "--json", *conn(sb), cwd=tmp_path)
    assert r.code == 0, r.err
    assert r.json() == {"credits": 42.5}


async def test_bad_key_is_one_sentence_with_a_hint_and_exit_3(sb: Sandbox, tmp_path: Path) -> None:
    secret = "not-the-key-0123456789abcdef"
    r = await cli("generate", "lofi", *conn(sb, key=secret), cwd=tmp_path)
    assert r.code == 3
    assert "error: the API refused the API key" in r.err
    assert "hint:" in r.err and "SUNO_API_KEY" in r.err
    assert secret not in r.err + r.out
    assert sb.stats.submissions[GENERATE] == 0


async def test_missing_key_says_how_to_fix_it(tmp_path: Path) -> None:
    r = await cli_main("credits", cwd=tmp_path)
    assert r.code == 3
    assert "no API key" in r.err and "--sandbox" in r.err


async def test_no_credits_exit_4(sb: Sandbox, tmp_path: Path) -> None:
    sb.set_credits(sb.api_key, 0)
    r = await cli_main("generate", "lofi", "--wait", "--json", *conn(sb), cwd=tmp_path)
    assert r.code == 4
    assert "not enough credits" in r.err
    assert "suno-async credits" in r.err
    doc = r.json()
    assert isinstance(doc, dict) and doc["exit_code"] == 4 and doc["ok"] is False
    assert sb.stats.submissions[GENERATE] == 0


async def test_invalid_input_lists_every_field_and_sends_nothing(
    sb: Sandbox, tmp_path: Path
) -> None:
    r = await cli_main(
        "generate", "--custom-mode", "--style-weight", "3", "--model", "V9", *conn(sb),
        cwd=tmp_path,
    )
    assert r.code == 2
    assert "nothing was sent" in r.err
    for field in ("style (--style)", "title (--title)", "style_weight (--style-weight)"):
        assert field in r.err
    # an unknown model is a warning (new models work before the SDK knows them), shown plainly
    assert "warning: model 'V9'" in r.err
    assert ".py:" not in r.err
    assert sum(sb.stats.received.values()) == 0


async def test_failed_job_exit_1(sb: Sandbox, tmp_path: Path) -> None:
    r = await cli("generate", "song [[fail]]", "--wait", *conn(sb), cwd=tmp_path)
    assert r.code == 1
    assert "GENERATE_AUDIO_FAILED" in r.err


async def test_batch_file_problems_are_reported_per_line(sb: Sandbox, tmp_path: Path) -> None:
    batch = tmp_path / "requests.jsonl"
    batch.write_text(
        '{"prompt": "ok"}\n'
        '{"customMode": true, "style": "jazz"}\n'
        "not json\n"
        '{"prompt": "x", "colour": "red"}\n'
    )
    r = await cli_main("batch", str(batch), *conn(sb), cwd=tmp_path)
    assert r.code == 2
    for needle in ("line 2: title", "line 3", "line 4: colour"):
        assert needle in r.err
    assert sum(sb.stats.received.values()) == 0


async def test_batch_interrupted_then_resumed_submits_each_request_once(
    slow_sb: Sandbox, tmp_path: Path
) -> None:
    sb = slow_sb
    prompts = [f"batch song {i}" for i in range(5)]
    batch = tmp_path / "requests.jsonl"
    batch.write_text("".join(json.dumps({"prompt": p}) + "\n" for p in prompts))
    journal = tmp_path / "jobs.sqlite3"
    args = ["batch", str(batch), "--journal", str(journal), "--concurrency", "2", *conn(sb)]

    proc = await start_cli(*args, cwd=tmp_path)
    for _ in range(400):
        if sb.stats.submissions[GENERATE] >= 2:
            break
        await asyncio.sleep(0.02)
    assert sb.stats.submissions[GENERATE] >= 2
    proc.send_signal(signal.SIGINT)
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    text = err.decode()
    assert proc.returncode == 130, text
    assert "still running" in text
    assert f"--journal {journal}" in text
    first_run = sb.stats.submissions[GENERATE]
    assert first_run < len(prompts)
    running = [t for t in sb.state.store.tasks if t in text]
    assert running, text

    r = await cli_main(*args, "--json", cwd=tmp_path)
    assert r.code == 0, r.err
    doc = r.json()
    assert isinstance(doc, dict)
    assert doc["resumed"] == first_run
    assert doc["submitted"] == len(prompts) - first_run
    assert sb.stats.submissions[GENERATE] == len(prompts)
    ids = [j["task_id"] for j in doc["jobs"]]
    assert len(set(ids)) == len(prompts)
    assert all(j["status"] == "SUCCESS" for j in doc["jobs"])
    with sqlite3.connect(journal) as db:
        rows = db.execute("SELECT task_id, ok FROM tasks").fetchall()
    assert sorted(r[0] for r in rows) == sorted(ids)
    assert all(ok == 1 for _, ok in rows)


async def test_sandbox_flag_needs_no_account(tmp_path: Path) -> None:
    r = await cli_main("credits", "--sandbox", "--json", cwd=tmp_path)
    assert r.code == 0, r.err
    doc = r.json()
    assert isinstance(doc, dict) and doc["credits"] > 0
    assert "in-process sandbox" in r.err


async def test_demo_downloads_every_track(tmp_path: Path) -> None:
    r = await cli_main(
        "demo", "--time-scale", "0.003", "--out", "music", "--json", cwd=tmp_path
    )
    assert r.code == 0, r.err
    doc = r.json()
    assert isinstance(doc, dict)
    assert doc["requests"] == 5 and doc["submitted"] == 5
    files = [f for job in doc["jobs"] for f in job["files"]]
    assert len(files) == 10
    for name in files:
        assert_wav(tmp_path / name)
    assert len(list((tmp_path / "music").iterdir())) == 10


async def test_plain_demo_prints_progress_and_a_summary(tmp_path: Path) -> None:
    r = await cli_main("demo", "--time-scale", "0.003", "--out", "music", cwd=tmp_path)
    assert r.code == 0, r.err
    assert "FIRST_SUCCESS" in r.out or "SUCCESS" in r.out
    assert "demo results" in r.out
    assert "10 tracks, 10 files" in r.out and "polls" in r.out and "wall time" in r.out


async def test_help_documents_exit_codes(tmp_path: Path) -> None:
    r = await cli("--help", cwd=tmp_path)
    assert r.code == 0
    for line in ("0    ok", "3    no API key", "4    not enough credits", "130  interrupted"):
        assert line in r.out


async def test_missing_rich_prints_the_install_hint(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['rich'] = None\n"
        "from suno_async.cli import main\n"
        "sys.exit(main(['credits', '--sandbox']))\n"
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, cwd=tmp_path, env=cli_env(),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 2
    assert 'pip install -e ".[cli]"' in err.decode()
