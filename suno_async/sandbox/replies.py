"""Reply envelopes and request helpers shared by the route modules."""

from __future__ import annotations

import json
import math
from typing import Any

from aiohttp import web

from .rules import Invalid
from .state import SandboxState

STATE: web.AppKey[SandboxState] = web.AppKey("sandbox_state", SandboxState)
KEY: web.RequestKey[str] = web.RequestKey("sandbox_key", str)
JSON_TYPE = "application/json;charset=UTF-8"

NO_ACCESS = "You do not have access permissions"
NO_CREDITS = "The current credits are insufficient. Please top up."
NO_RECORD = "Record does not exist"


def state_of(request: web.Request) -> SandboxState:
    return request.app[STATE]


def key_of(request: web.Request) -> str:
    return request[KEY]


def json_reply(
    payload: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    body = json.dumps(payload, ensure_ascii=False).encode()
    all_headers = {"Content-Type": JSON_TYPE}
    if headers:
        all_headers.update(headers)
    return web.Response(body=body, status=status, headers=all_headers)


def envelope(
    code: int, msg: str, data: Any = None, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """``{"code", "msg", "data"}``; HTTP 200 unless ``status`` says otherwise."""
    return json_reply({"code": code, "msg": msg, "data": data}, status, headers)


def ok(data: Any) -> web.Response:
    return envelope(200, "success", data)


def invalid(err: Invalid) -> web.Response:
    return envelope(err.code, err.msg, err.data)


def too_many(msg: str, retry_after: float | None = None) -> web.Response:
    headers = None
    if retry_after is not None:
        headers = {"Retry-After": str(max(1, math.ceil(retry_after)))}
    return envelope(429, msg, None, status=429, headers=headers)


async def read_body(request: web.Request) -> dict[str, Any]:
    """The JSON object body; ``Invalid(400)`` when it is not one."""
    try:
        raw = await request.read()
        body = json.loads(raw) if raw.strip() else {}
    except (ValueError, UnicodeDecodeError):
        raise Invalid(400, "Request body must be valid JSON") from None
    if not isinstance(body, dict):
        raise Invalid(400, "Request body must be a JSON object")
    return body


def base_url(request: web.Request) -> str:
    """The origin the client used (media URLs are built from it)."""
    return str(request.url.origin())
