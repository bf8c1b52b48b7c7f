"""Request objects: frozen attrs classes that validate themselves on construction.

Every rule of the provider's pages is checked locally; a request that breaks any rule
raises one :class:`~suno_async.errors.RequestValidationError` listing every problem
with its field path, and nothing is sent. Each class declares its endpoint once, as
an :class:`Endpoint` in ``spec``. By concern: :mod:`.music` (music and lyrics tasks),
:mod:`.derived` (tasks on a finished track), :mod:`.immediate` (calls answered at
once), :mod:`.uploads` (the upload host) and :mod:`.voice` (Suno Voice).

>>> from suno_async import GenerateRequest, Model
>>> req = GenerateRequest(prompt="lofi piano", model=Model.V4_5, instrumental=True)
>>> req.to_wire()["customMode"], req.to_wire()["model"]
(False, 'V4_5')
>>> GenerateRequest(custom_mode=True, style="jazz")
Traceback (most recent call last):
...
suno_async.errors.RequestValidationError: invalid generate (2 problems, nothing was sent):
  - title: required in custom mode (custom_mode=True)
  - prompt: required in custom mode with vocals (the lyrics); or set instrumental=True
"""

from __future__ import annotations

from ._base import Endpoint, MusicOptions, Request, TaskRequest, fill_callback
from .derived import (
    CoverArtRequest,
    MidiRequest,
    MusicVideoRequest,
    RecoveryRequest,
    SeparateVocalsRequest,
    WavRequest,
)
from .immediate import (
    DownloadUrlRequest,
    PersonaRequest,
    StyleBoostRequest,
    TimestampedLyricsRequest,
)
from .music import (
    AddInstrumentalRequest,
    AddVocalsRequest,
    ExtendRequest,
    GenerateRequest,
    LyricsRequest,
    MashupRequest,
    ReplaceSectionRequest,
    SoundsRequest,
    UploadCoverRequest,
    UploadExtendRequest,
    check_mode_fields,
)
from .uploads import Base64UploadRequest, StreamUploadRequest, UploadRequest, UrlUploadRequest
from .voice import (
    CheckVoiceRequest,
    VoiceGenerateRequest,
    VoiceRecordInfoRequest,
    VoiceRegenerateRequest,
    VoiceValidateInfoRequest,
    VoiceValidateRequest,
)

__all__ = [
    "AddInstrumentalRequest",
    "AddVocalsRequest",
    "Base64UploadRequest",
    "CheckVoiceRequest",
    "CoverArtRequest",
    "DownloadUrlRequest",
    "Endpoint",
    "ExtendRequest",
    "GenerateRequest",
    "LyricsRequest",
    "MashupRequest",
    "MidiRequest",
    "MusicOptions",
    "MusicVideoRequest",
    "PersonaRequest",
    "RecoveryRequest",
    "ReplaceSectionRequest",
    "Request",
    "SeparateVocalsRequest",
    "SoundsRequest",
    "StreamUploadRequest",
    "StyleBoostRequest",
    "TaskRequest",
    "TimestampedLyricsRequest",
    "UploadCoverRequest",
    "UploadExtendRequest",
    "UploadRequest",
    "UrlUploadRequest",
    "VoiceGenerateRequest",
    "VoiceRecordInfoRequest",
    "VoiceRegenerateRequest",
    "VoiceValidateInfoRequest",
    "VoiceValidateRequest",
    "WavRequest",
    "check_mode_fields",
    "fill_callback",
]
