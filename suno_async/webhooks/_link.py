"""The receiver's only contact with a client: four calls, kept in one place.

Callbacks reach jobs through these functions alone, so moving the job registry out
of ``SunoClient`` changes this module and nothing else in :mod:`suno_async.webhooks`.
Each names the registry interface it stands for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..client import SunoClient

__all__ = ["deliver", "expecting", "knows", "use_url"]


def use_url(client: SunoClient, url: str | None) -> None:
    """New tasks of ``client`` carry ``url`` as ``callBackUrl`` (``None``: stop)."""
    client.registry.use_webhook_url(url)


def knows(client: SunoClient, task_id: str) -> bool:
    """``task_id`` is a job of ``client`` (registry: ``task_id in registry``)."""
    return task_id in client.jobs


def expecting(client: SunoClient) -> bool:
    """A create call of ``client`` is in flight, so an unknown id may be its task's
    (registry: ``registry.expecting_callbacks()``)."""
    return client.registry.expecting_callbacks()


def deliver(client: SunoClient, body: object, size: int) -> None:
    """Apply an authenticated callback body (``size`` raw bytes) to ``client``: to
    its job, or to the early buffer when the id is not known yet (registry:
    ``registry.ingest_callback(body)`` / ``registry.buffer_early(task_id, body, size)``)."""
    client.registry.ingest_callback(body, size=size)
