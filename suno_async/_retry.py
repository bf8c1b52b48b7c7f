"""Every use of ``backoff`` lives here (upstream is archived; this is the seam to swap it).

Delays are exponential with full jitter, capped by ``RetryPolicy.max_delay``; a server's
``Retry-After`` (carried by the exception as ``retry_after``) is honoured as a floor.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Generator
from typing import Any, TypeVar

import backoff

from .config import RetryPolicy
from .errors import SunoError

__all__ = ["failure_delay", "may_resend", "may_retry", "retry_call"]

T = TypeVar("T")
log = logging.getLogger("suno_async")


def may_retry(exc: BaseException) -> bool:
    """Whether a safe request (GET, free upload) may be tried again after ``exc``:
    the error class says so (``SunoError.retry_safe``)."""
    return isinstance(exc, SunoError) and exc.retryable


def may_resend(exc: BaseException) -> bool:
    """Whether a paid request may be sent again after ``exc``: only when the reply
    proves the server did nothing (``SunoError.resend_safe``, not ``maybe_submitted``)."""
    return isinstance(exc, SunoError) and exc.resendable


def _delay(policy: RetryPolicy, attempt: int, retry_after: float | None) -> float:
    ceiling = min(policy.max_delay, policy.base * (2**attempt))
    delay: float = backoff.full_jitter(ceiling)
    if retry_after is not None and retry_after > 0:
        delay = max(delay, retry_after)
    return min(delay, policy.max_delay)


def _wait_gen(policy: RetryPolicy, start: int) -> Callable[[], Generator[float, Any, None]]:
    def gen() -> Generator[float, Any, None]:
        exc = yield 0.0  # primed by backoff with None
        attempt = start
        while True:
            exc = yield _delay(policy, attempt, getattr(exc, "retry_after", None))
            attempt += 1

    return gen


async def retry_call(
    fn: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    should_retry: Callable[[BaseException], bool],
    what: str,
) -> T:
    """Await ``fn()``; on an exception ``should_retry`` accepts, back off and try again.

    At most ``policy.max_attempts`` tries; the last exception propagates. The first try
    is a plain await: the backoff machinery is built only once a try has failed.
    ``fn`` may be any callable returning an awaitable (a lambda too).
    """
    try:
        return await fn()
    except Exception as exc:
        if policy.max_attempts <= 1 or not should_retry(exc):
            raise
        first = exc
    return await _retry_after(fn, policy, first, should_retry, what)


async def _retry_after(
    fn: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    first: BaseException,
    should_retry: Callable[[BaseException], bool],
    what: str,
) -> T:
    """The tries after a failed first one: sleep, then ``backoff`` for the rest."""
    wait = _delay(policy, 0, getattr(first, "retry_after", None))
    _log_retry(what, wait, 1, first)
    await asyncio.sleep(wait)

    def on_backoff(details: Any) -> None:
        _log_retry(what, details.get("wait", 0.0), details.get("tries", 0) + 1,
                   details.get("exception"))

    async def attempt() -> T:  # backoff retries only what it sees as a coroutine function
        return await fn()

    decorated = backoff.on_exception(
        _wait_gen(policy, 1),
        Exception,
        max_tries=policy.max_attempts - 1,
        giveup=lambda exc: not should_retry(exc),
        jitter=None,
        on_backoff=on_backoff,
        raise_on_giveup=True,
        logger=None,  # we log retries ourselves, without exception details
    )(attempt)
    result: T = await decorated()
    return result


def _log_retry(what: str, wait: float, tries: int, exc: BaseException | None) -> None:
    log.info(
        "retrying %s in %.2fs (attempt %d failed: %s)",
        what, wait, tries, type(exc).__name__ if exc is not None else "?",
    )


def failure_delay(policy: RetryPolicy, failures: int, retry_after: float | None = None) -> float:
    """Backoff before the next try after ``failures`` consecutive failures (full jitter)."""
    return _delay(policy, max(0, failures - 1), retry_after)
