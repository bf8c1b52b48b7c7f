"""Tasks derived from a finished music task: WAV, stems, MIDI, video, cover art,
recovered links (REFERENCE §6.5, §6.7-§6.10, §6.13).

>>> from suno_async.models.requests import SeparateVocalsRequest
>>> SeparateVocalsRequest(audio_url="https://files.test/song.mp3").to_wire()
{'type': 'separate_vocal', 'audioUrl': 'https://files.test/song.mp3'}
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs

from ..._validation import Checks, enum_or_raw
from ...limits import MP4_TEXT_MAX
from ..enums import SeparationType
from ._base import Endpoint, TaskRequest

__all__ = [
    "CoverArtRequest",
    "MidiRequest",
    "MusicVideoRequest",
    "RecoveryRequest",
    "SeparateVocalsRequest",
    "WavRequest",
    "check_track_ids",
]

_to_separation_raw: Any = enum_or_raw(SeparationType)


def _to_separation(value: object) -> Any:
    """attrs converter: a known SeparationType value becomes the member; anything else stays."""
    return _to_separation_raw(value)


def _task(name: str, path: str, kind: str, *, paid: bool = True) -> Endpoint:
    return Endpoint(name=name, path=path, kind=kind, paid=paid, callback=True)


def check_track_ids(checks: Checks, task_id: str | None, audio_id: str | None) -> None:
    checks.required("task_id", task_id, "(the music task of the track)")
    checks.required("audio_id", audio_id, "(the track's id)")


@attrs.frozen(kw_only=True)
class _TrackTaskRequest(TaskRequest):
    """A task about one generated track (WAV, video): ``task_id`` + ``audio_id``."""

    task_id: str | None = None
    audio_id: str | None = None

    def _check_track(self, checks: Checks) -> None:
        check_track_ids(checks, self.task_id, self.audio_id)


@attrs.frozen(kw_only=True)
class WavRequest(_TrackTaskRequest):
    """Convert a generated track to WAV (``POST /api/v1/wav/generate``).

    >>> WavRequest(task_id="t1", audio_id="a1").to_wire()
    {'taskId': 't1', 'audioId': 'a1'}
    """

    spec: ClassVar[Endpoint] = _task("wav", "/api/v1/wav/generate", "wav")

    def _check(self, checks: Checks) -> None:
        self._check_track(checks)


@attrs.frozen(kw_only=True)
class SeparateVocalsRequest(TaskRequest):
    """Split a track into stems (``POST /api/v1/vocal-removal/generate``).

    ``type`` is :attr:`SeparationType.SEPARATE_VOCAL` (vocals + instrumental, the
    default), :attr:`SeparationType.SPLIT_STEM` (up to twelve stems; costs more) or
    :attr:`SeparationType.SPLIT_STEM_ADVANCED` with ``stem_name`` (one named stem,
    extracted and removed). The source is either a generated track (``task_id`` +
    ``audio_id``) or an uploaded file (``audio_url``, at most 20 MB), never both.

    >>> SeparateVocalsRequest(task_id="t1", audio_id="a1",
    ...                       type="split_stem").to_wire()["type"]
    'split_stem'
    >>> SeparateVocalsRequest(task_id="t1", audio_id="a1", type="split_stem_advanced",
    ...                       stem_name="Vocals").to_wire()["stemName"]
    'Vocals'
    """

    spec: ClassVar[Endpoint] = _task(
        "separate_vocals", "/api/v1/vocal-removal/generate", "vocal_removal"
    )

    task_id: str | None = None
    audio_id: str | None = None
    type: SeparationType = attrs.field(
        default=SeparationType.SEPARATE_VOCAL, converter=_to_separation
    )
    stem_name: str | None = None
    audio_url: str | None = None

    def _check(self, checks: Checks) -> None:
        track_mode = self.task_id is not None or self.audio_id is not None
        if self.audio_url is not None:
            if track_mode:
                checks.add(
                    "audio_url",
                    "give either task_id + audio_id (a generated track) or audio_url "
                    "(an uploaded file), not both",
                )
            else:
                checks.required_url("audio_url", self.audio_url, "(the uploaded audio file)")
        else:
            check_track_ids(checks, self.task_id, self.audio_id)
        if self.type is SeparationType.SPLIT_STEM_ADVANCED:
            checks.required(
                "stem_name", self.stem_name, "with type='split_stem_advanced' (the stem to split)"
            )
        else:
            checks.empty(
                "stem_name",
                self.stem_name,
                "only with type='split_stem_advanced'; set that type or leave it out",
            )


@attrs.frozen(kw_only=True)
class MidiRequest(TaskRequest):
    """MIDI notes from a finished separation (``POST /api/v1/midi/generate``).

    ``task_id`` is the vocal-separation task; ``audio_id`` optionally picks one of its
    stems (``record.origin_data[i].id``), otherwise every stem is transcribed.

    >>> MidiRequest(task_id="sep1").to_wire()
    {'taskId': 'sep1'}
    """

    spec: ClassVar[Endpoint] = _task("midi", "/api/v1/midi/generate", "midi")

    task_id: str | None = None
    audio_id: str | None = None

    def _check(self, checks: Checks) -> None:
        checks.required("task_id", self.task_id, "(a finished vocal-separation task)")
        if self.audio_id is not None:
            checks.required("audio_id", self.audio_id, "when given (a stem id; or leave it out)")


@attrs.frozen(kw_only=True)
class MusicVideoRequest(_TrackTaskRequest):
    """A music video of a track (``POST /api/v1/mp4/generate``).

    ``author`` and ``domain_name`` (a watermark) are optional, at most 50 characters.

    >>> MusicVideoRequest(task_id="t1", audio_id="a1",
    ...                   author="Me").to_wire()["author"]
    'Me'
    """

    spec: ClassVar[Endpoint] = _task("music_video", "/api/v1/mp4/generate", "mp4")

    author: str | None = None
    domain_name: str | None = None

    def _check(self, checks: Checks) -> None:
        self._check_track(checks)
        checks.max_chars("author", self.author, MP4_TEXT_MAX, "for a music video")
        checks.max_chars("domain_name", self.domain_name, MP4_TEXT_MAX, "for a music video")


@attrs.frozen(kw_only=True)
class CoverArtRequest(TaskRequest):
    """Cover images for a music task (``POST /api/v1/suno/cover/generate``).

    One cover per music task: a second request is refused by the API.

    >>> CoverArtRequest(task_id="t1").to_wire()
    {'taskId': 't1'}
    """

    spec: ClassVar[Endpoint] = _task(
        "cover_art", "/api/v1/suno/cover/generate", "cover_art", paid=False
    )

    task_id: str | None = None

    def _check(self, checks: Checks) -> None:
        checks.required("task_id", self.task_id, "(the music task)")


@attrs.frozen(kw_only=True)
class RecoveryRequest(TaskRequest):
    """Fresh links for a music task whose audio links expired (``POST /api/v1/suno/recovery``).

    The source task travels as ``task_id`` on kie and apikley and as ``sunoTaskId`` on
    sunoapi.org (:attr:`HostRules.recovery_task_field`), chosen by ``host``.

    >>> RecoveryRequest(suno_task_id="t1").to_wire()
    {'task_id': 't1'}
    >>> RecoveryRequest(suno_task_id="t1", host="sunoapi").to_wire()
    {'sunoTaskId': 't1'}
    """

    spec: ClassVar[Endpoint] = _task("recovery", "/api/v1/suno/recovery", "recovery")

    suno_task_id: str | None = None

    def _check(self, checks: Checks) -> None:
        checks.required("suno_task_id", self.suno_task_id, "(the music task to recover)")

    def to_wire(self) -> dict[str, Any]:
        body = super().to_wire()
        task = body.pop("sunoTaskId", None)
        wire = {self.rules.recovery_task_field: task} if task is not None else {}
        return {**wire, **body}
