"""The one request path, against the sandbox's fault injection over loopback."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
import pytest
from aiohttp import web

from suno_async import RetryPolicy, SunoClient, Timeouts
from suno_async._http import UNCHANGED
from suno_async._retry import failure_delay
from suno_async.config import RECORDS_REMEMBERED
from suno_async.errors import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    AuthenticationError,
    ConflictError,
    InsufficientCreditsError,
    InvalidParametersError,
    MaintenanceError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from suno_async.sandbox import Fault, Sandbox

from .conftest import make_client

GENERATE = "/api/v1/generate"
RECORD = "/api/v1/generate/record-info"


async def test_a_post_whose_reply_is_late_is_seen_once_and_flagged(sandbox: Sandbox) -> None:
    sandbox.inject(Fault(route=GENERATE, kind="delay", seconds=1.0))
    async with make_client(sandbox, timeouts=Timeouts(connect=1, read=0.2, total=0.3)) as c:
        with pytest.raises(APITimeoutError) as info:
            await c.generate(prompt="slow server")
    assert info.value.maybe_submitted is True
    assert "not sent again" in str(info.value)
    await asyncio.sleep(1.0)  # let the held reply finish on the server side
    assert sandbox.stats.received[GENERATE] == 1
    assert sandbox.stats.submissions[GENERATE] == 1


async def test_a_get_survives_two_429s(client: SunoClient, sandbox: Sandbox) -> None:
    job = await client.generate(prompt="x")
    job.detach()
    before = sandbox.stats.received[RECORD]
    sandbox.inject(Fault(route=RECORD, kind="http_429", times=2, retry_after=0.01))
    record = await client.get_record(job.task_id)
    assert record.task_id == job.task_id
    assert sandbox.stats.received[RECORD] - before == 3


@pytest.mark.parametrize(
    ("fault", "retried"),
    [
        (Fault(kind="http_429", times=1), True),  # refused before acting: safe to resend
        (Fault(kind="body_code", code=455, msg="maintenance", times=1), True),
        (Fault(kind="http_500", times=1), False),  # might have acted: never resent
        (Fault(kind="body_code", code=500, times=1), False),
        (Fault(kind="drop", times=1), False),
        (Fault(kind="malformed", times=1), False),
    ],
    ids=["429", "455", "http500", "code500", "drop", "malformed"],
)
async def test_a_paid_post_is_resent_only_when_it_provably_did_nothing(
    sandbox: Sandbox, fault: Fault, retried: bool
) -> None:
    sandbox.inject(Fault(route=GENERATE, **{k: getattr(fault, k) for k in
                                            ("kind", "times", "code", "msg")}))
    async with make_client(sandbox) as c:
        if retried:
            job = await c.generate(prompt="x")
            assert job.task_id
            assert sandbox.stats.received[GENERATE] == 2
            assert sandbox.stats.submissions[GENERATE] == 1
        else:
            with pytest.raises((ServerError, APIConnectionError, APIResponseValidationError)):
                await c.generate(prompt="x")
            assert sandbox.stats.received[GENERATE] == 1


async def test_a_dropped_post_says_it_may_have_been_submitted(sandbox: Sandbox) -> None:
    sandbox.inject(Fault(route=GENERATE, kind="drop", after=True, times=1))
    async with make_client(sandbox) as c:
        with pytest.raises(APIConnectionError) as info:
            await c.generate(prompt="x")
    assert info.value.maybe_submitted is True
    assert sandbox.stats.submissions[GENERATE] == 1  # the task exists; we did not resend


async def test_refused_connections_are_retried_then_reported() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    retry = RetryPolicy(max_attempts=3, base=0.001, max_delay=0.01)
    async with SunoClient(api_key="k", base_url=f"http://127.0.0.1:{port}", retry=retry) as c:
        with pytest.raises(APIConnectionError) as info:
            await c.generate(prompt="x")
        assert info.value.maybe_submitted is False
        assert c._transport.requests_sent == 3  # refused before sending: safe to retry


async def test_bad_key_is_an_authentication_error(sandbox: Sandbox) -> None:
    async with make_client(sandbox, api_key="wrong") as c:
        with pytest.raises(AuthenticationError) as info:
            await c.get_credits()
    assert info.value.code == 401
    assert "wrong" not in str(info.value) and "wrong" not in repr(c)


async def test_gets_retry_server_errors_and_garbled_replies(client: SunoClient,
                                                            sandbox: Sandbox) -> None:
    sandbox.inject(Fault(route="/api/v1/chat/credit", kind="http_503", times=1))
    sandbox.inject(Fault(route="/api/v1/chat/credit", kind="html", times=1))
    sandbox.inject(Fault(route="/api/v1/chat/credit", kind="malformed", times=1))
    assert await client.get_credits() == sandbox.credits()
    assert sandbox.stats.received["/api/v1/chat/credit"] == 4


async def test_unknown_task_is_not_found(client: SunoClient) -> None:
    with pytest.raises(NotFoundError):
        await client.get_record("0" * 32)


# Expected classes per provider, from REFERENCE §2 (written here independently of the
# SDK's table): kie 402 = credits, 429 = rate; old sunoapi 429 = credits, 405/430 = rate.
CODE_TABLE = {
    "kie": {401: AuthenticationError, 402: InsufficientCreditsError, 404: NotFoundError,
            409: ConflictError, 422: InvalidParametersError, 429: RateLimitError,
            451: InvalidParametersError, 455: MaintenanceError, 500: ServerError,
            501: ServerError},
    "sunoapi": {400: InvalidParametersError, 401: AuthenticationError, 404: NotFoundError,
                405: RateLimitError, 413: InvalidParametersError,
                429: InsufficientCreditsError, 430: RateLimitError, 455: MaintenanceError,
                500: ServerError},
}
CODE_CASES = [(p, code, cls) for p, table in CODE_TABLE.items() for code, cls in table.items()]


@pytest.mark.parametrize(("provider", "code", "expected"), CODE_CASES,
                         ids=[f"{p}-{c}" for p, c, _ in CODE_CASES])
async def test_each_body_code_maps_to_its_class_per_provider(
    sandbox: Sandbox, provider: str, code: int, expected: type[Exception]
) -> None:
    path = "/api/v1/chat/credit" if provider == "kie" else "/api/v1/generate/credit"
    sandbox.inject(Fault(route=path, kind="body_code", code=code, msg=f"code {code}"))
    retry = RetryPolicy(max_attempts=2, base=0.001, max_delay=0.01)
    async with make_client(sandbox, provider=provider, retry=retry) as c:
        with pytest.raises(expected) as info:
            await c.get_credits()
    assert type(info.value) is expected
    assert info.value.code == code and info.value.msg == f"code {code}"  # type: ignore[attr-defined]


def test_retry_after_is_a_floor_and_delays_are_capped() -> None:
    policy = RetryPolicy(base=0.01, max_delay=2.0)
    assert all(failure_delay(policy, n, retry_after=1.5) >= 1.5 for n in range(1, 6))
    assert all(failure_delay(policy, n, retry_after=60) <= 2.0 for n in range(1, 6))
    assert all(0 <= failure_delay(policy, n) <= min(2.0, 0.01 * 2 ** (n - 1))
               for n in range(1, 12))


async def test_callers_session_is_used_and_never_closed(sandbox: Sandbox) -> None:
    async with aiohttp.ClientSession() as session:
        async with make_client(sandbox, session=session) as c:
            assert await c.get_credits() > 0  # the key went with the request
        assert not session.closed
        assert "Authorization" not in session.headers  # never made the caller's default


async def test_every_request_of_our_own_session_has_a_finite_deadline(
    client: SunoClient,
) -> None:
    transport = client._transport
    assert await client.get_credits() > 0
    get_timeout = transport.session().timeout  # GETs use the session's default
    assert get_timeout.total is not None and get_timeout.total <= transport.timeouts.total
    assert get_timeout.connect == transport.timeouts.connect
    other = transport._request_options("POST")["timeout"]
    assert (other.total, other.sock_read) == (transport.timeouts.total, transport.timeouts.read)


def test_client_can_be_built_outside_a_loop_and_hides_its_key() -> None:
    client = SunoClient(api_key="sk-secret-123")  # no session until first use in a loop
    assert "sk-secret-123" not in repr(client)
    assert client._transport._session is None


def test_missing_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUNO_API_KEY", raising=False)
    with pytest.raises(ValueError, match="SUNO_API_KEY"):
        SunoClient()


def test_key_and_base_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUNO_API_KEY", "env-key")
    monkeypatch.setenv("SUNO_BASE_URL", "http://127.0.0.1:1/")
    client = SunoClient(provider="apikley")
    assert client.base_url == "http://127.0.0.1:1"
    assert SunoClient(api_key="k", provider="sunoapi", base_url=None).provider.name == "sunoapi"


async def test_record_does_not_exist_is_not_found_in_every_family(client: SunoClient) -> None:
    # record-info answers 200 + data:null for an unknown id (REFERENCE §2.4, §10.2)
    for kind in ("wav", "mp4", "vocal_removal", "midi", "lyrics", "cover_art"):
        with pytest.raises(NotFoundError) as info:
            await client.get_record("0" * 32, kind)
        assert info.value.code == 200
        assert "0" * 32 in str(info.value)


def test_uploads_go_to_the_api_host_taken_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SUNO_BASE_URL", "http://127.0.0.1:9")
    client = SunoClient(api_key="k")  # the key must not travel to the preset's upload host
    assert client._transport.upload_base_url == "http://127.0.0.1:9"
    monkeypatch.delenv("SUNO_BASE_URL")
    assert SunoClient(api_key="k")._transport.upload_base_url == "https://kieai.redpandaai.co"


async def test_a_poll_is_decoded_unless_its_bytes_are_the_last_parsed_reply() -> None:
    # Real HTTP over loopback: a server that answers the same bytes, first with 200,
    # then with 503 (only a 200 reply can be taken for the one before it).
    body = b'{"code": 200, "msg": "success", "data": {"taskId": "t1", "status": "PENDING"}}'
    statuses = [200, 200, 503, 200]

    async def record(request: web.Request) -> web.Response:
        return web.Response(body=body, status=statuses.pop(0), content_type="application/json")

    app = web.Application()
    app.router.add_get(RECORD, record)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with SunoClient(api_key="k" * 32, base_url=f"http://127.0.0.1:{port}",
                              retry=RetryPolicy(max_attempts=1)) as c:
            transport = c._transport
            params = {"taskId": "t1"}
            first, data = await transport.poll(RECORD, params)
            assert data == {"taskId": "t1", "status": "PENDING"}
            again, same = await transport.poll(RECORD, params, last=first)
            assert (again, same) == (first, UNCHANGED)
            with pytest.raises(ServerError):  # same bytes, HTTP 503: an error, not unchanged
                await transport.poll(RECORD, params, last=first)
            other, data = await transport.poll(RECORD, params, last=first + 1)
            assert other == first and data == {"taskId": "t1", "status": "PENDING"}
    finally:
        await runner.cleanup()


async def test_get_record_gives_the_same_record_until_the_reply_changes() -> None:
    async with Sandbox(time_scale=1.0, seed=4, poll_limit=None, rate_limit=(10_000, 1.0)) as sb:
        async with make_client(sb) as c:
            job = await c.generate(prompt="asked again and again")
            job.detach()
            before = sb.stats.received[RECORD]
            first = await c.get_record(job.task_id)
            assert first.status == "PENDING"
            assert await c.get_record(job.task_id) is first  # same bytes: not decoded again
            sb.advance(job.task_id, "SUCCESS")
            done = await c.get_record(job.task_id)
            assert done is not first and done.status == "SUCCESS"
            assert await c.get_record(job.task_id) is done
            assert sb.stats.received[RECORD] - before == 4  # every call asked the server


async def test_get_record_remembers_a_bounded_number_of_replies() -> None:
    async with Sandbox(time_scale=1.0, seed=5, poll_limit=None, rate_limit=(10_000, 1.0)) as sb:
        async with make_client(sb) as c:
            jobs = await asyncio.gather(*(  # [[never]]: every record stays PENDING
                c.generate(prompt=f"[[never]] song {i}") for i in range(RECORDS_REMEMBERED + 1)))
            for job in jobs:
                job.detach()
            first = await c.get_record(jobs[0].task_id)
            assert await c.get_record(jobs[0].task_id) is first
            for job in jobs[1:]:  # 256 other tasks push the first one out
                await c.get_record(job.task_id)
            assert len(c._records) == RECORDS_REMEMBERED
            again = await c.get_record(jobs[0].task_id)
            assert again is not first and again == first  # decoded afresh, same content
            last = await c.get_record(jobs[-1].task_id)  # the newest is still remembered
            assert await c.get_record(jobs[-1].task_id) is last
