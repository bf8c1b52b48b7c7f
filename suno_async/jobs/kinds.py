"""Task families and the whole status decision of each, as data.

A :class:`JobKind` says where a family is polled, how its record parses, and how a
record becomes a :class:`~suno_async.Stage`: the raw statuses that mean a stage, the
raw statuses that end the task with a failure (and the exception class), when a
``SUCCESS`` is really complete (from the record's data, not from the record's own
opinion), what a callback's failure means (and when one poll must confirm it), and
which odd replies mean "poll again". :meth:`JobKind.classify` is the single place a
record becomes a stage.

>>> from suno_async.jobs.kinds import KINDS
>>> from suno_async.models.records import MusicRecord
>>> KINDS["music"].classify(MusicRecord(status="TEXT_SUCCESS")).stage
<Stage.TEXT_SUCCESS: 1>
>>> KINDS["music"].classify(MusicRecord(status="SUCCESS")).stage  # no tracks yet
<Stage.PENDING: 0>
>>> KINDS["midi"].classify(KINDS["midi"].record_type(success_flag="3")).failure.__name__
'GenerationFailedError'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs

from .._convert import structure
from ..errors import (
    APIResponseValidationError,
    CallbackDeliveryError,
    ContentPolicyError,
    CreateTaskFailedError,
    GenerationFailedError,
    JobFailedError,
)
from ..models.enums import Stage
from ..models.records import (
    CoverArtRecord,
    LyricsRecord,
    MidiRecord,
    Mp4Record,
    MusicRecord,
    Record,
    RecoveryRecord,
    VocalRemovalRecord,
    VoiceRecord,
    VoiceValidateRecord,
    WavRecord,
)

__all__ = ["KINDS", "Classified", "JobKind", "kind_named"]

#: Raw status of a callback-stage failure whose results are nonetheless complete.
CALLBACK_EXCEPTION: Final = "CALLBACK_EXCEPTION"


@attrs.frozen
class Classified:
    """What a record means: the stage, and for failures the exception class.

    ``stage`` is ``None`` for a status the family's table does not know (the job
    keeps polling).
    """

    stage: Stage | None
    failure: type[JobFailedError] | None = None


def _always(_record: Any) -> bool:
    return True


def _never(_data: Any) -> str | None:
    return None


@attrs.frozen(kw_only=True)
class JobKind:
    """One task family and its status decision."""

    name: str
    record_path: str
    record_type: type[Record]
    #: Query parameter carrying the task id on ``record_path``.
    id_param: str = "taskId"
    stages: Mapping[str, Stage]
    failures: Mapping[str, type[JobFailedError]]
    #: Whether the family reports the intermediate TEXT/FIRST stages.
    staged: bool = False
    #: Body codes that are task statuses on ``record_path`` (the whole reply is the
    #: record), for families that report status in the envelope (recovery).
    envelope_codes: frozenset[int] = frozenset()
    #: Whether a record of this family that says ``SUCCESS`` holds its results.
    complete: Callable[[Any], bool] = _always
    #: Whether a callback's failure carries the exact status (as a poll would): when
    #: not, one poll confirms which failure it was before the job fails.
    exact_callback_failures: bool = False
    #: A reason when a raw record-info reply is an odd one that means "poll again"
    #: (a server hiccup dressed as a status); ``None`` for a genuine record.
    poll_again: Callable[[Any], str | None] = _never

    def classify(self, record: Record) -> Classified:
        """The stage ``record`` means (and the failure class when it failed)."""
        status = record.status
        stage = self.stages.get(status)
        if stage is Stage.SUCCESS and not self.complete(record):
            # "SUCCESS" whose results are not there yet is not final.
            partial = Stage.FIRST_SUCCESS if self.staged and _has_stream(record) else None
            return Classified(partial or Stage.PENDING)
        if stage is not None:
            return Classified(stage)
        failure = self.failures.get(status)
        if failure is not None:
            if status == CALLBACK_EXCEPTION and self.complete(record):
                return Classified(Stage.SUCCESS)  # the callback failed, the result exists
            return Classified(Stage.FAILED, failure)
        return Classified(None)

    def confirm_by_poll(self, record: Record) -> bool:
        """Whether a callback's ``record`` reports a failure whose class only a poll
        can tell (the error callback has no status: ``CREATE_TASK_FAILED`` and
        ``GENERATE_AUDIO_FAILED`` both arrive as a bare error code)."""
        if self.exact_callback_failures:
            return False
        classified = self.classify(record)
        return classified.stage is Stage.FAILED and classified.failure is not ContentPolicyError

    def parse(self, data: Any) -> Record:
        """The record of a record-info reply; an odd reply raises (the poller retries)."""
        reason = self.poll_again(data)
        if reason is not None:
            raise APIResponseValidationError(f"{self.name} record: {reason}", body=data)
        return structure(data, self.record_type, what=f"{self.name} record")


def _has_stream(record: Record) -> bool:
    return isinstance(record, MusicRecord) and any(t.stream_audio_url for t in record.tracks)


# ------------------------------------------------------------------ completeness per family


def _music_complete(record: MusicRecord) -> bool:
    return bool(record.tracks) and all(t.audio_url for t in record.tracks)


def _lyrics_complete(record: LyricsRecord) -> bool:
    return any(v.status == "complete" and v.text for v in record.variants)


def _wav_complete(record: WavRecord) -> bool:
    return bool(record.wav_url)


def _stems_complete(record: VocalRemovalRecord) -> bool:
    # split_stem_advanced reports its stems as origin_data extract/remove pairs
    return bool(record.stems) or any(item.urls for item in record.origin_data)


def _voice_complete(record: VoiceRecord) -> bool:
    return bool(record.voice_id)


def _voice_validate_complete(record: VoiceValidateRecord) -> bool:
    return record.validate_info is not None


#: Suno Voice (consent-gated): a verification that did not pass, or a failed voice.
_VOICE_FAILURES: Final[Mapping[str, type[JobFailedError]]] = {
    "processing_validate_fail": GenerationFailedError,
    "fail": GenerationFailedError,
}


def _mp4_complete(record: Mp4Record) -> bool:
    return bool(record.video_url)


def _midi_complete(record: MidiRecord) -> bool:
    return record.midi_data is not None and record.midi_data.state == "complete"


def _cover_complete(record: CoverArtRecord) -> bool:
    return bool(record.images)


def _recovery_complete(record: RecoveryRecord) -> bool:
    return any(t.status == "success" and t.audio_url for t in record.tracks)


def _recovery_odd(data: Any) -> str | None:
    """Code 500 means "every track failed" only with the failed tracks; a bare 500
    is a server hiccup, not the task's outcome."""
    if not isinstance(data, Mapping) or data.get("code") != 500:
        return None
    tracks = data.get("data")
    failed = isinstance(tracks, list) and any(
        isinstance(t, Mapping) and t.get("status") == "failed" for t in tracks
    )
    return None if failed else "code 500 without failed tracks is a server error"


# ------------------------------------------------------------------ status tables

_COMMON_FAILURES: Final[Mapping[str, type[JobFailedError]]] = {
    "CREATE_TASK_FAILED": CreateTaskFailedError,
    "CALLBACK_EXCEPTION": CallbackDeliveryError,
    "SENSITIVE_WORD_ERROR": ContentPolicyError,
}
_PENDING_SUCCESS: Final = {"PENDING": Stage.PENDING, "SUCCESS": Stage.SUCCESS}
_FLAG_INT: Final = {"0": Stage.PENDING, "1": Stage.SUCCESS}
_FLAG_INT_FAILURES: Final[Mapping[str, type[JobFailedError]]] = {
    "2": CreateTaskFailedError,
    "3": GenerationFailedError,
}


def _failures(generation: str) -> dict[str, type[JobFailedError]]:
    return {**_COMMON_FAILURES, generation: GenerationFailedError}


#: Every task family, by name.
KINDS: Final[Mapping[str, JobKind]] = {
    kind.name: kind
    for kind in (
        JobKind(
            name="music",
            record_path="/api/v1/generate/record-info",
            record_type=MusicRecord,
            stages={
                "PENDING": Stage.PENDING,
                "TEXT_SUCCESS": Stage.TEXT_SUCCESS,
                "FIRST_SUCCESS": Stage.FIRST_SUCCESS,
                "SUCCESS": Stage.SUCCESS,
            },
            failures=_failures("GENERATE_AUDIO_FAILED"),
            staged=True,
            complete=_music_complete,
        ),
        JobKind(
            name="lyrics",
            record_path="/api/v1/lyrics/record-info",
            record_type=LyricsRecord,
            stages={**_PENDING_SUCCESS, "TEXT_SUCCESS": Stage.TEXT_SUCCESS},
            failures=_failures("GENERATE_LYRICS_FAILED"),
            complete=_lyrics_complete,
        ),
        JobKind(
            name="wav",
            record_path="/api/v1/wav/record-info",
            record_type=WavRecord,
            stages=_PENDING_SUCCESS,
            failures=_failures("GENERATE_WAV_FAILED"),
            complete=_wav_complete,
        ),
        JobKind(
            name="vocal_removal",
            record_path="/api/v1/vocal-removal/record-info",
            record_type=VocalRemovalRecord,
            stages=_PENDING_SUCCESS,
            failures=_failures("GENERATE_AUDIO_FAILED"),
            complete=_stems_complete,
        ),
        JobKind(
            name="mp4",
            record_path="/api/v1/mp4/record-info",
            record_type=Mp4Record,
            stages=_PENDING_SUCCESS,
            failures=_failures("GENERATE_MP4_FAILED"),
            complete=_mp4_complete,
        ),
        JobKind(
            name="midi",
            record_path="/api/v1/midi/record-info",
            record_type=MidiRecord,
            stages={**_FLAG_INT, **_PENDING_SUCCESS},
            failures={**_FLAG_INT_FAILURES, **_failures("GENERATE_MIDI_FAILED")},
            complete=_midi_complete,
        ),
        JobKind(
            name="cover_art",
            record_path="/api/v1/suno/cover/record-info",
            record_type=CoverArtRecord,
            # 0 pending, 1 success, 2 generating, 3 failed (and the string spellings)
            stages={**_FLAG_INT, "2": Stage.PENDING, **_PENDING_SUCCESS},
            failures={"3": GenerationFailedError, **_failures("GENERATE_COVER_FAILED")},
            complete=_cover_complete,
        ),
        JobKind(
            name="recovery",
            record_path="/api/v1/suno/recovery/record-info",
            record_type=RecoveryRecord,
            id_param="task_id",
            # the reply's code is the status: 201 running, 200 recovered, 500 all failed
            stages={"201": Stage.PENDING, "200": Stage.SUCCESS},
            failures={"500": GenerationFailedError},
            envelope_codes=frozenset({200, 201, 500}),
            complete=_recovery_complete,
            # the callback has the record-info shape: its code is the exact status
            exact_callback_failures=True,
            poll_again=_recovery_odd,
        ),
        JobKind(
            name="voice_validate",
            record_path="/api/v1/voice/validate-info",
            record_type=VoiceValidateRecord,
            # wait_validating: the phrase is ready for the singer to record (the result)
            stages={
                "wait_processing": Stage.PENDING,
                "processing_validate": Stage.PENDING,
                "wait_validating": Stage.SUCCESS,
                "success": Stage.SUCCESS,
            },
            failures=_VOICE_FAILURES,
            complete=_voice_validate_complete,
        ),
        JobKind(
            name="voice",
            record_path="/api/v1/voice/record-info",
            record_type=VoiceRecord,
            stages={
                "wait_processing": Stage.PENDING,
                "processing_validate": Stage.PENDING,
                "wait_validating": Stage.PENDING,
                "success": Stage.SUCCESS,
            },
            failures=_VOICE_FAILURES,
            complete=_voice_complete,
        ),
    )
}


def kind_named(name: object) -> JobKind:
    """The :class:`JobKind` called ``name``; a clear error for anything else.

    >>> kind_named("wav").record_path
    '/api/v1/wav/record-info'
    """
    if not isinstance(name, str):
        raise TypeError(f"kind must be a str (one of {', '.join(KINDS)}), got {name!r}")
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"unknown job kind {name!r}; one of {', '.join(KINDS)}") from None
