"""The standalone receiver under slow connections (item 12.11).

Slow clients hold connections by sending their request headers byte by byte (or not
at all). Without the token they can never get past the headers, so ``serve()`` caps
the connections it keeps, evicts the oldest one still sending headers when a new one
comes, closes one whose headers are too slow, and gives a body ``body_timeout``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from suno_async import PollPolicy, Stage
from suno_async.sandbox import Sandbox
from suno_async.webhooks import EVICT_AFTER, WebhookReceiver

from ._reliability import no_leaks  # noqa: F401
from .conftest import eventually, make_client

pytestmark = pytest.mark.usefixtures("no_leaks")

CALLBACKS_ONLY = PollPolicy(initial=0.01, maximum=0.05, early_maximum=0.05, min_interval=0,
                            webhook_interval=30, max_wait=20)
#: A request that never finishes its headers (no blank line), and has no token.
SLOW_HEAD = b"POST /suno-async/callback/guess HTTP/1.1\r\nHost: x\r\nContent-Type: appl"


class Slow:
    """One slow client connection; ``closed`` once the server hung up on it."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.closed = False
        self._watch = asyncio.ensure_future(self._wait_for_close())

    async def _wait_for_close(self) -> None:
        with contextlib.suppress(OSError):
            await self.reader.read()
        self.closed = True

    async def aclose(self) -> None:
        self.writer.close()
        with contextlib.suppress(OSError):
            await self.writer.wait_closed()
        await self._watch


@contextlib.asynccontextmanager
async def slow_clients(base: str, n: int, head: bytes = SLOW_HEAD) -> AsyncIterator[list[Slow]]:
    host, port = base.removeprefix("http://").rsplit(":", 1)
    clients: list[Slow] = []
    try:
        for _ in range(n):
            reader, writer = await asyncio.open_connection(host, int(port))
            writer.write(head)
            clients.append(Slow(reader, writer))
        yield clients
    finally:
        for client in clients:
            await client.aclose()


async def test_headers_that_never_finish_are_cut_off() -> None:
    receiver = WebhookReceiver()
    async with receiver.serve(header_timeout=0.2) as base, slow_clients(base, 3) as slow:
        await eventually(lambda: all(c.closed for c in slow), within=5)
    assert receiver.stats["connections:header timeout"] == 3


async def test_slow_connections_cannot_starve_genuine_callbacks(sandbox: Sandbox) -> None:
    """50 slow sockets against a cap of 20: the excess is refused at once, and the
    sandbox's real callbacks still land (each evicts the oldest slow socket)."""
    receiver = WebhookReceiver()
    async with receiver.serve(max_connections=20, header_timeout=120) as base, \
            slow_clients(base, 50) as slow:
        await eventually(lambda: sum(c.closed for c in slow) == 30, within=5)
        assert receiver.stats["connections:refused"] == 30
        await asyncio.sleep(EVICT_AFTER + 0.2)  # the slow ones are now old enough to evict
        async with make_client(sandbox, poll=CALLBACKS_ONLY) as client:
            receiver.attach(client)
            job = await client.generate(prompt="through the crowd")
            record = await asyncio.wait_for(job.wait(), 10)
        assert job.stage is Stage.SUCCESS and len(record.tracks) == 2
        assert job.polls == 0  # the callbacks did it
        assert receiver.stats["accepted"] >= 3
        evicted = receiver.stats["connections:evicted"]
        assert evicted >= 1  # the first callback made room; later ones reuse the free slot
        assert sum(c.closed for c in slow) == 30 + evicted  # the rest are still held open
    assert receiver.stats["connections:header timeout"] == 0


async def test_a_refused_request_does_not_hold_its_connection_with_a_slow_body() -> None:
    """Without the token: full headers, a large declared body trickled in. The 404 is
    sent and the connection closed at once (no lingering read of the body)."""
    receiver = WebhookReceiver()
    head = (b"POST /suno-async/callback/guess-guess-guess HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
    async with receiver.serve(header_timeout=120) as base, \
            slow_clients(base, 5, head) as slow:
        await eventually(lambda: all(c.closed for c in slow), within=5)
    assert receiver.stats["rejected:bad token"] == 5


async def test_a_body_that_does_not_arrive_in_time_is_refused(sandbox: Sandbox) -> None:
    receiver = WebhookReceiver(body_timeout=0.2)
    async with receiver.serve() as base:
        path = receiver.callback_url.removeprefix(base)
        head = (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                "Content-Length: 100\r\n\r\n{\"code\": 200,").encode()
        host, port = base.removeprefix("http://").rsplit(":", 1)
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            writer.write(head)
            async with asyncio.timeout(5):
                answer = await reader.readuntil(b"\r\n\r\n")
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
    assert answer.startswith(b"HTTP/1.1 408")
    assert receiver.stats["rejected:body read timeout"] == 1


@pytest.mark.parametrize(
    ("options", "problem"),
    [({"max_connections": 0}, "max_connections"), ({"header_timeout": float("nan")},
                                                   "header_timeout")],
)
async def test_serve_options_are_checked(options: dict[str, float], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        async with WebhookReceiver().serve(**options):  # type: ignore[arg-type]
            pass


async def test_keep_alive_requests_are_each_watched() -> None:
    """Two requests on one connection are both answered; the idle connection after them
    is "sending headers" again and is closed by the header timeout."""
    receiver = WebhookReceiver()
    async with receiver.serve(header_timeout=0.3) as base:
        path = receiver.callback_url.removeprefix(base)
        body = b'{"code": 200, "data": {"task_id": "x"}}'
        request = (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   f"Content-Length: {len(body)}\r\n\r\n").encode() + body
        host, port = base.removeprefix("http://").rsplit(":", 1)
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            answers = []
            for _ in range(2):
                writer.write(request)
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
                length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
                answers.append((head.split(b" ")[1], await reader.readexactly(length)))
            async with asyncio.timeout(5):
                rest = await reader.read()  # the server hangs up on the idle connection
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
    assert answers == [(b"404", b'{"code": 404, "msg": "unknown task id"}')] * 2
    assert rest == b""
    assert receiver.stats["connections:header timeout"] == 1
