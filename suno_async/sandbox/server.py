"""``Sandbox`` runs the emulator in-process; ``serve`` / ``main`` run it from a shell."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any

from aiohttp import web, web_app

from .app import make_app
from .control import advance, target_phase
from .faults import Fault
from .records import record
from .requestlog import SandboxRequest
from .state import SandboxConfig, SandboxState
from .stats import SandboxStats
from .tasks import Task


def _forget_middleware_chains() -> None:
    """Empty aiohttp's process-wide cache of middleware chains (done by ``Sandbox.close``).

    aiohttp (3.10+) caches the chain it builds per ``(handler, apps)`` of an application
    with middlewares, up to 1024 entries, and each entry keeps its application alive:
    for a closed sandbox, its routes, tasks and media. It is only a cache: an application
    still serving rebuilds its chain at its next request (a few wrappers). Nothing
    happens on an aiohttp without that cache.

    >>> _forget_middleware_chains()
    """
    cached = getattr(web_app, "_cached_build_middleware", None)
    cache_clear = getattr(cached, "cache_clear", None)
    if callable(cache_clear):
        cache_clear()


class Sandbox:
    """A local emulator of the Suno API (kie.ai shape) on a loopback port.

    Every duration of the realistic timeline is multiplied by ``time_scale``; ids, timelines and
    media are deterministic for a given ``seed``. See the package docstring for the magic
    prompt markers and fault kinds. ``provider`` picks the host whose differences are
    modelled: ``"kie"`` (api.kie.ai, default) or ``"sunoapi"`` (api.sunoapi.org); see
    ``suno_async.sandbox.providers``.

    For tests of your own code: ``advance(task_id, stage)`` moves a task to a stage at once
    (its callbacks fire as they would), and ``requests`` lists every request received.

    Example::

        async with Sandbox(time_scale=0.01, seed=1) as sb:
            async with aiohttp.ClientSession(
                headers={"Authorization": f"Bearer {sb.api_key}"}
            ) as http:
                r = await http.post(f"{sb.url}/api/v1/generate", json={
                    "customMode": False, "instrumental": True, "model": "V5",
                    "prompt": "lofi piano", "callBackUrl": "http://127.0.0.1:9/cb"})
                task_id = (await r.json())["data"]["taskId"]
            assert sb.stats.submissions["/api/v1/generate"] == 1
    """

    def __init__(
        self,
        *,
        time_scale: float = 1.0,
        seed: int = 0,
        api_key: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        credits: float = 10_000.0,
        rate_limit: tuple[int, float] | None = (20, 10.0),
        poll_limit: float | None = 3.0,
        hmac_key: str | None = None,
        callback_retries: int = 3,
        timeline: Mapping[str, float] | None = None,
        costs: Mapping[str, float] | None = None,
        provider: str = "kie",
    ) -> None:
        self.host = host
        self.port = port
        self._state = SandboxState(
            SandboxConfig(
                time_scale=time_scale,
                seed=seed,
                api_key=api_key,
                credits=credits,
                rate_limit=rate_limit,
                poll_limit=poll_limit,
                hmac_key=hmac_key,
                callback_retries=callback_retries,
                timeline=timeline,
                costs=dict(costs or {}),
                provider=provider,
            )
        )
        self.app = make_app(self._state)
        self._runner: web.AppRunner | None = None

    # lifecycle ------------------------------------------------------------------------------

    async def start(self) -> Sandbox:
        """Bind the port and start serving (``async with`` does this for you)."""
        if self._runner is not None:
            return self
        runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, reuse_address=True)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        for address in runner.addresses:
            if isinstance(address, tuple):
                self.port = int(address[1])
                break
        return self

    async def close(self) -> None:
        """Stop serving, cancel pending callbacks and close every session.

        A closed sandbox is garbage once you drop it, so a test suite that starts one per
        test does not grow: this also empties aiohttp's process-wide cache of middleware
        chains, whose entries would keep the closed application alive.
        """
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
            _forget_middleware_chains()

    async def __aenter__(self) -> Sandbox:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @staticmethod
    def make_app(**kwargs: Any) -> web.Application:
        """An application without a server (e.g. for ``aiohttp.test_utils.TestServer``)."""
        return Sandbox(**kwargs).app

    # views ----------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL for ``/api/v1/...``, e.g. ``http://127.0.0.1:54321``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def upload_url(self) -> str:
        """Base URL of the file-upload host (the same server)."""
        return self.url

    @property
    def api_key(self) -> str:
        return self._state.api_key

    @property
    def stats(self) -> SandboxStats:
        return self._state.stats

    @property
    def state(self) -> SandboxState:
        """Everything the sandbox holds (tasks, credits, faults); for tests and tools."""
        return self._state

    def task(self, task_id: str) -> Task:
        """The internal view of a task; ``KeyError`` if unknown."""
        return self._state.store.tasks[task_id]

    def advance(self, task_id: str, stage: object) -> bool:
        """Move a task to ``stage`` now; its callbacks fire as they would have.

        ``stage``: ``"TEXT_SUCCESS"``, ``"FIRST_SUCCESS"``, ``"SUCCESS"`` (music; other
        families only ``"SUCCESS"``), a failure (``"FAILED"`` or a family's wire status such as
        ``"GENERATE_AUDIO_FAILED"``, ``"CREATE_TASK_FAILED"``, ``"SENSITIVE_WORD_ERROR"``), or
        any enum member with such a ``name`` (``suno_async.Stage.FIRST_SUCCESS``). Returns
        False when the task already reached that point or ended (nothing changes);
        ``KeyError`` for an unknown task, ``ValueError`` for an unknown stage.

        Example (a realistic, slow timeline; nothing waits)::

            job = await client.generate(prompt="lofi")      # a SunoClient on sb.url
            sb.advance(job.task_id, "FIRST_SUCCESS")        # no 40 s wait
            record = await job.wait(Stage.FIRST_SUCCESS, timeout=5)

        >>> import asyncio, aiohttp
        >>> async def demo() -> list[str]:
        ...     async with Sandbox(time_scale=1.0) as sb, aiohttp.ClientSession(
        ...         headers={"Authorization": f"Bearer {sb.api_key}"}) as http:
        ...         body = {"customMode": False, "instrumental": True, "model": "V5",
        ...                 "prompt": "lofi", "callBackUrl": "http://127.0.0.1:9/cb"}
        ...         async with http.post(f"{sb.url}/api/v1/generate", json=body) as r:
        ...             task_id = (await r.json())["data"]["taskId"]
        ...         seen = [sb.status(task_id)]
        ...         sb.advance(task_id, "FIRST_SUCCESS")
        ...         seen.append(sb.status(task_id))
        ...         sb.advance(task_id, "GENERATE_AUDIO_FAILED")
        ...         return [*seen, sb.status(task_id), sb.requests[0].path]
        >>> asyncio.run(demo())
        ['PENDING', 'FIRST_SUCCESS', 'GENERATE_AUDIO_FAILED', '/api/v1/generate']
        """
        task = self.task(task_id)
        phase = target_phase(task, stage)
        if not advance(task, phase, self._state.now(), self._state.time_scale):
            return False
        self._state.callbacks.reschedule(task)
        return True

    @property
    def requests(self) -> list[SandboxRequest]:
        """Every request received so far, oldest first (a copy; at most the last 10 000).

        Each is a frozen ``SandboxRequest(method, path, query, json, headers, at)`` with
        credentials redacted, for assertions such as::

            (post,) = [r for r in sb.requests if r.path == "/api/v1/generate"]
            assert post.json["model"] == "V5"
        """
        return self._state.requests.snapshot()

    def clear_requests(self) -> None:
        """Forget the requests logged so far."""
        self._state.requests.clear()

    @property
    def provider(self) -> str:
        """The modelled host: ``"kie"`` or ``"sunoapi"``."""
        return self._state.provider.name

    def status(self, task_id: str) -> str:
        """The wire status / successFlag (recovery: ``code``) a record-info call would show now."""
        data = record(self.task(task_id), self._state.now(), self._state.seed)
        return str(data.get("status", data.get("successFlag", data.get("code"))))

    # accounts and faults --------------------------------------------------------------------

    def add_key(self, key: str, credits: float = 10_000.0) -> str:
        """Add an account; returns the key."""
        self._state.credits[key] = float(credits)
        return key

    def set_credits(self, key: str, amount: float) -> None:
        self._state.credits[key] = float(amount)

    def credits(self, key: str | None = None) -> float:
        return self._state.credits[key or self.api_key]

    def inject(self, fault: Fault) -> Fault:
        """Activate a fault rule; returns it (``fault.applied`` counts its hits)."""
        return self._state.faults.add(fault)

    def clear_faults(self) -> None:
        self._state.faults.clear()


async def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    time_scale: float = 1.0,
    seed: int = 0,
    api_key: str | None = None,
    hmac_key: str | None = None,
    stop: asyncio.Event | None = None,
    out: Any = None,
    provider: str = "kie",
) -> None:
    """Serve a sandbox until SIGINT/SIGTERM (or until ``stop`` is set), then close cleanly."""
    out = out or sys.stdout
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):
            pass
    try:
        async with Sandbox(
            host=host,
            port=port,
            time_scale=time_scale,
            seed=seed,
            api_key=api_key,
            hmac_key=hmac_key,
            provider=provider,
        ) as sb:
            print(f"Suno sandbox listening on {sb.url}", file=out)
            print(f"API key: {sb.api_key}", file=out)
            print(f"Upload base URL: {sb.upload_url}", file=out, flush=True)
            if time_scale != 1:
                print(
                    f"suno-async CLI: --base-url {sb.url} --api-key {sb.api_key}"
                    f" --sandbox-time-scale {time_scale:g}",
                    file=out, flush=True,
                )
            await stop.wait()
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m suno_async.sandbox", description="Run the local Suno API sandbox."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--time-scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--api-key", default=None)
    parser.add_argument("--hmac-key", default=None)
    parser.add_argument("--provider", choices=("kie", "sunoapi"), default="kie")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    args = build_parser().parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            serve(
                args.host,
                args.port,
                time_scale=args.time_scale,
                seed=args.seed,
                api_key=args.api_key,
                hmac_key=args.hmac_key,
                provider=args.provider,
            )
        )
    return 0
