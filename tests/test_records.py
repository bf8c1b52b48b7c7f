"""Every response fixture parses into its typed model."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from suno_async._convert import parse_timestamp, structure
from suno_async.errors import APIResponseValidationError
from suno_async.jobs.kinds import KINDS
from suno_async.models.callbacks import callback_task_id, parse_callback
from suno_async.models.records import Mp4Record, MusicRecord, VocalRemovalRecord

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "api" / "fixtures"
if not FIXTURES.is_dir():  # CI clones main with shared/ beside it
    FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "api" / "fixtures"

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason="shared/api/fixtures not present")


def load(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((FIXTURES / name).read_text())


def test_every_fixture_file_is_covered() -> None:
    names = {p.name for p in FIXTURES.glob("*.json")}
    covered = set(RECORDS) | set(CALLBACKS) | set(ERRORS) | set(IMMEDIATE) | {
        "sunoapi_record_info_generate_audio_failed_fragment.json",
        "sunoapi_generate_response_real.json", "observed_error_messages.json"}
    assert names <= covered, names - covered


RECORDS = {
    "doc_kie_record_info_success.json": ("music", "SUCCESS"),
    "sunoapi_record_info_pending_real.json": ("music", "PENDING"),
    "doc_vocal_removal_record_info.json": ("vocal_removal", "SUCCESS"),
    "doc_mp4_record_info.json": ("mp4", "SUCCESS"),
}


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_record_fixtures(name: str) -> None:
    kind, status = RECORDS[name]
    record = KINDS[kind].parse(load(name)["data"])
    assert record.status == status


def test_live_pending_record_shape() -> None:
    record = structure(load("sunoapi_record_info_pending_real.json")["data"], MusicRecord)
    assert record.response is None and record.tracks == ()
    assert record.create_time == datetime(2026, 4, 16, 11, 47, 52, tzinfo=UTC)
    assert record.params["model"] == "V4" and record.type == "chirp-v4"
    assert "httpbin" not in repr(record)  # param holds the callback URL: kept out of reprs


def test_documented_success_record_tracks() -> None:
    record = structure(load("doc_kie_record_info_success.json")["data"], MusicRecord)
    (track,) = record.tracks
    assert track.ready and track.duration == 198.44 and track.title == "钢铁侠"
    assert track.create_time == datetime(2025, 1, 1, tzinfo=UTC)


def test_failure_fragment() -> None:
    data = load("sunoapi_record_info_generate_audio_failed_fragment.json")
    record = structure(data, MusicRecord)
    verdict = KINDS["music"].classify(record)
    assert verdict.failure is not None and verdict.failure.__name__ == "GenerationFailedError"
    assert record.error_code == 500


def test_family_records() -> None:
    stems = structure(load("doc_vocal_removal_record_info.json")["data"], VocalRemovalRecord)
    assert set(stems.stems) == {"vocal", "instrumental"}
    assert structure(load("doc_mp4_record_info.json")["data"], Mp4Record).video_url.endswith(".mp4")


CALLBACKS = {
    "doc_callback_generate_text.json": ("music", "TEXT_SUCCESS", 0),
    "doc_callback_generate_first.json": ("music", "FIRST_SUCCESS", 1),
    "doc_callback_generate_complete.json": ("music", "SUCCESS", 2),
    "doc_callback_generate_error.json": ("music", "GENERATE_AUDIO_FAILED", 0),
    "doc_callback_replace_section_error.json": ("music", "GENERATE_AUDIO_FAILED", 0),
    "doc_callback_lyrics_complete.json": ("lyrics", "SUCCESS", 1),
    "doc_callback_lyrics_error.json": ("lyrics", "GENERATE_LYRICS_FAILED", 0),
}


@pytest.mark.parametrize("name", sorted(CALLBACKS))
def test_callback_fixtures(name: str) -> None:
    kind, status, items = CALLBACKS[name]
    body = load(name)
    record = parse_callback(kind, body)
    assert record.status == status
    assert record.task_id == callback_task_id(body)
    assert len(getattr(record, "tracks", getattr(record, "variants", ()))) == items


def test_replace_section_error_message_comes_from_data_error() -> None:
    record = parse_callback("music", load("doc_callback_replace_section_error.json"))
    assert record.error_message == "Generation failed due to technical issues"
    assert record.error_code == 501


ERRORS = ["kie_error_401_no_access.json", "kie_error_callbackurl_missing_http200_code422.json",
          "sunoapi_error_callbackurl_missing_code400.json", "doc_kie_error_500.json"]
IMMEDIATE = ["doc_style_boost.json", "doc_timestamped_lyrics.json"]


def test_timestamps_in_every_observed_form() -> None:
    ms = parse_timestamp(1776340072000)
    assert ms == parse_timestamp(1776340072) == parse_timestamp("1776340072000")
    assert parse_timestamp("2025-01-15T10:35:27.000Z") == datetime(2025, 1, 15, 10, 35, 27,
                                                                   tzinfo=UTC)
    assert parse_timestamp(None) is None and parse_timestamp("") is None


def test_unknown_fields_are_ignored_and_bad_shapes_are_typed_errors() -> None:
    record = structure({"taskId": "t", "status": "NEW_THING", "brandNew": {"x": 1}}, MusicRecord)
    assert record.status == "NEW_THING"
    with pytest.raises(APIResponseValidationError):
        structure({"taskId": "t", "response": {"sunoData": "nope"}}, MusicRecord)
    with pytest.raises(APIResponseValidationError):
        structure(["not", "an", "object"], MusicRecord)
