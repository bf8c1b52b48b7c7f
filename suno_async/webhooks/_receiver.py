"""The receiver: every check a callback passes, independent of any web framework."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import hmac
import json
import logging
import re
import secrets
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

from yarl import URL

from ..config import WebhookPolicy
from ..errors import APIResponseValidationError
from ..models.callbacks import callback_task_id
from . import _aiohttp, _link
from ._asgi import AsgiApp
from ._early import EarlyBudget
from ._response import WebhookResponse
from ._signature import SIGNATURE_HEADER, signed_task_id, stamp_in_window

if TYPE_CHECKING:
    from aiohttp import web

    from ..client import SunoClient

__all__ = ["BODY_TIMEOUT", "DEFAULT_PATH", "Headers", "WebhookReceiver"]

log = logging.getLogger("suno_async")

DEFAULT_PATH: Final = "/suno-async/callback"
#: Seconds a sender gets to deliver a body once its headers passed the checks
#: (kie expects an answer within 15 s). Module constant; to move to ``WebhookPolicy``.
BODY_TIMEOUT: Final = 10.0
#: A token is URL-safe (RFC 3986 unreserved characters) and long enough to be unguessable.
_TOKEN: Final = re.compile(r"[A-Za-z0-9_.~-]{16,256}")
_PATH: Final = re.compile(r"(/[A-Za-z0-9_.~-]+)*")

#: Request headers in any form frameworks hand them over: a mapping, or (name, value)
#: pairs of ``str`` or ``bytes`` (ASGI).
Headers = Mapping[str, str] | Iterable[tuple[str | bytes, str | bytes]]


class _Lowered(dict[str, str]):
    """Headers already normalised by :func:`_lower` (lower-case names, joined repeats)."""


def _lower(headers: Headers) -> _Lowered:
    pairs: Iterable[tuple[Any, Any]] = (
        headers.items() if isinstance(headers, Mapping) else headers
    )
    out = _Lowered()
    for name, value in pairs:
        key = name.decode("latin-1") if isinstance(name, bytes) else str(name)
        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        key = key.lower()
        # a repeated header is one comma-joined value (RFC 9110 5.3): a second,
        # different Content-Type or signature then fails its check instead of hiding
        out[key] = f"{out[key]}, {text}" if key in out else text
    return out


def _check_token(token: str) -> str:
    if not isinstance(token, str):
        raise TypeError(f"token must be a str, got {type(token).__name__}")
    if _TOKEN.fullmatch(token):
        return token
    problems = []
    if not 16 <= len(token) <= 256:
        problems.append(f"it has {len(token)} characters, not 16 to 256")
    if any(c in token for c in "/?#"):
        problems.append("it contains '/', '?' or '#' (they would cut the callback URL)")
    if any(c.isspace() or ord(c) < 32 for c in token):
        problems.append("it contains whitespace or control characters")
    if not token.isascii():
        problems.append("it contains non-ASCII characters")
    elif not problems:
        problems.append("it contains characters other than A-Z a-z 0-9 - _ . ~")
    raise ValueError(
        "token must be 16 to 256 URL-safe characters (A-Z a-z 0-9 - _ . ~): "
        + "; ".join(problems)
        + " (the token itself is not shown; omit token= to get a random one)"
    )


def _check_public_url(text: str | None) -> str | None:
    if text is None:
        return None
    if not isinstance(text, str):
        raise TypeError(f"public_url must be a str, got {type(text).__name__}")
    shown = "<with user:password>" if "@" in text else repr(text[:100])
    try:
        url = URL(text)
    except ValueError:
        url = None
    if (
        url is None
        or url.scheme not in ("http", "https")
        or not url.host
        or url.user is not None
        or url.query_string
        or url.fragment
    ):
        raise ValueError(
            f"public_url must be an absolute http(s) base URL without query or fragment, "
            f"such as 'https://bot.example.com' or 'https://bot.example.com/hooks'; "
            f"got {shown}"
        )
    return text.rstrip("/")


class WebhookReceiver:
    """Callback endpoint for one or more clients, for any web framework.

    ``public_url``: the base URL the API can reach (e.g. ``https://bot.example.com``,
    or where you mounted the receiver: ``https://bot.example.com/suno``); when
    omitted, the URL :meth:`serve` listens on is used (right for the sandbox).
    ``hmac_key``: your kie ``webhookHmacKey``; when set, unsigned or badly signed
    callbacks, and callbacks outside the timestamp window, are refused. The token in
    the URL (random unless given; 16-256 URL-safe characters) is checked always.
    ``body_timeout``: seconds a sender has to deliver a body (408 after).

    Where it runs: :meth:`serve` (standalone, with connection cap and header
    timeout), :meth:`mount` (your aiohttp app), :meth:`asgi` (FastAPI, Starlette, any
    ASGI server), or :meth:`handle_raw` from any other framework's route.

    Limits of the provider's scheme: kie signs ``taskId.timestamp``, not the body, and
    two genuine callbacks of a task can carry the same signature, so a captured
    callback could be replayed with another body inside the window. The URL token is
    the second factor: serve the receiver over HTTPS only, and keep the path out of
    access logs (``aiohttp`` and ``uvicorn`` log request paths unless told not to).

    >>> WebhookReceiver(public_url="https://bot.example.com", token="t" * 24).callback_url
    'https://bot.example.com/suno-async/callback/tttttttttttttttttttttttt'
    >>> WebhookReceiver(public_url="bot.example.com")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: public_url must be an absolute http(s) base URL ... got 'bot.example.com'
    """

    def __init__(
        self,
        *,
        public_url: str | None = None,
        path: str = DEFAULT_PATH,
        hmac_key: str | None = None,
        policy: WebhookPolicy | None = None,
        token: str | None = None,
        body_timeout: float = BODY_TIMEOUT,
    ) -> None:
        self.public_url = public_url
        if (
            not isinstance(path, str)
            or not _PATH.fullmatch(path.rstrip("/"))
            or any(part in (".", "..") for part in path.split("/"))
        ):
            raise ValueError(
                "path must be '/'-separated segments of A-Z a-z 0-9 - _ . ~, "
                f"such as {DEFAULT_PATH!r}; got {path!r}"
            )
        if hmac_key is not None and (not isinstance(hmac_key, str) or not hmac_key):
            raise ValueError("hmac_key must be a non-empty str (your kie webhookHmacKey)")
        if not (isinstance(body_timeout, int | float) and 0 < body_timeout < float("inf")):
            raise ValueError(f"body_timeout must be a finite number > 0, got {body_timeout!r}")
        self.path = "/" + path.strip("/")
        self._prefix = self.path.rstrip("/") + "/"
        self._hmac_key = hmac_key
        self.policy = policy or WebhookPolicy()
        self._token = secrets.token_urlsafe(24) if token is None else _check_token(token)
        #: Where the token came from: ``"random"``, ``"configured"`` or ``"fleet"`` (the
        #: store's shared token, taken from the first fleet client attached).
        self.token_source = "random" if token is None else "configured"
        self.body_timeout = float(body_timeout)
        self._clients: list[SunoClient] = []
        self._served_url: str | None = None
        self._early = EarlyBudget()
        #: Counters: ``accepted``, ``buffered``, one ``rejected:<reason>`` per reason and,
        #: under :meth:`serve`, ``connections:<event>``.
        self.stats: collections.Counter[str] = collections.Counter()

    def __repr__(self) -> str:
        return f"WebhookReceiver(path={self.path!r}, signed={self._hmac_key is not None})"

    # ------------------------------------------------------------------ wiring

    @property
    def public_url(self) -> str | None:
        """The base URL the API reaches the receiver at (validated on assignment)."""
        return self._public_url

    @public_url.setter
    def public_url(self, value: str | None) -> None:
        self._public_url = _check_public_url(value)

    @property
    def route(self) -> str:
        """The route pattern to mount (the token is the last path segment)."""
        return self._prefix + "{token}"

    @property
    def route_prefix(self) -> str:
        """The request path below the base URL, up to the token (ends with ``/``)."""
        return self._prefix

    @property
    def callback_url(self) -> str:
        """The URL sent as ``callBackUrl`` (contains the secret token: keep it out of logs)."""
        base = self.public_url or self._served_url
        if base is None:
            raise RuntimeError("set public_url=..., or start serve() before attaching")
        return f"{base}{self._prefix}{self._token}"

    @property
    def served_url(self) -> str | None:
        """The base URL :meth:`serve` listens on while it runs (set by the server)."""
        return self._served_url

    @served_url.setter
    def served_url(self, value: str | None) -> None:
        self._served_url = value

    @property
    def early_bytes(self) -> int:
        """Raw bytes of early callbacks (task id not known yet) this receiver handed to
        clients' buffers and counts as still held: at most ``EARLY_BUFFER_BYTES``."""
        self._early.prune(self._still_early)
        return self._early.held

    def attach(self, client: SunoClient) -> None:
        """Feed callbacks into ``client``; its new tasks will carry :attr:`callback_url`.

        A client sharing a store (``SunoClient(store=...)``) must be open first: the
        receiver then uses the store's fleet-wide token (unless ``token=`` was given),
        so every worker's receiver accepts every task's callbacks, and callbacks for
        another worker's tasks are passed on to it through the store.
        """
        if _link.routes(client):
            shared = _link.fleet_token(client)
            if shared is None:
                raise RuntimeError(
                    "open the client before attaching it (async with SunoClient(...) or"
                    " await client.open()): its store holds the fleet's webhook token"
                )
            if self.token_source == "random" and not self._clients:
                self._token, self.token_source = shared, "fleet"
            elif self.token_source == "fleet" and not hmac.compare_digest(
                self._token.encode(), shared.encode()
            ):
                raise ValueError(
                    "this receiver already serves another store's fleet; use one receiver"
                    " per store (or give token=... to both)"
                )
        url = self.callback_url
        if client not in self._clients:
            self._clients.append(client)
        _link.use_url(client, url)

    def detach(self, client: SunoClient) -> None:
        """Stop feeding ``client``; its new tasks go back to polling."""
        if client in self._clients:
            self._clients.remove(client)
        _link.use_url(client, None)

    def mount(self, app: web.Application) -> None:
        """Add the callback route to your aiohttp application."""
        _aiohttp.mount(self, app)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """The aiohttp handler (what :meth:`mount` routes to)."""
        return await _aiohttp.handle(self, request)

    def serve(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        max_connections: int | None = None,
        header_timeout: float | None = None,
    ) -> contextlib.AbstractAsyncContextManager[str]:
        """Serve the receiver standalone; yields the base URL it listens on.

        At most ``max_connections`` connections are open at once (default
        ``MAX_CONNECTIONS``): when full, a new one evicts the oldest connection still
        sending its headers (or is refused if none is); request headers must arrive
        within ``header_timeout`` seconds (default ``HEADER_TIMEOUT``) and a body
        within ``body_timeout``. An idle keep-alive connection counts as sending
        headers: closed after ``header_timeout``, evictable like a slow one.
        """
        return _aiohttp.serve(self, host, port, max_connections=max_connections,
                     header_timeout=header_timeout)

    def asgi(self) -> AsgiApp:
        """A pure ASGI app of this receiver: ``app.mount("/suno", receiver.asgi())``.

        Set ``public_url`` to the mount point's public URL
        (``https://bot.example.com/suno``).
        """
        return AsgiApp(self)

    # ------------------------------------------------------------------ checks

    def reject(self, reason: str, status: int, *, retry_after: int | None = None
               ) -> WebhookResponse:
        """Count a refusal and build its answer (for adapters that refuse on their own,
        e.g. a body read timeout)."""
        self.stats[f"rejected:{reason}"] += 1
        log.warning("callback refused: %s", reason)
        return WebhookResponse.json(status, reason, retry_after=retry_after)

    def check_head(self, method: str, path: str, headers: Headers) -> WebhookResponse | None:
        """The checks that need no body: token (constant time), method, content type,
        declared length and, with a key, the signature headers' presence and window.

        Returns the refusal, or ``None`` when the body should be read. ``path`` is the
        request path below :attr:`public_url` (``/suno-async/callback/<token>``).
        :meth:`handle_raw` runs these again; call this first to refuse before reading.
        """
        head = headers if isinstance(headers, _Lowered) else _lower(headers)
        given = path[len(self._prefix):] if path.startswith(self._prefix) else ""
        if not hmac.compare_digest(given.encode(), self._token.encode()):
            return self.reject("bad token", 404)
        if method.upper() != "POST":
            return self.reject("method must be POST", 405)
        if head.get("content-type", "").split(";")[0].strip().lower() != "application/json":
            return self.reject("content type must be application/json", 415)
        length = head.get("content-length")
        if length is not None:
            if not (length.strip().isascii() and length.strip().isdigit()):
                return self.reject("bad Content-Length", 400)
            if int(length) > self.policy.max_body:
                return self.reject("body too large", 413)
        if self._hmac_key is not None and (
            not head.get(SIGNATURE_HEADER) or not stamp_in_window(head, self.policy.tolerance)
        ):
            return self.reject("bad signature", 401)
        return None

    async def read_body(self, chunks: AsyncIterator[bytes]) -> bytes | WebhookResponse:
        """Collect a body from ``chunks`` within the size cap and :attr:`body_timeout`."""
        parts: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.body_timeout):
                async for chunk in chunks:
                    size += len(chunk)
                    if size > self.policy.max_body:
                        return self.reject("body too large", 413)
                    parts.append(chunk)
        except TimeoutError:
            return self.reject("body read timeout", 408)
        return b"".join(parts)

    async def handle_raw(
        self,
        method: str,
        path: str,
        query: str | Mapping[str, str],
        headers: Headers,
        body: bytes | bytearray | memoryview,
    ) -> WebhookResponse:
        """Check one callback request and apply it; return the answer to send.

        ``path`` is the request path below :attr:`public_url`
        (``/suno-async/callback/<token>``); ``query`` is accepted so a route can pass
        its request whole (nothing is read from it); ``headers`` a mapping or
        (name, value) pairs; ``body`` the raw bytes (``TypeError`` for anything else:
        a programming error, not bad input). Bad input never raises: it is answered.
        Order: token, method, content type, size, signature (from the raw bytes, before
        any JSON parsing), JSON, task id, early-buffer budget.

        >>> import asyncio
        >>> receiver = WebhookReceiver(public_url="https://bot.test", token="t" * 20)
        >>> json_type = {"Content-Type": "application/json"}
        >>> status, body = asyncio.run(receiver.handle_raw(
        ...     "POST", "/suno-async/callback/wrong", "", json_type, b"{}"))
        >>> status, body
        (404, b'{"code": 404, "msg": "bad token"}')
        """
        del query
        if not isinstance(body, bytes | bytearray | memoryview):
            raise TypeError(
                f"body must be the raw request body as bytes, got {type(body).__name__}"
            )
        body = bytes(body)
        head = _lower(headers)
        refused = self.check_head(method, path, head)
        if refused is not None:
            return refused
        if len(body) > self.policy.max_body:
            return self.reject("body too large", 413)
        verified: str | None = None
        if self._hmac_key is not None:
            verified = signed_task_id(self._hmac_key, head, body, self.policy.tolerance)
            if verified is None:
                return self.reject("bad signature", 401)
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return self.reject("body is not JSON", 400)
        task_id = callback_task_id(payload)
        if task_id is None:
            return self.reject("no task id", 400)
        if verified is not None and not hmac.compare_digest(task_id.encode(), verified.encode()):
            return self.reject("bad signature", 401)
        return self._apply(task_id, payload, len(body))

    def _apply(self, task_id: str, payload: object, size: int) -> WebhookResponse:
        known = any(_link.knows(c, task_id) for c in self._clients)
        routed = not known and any(_link.routes(c) for c in self._clients)
        if not known and not routed:
            if not any(_link.expecting(c) for c in self._clients):
                return self.reject("unknown task id", 404)
            if not self._early.admit(task_id, size, still_early=self._still_early):
                return self.reject("early buffer full", 503, retry_after=5)
        try:
            for client in self._clients:
                _link.deliver(client, payload, size)
        except (APIResponseValidationError, ValueError, TypeError, OverflowError):
            return self.reject("not a callback of this API", 400)
        self.stats["accepted" if known else "routed" if routed else "buffered"] += 1
        return WebhookResponse.json(200, "success")

    def _still_early(self, task_id: str) -> bool:
        return not any(_link.knows(c, task_id) for c in self._clients)
