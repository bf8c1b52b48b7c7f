"""Run a :class:`~suno_async.sandbox.Sandbox` in a child process (benchmarks only).

The child prints one JSON line ``{"url": ..., "api_key": ...}`` once it listens and
serves until its stdin closes, so the parent's CPU and memory figures never include
the emulator's own work.

>>> import asyncio
>>> from benchmarks._sandbox_proc import SandboxProcess
>>> async def main():
...     async with SandboxProcess(time_scale=0.01) as sb:
...         return sb.url.startswith("http://127.0.0.1:")
>>> asyncio.run(main())
True
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from types import TracebackType
from typing import Any

from suno_async.sandbox import Sandbox

#: The repository root (the child runs ``python -m benchmarks._sandbox_proc`` from here).
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class SandboxProcess:
    """A sandbox in a subprocess; ``url`` and ``api_key`` once entered."""

    def __init__(
        self,
        *,
        time_scale: float,
        seed: int = 1,
        rate_limit: tuple[int, float] | None = None,
        poll_limit: float | None = None,
        timeline: dict[str, float] | None = None,
        vary_records: bool = False,
    ) -> None:
        self.options: dict[str, Any] = {
            "time_scale": time_scale,
            "seed": seed,
            "rate_limit": list(rate_limit) if rate_limit else None,
            "poll_limit": poll_limit,
            "timeline": timeline,
            "vary_records": vary_records,
        }
        self.url = ""
        self.api_key = ""
        self._proc: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> SandboxProcess:
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "benchmarks._sandbox_proc",
            json.dumps(self.options),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=ROOT,
        )
        assert self._proc.stdout is not None
        line = await asyncio.wait_for(self._proc.stdout.readline(), 30)
        if not line:
            await self._proc.wait()
            raise RuntimeError("sandbox subprocess failed to start")
        info = json.loads(line)
        self.url, self.api_key = info["url"], info["api_key"]
        return self

    def cpu_seconds(self) -> float | None:
        """CPU time (user + system) the child has used so far; None where unknown."""
        if self._proc is None:
            return None
        try:
            with open(f"/proc/{self._proc.pid}/stat", encoding="ascii") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            return None

    async def stats(self) -> dict[str, Any]:
        """The child's counters (``GET /_sandbox/stats``)."""
        import aiohttp

        async with aiohttp.ClientSession() as http, http.get(f"{self.url}/_sandbox/stats") as r:
            data: dict[str, Any] = await r.json()
            return data

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()
            await proc.wait()


def _vary_records() -> Any:
    """A middleware giving every record-info reply's ``data`` a new ``benchmarkSeq``:
    no two replies alike (a field the API does not send; clients ignore it)."""
    from aiohttp import web

    seq = 0

    @web.middleware
    async def vary(request: web.Request, handler: Any) -> web.StreamResponse:
        nonlocal seq
        resp: web.StreamResponse = await handler(request)
        if request.path.endswith("/record-info") and isinstance(resp, web.Response):
            body = json.loads(resp.body)  # type: ignore[arg-type]
            if isinstance(body.get("data"), dict):
                seq += 1
                body["data"]["benchmarkSeq"] = seq
                resp.body = json.dumps(body).encode()
        return resp

    return vary


async def _serve(options: dict[str, Any]) -> None:
    rate = options.get("rate_limit")
    sandbox = Sandbox(
        time_scale=options["time_scale"],
        seed=options.get("seed", 1),
        rate_limit=tuple(rate) if rate else None,
        poll_limit=options.get("poll_limit"),
        timeline=options.get("timeline"),
        credits=1e12,
    )
    if options.get("vary_records"):
        sandbox.app.middlewares.append(_vary_records())
    loop = asyncio.get_running_loop()
    async with sandbox as sb:
        print(json.dumps({"url": sb.url, "api_key": sb.api_key}), flush=True)
        # Serve until the parent closes our stdin.
        await loop.run_in_executor(None, sys.stdin.read)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks._sandbox_proc")
    parser.add_argument("options", help="JSON object of Sandbox options")
    args = parser.parse_args(argv)
    asyncio.run(_serve(json.loads(args.options)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
