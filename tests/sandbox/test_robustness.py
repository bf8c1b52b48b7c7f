"""No input crashes the sandbox (issue 12 item 17): the API's own 4xx-in-body reply instead of
HTTP 500 for lone surrogates, huge numbers, wrong types, deep nesting, fuzzed bodies."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from suno_async.sandbox import Sandbox

from .support import CB, Http, gen_body

CREATE_ROUTES = (
    "/api/v1/generate",
    "/api/v1/generate/extend",
    "/api/v1/generate/upload-cover",
    "/api/v1/generate/upload-extend",
    "/api/v1/generate/add-instrumental",
    "/api/v1/generate/add-vocals",
    "/api/v1/generate/replace-section",
    "/api/v1/generate/mashup",
    "/api/v1/generate/sounds",
    "/api/v1/generate/get-timestamped-lyrics",
    "/api/v1/style/generate",
    "/api/v1/generate/generate-persona",
    "/api/v1/suno/cover/generate",
    "/api/v1/lyrics",
    "/api/v1/wav/generate",
    "/api/v1/vocal-removal/generate",
    "/api/v1/midi/generate",
    "/api/v1/mp4/generate",
    "/api/v1/suno/recovery",
    "/api/v1/common/download-url",
    "/api/v1/voice/validate",
    "/api/v1/voice/generate",
    "/api/v1/voice/regenerate",
    "/api/v1/voice/check-voice",
)
FIELDS = (
    "prompt", "style", "title", "model", "customMode", "instrumental", "callBackUrl",
    "uploadUrl", "uploadUrlList", "audioId", "taskId", "task_id", "sunoTaskId", "continueAt",
    "defaultParamFlag", "infillStartS", "infillEndS", "fullLyrics", "tags", "negativeTags",
    "styleWeight", "vocalGender", "soundTempo", "soundKey", "type", "stemName", "audioUrl",
    "url", "content", "vocalStart", "vocalEnd", "voiceUrl", "vocalStartS", "vocalEndS",
    "verifyUrl", "duration", "personaModel", "author", "name", "description",
)
ODD_STRINGS = ("\ud800", "a\udfffb", "", " ", "\x00", "[[fail]]", "ftp://x", "http://", "é" * 3)
ODD_NUMBERS = (10**400, -(10**30), 1e308, -0.0, 2**63, float("nan"), float("inf"))

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(ODD_NUMBERS),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(ODD_STRINGS),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=3),
    max_leaves=8,
)
bodies = st.dictionaries(st.sampled_from(FIELDS), json_value, max_size=8)


def encode(value: Any) -> bytes:
    """JSON as a hostile client sends it: lone surrogates escaped, NaN/Infinity literals."""
    return json.dumps(value, ensure_ascii=True, allow_nan=True).encode()


async def send(http: Http, sb: Sandbox, path: str, raw: bytes) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    async with http.post(f"{sb.url}{path}", data=raw, headers=headers) as resp:
        return resp.status, await resp.json(content_type=None)


def assert_api_reply(status: int, reply: Any, what: object) -> None:
    assert status == 200, what
    assert isinstance(reply, dict), what
    assert reply["code"] == 200 or 400 <= reply["code"] < 500, (what, reply)


@pytest.mark.parametrize("path", CREATE_ROUTES)
async def test_lone_surrogates_and_huge_numbers(sb: Sandbox, http: Http, path: str) -> None:
    cases: list[bytes] = [
        encode(gen_body(prompt="\ud800")),
        b'{"prompt": "\\ud800", "callBackUrl": "' + CB.encode() + b'"}',
        b'{"\\udc00": 1}',
        encode(gen_body(continueAt=10**400, styleWeight=1e400)),
        b'{"continueAt": 1e400, "infillStartS": -1e400, "callBackUrl": "' + CB.encode() + b'"}',
        b'{"duration": ' + b"9" * 5000 + b"}",  # past Python's int digit limit
        b"[" * 10000 + b"]" * 10000,  # deep nesting
        b'{"a":' * 200 + b"1" + b"}" * 200,
        b"\xff\xfe not utf-8",
        b'"just a string"',
        b"",
    ]
    for raw in cases:
        status, reply = await send(http, sb, path, raw)
        assert_api_reply(status, reply, raw[:60])


@pytest.mark.parametrize("path", ["/api/file-url-upload", "/api/file-base64-upload"])
async def test_upload_host_refuses_unreadable_json(sb: Sandbox, http: Http, path: str) -> None:
    for raw in (b"[" * 10000 + b"]" * 10000, b'{"uploadPath": "\\ud800", "fileUrl": 1}',
                b"\xff", b'{"base64Data": "aGk=", "uploadPath": "x", "fileName": "\\udfff"}'):
        async with http.post(f"{sb.upload_url}{path}", data=raw,
                             headers={"Content-Type": "application/json"}) as resp:
            assert resp.status == 400, raw[:40]
            reply = await resp.json()
        assert (reply["success"], reply["code"]) == (False, 400)


async def test_surrogate_prompt_is_a_400_in_body(sb: Sandbox, http: Http) -> None:
    status, reply = await send(http, sb, "/api/v1/generate", encode(gen_body(prompt="\ud800")))
    assert (status, reply) == (200, {"code": 400, "msg": "Request body must be valid JSON",
                                     "data": None})
    assert sb.stats.submissions.total() == 0


@settings(
    max_examples=250,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(path=st.sampled_from(CREATE_ROUTES), body=bodies)
async def test_fuzzed_bodies_never_give_http_500(
    sb: Sandbox, http: Http, path: str, body: dict[str, Any]
) -> None:
    status, reply = await send(http, sb, path, encode(body))
    assert_api_reply(status, reply, (path, body))


async def test_record_info_queries_never_crash(sb: Sandbox, http: Http) -> None:
    for path in ("/api/v1/generate/record-info", "/api/v1/suno/recovery/record-info",
                 "/api/v1/voice/record-info"):
        for value in ("%ED%A0%80", "%00", "x" * 5000, "%FF"):
            for name in ("taskId", "task_id"):
                async with http.get(f"{sb.url}{path}?{name}={value}") as resp:
                    assert resp.status == 200, (path, value)
                    reply = await resp.json()
                assert reply["code"] in (200, 422, 500), reply
    async with (
        aiohttp.ClientSession() as anon,
        anon.post(f"{sb.url}/api/v1/generate", data=b'{"prompt": "\\ud800"}') as resp,
    ):
        assert resp.status == 401  # no key: refused before the body is read
