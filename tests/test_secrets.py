"""Secrets never leak: the API key, the webhook token and the HMAC key stay out of logs
(every logger, every level, tracebacks included), reprs, exception messages and the
journal file, across a full run with retries, failures, callbacks and forged callbacks.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
import traceback
from collections.abc import Iterable, Iterator
from pathlib import Path

import aiohttp
import pytest

from suno_async import GenerateRequest, PollPolicy, Stage, SunoClient
from suno_async.errors import AuthenticationError, SunoError
from suno_async.sandbox import Fault, Sandbox
from suno_async.webhooks import WebhookReceiver, sign

from ._reliability import assert_no_stray_tasks, no_leaks  # noqa: F401
from .conftest import TIME_SCALE, make_client

pytestmark = pytest.mark.usefixtures("no_leaks")

GENERATE = "/api/v1/generate"
API_KEY = "sk-SECRET-" + secrets.token_hex(16)
BAD_KEY = "sk-WRONG-" + secrets.token_hex(16)
TOKEN = "tok-SECRET-" + secrets.token_hex(16)
HMAC_KEY = "hmac-SECRET-" + secrets.token_hex(16)
SECRETS = (API_KEY, BAD_KEY, TOKEN, HMAC_KEY)


class Capture(logging.Handler):
    """Every record of every logger, formatted with its traceback."""

    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.records: list[logging.LogRecord] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def texts(self) -> Iterator[str]:
        for record in self.records:
            yield self.format(record)
            yield repr(record.args)
            yield repr(record.__dict__)


@pytest.fixture
def captured() -> Iterator[Capture]:
    handler = Capture()
    root = logging.getLogger()
    old_level = root.level
    touched = {name: logging.getLogger(name).level for name in ("suno_async", "aiohttp", "asyncio")}
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in touched:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        for name, level in touched.items():
            logging.getLogger(name).setLevel(level)


def exception_texts(exc: BaseException) -> Iterator[str]:
    """str/repr of an exception, its causes, attributes and its formatted traceback."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield str(current)
        yield repr(current)
        yield repr(getattr(current, "body", None))
        yield repr(getattr(current, "record", None))
        current = current.__cause__ or current.__context__
    yield "".join(traceback.format_exception(exc))


def leaks(texts: Iterable[str]) -> list[str]:
    found = []
    for text in texts:
        for secret in SECRETS:
            if secret in text:
                found.append(f"{secret[:10]}... in {text[:300]!r}")
    return found


def read_journal_files(folder: Path) -> bytes:
    """The database and its WAL / shared-memory side files."""
    return b"".join(p.read_bytes() for p in sorted(folder.glob("jobs.sqlite3*")))


async def post(url: str, body: object, headers: dict[str, str] | None = None) -> int:
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            url,
            data=json.dumps(body),
            headers={"Content-Type": "application/json", **(headers or {})},
        ) as resp,
    ):
        return resp.status


async def test_no_secret_in_logs_reprs_errors_or_journal(tmp_path: Path, captured: Capture) -> None:
    journal = tmp_path / "jobs.sqlite3"
    texts: list[str] = []
    errors: list[BaseException] = []
    receiver = WebhookReceiver(token=TOKEN, hmac_key=HMAC_KEY)
    webhook_poll = PollPolicy(
        initial=0.01,
        maximum=0.05,
        early_maximum=0.03,
        min_interval=0.0,
        max_wait=15.0,
        webhook_interval=0.05,
    )
    async with (
        Sandbox(
            time_scale=TIME_SCALE,
            seed=11,
            api_key=API_KEY,
            hmac_key=HMAC_KEY,
            poll_limit=None,
            rate_limit=None,
            timeline={"text": 300.0, "first": 350.0, "complete": 400.0},  # polls see each status
        ) as sb,
        receiver.serve() as base,
    ):
        assert TOKEN in receiver.callback_url  # the token is really in play
        for kind, rate in (("http_429", 0.3), ("http_503", 0.2), ("malformed", 0.1)):
            sb.inject(Fault(route="*/record-info", kind=kind, rate=rate, retry_after=0.01))
        sb.inject(Fault(route=GENERATE, kind="http_429", rate=0.3, retry_after=0.01))
        sb.inject(Fault(route=GENERATE, kind="drop", after=True, times=1))
        sb.inject(Fault(route=GENERATE, kind="callback_duplicate", rate=0.5))

        async with make_client(sb, journal=journal, poll=webhook_poll) as client:
            receiver.attach(client)
            prompts = [
                "fine",
                "broken [[fail]]",
                "naughty [[sensitive]]",
                "odd [[unknown-status]]",
                "late [[callback-exception]]",
                "another fine one",
                "and one more",
            ]
            items = await client.generate_many([GenerateRequest(prompt=p) for p in prompts])
            async with asyncio.timeout(20):
                for item in items:
                    texts.append(repr(item))
                    if item.error is not None:
                        errors.append(item.error)
                        continue
                    assert item.job is not None
                    try:
                        record = await item.job
                        texts += [repr(record), repr(record.tracks)]
                    except SunoError as exc:
                        errors.append(exc)
                    texts += [repr(item.job), repr(item.job.request), repr(item.job.record)]
                    texts += [repr(e) async for e in item.job.events()]

            # Forged and replayed callbacks are refused (and logged): no secret in those logs.
            job = next(i.job for i in items if i.job is not None)
            body = {
                "code": 200,
                "msg": "ok",
                "data": {"callbackType": "complete", "task_id": job.task_id, "data": []},
            }
            now = str(int(time.time()))
            old = str(int(time.time()) - 3600)
            assert await post(f"{base}{receiver.path}/not-the-token", body) == 404
            assert (
                await post(
                    receiver.callback_url,
                    body,
                    {"X-Webhook-Timestamp": now, "X-Webhook-Signature": "AAAA"},
                )
                == 401
            )
            assert (
                await post(
                    receiver.callback_url,
                    body,
                    {
                        "X-Webhook-Timestamp": old,
                        "X-Webhook-Signature": sign(HMAC_KEY, job.task_id, old),
                    },
                )
                == 401
            )

            # A job that is still running when the client closes.
            pending = await client.generate(prompt="forever [[never]]")
            waiter = asyncio.ensure_future(pending.wait(Stage.SUCCESS))
            texts += [
                repr(client),
                repr(client._transport),
                repr(client.journal),
                repr(receiver),
                repr(dict(receiver.stats)),
                repr(client.jobs),
            ]
            assert client.journal is not None
            texts += [repr(e) for e in await client.journal.entries()]
        try:
            await waiter
        except SunoError as exc:
            errors.append(exc)

        # A wrong key: the error names neither the key sent nor the right one.
        async with make_client(sb, api_key=BAD_KEY) as bad:
            with pytest.raises(AuthenticationError) as info:
                await bad.get_credits()
            errors.append(info.value)
            texts.append(repr(bad))

    assert_no_stray_tasks()
    for exc in errors:
        texts += list(exception_texts(exc))
    texts += list(captured.texts())
    journal_bytes = read_journal_files(tmp_path)

    # The run went through the paths that could leak.
    messages = " ".join(r.getMessage() for r in captured.records)
    assert "retrying" in messages or "poll failed" in messages
    assert "callback refused" in messages
    assert "unknown status" in messages
    assert receiver.stats["accepted"] > 0
    assert {type(e).__name__ for e in errors} >= {
        "GenerationFailedError",
        "ContentPolicyError",
        "AuthenticationError",
        "ClientClosedError",
    }
    assert any(getattr(e, "maybe_submitted", False) for e in errors)
    assert len(journal_bytes) > 0
    assert any(r.levelno == logging.DEBUG for r in captured.records)

    assert leaks(texts) == []
    for secret in SECRETS:
        assert secret.encode() not in journal_bytes


def test_client_repr_and_config_hide_the_key() -> None:
    client = SunoClient(api_key=API_KEY, base_url="http://127.0.0.1:9")
    assert API_KEY not in repr(client)
    assert API_KEY not in repr(client._transport)
    assert API_KEY not in str(vars(client).get("_transport"))


def test_receiver_repr_and_stats_hide_the_token() -> None:
    receiver = WebhookReceiver(public_url="https://bot.test", token=TOKEN, hmac_key=HMAC_KEY)
    assert TOKEN in receiver.callback_url
    for text in (repr(receiver), str(receiver), repr(receiver.stats), receiver.route):
        assert TOKEN not in text
        assert HMAC_KEY not in text


def test_request_repr_hides_the_callback_token() -> None:
    request = GenerateRequest(prompt="p", call_back_url=f"https://bot.test/cb/{TOKEN}")
    assert TOKEN not in repr(request)
    assert TOKEN not in str(request)
    assert request.to_wire()["callBackUrl"].endswith(TOKEN)  # still sent, of course
