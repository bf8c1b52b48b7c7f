"""Hardening of the client core (issue 12 items 1-3, 4, 6-8, 15-17; issue 15 failure
classes): each test fails on 0.1.0."""

from __future__ import annotations

import asyncio
import json
import math
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from suno_async import (
    GenerateRequest,
    PollPolicy,
    RateLimit,
    RetryPolicy,
    Stage,
    SunoClient,
    Timeouts,
    WebhookPolicy,
)
from suno_async.config import MAX_REPLY_BYTES
from suno_async.errors import (
    APIConnectionError,
    APIResponseValidationError,
    CreateTaskFailedError,
    JournalError,
    NotFoundError,
    RateLimitError,
    ResponseTooLargeError,
    SunoError,
)
from suno_async.journal import Journal
from suno_async.models.requests import StyleBoostRequest, TimestampedLyricsRequest
from suno_async.sandbox import Fault, Sandbox
from suno_async.webhooks import WebhookReceiver

from .conftest import make_client

GENERATE = "/api/v1/generate"


def sent(sandbox: Sandbox, path: str = GENERATE) -> int:
    return sandbox.stats.received[path]


# ------------------------------------------------------------------ 1, 2: batch items


async def test_a_bad_batch_item_is_refused_before_anything_is_sent(
    client: SunoClient, sandbox: Sandbox
) -> None:
    for bad in ("a song", 42, None):
        with pytest.raises(TypeError, match="item 1 of the batch"):
            await client.generate_many([GenerateRequest(prompt="paid"), bad])  # type: ignore[list-item]
    assert sent(sandbox) == 0


async def test_a_mapping_is_taken_as_generate_fields(client: SunoClient, sandbox: Sandbox) -> None:
    items = await client.generate_many(
        [GenerateRequest(prompt="object"), {"prompt": "mapping", "instrumental": True}]
    )
    assert [i.ok for i in items] == [True, True]
    assert isinstance(items[1].request, GenerateRequest) and items[1].request.instrumental
    for item in items:
        assert item.job is not None
        await item.job
    with pytest.raises(TypeError, match="item 0 of the batch"):
        await client.generate_many([{"promt": "typo"}])
    assert sent(sandbox) == 2


@pytest.mark.parametrize(
    "request_",
    [StyleBoostRequest(content="pop"), TimestampedLyricsRequest(task_id="t", audio_id="a")],
)
async def test_requests_that_create_no_task_are_refused_in_a_batch(
    client: SunoClient, sandbox: Sandbox, request_: Any
) -> None:
    with pytest.raises(TypeError, match="creates no task"):
        await client.generate_many([GenerateRequest(prompt="x"), request_])
    assert sum(sandbox.stats.received.values()) == 0


async def test_batch_concurrency_must_be_an_int(client: SunoClient) -> None:
    with pytest.raises(TypeError, match="concurrency"):
        await client.generate_many([GenerateRequest(prompt="x")], concurrency="2")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="concurrency"):
        await client.generate_many([GenerateRequest(prompt="x")], concurrency=0)


# ------------------------------------------------------------------ 3, 6: construction


@pytest.mark.parametrize(
    ("argument", "value"),
    [
        ("poll", PollPolicy),
        ("poll", {"initial": 1}),
        ("retry", RetryPolicy),
        ("timeouts", {"total": 5}),
        ("rate_limit", 20),
        ("callback_url", 5),
        ("journal", 3),
    ],
)
def test_every_config_argument_is_type_checked(argument: str, value: object) -> None:
    with pytest.raises(TypeError, match=argument):
        SunoClient(api_key="k", base_url="http://127.0.0.1:9", **{argument: value})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("argument", "url"),
    [
        ("base_url", "api.kie.ai"),
        ("base_url", "ftp://api.kie.ai"),
        ("base_url", "http://"),
        ("base_url", "http://127.0.0.1:99999"),
        ("base_url", "http://[::1"),
        ("upload_base_url", "kieai.redpandaai.co/upload"),
        ("upload_base_url", "file:///tmp"),
    ],
)
def test_base_urls_are_validated_at_construction(argument: str, url: str) -> None:
    options = {"base_url": "https://api.kie.ai", argument: url}
    with pytest.raises(ValueError, match=argument):
        SunoClient(api_key="k", **options)


async def test_a_refused_connection_is_not_maybe_submitted(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    async with SunoClient(api_key="k", base_url="http://127.0.0.1:9", journal=journal,
                          retry=RetryPolicy(max_attempts=1)) as client:
        items = await client.generate_many([GenerateRequest(prompt="never left")])
        error = items[0].error
        assert isinstance(error, APIConnectionError) and not error.maybe_submitted
        assert await journal.entries() == []  # nothing in doubt: the next run sends it


# ------------------------------------------------------------------ 4: journal failures


class FailingJournal(Journal):
    """A journal whose disk is full once the task id is to be recorded."""

    async def record_submitted(self, *args: Any, **kwargs: Any) -> None:
        raise sqlite3.OperationalError("database or disk is full")


async def test_a_journal_failure_after_the_post_keeps_the_job_and_reports_its_id(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    async with make_client(sandbox, journal=FailingJournal(tmp_path / "j.sqlite3")) as client:
        items = await client.generate_many(
            [GenerateRequest(prompt="one"), GenerateRequest(prompt="two")]
        )
        assert [type(i.error) for i in items] == [JournalError, JournalError]
        for item in items:
            assert isinstance(item.error, JournalError)
            task_id = item.error.task_id
            assert task_id is not None and task_id in client.jobs  # tracked in memory
            record = await client.jobs[task_id].wait()
            assert record.tracks
    assert sent(sandbox) == 2  # paid once each, never resent


# ------------------------------------------------------------------ 7: upload retry


async def test_a_file_upload_is_rebuilt_for_each_attempt(
    client: SunoClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    source = tmp_path / "take.mp3"
    source.write_bytes(b"\x01\x02" * 5000)
    sandbox.inject(Fault(route="/api/file-stream-upload", kind="http_503", times=1))
    uploaded = await client.upload_file(source, upload_path="audio")
    assert uploaded.file_size == 10000
    assert sandbox.stats.received["/api/file-stream-upload"] == 2
    big = b"\x7f" * (10 * 1024 * 1024 + 1)  # bytes above the base64 limit stream too
    sandbox.inject(Fault(route="/api/file-stream-upload", kind="http_503", times=1))
    assert (await client.upload_file(big, upload_path="audio")).file_size == len(big)


# ------------------------------------------------------------------ 8: batch rate limit


async def test_batch_items_wait_for_their_rate_limit_turn(sandbox: Sandbox) -> None:
    # 2 creates per 0.1 s and a single call may wait only 10 ms: 8 items need ~0.4 s
    limit = RateLimit(creates=2, per_seconds=0.1, max_wait=0.01)
    async with make_client(sandbox, rate_limit=limit) as client:
        items = await client.generate_many(
            [GenerateRequest(prompt=f"song {i}") for i in range(8)], concurrency=8
        )
        assert [i.error for i in items] == [None] * 8
        # a single call still gives up after max_wait
        calls = [client.generate(prompt=f"x{i}") for i in range(4)]
        outcomes = await asyncio.gather(*calls, return_exceptions=True)
        assert any(isinstance(o, RateLimitError) for o in outcomes)
        for outcome in outcomes:
            if not isinstance(outcome, BaseException):
                outcome.detach()


# ------------------------------------------------------------------ 15, 17: hostile replies


@pytest.fixture
async def hostile() -> AsyncIterator[tuple[dict[str, Any], str]]:
    """A server answering every request with the reply set in the dict."""
    reply: dict[str, Any] = {"body": b"{}", "chunked": False}

    async def handle(request: web.Request) -> web.StreamResponse:
        body: bytes = reply["body"]
        if reply["chunked"]:
            resp = web.StreamResponse()
            resp.enable_chunked_encoding()
            await resp.prepare(request)
            for start in range(0, len(body), 1 << 20):
                await resp.write(body[start:start + (1 << 20)])
            await resp.write_eof()
            return resp
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield reply, f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("chunked", [False, True])
async def test_replies_beyond_the_cap_are_refused_and_not_retried(
    hostile: tuple[dict[str, Any], str], chunked: bool
) -> None:
    reply, url = hostile
    reply["body"] = b'{"code": 200, "data": "' + b"x" * MAX_REPLY_BYTES + b'"}'
    reply["chunked"] = chunked
    async with SunoClient(api_key="k", base_url=url,
                          retry=RetryPolicy(max_attempts=3, base=0.001, max_delay=0.01)) as c:
        with pytest.raises(ResponseTooLargeError):
            await c.get_credits()
        with pytest.raises(ResponseTooLargeError) as paid:
            await c.generate(prompt="x")
        assert paid.value.maybe_submitted  # a paid POST may have acted: never resent
        assert c._transport.requests_sent == 2


@pytest.mark.parametrize(
    "body",
    [b'{"code": []}', b'{"code": 1e400}', b'{"code": {"a": 1}}', b'{"code": "201"}',
     b'{"code": 500, "msg": "The music link recovery task does not exist.", "data": null}'],
)
async def test_odd_recovery_replies_are_typed_errors(
    hostile: tuple[dict[str, Any], str], body: bytes
) -> None:
    reply, url = hostile
    reply["body"] = body
    async with SunoClient(api_key="k", base_url=url, retry=RetryPolicy(max_attempts=1)) as c:
        with pytest.raises(SunoError) as caught:
            await c.get_record("t1", "recovery")
    if b"does not exist" in body:
        assert isinstance(caught.value, NotFoundError)


async def test_a_callback_with_an_overflowing_code_is_a_typed_error(client: SunoClient) -> None:
    job = await client.generate(prompt="x")
    body = json.loads('{"code": 1e400, "msg": "x", "data": {"callbackType": "text"}}')
    body["data"]["task_id"] = job.task_id
    with pytest.raises(APIResponseValidationError):
        client.ingest_callback(body)
    job.detach()


# ------------------------------------------------------------------ 16: arguments and config


async def test_task_ids_and_kinds_are_checked(client: SunoClient) -> None:
    with pytest.raises(TypeError, match="task_id"):
        await client.get_record(None)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="task_id"):
        client.track(None)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="kind"):
        client.track("abc", 3)  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="unknown job kind"):
        client.track("abc", "song")


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: PollPolicy(jitter=math.nan), "jitter"),
        (lambda: PollPolicy(factor=math.nan), "factor"),
        (lambda: PollPolicy(initial=math.inf), "initial"),
        (lambda: PollPolicy(concurrency="2"), "concurrency"),
        (lambda: PollPolicy(max_failures=2.5), "max_failures"),
        (lambda: WebhookPolicy(tolerance=math.nan), "tolerance"),
        (lambda: WebhookPolicy(max_body="1"), "max_body"),
        (lambda: RetryPolicy(max_attempts="3"), "max_attempts"),
        (lambda: RetryPolicy(base=True), "base"),
        (lambda: RateLimit(creates=2.5), "creates"),
        (lambda: RateLimit(max_wait=math.nan), "max_wait"),
        (lambda: Timeouts(total=math.inf), "total"),
        (lambda: Timeouts(read="5"), "read"),
    ],
)
def test_config_objects_refuse_non_finite_and_wrongly_typed_values(
    build: Any, field: str
) -> None:
    with pytest.raises((TypeError, ValueError), match=field):
        build()


# ------------------------------------------------------------------ one class per failure


async def test_create_fail_is_the_same_error_by_polling_and_by_webhook(sandbox: Sandbox) -> None:
    async with make_client(sandbox) as polling:
        job = await polling.generate(prompt="doomed [[create-fail]]")
        with pytest.raises(CreateTaskFailedError):
            await job
    callbacks_only = PollPolicy(initial=0.01, maximum=0.05, early_maximum=0.05,
                                min_interval=0, webhook_interval=30, max_wait=20)
    receiver = WebhookReceiver()
    async with receiver.serve(), make_client(sandbox, poll=callbacks_only) as hooked:
        receiver.attach(hooked)
        job = await hooked.generate(prompt="doomed [[create-fail]]")
        with pytest.raises(CreateTaskFailedError) as caught:
            await asyncio.wait_for(job.wait(), 10)
        assert receiver.stats["accepted"] >= 1 and job.stage is Stage.FAILED
        assert caught.value.status == "CREATE_TASK_FAILED"
        lyrics = await hooked.generate_lyrics(prompt="doomed words [[create-fail]]")
        with pytest.raises(CreateTaskFailedError):
            await asyncio.wait_for(lyrics.wait(), 10)


async def test_a_generation_failure_by_webhook_stays_a_generation_failure(
    sandbox: Sandbox,
) -> None:
    from suno_async.errors import GenerationFailedError

    callbacks_only = PollPolicy(initial=0.01, maximum=0.05, early_maximum=0.05,
                                min_interval=0, webhook_interval=30, max_wait=20)
    receiver = WebhookReceiver()
    async with receiver.serve(), make_client(sandbox, poll=callbacks_only) as hooked:
        receiver.attach(hooked)
        job = await hooked.generate(prompt="doomed [[fail]]")
        with pytest.raises(GenerationFailedError):
            await asyncio.wait_for(job.wait(), 10)




async def test_aclose_during_a_journaled_batch_raises_no_raw_internals(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    client = make_client(sandbox, journal=tmp_path / "j.sqlite3")
    batch = asyncio.ensure_future(
        client.generate_many([GenerateRequest(prompt=f"s{i}") for i in range(20)], concurrency=3)
    )
    await asyncio.sleep(0.05)
    await client.aclose()
    items = await asyncio.wait_for(batch, 10)
    assert len(items) == 20
    for item in items:
        assert item.ok or isinstance(item.error, SunoError), repr(item.error)
        assert not isinstance(item.error, sqlite3.Error)
