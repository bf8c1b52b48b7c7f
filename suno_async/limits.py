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
    "DEFAULT_HOST",
    "DURATION_RANGE",
    "HOST_RULES",
    "LYRICS_PROMPT_MAX_WORDS",
    "MP4_TEXT_MAX",
    "NON_CUSTOM_PROMPT_MAX",
    "PERSONA_WINDOW",
    "REPLACE_WINDOW",
    "SOUNDS_MODELS",
    "SOUNDS_PROMPT_MAX",
    "SOUND_TEMPO_RANGE",
    "VARIETY_RANGE",
    "HostRules",
    "TextLimits",
    "custom_limits",
    "host_rules",
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
#: V6 family (sunoapi.org newest): lyrics/prompt 5000, style 1000, title 80.
_V6 = _V45_80

_V6_FAMILY: Final = frozenset({Model.V6, Model.V6_WILD, Model.V6_MINI})

#: generate: "title length limit: 80 characters (all models)" (seed 000).
_GENERATE: Final[Mapping[Model, TextLimits]] = {
    Model.V3_5: _V4_CLASS,
    Model.V4: _V4_CLASS,
    Model.V4_5: _V45_80,
    Model.V4_5PLUS: _V45_80,
    Model.V4_5ALL: _V45_80,
    Model.V5: _V45_80,
    Model.V5_5: _V45_80,
    **dict.fromkeys(_V6_FAMILY, _V6),
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
    **dict.fromkeys(_V6_FAMILY, _V6),
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

#: Non-custom mode on kie and apikley: only ``prompt``, at most 500 characters.
NON_CUSTOM_PROMPT_MAX: Final = 500

_LEGACY: Final = frozenset(
    {Model.V3_5, Model.V4, Model.V4_5, Model.V4_5PLUS, Model.V4_5ALL, Model.V5, Model.V5_5}
)

#: Models each endpoint documents on kie (REFERENCE §3.1). A ``Model`` outside the set
#: is refused, unless the host lists it as unverified; a string the SDK does not know
#: at all is sent with a warning (the server stays the judge).
ENDPOINT_MODELS: Final[Mapping[str, frozenset[Model]]] = {
    "generate": _LEGACY,
    "extend": _LEGACY,
    "upload_cover": _LEGACY,
    "upload_extend": _LEGACY,
    "mashup": _LEGACY - {Model.V3_5},
    "replace_section": _LEGACY - {Model.V3_5},
    "add_instrumental": frozenset({Model.V4_5PLUS, Model.V5, Model.V5_5}),
    "add_vocals": frozenset({Model.V4_5PLUS, Model.V5, Model.V5_5}),
    "sounds": frozenset({Model.V5, Model.V5_5}),
}
ADD_INSTRUMENTAL_MODELS: Final = ENDPOINT_MODELS["add_instrumental"]
ADD_VOCALS_MODELS: Final = ENDPOINT_MODELS["add_vocals"]
SOUNDS_MODELS: Final = ENDPOINT_MODELS["sounds"]

#: Endpoints that accept the V6 family on sunoapi.org (newest pages; two V6-era clients).
_SUNOAPI_V6_ENDPOINTS: Final = ("generate", "extend", "upload_cover", "upload_extend", "mashup")

#: ``duration`` (seconds, integer; custom mode only): the range, and where it is taken.
DURATION_RANGE: Final = (10, 360)
#: ``variety`` (sunoapi.org mashup): integer 0-4.
VARIETY_RANGE: Final = (0, 4)


@attrs.frozen(kw_only=True)
class HostRules:
    """The request rules that differ per provider, as data (REFERENCE §3, §5, §6.13).

    ``models`` are the models each endpoint accepts; ``unverified_models`` are sent
    with an :class:`~suno_async.errors.UnknownModelWarning` (the host may have them,
    nothing recorded says so); ``duration_models`` may carry ``duration``;
    ``extra_fields`` names the newer fields (``lyrics``, ``variety``, non-custom
    ``style`` and reference URLs) per endpoint; ``recovery_task_field`` is the body key
    of the recovery request's source task.

    >>> HOST_RULES["sunoapi"].recovery_task_field, HOST_RULES["kie"].recovery_task_field
    ('sunoTaskId', 'task_id')
    >>> Model.V6 in HOST_RULES["sunoapi"].models["mashup"]
    True
    """

    name: str
    models: Mapping[str, frozenset[Model]]
    unverified_models: Mapping[str, frozenset[Model]]
    duration_models: frozenset[Model]
    duration_endpoints: frozenset[str]
    non_custom_prompt_max: int
    #: Longer non-custom prompts for these models (sunoapi.org V6 era).
    non_custom_prompt_max_by_model: Mapping[Model, int]
    extra_fields: Mapping[str, frozenset[str]]
    recovery_task_field: str

    def accepted(self, endpoint: str) -> frozenset[Model]:
        """The models ``endpoint`` takes on this host."""
        return self.models.get(endpoint, frozenset())

    def unverified(self, endpoint: str) -> frozenset[Model]:
        """The models sent to ``endpoint`` with a warning (unconfirmed on this host)."""
        return self.unverified_models.get(endpoint, frozenset())

    def prompt_max(self, model: Model | str) -> int:
        """The non-custom ``prompt`` limit for ``model``."""
        if isinstance(model, Model):
            return self.non_custom_prompt_max_by_model.get(model, self.non_custom_prompt_max)
        return self.non_custom_prompt_max

    def allows(self, endpoint: str, field: str) -> bool:
        """Whether the newer field ``field`` is taken on ``endpoint`` by this host."""
        return field in self.extra_fields.get(endpoint, frozenset())


_KIE_RULES = HostRules(
    name="kie",
    models=ENDPOINT_MODELS,
    # V6 on kie's legacy endpoints: in no stored page, never recorded (REFERENCE §3.1).
    unverified_models={name: _V6_FAMILY for name in (*_SUNOAPI_V6_ENDPOINTS, "replace_section")},
    duration_models=frozenset({Model.V5_5}),
    duration_endpoints=frozenset({"generate"}),
    non_custom_prompt_max=NON_CUSTOM_PROMPT_MAX,
    non_custom_prompt_max_by_model={},
    extra_fields={},
    recovery_task_field="task_id",
)

#: Rules per provider preset (``SunoClient(provider=...)``); requests default to kie.
HOST_RULES: Final[Mapping[str, HostRules]] = {
    "kie": _KIE_RULES,
    "apikley": attrs.evolve(_KIE_RULES, name="apikley"),
    "sunoapi": HostRules(
        name="sunoapi",
        models={
            **ENDPOINT_MODELS,
            **{name: ENDPOINT_MODELS[name] | _V6_FAMILY for name in _SUNOAPI_V6_ENDPOINTS},
        },
        unverified_models={"replace_section": _V6_FAMILY},
        duration_models=frozenset({Model.V5_5}) | _V6_FAMILY,
        duration_endpoints=frozenset({"generate", "mashup"}),
        non_custom_prompt_max=NON_CUSTOM_PROMPT_MAX,
        # V6-era clients send up to 3000 characters (REFERENCE §3.2, conf. low).
        non_custom_prompt_max_by_model=dict.fromkeys(_V6_FAMILY, 3000),
        extra_fields={
            "generate": frozenset({"non_custom_style", "references"}),
            "mashup": frozenset({"lyrics", "variety"}),
        },
        recovery_task_field="sunoTaskId",
    ),
}
#: The host a request validates for unless told otherwise.
DEFAULT_HOST: Final = "kie"


def host_rules(host: str) -> HostRules:
    """The :class:`HostRules` of ``host``; an unknown host name gets kie's rules."""
    return HOST_RULES.get(host, _KIE_RULES)


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
#: replace-section: the window may cover at most this share of the source (when known).
REPLACE_MAX_SHARE: Final = 0.5
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
#: Suno Voice: the verification clip ``vocalEndS - vocalStartS`` (seconds; not documented,
#: a generous bound against accidents).
VOICE_CLIP_MAX: Final = 600.0
#: Suno Voice: ``voiceName``, ``description`` and ``style`` (not documented; generous).
VOICE_TEXT_MAX: Final = 1000
