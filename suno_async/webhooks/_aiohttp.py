"""The receiver in aiohttp: a handler for your app, and a hardened standalone server.

:func:`serve` does not use ``TCPSite``: it wraps each connection's aiohttp protocol
in a :class:`_Guarded` protocol, so that the number of open connections is capped
(a new connection evicts the oldest one still sending headers) and a connection whose
request headers do not arrive within the header timeout is closed. Without the token
a client cannot get past the headers (a wrong path is answered at once), so this is
what stops slow connections from starving genuine callbacks.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any, Final

from aiohttp import web

from ._response import WebhookResponse

if TYPE_CHECKING:
    from ._receiver import WebhookReceiver

__all__ = ["HEADER_TIMEOUT", "MAX_CONNECTIONS", "handle", "mount", "serve"]

#: Connections :meth:`WebhookReceiver.serve` keeps open at once (module constant; to
#: move to ``WebhookPolicy.max_connections``).
MAX_CONNECTIONS: Final = 256
#: Seconds a connection has to send its request headers under ``serve()`` (module
#: constant; to move to ``WebhookPolicy.header_timeout``).
HEADER_TIMEOUT: Final = 10.0
#: A connection still sending headers after this long (seconds) may be evicted for a
#: new one when the cap is reached; younger ones are left alone (a burst of genuine
#: callbacks must not evict itself): the newcomer is refused instead.
EVICT_AFTER: Final = 1.0
#: Loop steps of 10 ms that shutdown waits for sockets accepted at the last moment.
_SHUTDOWN_STEPS: Final = 100
#: Bytes per read of a request body.
_CHUNK: Final = 64 * 1024


def _to_aiohttp(reply: WebhookResponse) -> web.Response:
    return web.Response(status=reply.status, body=reply.body, headers=dict(reply.headers))


async def handle(receiver: WebhookReceiver, request: web.Request) -> web.StreamResponse:
    """Head checks, bounded body read, then :meth:`WebhookReceiver.handle_raw`."""
    # the path as the receiver sees it, wherever (sub-app, prefix) the route is mounted
    path = receiver.route_prefix + request.match_info.get("token", "")
    refused = receiver.check_head(request.method, path, request.headers)
    if refused is not None:
        return _to_aiohttp(refused)
    body = await receiver.read_body(request.content.iter_chunked(_CHUNK))
    if isinstance(body, WebhookResponse):
        return _to_aiohttp(body)
    reply = await receiver.handle_raw(
        request.method, path, request.query_string, request.headers, body
    )
    return _to_aiohttp(reply)


def mount(receiver: WebhookReceiver, app: web.Application) -> None:
    """Route ``POST <path>/{token}`` of ``app`` to the receiver."""

    async def callback(request: web.Request) -> web.StreamResponse:
        return await handle(receiver, request)

    app.router.add_post(receiver.route, callback)


class _Guard:
    """Open connections of one server, oldest first; the cap and the header deadline."""

    def __init__(self, receiver: WebhookReceiver, cap: int, header_timeout: float) -> None:
        self.receiver = receiver
        self.cap = cap
        self.header_timeout = header_timeout
        self.open: dict[_Guarded, None] = {}
        self.by_transport: dict[Any, _Guarded] = {}
        self.closing = False
        #: Protocols created for accepted sockets whose ``connection_made`` has not run.
        self.pending = 0

    def admit(self, conn: _Guarded, now: float) -> bool:
        stats = self.receiver.stats
        if self.closing:  # accepted by the socket just before the server stopped
            return False
        if len(self.open) >= self.cap:
            victim = next(
                (c for c in self.open if c.in_head and now - c.born >= EVICT_AFTER), None
            )
            if victim is None:
                stats["connections:refused"] += 1
                return False
            stats["connections:evicted"] += 1
            victim.drop()
        self.open[conn] = None
        return True


class _Guarded(asyncio.Protocol):
    """One connection: forwards everything to aiohttp's protocol, watching the head."""

    def __init__(self, guard: _Guard, inner: asyncio.Protocol) -> None:
        self.guard = guard
        self.inner = inner
        self.in_head = True
        self.transport: asyncio.Transport | None = None
        self._tail = b""
        self._timer: asyncio.TimerHandle | None = None
        self._started = False
        self.born = 0.0
        guard.pending += 1

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.guard.pending -= 1
        self.transport = transport
        self.born = asyncio.get_running_loop().time()
        if not self.guard.admit(self, self.born):
            transport.abort()
            return
        self.guard.by_transport[transport] = self
        self.expect_head()
        self._started = True
        self.inner.connection_made(transport)

    def expect_head(self) -> None:
        """A request's headers are due now (a new connection, or after a response)."""
        if self.transport is None or self.transport.is_closing():
            return
        loop = asyncio.get_running_loop()
        self.in_head = True
        self.born = loop.time()
        self._tail = b""
        # the connection moves to the back of the eviction order
        self.guard.open.pop(self, None)
        self.guard.open[self] = None
        if self._timer is not None:
            self._timer.cancel()
        self._timer = loop.call_later(self.guard.header_timeout, self._head_timed_out)

    def _head_timed_out(self) -> None:
        if self.in_head:
            self.guard.receiver.stats["connections:header timeout"] += 1
            self.drop()

    def drop(self) -> None:
        """Close at once (evicted or too slow)."""
        self._forget()
        if self.transport is not None:
            self.transport.abort()

    def _forget(self) -> None:
        self.guard.open.pop(self, None)
        self.guard.by_transport.pop(self.transport, None)
        self.in_head = False
        if self._timer is not None:
            self._timer.cancel()

    def data_received(self, data: bytes) -> None:
        if self.in_head:
            seen = self._tail + data
            if b"\r\n\r\n" in seen:
                self.in_head = False
                if self._timer is not None:
                    self._timer.cancel()
            self._tail = seen[-3:]
        if self._started:
            self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received() if self._started else None

    def pause_writing(self) -> None:
        if self._started:
            self.inner.pause_writing()

    def resume_writing(self) -> None:
        if self._started:
            self.inner.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        self._forget()
        if self._started:
            self.inner.connection_lost(exc)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _next_head_watched(guard: _Guard) -> Any:
    """Middleware: after each request the connection is back to "sending headers"
    (keep-alive), so the next request's headers are timed and the idle connection
    can be evicted like any slow one."""

    @web.middleware
    async def watch(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        finally:
            conn = guard.by_transport.get(request.transport)
            if conn is not None:
                conn.expect_head()

    return watch


@contextlib.asynccontextmanager
async def serve(
    receiver: WebhookReceiver,
    host: str,
    port: int,
    *,
    max_connections: int | None = None,
    header_timeout: float | None = None,
) -> AsyncIterator[str]:
    """Serve ``receiver`` on ``host:port``; yields the base URL it listens on."""
    cap = MAX_CONNECTIONS if max_connections is None else max_connections
    if isinstance(cap, bool) or not isinstance(cap, int) or cap < 1:
        raise ValueError(f"max_connections must be an int >= 1, got {max_connections!r}")
    deadline = HEADER_TIMEOUT if header_timeout is None else header_timeout
    if not (isinstance(deadline, int | float) and 0 < deadline < float("inf")):
        raise ValueError(f"header_timeout must be a finite number > 0, got {header_timeout!r}")
    guard = _Guard(receiver, cap, float(deadline))
    app = web.Application(client_max_size=receiver.policy.max_body + 1024,
                          middlewares=[_next_head_watched(guard)])
    mount(receiver, app)
    # access_log=None: the path holds the token. lingering_time=0: a refused request's
    # unread body is not waited for (aiohttp would read it for 10 s otherwise, holding
    # a connection that is past its headers and cannot be evicted). An idle keep-alive
    # connection is "sending headers" for the guard: closed after the header timeout.
    runner = web.AppRunner(app, access_log=None, lingering_time=0,
                           keepalive_timeout=float(deadline) + 1)
    await runner.setup()
    server_factory: Any = runner.server
    assert server_factory is not None
    loop = asyncio.get_running_loop()
    server: asyncio.Server | None = None
    try:
        server = await loop.create_server(
            lambda: _Guarded(guard, server_factory()), host, port
        )
        bound = server.sockets[0].getsockname()[1] if server.sockets else port
        shown = f"[{host}]" if ":" in host else host
        receiver.served_url = url = f"http://{shown}:{bound}"
        yield url
    finally:
        receiver.served_url = None
        guard.closing = True
        if server is not None:
            server.close()
        for conn in list(guard.open):
            conn.drop()
        await runner.cleanup()
        if server is not None:
            await server.wait_closed()
        # Sockets accepted just before close() get their protocol's connection_made a
        # few loop steps later (Python < 3.12's wait_closed does not wait for them):
        # let them arrive (they are refused at once), bounded.
        for _ in range(_SHUTDOWN_STEPS):
            if not guard.pending:
                break
            await asyncio.sleep(0.01)
        for conn in list(guard.open):  # any that slipped in while aiohttp shut down
            conn.drop()
        await asyncio.sleep(0)  # let the aborted transports finish closing
