"""The one request path: session, timeouts, the ``{code, msg, data}`` envelope, errors.

Safe requests (GETs, free uploads) retry on connection errors, HTTP 429/5xx and the
rate-limit / maintenance / server body codes. A paid request (every other POST) is
retried only when the reply proves the server did not act on it (a refused connection,
a rate-limit or maintenance answer); a timeout or a dropped connection after the body
was sent raises with ``maybe_submitted=True`` and is never sent again.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Mapping
from typing import Any

import aiohttp

from ._retry import may_resend, may_retry, retry_call
from ._version import __version__
from .config import CONNECTION_LIMIT, MAX_REPLY_BYTES, ProviderProfile, RetryPolicy, Timeouts
from .errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    ClientClosedError,
    NotFoundError,
    ResponseTooLargeError,
    error_for_code,
)

__all__ = ["UNCHANGED", "Transport"]

log = logging.getLogger("suno_async")


class _Unchanged:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNCHANGED"


#: What :meth:`Transport.poll` gives instead of the data when a reply is byte for byte
#: the one before it (nothing parsed: the caller already has its record).
UNCHANGED: Any = _Unchanged()


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class Transport:
    """One ``aiohttp.ClientSession`` and the request logic around it.

    The session is created lazily inside the running loop. A session passed in by the
    caller is used as is and never closed here.
    """

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        upload_base_url: str,
        provider: ProviderProfile,
        timeouts: Timeouts,
        retry: RetryPolicy,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self._api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.upload_base_url = upload_base_url.rstrip("/")
        self.provider = provider
        self.timeouts = timeouts
        self.retry = retry
        self._session = session
        self._owns_session = session is None
        self._closed = False
        self.requests_sent = 0
        self._header_cache: dict[str, str] | None = None
        # GET replies are small JSON: one deadline (connect + read, within total) instead
        # of a per-read timer re-armed on every chunk. Our own session has it as its
        # default (GETs pass none); the other calls pass ``sock_read`` with ``total``.
        self._get_timeout = aiohttp.ClientTimeout(
            total=min(timeouts.total, timeouts.connect + timeouts.read),
            connect=timeouts.connect,
        )
        self._other_timeout = aiohttp.ClientTimeout(
            total=timeouts.total, connect=timeouts.connect, sock_read=timeouts.read
        )
        # Our own session carries the API headers as its defaults (it only ever talks
        # to the API hosts; aiohttp drops Authorization on a redirect to another
        # origin either way): nothing to merge per request. A caller's session gets
        # them per request, never as its defaults.
        self._options: dict[str, dict[str, Any]] = {}

    def __repr__(self) -> str:
        return f"Transport(base_url={self.base_url!r}, provider={self.provider.name!r})"

    def _headers(self) -> dict[str, str]:
        headers = self._header_cache
        if headers is None:  # built once: the key and version do not change
            headers = self._header_cache = {
                "Authorization": f"Bearer {self._api_key}",
                "Accept": "application/json",
                "User-Agent": f"suno-async/{__version__}",
            }
        return headers

    def session(self) -> aiohttp.ClientSession:
        """The session for API requests. Our own one has the API key in its default
        headers: it is never used for any other host (downloads have their own)."""
        if self._closed:
            raise ClientClosedError("the client is closed")
        if self._session is None:
            asyncio.get_running_loop()  # sessions belong to a running loop
            self._session = aiohttp.ClientSession(
                headers=self._headers(),
                timeout=self._get_timeout,
                connector=aiohttp.TCPConnector(limit=CONNECTION_LIMIT),
            )
        return self._session

    async def aclose(self) -> None:
        self._closed = True
        session, self._session = self._session, None
        if session is not None and self._owns_session:
            await session.close()

    def url(self, path: str, *, upload: bool = False) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return (self.upload_base_url if upload else self.base_url) + path

    # ------------------------------------------------------------------ public calls

    async def get(
        self,
        path: str,
        params: Mapping[str, str] | None = None,
        *,
        envelope_codes: Collection[int] = (),
    ) -> Any:
        """GET ``path`` and return the envelope's ``data`` (safe: retried).

        For endpoints whose body ``code`` is a task status (recovery: 201 running,
        500 failed), ``envelope_codes`` lists the codes for which the whole envelope is
        returned instead of raised.
        """

        async def once() -> Any:
            raw, status, headers = await self._exchange("GET", path, params=params)
            return self._unwrap(raw, status, headers, path, envelope_codes)

        return await retry_call(once, self.retry, should_retry=may_retry, what=f"GET {path}")

    async def post(
        self,
        path: str,
        body: Mapping[str, Any] | None = None,
        *,
        idempotent: bool = False,
        upload: bool = False,
        data: Callable[[], aiohttp.FormData] | None = None,
    ) -> Any:
        """POST ``path`` and return the envelope's ``data``.

        Paid requests (``idempotent=False``) are re-sent only when the server provably
        did not act on them. ``data`` builds a multipart body; it is called once per
        attempt (a sent form is consumed).
        """

        async def once() -> Any:
            form = data() if data is not None else None
            raw, status, headers = await self._exchange(
                "POST", path, json_body=body, form=form, upload=upload, paid=not idempotent
            )
            # A paid request answered with a server error or a garbled reply may still
            # have created its task: such errors are built ``maybe_submitted`` (never
            # re-sent).
            return self._unwrap(raw, status, headers, path, paid=not idempotent)

        check = may_retry if idempotent else may_resend
        return await retry_call(once, self.retry, should_retry=check, what=f"POST {path}")

    def poll(
        self,
        path: str,
        params: Mapping[str, str],
        *,
        last: int | None = None,
        envelope_codes: Collection[int] = (),
        retry: bool = False,
    ) -> Awaitable[tuple[int, Any]]:
        """GET a task's record: ``(fingerprint, data)``, ``data`` as :meth:`get` gives it.

        ``data`` is :data:`UNCHANGED` when the reply is HTTP 200 and its fingerprint is
        ``last``: the fingerprint of an earlier reply the caller parsed without error.
        Most polls find a task where the last one left it, and such a reply is not
        decoded at all. The fingerprint is Python's keyed (per-process, 64-bit) hash of
        the body's bytes: a changed reply taken for the last one would need a collision
        with it (odds of 2**-64 per change). ``retry=False`` (the poller's polls: its
        schedule is the retry) sends one request.
        """
        if not retry:  # no wrapper, no coroutine of its own: the poller's hot path
            return self._poll_once(path, params, last, envelope_codes)
        return retry_call(
            lambda: self._poll_once(path, params, last, envelope_codes),
            self.retry, should_retry=may_retry, what=f"GET {path}",
        )

    # ------------------------------------------------------------------ internals

    async def _exchange(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Mapping[str, Any] | None = None,
        form: aiohttp.FormData | None = None,
        upload: bool = False,
        paid: bool = False,
    ) -> tuple[bytes, int, Mapping[str, str]]:
        """Send one request; the reply's body (size-capped), status and headers.
        Transport failures become typed errors here; the envelope is read by ``_unwrap``."""
        session = self.session()
        url = self.url(path, upload=upload)
        started = time.monotonic()
        self.requests_sent += 1
        try:
            async with session.request(
                method,
                url,
                params=params,
                json=json_body if form is None else None,
                data=form,
                **self._request_options(method),
            ) as resp:
                raw = await _read_capped(resp, f"{method} {path}", paid)
                status = resp.status
                headers = resp.headers
        except (
            aiohttp.ConnectionTimeoutError,
            aiohttp.ClientConnectorError,
            aiohttp.InvalidURL,
            aiohttp.NonHttpUrlClientError,
        ) as exc:
            # The connection was never established: nothing reached the server.
            raise APIConnectionError(
                f"cannot connect for {method} {path}: {type(exc).__name__}"
            ) from exc
        except TimeoutError as exc:
            raise APITimeoutError(
                f"{method} {path} timed out after {time.monotonic() - started:.1f}s"
                + ("; the task may have been created, it is not sent again" if paid else ""),
                maybe_submitted=paid,
            ) from exc
        except aiohttp.ClientError as exc:
            raise APIConnectionError(
                f"{method} {path} failed: {type(exc).__name__}"
                + ("; the task may have been created, it is not sent again" if paid else ""),
                maybe_submitted=paid,
            ) from exc
        log.debug("%s %s -> HTTP %d in %.3fs", method, path, status,
                  time.monotonic() - started)
        return raw, status, headers

    async def _poll_once(
        self,
        path: str,
        params: Mapping[str, str],
        last: int | None,
        envelope_codes: Collection[int],
    ) -> tuple[int, Any]:
        raw, status, headers = await self._exchange("GET", path, params=params)
        fingerprint = hash(raw)
        if status == 200 and fingerprint == last:
            return fingerprint, UNCHANGED
        return fingerprint, self._unwrap(raw, status, headers, path, envelope_codes)

    def _request_options(self, method: str) -> dict[str, Any]:
        """Per-request keyword arguments for ``method`` (built once per method)."""
        options = self._options.get(method)
        if options is None:
            if not self._owns_session:  # the caller's session: its own timeouts
                options = {"headers": self._headers()}
            elif method == "GET":
                options = {}  # the session's defaults are the GET ones
            else:
                options = {"timeout": self._other_timeout}
            self._options[method] = options
        return options

    def _unwrap(
        self,
        raw: bytes,
        status: int,
        headers: Mapping[str, str],
        path: str,
        envelope_codes: Collection[int] = (),
        *,
        paid: bool = False,
    ) -> Any:
        try:
            body = json.loads(raw) if raw else None
        except (ValueError, UnicodeDecodeError, RecursionError):
            body = None
        if status == 200 and type(body) is dict:
            code = body.get("code")
            if (type(code) is int and code == 200 and code not in envelope_codes
                    and body.get("success") is not False):
                return body.get("data")  # the usual reply: what the checks below allow
        retry_after = _retry_after(headers)
        provider = self.provider.name
        if not isinstance(body, dict):
            text = raw[:200].decode("utf-8", "replace")
            if status != 200:
                raise error_for_code(None, f"HTTP {status}", provider=provider,
                                     http_status=status, body=text,
                                     retry_after=retry_after, paid=paid)
            raise APIResponseValidationError(
                f"reply to {path} is not a JSON object", http_status=status, body=text,
                maybe_submitted=paid,
            )
        raw_code = body.get("code")
        # only a real int is a code ([], 1e400, "200", true are not)
        code = raw_code if type(raw_code) is int else None
        msg = body.get("msg")
        msg_text = msg if isinstance(msg, str) else ""
        if status == 429:  # HTTP 429 is a rate limit on every host, whatever the body says
            raise error_for_code(code, msg_text or "rate limited", provider=provider,
                                 http_status=status, body=body, retry_after=retry_after,
                                 paid=paid)
        if status == 200 and code is not None and code in envelope_codes:
            not_found = error_for_code(code, msg_text, provider=provider, body=body)
            if not isinstance(not_found, NotFoundError):
                return body  # the code is the task's status, not an error
            raise not_found
        if code is not None and code != 200:
            raise error_for_code(code, msg_text, provider=provider, http_status=status,
                                 body=body, retry_after=retry_after, paid=paid)
        if status != 200:
            raise error_for_code(None, msg_text or f"HTTP {status}", provider=provider,
                                 http_status=status, body=body, retry_after=retry_after,
                                 paid=paid)
        if code != 200:
            raise APIResponseValidationError(
                f"reply to {path} has no numeric code", http_status=status, body=body,
                maybe_submitted=paid,
            )
        if body.get("success") is False:
            raise APIStatusError(msg_text or "request failed", code=code, msg=msg_text,
                                 http_status=status, body=body)
        return body.get("data")


async def _read_capped(resp: aiohttp.ClientResponse, what: str, paid: bool) -> bytes:
    """The reply body, refused (unread) beyond ``MAX_REPLY_BYTES``."""
    declared = resp.content_length
    if declared is not None and declared > MAX_REPLY_BYTES:
        raise _too_large(what, resp.status, paid)
    if declared is not None and resp.headers.get("Content-Encoding", "identity") == "identity":
        # An uncompressed reply of a declared length within the cap (the usual one):
        # aiohttp reads exactly that much, so one read instead of a chunk iterator. A
        # compressed one is counted as it is inflated, below.
        return await resp.read()
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > MAX_REPLY_BYTES:
            raise _too_large(what, resp.status, paid)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(what: str, status: int, paid: bool) -> ResponseTooLargeError:
    return ResponseTooLargeError(
        f"reply to {what} is larger than {MAX_REPLY_BYTES} bytes; refused unread",
        http_status=status,
        maybe_submitted=paid,
    )
