"""Every exception the SDK raises, and the one table that picks a class for a reply.

All errors derive from :class:`SunoError`. Errors about replies from the API derive
from :class:`APIStatusError` and carry ``code``, ``msg``, ``http_status`` and ``body``.
Errors about a task that ran and failed derive from :class:`JobFailedError`.

>>> from suno_async.errors import error_for_code, InsufficientCreditsError
>>> err = error_for_code(402, "Insufficient credits", provider="kie")
>>> isinstance(err, InsufficientCreditsError)
True
>>> type(error_for_code(429, "credits used up", provider="sunoapi")).__name__
'InsufficientCreditsError'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Final

import attrs

if TYPE_CHECKING:
    from .models.records import Record

__all__ = [
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "CallbackDeliveryError",
    "ClientClosedError",
    "ConflictError",
    "ContentPolicyError",
    "CreateTaskFailedError",
    "DownloadError",
    "GenerationFailedError",
    "InsufficientCreditsError",
    "InvalidParametersError",
    "JobDetachedError",
    "JobFailedError",
    "JobTimeoutError",
    "JobTrackingError",
    "JournalError",
    "MaintenanceError",
    "NotFoundError",
    "Problem",
    "RateLimitError",
    "RequestValidationError",
    "ResponseTooLargeError",
    "ServerError",
    "StoreError",
    "SunoError",
    "UnknownModelWarning",
    "error_class",
    "error_for_code",
]


class SunoError(Exception):
    """Base class of every error raised by suno-async.

    ``maybe_submitted`` is true when a paid request had already been sent when this
    went wrong, so a task may exist (and be billed): such a request is never sent
    again. It is set once, by the constructor.

    Whether a request may be tried again after the error is a property of its class:
    ``retry_safe`` for safe requests (GETs, free uploads) and ``resend_safe`` for paid
    POSTs (the reply proves the server did nothing). :attr:`retryable` and
    :attr:`resendable` read them (the retry layer asks these two, nothing else).

    >>> ServerError("boom").retryable, ServerError("boom", maybe_submitted=True).resendable
    (True, False)
    """

    #: A safe request (GET, free upload) may be tried again after this error.
    retry_safe: ClassVar[bool] = False
    #: A paid request provably did nothing when this error happened: it may be re-sent.
    resend_safe: ClassVar[bool] = False
    #: The server may have acted on a paid request before answering with this error.
    acted_maybe: ClassVar[bool] = False

    def __init__(self, *args: object, maybe_submitted: bool = False) -> None:
        super().__init__(*args)
        self.maybe_submitted = maybe_submitted

    @property
    def retryable(self) -> bool:
        """Whether a safe request may be sent again after this error."""
        return self.retry_safe

    @property
    def resendable(self) -> bool:
        """Whether a paid request may be sent again after this error."""
        return self.resend_safe and not self.maybe_submitted


class UnknownModelWarning(UserWarning):
    """A model name the SDK's tables do not know was sent as-is (the server decides)."""


# --------------------------------------------------------------------------------------
# Local validation
# --------------------------------------------------------------------------------------


@attrs.frozen
class Problem:
    """One problem found in a request: the field path and what fixes it."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class RequestValidationError(SunoError, ValueError):
    """A request broke one or more of the API's rules; nothing was sent.

    ``problems`` lists every problem at once, each with its field path.

    >>> err = RequestValidationError([Problem("title", "required in custom mode")])
    >>> err.problems[0].field
    'title'
    """

    def __init__(self, problems: Sequence[Problem], *, request: str = "request") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.request = request
        lines = "\n".join(f"  - {p}" for p in self.problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"invalid {request} ({count} {noun}, nothing was sent):\n{lines}")

    @property
    def fields(self) -> tuple[str, ...]:
        """The field paths that have problems, in order."""
        return tuple(p.field for p in self.problems)


# --------------------------------------------------------------------------------------
# Transport
# --------------------------------------------------------------------------------------


class APIConnectionError(SunoError):
    """The API could not be reached (DNS, refused connection, reset, TLS).

    ``maybe_submitted`` is true when a paid request was already sent when the
    connection failed: the task may exist. Such a request is never sent again.
    """

    retry_safe = True
    resend_safe = True

    def __init__(self, message: str, *, maybe_submitted: bool = False) -> None:
        super().__init__(message, maybe_submitted=maybe_submitted)


class APITimeoutError(APIConnectionError, TimeoutError):
    """A request timed out.

    ``maybe_submitted`` is true when a task-creating request was fully sent before the
    timeout: the task may exist and be billed. The SDK never re-sends such a request;
    check your task list (or the journal) before submitting again.
    """


class ClientClosedError(SunoError):
    """The client was closed while this operation was pending."""


class APIStatusError(SunoError):
    """The API answered with an error (HTTP status or body ``code``).

    Attributes: ``code`` (body code, or the HTTP status when the body had none),
    ``msg`` (the API's message), ``http_status`` and ``body`` (the parsed body, or the
    text when it was not JSON).
    """

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        msg: str = "",
        http_status: int = 200,
        body: object = None,
        maybe_submitted: bool = False,
    ) -> None:
        super().__init__(message, maybe_submitted=maybe_submitted)
        self.code = code
        self.msg = msg
        self.http_status = http_status
        self.body = body


class AuthenticationError(APIStatusError):
    """The API key is missing or wrong (code 401)."""


class InsufficientCreditsError(APIStatusError):
    """The account has not enough credits (kie 402; old sunoapi.org 429)."""


class NotFoundError(APIStatusError):
    """The task, record or endpoint does not exist."""


class ConflictError(APIStatusError):
    """The resource already exists (code 409; e.g. a WAV record for this track)."""


class InvalidParametersError(APIStatusError):
    """The API refused the parameters (codes 400, 413, 422, 451...)."""


class RateLimitError(APIStatusError):
    """Too many requests (HTTP 429, kie body 429, old sunoapi 405/430).

    ``retry_after`` is the server's ``Retry-After`` in seconds when it sent one.
    """

    retry_safe = True
    resend_safe = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class MaintenanceError(APIStatusError):
    """The service is under maintenance (code 455)."""

    retry_safe = True
    resend_safe = True


class ServerError(APIStatusError):
    """The server failed (HTTP 5xx, body 500/501)."""

    retry_safe = True
    acted_maybe = True


class APIResponseValidationError(APIStatusError):
    """The reply could not be understood (not JSON, or not the expected shape)."""

    # a garbled reply (proxy page, truncated body) to a safe request: ask again
    retry_safe = True
    acted_maybe = True


class ResponseTooLargeError(APIResponseValidationError):
    """The reply was larger than ``config.MAX_REPLY_BYTES``; it was not read (nor retried)."""

    retry_safe = False


#: Error kind (the names used by ``ProviderProfile.code_map`` in :mod:`suno_async.config`)
#: to its class.
ERROR_CLASSES: Final[Mapping[str, type[APIStatusError]]] = {
    "auth": AuthenticationError,
    "credits": InsufficientCreditsError,
    "not_found": NotFoundError,
    "conflict": ConflictError,
    "invalid": InvalidParametersError,
    "rate_limit": RateLimitError,
    "maintenance": MaintenanceError,
    "server": ServerError,
}

#: Messages that say more than their code (REFERENCE §2.4): the live API answers an
#: unknown task, audio or file on create/sync calls with body code 422, and on
#: recovery with 500, and only the text tells "not found". Lower-case substrings.
#: ``"url is wrong"`` (download-url with a URL the provider did not generate) is a
#: not-found too: the provider has no such file.
NOT_FOUND_TEXTS: Final = ("does not exist", "not found", "url is wrong")
#: Body codes whose message is looked up in :data:`NOT_FOUND_TEXTS`.
NOT_FOUND_TEXT_CODES: Final = frozenset({422, 500})

#: HTTP statuses (without a usable body code) and the kind they mean.
HTTP_STATUS_KINDS: Final[Mapping[int, str]] = {
    401: "auth",
    403: "auth",
    404: "not_found",
    409: "conflict",
    429: "rate_limit",
    500: "server",
    502: "server",
    503: "server",
    504: "server",
}


def error_kind(code: int, provider: str = "kie", msg: str = "") -> str:
    """The error kind of a body ``code`` (and its ``msg``) for ``provider``.

    >>> error_kind(422, msg="Original music record does not exist"), error_kind(422)
    ('not_found', 'invalid')
    >>> error_kind(430, "sunoapi"), error_kind(599)
    ('rate_limit', 'server')
    """
    from .config import PROVIDERS

    if code in NOT_FOUND_TEXT_CODES and any(t in msg.lower() for t in NOT_FOUND_TEXTS):
        return "not_found"
    profile = PROVIDERS.get(provider, PROVIDERS["kie"])
    kind = profile.code_map.get(code)
    if kind is not None:
        return kind
    return "server" if code >= 500 else "invalid"


def error_class(
    code: int | None, msg: str = "", *, provider: str = "kie", http_status: int = 200
) -> type[APIStatusError]:
    """The one lookup: body ``code`` / HTTP status / message -> error class.

    ``code`` is the body's numeric code, ``None`` when the body had none (then the
    HTTP status decides). HTTP 429 is a rate limit on every host, whatever the body.

    >>> error_class(None, http_status=503).__name__, error_class(402, provider="sunoapi").__name__
    ('ServerError', 'InsufficientCreditsError')
    """
    if http_status == 429:
        return RateLimitError
    if code is None:
        status_kind = HTTP_STATUS_KINDS.get(http_status)
        if status_kind is None:
            status_kind = "server" if http_status >= 500 else "invalid"
        return ERROR_CLASSES[status_kind]
    return ERROR_CLASSES[error_kind(code, provider, msg)]


def error_for_code(
    code: int | None,
    msg: str,
    *,
    provider: str = "kie",
    http_status: int = 200,
    body: object = None,
    retry_after: float | None = None,
    paid: bool = False,
) -> APIStatusError:
    """Build the exception for a reply (see :func:`error_class`).

    ``paid``: the reply answers a paid request; for the classes whose server may have
    acted before failing (``acted_maybe``) the error is ``maybe_submitted``.
    """
    cls = error_class(code, msg, provider=provider, http_status=http_status)
    shown = code if code is not None else http_status
    text = f"{msg or 'error'} (code {shown})" if code is not None else f"{msg} (HTTP {shown})"
    if code is not None and http_status != 200:
        text += f" [HTTP {http_status}]"
    options: dict[str, Any] = {
        "code": shown,
        "msg": msg,
        "http_status": http_status,
        "body": body,
        "maybe_submitted": paid and cls.acted_maybe,
    }
    if cls is RateLimitError:
        return RateLimitError(text, retry_after=retry_after, **options)
    return cls(text, **options)


# --------------------------------------------------------------------------------------
# Jobs
# --------------------------------------------------------------------------------------


class JobFailedError(SunoError):
    """A task reached a terminal failure status.

    ``task_id``, ``status`` (raw string), ``error_code`` and ``error_message`` come from
    the API; ``record`` is the last record seen, when any.
    """

    def __init__(
        self,
        task_id: str,
        status: str,
        *,
        error_code: int | None = None,
        error_message: str | None = None,
        record: Record | None = None,
    ) -> None:
        detail = f": {error_message}" if error_message else ""
        code = f" (code {error_code})" if error_code is not None else ""
        super().__init__(f"task {task_id} ended with {status}{code}{detail}")
        self.task_id = task_id
        self.status = status
        self.error_code = error_code
        self.error_message = error_message
        self.record = record


class CreateTaskFailedError(JobFailedError):
    """The provider could not create the task (``CREATE_TASK_FAILED``)."""


class GenerationFailedError(JobFailedError):
    """Generation failed (``GENERATE_AUDIO_FAILED`` and the other families' equivalents).

    Credits are usually refunded (code 531 says so explicitly).
    """


class ContentPolicyError(JobFailedError):
    """The content was filtered (``SENSITIVE_WORD_ERROR``, copyrighted lyrics...)."""


class CallbackDeliveryError(JobFailedError):
    """``CALLBACK_EXCEPTION`` before the results were complete."""


class JobTrackingError(SunoError):
    """Tracking gave up after many consecutive failed polls; the task may still run."""

    def __init__(self, task_id: str, cause: BaseException | None = None) -> None:
        super().__init__(f"stopped tracking task {task_id} after repeated poll failures: {cause}")
        self.task_id = task_id
        self.__cause__ = cause


class JobTimeoutError(SunoError, TimeoutError):
    """Waiting ended before the job reached the awaited stage.

    The job itself may still finish: this is not a job failure.
    """

    def __init__(self, task_id: str, waited: float, stage: object = None) -> None:
        target = f" for {stage}" if stage is not None else ""
        super().__init__(f"gave up waiting{target} on task {task_id} after {waited:.1f}s")
        self.task_id = task_id
        self.waited = waited
        self.stage = stage


class JobDetachedError(SunoError):
    """``Job.detach()`` was called while this wait was pending (the task still runs)."""


class JournalError(SunoError):
    """The journal (or store) could not be read or written.

    ``task_id`` is set when a paid task was created but its id could not be
    recorded: the job is still tracked in memory; keep the id (``resume()`` will not
    know it). Nothing is ever re-sent because of this error.

    >>> JournalError("disk full", task_id="abc").task_id
    'abc'
    """

    def __init__(self, message: str, *, task_id: str | None = None) -> None:
        super().__init__(message)
        self.task_id = task_id


class StoreError(JournalError):
    """The shared store cannot be reached or used (connection refused, outage, bad URL,
    a store written by a newer suno-async).

    A subclass of :class:`JournalError`: ``except JournalError`` catches every store
    failure. Raised at ``async with SunoClient(store=...)`` when the store is unreachable;
    mid-run, a submission whose claim cannot be recorded fails with it and sends nothing.

    >>> isinstance(StoreError("redis store redis://db:6379/0 connection failed"), JournalError)
    True
    """


class DownloadError(SunoError):
    """A download was refused or failed (size cap, private address, HTTP error...).

    ``url`` is the URL being fetched when it happened; ``status`` the HTTP status when
    the server answered with an error.
    """

    def __init__(self, message: str, *, url: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status
