"""The README's Python samples and the programs in examples/ run against the sandbox.

README samples run as written, each in its own process, with ``SUNO_API_KEY`` and
``SUNO_BASE_URL`` pointing at a sandbox (exactly what the README tells a reader to do).
They use the client's real default poll policy, so a music sample takes about one
FIRST_SUCCESS window of it (~30-40 s, asleep); they run concurrently, and
``tests/_readme_run.py`` (started by ``tests/conftest.py`` when collection ends) runs
them in the background while the rest of the suite runs: the tests here check its
results.
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import importlib.metadata
import importlib.util
import os
import re
import socket
import sys
import wave
from pathlib import Path
from types import ModuleType

import pytest

from suno_async import PollPolicy
from suno_async.sandbox import Sandbox

from . import _readme_run

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
EXAMPLES = ROOT / "examples"


readme_blocks = _readme_run.readme_blocks


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
    results = await _readme_run.results("python", tmp_path)
    assert [r["block"] for r in results] == blocks  # every block ran, as written now

    outputs = {}
    for r in results:
        block, out, err = r["block"], r["out"], r["err"]
        assert r["code"] == 0, f"README sample failed:\n{block}\n--- stderr ---\n{err}"
        assert out.strip(), block
        outputs[block] = (out, r["cwd"])

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


# ---------------------------------------------------------------------- ```py blocks
# Not picked up by the ```python runner above (they need a server, a framework, pytest or a
# fragment's context). Each is exercised in the way that fits it; a new ```py block that
# no rule below claims fails test_every_py_block_is_checked.

#: needle in the block -> how it is checked (the test that does it)
PY_RULES = {
    "app.mount(\"/suno\", receiver.asgi())": "served by uvicorn, callbacks from the sandbox",
    "await receiver.handle_raw(": "run as a fragment with a request's parts",
    "job.wait(Stage.FIRST_SUCCESS, timeout=120)": "run against the sandbox",
    "with Sandbox(time_scale=0.01) as sb": "run as written",
    "as_completed(items, timeout=3600)": "run against the sandbox",
    "async def test_bot_posts_the_first_song": "run by pytest with the plugin",
    'SunoClient(store="redis://': "compiled and its names imported (needs Redis on another host)",
    "await client.batch_progress(lines)": "run against the sandbox (test_batch_progress.py)",
}


readme_py_blocks = _readme_run.readme_py_blocks
py_block = _readme_run.py_block


def test_every_py_block_is_checked() -> None:
    blocks = readme_py_blocks()
    assert len(blocks) >= 5
    unclaimed = [b for b in blocks if not any(needle in b for needle in PY_RULES)]
    assert not unclaimed, f"README ```py blocks no test checks:\n{unclaimed}"
    for needle in PY_RULES:  # each rule still matches exactly one block
        py_block(needle)
    for block in blocks:  # at least valid Python (fragments may await at top level)
        compile(block, "<README>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)


async def run_program(code: str, cwd: Path, env: dict[str, str],
                      *args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, *args, *(["-c", code] if code else []), cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_readme_sync_blocks_run_against_the_sandbox(tmp_path: Path) -> None:
    results = {r["name"]: r for r in await _readme_run.results("sync", tmp_path)}
    assert list(results) == list(_readme_run.SYNC_BLOCKS)
    for name, needle in _readme_run.SYNC_BLOCKS.items():
        r = results[name]
        assert r["block"] == py_block(needle)  # the block as written now
        assert r["code"] == 0, f"README sample failed:\n{r['block']}\n--- stderr ---\n{r['err']}"
    out = results["first"]["out"].splitlines()
    assert out[1].startswith("http") and out[-1].replace(".", "", 1).isdigit()
    assert out[2:-1] and out[-2] == "SUCCESS"  # events from the current stage on
    assert len(list((results["first"]["cwd"] / "music").iterdir())) == 1
    assert results["own"]["out"].strip() == "2"
    lines = results["batch"]["out"].strip().splitlines()
    assert len(lines) == 3 and all(" http" in line for line in lines)


async def test_readme_fastapi_block_serves_songs_with_the_sandboxs_callbacks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    httpx = pytest.importorskip("httpx")
    uvicorn = pytest.importorskip("uvicorn")
    pytest.importorskip("fastapi")

    block = py_block('app.mount("/suno", receiver.asgi())')
    public = 'public_url="https://bot.example.com/suno"'
    assert public in block
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    # the reader's public host becomes this loopback server, before anything starts: no
    # callback URL of a task ever names a host outside this machine
    block = block.replace(public, f'public_url="{base}/suno"')
    async with Sandbox(time_scale=0.001, seed=6, poll_limit=None) as sb:
        monkeypatch.setenv("SUNO_API_KEY", sb.api_key)
        monkeypatch.setenv("SUNO_BASE_URL", sb.url)
        monkeypatch.delenv("KIE_WEBHOOK_HMAC_KEY", raising=False)
        namespace: dict[str, object] = {"__name__": "readme_app"}
        exec(compile(block, "<README FastAPI>", "exec"), namespace)
        app, receiver = namespace["app"], namespace["receiver"]
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
        serving = asyncio.ensure_future(server.serve(sockets=[sock]))
        try:
            async with asyncio.timeout(10):
                while not (server.started or serving.done()):
                    await asyncio.sleep(0.01)
            assert server.started
            async with httpx.AsyncClient(timeout=30) as http:
                reply = await http.post(f"{base}/songs", params={"prompt": "lofi"})
        finally:
            server.should_exit = True
            await serving
            sock.close()
        assert reply.status_code == 200, reply.text
        song = reply.json()
        assert song["title"] and song["audio"].startswith("http")
        assert receiver.stats["accepted"] >= 1  # type: ignore[attr-defined]
        assert sb.stats.submissions["/api/v1/generate"] == 1


async def test_readme_handle_raw_fragment_answers_a_request() -> None:
    from suno_async.webhooks import WebhookReceiver

    fragment = py_block("await receiver.handle_raw(")
    receiver = WebhookReceiver(public_url="http://127.0.0.1:9/suno")
    names: dict[str, object] = {
        "receiver": receiver, "method": "POST", "path_below_public_url": "/not-the-route",
        "query_string": "", "headers": {"Content-Type": "application/json"},
        "body_bytes": b"{}",
    }
    code = compile(fragment, "<README handle_raw>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    result = eval(code, names)  # a coroutine: the fragment awaits
    if result is not None:
        await result
    assert names["status"] == 404 and isinstance(names["body"], bytes)


async def test_readme_testing_block_passes_under_pytest_with_the_plugin(tmp_path: Path) -> None:
    (tmp_path / "test_app.py").write_text(py_block("async def test_bot_posts_the_first_song"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUNO_", "PYTEST_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    # installed (as the README says), the pytest11 entry point loads the plugin; from a
    # source checkout the README says to enable it with -p (both at once is a pytest error)
    plugins = importlib.metadata.entry_points(group="pytest11")
    installed = any(ep.value.startswith("suno_async") for ep in plugins)
    enable = [] if installed else ["-p", "suno_async.testing"]
    code, out, err = await run_program(
        "", tmp_path, env, "-m", "pytest", "-q", *enable,
        "-o", "asyncio_mode=auto", "-o", "asyncio_default_fixture_loop_scope=function",
        "-p", "no:cacheprovider", "test_app.py",
    )
    assert code == 0, out + err
    assert "2 passed" in out, out


def test_readme_store_block_compiles_and_its_names_exist() -> None:
    block = py_block('SunoClient(store="redis://')
    tree = ast.parse(block)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            module = importlib.import_module(node.module)
            for alias in node.names:
                assert hasattr(module, alias.name), (node.module, alias.name)
