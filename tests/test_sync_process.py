"""The blocking client in whole processes: the example script, and a module-level client
left open at interpreter exit (closed by its finalizer, without hanging or warnings)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOISE = ("Unclosed", "Task was destroyed", "Exception ignored", "Traceback", "never awaited")

MODULE_LEVEL = """\
import atexit
import threading


def report() -> None:  # registered first, so it runs after the SDK's exit finalizers
    alive = sorted(t.name for t in threading.enumerate() if t.name.startswith("suno-async-"))
    print("at exit:", CLIENT.closed, alive, flush=True)


atexit.register(report)

import asyncio
from suno_async import PollPolicy
from suno_async.sync import Sandbox, SunoClient

FAST = PollPolicy(initial=0.01, maximum=0.05, early_maximum=0.03, min_interval=0.0)
SANDBOX = Sandbox(time_scale=0.001, seed=1, poll_limit=None)
CLIENT = SunoClient(api_key=SANDBOX.api_key, base_url=SANDBOX.url, poll=FAST)


def song_tracks() -> int:
    return len(CLIENT.generate(prompt="module level").result(timeout=30).tracks)


async def handler() -> int:  # what a framework or notebook does: a loop is running
    return song_tracks()


print(asyncio.run(handler()), asyncio.run(handler()), song_tracks())
PENDING = CLIENT.generate(prompt="[[never]] still running at exit")
print("exiting with", len(CLIENT.jobs), "jobs")
# no close(): the finalizers close the client, then the sandbox, at exit
"""


def run(args: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDEVMODE": "1"}
    env.pop("SUNO_API_KEY", None)
    env.pop("SUNO_BASE_URL", None)
    return subprocess.run(
        [sys.executable, "-W", "error::ResourceWarning", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False, **kw,
    )


def assert_clean(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 0, done.stderr
    for noise in NOISE:
        assert noise not in done.stderr, done.stderr


def test_a_module_level_client_across_asyncio_runs_closes_at_exit(tmp_path: Path) -> None:
    script = tmp_path / "module_level.py"
    script.write_text(MODULE_LEVEL, encoding="utf-8")
    done = run([str(script)])
    assert_clean(done)
    assert done.stdout.splitlines() == ["2 2 2", "exiting with 4 jobs", "at exit: True []"]


def test_the_example_script(tmp_path: Path) -> None:
    done = run([str(ROOT / "examples" / "sync_script.py"), "--out", str(tmp_path)])
    assert_clean(done)
    assert "  success (SUCCESS)" in done.stdout
    saved = list(tmp_path.iterdir())
    assert len(saved) == 1 and saved[0].stat().st_size > 0
