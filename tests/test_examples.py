"""The README's Python samples and the programs in examples/ run against the sandbox.

README samples run as written, each in its own process, with ``SUNO_API_KEY`` and
``SUNO_BASE_URL`` pointing at a sandbox served by this test (exactly what the README
tells a reader to do). They use the client's real default poll policy, so each takes
about one first-poll interval (~8 s); they run concurrently.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import re
import sys
import wave
from pathlib import Path
from types import ModuleType

import pytest

from suno_async import PollPolicy
from suno_async.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
EXAMPLES = ROOT / "examples"

_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def readme_blocks() -> list[str]:
    return _BLOCK.findall(README.read_text(encoding="utf-8"))


def load_example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_wav(path: Path) -> None:
    with wave.open(str(path), "rb") as w:
        assert w.getnframes() > 0


def test_readme_has_the_first_run_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert 'pip install ".[cli]"' in text  # a regular install: types visible to checkers
    assert 'pip install -e ".[dev]" --config-settings editable_mode=strict' in text
    assert "suno-async demo" in text
    assert "python -m pytest -q" in text  # the exact CI command
    assert "python -m benchmarks" in text


def test_readme_endpoint_table_matches_docs() -> None:
    docs = ROOT / "docs" / "endpoints.md"
    if not docs.exists():
        pytest.skip("docs/endpoints.md not written yet")
    rows = [
        line for line in docs.read_text(encoding="utf-8").splitlines()
        if re.match(r"^\| \d+ \|", line)
    ]
    assert len(rows) >= 20
    readme = README.read_text(encoding="utf-8")
    missing = [row for row in rows if row not in readme]
    assert not missing, missing


async def test_readme_python_samples_run_against_the_sandbox(tmp_path: Path) -> None:
    blocks = readme_blocks()
    assert len(blocks) >= 5
    async with Sandbox(time_scale=0.001, seed=2, poll_limit=None) as sb:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SUNO_")}
        env.update(
            SUNO_API_KEY=sb.api_key,
            SUNO_BASE_URL=sb.url,
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        )

        async def run(index: int, code: str) -> tuple[int, str, str, Path]:
            cwd = tmp_path / f"block{index}"
            cwd.mkdir()
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-c", code, cwd=cwd, env=env,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )
            out, err = await asyncio.wait_for(proc.communicate(), 60)
            assert proc.returncode is not None
            return proc.returncode, out.decode(), err.decode(), cwd

        results = await asyncio.gather(*(run(i, b) for i, b in enumerate(blocks)))

    outputs = {}
    for (code, out, err, cwd), block in zip(results, blocks, strict=True):
        assert code == 0, f"README sample failed:\n{block}\n--- stderr ---\n{err}"
        assert out.strip(), block
        outputs[block] = (out, cwd)

    def find(needle: str) -> tuple[str, Path]:
        (match,) = [v for k, v in outputs.items() if needle in k]
        return match

    out, cwd = find('prompt="lofi piano, rain on the window"')
    assert "listen now: http" in out
    music = sorted((cwd / "music").iterdir())
    assert len(music) == 2
    for path in music:
        assert_wav(path)

    out, cwd = find("journal=\"jobs.sqlite3\"")
    assert out.count("saved ") == 6
    assert (cwd / "jobs.sqlite3").exists()

    out, cwd = find("WebhookReceiver()")
    assert "post to the chat: http" in out and "post the file:" in out

    out, _ = find("style_weight=3")
    assert "title: required" in out and "style_weight:" in out

    out, _ = find("[[fail]]")
    assert "2 tracks" in out and "failed as asked: GENERATE_AUDIO_FAILED" in out
    assert "submissions: 2" in out


async def test_batch_journal_example_resumes_without_resubmitting(tmp_path: Path) -> None:
    module = load_example("batch_journal")
    poll = PollPolicy(initial=0.02, maximum=0.1, early_maximum=0.05, min_interval=0.34)
    submissions, files = await module.demo(
        tmp_path / "out", str(tmp_path / "jobs.sqlite3"), time_scale=0.003, poll=poll
    )
    assert submissions == len(module.PROMPTS)
    saved = sorted((tmp_path / "out").iterdir())
    assert len(saved) == 2 * len(module.PROMPTS)
    assert sorted(set(files)) == saved
    for path in saved:
        assert_wav(path)


async def test_chat_bot_example_posts_stream_then_file(tmp_path: Path) -> None:
    module = load_example("chat_bot")
    chat, receiver, client = await module.demo(tmp_path, time_scale=0.003)
    by_channel: dict[str, list[str]] = {}
    for channel, text in chat.messages:
        by_channel.setdefault(channel, []).append(text)
    party = by_channel["#party"]
    assert [m.split(" ")[0] for m in party] == ["On", "Listen", "Here"]
    assert party[1].startswith("Listen now: http")
    path = Path(party[2].split(" -> ", 1)[1])
    assert path.parent == tmp_path
    assert_wav(path)
    music = by_channel["#music"]
    assert any(m.startswith("I can't make that: prompt:") for m in music)
    assert any(m.startswith("Here it is:") for m in music)
    assert by_channel["#oops"][-1].startswith("That one failed (GENERATE_AUDIO_FAILED)")
    assert receiver.stats["accepted"] >= 3
    assert client.closed


async def test_webhook_app_example_learns_results_from_callbacks() -> None:
    module = load_example("webhook_app")
    songs, receiver, polls = await module.demo(time_scale=0.003)
    assert [s["stage"] for s in songs] == ["SUCCESS", "SUCCESS"]
    assert all(len(s["tracks"]) == 2 and s["tracks"][0]["audio"] for s in songs)
    assert receiver.stats["accepted"] >= 2 * 3  # text, first and complete for each song
    assert polls == 0  # callbacks did the work; the safety-net poll never came due
