"""The receiver's only contact with a client: four calls, kept in one place.

Callbacks reach jobs through these functions alone, so moving the job registry out
of ``SunoClient`` changes this module and nothing else in :mod:`suno_async.webhooks`.
Each names the registry interface it stands for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..client import SunoClient

__all__ = ["deliver", "expecting", "fleet_token", "knows", "routes", "use_url"]


def use_url(client: SunoClient, url: str | None) -> None:
    """New tasks of ``client`` carry ``url`` as ``callBackUrl`` (``None``: stop)."""
    client.registry.use_webhook_url(url)


def knows(client: SunoClient, task_id: str) -> bool:
    """``task_id`` is a job of ``client`` (registry: ``task_id in registry``)."""
    return task_id in client.jobs


def routes(client: SunoClient) -> bool:
    """``client`` shares its jobs with a fleet, so a task id unknown here may be another
    process's: its callbacks are passed on through the store (registry: ``registry.fleet``)."""
    return client.registry.fleet is not None


def fleet_token(client: SunoClient) -> str | None:
    """The fleet-wide webhook token of ``client``'s store, once the client is open."""
    fleet = client.registry.fleet
    return None if fleet is None else fleet.webhook_token


def expecting(client: SunoClient) -> bool:
    """A create call of ``client`` is in flight, so an unknown id may be its task's
    (registry: ``registry.expecting_callbacks()``)."""
    return client.registry.expecting_callbacks()


def deliver(client: SunoClient, body: object, size: int) -> None:
    """Apply an authenticated callback body (``size`` raw bytes) to ``client``: to
    its job, or to the early buffer when the id is not known yet (registry:
    ``registry.ingest_callback(body)`` / ``registry.buffer_early(task_id, body, size)``)."""
    client.registry.ingest_callback(body, size=size)
