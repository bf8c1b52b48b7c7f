"""The aiohttp application: middleware (counters, faults, auth) and the route table."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web

from . import routes_files, routes_music, routes_other, routes_voice
from .faults import HTTP_KINDS, Fault
from .replies import KEY, NO_ACCESS, STATE, envelope, json_reply
from .requestlog import SandboxRequest, body_json, redact
from .state import SandboxState

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

UPLOAD_PREFIX = "/api/file-"
MAX_BODY = 110 * 1024 * 1024

_DEFAULT_MSGS = {
    429: "Too many requests, please try again later.",
    455: "System maintenance, please try again later.",
    500: "Server Error - An unexpected error occurred while processing the request",
    503: "Service Unavailable",
}
_HTML_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
_TRUNCATED = b'{"code":200,"msg":"success","data":{"taskId":"'


def _bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def _dropped(request: web.Request) -> web.StreamResponse:
    transport = request.transport
    if transport is not None:
        transport.abort()
    raise asyncio.CancelledError  # aiohttp treats this as a vanished client; nothing is written


def fault_reply(fault: Fault) -> web.Response | None:
    """The reply a fault produces (None for ``drop``, handled by the caller)."""
    kind = fault.kind
    if kind.startswith("http_"):
        status = int(kind[5:])
        headers = None
        if fault.retry_after is not None:
            headers = {"Retry-After": str(fault.retry_after)}
        msg = fault.msg or _DEFAULT_MSGS.get(status, "Error")
        return envelope(status, msg, None, status=status, headers=headers)
    if kind == "body_code":
        return envelope(fault.code, fault.msg or _DEFAULT_MSGS.get(fault.code, "Error"))
    if kind == "malformed":
        return web.Response(body=_TRUNCATED, headers={"Content-Type": "application/json"})
    if kind == "html":
        return web.Response(text=_HTML_502, status=502, content_type="text/html")
    return None


async def _authed(request: web.Request, handler: Handler) -> web.StreamResponse:
    path = request.path
    if path.startswith("/files/"):
        return await handler(request)
    state = request.app[STATE]
    key = _bearer(request)
    if key is None or key not in state.credits:
        if path.startswith(UPLOAD_PREFIX):
            return json_reply(
                {"success": False, "code": 401, "msg": "Authentication failed: Invalid API Key"},
                status=401,
            )
        return envelope(401, NO_ACCESS, status=401)
    request[KEY] = key
    try:
        return await handler(request)
    except web.HTTPNotFound:
        return envelope(404, "Not Found", status=404)
    except web.HTTPMethodNotAllowed:
        return envelope(405, "Method Not Allowed", status=405)


async def _log(state: SandboxState, request: web.Request) -> None:
    """Append the request to ``sandbox.requests`` (a JSON body is read; it stays readable)."""
    parsed = None
    if request.content_type == "application/json" and request.can_read_body:
        parsed = body_json(await request.read())
    state.requests.add(
        SandboxRequest(
            method=request.method,
            path=request.path,
            query=dict(request.query),
            json=parsed,
            headers=redact(request.headers),
            at=state.now(),
        )
    )


@web.middleware
async def sandbox_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count the request, apply an HTTP fault if one matches, authenticate, dispatch."""
    state = request.app[STATE]
    path = request.path
    if path.startswith("/api/"):
        state.stats.received[path] += 1
    if not path.startswith("/_sandbox/"):
        await _log(state, request)
    fault = None if path.startswith("/_sandbox/") else state.faults.pick(path, HTTP_KINDS)
    if fault is None:
        return await _authed(request, handler)
    state.stats.faults_injected[fault.kind] += 1
    if fault.kind == "delay":
        response = await _authed(request, handler)
        await asyncio.sleep(fault.seconds)
        return response
    if fault.after:
        await _authed(request, handler)
    reply = fault_reply(fault)
    if reply is None:
        return await _dropped(request)
    return reply


def make_app(state: SandboxState) -> web.Application:
    """A fresh application serving ``state``; callbacks start and stop with the app."""
    app = web.Application(middlewares=[sandbox_middleware], client_max_size=MAX_BODY)
    app[STATE] = state

    async def start_callbacks(_: web.Application) -> None:
        await state.callbacks.start()

    async def stop_callbacks(_: web.Application) -> None:
        await state.callbacks.close()

    app.on_startup.append(start_callbacks)
    app.on_cleanup.append(stop_callbacks)
    routes_music.add_routes(app)
    routes_other.add_routes(app)
    routes_files.add_routes(app)
    routes_voice.add_routes(app)
    return app
