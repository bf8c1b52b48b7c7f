"""The framework-neutral answer to one callback request."""

from __future__ import annotations

import json
from collections.abc import Iterator

import attrs

__all__ = ["WebhookResponse"]


@attrs.frozen
class WebhookResponse:
    """Status, body and headers to send back; unpacks as ``status, body``.

    >>> status, body = WebhookResponse.json(200, "success")
    >>> status, body
    (200, b'{"code": 200, "msg": "success"}')
    >>> WebhookResponse.json(503, "busy", retry_after=5).headers
    (('Content-Type', 'application/json'), ('Retry-After', '5'))
    """

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/json"),)

    @classmethod
    def json(cls, status: int, msg: str, *, retry_after: int | None = None) -> WebhookResponse:
        """The API's own envelope shape: ``{"code": status, "msg": msg}``."""
        headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/json"),)
        if retry_after is not None:
            headers += (("Retry-After", str(retry_after)),)
        body = json.dumps({"code": status, "msg": msg}).encode()
        return cls(status, body, headers)

    def __iter__(self) -> Iterator[int | bytes]:
        return iter((self.status, self.body))
