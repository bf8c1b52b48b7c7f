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

import contextlib
from typing import Any, ClassVar, cast

import attrs

from .._convert import unstructure_request
from .._validation import Checks, check_types, enum_or_raw
from ..limits import ENDPOINT_MODELS, NON_CUSTOM_PROMPT_MAX, custom_limits
from .enums import Model, VocalGender

__all__ = [
    "AddInstrumentalRequest",
    "GenerateRequest",
    "MusicOptions",
    "Request",
    "UploadCoverRequest",
]

_to_model = enum_or_raw(Model)
_to_gender = enum_or_raw(VocalGender)


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
    needs_callback: ClassVar[bool] = True

    def __attrs_post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise :class:`RequestValidationError` listing every problem, if any."""
        checks = Checks()
        check_types(self, checks)
        typed_ok = not checks.problems
        try:
            self._check(checks)
        except (TypeError, ValueError, AttributeError):
            if typed_ok:
                raise
            # a field of the wrong type already reported; rules that need it are skipped
        checks.raise_if_any(self.endpoint)

    def _check(self, checks: Checks) -> None:
        """Add this request's rules (override)."""

    def to_wire(self) -> dict[str, Any]:
        """The JSON body, camelCase, with unset fields left out."""
        return unstructure_request(self)


def _check_callback(checks: Checks, value: str | None) -> None:
    checks.url("call_back_url", value)


@attrs.frozen(kw_only=True)
class MusicOptions(Request):
    """Optional fields shared by the music-generation family."""

    negative_tags: str | None = None
    vocal_gender: VocalGender | None = attrs.field(default=None, converter=_gender)
    style_weight: float | None = None
    weirdness_constraint: float | None = None
    audio_weight: float | None = None
    call_back_url: str | None = None

    def _check_options(self, checks: Checks) -> None:
        for name in ("style_weight", "weirdness_constraint", "audio_weight"):
            checks.weight(name, getattr(self, name))
        _check_callback(checks, self.call_back_url)


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
        if checks.required("upload_url", self.upload_url, "(the audio to cover)"):
            checks.url("upload_url", self.upload_url)
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
        if checks.required("upload_url", self.upload_url, "(the vocal or melody audio)"):
            checks.url("upload_url", self.upload_url)
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
    if getattr(request, "call_back_url", "unset") is None:
        with contextlib.suppress(TypeError):
            evolved: Request = attrs.evolve(cast(Any, request), call_back_url=url)
            return evolved
    return request
