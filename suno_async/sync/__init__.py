"""Blocking twin of the client, for plain scripts and notebooks.

``from suno_async.sync import SunoClient`` gives the same methods as the async
:class:`suno_async.SunoClient`, blocking: task-creating methods return a
:class:`SyncJob` (``.result(timeout=)``, ``.wait(stage, timeout=)``, ``.events()``),
immediate ones their value. It is thin: one background event-loop thread per client
drives the async client, so there is no second implementation of anything, and it
works where ``asyncio.run`` does not (inside a running loop, e.g. a Jupyter cell; a
module-level client reused across many ``asyncio.run()`` calls).
:func:`Sandbox` serves the local sandbox on a thread of its own.

>>> from suno_async import PollPolicy, Stage
>>> from suno_async.sync import Sandbox, SunoClient
>>> fast = PollPolicy(initial=0.02, maximum=0.1, early_maximum=0.05, min_interval=0)
>>> with Sandbox(time_scale=0.002, seed=1, poll_limit=None) as sb, SunoClient(
...         api_key=sb.api_key, base_url=sb.url, poll=fast) as client:
...     job = client.generate(prompt="lofi piano", instrumental=True)
...     record = job.result(timeout=60)
...     (len(record.tracks), job.stage is Stage.SUCCESS, client.get_credits() > 0)
(2, True, True)

Every wait is bounded: ``timeout=None`` on a job wait means the poll policy's
``max_wait``; other calls are bounded by ``call_timeout`` (``SYNC_CALL_TIMEOUT``).
"""

from __future__ import annotations

from ._batch import SyncBatchItem, as_completed
from ._client import CLOSE_TIMEOUT, SYNC_CALL_TIMEOUT, SunoClient
from ._job import WAIT_GRACE, SyncJob
from ._sandbox import Sandbox, SandboxThread

__all__ = [
    "CLOSE_TIMEOUT",
    "SYNC_CALL_TIMEOUT",
    "WAIT_GRACE",
    "Sandbox",
    "SandboxThread",
    "SunoClient",
    "SyncBatchItem",
    "SyncJob",
    "as_completed",
]
