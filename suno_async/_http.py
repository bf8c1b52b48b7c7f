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
from collections.abc import Collection, Mapping
from typing import Any

import aiohttp

from ._retry import retry_call
from ._version import __version__
from .config import CONNECTION_LIMIT, ProviderProfile, RetryPolicy, Timeouts
from .errors import (
    ERROR_CLASSES,
    HTTP_STATUS_KINDS,
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    ClientClosedError,
    MaintenanceError,
    RateLimitError,
    ServerError,
    error_for_code,
)

__all__ = ["Transport"]

log = logging.getLogger("suno_async")



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


def _is_retryable(exc: BaseException) -> bool:
    """Whether a safe request may be tried again after ``exc``."""
    if isinstance(exc, RateLimitError | MaintenanceError | ServerError):
        return True
    # a garbled reply (proxy page, truncated body) to a safe request: ask again
    return isinstance(exc, APIResponseValidationError | APIConnectionError)


def _never_reached(exc: BaseException) -> bool:
    """Whether a paid request provably did not create anything, so it may be re-sent."""
    if isinstance(exc, RateLimitError | MaintenanceError):
        return True
    return isinstance(exc, APIConnectionError) and not exc.maybe_submitted


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
        # of a per-read timer re-armed on every chunk; the session keeps ``sock_read``
        # for the other calls.
        self._get_options: dict[str, Any] = {
            "timeout": aiohttp.ClientTimeout(
                total=min(timeouts.total, timeouts.connect + timeouts.read),
                connect=timeouts.connect,
            )
        }

    def __repr__(self) -> str:
        return f"Transport(base_url={self.base_url!r}, provider={self.provider.name!r})"

    @property
    def closed(self) -> bool:
        return self._closed

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
        if self._closed:
            raise ClientClosedError("the client is closed")
        if self._session is None:
            asyncio.get_running_loop()  # sessions belong to a running loop
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(
                    total=self.timeouts.total,
                    connect=self.timeouts.connect,
                    sock_read=self.timeouts.read,
                ),
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
        retry: bool = True,
        envelope_codes: Collection[int] = (),
    ) -> Any:
        """GET ``path`` and return the envelope's ``data`` (safe: retried).

        For endpoints whose body ``code`` is a task status (recovery: 201 running,
        500 failed), ``envelope_codes`` lists the codes for which the whole envelope is
        returned instead of raised.
        """

        async def once() -> Any:
            return await self._request("GET", path, params=params, envelope_codes=envelope_codes)

        if not retry:
            return await once()
        return await retry_call(once, self.retry, should_retry=_is_retryable, what=f"GET {path}")

    async def post(
        self,
        path: str,
        body: Mapping[str, Any] | None = None,
        *,
        idempotent: bool = False,
        upload: bool = False,
        data: aiohttp.FormData | None = None,
    ) -> Any:
        """POST ``path`` and return the envelope's ``data``.

        Paid requests (``idempotent=False``) are re-sent only when the server provably
        did not act on them.
        """

        async def once() -> Any:
            return await self._request("POST", path, json_body=body, upload=upload, form=data,
                                       paid=not idempotent)

        check = _is_retryable if idempotent else _never_reached
        return await retry_call(once, self.retry, should_retry=check, what=f"POST {path}")

    # ------------------------------------------------------------------ internals

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Mapping[str, Any] | None = None,
        form: aiohttp.FormData | None = None,
        upload: bool = False,
        paid: bool = False,
        envelope_codes: Collection[int] = (),
    ) -> Any:
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
                # per request, never session defaults: downloads through the same
                # session must not carry the API key to other hosts
                headers=self._headers(),
                **(self._get_options if method == "GET" and self._owns_session else {}),
            ) as resp:
                raw = await resp.read()
                status = resp.status
                headers = resp.headers
        except (aiohttp.ConnectionTimeoutError, aiohttp.ClientConnectorError) as exc:
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
        try:
            return self._unwrap(raw, status, headers, path, envelope_codes)
        except (ServerError, APIResponseValidationError) as exc:
            # A paid request answered with a server error or a garbled reply may still
            # have created its task: say so, so it is never re-sent blindly.
            exc.maybe_submitted = paid
            raise

    def _unwrap(
        self,
        raw: bytes,
        status: int,
        headers: Mapping[str, str],
        path: str,
        envelope_codes: Collection[int] = (),
    ) -> Any:
        retry_after = _retry_after(headers)
        try:
            body = json.loads(raw) if raw else None
        except (ValueError, UnicodeDecodeError, RecursionError):
            body = None
        if status == 429:  # HTTP 429 is a rate limit on every host, whatever the body says
            code = body.get("code") if isinstance(body, dict) else None
            msg = body.get("msg") if isinstance(body, dict) else None
            raise RateLimitError(
                f"{msg or 'rate limited'} (HTTP 429)",
                retry_after=retry_after,
                code=code if isinstance(code, int) else 429,
                msg=str(msg or ""),
                http_status=status,
                body=body,
            )
        if not isinstance(body, dict):
            text = raw[:200].decode("utf-8", "replace")
            if status != 200:
                raise _http_error(status, f"HTTP {status}", text)
            raise APIResponseValidationError(
                f"reply to {path} is not a JSON object", http_status=status, body=text
            )
        code = body.get("code")
        msg = body.get("msg")
        msg_text = msg if isinstance(msg, str) else ""
        if status == 200 and code in envelope_codes and not isinstance(code, bool):
            return body  # the code is the task's status, not an error
        if isinstance(code, int) and not isinstance(code, bool) and code != 200:
            raise error_for_code(code, msg_text, provider=self.provider.name,
                                 http_status=status, body=body, retry_after=retry_after)
        if status != 200:
            raise _http_error(status, msg_text or f"HTTP {status}", body)
        if code != 200:
            raise APIResponseValidationError(
                f"reply to {path} has no numeric code", http_status=status, body=body
            )
        if body.get("success") is False:
            raise APIStatusError(msg_text or "request failed", code=code, msg=msg_text,
                                 http_status=status, body=body)
        return body.get("data")


def _http_error(status: int, msg: str, body: object) -> APIStatusError:
    """The error for an HTTP status whose body carries no usable code."""
    kind = HTTP_STATUS_KINDS.get(status, "server" if status >= 500 else "invalid")
    cls = ERROR_CLASSES[kind]
    return cls(f"{msg} (HTTP {status})", code=status, msg=msg, http_status=status, body=body)
