"""Webhook hardening: every hostile callback is refused and changes no job state.

Constant-time token and signature checks, a timestamp window against replays, a body
size limit, a content-type check, forged signatures, unknown task ids; both for the
standalone receiver (``serve()``) and one mounted in the user's own aiohttp app.
"""

from __future__ import annotations

import asyncio
import hmac
import inspect
import io
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web

import suno_async.webhooks._receiver as _receiver
import suno_async.webhooks._signature as _signature
from suno_async import Stage, SunoClient, WebhookPolicy
from suno_async.jobs.job import Job
from suno_async.sandbox import Sandbox
from suno_async.webhooks import WebhookReceiver, sign

from ._reliability import assert_no_stray_tasks, no_leaks  # noqa: F401
from .conftest import make_client

pytestmark = pytest.mark.usefixtures("no_leaks")

KEY = "hardening-hmac-key"
TOLERANCE = 60.0
MAX_BODY = 2048


def callback(task_id: str, kind: str = "complete") -> dict[str, Any]:
    tracks = [
        {"id": f"{task_id}-{n}", "audio_url": f"http://127.0.0.1:9/{n}.mp3", "title": "x"}
        for n in range(2)
    ]
    return {
        "code": 200,
        "msg": "ok",
        "data": {"callbackType": kind, "task_id": task_id, "data": tracks},
    }


def signed(task_id: str, when: float | None = None, key: str = KEY) -> dict[str, str]:
    stamp = str(int(time.time() if when is None else when))
    return {"X-Webhook-Timestamp": stamp, "X-Webhook-Signature": sign(key, task_id, stamp)}


class Target:
    """A receiver (served standalone or mounted in an app), a client and a job to protect."""

    def __init__(self, receiver: WebhookReceiver, client: SunoClient, job: Job[Any]) -> None:
        self.receiver = receiver
        self.client = client
        self.job = job
        self.http = aiohttp.ClientSession()

    async def send(
        self,
        body: bytes | str | object,
        headers: dict[str, str] | None = None,
        *,
        url: str | None = None,
        content_type: str | None = "application/json",
        chunked: bool = False,
    ) -> int:
        data: Any = body if isinstance(body, bytes | str) else json.dumps(body)
        if isinstance(data, str):
            data = data.encode()
        all_headers = dict(headers or {})
        if content_type is not None:
            all_headers["Content-Type"] = content_type
        if len(data) > 1024 * 1024:
            data = io.BytesIO(data)
        if chunked:
            payload = data

            async def stream() -> AsyncIterator[bytes]:
                for i in range(0, len(payload), 512):
                    yield payload[i : i + 512]

            data = stream()
        async with self.http.post(
            url or self.receiver.callback_url, data=data, headers=all_headers
        ) as resp:
            text = await resp.text()
            assert self.receiver.callback_url.rsplit("/", 1)[1] not in text  # never echoed
            return resp.status

    def untouched(self) -> None:
        """The job saw nothing: still pending, no record, no buffered callbacks."""
        assert self.job.stage is Stage.PENDING
        assert self.job.record is None
        assert self.job.status in ("", "PENDING")
        assert not self.job.done()
        assert self.client._early == {}
        assert self.receiver.stats["accepted"] == 0
        assert self.receiver.stats["buffered"] == 0


@pytest.fixture(params=["served", "mounted"])
async def target(request: pytest.FixtureRequest, sandbox: Sandbox) -> AsyncIterator[Target]:
    receiver = WebhookReceiver(
        hmac_key=KEY, policy=WebhookPolicy(max_body=MAX_BODY, tolerance=TOLERANCE)
    )
    async with make_client(sandbox) as client:
        if request.param == "served":
            async with receiver.serve():
                target = await _target(receiver, client)
                try:
                    yield target
                finally:
                    await target.http.close()
                    target.job.detach()
        else:
            app = web.Application()  # the user's app, default client_max_size (1 MiB)
            receiver.mount(app)
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            receiver.public_url = f"http://127.0.0.1:{runner.addresses[0][1]}"
            try:
                target = await _target(receiver, client)
                try:
                    yield target
                finally:
                    await target.http.close()
                    target.job.detach()
            finally:
                await runner.cleanup()


async def _target(receiver: WebhookReceiver, client: SunoClient) -> Target:
    receiver.attach(client)
    job = await client.generate(prompt="guarded [[never]]")
    return Target(receiver, client, job)


# ------------------------------------------------------------------------- code level


def test_token_and_signature_use_constant_time_comparison() -> None:
    check_head = inspect.getsource(WebhookReceiver.check_head)
    check = inspect.getsource(_signature.signed_task_id)
    assert "hmac.compare_digest" in check_head
    assert "hmac.compare_digest" in check
    for module in (_receiver, _signature):
        source = inspect.getsource(module)
        for bad in ("== self._token", "self._token ==", "== expected", "expected ==",
                    "given ==", "== given", "== verified", "verified =="):
            assert bad not in source


async def test_comparisons_go_through_compare_digest_at_runtime(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    class Hmac:  # the module as the receiver sees it, with compare_digest spied on
        compare_digest = staticmethod(spy)
        new = staticmethod(hmac.new)

    monkeypatch.setattr(_receiver, "hmac", Hmac)
    monkeypatch.setattr(_signature, "hmac", Hmac)
    body = callback(target.job.task_id, "text")
    assert await target.send(body, signed(target.job.task_id)) == 200
    # the token (before the body is read, and again in handle_raw), the signature, then
    # the parsed body's id against the signed one
    assert len(calls) == 4
    assert target.job.stage is Stage.TEXT_SUCCESS


# ------------------------------------------------------------------------- refusals


async def test_wrong_or_missing_token(target: Target) -> None:
    base = target.receiver.callback_url.rsplit("/", 1)[0]
    body = callback(target.job.task_id)
    token = target.receiver.callback_url.rsplit("/", 1)[1]
    for url in (f"{base}/wrong", f"{base}/{token[:-1]}", f"{base}/{token}x", base + "/"):
        status = await target.send(body, signed(target.job.task_id), url=url)
        assert status in (404, 405)
    assert target.receiver.stats["rejected:bad token"] >= 3
    target.untouched()


@pytest.mark.parametrize("skew", [-3600.0, -TOLERANCE - 5, TOLERANCE + 5, 86400.0])
async def test_timestamps_outside_the_window_are_replays(target: Target, skew: float) -> None:
    task = target.job.task_id
    assert await target.send(callback(task), signed(task, time.time() + skew)) == 401
    assert target.receiver.stats["rejected:bad signature"] == 1
    target.untouched()


async def test_a_recorded_callback_replayed_later_is_refused(target: Target) -> None:
    task = target.job.task_id
    captured = signed(task, time.time() - TOLERANCE - 1)  # as an eavesdropper kept it
    assert await target.send(callback(task, "text"), captured) == 401
    target.untouched()
    assert await target.send(callback(task, "text"), signed(task)) == 200  # fresh: accepted
    assert target.job.stage is Stage.TEXT_SUCCESS


@pytest.mark.parametrize(
    "forge",
    [
        lambda task: {},  # unsigned
        lambda task: {"X-Webhook-Timestamp": str(int(time.time()))},
        lambda task: {**signed(task), "X-Webhook-Signature": "AAAA"},
        lambda task: {**signed(task), "X-Webhook-Signature": ""},
        lambda task: signed(task, key="not-the-key"),
        lambda task: signed("another-task-id"),  # a real signature, for another task
        lambda task: {**signed(task), "X-Webhook-Timestamp": "soon"},
        lambda task: {**signed(task), "X-Webhook-Timestamp": str(int(time.time()) + 1)},
        lambda task: {
            **signed(task),
            "X-Webhook-Signature": signed(task)["X-Webhook-Signature"].lower(),
        },
    ],
    ids=[
        "unsigned",
        "no-signature",
        "garbage",
        "empty",
        "wrong-key",
        "other-task",
        "bad-stamp",
        "stamp-mismatch",
        "case-changed",
    ],
)
async def test_forged_signatures_are_refused(
    target: Target, forge: Callable[[str], dict[str, str]]
) -> None:
    task = target.job.task_id
    headers = forge(task)
    if headers.get("X-Webhook-Signature") == signed(task)["X-Webhook-Signature"] and (
        headers.get("X-Webhook-Timestamp") == signed(task)["X-Webhook-Timestamp"]
    ):
        pytest.skip("the forgery happens to be genuine at this instant")
    assert await target.send(callback(task), headers) == 401
    target.untouched()


async def test_oversized_bodies_are_refused(target: Target) -> None:
    task = target.job.task_id
    body = callback(task)
    body["padding"] = "x" * (MAX_BODY + 10)
    assert await target.send(body, signed(task)) == 413
    assert await target.send(body, signed(task), chunked=True) == 413  # no Content-Length
    assert target.receiver.stats["rejected:body too large"] == 2
    target.untouched()
    big = {"padding": "y" * 3_000_000}  # above aiohttp's own 1 MiB default too
    assert await target.send(big, signed(task)) == 413
    target.untouched()


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "text/html", "application/xml", None],
)
async def test_wrong_content_type_is_refused(target: Target, content_type: str | None) -> None:
    task = target.job.task_id
    assert await target.send(callback(task), signed(task), content_type=content_type) == 415
    target.untouched()


async def test_json_with_charset_is_accepted(target: Target) -> None:
    task = target.job.task_id
    status = await target.send(
        callback(task, "text"), signed(task), content_type="application/json; charset=utf-8"
    )
    assert status == 200
    assert target.job.stage is Stage.TEXT_SUCCESS


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe",
        b"[" * 1020 + b"]" * 1020,
        b"[]",
        b"42",
        b"null",
        b'{"code": 200}',
        b'{"data": {"task_id": ""}}',
    ],
    ids=["broken", "binary", "deep", "list", "number", "null", "no-id", "empty-id"],
)
async def test_garbage_is_refused(target: Target, body: bytes) -> None:
    # with a key, a body that names no signed task id is refused before JSON parsing
    assert await target.send(body, signed(target.job.task_id)) == 401
    assert target.receiver.stats["rejected:bad signature"] == 1
    target.untouched()


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "body is not JSON"),
        (b"\xff\xfe", "body is not JSON"),
        (b"[" * 1020 + b"]" * 1020, "body is not JSON"),  # too deep
        (b"[]", "no task id"),
        (b"null", "no task id"),
        (b'{"data": {"task_id": ""}}', "no task id"),
    ],
)
async def test_garbage_is_refused_without_a_key(
    sandbox: Sandbox, body: bytes, reason: str
) -> None:
    receiver = WebhookReceiver()
    async with receiver.serve(), aiohttp.ClientSession() as http, http.post(
        receiver.callback_url, data=body, headers={"Content-Type": "application/json"}
    ) as resp:
        assert resp.status == 400
    assert receiver.stats == {f"rejected:{reason}": 1}


async def test_a_forged_body_is_never_parsed(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 12.12: the signature is checked on the raw bytes before any JSON parsing."""
    parsed: list[bytes] = []
    real = json.loads

    def spy(raw: Any, *args: Any, **kwargs: Any) -> Any:
        parsed.append(raw)
        return real(raw, *args, **kwargs)

    monkeypatch.setattr(json, "loads", spy)  # the module the receiver parses with
    task = target.job.task_id
    big = callback(task)
    big["padding"] = "z" * 1500
    assert await target.send(big, signed(task, key="forger")) == 401
    assert await target.send(big, {}) == 401
    assert parsed == []
    assert await target.send(callback(task, "text"), signed(task)) == 200
    assert len(parsed) == 1


async def test_not_a_callback_for_a_known_task_is_refused(target: Target) -> None:
    task = target.job.task_id
    weird = {"code": 200, "data": {"task_id": task, "callbackType": "dance", "data": []}}
    assert await target.send(weird, signed(task)) == 400
    target.untouched()


async def test_unknown_task_ids_are_ignored(target: Target) -> None:
    before = dict(target.client.jobs)
    for n in range(20):
        other = f"{n:032x}"
        assert await target.send(callback(other), signed(other)) == 404
    assert dict(target.client.jobs) == before
    assert target.receiver.stats["rejected:unknown task id"] == 20
    target.untouched()


async def test_unsigned_probe_cannot_tell_known_from_unknown_ids(target: Target) -> None:
    """Without a valid signature every id gets the same answer (no task-id oracle)."""
    known = await target.send(callback(target.job.task_id), {})
    unknown = await target.send(callback("f" * 32), {})
    assert known == unknown == 401
    target.untouched()


async def test_refusals_leave_the_job_working(target: Target) -> None:
    """After a barrage of refusals, a genuine callback still drives the job."""
    task = target.job.task_id
    await target.send(callback(task), {})
    await target.send(b"{", signed(task))
    await target.send(callback(task), signed(task), content_type="text/plain")
    target.untouched()
    for stage in ("text", "first", "complete"):
        assert await target.send(callback(task, stage), signed(task)) == 200
    async with asyncio.timeout(5):
        record = await target.job
    assert len(record.tracks) == 2
    assert target.receiver.stats["accepted"] == 3


async def test_early_buffer_is_bounded(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """Callbacks for unknown ids arriving while a submission is in flight are buffered,
    but a flood cannot grow the buffer without bound."""
    from suno_async import client as client_module
    from suno_async.sandbox import Fault

    limit = 20
    monkeypatch.setattr(client_module, "EARLY_CALLBACK_TASKS", limit)
    receiver = WebhookReceiver()  # unsigned: only the token guards it
    sandbox.inject(Fault(route="/api/v1/generate", kind="delay", seconds=0.5))
    async with receiver.serve(), make_client(sandbox) as client, aiohttp.ClientSession() as http:
        receiver.attach(client)
        submit = asyncio.ensure_future(client.generate(prompt="slow reply [[never]]"))
        async with asyncio.timeout(5):
            while not client._submits:
                await asyncio.sleep(0.005)

        async def one(body: dict[str, Any]) -> int:
            async with http.post(receiver.callback_url, json=body) as resp:
                return resp.status

        flood = [callback(f"{n:032x}", "text") for n in range(limit * 3)]
        flood += [callback("e" * 32, "text")] * 20  # many bodies for one id
        statuses = await asyncio.gather(*(one(b) for b in flood))
        still_in_flight = bool(client._submits)
        assert len(client._early) <= limit
        assert all(len(bodies) <= 4 for _, bodies in client._early.values())
        job = await submit
        job.detach()
    assert still_in_flight, "the flood arrived after the submission; nothing was tested"
    assert set(statuses) == {200}
    assert_no_stray_tasks()
