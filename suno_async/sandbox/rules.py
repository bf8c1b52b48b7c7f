"""Request validation, written from the provider docs (REFERENCE §3, §5, §6 and the seeds).

Independent of the client's own limit tables on purpose. Failures raise ``Invalid`` carrying
the API's body code and message: missing ``callBackUrl`` -> 422 ``"Please enter callBackUrl."``,
missing booleans -> 400 ``"<field> cannot be null"``, anything else -> 422 naming the field
and the limit.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlsplit

#: Models the legacy music endpoints accept (seeds + older and mid docs).
#: (REFERENCE §3.1: V5_5 live-accepted on kie legacy generate; V6 family only where the host has
#: it: ``v6=True`` adds it, for the sunoapi.org profile.)
MUSIC_MODELS = ("V3_5", "V4", "V4_5", "V4_5PLUS", "V4_5ALL", "V5", "V5_5")
V6_MODELS = ("V6", "V6_WILD", "V6_MINI")
ADD_MODELS = ("V4_5PLUS", "V5", "V5_5")
SOUNDS_MODELS = ("V5", "V5_5")
MASHUP_MODELS = ("V4", "V4_5", "V4_5PLUS", "V4_5ALL", "V5", "V5_5")
REPLACE_MODELS = ("V4", "V4_5", "V4_5PLUS", "V4_5ALL", "V5", "V5_5")
PERSONA_MODELS = ("style_persona", "voice_persona")
SONG_DURATION = (10, 360)

#: (prompt, style, title) maximum characters in custom mode. Title is the permissive reading:
#: 100 for V4_5 / V4_5PLUS / V5 / V5_5 (upload-cover seed), 80 otherwise.
LIMITS: dict[str, tuple[int, int, int]] = {
    "V3_5": (3000, 200, 80),
    "V4": (3000, 200, 80),
    "V4_5": (5000, 1000, 100),
    "V4_5PLUS": (5000, 1000, 100),
    "V4_5ALL": (5000, 1000, 80),
    "V5": (5000, 1000, 100),
    "V5_5": (5000, 1000, 100),
    "V6": (5000, 1000, 80),
    "V6_WILD": (5000, 1000, 80),
    "V6_MINI": (5000, 1000, 80),
}
NON_CUSTOM_PROMPT = 500
SOUNDS_PROMPT = 500
LYRICS_WORDS = 200
MP4_TEXT = 50
REPLACE_WINDOW = (6.0, 60.0)
PERSONA_WINDOW = (10.0, 30.0)

SOUND_KEYS = (
    "Any",
    "Cm",
    "C#m",
    "Dm",
    "D#m",
    "Em",
    "Fm",
    "F#m",
    "Gm",
    "G#m",
    "Am",
    "A#m",
    "Bm",
    "C",
    "C#",
    "D",
    "D#",
    "E",
    "F",
    "F#",
    "G",
    "G#",
    "A",
    "A#",
    "B",
)
VOCAL_TYPES = ("separate_vocal", "split_stem", "split_stem_advanced")
VOICE_LANGUAGES = ("en", "zh", "es", "fr", "pt", "de", "ja", "ko", "hi", "ru")
SINGER_LEVELS = ("beginner", "intermediate", "advanced", "professional")

#: Model -> the code name the API reports as ``type`` / ``modelName``.
MODEL_CODENAMES = {
    "V3_5": "chirp-v3-5",
    "V4": "chirp-v4",
    "V4_5": "chirp-auk",
    "V4_5PLUS": "chirp-bluejay",
    "V4_5ALL": "chirp-auk-turbo",
    "V5": "chirp-crow",
    "V5_5": "chirp-fenix",
    "V6": "chirp-v6",
    "V6_WILD": "chirp-v6-wild",
    "V6_MINI": "chirp-v6-mini",
}

MISSING_CALLBACK = "Please enter callBackUrl."


class Invalid(Exception):
    """A rejected request: HTTP 200 with body ``{code, msg, data}``."""

    def __init__(self, code: int, msg: str, data: Any = None) -> None:
        super().__init__(msg)
        self.code = code
        self.msg = msg
        self.data = data


Body = dict[str, Any]


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def is_http_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def unreachable(value: Any) -> bool:
    """A URL the sandbox treats as one the provider cannot fetch: an ``http(s)`` URL on the
    reserved ``.invalid`` domain (RFC 2606), e.g. ``https://nowhere.invalid/a.mp3``.

    The live API accepts such URLs at submit and fails the task later (REFERENCE §10 item 4);
    the sandbox never reaches the internet, so every other well-formed URL counts as fetched.
    """
    if not is_http_url(value):
        return False
    host = (urlsplit(value).hostname or "").rstrip(".")
    return host == "invalid" or host.endswith(".invalid")


def callback_url(body: Body) -> str:
    """Checked first on every async create, as the live API does."""
    value = body.get("callBackUrl")
    if _missing(value):
        raise Invalid(422, MISSING_CALLBACK)
    if not is_http_url(value):
        raise Invalid(422, "callBackUrl must be a valid http(s) URL")
    assert isinstance(value, str)
    return value


def req_str(body: Body, name: str) -> str:
    value = body.get(name)
    if _missing(value):
        raise Invalid(422, f"Please enter {name}.")
    if not isinstance(value, str):
        raise Invalid(422, f"{name} must be a string")
    return value


def opt_str(body: Body, name: str, limit: int | None = None, what: str = "") -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid(422, f"{name} must be a string")
    if limit is not None:
        max_len(name, value, limit, what)
    return value


def req_bool(body: Body, name: str) -> bool:
    value = body.get(name)
    if value is None:
        raise Invalid(400, f"{name} cannot be null")
    if not isinstance(value, bool):
        raise Invalid(422, f"{name} must be a boolean")
    return value


def opt_bool(body: Body, name: str, default: bool = False) -> bool:
    value = body.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise Invalid(422, f"{name} must be a boolean")
    return value


def req_url(body: Body, name: str) -> str:
    value = req_str(body, name)
    if not is_http_url(value):
        raise Invalid(422, f"{name} must be a valid http(s) URL")
    return value


def max_len(name: str, value: str, limit: int, what: str = "") -> None:
    if len(value) > limit:
        suffix = f" {what}" if what else ""
        raise Invalid(
            422,
            f"{name} exceeds the maximum length of {limit} characters{suffix} (got {len(value)})",
        )


def model(body: Body, allowed: tuple[str, ...], default: str | None = None) -> str:
    value = body.get("model")
    if _missing(value):
        if default is not None:
            return default
        raise Invalid(422, "Please enter model.")
    if value not in allowed:
        raise Invalid(422, f"model must be one of {', '.join(allowed)}")
    assert isinstance(value, str)
    return value


def number(body: Body, name: str, *, required: bool = False) -> float | None:
    value = body.get(name)
    if value is None:
        if required:
            raise Invalid(422, f"Please enter {name}.")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(422, f"{name} must be a number")
    if isinstance(value, int) and abs(value) > 10**15:
        raise Invalid(422, f"{name} is out of range")
    if not math.isfinite(value):
        raise Invalid(422, f"{name} must be a number")
    return float(value)


def _weight(body: Body, name: str) -> None:
    value = number(body, name)
    if value is None:
        return
    if not 0.0 <= value <= 1.0 or abs(value * 100 - round(value * 100)) > 1e-6:
        raise Invalid(422, f"{name} must be between 0 and 1 with at most 2 decimal places")


def common_optional(body: Body) -> None:
    """negativeTags, vocalGender, styleWeight, weirdnessConstraint, audioWeight, personaId."""
    opt_str(body, "negativeTags", 1000)
    gender = body.get("vocalGender")
    if gender is not None and gender not in ("m", "f"):
        raise Invalid(422, "vocalGender must be 'm' or 'f'")
    for name in ("styleWeight", "weirdnessConstraint", "audioWeight"):
        _weight(body, name)
    opt_str(body, "personaId")
    persona_model = body.get("personaModel")
    if persona_model is not None and persona_model not in PERSONA_MODELS:
        raise Invalid(422, f"personaModel must be one of {', '.join(PERSONA_MODELS)}")
    duration = body.get("duration")
    low, high = SONG_DURATION
    if duration is not None and (
        isinstance(duration, bool) or not isinstance(duration, int) or not low <= duration <= high
    ):
        raise Invalid(422, f"duration must be an integer between {low} and {high} seconds")


def music_models(v6: bool, base: tuple[str, ...] = MUSIC_MODELS) -> tuple[str, ...]:
    """``base``, plus the V6 family where the host has it."""
    return base + V6_MODELS if v6 else base


def custom_fields(
    body: Body, model_name: str, custom: bool, instrumental: bool, *, prompt_needed: bool = True
) -> None:
    """The customMode / instrumental rules of generate, upload-cover and mashup.

    ``prompt_needed=False`` (mashup): the non-custom prompt is not enforced at submit (live
    leniency, REFERENCE §5.8)."""
    p_lim, s_lim, t_lim = LIMITS[model_name]
    what = f"for model {model_name}"
    if custom:
        style = req_str(body, "style")
        title = req_str(body, "title")
        max_len("style", style, s_lim, what)
        max_len("title", title, t_lim, what)
        if instrumental:
            opt_str(body, "prompt", p_lim, what)
        else:
            max_len("prompt", req_str(body, "prompt"), p_lim, what)
    elif prompt_needed or not _missing(body.get("prompt")):
        max_len("prompt", req_str(body, "prompt"), NON_CUSTOM_PROMPT, "in non-custom mode")
    common_optional(body)


# --- music family -------------------------------------------------------------------------


def generate(body: Body, v6: bool = False) -> str:
    callback_url(body)
    custom = req_bool(body, "customMode")
    instrumental = req_bool(body, "instrumental")
    m = model(body, music_models(v6))
    custom_fields(body, m, custom, instrumental)
    return m


def upload_cover(body: Body, v6: bool = False) -> str:
    callback_url(body)
    req_url(body, "uploadUrl")
    custom = req_bool(body, "customMode")
    instrumental = req_bool(body, "instrumental")
    m = model(body, music_models(v6))
    custom_fields(body, m, custom, instrumental)
    return m


def _extend_fields(body: Body, m: str, instrumental: bool) -> float:
    p_lim, s_lim, t_lim = LIMITS[m]
    what = f"for model {m}"
    max_len("style", req_str(body, "style"), s_lim, what)
    max_len("title", req_str(body, "title"), t_lim, what)
    if instrumental:
        opt_str(body, "prompt", p_lim, what)
    else:
        max_len("prompt", req_str(body, "prompt"), p_lim, what)
    at = number(body, "continueAt", required=True)
    assert at is not None
    if at <= 0:
        raise Invalid(422, "continueAt must be greater than 0")
    return at


def extend(body: Body, v6: bool = False) -> tuple[str, bool, float | None]:
    """Returns (model, defaultParamFlag, continueAt)."""
    callback_url(body)
    flag = req_bool(body, "defaultParamFlag")
    req_str(body, "audioId")
    m = model(body, music_models(v6))
    at: float | None = None
    if flag:
        at = _extend_fields(body, m, opt_bool(body, "instrumental"))
    else:
        opt_str(body, "prompt", LIMITS[m][0], f"for model {m}")
    common_optional(body)
    return m, flag, at


def upload_extend(body: Body, v6: bool = False) -> tuple[str, bool]:
    """Returns (model, whether ``continueAt`` was sent).

    Live leniencies (REFERENCE §5.4): ``defaultParamFlag: true`` without ``style`` / ``title``
    is accepted at submit; ``continueAt`` is documented optional but "every call without it
    fails upstream", so a task without it is accepted and fails later (the caller's choice)."""
    callback_url(body)
    req_url(body, "uploadUrl")
    flag = req_bool(body, "defaultParamFlag")
    instrumental = req_bool(body, "instrumental")
    m = model(body, music_models(v6))
    p_lim, s_lim, t_lim = LIMITS[m]
    what = f"for model {m}"
    opt_str(body, "style", s_lim, what)
    opt_str(body, "title", t_lim, what)
    if flag and instrumental:
        opt_str(body, "prompt", p_lim, what)
    else:
        max_len("prompt", req_str(body, "prompt"), p_lim, what)
    at = number(body, "continueAt")
    if at is not None and at <= 0:
        raise Invalid(422, "continueAt must be greater than 0")
    common_optional(body)
    return m, at is not None


def add_instrumental(body: Body) -> str:
    callback_url(body)
    req_str(body, "negativeTags")  # live: 422 "Please enter negativeTags." (REFERENCE §5.5)
    req_url(body, "uploadUrl")
    m = model(body, ADD_MODELS, default="V4_5PLUS")
    max_len("title", req_str(body, "title"), LIMITS[m][2], f"for model {m}")
    max_len("tags", req_str(body, "tags"), LIMITS[m][1], f"for model {m}")
    common_optional(body)
    return m


def add_vocals(body: Body) -> str:
    callback_url(body)
    req_url(body, "uploadUrl")
    m = model(body, ADD_MODELS, default="V4_5PLUS")
    p_lim, s_lim, t_lim = LIMITS[m]
    what = f"for model {m}"
    max_len("prompt", req_str(body, "prompt"), p_lim, what)
    max_len("title", req_str(body, "title"), t_lim, what)
    max_len("style", req_str(body, "style"), s_lim, what)
    req_str(body, "negativeTags")
    common_optional(body)
    return m


def replace_section(body: Body) -> tuple[str | None, float, float]:
    """Returns (model or None for the taskId+audioId mode, start, end)."""
    callback_url(body)
    if _missing(body.get("fullLyrics")):
        raise Invalid(422, "fullLyrics cannot be blank")  # live (REFERENCE §5.7)
    max_len("prompt", req_str(body, "prompt"), 5000)
    max_len("tags", req_str(body, "tags"), 1000)
    max_len("title", req_str(body, "title"), 100)
    start = number(body, "infillStartS", required=True)
    end = number(body, "infillEndS", required=True)
    assert start is not None
    assert end is not None
    if start < 0:
        raise Invalid(422, "infillStartS must be greater than or equal to 0")
    if end <= start:
        raise Invalid(422, "infillEndS must be greater than infillStartS")
    low, high = REPLACE_WINDOW
    if not low <= end - start <= high:
        raise Invalid(
            422, f"infillEndS - infillStartS must be between {low:g} and {high:g} seconds"
        )
    req_str(body, "fullLyrics")  # a non-string is still refused
    opt_str(body, "negativeTags", 1000)
    if not _missing(body.get("taskId")) or not _missing(body.get("audioId")):
        req_str(body, "taskId")
        req_str(body, "audioId")
        return None, start, end
    if _missing(body.get("uploadUrl")):
        raise Invalid(422, "Please enter taskId and audioId, or uploadUrl and model.")
    req_url(body, "uploadUrl")
    return model(body, REPLACE_MODELS), start, end


def mashup(body: Body, v6: bool = False) -> str:
    callback_url(body)
    urls = body.get("uploadUrlList")
    if urls is None:
        raise Invalid(422, "Please enter uploadUrlList.")
    if not isinstance(urls, list) or len(urls) != 2:
        raise Invalid(422, "uploadUrlList must contain exactly 2 URLs")
    if not all(is_http_url(u) for u in urls):
        raise Invalid(422, "uploadUrlList must contain valid http(s) URLs")
    custom = req_bool(body, "customMode")
    instrumental = opt_bool(body, "instrumental")
    m = model(body, music_models(v6, MASHUP_MODELS))
    custom_fields(body, m, custom, instrumental, prompt_needed=False)
    return m


def sounds(body: Body) -> str:
    callback_url(body)
    max_len("prompt", req_str(body, "prompt"), SOUNDS_PROMPT)
    m = model(body, SOUNDS_MODELS)
    opt_bool(body, "soundLoop")
    opt_bool(body, "grabLyrics")
    tempo = body.get("soundTempo")
    if tempo is not None and (
        isinstance(tempo, bool) or not isinstance(tempo, int) or not 1 <= tempo <= 300
    ):
        raise Invalid(422, "soundTempo must be an integer between 1 and 300")
    key = body.get("soundKey")
    if key is not None and key not in SOUND_KEYS:
        raise Invalid(422, f"soundKey must be one of {', '.join(SOUND_KEYS)}")
    return m


# --- other families -----------------------------------------------------------------------


def lyrics(body: Body) -> str:
    callback_url(body)
    prompt = req_str(body, "prompt")
    if len(prompt.split()) > LYRICS_WORDS:
        raise Invalid(422, f"prompt exceeds the maximum length of {LYRICS_WORDS} words")
    return prompt


def task_and_audio(body: Body, *, callback: bool = True) -> tuple[str, str]:
    """wav, vocal removal, mp4, timestamped lyrics: ``taskId`` + ``audioId``."""
    if callback:
        callback_url(body)
    return req_str(body, "taskId"), req_str(body, "audioId")


def vocal_removal(body: Body) -> tuple[tuple[str, str] | str, str, str | None]:
    """Returns (``(taskId, audioId)`` or the uploaded ``audioUrl``, type, stemName).

    Source: either ``taskId`` + ``audioId`` or ``audioUrl`` (oneOf, never both);
    ``stemName`` is required for ``split_stem_advanced`` (REFERENCE §6.8)."""
    callback_url(body)
    kind = body.get("type")
    if kind is None:
        kind = "separate_vocal"
    if not isinstance(kind, str) or kind not in VOCAL_TYPES:
        raise Invalid(422, f"type must be one of {', '.join(VOCAL_TYPES)}")
    stem: str | None = None
    if kind == "split_stem_advanced":
        stem = req_str(body, "stemName")
    has_ids = not _missing(body.get("taskId")) or not _missing(body.get("audioId"))
    has_url = not _missing(body.get("audioUrl"))
    if has_ids and has_url:
        raise Invalid(422, "Please send either taskId and audioId, or audioUrl, not both.")
    if has_url:
        return req_url(body, "audioUrl"), kind, stem
    return (req_str(body, "taskId"), req_str(body, "audioId")), kind, stem


def midi(body: Body) -> tuple[str, str | None]:
    callback_url(body)
    task_id = req_str(body, "taskId")
    return task_id, opt_str(body, "audioId") or None


def mp4(body: Body) -> tuple[str, str]:
    ids = task_and_audio(body)
    opt_str(body, "author", MP4_TEXT)
    opt_str(body, "domainName", MP4_TEXT)
    return ids


def cover(body: Body) -> str:
    callback_url(body)
    return req_str(body, "taskId")


def recovery(body: Body, id_field: str, needs_callback: bool) -> tuple[str, str]:
    """(source music task id, callback URL or "") of a recovery create (REFERENCE §6.13).

    kie: ``{"task_id"}``, callback optional (``callBackUrl`` or ``call_back_url``);
    sunoapi.org: ``{"sunoTaskId", "callBackUrl"}``, both required."""
    if needs_callback:
        url = callback_url(body)
    else:
        url = ""
        for name in ("callBackUrl", "call_back_url"):
            value = body.get(name)
            if not _missing(value):
                if not is_http_url(value):
                    raise Invalid(422, f"{name} must be a valid http(s) URL")
                url = str(value)
                break
    return req_str(body, id_field), url


def download_url(body: Body) -> str:
    return req_str(body, "url")


# --- Suno Voice (REFERENCE §6.14) ---------------------------------------------------------


def _opt_callback(body: Body, name: str = "callBackUrl") -> str:
    value = body.get(name)
    if _missing(value):
        return ""
    if not is_http_url(value):
        raise Invalid(422, f"{name} must be a valid http(s) URL")
    return str(value)


def voice_validate(body: Body) -> tuple[str, float, float, str]:
    """(voiceUrl, vocalStartS, vocalEndS, callback URL or "")."""
    url = req_url(body, "voiceUrl")
    start = number(body, "vocalStartS", required=True)
    end = number(body, "vocalEndS", required=True)
    assert start is not None
    assert end is not None
    if start < 0 or end <= start:
        raise Invalid(422, "vocalEndS must be greater than vocalStartS (both >= 0)")
    language = body.get("language")
    if language is not None and language not in VOICE_LANGUAGES:
        raise Invalid(422, f"language must be one of {', '.join(VOICE_LANGUAGES)}")
    return url, start, end, _opt_callback(body)


def voice_generate(body: Body) -> tuple[str, str, str]:
    """(validate taskId, verifyUrl, callback URL or "")."""
    task_id = req_str(body, "taskId")
    verify = req_url(body, "verifyUrl")
    for name in ("voiceName", "description", "style"):
        opt_str(body, name, 1000)
    level = body.get("singerSkillLevel")
    if level is not None and level not in SINGER_LEVELS:
        raise Invalid(422, f"singerSkillLevel must be one of {', '.join(SINGER_LEVELS)}")
    return task_id, verify, _opt_callback(body)


def voice_regenerate(body: Body) -> tuple[str, str]:
    """(taskId, callback URL): the docs spell it ``calBackUrl``; ``callBackUrl`` is taken too."""
    task_id = req_str(body, "taskId")
    url = _opt_callback(body, "calBackUrl") or _opt_callback(body)
    return task_id, url


def check_voice(body: Body) -> str:
    return req_str(body, "task_id")


def style_boost(body: Body) -> str:
    return req_str(body, "content")


def persona(body: Body) -> tuple[str, str, float, float]:
    task_id, audio_id = task_and_audio(body, callback=False)
    req_str(body, "name")
    req_str(body, "description")
    opt_str(body, "style")
    start = number(body, "vocalStart")
    end = number(body, "vocalEnd")
    start = 0.0 if start is None else start
    end = 30.0 if end is None else end
    low, high = PERSONA_WINDOW
    if start < 0 or not low <= end - start <= high:
        raise Invalid(422, f"vocalEnd - vocalStart must be between {low:g} and {high:g} seconds")
    return task_id, audio_id, start, end
