"""suno-async: an async-first, typed, retrying SDK for the Suno music API.

Works with kie.ai and same-shape hosts (apikley, sunoapi.org), and with the built-in
sandbox (:mod:`suno_async.sandbox`) for development and tests without an account.

>>> import suno_async
>>> suno_async.Stage.FIRST_SUCCESS < suno_async.Stage.SUCCESS
True
"""

from __future__ import annotations

__version__ = "0.1.0"

from . import errors
from .client import SunoClient
from .config import PollPolicy, RateLimit, RetryPolicy, Timeouts, WebhookPolicy
from .jobs import Job, JobEvent
from .models.enums import Model, SeparationType, SoundKey, Stage, VocalGender
from .models.records import (
    CoverArtRecord,
    LyricsRecord,
    MidiRecord,
    Mp4Record,
    MusicRecord,
    Record,
    Track,
    VocalRemovalRecord,
    WavRecord,
)
from .models.requests import AddInstrumentalRequest, GenerateRequest, UploadCoverRequest

__all__ = [
    "AddInstrumentalRequest",
    "CoverArtRecord",
    "GenerateRequest",
    "Job",
    "JobEvent",
    "LyricsRecord",
    "MidiRecord",
    "Model",
    "Mp4Record",
    "MusicRecord",
    "PollPolicy",
    "RateLimit",
    "Record",
    "RetryPolicy",
    "SeparationType",
    "SoundKey",
    "Stage",
    "SunoClient",
    "Timeouts",
    "Track",
    "UploadCoverRequest",
    "VocalGender",
    "VocalRemovalRecord",
    "WavRecord",
    "WebhookPolicy",
    "__version__",
    "errors",
]
