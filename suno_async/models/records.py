"""Typed task records, as returned by each family's ``record-info`` endpoint.

Every field is optional and unknown fields are ignored, so new server fields never
break parsing. ``status`` is always the raw status string (``successFlag`` families
included), kept even when the SDK does not know it.

>>> from suno_async.models.records import MusicRecord
>>> from suno_async._convert import structure
>>> rec = structure({"taskId": "ab12", "status": "PENDING", "response": None,
...                  "createTime": 1776340072000}, MusicRecord)
>>> rec.status, rec.tracks, rec.create_time.year
('PENDING', (), 2026)
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import attrs

__all__ = [
    "CoverArtRecord",
    "ImagesResponse",
    "Instrument",
    "LyricsRecord",
    "LyricsResponse",
    "LyricsVariant",
    "MidiData",
    "MidiRecord",
    "Mp4Record",
    "Mp4Response",
    "MusicRecord",
    "MusicResponse",
    "Note",
    "OriginStem",
    "Record",
    "RecoveredTrack",
    "RecoveryRecord",
    "StemPart",
    "StemsResponse",
    "Track",
    "VocalRemovalRecord",
    "VoiceRecord",
    "VoiceValidateRecord",
    "WavRecord",
    "WavResponse",
]


@attrs.frozen(kw_only=True)
class Record:
    """Fields every task record has; ``status`` is the raw status string."""

    task_id: str = ""
    error_code: int | None = None
    error_message: str | None = None

    @property
    def status(self) -> str:
        raise NotImplementedError


# ----------------------------------------------------------------------------- music


@attrs.frozen(kw_only=True)
class Track:
    """One generated track.

    ``audio_url`` is empty until the track is final; ``stream_audio_url`` comes first
    (playable while the rest renders). ``duration`` is in seconds once known.
    """

    id: str = ""
    audio_url: str = ""
    stream_audio_url: str = ""
    image_url: str = ""
    source_audio_url: str = ""
    source_stream_audio_url: str = ""
    source_image_url: str = ""
    prompt: str = ""
    model_name: str = ""
    title: str = ""
    tags: str = ""
    create_time: datetime | None = None
    duration: float | None = None

    @property
    def ready(self) -> bool:
        """True once the track can be downloaded: ``audio_url`` is there and its
        ``duration`` known. At ``FIRST_SUCCESS`` the first track is ready and the second
        has only its stream and image URLs (REFERENCE §7.4).

        >>> Track(audio_url="https://x.test/a.mp3", duration=154.68).ready
        True
        >>> Track(stream_audio_url="https://x.test/s", image_url="https://x.test/i").ready
        False
        """
        return bool(self.audio_url) and self.duration is not None


@attrs.frozen(kw_only=True)
class MusicResponse:
    task_id: str = ""
    suno_data: tuple[Track, ...] = ()
    error_message: str | None = None


@attrs.frozen(kw_only=True)
class MusicRecord(Record):
    """A music task (generate, extend, covers, add-*, replace, mashup, sounds).

    ``tracks`` are the generated tracks (normally two). ``param`` is the original
    request as the API stored it (a JSON string; it holds the callback URL, so it is
    kept out of the repr).
    """

    status: str = ""
    parent_music_id: str = ""
    param: str = attrs.field(default="", repr=False)
    response: MusicResponse | None = None
    type: str = ""
    operation_type: str = ""
    create_time: datetime | None = None

    @property
    def tracks(self) -> tuple[Track, ...]:
        return self.response.suno_data if self.response is not None else ()

    @property
    def ready_tracks(self) -> tuple[Track, ...]:
        """The tracks that can be downloaded now (the first one from ``FIRST_SUCCESS``).

        >>> rec = MusicRecord(status="FIRST_SUCCESS", response=MusicResponse(suno_data=(
        ...     Track(id="1", audio_url="https://x.test/1.mp3", duration=120.0),
        ...     Track(id="2", stream_audio_url="https://x.test/2"))))
        >>> [t.id for t in rec.ready_tracks]
        ['1']
        """
        return tuple(t for t in self.tracks if t.ready)

    @property
    def params(self) -> dict[str, Any]:
        """The stored request parameters, decoded (``{}`` when absent or not JSON)."""
        try:
            value = json.loads(self.param) if self.param else {}
        except (ValueError, RecursionError):
            return {}
        return value if isinstance(value, dict) else {}

    @property
    def complete(self) -> bool:
        """At least one track, and every track has its final ``audio_url``.

        (Deliberately not :attr:`Track.ready`: a SUCCESS whose tracks have their audio
        but lack a ``duration`` still ends the job, as before.)
        """
        return bool(self.tracks) and all(t.audio_url for t in self.tracks)


# ----------------------------------------------------------------------------- lyrics


@attrs.frozen(kw_only=True)
class LyricsVariant:
    text: str = ""
    title: str = ""
    status: str = ""
    error_message: str = ""


@attrs.frozen(kw_only=True)
class LyricsResponse:
    task_id: str = ""
    data: tuple[LyricsVariant, ...] = ()


@attrs.frozen(kw_only=True)
class LyricsRecord(Record):
    """A lyrics task; ``variants`` holds the generated lyrics (normally two)."""

    status: str = ""
    param: str = attrs.field(default="", repr=False)
    response: LyricsResponse | None = None
    type: str = ""
    create_time: datetime | None = None

    @property
    def variants(self) -> tuple[LyricsVariant, ...]:
        return self.response.data if self.response is not None else ()

    @property
    def complete(self) -> bool:
        return any(v.status == "complete" and v.text for v in self.variants)


# ----------------------------------------------------------------------- successFlag


@attrs.frozen(kw_only=True)
class FlagRecord(Record):
    """Base of the ``successFlag`` families (wav, vocal removal, mp4, midi, cover art)."""

    success_flag: str = ""
    callback_url: str = attrs.field(default="", repr=False)
    create_time: datetime | None = None
    complete_time: datetime | None = None

    @property
    def status(self) -> str:
        return self.success_flag


@attrs.frozen(kw_only=True)
class WavResponse:
    audio_wav_url: str = ""


@attrs.frozen(kw_only=True)
class WavRecord(FlagRecord):
    """A WAV conversion; ``wav_url`` once done."""

    music_id: str = ""
    response: WavResponse | None = None

    @property
    def wav_url(self) -> str:
        return self.response.audio_wav_url if self.response is not None else ""

    @property
    def complete(self) -> bool:
        return bool(self.wav_url)


@attrs.frozen(kw_only=True)
class StemPart:
    """One side of a ``split_stem_advanced`` result: the stem extracted, or the rest."""

    id: str = ""
    audio_url: str = ""
    duration: float | None = None
    stem_type_group_name: str = ""


@attrs.frozen(kw_only=True)
class OriginStem:
    """One stem of a separation; its ``id`` is the ``audio_id`` to pass to MIDI.

    A ``split_stem_advanced`` item carries ``extract`` (the named stem) and ``remove``
    (the audio without it) instead of its own URL.
    """

    id: str = ""
    audio_url: str = ""
    duration: float | None = None
    stem_type_group_name: str = ""
    extract: StemPart | None = None
    remove: StemPart | None = None

    @property
    def urls(self) -> tuple[str, ...]:
        """Every audio URL of this item (its own, or extract and remove)."""
        parts = [part.audio_url for part in (self.extract, self.remove) if part is not None]
        return tuple(url for url in (self.audio_url, *parts) if url)


_STEM_FIELDS = (
    "instrumental_url",
    "vocal_url",
    "backing_vocals_url",
    "drums_url",
    "bass_url",
    "guitar_url",
    "piano_url",
    "keyboard_url",
    "percussion_url",
    "strings_url",
    "synth_url",
    "fx_url",
    "brass_url",
    "woodwinds_url",
)


@attrs.frozen(kw_only=True)
class StemsResponse:
    id: str = ""
    origin_url: str = ""
    origin_data: tuple[OriginStem, ...] = ()
    instrumental_url: str = ""
    vocal_url: str = ""
    backing_vocals_url: str = ""
    drums_url: str = ""
    bass_url: str = ""
    guitar_url: str = ""
    piano_url: str = ""
    keyboard_url: str = ""
    percussion_url: str = ""
    strings_url: str = ""
    synth_url: str = ""
    fx_url: str = ""
    brass_url: str = ""
    woodwinds_url: str = ""

    @property
    def stems(self) -> dict[str, str]:
        """Stem name (``"vocal"``, ``"drums"`` ...) to URL, for the stems present."""
        found = {}
        for name in _STEM_FIELDS:
            url = getattr(self, name)
            if url:
                found[name.removesuffix("_url")] = url
        return found


@attrs.frozen(kw_only=True)
class VocalRemovalRecord(FlagRecord):
    """A vocal separation; ``stems`` maps stem names to URLs."""

    music_id: str = ""
    music_index: int | None = None
    response: StemsResponse | None = None

    @property
    def stems(self) -> dict[str, str]:
        return self.response.stems if self.response is not None else {}

    @property
    def origin_data(self) -> tuple[OriginStem, ...]:
        return self.response.origin_data if self.response is not None else ()

    @property
    def complete(self) -> bool:
        return bool(self.stems) or any(item.urls for item in self.origin_data)


@attrs.frozen(kw_only=True)
class Mp4Response:
    video_url: str = ""


@attrs.frozen(kw_only=True)
class Mp4Record(FlagRecord):
    """A music video; ``video_url`` once done."""

    music_id: str = ""
    music_index: int | None = None
    response: Mp4Response | None = None

    @property
    def video_url(self) -> str:
        return self.response.video_url if self.response is not None else ""

    @property
    def complete(self) -> bool:
        return bool(self.video_url)


@attrs.frozen(kw_only=True)
class Note:
    """A MIDI note: ``pitch`` 0-127, ``start``/``end`` in seconds, ``velocity`` 0-1."""

    pitch: int = 0
    start: float = 0.0
    end: float = 0.0
    velocity: float = 0.0


@attrs.frozen(kw_only=True)
class Instrument:
    name: str = ""
    notes: tuple[Note, ...] = ()


@attrs.frozen(kw_only=True)
class MidiData:
    state: str = ""
    instruments: tuple[Instrument, ...] = ()


@attrs.frozen(kw_only=True)
class MidiRecord(FlagRecord):
    """MIDI transcribed from a separation (``successFlag`` 0 pending, 1 done, 2-3 failed)."""

    record_task_id: int | None = None
    audio_id: str = ""
    midi_data: MidiData | None = None

    @property
    def instruments(self) -> tuple[Instrument, ...]:
        return self.midi_data.instruments if self.midi_data is not None else ()

    @property
    def complete(self) -> bool:
        return self.midi_data is not None and self.midi_data.state == "complete"


@attrs.frozen(kw_only=True)
class ImagesResponse:
    images: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class CoverArtRecord(FlagRecord):
    """Cover art for a music task; ``images`` once done."""

    parent_task_id: str = ""
    response: ImagesResponse | None = None

    @property
    def images(self) -> tuple[str, ...]:
        return self.response.images if self.response is not None else ()

    @property
    def complete(self) -> bool:
        return bool(self.images)


# ----------------------------------------------------------------------------- recovery


@attrs.frozen(kw_only=True)
class RecoveredTrack:
    """One track of a recovery task: a fresh ``audio_url`` for an expired one."""

    id: str = ""
    audio_url: str = ""
    title: str = ""
    status: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "success" and bool(self.audio_url)


@attrs.frozen(kw_only=True)
class RecoveryRecord(Record):
    """A recovery task. Its status is the reply's own ``code``: 201 running,
    200 at least one track recovered, 500 every track failed."""

    code: int | None = None
    msg: str = ""
    data: tuple[RecoveredTrack, ...] = ()

    def __attrs_post_init__(self) -> None:
        if self.code == 500 and not any(track.status == "failed" for track in self.data):
            # "every track failed" comes with the failed tracks; a bare 500 is a server
            # hiccup, not the task's outcome (polling retries it)
            raise ValueError("code 500 without failed tracks is a server error")
        # A failed recovery explains itself in the reply's code and msg.
        if self.code not in (None, 200, 201):
            if self.error_code is None:
                object.__setattr__(self, "error_code", self.code)
            if self.error_message is None and self.msg:
                object.__setattr__(self, "error_message", self.msg)

    @property
    def status(self) -> str:
        return "" if self.code is None else str(self.code)

    @property
    def tracks(self) -> tuple[RecoveredTrack, ...]:
        return self.data

    @property
    def complete(self) -> bool:
        return any(track.ok for track in self.data)


# ----------------------------------------------------------------------------- voice


@attrs.frozen(kw_only=True)
class VoiceRecord(Record):
    """A Suno Voice generation (``/api/v1/voice/record-info``); ``voice_id`` once done.

    ``status`` is one of ``wait_processing``, ``processing_validate``,
    ``processing_validate_fail``, ``wait_validating``, ``success``, ``fail``.
    Use ``voice_id`` as ``persona_id`` with ``persona_model="voice_persona"``.

    >>> from suno_async._convert import structure
    >>> structure({"taskId": "g1", "voiceId": "v9", "status": "success"}, VoiceRecord).voice_id
    'v9'
    """

    status: str = ""
    voice_id: str = ""

    @property
    def complete(self) -> bool:
        return self.status == "success" and bool(self.voice_id)


@attrs.frozen(kw_only=True)
class VoiceValidateRecord(Record):
    """A Suno Voice validation (``/api/v1/voice/validate-info``).

    ``validate_info`` is what the provider returns for the singer to record (the
    verification phrase); its shape is not documented, so it is kept as sent (text or
    an object); :attr:`phrase` is it when it is text.
    """

    status: str = ""
    validate_info: Any = attrs.field(default=None, eq=False)

    @property
    def phrase(self) -> str:
        """The verification phrase when the provider sent it as text, else ``""``."""
        return self.validate_info if isinstance(self.validate_info, str) else ""

    @property
    def complete(self) -> bool:
        return self.status == "success" or (
            self.status == "wait_validating" and self.validate_info is not None
        )
