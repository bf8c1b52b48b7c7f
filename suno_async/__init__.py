"""suno-async: an async-first, typed, retrying SDK for the Suno music API.

Works with kie.ai and same-shape hosts (apikley, sunoapi.org), and with the built-in
sandbox (:mod:`suno_async.sandbox`) for development and tests without an account.

>>> import suno_async
>>> suno_async.Stage.FIRST_SUCCESS < suno_async.Stage.SUCCESS
True
"""

from __future__ import annotations

from . import errors
from ._version import __version__
from .batch import BatchItem, BatchLine, BatchProgress, as_completed, gather
from .client import SunoClient
from .config import FleetPolicy, PollPolicy, RateLimit, RetryPolicy, Timeouts, WebhookPolicy
from .jobs import Job, JobEvent
from .models import *  # noqa: F403 - the models package's __all__ is public API
from .models import __all__ as _models_all

#: Request shapes of ``upload_file`` (built by the client, not by users): importable
#: from ``suno_async.models.requests``, not part of the top-level API.
_UPLOAD_SHAPES = frozenset(
    {"StreamUploadRequest", "UrlUploadRequest", "Base64UploadRequest", "UploadRequest"}
)

__all__ = [
    "BatchItem",
    "BatchLine",
    "BatchProgress",
    "Job",
    "JobEvent",
    "FleetPolicy",
    "PollPolicy",
    "RateLimit",
    "RetryPolicy",
    "SunoClient",
    "Timeouts",
    "WebhookPolicy",
    "__version__",
    "as_completed",
    "errors",
    "gather",
    *(name for name in _models_all if name not in _UPLOAD_SHAPES),
]
