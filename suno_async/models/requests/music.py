"""Music-creating requests: generate, covers, extensions, add-*, replace, mashup, sounds,
and lyrics (REFERENCE §5, §6.6).

>>> from suno_async.models.requests import GenerateRequest
>>> GenerateRequest(custom_mode=True, instrumental=True, style="ambient", title="Drift",
...                 model="V5_5", duration=90).to_wire()["duration"]
90
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs

from ..._validation import Checks, enum_or_raw, tuple_of
from ...limits import (
    DURATION_RANGE,
    LYRICS_PROMPT_MAX_WORDS,
    MASHUP_URL_COUNT,
    NON_CUSTOM_PROMPT_MAX,
    REPLACE_DECIMALS,
    REPLACE_MAX_SHARE,
    REPLACE_SECTION_LIMITS,
    REPLACE_WINDOW,
    SOUND_TEMPO_RANGE,
    SOUNDS_PROMPT_MAX,
    VARIETY_RANGE,
    custom_limits,
)
from ..enums import Model, PersonaModel, SoundKey
from ._base import (
    LOCAL,
    Endpoint,
    MusicOptions,
    TaskRequest,
    check_persona,
    decimals,
    finite,
    int_range,
    model_name,
    positive,
    to_model,
    to_persona_model,
)

__all__ = [
    "AddInstrumentalRequest",
    "AddVocalsRequest",
    "ExtendRequest",
    "GenerateRequest",
    "LyricsRequest",
    "MashupRequest",
    "ReplaceSectionRequest",
    "SoundsRequest",
    "UploadCoverRequest",
    "UploadExtendRequest",
    "check_mode_fields",
]


_to_sound_key_raw: Any = enum_or_raw(SoundKey)


def _to_sound_key(value: object) -> Any:
    """attrs converter: a known SoundKey value becomes the member; anything else stays."""
    return _to_sound_key_raw(value)


def _music(name: str, path: str) -> Endpoint:
    return Endpoint(name=name, path=path, kind="music", paid=True, callback=True)


_NON_CUSTOM_EMPTY = (
    "style",
    "title",
    "negative_tags",
    "vocal_gender",
    "style_weight",
    "weirdness_constraint",
    "audio_weight",
    "persona_id",
    "persona_model",
    "duration",
)


def check_mode_fields(
    checks: Checks,
    *,
    endpoint: str,
    custom_mode: bool,
    instrumental: bool,
    model: Model | str,
    prompt: str | None,
    style: str | None,
    title: str | None,
    values: dict[str, object],
    non_custom_max: int = NON_CUSTOM_PROMPT_MAX,
) -> None:
    """The custom-mode / instrumental rules shared by generate, upload-cover and mashup."""
    if custom_mode:
        why = "in custom mode (custom_mode=True)"
        checks.required("style", style, why)
        checks.required("title", title, why)
        if not instrumental:
            checks.required(
                "prompt",
                prompt,
                "in custom mode with vocals (the lyrics); or set instrumental=True",
            )
        limits = custom_limits(endpoint, model)
        context = f"for {model_name(model)} in custom mode"
        checks.max_chars("prompt", prompt, limits.prompt, context)
        checks.max_chars("style", style, limits.style, context)
        checks.max_chars("title", title, limits.title, context)
    else:
        checks.required("prompt", prompt, "in non-custom mode (custom_mode=False)")
        checks.max_chars("prompt", prompt, non_custom_max, "in non-custom mode")
        for name, value in values.items():
            checks.empty(
                name,
                value,
                "leave empty in non-custom mode; set custom_mode=True to use it",
            )


def _check_duration(request: Any, checks: Checks, custom_mode: bool) -> None:
    """``duration``: integer seconds, custom mode, the host's models and endpoints."""
    value = request.duration
    if value is None or checks.failed("duration"):
        return
    rules = request.rules
    label = request.endpoint.replace("_", "-")
    if request.endpoint not in rules.duration_endpoints:
        checks.add("duration", f"not taken by {label} on {rules.name}; leave it out")
        return
    if not custom_mode:
        return  # reported by the non-custom rules
    if request.model not in rules.duration_models:
        names = ", ".join(sorted(m.value for m in rules.duration_models))
        checks.add(
            "duration",
            f"only with model {names} on {rules.name}, not {model_name(request.model)}",
        )
        return
    low, high = DURATION_RANGE
    int_range(checks, "duration", value, low, high, " seconds")


def _check_extra(request: Any, checks: Checks, field: str, feature: str) -> None:
    """A newer host-specific field: a problem where the host does not take it."""
    value = getattr(request, field)
    if value is None or request.rules.allows(request.endpoint, feature):
        return
    label = request.endpoint.replace("_", "-")
    checks.add(
        field,
        f"not taken by {label} on {request.rules.name} (sunoapi.org only: host='sunoapi'); "
        "leave it out",
    )


@attrs.frozen(kw_only=True)
class GenerateRequest(MusicOptions):
    """Text to music: two tracks per request (``POST /api/v1/generate``).

    Non-custom mode (the default) takes only ``prompt`` (at most 500 characters);
    custom mode needs ``style`` and ``title``, plus ``prompt`` as the exact lyrics
    unless ``instrumental``. ``persona_model`` says what ``persona_id`` is (a persona
    or a Suno Voice). ``duration`` (10-360 s, custom mode) is taken with V5_5 (and the
    V6 family on sunoapi.org). On sunoapi.org (``host="sunoapi"``) non-custom mode may
    also carry ``style`` and reference URLs (``image_urls``, ``audio_urls``,
    ``video_urls``).

    >>> GenerateRequest(custom_mode=True, instrumental=True, style="ambient",
    ...                 title="Drift").to_wire()["prompt"]
    ''
    """

    spec: ClassVar[Endpoint] = _music("generate", "/api/v1/generate")

    prompt: str | None = None
    custom_mode: bool = False
    instrumental: bool = False
    model: Model | str = attrs.field(default=Model.V5, converter=to_model)
    style: str | None = None
    title: str | None = None
    persona_id: str | None = None
    persona_model: PersonaModel | None = attrs.field(default=None, converter=to_persona_model)
    duration: int | None = None
    image_urls: tuple[str, ...] | None = attrs.field(default=None, converter=tuple_of)
    audio_urls: tuple[str, ...] | None = attrs.field(default=None, converter=tuple_of)
    video_urls: tuple[str, ...] | None = attrs.field(default=None, converter=tuple_of)

    def _check(self, checks: Checks) -> None:
        self.check_model(checks, self.model)
        rules = self.rules
        empty = dict.fromkeys(_NON_CUSTOM_EMPTY)
        for name in empty:
            empty[name] = getattr(self, name)
        if rules.allows(self.endpoint, "non_custom_style"):
            del empty["style"]
        check_mode_fields(
            checks,
            endpoint=self.endpoint,
            custom_mode=self.custom_mode,
            instrumental=self.instrumental,
            model=self.model,
            prompt=self.prompt,
            style=self.style,
            title=self.title,
            values=empty,
            non_custom_max=rules.prompt_max(self.model),
        )
        check_persona(checks, self.persona_id, self.persona_model)
        _check_duration(self, checks, self.custom_mode)
        for name in ("image_urls", "audio_urls", "video_urls"):
            _check_extra(self, checks, name, "references")
            for index, url in enumerate(getattr(self, name) or ()):
                checks.required_url(f"{name}[{index}]", url, "(a reference URL)")
        self._check_options(checks)

    def to_wire(self) -> dict[str, Any]:
        body = super().to_wire()
        # The schema lists ``prompt`` as required even where the prose does not need it.
        body.setdefault("prompt", "")
        return body


@attrs.frozen(kw_only=True)
class UploadCoverRequest(GenerateRequest):
    """Cover uploaded audio in a new style (``POST /api/v1/generate/upload-cover``).

    The same mode rules as :class:`GenerateRequest`, plus ``upload_url`` (audio of at
    most 8 minutes; 1 minute for V4_5ALL). Titles may be 100 characters for V4_5,
    V4_5PLUS and V5.
    """

    spec: ClassVar[Endpoint] = _music("upload_cover", "/api/v1/generate/upload-cover")

    upload_url: str | None = None

    def _check(self, checks: Checks) -> None:
        checks.required_url("upload_url", self.upload_url, "(the audio to cover)")
        super()._check(checks)


@attrs.frozen(kw_only=True)
class AddInstrumentalRequest(MusicOptions):
    """Accompaniment for a vocal stem (``POST /api/v1/generate/add-instrumental``).

    ``upload_url``, ``title``, ``tags`` (styles to include) and ``negative_tags``
    are required; ``model`` is V4_5PLUS (default), V5 or V5_5.
    """

    spec: ClassVar[Endpoint] = _music("add_instrumental", "/api/v1/generate/add-instrumental")

    upload_url: str | None = None
    title: str | None = None
    tags: str | None = None
    model: Model | str = attrs.field(default=Model.V4_5PLUS, converter=to_model)

    def _check(self, checks: Checks) -> None:
        why = "for add-instrumental"
        checks.required_url("upload_url", self.upload_url, "(the vocal or melody audio)")
        checks.required("title", self.title, why)
        checks.required("tags", self.tags, f"{why} (the styles to include)")
        checks.required("negative_tags", self.negative_tags, f"{why} (the styles to avoid)")
        self.check_model(checks, self.model)
        limits = custom_limits(self.endpoint, self.model)
        context = f"for {model_name(self.model)}"
        checks.max_chars("title", self.title, limits.title, context)
        checks.max_chars("tags", self.tags, limits.style, context)
        self._check_options(checks)


def _check_extend_params(
    checks: Checks,
    *,
    endpoint: str,
    flag: bool,
    instrumental: bool,
    model: Model | str,
    prompt: str | None,
    style: str | None,
    title: str | None,
    continue_at: float | None,
    continue_required: bool = False,
) -> None:
    """The ``defaultParamFlag`` rules shared by extend and upload-extend."""
    limits = custom_limits(endpoint, model)
    context = f"for {model_name(model)}"
    if flag:
        why = "with default_param_flag=True (custom parameters)"
        checks.required("style", style, why)
        checks.required("title", title, why)
        if not instrumental:
            checks.required("prompt", prompt, f"{why}: the lyrics of the extension")
        if continue_at is None:
            checks.add("continue_at", f"required {why}: the second to continue from")
    else:
        why = (
            "inherited from the source with default_param_flag=False; "
            "set default_param_flag=True to use it"
        )
        checks.empty("style", style, why)
        checks.empty("title", title, why)
    if continue_required and continue_at is None:
        checks.add(
            "continue_at",
            "required for upload-extend (the live API fails every call without it): "
            "the second of the uploaded audio to continue from",
        )
    checks.max_chars("prompt", prompt, limits.prompt, context)
    checks.max_chars("style", style, limits.style, context)
    checks.max_chars("title", title, limits.title, context)
    positive(checks, "continue_at", continue_at, "seconds into the source audio")


@attrs.frozen(kw_only=True)
class ExtendRequest(MusicOptions):
    """Extend a generated track (``POST /api/v1/generate/extend``).

    ``audio_id`` names the track. With ``default_param_flag=False`` (the default) the
    extension inherits the source's parameters; with ``True`` it needs ``style``,
    ``title``, ``continue_at`` (seconds, > 0 and before the end of the source) and
    ``prompt`` (the lyrics). ``model`` must be the source track's model.

    >>> ExtendRequest(audio_id="e231-...", model="V4_5").to_wire()["defaultParamFlag"]
    False
    >>> ExtendRequest(audio_id="a", default_param_flag=True, style="rock",
    ...               title="More", prompt="[Outro] la la", continue_at=60).to_wire()["continueAt"]
    60
    """

    spec: ClassVar[Endpoint] = _music("extend", "/api/v1/generate/extend")

    audio_id: str | None = None
    default_param_flag: bool = False
    model: Model | str = attrs.field(default=Model.V5, converter=to_model)
    prompt: str | None = None
    style: str | None = None
    title: str | None = None
    continue_at: float | None = None
    persona_id: str | None = None
    persona_model: PersonaModel | None = attrs.field(default=None, converter=to_persona_model)

    def _check(self, checks: Checks) -> None:
        checks.required("audio_id", self.audio_id, "(the track to extend)")
        self.check_model(checks, self.model)
        _check_extend_params(
            checks,
            endpoint=self.endpoint,
            flag=self.default_param_flag,
            instrumental=False,
            model=self.model,
            prompt=self.prompt,
            style=self.style,
            title=self.title,
            continue_at=self.continue_at,
        )
        check_persona(checks, self.persona_id, self.persona_model)
        self._check_options(checks)


@attrs.frozen(kw_only=True)
class UploadExtendRequest(MusicOptions):
    """Extend uploaded audio (``POST /api/v1/generate/upload-extend``).

    ``upload_url`` is the audio (at most 8 minutes; 1 minute for V4_5ALL) and
    ``continue_at`` the second to continue from: documented as optional, but every
    live call without it fails, so it is required here. With
    ``default_param_flag=False`` (the default) ``prompt`` is needed too; with ``True``,
    ``style`` and ``title``, plus ``prompt`` unless ``instrumental``. ``instrumental``
    is always sent (the live API refuses a null).

    >>> UploadExtendRequest(upload_url="https://x.test/a.mp3", prompt="keep going",
    ...                     continue_at=30).to_wire()["instrumental"]
    False
    """

    spec: ClassVar[Endpoint] = _music("upload_extend", "/api/v1/generate/upload-extend")

    upload_url: str | None = None
    default_param_flag: bool = False
    instrumental: bool = False
    model: Model | str = attrs.field(default=Model.V5, converter=to_model)
    prompt: str | None = None
    style: str | None = None
    title: str | None = None
    continue_at: float | None = None
    persona_id: str | None = None
    persona_model: PersonaModel | None = attrs.field(default=None, converter=to_persona_model)

    def _check(self, checks: Checks) -> None:
        checks.required_url("upload_url", self.upload_url, "(the audio to extend)")
        self.check_model(checks, self.model)
        if not self.default_param_flag:
            checks.required(
                "prompt", self.prompt, "with default_param_flag=False (describe the extension)"
            )
        _check_extend_params(
            checks,
            endpoint=self.endpoint,
            flag=self.default_param_flag,
            instrumental=self.instrumental,
            model=self.model,
            prompt=self.prompt,
            style=self.style,
            title=self.title,
            continue_at=self.continue_at,
            continue_required=True,
        )
        check_persona(checks, self.persona_id, self.persona_model)
        self._check_options(checks)


@attrs.frozen(kw_only=True)
class AddVocalsRequest(MusicOptions):
    """Sing over an instrumental (``POST /api/v1/generate/add-vocals``).

    ``upload_url``, ``prompt`` (the lyrics), ``title``, ``style`` and ``negative_tags``
    are required; ``model`` is V4_5PLUS (default), V5 or V5_5.

    >>> AddVocalsRequest(upload_url="https://x.test/beat.mp3", prompt="[Verse] hi",
    ...                  title="Hi", style="pop", negative_tags="metal").to_wire()["model"]
    'V4_5PLUS'
    """

    spec: ClassVar[Endpoint] = _music("add_vocals", "/api/v1/generate/add-vocals")

    upload_url: str | None = None
    prompt: str | None = None
    title: str | None = None
    style: str | None = None
    model: Model | str = attrs.field(default=Model.V4_5PLUS, converter=to_model)

    def _check(self, checks: Checks) -> None:
        why = "for add-vocals"
        checks.required_url("upload_url", self.upload_url, "(the instrumental audio)")
        checks.required("prompt", self.prompt, f"{why} (the lyrics to sing)")
        checks.required("title", self.title, why)
        checks.required("style", self.style, why)
        checks.required("negative_tags", self.negative_tags, f"{why} (the styles to avoid)")
        self.check_model(checks, self.model)
        limits = custom_limits(self.endpoint, self.model)
        context = f"for {model_name(self.model)}"
        checks.max_chars("prompt", self.prompt, limits.prompt, context)
        checks.max_chars("title", self.title, limits.title, context)
        checks.max_chars("style", self.style, limits.style, context)
        self._check_options(checks)


@attrs.frozen(kw_only=True)
class ReplaceSectionRequest(TaskRequest):
    """Regenerate a time window of a track (``POST /api/v1/generate/replace-section``).

    Needs ``prompt`` (the new lines for the window), ``tags``, ``title``,
    ``full_lyrics`` (the whole song's lyrics after the change; the live API refuses
    the call without it) and the window ``infill_start_s`` < ``infill_end_s``
    (seconds, >= 0, 2 decimals, 6 to 60 s long). Give ``source_duration`` (seconds;
    never sent) when you know it: the window must then end within the source and
    cover at most half of it. The source is either a generated track (``task_id`` +
    ``audio_id``) or uploaded audio (``upload_url`` + ``model``): exactly one of the two.

    >>> ReplaceSectionRequest(task_id="t1", audio_id="a1", prompt="new line",
    ...     tags="pop", title="T", full_lyrics="...", infill_start_s=10,
    ...     infill_end_s=25.5).to_wire()["infillEndS"]
    25.5
    """

    spec: ClassVar[Endpoint] = _music("replace_section", "/api/v1/generate/replace-section")

    prompt: str | None = None
    tags: str | None = None
    title: str | None = None
    full_lyrics: str | None = None
    infill_start_s: float | None = None
    infill_end_s: float | None = None
    task_id: str | None = None
    audio_id: str | None = None
    upload_url: str | None = None
    model: Model | str | None = attrs.field(default=None, converter=to_model)
    negative_tags: str | None = None
    source_duration: float | None = attrs.field(default=None, metadata=LOCAL)

    def _check(self, checks: Checks) -> None:
        why = "for replace-section"
        checks.required("prompt", self.prompt, f"{why} (the new lyrics of the window)")
        checks.required("tags", self.tags, f"{why} (the style)")
        checks.required("title", self.title, why)
        checks.required("full_lyrics", self.full_lyrics, f"{why} (the whole song's lyrics)")
        limits = REPLACE_SECTION_LIMITS
        checks.max_chars("prompt", self.prompt, limits.prompt, why)
        checks.max_chars("full_lyrics", self.full_lyrics, limits.prompt, why)
        checks.max_chars("tags", self.tags, limits.style, why)
        checks.max_chars("title", self.title, limits.title, why)
        self._check_window(checks)
        self._check_source(checks)

    def _check_window(self, checks: Checks) -> None:
        start, end = self.infill_start_s, self.infill_end_s
        for name, value in (("infill_start_s", start), ("infill_end_s", end)):
            if value is None:
                checks.add(name, "required: the window to replace, in seconds")
            elif not finite(value) or value < 0:
                checks.add(name, f"must be a finite number >= 0 (seconds), got {value!r:.40}")
            else:
                decimals(checks, name, value, REPLACE_DECIMALS)
        positive(checks, "source_duration", self.source_duration, "the source's length")
        if start is None or end is None or checks.failed("infill_start_s"):
            return
        if checks.failed("infill_end_s"):
            return
        low, high = REPLACE_WINDOW
        length = round(end - start, 6)
        if end <= start:
            checks.add("infill_end_s", f"must be greater than infill_start_s ({start:g})")
        elif not low <= length <= high:
            checks.add(
                "infill_end_s",
                f"the window is {end - start:g} s; it must last {low:g} to {high:g} s",
            )
        elif self.source_duration is not None and not checks.failed("source_duration"):
            total = self.source_duration
            if end > total:
                checks.add(
                    "infill_end_s", f"must not exceed the source's length ({total:g} s)"
                )
            elif length > total * REPLACE_MAX_SHARE:
                checks.add(
                    "infill_end_s",
                    f"the window is {length:g} s; it may cover at most "
                    f"{REPLACE_MAX_SHARE:.0%} of the {total:g} s source",
                )

    def _check_source(self, checks: Checks) -> None:
        track_mode = self.task_id is not None or self.audio_id is not None
        upload_mode = self.upload_url is not None or self.model is not None
        if track_mode and upload_mode:
            given = [
                n
                for n in ("task_id", "audio_id", "upload_url", "model")
                if getattr(self, n) is not None
            ]
            checks.add(
                "upload_url" if self.upload_url is not None else "model",
                f"give either task_id + audio_id or upload_url + model, not both "
                f"(got {', '.join(given)})",
            )
            return
        if track_mode:
            checks.required("task_id", self.task_id, "with audio_id (the generated track)")
            checks.required("audio_id", self.audio_id, "with task_id (the generated track)")
        elif upload_mode:
            checks.required_url("upload_url", self.upload_url, "with model (the uploaded audio)")
            if self.model is None:
                checks.add("model", "required with upload_url (the model to render with)")
            else:
                self.check_model(checks, self.model)
        else:
            checks.add(
                "task_id",
                "required: give task_id + audio_id (a generated track) "
                "or upload_url + model (uploaded audio)",
            )


@attrs.frozen(kw_only=True)
class MashupRequest(MusicOptions):
    """Blend two uploaded tracks (``POST /api/v1/generate/mashup``).

    ``upload_url_list`` holds exactly two audio URLs. The mode rules are those of
    :class:`GenerateRequest`: non-custom mode takes only ``prompt``; custom mode needs
    ``style`` and ``title``, plus ``prompt`` (the lyrics) unless ``instrumental``.
    sunoapi.org (``host="sunoapi"``) also takes ``lyrics`` (wins over ``prompt``),
    ``variety`` (0-4), ``duration`` (10-360 s) and the V6 family.

    >>> MashupRequest(upload_url_list=["https://x.test/a.mp3", "https://x.test/b.mp3"],
    ...               prompt="blend them").to_wire()["uploadUrlList"][1]
    'https://x.test/b.mp3'
    """

    spec: ClassVar[Endpoint] = _music("mashup", "/api/v1/generate/mashup")

    upload_url_list: tuple[str, ...] = attrs.field(default=(), converter=tuple_of)
    prompt: str | None = None
    custom_mode: bool = False
    instrumental: bool = False
    model: Model | str = attrs.field(default=Model.V5, converter=to_model)
    style: str | None = None
    title: str | None = None
    persona_id: str | None = None
    persona_model: PersonaModel | None = attrs.field(default=None, converter=to_persona_model)
    lyrics: str | None = None
    variety: int | None = None
    duration: int | None = None

    def _check(self, checks: Checks) -> None:
        urls = self.upload_url_list
        if len(urls) != MASHUP_URL_COUNT:
            checks.add(
                "upload_url_list",
                f"must hold exactly {MASHUP_URL_COUNT} audio URLs, got {len(urls)}",
            )
        for index, url in enumerate(urls):
            field = f"upload_url_list[{index}]"
            if checks.required(field, url, "(an audio URL)"):
                checks.url(field, url)
        self.check_model(checks, self.model)
        _check_extra(self, checks, "lyrics", "lyrics")
        _check_extra(self, checks, "variety", "variety")
        prompt = self.prompt
        if self.lyrics is not None and not checks.failed("lyrics"):
            prompt = self.lyrics if prompt is None else prompt
            limits = custom_limits(self.endpoint, self.model)
            checks.max_chars("lyrics", self.lyrics, limits.prompt, "for mashup lyrics")
        low, high = VARIETY_RANGE
        int_range(checks, "variety", self.variety, low, high, "")
        check_mode_fields(
            checks,
            endpoint=self.endpoint,
            custom_mode=self.custom_mode,
            instrumental=self.instrumental,
            model=self.model,
            prompt=prompt,
            style=self.style,
            title=self.title,
            values={n: getattr(self, n) for n in _NON_CUSTOM_EMPTY},
            non_custom_max=self.rules.prompt_max(self.model),
        )
        check_persona(checks, self.persona_id, self.persona_model)
        _check_duration(self, checks, self.custom_mode)
        self._check_options(checks)


@attrs.frozen(kw_only=True)
class SoundsRequest(TaskRequest):
    """Sounds and loops (``POST /api/v1/generate/sounds``); results are music tracks.

    ``prompt`` (at most 500 characters) is required; ``model`` is V5 or V5_5.
    ``sound_loop`` makes a seamless loop, ``sound_tempo`` is BPM (1-300),
    ``sound_key`` a :class:`SoundKey` (default ``Any``), ``grab_lyrics`` captures
    lyric subtitles.

    >>> SoundsRequest(prompt="rain on a tin roof", sound_tempo=90,
    ...               sound_key="F#m").to_wire()["soundKey"]
    'F#m'
    """

    spec: ClassVar[Endpoint] = _music("sounds", "/api/v1/generate/sounds")

    prompt: str | None = None
    model: Model | str = attrs.field(default=Model.V5, converter=to_model)
    sound_loop: bool = False
    sound_tempo: int | None = None
    sound_key: SoundKey | None = attrs.field(default=None, converter=_to_sound_key)
    grab_lyrics: bool = False

    def _check(self, checks: Checks) -> None:
        checks.required("prompt", self.prompt, "for sounds (describe the sound)")
        checks.max_chars("prompt", self.prompt, SOUNDS_PROMPT_MAX, "for sounds")
        self.check_model(checks, self.model)
        low, high = SOUND_TEMPO_RANGE
        int_range(checks, "sound_tempo", self.sound_tempo, low, high, " BPM")


@attrs.frozen(kw_only=True)
class LyricsRequest(TaskRequest):
    """Lyrics only, normally two variants (``POST /api/v1/lyrics``).

    ``prompt`` describes the song, in at most 200 words.

    >>> LyricsRequest(prompt="a song about a quiet city night").to_wire()["prompt"]
    'a song about a quiet city night'
    """

    spec: ClassVar[Endpoint] = Endpoint(
        name="lyrics", path="/api/v1/lyrics", kind="lyrics", paid=True, callback=True
    )

    prompt: str | None = None

    def _check(self, checks: Checks) -> None:
        if checks.required("prompt", self.prompt, "for lyrics (describe the song)"):
            words = len(str(self.prompt).split())
            if words > LYRICS_PROMPT_MAX_WORDS:
                checks.add(
                    "prompt",
                    f"{words} words, at most {LYRICS_PROMPT_MAX_WORDS} allowed; shorten it",
                )
