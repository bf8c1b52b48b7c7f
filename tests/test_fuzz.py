"""Fuzzing with hypothesis: no input from the wire or from the caller crashes the SDK.

* arbitrary JSON into every parser (``_convert.structure`` for every model class,
  ``parse_callback`` for every job kind, ``JobKind.parse`` + ``classify``) gives a result
  or :class:`APIResponseValidationError`, never another exception;
* arbitrary bodies, statuses and content types served by a tiny local aiohttp server
  through the real transport give a result or a typed :class:`APIStatusError`
  (``APIResponseValidationError`` for a 200 that is not the envelope);
* arbitrary keyword arguments to every request class (discovered from
  ``suno_async.models.__all__``, so classes added later are fuzzed too) give a request
  whose wire body is JSON, or :class:`RequestValidationError`.
"""

from __future__ import annotations

import asyncio
import enum
import json
import math
import os
import warnings
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import suno_async.models as models
from suno_async import RetryPolicy, SunoClient, Timeouts
from suno_async._convert import structure
from suno_async.errors import (
    APIResponseValidationError,
    APIStatusError,
    NotFoundError,
    RequestValidationError,
    SunoError,
)
from suno_async.jobs.kinds import KINDS
from suno_async.models import records
from suno_async.models.callbacks import callback_task_id, parse_callback
from suno_async.models.requests import Request

from ._reliability import no_leaks  # noqa: F401

pytestmark = pytest.mark.usefixtures("no_leaks")

FUZZ = settings(
    max_examples=int(os.environ.get("SUNO_FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# ---------------------------------------------------------------------------- strategies

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["", "SUCCESS", "PENDING", "1", "3", "2025-01-01 00:00:00", "1e400"])
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=25,
)

#: Keys the parsers actually look for, so generated objects reach deep code paths.
WIRE_KEYS = [
    "taskId",
    "task_id",
    "status",
    "successFlag",
    "response",
    "sunoData",
    "data",
    "audioUrl",
    "audio_url",
    "streamAudioUrl",
    "imageUrl",
    "createTime",
    "create_time",
    "duration",
    "errorCode",
    "errorMessage",
    "callbackType",
    "code",
    "msg",
    "id",
    "title",
    "tags",
    "audioWavUrl",
    "vocal_removal_info",
    "video_url",
    "images",
    "instruments",
    "notes",
    "midi_data",
    "alignedWords",
    "word",
    "startS",
    "endS",
    "param",
    "type",
    "error",
]
shaped = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(WIRE_KEYS), inner, max_size=6)
    ),
    max_leaves=30,
)
any_json = json_values | shaped


def model_classes() -> list[type[Any]]:
    """Every attrs class the wire is parsed into (records + results), found dynamically."""
    found: dict[str, type[Any]] = {}
    for module in (records, models):
        for name in dir(module):
            obj = getattr(module, name)
            if (
                isinstance(obj, type)
                and attrs.has(obj)
                and not issubclass(obj, Request)
                and obj is not records.Record  # the abstract base (no status of its own)
                and obj.__module__.startswith("suno_async.models")
            ):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return sorted(found.values(), key=lambda c: c.__qualname__)


def request_classes() -> list[type[Request]]:
    """Every request class exported by ``suno_async.models`` (and its requests module)."""
    from suno_async.models import requests as requests_module

    names = set(models.__all__) | set(getattr(requests_module, "__all__", ()))
    classes = {getattr(requests_module, n, None) or getattr(models, n, None) for n in names}
    return sorted(
        (c for c in classes if isinstance(c, type) and issubclass(c, Request)),
        key=lambda c: c.__qualname__,
    )


MODEL_CLASSES = model_classes()
REQUEST_CLASSES = request_classes()


def test_discovery_finds_the_families() -> None:
    names = {c.__name__ for c in MODEL_CLASSES}
    assert {"MusicRecord", "Track", "LyricsRecord", "WavRecord", "MidiRecord"} <= names
    requests = {c.__name__ for c in REQUEST_CLASSES}
    assert {"GenerateRequest", "UploadCoverRequest", "AddInstrumentalRequest"} <= requests


# ---------------------------------------------------------------------------- parsers


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=lambda c: c.__name__)
@FUZZ
@given(value=any_json)
def test_structure_gives_a_model_or_a_validation_error(cls: type[Any], value: Any) -> None:
    try:
        result = structure(value, cls)
    except APIResponseValidationError as exc:
        error = exc
    else:
        error = None
    if error is not None:
        assert error.body is value or error.body == value or value != value  # NaN != NaN
        return
    assert isinstance(result, cls)
    repr(result)  # reprs of parsed models never fail
    touch_properties(result)


def touch_properties(obj: object) -> None:
    """Every public property of a parsed model works on whatever was parsed."""
    for name in dir(type(obj)):
        if not name.startswith("_") and isinstance(getattr(type(obj), name), property):
            getattr(obj, name)


def test_properties_survive_a_deeply_nested_param() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    record = structure({"taskId": "t", "param": deep}, records.MusicRecord)
    assert record.params == {}


@pytest.mark.parametrize("kind", sorted(KINDS))
@FUZZ
@given(value=any_json)
def test_record_parse_and_classify(kind: str, value: Any) -> None:
    job_kind = KINDS[kind]
    try:
        record = job_kind.parse(value)
    except APIResponseValidationError:
        return
    assert isinstance(record, job_kind.record_type)
    job_kind.classify(record)  # any status: a stage, a failure, or "unknown" (None)
    assert isinstance(record.status, str)
    touch_properties(record)


callback_bodies = (
    any_json
    | st.fixed_dictionaries(
        {"code": scalars, "msg": scalars, "data": shaped},
        optional={"task_id": scalars, "taskId": scalars},
    ).map(lambda d: d)
    | st.fixed_dictionaries(
        {
            "code": st.sampled_from([200, 400, 413, 500, 501, "200", "x"]),
            "msg": st.text(max_size=10),
            "data": st.fixed_dictionaries(
                {
                    "task_id": st.text(min_size=1, max_size=8),
                    "callbackType": st.sampled_from(["text", "first", "complete", "error", "?"])
                    | scalars,
                    "data": any_json,
                },
                optional={
                    k: any_json
                    for k in (
                        "audioWavUrl",
                        "vocal_removal_info",
                        "video_url",
                        "images",
                        "instruments",
                        "error",
                    )
                },
            ),
        }
    )
)


@pytest.mark.parametrize("kind", [*sorted(KINDS), "not-a-kind"])
@FUZZ
@given(body=callback_bodies)
def test_parse_callback_gives_a_record_or_a_validation_error(kind: str, body: Any) -> None:
    task_id = callback_task_id(body)
    assert task_id is None or (isinstance(task_id, str) and task_id)
    try:
        record = parse_callback(kind, body)
    except APIResponseValidationError:
        return
    assert kind in KINDS
    assert record.task_id == task_id
    KINDS[kind].classify(record)
    touch_properties(record)


def test_deeply_nested_json_is_a_validation_error() -> None:
    deep: Any = []
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(APIResponseValidationError):
        structure({"taskId": "t", "response": {"sunoData": deep}}, records.MusicRecord)


# ---------------------------------------------------------------------------- transport


class Replies:
    """A tiny local server answering every request with the reply set for it."""

    def __init__(self) -> None:
        self.status = 200
        self.body = b""
        self.content_type = "application/json"

    async def handle(self, _request: web.Request) -> web.Response:
        return web.Response(
            body=self.body, status=self.status, headers={"Content-Type": self.content_type}
        )


def _dump(value: Any) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


envelopes = st.fixed_dictionaries(
    {
        "code": st.sampled_from([200, 200, 200, 401, 402, 404, 429, 455, 500, 501, 422]) | scalars,
        "msg": scalars,
        "data": any_json,
    },
    optional={"success": st.booleans()},
)
reply_bodies = (
    envelopes.map(_dump)
    | any_json.map(_dump)
    | st.binary(max_size=64)
    | st.sampled_from([b"", b"<html>502</html>", b'{"code":200,"data":{"taskId":"', b"null"])
)
statuses = st.sampled_from([200, 200, 200, 201, 400, 401, 404, 413, 429, 500, 502, 503])
content_types = st.sampled_from(["application/json", "text/html", "text/plain"])


@pytest.fixture(scope="module")
def fuzz_server() -> Iterator[tuple[asyncio.Runner, Replies, SunoClient]]:
    """One loop, one server, one client for every transport example (fast)."""
    replies = Replies()
    runner = asyncio.Runner()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", replies.handle)
    app_runner = web.AppRunner(app, access_log=None)

    async def start() -> SunoClient:
        await app_runner.setup()
        site = web.TCPSite(app_runner, "127.0.0.1", 0)
        await site.start()
        port = app_runner.addresses[0][1]
        return SunoClient(
            api_key="fuzz-key-0123456789",
            base_url=f"http://127.0.0.1:{port}",
            retry=RetryPolicy(max_attempts=1),
            timeouts=Timeouts(connect=2, read=5, total=5),
        )

    client = runner.run(start())
    try:
        yield runner, replies, client
    finally:
        runner.run(client.aclose())
        runner.run(app_runner.cleanup())
        runner.close()


@settings(FUZZ, max_examples=FUZZ.max_examples * 4)
@given(body=reply_bodies, status=statuses, content_type=content_types)
def test_transport_gives_data_or_a_typed_error(
    fuzz_server: tuple[asyncio.Runner, Replies, SunoClient],
    body: bytes,
    status: int,
    content_type: str,
) -> None:
    runner, replies, client = fuzz_server
    replies.body, replies.status, replies.content_type = body, status, content_type

    async def calls() -> list[object]:
        outcomes: list[object] = []
        for call in (
            lambda: client._transport.get("/api/v1/anything"),
            lambda: client._transport.post("/api/v1/generate", {"prompt": "x"}),
            lambda: client.get_record("t1"),
            lambda: client.get_record("t1", "midi"),
            client.get_credits,
            lambda: client.get_record("t1", "recovery"),  # status in the envelope's code
        ):
            try:
                outcomes.append(await call())
            except SunoError as exc:
                outcomes.append(exc)
        return outcomes

    raw_get, raw_post, record, midi, credits, recovery = runner.run(calls())
    for outcome in (raw_get, raw_post, record, midi, credits, recovery):
        if isinstance(outcome, BaseException):
            assert isinstance(outcome, APIStatusError), repr(outcome)
            str(outcome)
            repr(outcome)
    if status == 200 and not isinstance(raw_get, BaseException):
        parsed = json.loads(body)  # data came from a JSON envelope with code 200
        assert parsed["code"] == 200
        assert raw_get == parsed.get("data") or raw_get != raw_get
    if status == 200 and isinstance(raw_get, BaseException):
        assert isinstance(raw_get, APIStatusError)
    if isinstance(record, BaseException) and not isinstance(raw_get, BaseException):
        # the envelope was fine: only the record's shape (or data: null) can fail
        assert isinstance(record, APIResponseValidationError | NotFoundError)
    if isinstance(credits, float):
        assert not isinstance(raw_get, BaseException)


async def test_deeply_nested_reply_is_a_validation_error() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    replies = Replies()
    replies.body = deep
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", replies.handle)
    app_runner = web.AppRunner(app, access_log=None)
    await app_runner.setup()
    site = web.TCPSite(app_runner, "127.0.0.1", 0)
    await site.start()
    port = app_runner.addresses[0][1]
    try:
        async with SunoClient(
            api_key="fuzz-key",
            base_url=f"http://127.0.0.1:{port}",
            retry=RetryPolicy(max_attempts=1),
        ) as client:
            with pytest.raises(APIResponseValidationError):
                await client.get_record("t1")
    finally:
        await app_runner.cleanup()


# ---------------------------------------------------------------------------- requests


def _enum_members() -> st.SearchStrategy[Any]:
    return st.sampled_from(
        [
            m
            for e in (models.Model, models.VocalGender, models.SoundKey, models.SeparationType)
            for m in e
        ]
    )


argument_values = (
    any_json
    | _enum_members()
    | _enum_members().map(lambda m: m.value)
    | st.sampled_from(["http://127.0.0.1/cb", "https://x.test/a.mp3", "http://[", "ftp://x"])
    | st.lists(st.text(max_size=10), max_size=3).map(tuple)
    | st.floats(min_value=0, max_value=1)
)


def _arguments(cls: type[Request]) -> st.SearchStrategy[dict[str, Any]]:
    fields = attrs.fields(attrs.resolve_types(cls))
    names = [f.name for f in fields if f.init]
    if not names:
        return st.just({})
    typed = {
        f.name: st.from_type(f.type) if f.type is not None else argument_values
        for f in fields
        if f.init
    }

    def one(name: str) -> st.SearchStrategy[Any]:
        try:
            return typed[name] | argument_values
        except Exception:  # a type hypothesis cannot build
            return argument_values

    return st.fixed_dictionaries({}, optional={n: one(n) for n in names})


@pytest.mark.parametrize("cls", REQUEST_CLASSES, ids=lambda c: c.__name__)
@FUZZ
@given(data=st.data())
def test_request_arguments_give_a_request_or_a_validation_error(
    cls: type[Request], data: st.DataObject
) -> None:
    kwargs = data.draw(_arguments(cls))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unknown model names warn, by design
        try:
            request = cls(**kwargs)
        except RequestValidationError as exc:
            error = exc
        else:
            error = None
    if error is not None:
        assert error.problems
        assert all(p.field for p in error.problems)
        str(error)
        return
    wire = request.to_wire()
    text = json.dumps(wire, allow_nan=False)  # a valid request is valid JSON (no NaN)
    assert isinstance(json.loads(text), dict)
    repr(request)
    for value in wire.values():
        assert not isinstance(value, enum.Enum)
        if isinstance(value, float):
            assert math.isfinite(value)
