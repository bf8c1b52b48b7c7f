"""Task families: where each is polled, how its record parses, and its status table.

A :class:`JobKind` is data: the ``record-info`` path, the record class, the raw
statuses that mean a stage, and the raw statuses that end the task with a failure
(with the exception class to raise). :meth:`JobKind.classify` is the single place a
record becomes a :class:`~suno_async.Stage`.

>>> from suno_async.jobs.kinds import KINDS
>>> from suno_async.models.records import MusicRecord
>>> KINDS["music"].classify(MusicRecord(status="TEXT_SUCCESS")).stage
<Stage.TEXT_SUCCESS: 1>
>>> KINDS["midi"].classify(KINDS["midi"].record_type(success_flag="3")).failure.__name__
'GenerationFailedError'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import attrs

from ..errors import (
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
    WavRecord,
)

__all__ = ["KINDS", "Classified", "JobKind"]

#: Raw status of a callback-stage failure whose results are nonetheless complete.
CALLBACK_EXCEPTION: Final = "CALLBACK_EXCEPTION"


@attrs.frozen
class Classified:
    """What a record means: the stage, and for failures the exception class."""

    stage: Stage | None  # None: a status the table does not know
    failure: type[JobFailedError] | None = None


@attrs.frozen(kw_only=True)
class JobKind:
    """One task family."""

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

    def classify(self, record: Record) -> Classified:
        status = record.status
        stage = self.stages.get(status)
        complete = bool(getattr(record, "complete", True))
        if stage is Stage.SUCCESS and not complete:
            # "SUCCESS" whose tracks have no audio URL yet is not final.
            partial = Stage.FIRST_SUCCESS if self.staged and _has_stream(record) else None
            return Classified(partial or Stage.PENDING)
        if stage is not None:
            return Classified(stage)
        failure = self.failures.get(status)
        if failure is not None:
            if status == CALLBACK_EXCEPTION and complete:
                return Classified(Stage.SUCCESS)  # the callback failed, the result exists
            return Classified(Stage.FAILED, failure)
        return Classified(None)

    def parse(self, data: Any) -> Record:
        from .._convert import structure

        return structure(data, self.record_type, what=f"{self.name} record")


def _has_stream(record: Record) -> bool:
    tracks = getattr(record, "tracks", ())
    return any(getattr(t, "stream_audio_url", "") for t in tracks)


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
        ),
        JobKind(
            name="lyrics",
            record_path="/api/v1/lyrics/record-info",
            record_type=LyricsRecord,
            stages={**_PENDING_SUCCESS, "TEXT_SUCCESS": Stage.TEXT_SUCCESS},
            failures=_failures("GENERATE_LYRICS_FAILED"),
        ),
        JobKind(
            name="wav",
            record_path="/api/v1/wav/record-info",
            record_type=WavRecord,
            stages=_PENDING_SUCCESS,
            failures=_failures("GENERATE_WAV_FAILED"),
        ),
        JobKind(
            name="vocal_removal",
            record_path="/api/v1/vocal-removal/record-info",
            record_type=VocalRemovalRecord,
            stages=_PENDING_SUCCESS,
            failures=_failures("GENERATE_AUDIO_FAILED"),
        ),
        JobKind(
            name="mp4",
            record_path="/api/v1/mp4/record-info",
            record_type=Mp4Record,
            stages=_PENDING_SUCCESS,
            failures=_failures("GENERATE_MP4_FAILED"),
        ),
        JobKind(
            name="midi",
            record_path="/api/v1/midi/record-info",
            record_type=MidiRecord,
            stages={**_FLAG_INT, **_PENDING_SUCCESS},
            failures={**_FLAG_INT_FAILURES, **_failures("GENERATE_MIDI_FAILED")},
        ),
        JobKind(
            name="cover_art",
            record_path="/api/v1/suno/cover/record-info",
            record_type=CoverArtRecord,
            # 0 pending, 1 success, 2 generating, 3 failed (and the string spellings)
            stages={**_FLAG_INT, "2": Stage.PENDING, **_PENDING_SUCCESS},
            failures={"3": GenerationFailedError, **_failures("GENERATE_COVER_FAILED")},
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
        ),
    )
}
