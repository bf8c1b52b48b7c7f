"""Per-model and per-endpoint limits of the API, as plain data.

Sources: the provider's pages in ``shared/seeds`` (authoritative for generate,
upload-cover and add-instrumental) and ``shared/api/REFERENCE.md`` §3 for the rest.
Where the seeds disagree with each other, the rule of the endpoint's own page wins:
``generate`` allows 80-character titles for every model, ``upload-cover`` (and extend,
which follows the same table on the provider's pages) 100 for V4_5, V4_5PLUS and V5.

>>> from suno_async.limits import custom_limits
>>> from suno_async import Model
>>> custom_limits("generate", Model.V4).style
200
>>> custom_limits("upload_cover", Model.V5).title
100
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import attrs

from .models.enums import Model

__all__ = [
    "ADD_INSTRUMENTAL_MODELS",
    "ADD_VOCALS_MODELS",
    "LYRICS_PROMPT_MAX_WORDS",
    "MP4_TEXT_MAX",
    "NON_CUSTOM_PROMPT_MAX",
    "PERSONA_WINDOW",
    "REPLACE_WINDOW",
    "SOUNDS_MODELS",
    "SOUNDS_PROMPT_MAX",
    "SOUND_TEMPO_RANGE",
    "TextLimits",
    "custom_limits",
]


@attrs.frozen
class TextLimits:
    """Character limits of ``prompt`` (lyrics), ``style`` and ``title`` in custom mode."""

    prompt: int
    style: int
    title: int


_V4_CLASS = TextLimits(prompt=3000, style=200, title=80)
_V45_80 = TextLimits(prompt=5000, style=1000, title=80)
_V45_100 = TextLimits(prompt=5000, style=1000, title=100)

#: generate: "title length limit: 80 characters (all models)" (seed 000).
_GENERATE: Final[Mapping[Model, TextLimits]] = {
    Model.V3_5: _V4_CLASS,
    Model.V4: _V4_CLASS,
    Model.V4_5: _V45_80,
    Model.V4_5PLUS: _V45_80,
    Model.V4_5ALL: _V45_80,
    Model.V5: _V45_80,
    Model.V5_5: _V45_80,
}

#: upload-cover: titles of 100 for V5, V4_5PLUS, V4_5; 80 for V4_5ALL, V4 (seed 000/004).
_UPLOAD_COVER: Final[Mapping[Model, TextLimits]] = {
    Model.V3_5: _V4_CLASS,
    Model.V4: _V4_CLASS,
    Model.V4_5: _V45_100,
    Model.V4_5PLUS: _V45_100,
    Model.V4_5ALL: _V45_80,
    Model.V5: _V45_100,
    Model.V5_5: _V45_100,
}

#: Custom-mode limits per endpoint and model.
CUSTOM_LIMITS: Final[Mapping[str, Mapping[Model, TextLimits]]] = {
    "generate": _GENERATE,
    "upload_cover": _UPLOAD_COVER,
    "extend": _UPLOAD_COVER,
    "upload_extend": _UPLOAD_COVER,
    "mashup": _GENERATE,
    "add_vocals": _UPLOAD_COVER,
    "add_instrumental": _UPLOAD_COVER,
}

#: The most permissive limits, applied when a model is not in the tables.
_FALLBACK = _V45_100

#: Non-custom mode: only ``prompt``, at most 500 characters (all models).
NON_CUSTOM_PROMPT_MAX: Final = 500

#: Models each endpoint documents. A ``Model`` outside the set is refused; a string the
#: SDK does not know at all is sent with a warning (the server stays the judge).
ENDPOINT_MODELS: Final[Mapping[str, frozenset[Model]]] = {
    "generate": frozenset(Model),
    "extend": frozenset(Model),
    "upload_cover": frozenset(Model),
    "upload_extend": frozenset(Model),
    "mashup": frozenset(Model) - {Model.V3_5},
    "replace_section": frozenset(Model) - {Model.V3_5},
    "add_instrumental": frozenset({Model.V4_5PLUS, Model.V5}),
    "add_vocals": frozenset({Model.V4_5PLUS, Model.V5, Model.V5_5}),
    "sounds": frozenset({Model.V5}),
}
ADD_INSTRUMENTAL_MODELS: Final = ENDPOINT_MODELS["add_instrumental"]
ADD_VOCALS_MODELS: Final = ENDPOINT_MODELS["add_vocals"]
SOUNDS_MODELS: Final = ENDPOINT_MODELS["sounds"]

#: Weights (``styleWeight``, ``weirdnessConstraint``, ``audioWeight``): [0, 1], 2 decimals.
WEIGHT_RANGE: Final = (0.0, 1.0)
WEIGHT_DECIMALS: Final = 2

#: Lyrics-only generation: prompt of at most 200 words.
LYRICS_PROMPT_MAX_WORDS: Final = 200
#: Sound generation: prompt of at most 500 characters; tempo in BPM.
SOUNDS_PROMPT_MAX: Final = 500
SOUND_TEMPO_RANGE: Final = (1, 300)
#: Music video: ``author`` and ``domainName`` at most 50 characters.
MP4_TEXT_MAX: Final = 50
#: replace-section window length in seconds (kie: 6 to 60 s).
REPLACE_WINDOW: Final = (6.0, 60.0)
#: Persona vocal window length in seconds (10 to 30 s).
PERSONA_WINDOW: Final = (10.0, 30.0)
#: Style boost content (not documented; generous bound against accidents).
STYLE_BOOST_MAX: Final = 5000
#: File upload: ``uploadPath`` must not start or end with "/".
UPLOAD_BASE64_MAX_BYTES: Final = 10 * 1024 * 1024


def custom_limits(endpoint: str, model: Model | str) -> TextLimits:
    """Custom-mode character limits for ``endpoint`` and ``model``.

    Unknown models get the most permissive limits (the server decides).
    """
    table = CUSTOM_LIMITS.get(endpoint, _GENERATE)
    if isinstance(model, Model):
        return table.get(model, _FALLBACK)
    return _FALLBACK


# --------------------------------------------------------------------------------------
# Endpoints beyond generate / upload-cover / add-instrumental (REFERENCE §5-§6).
# --------------------------------------------------------------------------------------

#: replace-section: characters of ``prompt`` (the new lines), ``tags`` and ``title``.
#: The pages give none; these are the permissive custom-mode limits (the server decides).
REPLACE_SECTION_LIMITS: Final = _V45_100
#: replace-section ``infillStartS`` / ``infillEndS``: at most 2 decimal places.
REPLACE_DECIMALS: Final = 2
#: Persona window when ``vocalStart`` / ``vocalEnd`` are not sent (seconds).
PERSONA_DEFAULT_WINDOW: Final = (0.0, 30.0)
#: mashup: ``uploadUrlList`` holds exactly this many URLs (minItems = maxItems = 2).
MASHUP_URL_COUNT: Final = 2
#: File-upload ``fileName``: a single path segment of at most this many characters.
UPLOAD_FILE_NAME_MAX: Final = 255
