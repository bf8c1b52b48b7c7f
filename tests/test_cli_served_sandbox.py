"""A sandbox served by ``suno-async sandbox --time-scale X`` and CLI clients of it.

The served sandbox prints the flags a CLI client needs; with ``--sandbox-time-scale X``
the client polls at the sandbox's pace (its poll policy scaled like the timeline), so a
song is seen within a short ``--timeout``; without it, the client polls at the real API's
pace and the same deadline is reached first (exit 6).
"""

from __future__ import annotations

import asyncio
import json
import shlex
from pathlib import Path

from .test_cli import cli, start_cli


async def test_a_served_sandbox_prints_the_flags_clients_need(tmp_path: Path) -> None:
    server = await start_cli("sandbox", "--port", "0", "--time-scale", "0.003",
                             "--api-key", "sk-served", cwd=tmp_path)
    try:
        assert server.stdout is not None
        flags: list[str] = []
        async with asyncio.timeout(20):
            while not flags:
                line = (await server.stdout.readline()).decode()
                assert line, "the sandbox exited before printing its client flags"
                if line.startswith("suno-async CLI: "):
                    flags = shlex.split(line.removeprefix("suno-async CLI: "))
        assert flags[flags.index("--api-key") + 1] == "sk-served"
        assert flags[flags.index("--sandbox-time-scale") + 1] == "0.003"
        scaled = await cli("generate", "served", "--wait", "--json", "--timeout", "5", *flags,
                           cwd=tmp_path)
        assert scaled.code == 0, scaled.err
        doc = json.loads(scaled.out)
        (job,) = doc["jobs"]
        assert doc["ok"] is True and job["status"] == "SUCCESS" and job["polls"] <= 12
        i = flags.index("--sandbox-time-scale")
        unscaled = flags[:i] + flags[i + 2:]  # the real API's cadence: first poll after ~30 s
        slow = await cli("generate", "served", "--wait", "--json", "--timeout", "2", *unscaled,
                         cwd=tmp_path)
        assert slow.code == 6, slow.err
    finally:
        server.terminate()
        await server.wait()
