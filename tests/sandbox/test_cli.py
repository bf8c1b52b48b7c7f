"""``python -m suno_async.sandbox``: prints URL and key, serves, exits 0 on SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import aiohttp
import pytest

from suno_async.sandbox import serve

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
async def test_module_entry_point(sig: signal.Signals) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "suno_async.sandbox",
        "--port",
        "0",
        "--time-scale",
        "0.01",
        "--seed",
        "3",
        "--api-key",
        "clikey",
        "--hmac-key",
        "h",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None
    try:
        lines = []
        while not any(line.startswith("API key:") for line in lines):
            raw = await asyncio.wait_for(proc.stdout.readline(), 15)
            assert raw, "sandbox exited early"
            lines.append(raw.decode().strip())
        url = lines[0].rsplit(" ", 1)[1]
        assert url.startswith("http://127.0.0.1:")
        assert "API key: clikey" in lines
        async with (
            aiohttp.ClientSession() as http,
            http.get(
                f"{url}/api/v1/chat/credit", headers={"Authorization": "Bearer clikey"}
            ) as resp,
        ):
            assert (await resp.json())["data"] == 10_000
        proc.send_signal(sig)
        assert await asyncio.wait_for(proc.wait(), 15) == 0
        stderr = await proc.stderr.read() if proc.stderr else b""
        assert b"Traceback" not in stderr
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_serve_stops_on_event() -> None:
    stop = asyncio.Event()
    out: list[str] = []

    class Sink:
        def write(self, text: str) -> None:
            out.append(text)

        def flush(self) -> None:
            pass

    task = asyncio.create_task(serve("127.0.0.1", 0, time_scale=0.01, stop=stop, out=Sink()))
    for _ in range(500):
        if any("API key" in line for line in out):
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert "listening on http://127.0.0.1:" in "".join(out)
