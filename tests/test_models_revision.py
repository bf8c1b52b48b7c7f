"""The REFERENCE revision on the request side (issue 13) and the requests package split
(issue 11): endpoint descriptors, host rules, new fields and modes, Suno Voice, bad text.

Oracles here are written from REFERENCE §3, §5, §6 directly, not from the tables in
``suno_async.limits``.
"""

from __future__ import annotations

import inspect
import json
import math
import warnings
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import suno_async
import suno_async.models.requests as requests_pkg
from suno_async import (
    AddInstrumentalRequest,
    AddVocalsRequest,
    CheckVoiceRequest,
    ExtendRequest,
    GenerateRequest,
    MashupRequest,
    Model,
    PersonaModel,
    RecoveryRequest,
    ReplaceSectionRequest,
    SeparateVocalsRequest,
    SeparationType,
    SoundsRequest,
    UploadCoverRequest,
    UploadExtendRequest,
    VoiceGenerateRequest,
    VoiceRecordInfoRequest,
    VoiceRegenerateRequest,
    VoiceValidateInfoRequest,
    VoiceValidateRequest,
)
from suno_async.errors import RequestValidationError, UnknownModelWarning
from suno_async.models.requests import Endpoint, Request

URL_A = "https://files.example.com/a.mp3"
URL_B = "https://files.example.com/b.mp3"


def problems(cls: type[Any], **fields: Any) -> dict[str, str]:
    """Field -> message of every problem (``{}`` when valid); warnings are silenced."""
    error: RequestValidationError | None = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cls(**fields)
    except RequestValidationError as exc:
        error = exc
    if error is None:
        return {}
    found = {p.field: p.message for p in error.problems}
    assert len(found) == len(error.problems), "one problem per field"
    assert "nothing was sent" in str(error)
    return found


def all_request_classes() -> list[type[Request]]:
    found: list[type[Request]] = []
    for name in requests_pkg.__all__:
        obj = getattr(requests_pkg, name)
        is_request = inspect.isclass(obj) and issubclass(obj, Request)
        if is_request and "spec" in obj.__dict__ and obj.spec.path:
            found.append(obj)
    return found


# ------------------------------------------------------------------ the package split


#: Every name ``suno_async.models.requests`` exported in 0.1.0 (README imports from it).
OLD_NAMES = [
    "AddInstrumentalRequest", "AddVocalsRequest", "Base64UploadRequest", "CoverArtRequest",
    "DownloadUrlRequest", "ExtendRequest", "GenerateRequest", "LyricsRequest", "MashupRequest",
    "MidiRequest", "MusicOptions", "MusicVideoRequest", "PersonaRequest", "RecoveryRequest",
    "ReplaceSectionRequest", "Request", "SeparateVocalsRequest", "SoundsRequest",
    "StreamUploadRequest", "StyleBoostRequest", "TimestampedLyricsRequest", "UploadCoverRequest",
    "UploadExtendRequest", "UploadRequest", "UrlUploadRequest", "WavRequest",
]


def test_old_import_path_keeps_every_name() -> None:
    for name in OLD_NAMES:
        assert name in requests_pkg.__all__ and hasattr(requests_pkg, name), name
    assert callable(requests_pkg.fill_callback)  # used by the client


def test_upload_shapes_are_off_the_top_level() -> None:
    for name in ("UploadRequest", "StreamUploadRequest", "UrlUploadRequest",
                 "Base64UploadRequest"):
        assert name not in suno_async.__all__


def test_one_descriptor_per_class_and_the_old_attributes_follow_it() -> None:
    classes = all_request_classes()
    assert len(classes) >= 29
    paths = set()
    for cls in classes:
        spec = cls.spec
        assert isinstance(spec, Endpoint)
        assert (cls.path, cls.endpoint, cls.kind, cls.needs_callback) == (
            spec.path, spec.name, spec.kind, spec.callback), cls
        assert spec.path.startswith("/api/"), cls
        paths.add((spec.method, spec.path))
        # a task-creating call needs a callback and carries call_back_url; others do not
        has_cb = "call_back_url" in attrs.fields_dict(cls)
        assert has_cb == spec.callback, cls
        if spec.paid:
            assert spec.kind is not None, cls
    assert len(paths) == len(classes), "each class has its own endpoint"
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        GenerateRequest.spec.path = "/x"  # type: ignore[misc]


def test_paid_flags_follow_the_credit_table() -> None:
    # REFERENCE §9: persona, cover art and voice are free; music, lyrics, wav, stems,
    # midi (derived from stems), mp4 and sounds are charged
    assert GenerateRequest.spec.paid and SoundsRequest.spec.paid
    assert not requests_pkg.CoverArtRequest.spec.paid
    assert not VoiceGenerateRequest.spec.paid and not VoiceValidateRequest.spec.paid
    assert requests_pkg.PersonaRequest.spec.kind is None


def test_unknown_host_is_a_problem() -> None:
    found = problems(GenerateRequest, prompt="x", host="suno.com")
    assert found == {"host": "must be one of 'kie', 'apikley', 'sunoapi' (the provider), "
                             "got 'suno.com'"}
    assert set(problems(GenerateRequest, prompt="x", host=None)) == {"host"}


def test_host_is_never_sent() -> None:
    for host in ("kie", "sunoapi", "apikley"):
        wire = GenerateRequest(prompt="x", host=host).to_wire()
        assert "host" not in wire and wire == GenerateRequest(prompt="x").to_wire()


# ------------------------------------------------------------------ models per endpoint

LEGACY = {"V3_5", "V4", "V4_5", "V4_5PLUS", "V4_5ALL", "V5", "V5_5"}
V6 = {"V6", "V6_WILD", "V6_MINI"}
#: REFERENCE §3.1, as the expected outcome per (host, endpoint): accepted / warned models.
ACCEPTED = {
    "generate": LEGACY, "extend": LEGACY, "upload_cover": LEGACY, "upload_extend": LEGACY,
    "mashup": LEGACY - {"V3_5"}, "replace_section": LEGACY - {"V3_5"},
    "add_instrumental": {"V4_5PLUS", "V5", "V5_5"}, "add_vocals": {"V4_5PLUS", "V5", "V5_5"},
    "sounds": {"V5", "V5_5"},
}
SUNOAPI_V6 = {"generate", "extend", "upload_cover", "upload_extend", "mashup"}

MINIMAL: dict[str, tuple[type[Any], dict[str, Any]]] = {
    "generate": (GenerateRequest, {"prompt": "x"}),
    "extend": (ExtendRequest, {"audio_id": "a"}),
    "upload_cover": (UploadCoverRequest, {"prompt": "x", "upload_url": URL_A}),
    "upload_extend": (UploadExtendRequest, {"upload_url": URL_A, "prompt": "p",
                                            "continue_at": 10}),
    "mashup": (MashupRequest, {"upload_url_list": [URL_A, URL_B], "prompt": "p"}),
    "replace_section": (ReplaceSectionRequest, {
        "upload_url": URL_A, "prompt": "p", "tags": "t", "title": "T", "full_lyrics": "l",
        "infill_start_s": 0, "infill_end_s": 10}),
    "add_instrumental": (AddInstrumentalRequest, {"upload_url": URL_A, "title": "T",
                                                  "tags": "t", "negative_tags": "n"}),
    "add_vocals": (AddVocalsRequest, {"upload_url": URL_A, "prompt": "p", "title": "T",
                                      "style": "s", "negative_tags": "n"}),
    "sounds": (SoundsRequest, {"prompt": "rain"}),
}


@pytest.mark.parametrize("host", ["kie", "apikley", "sunoapi"])
@pytest.mark.parametrize("endpoint", sorted(MINIMAL))
@pytest.mark.parametrize("model", [m.value for m in Model])
def test_models_each_endpoint_accepts(host: str, endpoint: str, model: str) -> None:
    cls, fields = MINIMAL[endpoint]
    accepted = set(ACCEPTED[endpoint])
    if host == "sunoapi" and endpoint in SUNOAPI_V6:
        accepted |= V6
    warned = V6 - accepted if endpoint in SUNOAPI_V6 | {"replace_section"} else set()
    if model not in accepted | warned:
        with pytest.raises(RequestValidationError) as info:
            cls(**fields, model=Model(model), host=host)
        assert info.value.fields == ("model",)
        assert f"not available for {endpoint.replace('_', '-')} on {host}" in str(info.value)
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        request = cls(**fields, model=Model(model), host=host)
    assert request.to_wire()["model"] == model
    unknown = [w for w in caught if issubclass(w.category, UnknownModelWarning)]
    assert bool(unknown) == (model in warned), caught


def test_unknown_model_string_goes_out_with_a_warning_pointing_at_the_caller() -> None:
    for cls, fields in MINIMAL.values():
        with pytest.warns(UnknownModelWarning, match="V9") as caught:
            request = cls(**fields, model="V9")
        assert request.to_wire()["model"] == "V9"
        assert caught[0].filename == __file__


# ------------------------------------------------------------------ duration (§3.3)

CUSTOM = {"custom_mode": True, "instrumental": True, "style": "ambient", "title": "Drift"}


def duration_ok(host: str, model: str, custom: bool, value: object) -> bool:
    models = {"V5_5"} | (V6 if host == "sunoapi" else set())
    return (custom and model in models and isinstance(value, int)
            and not isinstance(value, bool) and 10 <= value <= 360)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    host=st.sampled_from(["kie", "sunoapi"]),
    model=st.sampled_from(sorted(LEGACY | V6)),
    custom=st.booleans(),
    value=st.one_of(st.sampled_from([9, 10, 11, 200, 359, 360, 361, 0, -5]),
                    st.sampled_from([30.0, 30.5, math.nan, True])),
)
def test_duration_rule(host: str, model: str, custom: bool, value: object) -> None:
    fields = {**(CUSTOM if custom else {"prompt": "calm"}), "model": model, "host": host,
              "duration": value}
    found = problems(GenerateRequest, **fields)
    assert ("duration" not in found) == duration_ok(host, model, custom, value), found
    if not found:
        assert GenerateRequest(**fields).to_wire()["duration"] == value


def test_duration_is_only_for_generate_on_kie_and_mashup_on_sunoapi() -> None:
    assert "duration" in problems(UploadCoverRequest, **CUSTOM, upload_url=URL_A,
                                  model="V5_5", duration=60)
    mashup = {"upload_url_list": [URL_A, URL_B], **CUSTOM, "model": "V6", "duration": 60}
    assert problems(MashupRequest, **mashup, host="sunoapi") == {}
    assert "duration" in problems(MashupRequest, **mashup, host="kie")


# ------------------------------------------------------------------ personaModel (§5)

PERSONA_ENDPOINTS: dict[str, tuple[type[Any], dict[str, Any]]] = {
    "generate": (GenerateRequest, CUSTOM),
    "upload_cover": (UploadCoverRequest, {**CUSTOM, "upload_url": URL_A}),
    "extend": (ExtendRequest, {"audio_id": "a"}),
    "upload_extend": (UploadExtendRequest, {"upload_url": URL_A, "prompt": "p",
                                            "continue_at": 10}),
    "mashup": (MashupRequest, {"upload_url_list": [URL_A, URL_B], **CUSTOM}),
}


@pytest.mark.parametrize("endpoint", sorted(PERSONA_ENDPOINTS))
def test_persona_model_on_every_endpoint_that_takes_it(endpoint: str) -> None:
    cls, fields = PERSONA_ENDPOINTS[endpoint]
    for value in ("style_persona", "voice_persona", PersonaModel.VOICE_PERSONA):
        wire = cls(**fields, persona_id="p1", persona_model=value).to_wire()
        assert wire["personaModel"] == str(value) and wire["personaId"] == "p1"
    assert set(problems(cls, **fields, persona_model="voice_persona")) == {"persona_model"}
    found = problems(cls, **fields, persona_id="p1", persona_model="robot")
    assert set(found) == {"persona_model"}
    assert "'style_persona', 'voice_persona'" in found["persona_model"]


def test_persona_model_is_custom_mode_only_on_generate() -> None:
    found = problems(GenerateRequest, prompt="x", persona_id="p", persona_model="voice_persona")
    assert set(found) == {"persona_id", "persona_model"}


def test_persona_model_is_not_taken_where_not_documented() -> None:
    with pytest.raises(TypeError):
        AddVocalsRequest(**MINIMAL["add_vocals"][1], persona_model="voice_persona")  # type: ignore[call-arg]


# ------------------------------------------------------------------ per-host fields (§3.2)


@pytest.mark.parametrize(("host", "model", "limit"), [
    ("kie", "V5", 500), ("apikley", "V5", 500), ("sunoapi", "V5", 500),
    ("kie", "V6", 500), ("sunoapi", "V6", 3000), ("sunoapi", "V6_MINI", 3000),
])
def test_non_custom_prompt_limit_per_host(host: str, model: str, limit: int) -> None:
    assert problems(GenerateRequest, prompt="x" * limit, model=model, host=host) == {}
    found = problems(GenerateRequest, prompt="x" * (limit + 1), model=model, host=host)
    assert found == {"prompt": f"{limit + 1} characters, at most {limit} allowed in "
                               "non-custom mode; shorten it"}


def test_sunoapi_non_custom_style_and_references() -> None:
    fields = {"prompt": "x", "style": "lofi", "image_urls": [URL_A], "audio_urls": [URL_B]}
    wire = GenerateRequest(**fields, host="sunoapi").to_wire()
    assert wire["style"] == "lofi" and wire["imageUrls"] == [URL_A] and wire["audioUrls"] == [URL_B]
    assert "videoUrls" not in wire
    assert set(problems(GenerateRequest, **fields)) == {"style", "image_urls", "audio_urls"}
    assert set(problems(GenerateRequest, prompt="x", video_urls=["nope"], host="sunoapi")) == {
        "video_urls[0]"}


def test_sunoapi_mashup_lyrics_and_variety() -> None:
    base = {"upload_url_list": [URL_A, URL_B], **CUSTOM, "instrumental": False}
    wire = MashupRequest(**base, lyrics="[Verse] la", variety=4, host="sunoapi").to_wire()
    assert wire["lyrics"] == "[Verse] la" and wire["variety"] == 4
    assert "prompt" in problems(MashupRequest, **base, host="sunoapi")  # no lyrics at all
    assert set(problems(MashupRequest, **base, prompt="p", variety=5, host="sunoapi")) == {
        "variety"}
    found = problems(MashupRequest, **base, prompt="p", lyrics="la", variety=1)
    assert set(found) == {"lyrics", "variety"}
    assert "sunoapi.org only" in found["variety"]


# ------------------------------------------------------------------ upload-extend (§5.4)


def test_upload_extend_always_needs_continue_at_and_sends_instrumental() -> None:
    for flag_fields in ({"prompt": "p"},
                        {"default_param_flag": True, "instrumental": True, "style": "s",
                         "title": "T"}):
        found = problems(UploadExtendRequest, upload_url=URL_A, **flag_fields)
        assert set(found) == {"continue_at"} and "required" in found["continue_at"]
        wire = UploadExtendRequest(upload_url=URL_A, continue_at=12.5, **flag_fields).to_wire()
        assert wire["continueAt"] == 12.5 and isinstance(wire["instrumental"], bool)
    assert set(problems(UploadExtendRequest, upload_url=URL_A, prompt="p",
                        instrumental=None, continue_at=1)) == {"instrumental"}


# ------------------------------------------------------------------ replace-section (§5.7)

SECTION = {"task_id": "t", "audio_id": "a", "prompt": "p", "tags": "pop", "title": "T",
           "full_lyrics": "[Verse] all of it"}


def window_ok(start: float, end: float, total: float | None) -> bool:
    length = end - start
    if not (end > start and 6 - 1e-9 <= length <= 60 + 1e-9):
        return False
    return total is None or (end <= total and length <= total / 2 + 1e-9)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    start=st.sampled_from([0, 5, 10, 29.5, 100]),
    length=st.sampled_from([0, 5.99, 6, 30, 40, 60, 60.01]),
    total=st.sampled_from([None, 20, 60, 80, 120, 240.5]),
)
def test_replace_section_window(start: float, length: float, total: float | None) -> None:
    end = round(start + length, 2)
    found = problems(ReplaceSectionRequest, **SECTION, infill_start_s=start,
                     infill_end_s=end, source_duration=total)
    assert (found == {}) == window_ok(start, end, total), found
    assert set(found) <= {"infill_end_s"}
    if not found:
        wire = ReplaceSectionRequest(**SECTION, infill_start_s=start, infill_end_s=end,
                                     source_duration=total).to_wire()
        assert "sourceDuration" not in wire and wire["fullLyrics"] == SECTION["full_lyrics"]


def test_replace_section_needs_full_lyrics() -> None:
    fields = {**SECTION, "infill_start_s": 0, "infill_end_s": 10}
    del fields["full_lyrics"]
    assert problems(ReplaceSectionRequest, **fields) == {
        "full_lyrics": "required for replace-section (the whole song's lyrics)"}


# ------------------------------------------------------------------ separation (§6.8)


def test_separation_modes() -> None:
    ids = {"task_id": "t", "audio_id": "a"}
    wire = SeparateVocalsRequest(**ids, type="split_stem_advanced", stem_name="Drums").to_wire()
    assert wire == {"taskId": "t", "audioId": "a", "type": "split_stem_advanced",
                    "stemName": "Drums"}
    advanced = SeparateVocalsRequest(**ids, type="split_stem_advanced", stem_name="Drums")
    assert advanced.type is SeparationType.SPLIT_STEM_ADVANCED
    assert set(problems(SeparateVocalsRequest, **ids, type="split_stem_advanced")) == {
        "stem_name"}
    assert set(problems(SeparateVocalsRequest, **ids, stem_name="Drums")) == {"stem_name"}
    wire = SeparateVocalsRequest(audio_url=URL_A, type="split_stem").to_wire()
    assert wire == {"type": "split_stem", "audioUrl": URL_A}
    assert set(problems(SeparateVocalsRequest, **ids, audio_url=URL_A)) == {"audio_url"}
    assert set(problems(SeparateVocalsRequest, audio_url="file:///etc/passwd")) == {"audio_url"}
    assert set(problems(SeparateVocalsRequest)) == {"task_id", "audio_id"}
    assert set(problems(SeparateVocalsRequest, **ids, type="karaoke")) == {"type"}


# ------------------------------------------------------------------ recovery (§6.13)


def test_recovery_body_field_per_host() -> None:
    request = RecoveryRequest(suno_task_id="t1", call_back_url="https://me.test/cb")
    assert request.to_wire() == {"task_id": "t1", "callBackUrl": "https://me.test/cb"}
    assert request.for_host("apikley").to_wire()["task_id"] == "t1"
    sunoapi = request.for_host("sunoapi")
    assert sunoapi.to_wire() == {"sunoTaskId": "t1", "callBackUrl": "https://me.test/cb"}
    assert request.for_host("kie") is request
    assert sunoapi.host == "sunoapi" and request.host == "kie"


def test_for_host_revalidates() -> None:
    request = GenerateRequest(prompt="x" * 3000, model="V6", host="sunoapi")
    with pytest.raises(RequestValidationError, match="at most 500"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        request.for_host("kie")


# ------------------------------------------------------------------ Suno Voice (§6.14)


def test_voice_validate() -> None:
    wire = VoiceValidateRequest(voice_url=URL_A, vocal_start_s=0, vocal_end_s=20.5,
                                language="ja").to_wire()
    assert wire == {"voiceUrl": URL_A, "vocalStartS": 0, "vocalEndS": 20.5, "language": "ja"}
    assert VoiceValidateRequest.spec.callback and VoiceValidateRequest.kind == "voice_validate"
    assert set(problems(VoiceValidateRequest)) == {"voice_url", "vocal_start_s", "vocal_end_s"}
    assert set(problems(VoiceValidateRequest, voice_url=URL_A, vocal_start_s=10,
                        vocal_end_s=10)) == {"vocal_end_s"}
    assert set(problems(VoiceValidateRequest, voice_url=URL_A, vocal_start_s=0,
                        vocal_end_s=math.inf, language="xx")) == {"vocal_end_s", "language"}


def test_voice_generate_regenerate_check_and_lookups() -> None:
    wire = VoiceGenerateRequest(task_id="v1", verify_url=URL_B, voice_name="Me",
                                singer_skill_level="professional").to_wire()
    assert wire == {"taskId": "v1", "verifyUrl": URL_B, "voiceName": "Me",
                    "singerSkillLevel": "professional"}
    assert VoiceGenerateRequest.kind == "voice"
    assert set(problems(VoiceGenerateRequest, singer_skill_level="god")) == {
        "task_id", "verify_url", "singer_skill_level"}
    regen = VoiceRegenerateRequest(task_id="v1", call_back_url="https://me.test/cb").to_wire()
    assert regen == {"taskId": "v1", "calBackUrl": "https://me.test/cb"}  # sic, as sent live
    assert CheckVoiceRequest(task_id="g1").to_wire() == {"task_id": "g1"}
    assert CheckVoiceRequest.kind is None and not CheckVoiceRequest.needs_callback
    for cls in (VoiceValidateInfoRequest, VoiceRecordInfoRequest):
        assert cls.spec.method == "GET" and cls(task_id="x").to_wire() == {"taskId": "x"}
        assert set(problems(cls)) == {"task_id"}


# ------------------------------------------------------------------ bad text and numbers

LONE = "ok \ud800 there"


@pytest.mark.parametrize(("cls", "fields", "field"), [
    (GenerateRequest, {"prompt": LONE}, "prompt"),
    (GenerateRequest, {**CUSTOM, "title": LONE}, "title"),
    (GenerateRequest, {**CUSTOM, "style": "\udfff"}, "style"),
    (ExtendRequest, {"audio_id": "a\udc80"}, "audio_id"),
    (MashupRequest, {"upload_url_list": [URL_A, URL_B + "\ud800"], "prompt": "p"},
     "upload_url_list[1]"),
    (requests_pkg.LyricsRequest, {"prompt": LONE}, "prompt"),
    (requests_pkg.StyleBoostRequest, {"content": LONE}, "content"),
    (requests_pkg.Base64UploadRequest, {"base64_data": "aGk=", "upload_path": "a\ud800"},
     "upload_path"),
])
def test_text_that_cannot_be_utf8_json_is_a_problem(
    cls: type[Any], fields: dict[str, Any], field: str
) -> None:
    found = problems(cls, **fields)
    assert set(found) == {field}
    assert "cannot be sent as UTF-8 JSON" in found[field] and "position" in found[field]


def test_valid_unicode_is_fine() -> None:
    request = GenerateRequest(prompt="夜の街 🎶 café")
    assert request.to_wire()["prompt"] == "夜の街 🎶 café"


def _float_fields() -> list[tuple[type[Any], str]]:
    found = []
    for cls in all_request_classes():
        for field in attrs.fields(attrs.resolve_types(cls)):
            if "float" in str(field.type):
                found.append((cls, field.name))
    return found


FLOAT_FIELDS = _float_fields()


def test_float_fields_are_found() -> None:
    names = {name for _, name in FLOAT_FIELDS}
    assert {"style_weight", "continue_at", "infill_start_s", "vocal_start", "vocal_end_s",
            "source_duration"} <= names


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize(("cls", "name"), FLOAT_FIELDS,
                         ids=[f"{c.__name__}.{n}" for c, n in FLOAT_FIELDS])
def test_non_finite_numbers_are_problems_everywhere(cls: type[Any], name: str, bad: float) -> None:
    found = problems(cls, **{name: bad})
    assert name in found, found
    assert "finite" in found[name] or "between" in found[name], found[name]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(text_=st.text(alphabet=st.characters(codec=None, categories=("Ll", "Lo", "Cs", "Zs")),
                     min_size=1, max_size=20))
def test_any_text_is_either_sendable_or_a_problem_naming_the_field(text_: str) -> None:
    fields = {**CUSTOM, "title": text_}
    found = problems(GenerateRequest, **fields)
    try:
        text_.encode("utf-8")
    except UnicodeEncodeError:
        assert "title" in found and "UTF-8" in found["title"]
        return
    if not found:
        body = json.dumps(GenerateRequest(**fields).to_wire(), ensure_ascii=False)
        assert body.encode("utf-8")
