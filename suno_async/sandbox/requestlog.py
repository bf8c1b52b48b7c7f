"""The request log (``sandbox.requests``): what reached the sandbox, for assertions.

Like respx's ``calls`` or stripe-mock's request log: one frozen record per request, in
arrival order, with secrets redacted, bounded in length.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

#: Most records kept (oldest dropped first).
REQUEST_LOG_SIZE = 10_000
#: JSON bodies larger than this are not parsed into the log (``json`` is None).
MAX_LOGGED_BODY = 1024 * 1024
#: Header names whose values never enter the log.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key"})
REDACTED = "<redacted>"


@dataclass(frozen=True, slots=True)
class SandboxRequest:
    """One request the sandbox received.

    ``json`` is the parsed JSON body (None when there was none, it was not JSON, or it was
    larger than ``MAX_LOGGED_BODY``); ``headers`` has ``Authorization`` and other credentials
    replaced by ``"<redacted>"``; ``at`` is the event-loop time of arrival.

    Example::

        async with Sandbox(time_scale=0.001) as sb:
            ...  # the code under test talks to sb.url
            posts = [r for r in sb.requests if r.method == "POST"]
            assert posts[0].path == "/api/v1/generate"
            assert posts[0].json["model"] == "V5"
            assert posts[0].headers["Authorization"] == "<redacted>"
    """

    method: str
    path: str
    query: Mapping[str, str]
    json: Any
    headers: Mapping[str, str]
    at: float

    def __repr__(self) -> str:
        # Field names only: a body can hold a callback URL with its token.
        keys = sorted(self.json) if isinstance(self.json, dict) else type(self.json).__name__
        return f"SandboxRequest({self.method} {self.path}, json keys={keys})"


def redact(headers: Mapping[str, str]) -> Mapping[str, str]:
    """A read-only copy of ``headers`` without credential values."""
    return MappingProxyType(
        {k: (REDACTED if k.lower() in SECRET_HEADERS else v) for k, v in headers.items()}
    )


def body_json(raw: bytes) -> Any:
    """The JSON value of ``raw`` for the log; None when it is not (readable) JSON."""
    if not raw or len(raw) > MAX_LOGGED_BODY:
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


class RequestLog:
    """A bounded, append-only list of ``SandboxRequest`` records."""

    def __init__(self, size: int = REQUEST_LOG_SIZE) -> None:
        self._records: deque[SandboxRequest] = deque(maxlen=size)

    def add(self, record: SandboxRequest) -> None:
        self._records.append(record)

    def snapshot(self) -> list[SandboxRequest]:
        return list(self._records)

    def clear(self) -> None:
        self._records.clear()
