"""Client methods for the rest of the API family (mixed into :class:`SunoClient`).

Kept apart from ``client.py`` so the core (lifecycle, submission, tracking) stays small.
Every task-creating method builds its request object and hands it to ``_create``;
immediate calls go through ``_transport``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from ._http import Transport
    from .jobs.job import Job
    from .models.requests import Request

__all__ = ["EndpointsMixin"]

Q = TypeVar("Q", bound="Request")


class EndpointsMixin:
    """Endpoint methods; relies on the core provided by :class:`SunoClient`."""

    if TYPE_CHECKING:
        _transport: Transport

        async def _create(self, request: Request) -> Job[Any]: ...

        def _check_open(self) -> None: ...

        @staticmethod
        def _request(cls: type[Q], request: Q | None, fields: Mapping[str, Any]) -> Q: ...
