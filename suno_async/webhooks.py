"""Receive the API's callbacks and feed them into the client's jobs.

A :class:`WebhookReceiver` is an aiohttp handler that can be mounted in your own app
(:meth:`WebhookReceiver.mount`) or served on its own (:meth:`WebhookReceiver.serve`).
Attached to a client, it makes every task-creating call send a ``callBackUrl`` that
carries an unguessable token. Each callback is checked (token, content type, size,
JSON, and the kie HMAC signature with a replay window when a key is set), answered at
once, and applied through the same idempotent ``ingest`` as polls. Polling continues
at a slow safety-net cadence (``PollPolicy.webhook_interval``) in case a callback is
lost.

>>> import asyncio
>>> from suno_async import SunoClient, PollPolicy
>>> from suno_async.sandbox import Sandbox
>>> from suno_async.webhooks import WebhookReceiver
>>> async def main():
...     async with Sandbox(time_scale=0.002, seed=2) as sb:
...         receiver = WebhookReceiver()
...         async with receiver.serve(host="127.0.0.1", port=0):
...             async with SunoClient(api_key=sb.api_key, base_url=sb.url,
...                                   poll=PollPolicy(webhook_interval=60)) as client:
...                 receiver.attach(client)
...                 job = await client.generate(prompt="synthwave", instrumental=True)
...                 record = await job.wait(timeout=30)
...                 return len(record.tracks), receiver.stats["accepted"] >= 1, job.polls
>>> asyncio.run(main())
(2, True, 0)
"""

from __future__ import annotations

import base64
import collections
import contextlib
import hashlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Final

from aiohttp import web

from .config import WebhookPolicy
from .errors import APIResponseValidationError
from .models.callbacks import callback_task_id

if TYPE_CHECKING:
    from .client import SunoClient

__all__ = ["WebhookReceiver", "sign"]

log = logging.getLogger("suno_async")

DEFAULT_PATH: Final = "/suno-async/callback"


def sign(key: str, task_id: str, timestamp: str | int) -> str:
    """The kie signature: ``base64(HMAC-SHA256(key, f"{task_id}.{timestamp}"))``.

    >>> sign("k", "t1", 1700000000)
    'OxQYbJIOgGvbM7JD7SRf3tQlQ1wOxE6lcNj41MLl3bI='
    """
    digest = hmac.new(key.encode(), f"{task_id}.{timestamp}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class WebhookReceiver:
    """Callback endpoint for one or more clients.

    ``public_url``: the base URL the API can reach (e.g. ``https://bot.example.com``);
    when omitted, the URL :meth:`serve` listens on is used (right for the sandbox).
    ``hmac_key``: your kie ``webhookHmacKey``; when set, unsigned or badly signed
    callbacks, and callbacks outside the timestamp window, are refused. The token in
    the URL is checked always.

    Limits of the provider's scheme: kie signs ``taskId.timestamp``, not the body, and
    two genuine callbacks of a task can carry the same signature, so a captured
    callback could be replayed with another body inside the window. The URL token is
    the second factor: serve the receiver over HTTPS only, and keep the path out of
    access logs (``aiohttp`` logs request paths unless ``access_log=None``).
    """

    def __init__(
        self,
        *,
        public_url: str | None = None,
        path: str = DEFAULT_PATH,
        hmac_key: str | None = None,
        policy: WebhookPolicy | None = None,
        token: str | None = None,
    ) -> None:
        self.public_url = public_url.rstrip("/") if public_url else None
        self.path = "/" + path.strip("/")
        self._hmac_key = hmac_key
        self.policy = policy or WebhookPolicy()
        self._token = token or secrets.token_urlsafe(24)
        self._clients: list[SunoClient] = []
        self._served_url: str | None = None
        #: Counters: ``accepted``, ``buffered`` and one ``rejected:<reason>`` per reason.
        self.stats: collections.Counter[str] = collections.Counter()

    def __repr__(self) -> str:
        return f"WebhookReceiver(path={self.path!r}, signed={self._hmac_key is not None})"

    # ------------------------------------------------------------------ wiring

    @property
    def route(self) -> str:
        """The route pattern to mount (the token is the last path segment)."""
        return self.path + "/{token}"

    @property
    def callback_url(self) -> str:
        """The URL sent as ``callBackUrl`` (contains the secret token: keep it out of logs)."""
        base = self.public_url or self._served_url
        if base is None:
            raise RuntimeError("set public_url=..., or start serve() before attaching")
        return f"{base}{self.path}/{self._token}"

    def attach(self, client: SunoClient) -> None:
        """Feed callbacks into ``client``; its new tasks will carry :attr:`callback_url`."""
        if client not in self._clients:
            self._clients.append(client)
        client._use_webhook_url(self.callback_url)

    def detach(self, client: SunoClient) -> None:
        if client in self._clients:
            self._clients.remove(client)
        client._use_webhook_url(None)

    def mount(self, app: web.Application) -> None:
        """Add the callback route to your aiohttp application."""
        app.router.add_post(self.route, self.handle)

    @contextlib.asynccontextmanager
    async def serve(self, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
        """Serve the receiver standalone; yields the base URL it listens on."""
        app = web.Application(client_max_size=self.policy.max_body + 1024)
        self.mount(app)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
            server = site._server
            sockets = getattr(server, "sockets", None) or []
            bound = sockets[0].getsockname()[1] if sockets else port
            self._served_url = f"http://{host}:{bound}"
            yield self._served_url
        finally:
            self._served_url = None
            await runner.cleanup()

    # ------------------------------------------------------------------ handling

    def _reject(self, reason: str, status: int) -> web.Response:
        self.stats[f"rejected:{reason}"] += 1
        log.warning("callback refused: %s", reason)
        return web.json_response({"code": status, "msg": reason}, status=status)

    async def handle(self, request: web.Request) -> web.Response:
        """The aiohttp handler: check, parse, ingest, answer."""
        token = request.match_info.get("token", "")
        if not hmac.compare_digest(token.encode(), self._token.encode()):
            return self._reject("bad token", 404)
        if request.content_type != "application/json":
            return self._reject("content type must be application/json", 415)
        limit = self.policy.max_body
        if request.content_length is not None and request.content_length > limit:
            return self._reject("body too large", 413)
        parts: list[bytes] = []
        size = 0
        async for chunk in request.content.iter_chunked(64 * 1024):  # bodies may be chunked
            size += len(chunk)
            if size > limit:
                return self._reject("body too large", 413)
            parts.append(chunk)
        raw = b"".join(parts)
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return self._reject("body is not JSON", 400)
        task_id = callback_task_id(body)
        if task_id is None:
            return self._reject("no task id", 400)
        if self._hmac_key is not None and not self._signature_ok(request, task_id):
            return self._reject("bad signature", 401)
        known = False
        expecting = False
        for client in self._clients:
            if task_id in client.jobs:
                known = True
            elif client._expecting_callbacks():
                expecting = True
        if not known and not expecting:
            return self._reject("unknown task id", 404)
        try:
            for client in self._clients:
                client.ingest_callback(body)
        except APIResponseValidationError:
            return self._reject("not a callback of this API", 400)
        self.stats["accepted" if known else "buffered"] += 1
        return web.json_response({"code": 200, "msg": "success"})

    def _signature_ok(self, request: web.Request, task_id: str) -> bool:
        assert self._hmac_key is not None
        stamp = request.headers.get("X-Webhook-Timestamp", "")
        given = request.headers.get("X-Webhook-Signature", "")
        try:
            when = int(stamp)
        except ValueError:
            return False
        if abs(time.time() - when) > self.policy.tolerance:
            return False
        expected = sign(self._hmac_key, task_id, stamp)
        return hmac.compare_digest(given.encode(), expected.encode())
