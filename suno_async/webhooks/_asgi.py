"""The receiver as a pure ASGI 3 application (no Starlette needed).

``app.mount("/suno", receiver.asgi())`` in FastAPI or Starlette; or serve it alone
with any ASGI server (``uvicorn module:app``). The path the receiver sees is the
request path below the mount point (``scope["root_path"]``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

from ._response import WebhookResponse

if TYPE_CHECKING:
    from ._receiver import WebhookReceiver

__all__ = ["AsgiApp"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class _Disconnected(Exception):
    """The client went away while its body was being read."""


class AsgiApp:
    """ASGI callable for one :class:`~suno_async.webhooks.WebhookReceiver`.

    ``http`` requests get every check of :meth:`WebhookReceiver.handle_raw` (the
    body is read with the size cap and the body timeout); ``lifespan`` events are
    acknowledged (nothing to start); ``websocket`` connections are refused.
    """

    def __init__(self, receiver: WebhookReceiver) -> None:
        self.receiver = receiver

    def __repr__(self) -> str:
        return f"AsgiApp({self.receiver!r})"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope.get("type")
        if kind == "lifespan":
            await self._lifespan(receive, send)
        elif kind == "http":
            await self._http(scope, receive, send)
        elif kind == "websocket":
            await send({"type": "websocket.close", "code": 1008})

    @staticmethod
    async def _lifespan(receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        receiver = self.receiver
        path = str(scope.get("path", ""))
        root = str(scope.get("root_path", "") or "")
        if root and path.startswith(root):
            path = path[len(root):]
        method = str(scope.get("method", ""))
        headers = list(scope.get("headers", []))
        refused = receiver.check_head(method, path, headers)
        if refused is not None:
            await _respond(send, refused)
            return

        async def chunks() -> AsyncIterator[bytes]:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise _Disconnected
                yield bytes(message.get("body", b""))
                if not message.get("more_body", False):
                    return

        try:
            body = await receiver.read_body(chunks())
        except _Disconnected:
            return
        if isinstance(body, WebhookResponse):
            await _respond(send, body)
            return
        query = bytes(scope.get("query_string", b"")).decode("latin-1")
        await _respond(send, await receiver.handle_raw(method, path, query, headers, body))


async def _respond(send: Send, reply: WebhookResponse) -> None:
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers]
    headers.append((b"content-length", str(len(reply.body)).encode()))
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": reply.body})
