"""Request objects: frozen attrs classes that validate themselves on construction.

Every rule of the provider's pages is checked locally; a request that breaks any rule
raises one :class:`~suno_async.errors.RequestValidationError` listing every problem
with its field path, and nothing is sent.

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

import math
from typing import Any, ClassVar
from urllib.parse import urlsplit

import attrs

from .._convert import unstructure_request
from .._validation import Checks, check_types, enum_or_raw, tuple_of
from ..limits import (
    ENDPOINT_MODELS,
    LYRICS_PROMPT_MAX_WORDS,
    MASHUP_URL_COUNT,
    MP4_TEXT_MAX,
    NON_CUSTOM_PROMPT_MAX,
    PERSONA_DEFAULT_WINDOW,
    PERSONA_WINDOW,
    REPLACE_DECIMALS,
    REPLACE_SECTION_LIMITS,
    REPLACE_WINDOW,
    SOUND_TEMPO_RANGE,
    SOUNDS_PROMPT_MAX,
    STYLE_BOOST_MAX,
    UPLOAD_FILE_NAME_MAX,
    custom_limits,
)
from .enums import Model, SeparationType, SoundKey, VocalGender

__all__ = [
    "AddInstrumentalRequest",
    "AddVocalsRequest",
    "Base64UploadRequest",
    "CoverArtRequest",
    "DownloadUrlRequest",
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
    "TimestampedLyricsRequest",
    "UploadCoverRequest",
    "UploadExtendRequest",
    "UploadRequest",
    "UrlUploadRequest",
    "WavRequest",
]

_to_model = enum_or_raw(Model)
_to_gender = enum_or_raw(VocalGender)
_to_sound_key_raw = enum_or_raw(SoundKey)
_to_separation_raw = enum_or_raw(SeparationType)


def _to_sound_key(value: object) -> Any:
    return _to_sound_key_raw(value)


def _to_separation(value: object) -> Any:
    return _to_separation_raw(value)


def _model(value: object) -> Any:
    """A known model name becomes a :class:`Model`; anything else is kept (checked later)."""
    return _to_model(value)


def _gender(value: object) -> Any:
    return _to_gender(value)


@attrs.frozen(kw_only=True)
class Request:
    """Base of every request: validation on construction and the camelCase wire body.

    Subclasses set ``path`` (the endpoint), ``endpoint`` (its name in messages and
    limit tables) and ``kind`` (the job kind it creates, or ``None`` for an
    immediate call), and add their rules in ``_check``.
    """

    path: ClassVar[str] = ""
    endpoint: ClassVar[str] = "request"
    kind: ClassVar[str | None] = None
    #: Whether the API needs a ``callBackUrl`` (task-creating endpoints).
    needs_callback: ClassVar[bool] = False

    def __attrs_post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise :class:`RequestValidationError` listing every problem, if any."""
        checks = Checks()
        check_types(self, checks)
        typed_ok = not checks.problems
        try:
            self._check(checks)
            self._check_common(checks)
        except (TypeError, ValueError, AttributeError):
            if typed_ok:
                raise
            # a field of the wrong type already reported; rules that need it are skipped
        checks.raise_if_any(self.endpoint)

    def _check(self, checks: Checks) -> None:
        """Add this request's rules (override)."""

    def _check_common(self, checks: Checks) -> None:
        """Rules of a family of requests, run after ``_check`` (override in bases)."""

    def to_wire(self) -> dict[str, Any]:
        """The JSON body, camelCase, with unset fields left out."""
        return unstructure_request(self)


def _redact_url(value: object) -> str:
    """``repr`` of a callback URL without its path and query (they may hold a secret token).

    >>> _redact_url("https://bot.example.com/suno-async/callback/s3cr3t")
    "'https://bot.example.com/...'"
    """
    if not isinstance(value, str):
        return repr(value)
    try:
        parts = urlsplit(value)
    except ValueError:
        return "'...'"
    return repr(f"{parts.scheme}://{parts.netloc}/...")


@attrs.frozen(kw_only=True)
class TaskRequest(Request):
    """A request that creates a task: it carries ``call_back_url``, which the client
    fills in (your webhook receiver, your configured URL, or a documented placeholder).
    """

    needs_callback: ClassVar[bool] = True

    call_back_url: str | None = attrs.field(default=None, repr=_redact_url)

    def _check_common(self, checks: Checks) -> None:
        checks.url("call_back_url", self.call_back_url)


@attrs.frozen(kw_only=True)
class MusicOptions(TaskRequest):
    """Optional fields shared by the music-generation family."""

    negative_tags: str | None = None
    vocal_gender: VocalGender | None = attrs.field(default=None, converter=_gender)
    style_weight: float | None = None
    weirdness_constraint: float | None = None
    audio_weight: float | None = None

    def _check_options(self, checks: Checks) -> None:
        for name in ("style_weight", "weirdness_constraint", "audio_weight"):
            checks.weight(name, getattr(self, name))


_NON_CUSTOM_EMPTY = (
    "style",
    "title",
    "negative_tags",
    "vocal_gender",
    "style_weight",
    "weirdness_constraint",
    "audio_weight",
    "persona_id",
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
        context = f"for {getattr(model, 'value', model)} in custom mode"
        checks.max_chars("prompt", prompt, limits.prompt, context)
        checks.max_chars("style", style, limits.style, context)
        checks.max_chars("title", title, limits.title, context)
    else:
        checks.required("prompt", prompt, "in non-custom mode (custom_mode=False)")
        checks.max_chars("prompt", prompt, NON_CUSTOM_PROMPT_MAX, "in non-custom mode")
        for name, value in values.items():
            checks.empty(
                name,
                value,
                "leave empty in non-custom mode; set custom_mode=True to use it",
            )


@attrs.frozen(kw_only=True)
class GenerateRequest(MusicOptions):
    """Text to music: two tracks per request (``POST /api/v1/generate``).

    Non-custom mode (the default) takes only ``prompt`` (at most 500 characters);
    custom mode needs ``style`` and ``title``, plus ``prompt`` as the exact lyrics
    unless ``instrumental``.

    >>> GenerateRequest(custom_mode=True, instrumental=True, style="ambient",
    ...                 title="Drift").to_wire()["prompt"]
    ''
    """

    path: ClassVar[str] = "/api/v1/generate"
    endpoint: ClassVar[str] = "generate"
    kind: ClassVar[str | None] = "music"

    prompt: str | None = None
    custom_mode: bool = False
    instrumental: bool = False
    model: Model | str = attrs.field(default=Model.V5, converter=_model)
    style: str | None = None
    title: str | None = None
    persona_id: str | None = None

    def _check(self, checks: Checks) -> None:
        checks.model("model", self.model, ENDPOINT_MODELS[self.endpoint], self.endpoint)
        check_mode_fields(
            checks,
            endpoint=self.endpoint,
            custom_mode=self.custom_mode,
            instrumental=self.instrumental,
            model=self.model,
            prompt=self.prompt,
            style=self.style,
            title=self.title,
            values={n: getattr(self, n) for n in _NON_CUSTOM_EMPTY},
        )
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

    path: ClassVar[str] = "/api/v1/generate/upload-cover"
    endpoint: ClassVar[str] = "upload_cover"

    upload_url: str | None = None

    def _check(self, checks: Checks) -> None:
        checks.required_url("upload_url", self.upload_url, "(the audio to cover)")
        super()._check(checks)


@attrs.frozen(kw_only=True)
class AddInstrumentalRequest(MusicOptions):
    """Accompaniment for a vocal stem (``POST /api/v1/generate/add-instrumental``).

    ``upload_url``, ``title``, ``tags`` (styles to include) and ``negative_tags``
    are required; ``model`` is V4_5PLUS (default) or V5.
    """

    path: ClassVar[str] = "/api/v1/generate/add-instrumental"
    endpoint: ClassVar[str] = "add_instrumental"
    kind: ClassVar[str | None] = "music"

    upload_url: str | None = None
    title: str | None = None
    tags: str | None = None
    model: Model | str = attrs.field(default=Model.V4_5PLUS, converter=_model)

    def _check(self, checks: Checks) -> None:
        why = "for add-instrumental"
        checks.required_url("upload_url", self.upload_url, "(the vocal or melody audio)")
        checks.required("title", self.title, why)
        checks.required("tags", self.tags, f"{why} (the styles to include)")
        checks.required("negative_tags", self.negative_tags, f"{why} (the styles to avoid)")
        checks.model("model", self.model, ENDPOINT_MODELS[self.endpoint], "add-instrumental")
        limits = custom_limits(self.endpoint, self.model)
        context = f"for {getattr(self.model, 'value', self.model)}"
        checks.max_chars("title", self.title, limits.title, context)
        checks.max_chars("tags", self.tags, limits.style, context)
        self._check_options(checks)


def fill_callback(request: Request, url: str) -> Request:
    """``request`` with ``call_back_url`` set to ``url`` when it has none."""
    if isinstance(request, TaskRequest) and request.call_back_url is None:
        return attrs.evolve(request, call_back_url=url)
    return request


# =====================================================================================
# The rest of the family (REFERENCE §5.2, §5.4, §5.6-§5.9 and §6).
# =====================================================================================


def _name(model: object) -> str:
    return str(getattr(model, "value", model))


def _finite(value: float) -> bool:
    """``math.isfinite`` that says False for an int too large for a float."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _decimals(checks: Checks, field: str, value: float | None, places: int) -> None:
    """``value`` has at most ``places`` decimal places (skipped when already failed)."""
    if value is None or checks.failed(field) or not _finite(value):
        return
    scaled = value * 10**places
    if abs(scaled - round(scaled)) > 1e-6:
        checks.add(field, f"at most {places} decimal places, got {value!r}")


def _positive(checks: Checks, field: str, value: float | None, what: str) -> None:
    if value is None or checks.failed(field):
        return
    if not (_finite(value) and value > 0):
        checks.add(field, f"must be a finite number greater than 0 ({what}), got {value!r:.40}")


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
) -> None:
    """The ``defaultParamFlag`` rules shared by extend and upload-extend."""
    limits = custom_limits(endpoint, model)
    context = f"for {_name(model)}"
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
    checks.max_chars("prompt", prompt, limits.prompt, context)
    checks.max_chars("style", style, limits.style, context)
    checks.max_chars("title", title, limits.title, context)
    _positive(checks, "continue_at", continue_at, "seconds into the source audio")


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

    path: ClassVar[str] = "/api/v1/generate/extend"
    endpoint: ClassVar[str] = "extend"
    kind: ClassVar[str | None] = "music"

    audio_id: str | None = None
    default_param_flag: bool = False
    model: Model | str = attrs.field(default=Model.V5, converter=_model)
    prompt: str | None = None
    style: str | None = None
    title: str | None = None
    continue_at: float | None = None
    persona_id: str | None = None

    def _check(self, checks: Checks) -> None:
        checks.required("audio_id", self.audio_id, "(the track to extend)")
        checks.model("model", self.model, ENDPOINT_MODELS[self.endpoint], "extend")
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
        self._check_options(checks)


@attrs.frozen(kw_only=True)
class UploadExtendRequest(MusicOptions):
    """Extend uploaded audio (``POST /api/v1/generate/upload-extend``).

    ``upload_url`` is the audio (at most 8 minutes; 1 minute for V4_5ALL). With
    ``default_param_flag=False`` (the default) only ``prompt`` is needed; with ``True``,
    ``style``, ``title`` and ``continue_at``, plus ``prompt`` unless ``instrumental``.
    ``instrumental`` is always sent (the live API refuses a null).

    >>> UploadExtendRequest(upload_url="https://x.test/a.mp3",
    ...                     prompt="keep going").to_wire()["instrumental"]
    False
    """

    path: ClassVar[str] = "/api/v1/generate/upload-extend"
    endpoint: ClassVar[str] = "upload_extend"
    kind: ClassVar[str | None] = "music"

    upload_url: str | None = None
    default_param_flag: bool = False
    instrumental: bool = False
    model: Model | str = attrs.field(default=Model.V5, converter=_model)
    prompt: str | None = None
    style: str | None = None
    title: str | None = None
    continue_at: float | None = None
    persona_id: str | None = None

    def _check(self, checks: Checks) -> None:
        checks.required_url("upload_url", self.upload_url, "(the audio to extend)")
        checks.model("model", self.model, ENDPOINT_MODELS[self.endpoint], "upload-extend")
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
        )
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

    path: ClassVar[str] = "/api/v1/generate/add-vocals"
    endpoint: ClassVar[str] = "add_vocals"
    kind: ClassVar[str | None] = "music"

    upload_url: str | None = None
    prompt: str | None = None
    title: str | None = None
    style: str | None = None
    model: Model | str = attrs.field(default=Model.V4_5PLUS, converter=_model)

    def _check(self, checks: Checks) -> None:
        why = "for add-vocals"
        checks.required_url("upload_url", self.upload_url, "(the instrumental audio)")
        checks.required("prompt", self.prompt, f"{why} (the lyrics to sing)")
        checks.required("title", self.title, why)
        checks.required("style", self.style, why)
        checks.required("negative_tags", self.negative_tags, f"{why} (the styles to avoid)")
        checks.model("model", self.model, ENDPOINT_MODELS[self.endpoint], "add-vocals")
        limits = custom_limits(self.endpoint, self.model)
        context = f"for {_name(self.model)}"
        checks.max_chars("prompt", self.prompt, limits.prompt, context)
        checks.max_chars("title", self.title, limits.title, context)
        checks.max_chars("style", self.style, limits.style, context)
        self._check_options(checks)


@attrs.frozen(kw_only=True)
class ReplaceSectionRequest(TaskRequest):
    """Regenerate a time window of a track (``POST /api/v1/generate/replace-section``).

    Needs ``prompt`` (the new lines for the window), ``tags``, ``title``,
    ``full_lyrics`` (the whole song's lyrics after the change) and the window
    ``infill_start_s`` < ``infill_end_s`` (seconds, >= 0, 2 decimals, 6 to 60 s long).
    The source is either a generated track (``task_id`` + ``audio_id``) or uploaded
    audio (``upload_url`` + ``model``): exactly one of the two.

    >>> ReplaceSectionRequest(task_id="t1", audio_id="a1", prompt="new line",
    ...     tags="pop", title="T", full_lyrics="...", infill_start_s=10,
    ...     infill_end_s=25.5).to_wire()["infillEndS"]
    25.5
    """

    path: ClassVar[str] = "/api/v1/generate/replace-section"
    endpoint: ClassVar[str] = "replace_section"
    kind: ClassVar[str | None] = "music"

    prompt: str | None = None
    tags: str | None = None
    title: str | None = None
    full_lyrics: str | None = None
    infill_start_s: float | None = None
    infill_end_s: float | None = None
    task_id: str | None = None
    audio_id: str | None = None
    upload_url: str | None = None
    model: Model | str | None = attrs.field(default=None, converter=_model)
    negative_tags: str | None = None

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
            elif not _finite(value) or value < 0:
                checks.add(name, f"must be a finite number >= 0 (seconds), got {value!r:.40}")
            else:
                _decimals(checks, name, value, REPLACE_DECIMALS)
        if start is None or end is None or checks.failed("infill_start_s"):
            return
        if checks.failed("infill_end_s"):
            return
        low, high = REPLACE_WINDOW
        if end <= start:
            checks.add("infill_end_s", f"must be greater than infill_start_s ({start:g})")
        elif not low <= round(end - start, 6) <= high:
            checks.add(
                "infill_end_s",
                f"the window is {end - start:g} s; it must last {low:g} to {high:g} s",
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
                checks.model(
                    "model", self.model, ENDPOINT_MODELS[self.endpoint], "replace-section"
                )
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

    >>> MashupRequest(upload_url_list=["https://x.test/a.mp3", "https://x.test/b.mp3"],
    ...               prompt="blend them").to_wire()["uploadUrlList"][1]
    'https://x.test/b.mp3'
    """

    path: ClassVar[str] = "/api/v1/generate/mashup"
    endpoint: ClassVar[str] = "mashup"
    kind: ClassVar[str | None] = "music"

    upload_url_list: tuple[str, ...] = attrs.field(default=(), converter=tuple_of)
    prompt: str | None = None
    custom_mode: bool = False
    instrumental: bool = False
    model: Model | str = attrs.field(default=Model.V5, converter=_model)
    style: str | None = None
    title: str | None = None

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
        checks.model("model", self.model, ENDPOINT_MODELS[self.endpoint], "mashup")
        check_mode_fields(
            checks,
            endpoint=self.endpoint,
            custom_mode=self.custom_mode,
            instrumental=self.instrumental,
            model=self.model,
            prompt=self.prompt,
            style=self.style,
            title=self.title,
            values={
                n: getattr(self, n)
                for n in _NON_CUSTOM_EMPTY
                if n != "persona_id"
            },
        )
        self._check_options(checks)


@attrs.frozen(kw_only=True)
class SoundsRequest(TaskRequest):
    """Sounds and loops (``POST /api/v1/generate/sounds``); results are music tracks.

    ``prompt`` (at most 500 characters) is required; ``model`` is V5 only.
    ``sound_loop`` makes a seamless loop, ``sound_tempo`` is BPM (1-300),
    ``sound_key`` a :class:`SoundKey` (default ``Any``), ``grab_lyrics`` captures
    lyric subtitles.

    >>> SoundsRequest(prompt="rain on a tin roof", sound_tempo=90,
    ...               sound_key="F#m").to_wire()["soundKey"]
    'F#m'
    """

    path: ClassVar[str] = "/api/v1/generate/sounds"
    endpoint: ClassVar[str] = "sounds"
    kind: ClassVar[str | None] = "music"

    prompt: str | None = None
    model: Model | str = attrs.field(default=Model.V5, converter=_model)
    sound_loop: bool = False
    sound_tempo: int | None = None
    sound_key: SoundKey | None = attrs.field(default=None, converter=_to_sound_key)
    grab_lyrics: bool = False

    def _check(self, checks: Checks) -> None:
        checks.required("prompt", self.prompt, "for sounds (describe the sound)")
        checks.max_chars("prompt", self.prompt, SOUNDS_PROMPT_MAX, "for sounds")
        checks.model("model", self.model, ENDPOINT_MODELS[self.endpoint], "sounds")
        low, high = SOUND_TEMPO_RANGE
        tempo = self.sound_tempo
        if tempo is not None and not checks.failed("sound_tempo") and not low <= tempo <= high:
            checks.add("sound_tempo", f"must be between {low} and {high} BPM, got {tempo!r:.40}")


@attrs.frozen(kw_only=True)
class LyricsRequest(TaskRequest):
    """Lyrics only, normally two variants (``POST /api/v1/lyrics``).

    ``prompt`` describes the song, in at most 200 words.

    >>> LyricsRequest(prompt="a song about a quiet city night").to_wire()["prompt"]
    'a song about a quiet city night'
    """

    path: ClassVar[str] = "/api/v1/lyrics"
    endpoint: ClassVar[str] = "lyrics"
    kind: ClassVar[str | None] = "lyrics"

    prompt: str | None = None

    def _check(self, checks: Checks) -> None:
        if checks.required("prompt", self.prompt, "for lyrics (describe the song)"):
            words = len(str(self.prompt).split())
            if words > LYRICS_PROMPT_MAX_WORDS:
                checks.add(
                    "prompt",
                    f"{words} words, at most {LYRICS_PROMPT_MAX_WORDS} allowed; shorten it",
                )


@attrs.frozen(kw_only=True)
class _TrackRequest(Request):
    """A request about one generated track: ``task_id`` + ``audio_id``."""

    task_id: str | None = None
    audio_id: str | None = None

    def _check_track(self, checks: Checks) -> None:
        _check_track_ids(checks, self.task_id, self.audio_id)


@attrs.frozen(kw_only=True)
class _TrackTaskRequest(TaskRequest):
    """A task about one generated track (WAV, stems, video): ``task_id`` + ``audio_id``."""

    task_id: str | None = None
    audio_id: str | None = None

    def _check_track(self, checks: Checks) -> None:
        _check_track_ids(checks, self.task_id, self.audio_id)


def _check_track_ids(checks: Checks, task_id: str | None, audio_id: str | None) -> None:
    checks.required("task_id", task_id, "(the music task of the track)")
    checks.required("audio_id", audio_id, "(the track's id)")


@attrs.frozen(kw_only=True)
class WavRequest(_TrackTaskRequest):
    """Convert a generated track to WAV (``POST /api/v1/wav/generate``).

    >>> WavRequest(task_id="t1", audio_id="a1").to_wire()
    {'taskId': 't1', 'audioId': 'a1'}
    """

    path: ClassVar[str] = "/api/v1/wav/generate"
    endpoint: ClassVar[str] = "wav"
    kind: ClassVar[str | None] = "wav"


    def _check(self, checks: Checks) -> None:
        self._check_track(checks)


@attrs.frozen(kw_only=True)
class SeparateVocalsRequest(_TrackTaskRequest):
    """Split a track into stems (``POST /api/v1/vocal-removal/generate``).

    ``type`` is :attr:`SeparationType.SEPARATE_VOCAL` (vocals + instrumental, the
    default) or :attr:`SeparationType.SPLIT_STEM` (up to twelve stems; costs more).

    >>> SeparateVocalsRequest(task_id="t1", audio_id="a1",
    ...                       type="split_stem").to_wire()["type"]
    'split_stem'
    """

    path: ClassVar[str] = "/api/v1/vocal-removal/generate"
    endpoint: ClassVar[str] = "separate_vocals"
    kind: ClassVar[str | None] = "vocal_removal"

    type: SeparationType = attrs.field(
        default=SeparationType.SEPARATE_VOCAL, converter=_to_separation
    )

    def _check(self, checks: Checks) -> None:
        self._check_track(checks)


@attrs.frozen(kw_only=True)
class MidiRequest(TaskRequest):
    """MIDI notes from a finished separation (``POST /api/v1/midi/generate``).

    ``task_id`` is the vocal-separation task; ``audio_id`` optionally picks one of its
    stems (``record.origin_data[i].id``), otherwise every stem is transcribed.

    >>> MidiRequest(task_id="sep1").to_wire()
    {'taskId': 'sep1'}
    """

    path: ClassVar[str] = "/api/v1/midi/generate"
    endpoint: ClassVar[str] = "midi"
    kind: ClassVar[str | None] = "midi"

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

    path: ClassVar[str] = "/api/v1/mp4/generate"
    endpoint: ClassVar[str] = "music_video"
    kind: ClassVar[str | None] = "mp4"

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

    path: ClassVar[str] = "/api/v1/suno/cover/generate"
    endpoint: ClassVar[str] = "cover_art"
    kind: ClassVar[str | None] = "cover_art"

    task_id: str | None = None

    def _check(self, checks: Checks) -> None:
        checks.required("task_id", self.task_id, "(the music task)")


@attrs.frozen(kw_only=True)
class RecoveryRequest(TaskRequest):
    """Fresh links for a music task whose audio links expired (``POST /api/v1/suno/recovery``).

    >>> RecoveryRequest(suno_task_id="t1").to_wire()
    {'sunoTaskId': 't1'}
    """

    path: ClassVar[str] = "/api/v1/suno/recovery"
    endpoint: ClassVar[str] = "recovery"
    kind: ClassVar[str | None] = "recovery"

    suno_task_id: str | None = None

    def _check(self, checks: Checks) -> None:
        checks.required("suno_task_id", self.suno_task_id, "(the music task to recover)")


# ------------------------------------------------------------------ immediate calls


@attrs.frozen(kw_only=True)
class TimestampedLyricsRequest(_TrackRequest):
    """Word timings of a finished track (``POST /api/v1/generate/get-timestamped-lyrics``).

    >>> TimestampedLyricsRequest(task_id="t1", audio_id="a1").to_wire()["audioId"]
    'a1'
    """

    path: ClassVar[str] = "/api/v1/generate/get-timestamped-lyrics"
    endpoint: ClassVar[str] = "timestamped_lyrics"

    def _check(self, checks: Checks) -> None:
        self._check_track(checks)


@attrs.frozen(kw_only=True)
class StyleBoostRequest(Request):
    """Expand a short style into a detailed one (``POST /api/v1/style/generate``).

    >>> StyleBoostRequest(content="Pop, Mysterious").to_wire()
    {'content': 'Pop, Mysterious'}
    """

    path: ClassVar[str] = "/api/v1/style/generate"
    endpoint: ClassVar[str] = "style_boost"

    content: str | None = None

    def _check(self, checks: Checks) -> None:
        checks.required("content", self.content, "(the style to boost, e.g. 'Pop, Mysterious')")
        checks.max_chars("content", self.content, STYLE_BOOST_MAX, "for a style boost")


@attrs.frozen(kw_only=True)
class PersonaRequest(_TrackRequest):
    """A reusable voice persona from a finished track
    (``POST /api/v1/generate/generate-persona``).

    ``task_id``, ``audio_id``, ``name`` and ``description`` are required; ``style`` is
    optional. The vocal window ``vocal_start`` .. ``vocal_end`` (seconds; the API's
    defaults are 0 and 30) must last 10 to 30 s. Sources must be V4 or newer.

    >>> PersonaRequest(task_id="t1", audio_id="a1", name="Nova", description="airy pop",
    ...                vocal_start=12, vocal_end=34).to_wire()["vocalEnd"]
    34
    """

    path: ClassVar[str] = "/api/v1/generate/generate-persona"
    endpoint: ClassVar[str] = "persona"

    name: str | None = None
    description: str | None = None
    style: str | None = None
    vocal_start: float | None = None
    vocal_end: float | None = None

    def _check(self, checks: Checks) -> None:
        self._check_track(checks)
        checks.required("name", self.name, "(the persona's name)")
        checks.required("description", self.description, "(describe the voice)")
        for name in ("vocal_start", "vocal_end"):
            value = getattr(self, name)
            if value is not None and (not _finite(value) or value < 0):
                checks.add(name, f"must be a finite number >= 0 (seconds), got {value!r:.40}")
        if checks.failed("vocal_start") or checks.failed("vocal_end"):
            return
        default_start, default_end = PERSONA_DEFAULT_WINDOW
        start = default_start if self.vocal_start is None else self.vocal_start
        end = default_end if self.vocal_end is None else self.vocal_end
        low, high = PERSONA_WINDOW
        field = "vocal_end" if self.vocal_end is not None else "vocal_start"
        if end <= start:
            checks.add(field, f"vocal_end ({end:g}) must be after vocal_start ({start:g})")
        elif not low <= round(end - start, 6) <= high:
            checks.add(
                field,
                f"the vocal window is {end - start:g} s; it must last {low:g} to {high:g} s"
                + (" (vocal_end defaults to 30)" if self.vocal_end is None else ""),
            )


# ------------------------------------------------------------------ file uploads


def _check_upload_path(checks: Checks, value: str | None) -> None:
    if not checks.required("upload_path", value, "(the folder on the upload host, e.g. 'audio')"):
        return
    text = str(value)
    if text.startswith("/") or text.endswith("/"):
        checks.add("upload_path", f"must not start or end with '/', got {text!r}")
    elif "\\" in text or any(part in ("", ".", "..") for part in text.split("/")):
        checks.add(
            "upload_path",
            f"must be folder names separated by '/', without '.', '..' or '//'; got {text!r}",
        )


def _check_file_name(checks: Checks, value: str | None) -> None:
    if value is None:
        return
    if not value.strip() or value in (".", "..") or "/" in value or "\\" in value:
        checks.add("file_name", f"must be a plain file name without '/' or '\\', got {value!r}")
    else:
        checks.max_chars("file_name", value, UPLOAD_FILE_NAME_MAX, "for a file name")


@attrs.frozen(kw_only=True)
class DownloadUrlRequest(Request):
    """A temporary download link for a generated file (``POST /api/v1/common/download-url``).

    >>> DownloadUrlRequest(url="https://tempfile.example/a.mp3").to_wire()
    {'url': 'https://tempfile.example/a.mp3'}
    """

    path: ClassVar[str] = "/api/v1/common/download-url"
    endpoint: ClassVar[str] = "download_url"

    url: str | None = None

    def _check(self, checks: Checks) -> None:
        checks.required_url("url", self.url, "(the generated file's URL)")


@attrs.frozen(kw_only=True)
class UploadRequest(Request):
    """Base of the three upload calls: the folder and optional name on the upload host.

    ``upload_path`` must not start or end with ``/``. Reusing a ``file_name`` in the
    same folder overwrites the earlier file. Uploads are free and files are temporary
    (kept about 3 days).
    """

    endpoint: ClassVar[str] = "file_upload"

    upload_path: str | None = None
    file_name: str | None = None

    def _check(self, checks: Checks) -> None:
        _check_upload_path(checks, self.upload_path)
        _check_file_name(checks, self.file_name)


@attrs.frozen(kw_only=True)
class StreamUploadRequest(UploadRequest):
    """The form fields of a multipart upload (``POST /api/file-stream-upload``).

    The file itself travels as the ``file`` part; use
    :meth:`SunoClient.upload_file` with a path or large bytes.

    >>> StreamUploadRequest(upload_path="audio/demo").to_wire()
    {'uploadPath': 'audio/demo'}
    """

    path: ClassVar[str] = "/api/file-stream-upload"
    endpoint: ClassVar[str] = "file_stream_upload"


@attrs.frozen(kw_only=True)
class UrlUploadRequest(UploadRequest):
    """Have the upload host fetch a remote file (``POST /api/file-url-upload``).

    >>> UrlUploadRequest(file_url="https://x.test/a.mp3", upload_path="audio").to_wire()
    {'uploadPath': 'audio', 'fileUrl': 'https://x.test/a.mp3'}
    """

    path: ClassVar[str] = "/api/file-url-upload"
    endpoint: ClassVar[str] = "file_url_upload"

    file_url: str | None = None

    def _check(self, checks: Checks) -> None:
        checks.required_url("file_url", self.file_url, "(the file to fetch)")
        super()._check(checks)


@attrs.frozen(kw_only=True)
class Base64UploadRequest(UploadRequest):
    """Upload small data inline (``POST /api/file-base64-upload``).

    ``base64_data`` is plain base64 or a ``data:<mime>;base64,...`` URL.

    >>> Base64UploadRequest(base64_data="aGk=", upload_path="notes",
    ...                     file_name="hi.txt").to_wire()["fileName"]
    'hi.txt'
    """

    path: ClassVar[str] = "/api/file-base64-upload"
    endpoint: ClassVar[str] = "file_base64_upload"

    base64_data: str | None = attrs.field(default=None, repr=False)
    mime_type: str | None = None

    def _check(self, checks: Checks) -> None:
        checks.required("base64_data", self.base64_data, "(the file's bytes, base64-encoded)")
        super()._check(checks)
