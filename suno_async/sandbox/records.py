"""Wire shapes: record-info ``data`` objects and callback bodies, per task family.

Music records follow the live replies (REFERENCE §6.1, §7.4, §10): ``response`` is null until
the text stage, ``param`` is a JSON string, ``createTime`` is epoch ms (in callbacks too),
``type`` is the model code name. Track contents per stage (§7.4): at TEXT_SUCCESS every track
has its stream and image URLs, ``audioUrl: ""`` and ``duration: null``; at FIRST_SUCCESS track 1
is complete (audio URL, duration) and track 2 still has stream/image only; the ``first``
callback lists both. Callbacks follow §8, with the host differences of ``providers``.
"""

from __future__ import annotations

from typing import Any

from . import media
from .tasks import Phase, Task, Track

FAILURE_PHASES = frozenset(
    {Phase.FAILED, Phase.CREATE_FAILED, Phase.SENSITIVE, Phase.CALLBACK_EXCEPTION_EARLY}
)

_COMMON_STRINGS = {
    Phase.QUEUED: "QUEUED_FOR_RENDER",
    Phase.PENDING: "PENDING",
    Phase.GENERATING: "PENDING",
    Phase.SUCCESS: "SUCCESS",
    Phase.CREATE_FAILED: "CREATE_TASK_FAILED",
    Phase.CALLBACK_EXCEPTION: "CALLBACK_EXCEPTION",
    Phase.CALLBACK_EXCEPTION_EARLY: "CALLBACK_EXCEPTION",
}
MUSIC_STATUS = {
    **_COMMON_STRINGS,
    Phase.TEXT: "TEXT_SUCCESS",
    Phase.FIRST: "FIRST_SUCCESS",
    Phase.FAILED: "GENERATE_AUDIO_FAILED",
    Phase.SENSITIVE: "SENSITIVE_WORD_ERROR",
}
LYRICS_STATUS = {
    **_COMMON_STRINGS,
    Phase.FAILED: "GENERATE_LYRICS_FAILED",
    Phase.SENSITIVE: "SENSITIVE_WORD_ERROR",
}
WAV_FLAG = {
    **_COMMON_STRINGS,
    Phase.FAILED: "GENERATE_WAV_FAILED",
    Phase.SENSITIVE: "GENERATE_WAV_FAILED",
}
VOCAL_FLAG = {
    **_COMMON_STRINGS,
    Phase.FAILED: "GENERATE_AUDIO_FAILED",
    Phase.SENSITIVE: "GENERATE_AUDIO_FAILED",
}
MP4_FLAG = {
    **_COMMON_STRINGS,
    Phase.FAILED: "GENERATE_MP4_FAILED",
    Phase.SENSITIVE: "GENERATE_MP4_FAILED",
}
MIDI_FLAG = {
    Phase.QUEUED: 4,
    Phase.PENDING: 0,
    Phase.SUCCESS: 1,
    Phase.CALLBACK_EXCEPTION: 1,
    Phase.CREATE_FAILED: 2,
    Phase.FAILED: 3,
    Phase.SENSITIVE: 3,
    Phase.CALLBACK_EXCEPTION_EARLY: 3,
}
COVER_FLAG = {
    Phase.QUEUED: 4,
    Phase.PENDING: 0,
    Phase.GENERATING: 2,
    Phase.SUCCESS: 1,
    Phase.CALLBACK_EXCEPTION: 1,
    Phase.CREATE_FAILED: 3,
    Phase.FAILED: 3,
    Phase.SENSITIVE: 3,
    Phase.CALLBACK_EXCEPTION_EARLY: 3,
}
STRING_FLAGS = {"wav": WAV_FLAG, "vocal": VOCAL_FLAG, "mp4": MP4_FLAG}
VOICE_FAMILIES = frozenset({"voice_validate", "voice"})

SEPARATE_STEMS = ("Vocals", "Instrumental")
SPLIT_STEMS = (
    "Vocals",
    "Backing Vocals",
    "Drums",
    "Bass",
    "Guitar",
    "Keyboard",
    "Percussion",
    "Strings",
    "Synth",
    "FX",
    "Brass",
    "Woodwinds",
)
_STEM_KEYS = {
    "Vocals": "vocal",
    "Instrumental": "instrumental",
    "Backing Vocals": "backing_vocals",
    "Drums": "drums",
    "Bass": "bass",
    "Guitar": "guitar",
    "Keyboard": "keyboard",
    "Percussion": "percussion",
    "Strings": "strings",
    "Synth": "synth",
    "FX": "fx",
    "Brass": "brass",
    "Woodwinds": "woodwinds",
}
_RECORD_STEM_KEYS = (
    "instrumentalUrl",
    "vocalUrl",
    "backingVocalsUrl",
    "drumsUrl",
    "bassUrl",
    "guitarUrl",
    "pianoUrl",
    "keyboardUrl",
    "percussionUrl",
    "stringsUrl",
    "synthUrl",
    "fxUrl",
    "brassUrl",
    "woodwindsUrl",
)


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(p.title() for p in rest)


# --- URLs ---------------------------------------------------------------------------------


def track_urls(base: str, audio_id: str) -> dict[str, str]:
    return {
        "audio": f"{base}/files/audio/{audio_id}.wav",
        "source_audio": f"{base}/files/source-audio/{audio_id}.wav",
        "stream": f"{base}/files/stream/{audio_id}.wav",
        "source_stream": f"{base}/files/source-stream/{audio_id}.wav",
        "image": f"{base}/files/image/{audio_id}.png",
        "source_image": f"{base}/files/source-image/{audio_id}.png",
    }


def stem_url(base: str, task_id: str, stem: str) -> str:
    return f"{base}/files/stem/{task_id}_{stem.replace(' ', '_')}.wav"


def wav_url(task: Task) -> str:
    return f"{task.base_url}/files/wav/{task.task_id}.wav"


def video_url(task: Task) -> str:
    return f"{task.base_url}/files/video/{task.task_id}.mp4"


def cover_urls(task: Task) -> list[str]:
    return [f"{task.base_url}/files/cover/{task.task_id}_{i}.png" for i in range(task.images)]


# --- music --------------------------------------------------------------------------------


def _readiness(task: Task, phase: Phase) -> list[int]:
    """Per track: 0 = text only, 1 = stream + image, 2 = complete (REFERENCE §7.4)."""
    n = len(task.tracks)
    if phase.has_results:
        return [2] * n
    if phase is Phase.FIRST:
        return [2] + [1] * (n - 1)
    if phase is Phase.TEXT:
        return [1] * n
    return [0] * n


def _track_fields(task: Task, track: Track, level: int) -> dict[str, Any]:
    urls = track_urls(task.base_url, track.id)
    ready = level >= 2
    streaming = level >= 1
    return {
        "id": track.id,
        "audio": urls["audio"] if ready else "",
        "source_audio": urls["source_audio"] if ready else "",
        "stream": urls["stream"] if streaming else "",
        "source_stream": urls["source_stream"] if streaming else "",
        "image": urls["image"] if streaming else "",
        "source_image": urls["source_image"] if streaming else "",
    }


def music_track(task: Task, track: Track, level: int) -> dict[str, Any]:
    """A ``sunoData`` item (camelCase)."""
    f = _track_fields(task, track, level)
    item: dict[str, Any] = {
        "id": track.id,
        "audioUrl": f["audio"],
        "sourceAudioUrl": f["source_audio"],
        "streamAudioUrl": f["stream"],
        "sourceStreamAudioUrl": f["source_stream"],
        "imageUrl": f["image"],
        "sourceImageUrl": f["source_image"],
        "prompt": track.prompt,
        "modelName": track.model_name,
        "title": track.title,
        "tags": track.tags,
        "createTime": track.create_ms,
        "duration": track.duration if level >= 2 else None,
    }
    return item


_SOURCE_CALLBACK_OPS = frozenset({"upload_cover", "upload_extend", "mashup"})


def callback_track(task: Task, track: Track, level: int) -> dict[str, Any]:
    """A callback item (snake_case; ``createTime`` stays camelCase and is epoch-ms, as live).

    A track that is not complete has ``audio_url: ""`` and neither ``source_audio_url`` nor
    ``duration`` (the live ``first`` callback, REFERENCE §7.4)."""
    f = _track_fields(task, track, level)
    sources = (
        task.operation in _SOURCE_CALLBACK_OPS or task.provider.callback_sources_always
    )
    item: dict[str, Any] = {"id": track.id, "audio_url": f["audio"]}
    if sources and level >= 2:
        item["source_audio_url"] = f["source_audio"]
    item["stream_audio_url"] = f["stream"]
    if sources:
        item["source_stream_audio_url"] = f["source_stream"]
    item["image_url"] = f["image"]
    if sources:
        item["source_image_url"] = f["source_image"]
    item.update(
        prompt=track.prompt,
        model_name=track.model_name,
        title=track.title,
        tags=track.tags,
        createTime=track.create_ms,
    )
    if level >= 2:
        item["duration"] = track.duration
    return item


def music_record(task: Task, now: float) -> dict[str, Any]:
    phase = task.phase(now)
    response: dict[str, Any] | None = None
    if phase in (Phase.TEXT, Phase.FIRST) or phase.has_results:
        levels = _readiness(task, phase)
        response = {
            "taskId": task.task_id,
            "sunoData": [
                music_track(task, t, lv) for t, lv in zip(task.tracks, levels, strict=True)
            ],
        }
    elif phase in FAILURE_PHASES and task.reached(Phase.TEXT, now):
        response = {"taskId": task.task_id, "sunoData": [], "errorMessage": task.error_message}
    failed = phase in FAILURE_PHASES or phase is Phase.CALLBACK_EXCEPTION
    return {
        "taskId": task.task_id,
        "parentMusicId": task.parent_music_id,
        "param": task.param,
        "response": response,
        "status": MUSIC_STATUS[phase],
        "type": task.tracks[0].model_name if task.tracks else task.model,
        "operationType": task.operation,
        "errorCode": task.error_code if failed else None,
        "errorMessage": task.error_message if failed else None,
        "createTime": task.create_ms,
    }


_MUSIC_MSGS = {
    "text": "Text generation completed.",
    "first": "First audio generated successfully.",
    "complete": "All generated successfully.",
}


def music_callback(task: Task, phase: Phase) -> dict[str, Any] | None:
    replace = task.operation == "replace_section"
    if phase in FAILURE_PHASES:
        data: dict[str, Any] = {"callbackType": "error", "task_id": task.task_id}
        if replace:
            data["error"] = task.error_message
        else:
            data["data"] = []
        return {"code": task.error_code or 500, "msg": task.error_message, "data": data}
    kind = {Phase.TEXT: "text", Phase.FIRST: "first"}.get(phase)
    if phase.has_results:
        kind = "complete"
    if kind is None or (replace and kind != "complete"):
        return None
    levels = _readiness(task, phase)
    if kind == "text":
        items: list[dict[str, Any]] = []
    elif kind == "first":  # live: both items, the second with stream/image only
        items = [callback_track(task, t, lv) for t, lv in zip(task.tracks, levels, strict=True)]
    else:
        items = [callback_track(task, t, 2) for t in task.tracks]
    return {
        "code": 200,
        "msg": _MUSIC_MSGS[kind],
        "data": {"callbackType": kind, "task_id": task.task_id, "data": items},
    }


# --- other families -----------------------------------------------------------------------


def _error_fields(task: Task, phase: Phase) -> tuple[int | None, str | None]:
    if phase in FAILURE_PHASES:
        return task.error_code, task.error_message
    return None, None


def lyrics_record(task: Task, now: float) -> dict[str, Any]:
    phase = task.phase(now)
    code, message = _error_fields(task, phase)
    response = None
    if phase.has_results:
        response = {
            "taskId": task.task_id,
            "data": [
                {"text": text, "title": title, "status": "complete", "errorMessage": ""}
                for title, text in task.texts
            ],
        }
    return {
        "taskId": task.task_id,
        "param": task.param,
        "response": response,
        "status": LYRICS_STATUS[phase],
        "type": "LYRICS",
        "errorCode": code,
        "errorMessage": message,
        "createTime": task.create_ms,
    }


def lyrics_callback(task: Task, phase: Phase) -> dict[str, Any] | None:
    """kie: ``data.task_id`` + items' ``error_message``; sunoapi.org: ``taskId`` /
    ``errorMessage`` (REFERENCE §8.2)."""
    id_key, error_key = task.provider.lyrics_id_key, task.provider.lyrics_error_key
    if phase in FAILURE_PHASES:
        return {
            "code": task.error_code or 400,
            "msg": "Lyrics generation failed",
            "data": {"callbackType": "error", id_key: task.task_id, "data": None},
        }
    if not phase.has_results:
        return None
    items = [
        {error_key: "", "status": "complete", "text": text, "title": title}
        for title, text in task.texts
    ]
    return {
        "code": 200,
        "msg": "All generated successfully.",
        "data": {"callbackType": "complete", id_key: task.task_id, "data": items},
    }


def stems(task: Task) -> tuple[str, ...]:
    if task.variant == "split_stem_advanced":
        return advanced_parts(task.stem_name)
    return SPLIT_STEMS if task.variant == "split_stem" else SEPARATE_STEMS


def advanced_parts(stem: str) -> tuple[str, str]:
    """``split_stem_advanced``: the extracted stem and the rest of the mix without it."""
    return stem, f"No {stem}"


def _advanced_pair(task: Task) -> list[dict[str, Any]]:
    """``origin_data[]`` / ``originData[]`` of ``split_stem_advanced``: one ``{extract, remove}``
    pair with snake_case item keys in record-info and callbacks alike (REFERENCE §6.8, §8.4)."""
    extract, remove = advanced_parts(task.stem_name)
    parts = {}
    for role, name, origin in (
        ("extract", extract, task.origin_ids[0]),
        ("remove", remove, task.origin_ids[1]),
    ):
        parts[role] = {
            "audio_url": stem_url(task.base_url, task.task_id, name),
            "stem_type_group_name": name,
            "id": origin,
            "duration": task.source_duration,
        }
    return [parts]


def vocal_response(task: Task) -> dict[str, Any]:
    names = stems(task)
    resp: dict[str, Any] = {"id": None, "originUrl": None}
    if task.variant == "split_stem_advanced":
        resp["originData"] = _advanced_pair(task)
        for key in _RECORD_STEM_KEYS:
            resp[key] = None
        return resp
    resp["originData"] = [
        {
            "duration": task.source_duration,
            "audio_url": stem_url(task.base_url, task.task_id, name),
            "stem_type_group_name": name,
            "id": origin,
        }
        for name, origin in zip(names, task.origin_ids, strict=True)
    ]
    for key in _RECORD_STEM_KEYS:
        resp[key] = None
    for name in names:
        resp[_camel(_STEM_KEYS[name] + "_url")] = stem_url(task.base_url, task.task_id, name)
    return resp


def derived_record(task: Task, now: float) -> dict[str, Any]:
    """wav / vocal-removal / mp4 record-info ``data`` (``successFlag`` strings)."""
    phase = task.phase(now)
    code, message = _error_fields(task, phase)
    done = phase.has_results
    response: dict[str, Any] | None = None
    if done:
        if task.family == "wav":
            response = {"audioWavUrl": wav_url(task)}
        elif task.family == "mp4":
            response = {"videoUrl": video_url(task)}
        else:
            response = vocal_response(task)
    return {
        "taskId": task.task_id,
        "musicId": task.audio_id,
        "callbackUrl": task.callback_url,
        "musicIndex": task.music_index,
        "completeTime": task.complete_ms() if phase.terminal else None,
        "response": response,
        "successFlag": STRING_FLAGS[task.family][phase],
        "createTime": task.create_ms,
        "errorCode": code,
        "errorMessage": message,
    }


def derived_callback(task: Task, phase: Phase) -> dict[str, Any] | None:
    failed = phase in FAILURE_PHASES
    if not failed and not phase.has_results:
        return None
    code = (task.error_code or 400) if failed else 200
    if task.family == "wav":
        msg = task.error_message if failed else "success"
        data: dict[str, Any] = {
            "audioWavUrl": None if failed else wav_url(task),
            "task_id": task.task_id,
        }
    elif task.family == "mp4":
        msg = task.error_message if failed else "MP4 generated successfully."
        data = {"task_id": task.task_id, "video_url": None if failed else video_url(task)}
    else:
        # The result key is per host (kie EN: vocal_separation_info; sunoapi.org / kie CN:
        # vocal_removal_info); split_stem_advanced uses vocal_removal_info.origin_data[]
        # with {extract, remove} pairs (REFERENCE §8.4).
        p = task.provider
        msg = task.error_message if failed else p.separation_msg
        info: dict[str, Any] | None = None
        key = p.separation_key
        if task.variant == "split_stem_advanced":
            key = "vocal_removal_info"
            if not failed:
                info = {"origin_url": "", "origin_data": _advanced_pair(task)}
        elif not failed:
            info = {"origin_url": ""}
            for name in stems(task):
                info[_STEM_KEYS[name] + "_url"] = stem_url(task.base_url, task.task_id, name)
        data = {"task_id": task.task_id, key: info}
    return {"code": code, "msg": msg, "data": data}


def midi_data(task: Task, seed: int) -> dict[str, Any]:
    return {"state": "complete", "instruments": media.midi_instruments(task.task_id, seed)}


def midi_record(task: Task, now: float, seed: int) -> dict[str, Any]:
    phase = task.phase(now)
    code, message = _error_fields(task, phase)
    return {
        "taskId": task.task_id,
        "recordTaskId": -1,
        "audioId": task.audio_id,
        "callbackUrl": task.callback_url,
        "completeTime": task.complete_ms() if phase.terminal else None,
        "midiData": midi_data(task, seed) if phase.has_results else None,
        "successFlag": MIDI_FLAG[phase],
        "createTime": task.create_ms,
        "errorCode": code,
        "errorMessage": message,
    }


def midi_callback(task: Task, phase: Phase, seed: int) -> dict[str, Any] | None:
    if phase in FAILURE_PHASES:
        return {
            "task_id": task.task_id,
            "code": task.error_code or 501,
            "msg": task.error_message,
            "data": None,
        }
    if not phase.has_results:
        return None
    return {"task_id": task.task_id, "code": 200, "msg": "success", "data": midi_data(task, seed)}


def cover_record(task: Task, now: float) -> dict[str, Any]:
    phase = task.phase(now)
    code, message = _error_fields(task, phase)
    return {
        "taskId": task.task_id,
        "parentTaskId": task.source_task_id,
        "callbackUrl": task.callback_url,
        "completeTime": task.complete_ms() if phase.terminal else None,
        "response": {"images": cover_urls(task)} if phase.has_results else None,
        "successFlag": COVER_FLAG[phase],
        "createTime": task.create_ms,
        "errorCode": code,
        "errorMessage": message,
    }


def cover_callback(task: Task, phase: Phase) -> dict[str, Any] | None:
    if phase in FAILURE_PHASES:
        return {
            "code": task.error_code or 501,
            "msg": "Cover generation failed",
            "data": {"taskId": task.task_id, "images": None},
        }
    if not phase.has_results:
        return None
    return {
        "code": 200,
        "msg": "success",
        "data": {"taskId": task.task_id, "images": cover_urls(task)},
    }


# --- recovery (REFERENCE §6.13): top-level {code, task_id, msg, data} ---------------------

RECOVERY_ERRORS = (
    "no_audio_id_mappings",
    "account_missing",
    "get_tokens_failed",
    "feed_failed",
    "clip_error",
    "clip_not_complete",
    "mango_transfer_failed",
)
RECOVERY_MSGS = {
    201: "Recovery in progress",
    200: "success",
    500: "All tracks failed to recover",
}


def recovered_url(task: Task, audio_id: str) -> str:
    """The fresh link of a recovered track (serves the track's WAV)."""
    return f"{task.base_url}/files/recovered/{task.task_id}_{audio_id}.wav"


def recovery_items(task: Task) -> list[dict[str, Any]]:
    """``data[]``: one item per source track, in the source's order."""
    return [
        {
            "id": audio_id,
            "audio_url": recovered_url(task, audio_id) if error is None else "",
            "title": title,
            "status": "success" if error is None else "failed",
            "error": error,
        }
        for audio_id, title, error in task.recovered
    ]


def recovery_code(phase: Phase) -> int:
    """201 running, 200 at least one track recovered, 500 every track failed."""
    if not phase.terminal:
        return 201
    return 200 if phase.has_results else 500


def recovery_record(task: Task, now: float) -> dict[str, Any]:
    """The whole record-info reply (this family has no ``{code, msg, data}`` envelope)."""
    code = recovery_code(task.phase(now))
    return {
        "code": code,
        "task_id": task.task_id,
        "msg": RECOVERY_MSGS[code],
        "data": None if code == 201 else recovery_items(task),
    }


def recovery_callback(task: Task, phase: Phase) -> dict[str, Any] | None:
    if not phase.terminal:
        return None
    code = recovery_code(phase)
    return {
        "code": code,
        "msg": RECOVERY_MSGS[code],
        "task_id": task.task_id,
        "data": recovery_items(task),
    }


# --- Suno Voice (REFERENCE §6.14, §7.3): camelCase ``taskId``, string ``status`` -------------

VALIDATE_STATUS = {
    Phase.QUEUED: "wait_processing",
    Phase.PENDING: "wait_processing",
    Phase.GENERATING: "processing_validate",
    Phase.SUCCESS: "wait_validating",  # the verification phrase is ready to be recorded
    Phase.CALLBACK_EXCEPTION: "wait_validating",
    Phase.FAILED: "processing_validate_fail",
    Phase.CREATE_FAILED: "processing_validate_fail",
    Phase.SENSITIVE: "processing_validate_fail",
    Phase.CALLBACK_EXCEPTION_EARLY: "processing_validate_fail",
}
VOICE_STATUS = {
    Phase.QUEUED: "wait_processing",
    Phase.PENDING: "wait_processing",
    Phase.GENERATING: "wait_processing",
    Phase.SUCCESS: "success",
    Phase.CALLBACK_EXCEPTION: "success",
    Phase.FAILED: "fail",
    Phase.CREATE_FAILED: "fail",
    Phase.SENSITIVE: "fail",
    Phase.CALLBACK_EXCEPTION_EARLY: "fail",
}


def voice_record(task: Task, now: float, phase: Phase | None = None) -> dict[str, Any]:
    """``/voice/validate-info`` (validate tasks) or ``/voice/record-info`` (voice tasks)."""
    phase = task.phase(now) if phase is None else phase
    code, message = _error_fields(task, phase)
    data: dict[str, Any] = {"taskId": task.task_id}
    if task.family == "voice_validate":
        data["validateInfo"] = task.voice_id if phase.has_results else None
        data["status"] = VALIDATE_STATUS[phase]
    else:
        data["voiceId"] = task.voice_id if phase.has_results else None
        data["status"] = VOICE_STATUS[phase]
    data.update(errorCode=code, errorMessage=message)
    return data


def voice_callback(task: Task, phase: Phase) -> dict[str, Any] | None:
    failed = phase in FAILURE_PHASES
    if not failed and not phase.has_results:
        return None
    data = voice_record(task, 0.0, phase)
    if failed:
        return {"code": task.error_code or 501, "msg": task.error_message, "data": data}
    return {"code": 200, "msg": "success", "data": data}


def callback_body(task: Task, phase: Phase, seed: int) -> dict[str, Any] | None:
    """The callback POSTed when ``task`` enters ``phase`` (None: no callback for that phase)."""
    if task.family == "music":
        return music_callback(task, phase)
    if task.family == "lyrics":
        return lyrics_callback(task, phase)
    if task.family == "midi":
        return midi_callback(task, phase, seed)
    if task.family == "cover":
        return cover_callback(task, phase)
    if task.family == "recovery":
        return recovery_callback(task, phase)
    if task.family in VOICE_FAMILIES:
        return voice_callback(task, phase)
    return derived_callback(task, phase)


def record(task: Task, now: float, seed: int) -> dict[str, Any]:
    """The record-info ``data`` of ``task`` at loop time ``now`` (recovery: the whole reply)."""
    if task.family == "music":
        return music_record(task, now)
    if task.family == "lyrics":
        return lyrics_record(task, now)
    if task.family == "midi":
        return midi_record(task, now, seed)
    if task.family == "cover":
        return cover_record(task, now)
    if task.family == "recovery":
        return recovery_record(task, now)
    if task.family in VOICE_FAMILIES:
        return voice_record(task, now)
    return derived_record(task, now)
