"""Callback payloads, turned into the same records that polling returns.

Each family POSTs its own shape (REFERENCE §8): music items are snake_case under
``data.data`` with a ``callbackType``; MIDI puts ``task_id`` at the top level; cover
art and Suno Voice use camelCase ``taskId``; vocal separation puts its result under
``vocal_separation_info`` (kie) or ``vocal_removal_info`` (sunoapi.org, kie CN).
:func:`parse_callback` maps every shape onto the family's record type, so the tracker
has one ``ingest(record)`` for both paths.

>>> from suno_async.models.callbacks import parse_callback, callback_task_id
>>> body = {"code": 200, "msg": "ok", "data": {"callbackType": "text", "task_id": "t1",
...         "data": []}}
>>> callback_task_id(body), parse_callback("music", body).status
('t1', 'TEXT_SUCCESS')
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs

from .._convert import structure
from ..errors import APIResponseValidationError
from .records import (
    CoverArtRecord,
    ImagesResponse,
    LyricsRecord,
    LyricsResponse,
    LyricsVariant,
    MidiData,
    MidiRecord,
    Mp4Record,
    Mp4Response,
    MusicRecord,
    MusicResponse,
    Record,
    RecoveryRecord,
    StemsResponse,
    Track,
    VocalRemovalRecord,
    VoiceRecord,
    VoiceValidateRecord,
    WavRecord,
    WavResponse,
)

__all__ = ["callback_task_id", "parse_callback"]

_MUSIC_STAGES: Final = {"text": "TEXT_SUCCESS", "first": "FIRST_SUCCESS", "complete": "SUCCESS"}
#: Callback codes that mean the content was refused (copyright, existing work).
_CONTENT_CODES: Final = frozenset({400, 413})


def _data(body: Mapping[str, Any]) -> Mapping[str, Any]:
    data = body.get("data")
    return data if isinstance(data, Mapping) else {}


def callback_task_id(body: object) -> str | None:
    """The task id of any callback shape (``data.task_id``, ``data.taskId``, ``task_id``)."""
    if not isinstance(body, Mapping):
        return None
    data = _data(body)
    for value in (data.get("task_id"), data.get("taskId"), body.get("task_id"), body.get("taskId")):
        if isinstance(value, str) and value:
            return value
    return None


def _code(body: Mapping[str, Any]) -> int:
    code = body.get("code", 200)
    try:
        return int(code)
    except (TypeError, ValueError):
        raise APIResponseValidationError(f"callback code is not a number: {code!r}") from None


def _message(body: Mapping[str, Any]) -> str | None:
    data = _data(body)
    error = data.get("error")
    msg = body.get("msg")
    if isinstance(error, str) and error:
        return error
    return msg if isinstance(msg, str) else None


def _music(body: Mapping[str, Any], task_id: str) -> Record:
    data = _data(body)
    code = _code(body)
    kind = data.get("callbackType")
    if code != 200 or kind == "error":
        status = "SENSITIVE_WORD_ERROR" if code in _CONTENT_CODES else "GENERATE_AUDIO_FAILED"
        return MusicRecord(
            task_id=task_id, status=status, error_code=code, error_message=_message(body)
        )
    stage = _MUSIC_STAGES.get(str(kind))
    if stage is None:
        raise APIResponseValidationError(f"unknown callbackType {kind!r}", body=body)
    tracks = structure(data.get("data") or [], tuple[Track, ...], what="callback tracks")
    return MusicRecord(
        task_id=task_id,
        status=stage,
        response=MusicResponse(task_id=task_id, suno_data=tracks),
    )


def _lyrics(body: Mapping[str, Any], task_id: str) -> Record:
    code = _code(body)
    data = _data(body)
    if code != 200 or data.get("callbackType") == "error":
        return LyricsRecord(
            task_id=task_id,
            status="GENERATE_LYRICS_FAILED",
            error_code=code,
            error_message=_message(body),
        )
    items = structure(data.get("data") or [], tuple[LyricsVariant, ...], what="lyrics")
    return LyricsRecord(
        task_id=task_id, status="SUCCESS", response=LyricsResponse(task_id=task_id, data=items)
    )


def _flag_failure(cls: type[Any], failed: str) -> Callable[[Mapping[str, Any], str], Record]:
    def build(body: Mapping[str, Any], task_id: str) -> Record:
        record: Record = cls(
            task_id=task_id,
            success_flag=failed,
            error_code=_code(body),
            error_message=_message(body),
        )
        return record

    return build


def _wav(body: Mapping[str, Any], task_id: str) -> Record:
    if _code(body) != 200:
        return _flag_failure(WavRecord, "GENERATE_WAV_FAILED")(body, task_id)
    url = structure(_data(body).get("audioWavUrl") or "", str)
    response = WavResponse(audio_wav_url=url)
    return WavRecord(task_id=task_id, success_flag="SUCCESS", response=response)


#: The separation result key: kie's English pages, then sunoapi.org and kie's Chinese pages.
_SEPARATION_KEYS: Final = ("vocal_separation_info", "vocal_removal_info")


def _vocal(body: Mapping[str, Any], task_id: str) -> Record:
    if _code(body) != 200:
        return _flag_failure(VocalRemovalRecord, "GENERATE_AUDIO_FAILED")(body, task_id)
    data = _data(body)
    info: object = next((data[k] for k in _SEPARATION_KEYS if isinstance(data.get(k), Mapping)), {})
    stems = structure(info, StemsResponse, what="separation result")
    return VocalRemovalRecord(task_id=task_id, success_flag="SUCCESS", response=stems)


def _voice(body: Mapping[str, Any], task_id: str) -> Record:
    # {code, msg, data: {taskId, voiceId, status, errorCode, errorMessage}}
    record = structure({**_data(body), "taskId": task_id}, VoiceRecord, what="voice callback")
    return _voice_failure(body, record)


def _voice_validate(body: Mapping[str, Any], task_id: str) -> Record:
    # {code, msg, data: {taskId, validateInfo, status, errorCode, errorMessage}}
    record = structure(
        {**_data(body), "taskId": task_id}, VoiceValidateRecord, what="voice callback"
    )
    return _voice_failure(body, record)


def _voice_failure(body: Mapping[str, Any], record: VoiceRecord | VoiceValidateRecord) -> Record:
    """A failing ``code`` without a status of its own becomes ``fail`` with the reason."""
    code = _code(body)
    if code == 200:
        return record
    return attrs.evolve(
        record,
        status=record.status if record.status.endswith("fail") else "fail",
        error_code=record.error_code if record.error_code is not None else code,
        error_message=record.error_message or _message(body),
    )


def _mp4(body: Mapping[str, Any], task_id: str) -> Record:
    if _code(body) != 200:
        return _flag_failure(Mp4Record, "GENERATE_MP4_FAILED")(body, task_id)
    url = structure(_data(body).get("video_url") or "", str)
    return Mp4Record(task_id=task_id, success_flag="SUCCESS", response=Mp4Response(video_url=url))


def _midi(body: Mapping[str, Any], task_id: str) -> Record:
    if _code(body) != 200:
        return _flag_failure(MidiRecord, "3")(body, task_id)
    midi = structure(_data(body), MidiData)
    return MidiRecord(task_id=task_id, success_flag="1", midi_data=midi)


def _cover(body: Mapping[str, Any], task_id: str) -> Record:
    if _code(body) != 200:
        return _flag_failure(CoverArtRecord, "3")(body, task_id)
    images = structure(_data(body).get("images") or [], tuple[str, ...])
    return CoverArtRecord(task_id=task_id, success_flag="1", response=ImagesResponse(images=images))


def _recovery(body: Mapping[str, Any], task_id: str) -> Record:
    # Same shape as the record-info reply: top-level code, task_id, msg, data[].
    return structure({**body, "task_id": task_id}, RecoveryRecord)


_PARSERS: Final[Mapping[str, Callable[[Mapping[str, Any], str], Record]]] = {
    "music": _music,
    "lyrics": _lyrics,
    "wav": _wav,
    "vocal_removal": _vocal,
    "mp4": _mp4,
    "midi": _midi,
    "cover_art": _cover,
    "recovery": _recovery,
    "voice": _voice,
    "voice_validate": _voice_validate,
}


def parse_callback(kind: str, body: object) -> Record:
    """The record a callback of job ``kind`` describes.

    Raises :class:`APIResponseValidationError` for a body that is not a callback.
    """
    if not isinstance(body, Mapping):
        raise APIResponseValidationError("callback body is not a JSON object", body=body)
    task_id = callback_task_id(body)
    if task_id is None:
        raise APIResponseValidationError("callback has no task id", body=body)
    parser = _PARSERS.get(kind)
    if parser is None:
        raise APIResponseValidationError(f"no callback parser for {kind!r}", body=body)
    return parser(body, task_id)
