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

# Not-found texts per endpoint (REFERENCE §2.4; all HTTP 200, ``data: null``).
NO_COVER_SOURCE = "Original music record does not exist"
NO_PERSONA_SOURCE = "Music does not exist"
NO_LYRICS_SOURCE = "The corresponding record does not exist"
NO_VALIDATE_RECORD = "Validate record not found"
NO_REGENERATE_RECORD = (
    "The record is not found or does not need to be rebuilt or does not require a retry"
)
NO_VOICE_RECORD = "Voice record not found"
NO_RECOVERY_SOURCE = "The original Suno task does not exist."  # body code 500
NO_RECOVERY_RECORD = "The music link recovery task does not exist."  # body code 500
URL_IS_WRONG = "url is wrong"


def state_of(request: web.Request) -> SandboxState:
    return request.app[STATE]


def key_of(request: web.Request) -> str:
    return request[KEY]


def json_reply(
    payload: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8", "replace")
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


def too_many(
    msg: str, retry_after: float | None = None, code: int = 429, status: int = 429
) -> web.Response:
    """A rate-limit refusal: kie HTTP 429 + code 429; sunoapi.org HTTP 200 + code 430."""
    headers = None
    if retry_after is not None:
        headers = {"Retry-After": str(max(1, math.ceil(retry_after)))}
    return envelope(code, msg, None, status=status, headers=headers)


NOT_JSON = "Request body must be valid JSON"
MAX_DEPTH = 64


def _clean(value: Any, depth: int = 0) -> bool:
    """False when ``value`` nests deeper than ``MAX_DEPTH`` or holds a string that is not
    valid Unicode text (a lone surrogate such as ``"\ud800"``, which JSON allows)."""
    if depth > MAX_DEPTH:
        return False
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(_clean(k, depth + 1) and _clean(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return all(_clean(v, depth + 1) for v in value)
    return True


def parse_json(raw: bytes) -> Any:
    """The JSON value of ``raw``; ``Invalid(400)`` for anything the API could not read (bad
    syntax, bad UTF-8, lone surrogates, absurd nesting, integers past Python's digit limit)."""
    try:
        value = json.loads(raw) if raw.strip() else {}
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise Invalid(400, NOT_JSON) from None
    if not _clean(value):
        raise Invalid(400, NOT_JSON)
    return value


async def read_body(request: web.Request) -> dict[str, Any]:
    """The JSON object body; ``Invalid(400)`` when it is not one."""
    body = parse_json(await request.read())
    if not isinstance(body, dict):
        raise Invalid(400, "Request body must be a JSON object")
    return body


def base_url(request: web.Request) -> str:
    """The origin the client used (media URLs are built from it)."""
    return str(request.url.origin())
