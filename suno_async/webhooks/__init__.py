"""Receive the API's callbacks and feed them into the client's jobs.

A :class:`WebhookReceiver` holds every check a callback passes (URL token, content
type, size cap, the kie HMAC signature with a replay window when a key is set, the
early-callback budget) in one framework-neutral method,
:meth:`~WebhookReceiver.handle_raw`; on top of it: an aiohttp route for your app
(:meth:`~WebhookReceiver.mount`), a hardened standalone server
(:meth:`~WebhookReceiver.serve`) and a pure ASGI app for FastAPI / Starlette
(:meth:`~WebhookReceiver.asgi`). Attached to a client, it makes every task-creating
call send a ``callBackUrl`` that carries an unguessable token. Each callback is
answered at once and applied through the same idempotent ``ingest`` as polls; polling
continues at a slow safety-net cadence (``PollPolicy.webhook_interval``) in case a
callback is lost.

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

from ._aiohttp import EVICT_AFTER, HEADER_TIMEOUT, MAX_CONNECTIONS
from ._asgi import AsgiApp
from ._early import EARLY_BODY_MAX_BYTES, EARLY_BUFFER_BYTES
from ._receiver import BODY_TIMEOUT, DEFAULT_PATH, WebhookReceiver
from ._response import WebhookResponse
from ._signature import sign

__all__ = [
    "BODY_TIMEOUT",
    "DEFAULT_PATH",
    "EARLY_BODY_MAX_BYTES",
    "EARLY_BUFFER_BYTES",
    "EVICT_AFTER",
    "HEADER_TIMEOUT",
    "MAX_CONNECTIONS",
    "AsgiApp",
    "WebhookReceiver",
    "WebhookResponse",
    "sign",
]
