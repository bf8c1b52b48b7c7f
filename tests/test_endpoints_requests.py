"""Validation of every request class beyond generate / upload-cover / add-instrumental.

Each rule of REFERENCE §5-§6 is exercised valid and invalid; an invalid request
reports every problem at once, each with its field path. Numeric windows are checked
against an independent oracle with hypothesis.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from suno_async import (
    AddVocalsRequest,
    CoverArtRequest,
    ExtendRequest,
    LyricsRequest,
    MashupRequest,
    MidiRequest,
    Model,
    MusicVideoRequest,
    PersonaRequest,
    ReplaceSectionRequest,
    SeparateVocalsRequest,
    SeparationType,
    SoundKey,
    SoundsRequest,
    StyleBoostRequest,
    TimestampedLyricsRequest,
    UploadExtendRequest,
    WavRequest,
)
from suno_async.errors import RequestValidationError, UnknownModelWarning
from suno_async.models.requests import Base64UploadRequest, StreamUploadRequest, UrlUploadRequest

URL_A = "https://files.example.com/a.mp3"
URL_B = "https://files.example.com/b.mp3"


def problems(cls: type[Any], **fields: Any) -> dict[str, str]:
    """Field path -> message of every problem ``cls(**fields)`` reports ({} if valid)."""
    error: RequestValidationError | None = None
    try:
        cls(**fields)
    except RequestValidationError as exc:
        error = exc
    if error is None:
        return {}
    found = {p.field: p.message for p in error.problems}
    assert len(found) == len(error.problems), "one problem per field path"
    assert "nothing was sent" in str(error)
    return found


def fields_of(cls: type[Any], **fields: Any) -> set[str]:
    return set(problems(cls, **fields))


# ----------------------------------------------------------------------------- extend


def test_extend_inherits_by_default() -> None:
    req = ExtendRequest(audio_id="e231", model="V4_5")
    assert req.to_wire() == {"audioId": "e231", "defaultParamFlag": False, "model": "V4_5"}
    assert req.kind == "music"
    assert req.path == "/api/v1/generate/extend"


def test_extend_custom_params_wire() -> None:
    req = ExtendRequest(
        audio_id="e231",
        default_param_flag=True,
        prompt="[Outro] fade away",
        style="synthwave",
        title="Longer",
        continue_at=42.5,
        vocal_gender="f",
        style_weight=0.65,
    )
    wire = req.to_wire()
    assert wire["defaultParamFlag"] is True
    assert wire["continueAt"] == 42.5
    assert wire["vocalGender"] == "f"
    assert wire["styleWeight"] == 0.65
    assert "callBackUrl" not in wire  # filled by the client


def test_extend_custom_params_all_missing_reported_at_once() -> None:
    found = problems(ExtendRequest, default_param_flag=True)
    assert set(found) == {"audio_id", "style", "title", "prompt", "continue_at"}
    assert "default_param_flag=True" in found["continue_at"]


def test_extend_inherit_mode_refuses_ignored_fields() -> None:
    found = problems(ExtendRequest, audio_id="a", style="rock", title="T")
    assert set(found) == {"style", "title"}
    assert "default_param_flag=True" in found["style"]


@pytest.mark.parametrize("at", [0, -1, -0.01, math.inf, math.nan])
def test_extend_continue_at_must_be_positive(at: float) -> None:
    found = problems(
        ExtendRequest, audio_id="a", default_param_flag=True, prompt="la", style="s",
        title="t", continue_at=at,
    )
    assert set(found) == {"continue_at"}


def test_extend_title_limit_follows_the_model() -> None:
    base = {"audio_id": "a", "default_param_flag": True, "prompt": "la", "style": "s",
            "continue_at": 10}
    assert fields_of(ExtendRequest, **base, title="x" * 100, model=Model.V5) == set()
    assert fields_of(ExtendRequest, **base, title="x" * 101, model=Model.V5) == {"title"}
    assert fields_of(ExtendRequest, **base, title="x" * 81, model=Model.V4) == {"title"}


def test_extend_style_and_prompt_limits() -> None:
    base = {"audio_id": "a", "default_param_flag": True, "title": "t", "continue_at": 10,
            "model": "V4"}
    assert fields_of(ExtendRequest, **base, style="s" * 201, prompt="p" * 3001) == {
        "style", "prompt"}


def test_extend_unknown_model_is_sent_with_a_warning() -> None:
    with pytest.warns(UnknownModelWarning):
        req = ExtendRequest(audio_id="a", model="V9_TURBO")
    assert req.to_wire()["model"] == "V9_TURBO"


def test_extend_wrong_types_reported() -> None:
    found = problems(ExtendRequest, audio_id=5, default_param_flag="yes", continue_at="10")
    assert {"audio_id", "default_param_flag", "continue_at"} <= set(found)


# ----------------------------------------------------------------------------- upload-extend


def test_upload_extend_simple_mode() -> None:
    req = UploadExtendRequest(upload_url=URL_A, prompt="keep the groove going", continue_at=42)
    wire = req.to_wire()
    assert wire["uploadUrl"] == URL_A
    assert wire["instrumental"] is False  # never null: the live API refuses it
    assert wire["defaultParamFlag"] is False


def test_upload_extend_simple_mode_needs_prompt_and_url() -> None:
    # continue_at: documented optional, but every live call without it fails (REFERENCE §5.4)
    assert fields_of(UploadExtendRequest) == {"upload_url", "prompt", "continue_at"}
    assert fields_of(UploadExtendRequest, upload_url="ftp://x/a.mp3", prompt="p",
                     continue_at=5) == {"upload_url"}


def test_upload_extend_custom_instrumental_needs_no_prompt() -> None:
    ok = {"upload_url": URL_A, "default_param_flag": True, "instrumental": True,
          "style": "ambient", "title": "Drift", "continue_at": 30}
    assert fields_of(UploadExtendRequest, **ok) == set()
    ok["instrumental"] = False
    assert fields_of(UploadExtendRequest, **ok) == {"prompt"}
    del ok["continue_at"]
    assert fields_of(UploadExtendRequest, **ok) == {"prompt", "continue_at"}


# ----------------------------------------------------------------------------- add-vocals


def test_add_vocals_valid_and_defaults() -> None:
    req = AddVocalsRequest(upload_url=URL_A, prompt="[Verse] hello", title="Hi",
                           style="soul", negative_tags="metal")
    assert req.to_wire()["model"] == "V4_5PLUS"
    assert req.to_wire()["negativeTags"] == "metal"


def test_add_vocals_everything_missing() -> None:
    assert fields_of(AddVocalsRequest) == {"upload_url", "prompt", "title", "style",
                                           "negative_tags"}


def test_add_vocals_models() -> None:
    base = {"upload_url": URL_A, "prompt": "p", "title": "t", "style": "s",
            "negative_tags": "n"}
    for model in (Model.V4_5PLUS, Model.V5, Model.V5_5):
        assert fields_of(AddVocalsRequest, **base, model=model) == set()
    found = problems(AddVocalsRequest, **base, model=Model.V4)
    assert set(found) == {"model"}
    assert "V4_5PLUS" in found["model"]


def test_add_vocals_title_100() -> None:
    base = {"upload_url": URL_A, "prompt": "p", "style": "s", "negative_tags": "n"}
    assert fields_of(AddVocalsRequest, **base, title="t" * 100) == set()
    assert fields_of(AddVocalsRequest, **base, title="t" * 101) == {"title"}


# ----------------------------------------------------------------------------- replace-section

SECTION = {"prompt": "new line", "tags": "pop", "title": "T", "full_lyrics": "la la la"}


def test_replace_section_track_mode() -> None:
    req = ReplaceSectionRequest(**SECTION, task_id="t1", audio_id="a1", infill_start_s=10.25,
                                infill_end_s=40)
    wire = req.to_wire()
    assert wire["infillStartS"] == 10.25
    assert wire["fullLyrics"] == "la la la"
    assert "model" not in wire
    assert req.kind == "music"


def test_replace_section_upload_mode() -> None:
    req = ReplaceSectionRequest(**SECTION, upload_url=URL_A, model="V4_5", infill_start_s=0,
                                infill_end_s=6)
    assert req.to_wire()["model"] == "V4_5"
    assert req.to_wire()["uploadUrl"] == URL_A


def test_replace_section_needs_a_source() -> None:
    found = problems(ReplaceSectionRequest, **SECTION, infill_start_s=1, infill_end_s=10)
    assert set(found) == {"task_id"}
    assert "upload_url + model" in found["task_id"]


def test_replace_section_both_sources_refused() -> None:
    found = problems(ReplaceSectionRequest, **SECTION, task_id="t", audio_id="a",
                     upload_url=URL_A, model="V5", infill_start_s=1, infill_end_s=10)
    assert set(found) == {"upload_url"}
    assert "not both" in found["upload_url"]


@pytest.mark.parametrize(
    ("source", "missing"),
    [
        ({"task_id": "t"}, {"audio_id"}),
        ({"audio_id": "a"}, {"task_id"}),
        ({"upload_url": URL_A}, {"model"}),
        ({"model": "V5"}, {"upload_url"}),
    ],
)
def test_replace_section_half_a_source(source: dict[str, str], missing: set[str]) -> None:
    assert fields_of(ReplaceSectionRequest, **SECTION, **source, infill_start_s=1,
                     infill_end_s=10) == missing


def test_replace_section_v3_5_refused_in_upload_mode() -> None:
    assert fields_of(ReplaceSectionRequest, **SECTION, upload_url=URL_A, model=Model.V3_5,
                     infill_start_s=1, infill_end_s=10) == {"model"}


def test_replace_section_everything_wrong_at_once() -> None:
    found = problems(ReplaceSectionRequest, infill_start_s=-1, infill_end_s=1.234)
    assert set(found) == {"prompt", "tags", "title", "full_lyrics", "infill_start_s",
                          "infill_end_s", "task_id"}


def window_oracle(start: float, end: float) -> set[str]:
    """REFERENCE §3.3 / §5.7: both >= 0 with 2 decimals, start < end, 6-60 s long."""
    bad = set()

    def two_dp(x: float) -> bool:
        return math.isclose(x * 100, round(x * 100), abs_tol=1e-6)

    if start < 0 or not two_dp(start):
        bad.add("infill_start_s")
    if end < 0 or not two_dp(end):
        bad.add("infill_end_s")
    if not bad and not (end > start and 6 - 1e-9 <= end - start <= 60 + 1e-9):
        bad.add("infill_end_s")
    return bad


seconds = st.one_of(
    st.integers(min_value=-5, max_value=200).map(float),
    st.decimals(min_value=-5, max_value=200, places=2).map(float),
    st.floats(min_value=-5, max_value=200, allow_nan=False),
)


#: Window lengths around every edge of the rules (and some anywhere).
near_edges = st.one_of(
    st.sampled_from([-0.01, 0, 0.01, 5, 5.99, 6, 6.01, 9.99, 10, 10.01, 29.99, 30, 30.01,
                     31, 59.99, 60, 60.01, 61]),
    st.floats(min_value=-10, max_value=120, allow_nan=False),
)


@given(start=seconds, end=seconds)
def test_replace_section_window_matches_oracle(start: float, end: float) -> None:
    found = fields_of(ReplaceSectionRequest, **SECTION, task_id="t", audio_id="a",
                      infill_start_s=start, infill_end_s=end)
    assert found == window_oracle(start, end)


@given(start=st.decimals(min_value=0, max_value=300, places=2).map(float), length=near_edges)
def test_replace_section_window_lengths_match_oracle(start: float, length: float) -> None:
    end = round(start + length, 2)
    found = fields_of(ReplaceSectionRequest, **SECTION, task_id="t", audio_id="a",
                      infill_start_s=start, infill_end_s=end)
    assert found == window_oracle(start, end)


@given(start=st.decimals(min_value=0, max_value=500, places=2).map(float),
       length=st.decimals(min_value=6, max_value=60, places=2).map(float))
def test_replace_section_every_valid_window_accepted(start: float, length: float) -> None:
    end = round(start + length, 2)
    if end - start < 6 or end - start > 60:  # rounding pushed it over an edge
        return
    ReplaceSectionRequest(**SECTION, task_id="t", audio_id="a", infill_start_s=start,
                          infill_end_s=end)


def test_replace_section_window_edges() -> None:
    ok = {**SECTION, "task_id": "t", "audio_id": "a"}
    assert fields_of(ReplaceSectionRequest, **ok, infill_start_s=4, infill_end_s=10) == set()
    assert fields_of(ReplaceSectionRequest, **ok, infill_start_s=4, infill_end_s=64) == set()
    assert fields_of(ReplaceSectionRequest, **ok, infill_start_s=4,
                     infill_end_s=9.99) == {"infill_end_s"}
    assert fields_of(ReplaceSectionRequest, **ok, infill_start_s=4,
                     infill_end_s=64.01) == {"infill_end_s"}
    assert fields_of(ReplaceSectionRequest, **ok, infill_start_s=20,
                     infill_end_s=10) == {"infill_end_s"}


# ----------------------------------------------------------------------------- mashup


def test_mashup_valid_list_becomes_a_tuple() -> None:
    req = MashupRequest(upload_url_list=[URL_A, URL_B], prompt="blend them")
    assert req.upload_url_list == (URL_A, URL_B)
    assert req.to_wire()["uploadUrlList"] == [URL_A, URL_B]
    assert hash(req)  # frozen and hashable


@pytest.mark.parametrize("urls", [[], [URL_A], [URL_A, URL_B, URL_A]])
def test_mashup_needs_exactly_two(urls: list[str]) -> None:
    found = problems(MashupRequest, upload_url_list=urls, prompt="p")
    assert set(found) == {"upload_url_list"}
    assert "exactly 2" in found["upload_url_list"]


def test_mashup_item_paths() -> None:
    found = problems(MashupRequest, upload_url_list=[URL_A, "not a url"], prompt="p")
    assert set(found) == {"upload_url_list[1]"}
    found = problems(MashupRequest, upload_url_list=["", "ftp://x"], prompt="p")
    assert set(found) == {"upload_url_list[0]", "upload_url_list[1]"}


def test_mashup_custom_mode_rules() -> None:
    urls = [URL_A, URL_B]
    assert fields_of(MashupRequest, upload_url_list=urls, custom_mode=True) == {
        "style", "title", "prompt"}
    assert fields_of(MashupRequest, upload_url_list=urls, custom_mode=True, instrumental=True,
                     style="house", title="Blend") == set()
    assert fields_of(MashupRequest, upload_url_list=urls, prompt="p", style="house") == {
        "style"}
    assert fields_of(MashupRequest, upload_url_list=urls, prompt="p" * 501) == {"prompt"}
    assert fields_of(MashupRequest, upload_url_list=urls, prompt="p",
                     model=Model.V3_5) == {"model"}


# ----------------------------------------------------------------------------- sounds


def test_sounds_valid() -> None:
    req = SoundsRequest(prompt="rain on a tin roof", sound_loop=True, sound_tempo=90,
                        sound_key="C#m", grab_lyrics=True)
    assert req.sound_key is SoundKey.Csm
    wire = req.to_wire()
    assert wire == {"prompt": "rain on a tin roof", "model": "V5", "soundLoop": True,
                    "soundTempo": 90, "soundKey": "C#m", "grabLyrics": True}


def test_sounds_v5_only() -> None:
    found = problems(SoundsRequest, prompt="rain", model=Model.V4_5)
    assert set(found) == {"model"}
    assert "V5" in found["model"]


def test_sounds_all_problems() -> None:
    found = problems(SoundsRequest, prompt="x" * 501, sound_tempo=0, sound_key="H",
                     sound_loop="yes")
    assert set(found) == {"prompt", "sound_tempo", "sound_key", "sound_loop"}
    assert "'F#m'" in found["sound_key"]


@given(st.one_of(st.integers(min_value=-1000, max_value=1000),
                st.sampled_from([-1, 0, 1, 2, 299, 300, 301])))
def test_sounds_tempo_range(tempo: int) -> None:
    found = fields_of(SoundsRequest, prompt="beat", sound_tempo=tempo)
    assert found == (set() if 1 <= tempo <= 300 else {"sound_tempo"})


def test_sounds_tempo_must_be_an_integer() -> None:
    assert fields_of(SoundsRequest, prompt="beat", sound_tempo=120.5) == {"sound_tempo"}


# ----------------------------------------------------------------------------- lyrics


def test_lyrics_word_limit() -> None:
    assert fields_of(LyricsRequest, prompt=" ".join(["word"] * 200)) == set()
    found = problems(LyricsRequest, prompt=" ".join(["word"] * 201))
    assert "201 words" in found["prompt"]
    assert fields_of(LyricsRequest, prompt="   ") == {"prompt"}
    assert LyricsRequest(prompt="night").kind == "lyrics"


@given(st.integers(min_value=1, max_value=400))
def test_lyrics_word_count_not_characters(words: int) -> None:
    prompt = "\n".join(["supercalifragilistic"] * words)
    assert fields_of(LyricsRequest, prompt=prompt) == (set() if words <= 200 else {"prompt"})


# ----------------------------------------------------------------------------- track requests


@pytest.mark.parametrize(
    ("cls", "kind"),
    [(WavRequest, "wav"), (SeparateVocalsRequest, "vocal_removal"),
     (MusicVideoRequest, "mp4"), (TimestampedLyricsRequest, None)],
)
def test_track_requests_need_task_and_audio(cls: type[Any], kind: str | None) -> None:
    assert cls.kind == kind
    assert fields_of(cls) == {"task_id", "audio_id"}
    assert fields_of(cls, task_id="t", audio_id=" ") == {"audio_id"}
    assert cls(task_id="t", audio_id="a").to_wire()["taskId"] == "t"


def test_separation_type() -> None:
    assert SeparateVocalsRequest(task_id="t", audio_id="a").to_wire()["type"] == "separate_vocal"
    req = SeparateVocalsRequest(task_id="t", audio_id="a", type=SeparationType.SPLIT_STEM)
    assert req.to_wire()["type"] == "split_stem"
    found = problems(SeparateVocalsRequest, task_id="t", audio_id="a", type="karaoke")
    assert set(found) == {"type"}
    assert "split_stem" in found["type"]


def test_midi_request() -> None:
    assert MidiRequest.kind == "midi"
    assert MidiRequest(task_id="sep").to_wire() == {"taskId": "sep"}
    assert MidiRequest(task_id="sep", audio_id="stem1").to_wire()["audioId"] == "stem1"
    assert fields_of(MidiRequest, audio_id="") == {"task_id", "audio_id"}


def test_music_video_text_limits() -> None:
    base = {"task_id": "t", "audio_id": "a"}
    assert fields_of(MusicVideoRequest, **base, author="a" * 50, domain_name="d" * 50) == set()
    found = problems(MusicVideoRequest, **base, author="a" * 51, domain_name="d" * 51)
    assert set(found) == {"author", "domain_name"}
    assert MusicVideoRequest(**base, domain_name="x.io").to_wire()["domainName"] == "x.io"


def test_cover_art_request() -> None:
    assert CoverArtRequest.kind == "cover_art"
    assert CoverArtRequest.path == "/api/v1/suno/cover/generate"
    assert fields_of(CoverArtRequest) == {"task_id"}
    assert fields_of(CoverArtRequest, task_id="t", call_back_url="nope") == {"call_back_url"}


def test_callback_url_checked_everywhere() -> None:
    for cls, fields in [
        (WavRequest, {"task_id": "t", "audio_id": "a"}),
        (LyricsRequest, {"prompt": "p"}),
        (SoundsRequest, {"prompt": "p"}),
        (MidiRequest, {"task_id": "t"}),
        (ExtendRequest, {"audio_id": "a"}),
        (ReplaceSectionRequest, {**SECTION, "task_id": "t", "audio_id": "a",
                                 "infill_start_s": 0, "infill_end_s": 10}),
    ]:
        assert fields_of(cls, **fields, call_back_url="javascript:alert(1)") == {
            "call_back_url"}, cls


# ----------------------------------------------------------------------------- immediate


def test_immediate_requests_need_no_callback() -> None:
    for cls in (TimestampedLyricsRequest, StyleBoostRequest, PersonaRequest,
                StreamUploadRequest, UrlUploadRequest, Base64UploadRequest):
        assert cls.needs_callback is False
        assert cls.kind is None


def test_style_boost() -> None:
    assert StyleBoostRequest(content="Pop, Mysterious").to_wire() == {"content": "Pop, Mysterious"}
    assert fields_of(StyleBoostRequest) == {"content"}
    assert fields_of(StyleBoostRequest, content="") == {"content"}


PERSONA = {"task_id": "t", "audio_id": "a", "name": "Nova", "description": "airy pop"}


def test_persona_defaults_window() -> None:
    wire = PersonaRequest(**PERSONA, style="pop").to_wire()
    assert wire == {"taskId": "t", "audioId": "a", "name": "Nova", "description": "airy pop",
                    "style": "pop"}


def test_persona_required_fields() -> None:
    assert fields_of(PersonaRequest) == {"task_id", "audio_id", "name", "description"}


def persona_oracle(start: float | None, end: float | None) -> bool:
    """REFERENCE §3.3 / §6.4: defaults 0 and 30; 10 <= end - start <= 30; both >= 0."""
    s = 0.0 if start is None else start
    e = 30.0 if end is None else end
    if s < 0 or e < 0:
        return False
    return 10 - 1e-9 <= e - s <= 30 + 1e-9


opt_seconds = st.one_of(st.none(), st.floats(min_value=-5, max_value=90, allow_nan=False),
                        st.integers(min_value=-5, max_value=90).map(float))


@given(start=opt_seconds, end=opt_seconds)
def test_persona_window_matches_oracle(start: float | None, end: float | None) -> None:
    found = fields_of(PersonaRequest, **PERSONA, vocal_start=start, vocal_end=end)
    assert (found == set()) == persona_oracle(start, end)
    assert found <= {"vocal_start", "vocal_end"}


@given(start=st.one_of(st.none(), st.sampled_from([0.0, 5.5, 12.0, 100.0])), length=near_edges)
def test_persona_window_lengths_match_oracle(start: float | None, length: float) -> None:
    end = round((start or 0.0) + length, 2)
    found = fields_of(PersonaRequest, **PERSONA, vocal_start=start, vocal_end=end)
    assert (found == set()) == persona_oracle(start, end)


def test_persona_window_messages() -> None:
    found = problems(PersonaRequest, **PERSONA, vocal_start=25)
    assert set(found) == {"vocal_start"}
    assert "defaults to 30" in found["vocal_start"]
    found = problems(PersonaRequest, **PERSONA, vocal_start=10, vocal_end=45)
    assert set(found) == {"vocal_end"}
    assert "10 to 30 s" in found["vocal_end"]


# ----------------------------------------------------------------------------- uploads


@pytest.mark.parametrize("path", ["audio", "audio/demo", "a-b_c/d.e"])
def test_upload_path_valid(path: str) -> None:
    assert StreamUploadRequest(upload_path=path).to_wire() == {"uploadPath": path}


@pytest.mark.parametrize("path", ["/audio", "audio/", "/", "a//b", "a/../b", "..", "a\\b", ""])
def test_upload_path_invalid(path: str) -> None:
    assert fields_of(StreamUploadRequest, upload_path=path) == {"upload_path"}


@pytest.mark.parametrize("name", ["../x.mp3", "a/b.mp3", "..", " ", "x" * 256])
def test_upload_file_name_invalid(name: str) -> None:
    assert fields_of(StreamUploadRequest, upload_path="audio", file_name=name) == {"file_name"}


def test_url_upload() -> None:
    req = UrlUploadRequest(file_url=URL_A, upload_path="audio", file_name="song.mp3")
    assert req.to_wire() == {"uploadPath": "audio", "fileName": "song.mp3", "fileUrl": URL_A}
    assert fields_of(UrlUploadRequest, file_url="file:///etc/passwd", upload_path="/x") == {
        "file_url", "upload_path"}


def test_base64_upload() -> None:
    req = Base64UploadRequest(base64_data="aGk=", upload_path="notes", mime_type="text/plain")
    assert req.to_wire()["base64Data"] == "aGk="
    assert "aGk=" not in repr(req)  # the payload stays out of logs
    assert fields_of(Base64UploadRequest) == {"base64_data", "upload_path"}


def test_no_warning_for_known_models() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for model in Model:
            host = "sunoapi" if model.value.startswith("V6") else "kie"
            ExtendRequest(audio_id="a", model=model, host=host)
            ExtendRequest(audio_id="a", model=model.value, host=host)


@pytest.mark.parametrize(
    ("cls", "fields", "field"),
    [
        (PersonaRequest, {**PERSONA, "vocal_start": 10**400}, "vocal_start"),
        (ReplaceSectionRequest, {**SECTION, "task_id": "t", "audio_id": "a",
                                 "infill_start_s": 0, "infill_end_s": 10**400}, "infill_end_s"),
        (ExtendRequest, {"audio_id": "a", "continue_at": 10**400}, "continue_at"),
        (SoundsRequest, {"prompt": "p", "sound_tempo": 10**400}, "sound_tempo"),
    ],
)
def test_huge_integers_are_a_problem_not_a_crash(
    cls: type[Any], fields: dict[str, Any], field: str
) -> None:
    assert fields_of(cls, **fields) == {field}


def test_huge_integer_weight_is_a_problem_not_a_crash() -> None:
    found = fields_of(ExtendRequest, audio_id="a", style_weight=10**400, audio_weight=-(10**400))
    assert found == {"style_weight", "audio_weight"}
