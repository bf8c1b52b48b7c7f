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
from typing import TYPE_CHECKING, Any, Final

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
    "ServerError",
    "SunoError",
    "UnknownModelWarning",
    "error_for_code",
]


class SunoError(Exception):
    """Base class of every error raised by suno-async."""


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

    def __init__(self, message: str, *, maybe_submitted: bool = False) -> None:
        super().__init__(message)
        self.maybe_submitted = maybe_submitted


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
    ) -> None:
        super().__init__(message)
        self.code = code
        self.msg = msg
        self.http_status = http_status
        self.body = body
        #: For a paid request: the server may have acted before failing (5xx, garbled
        #: reply), so a task may exist. Such a request is never re-sent.
        self.maybe_submitted = False


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

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class MaintenanceError(APIStatusError):
    """The service is under maintenance (code 455)."""


class ServerError(APIStatusError):
    """The server failed (HTTP 5xx, body 500/501)."""


class APIResponseValidationError(APIStatusError):
    """The reply could not be understood (not JSON, or not the expected shape)."""


#: The one table from an error kind (see ``ProviderProfile.code_map``) to its class.
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

#: Messages that say more than their code: the live API answers an unknown task or
#: audio id on the WAV / MP4 / vocal-removal / MIDI endpoints with 422 and this text.
MESSAGE_KINDS: Final[Mapping[str, str]] = {
    "Record does not exist": "not_found",
}

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


def error_kind(code: int, provider: str = "kie") -> str:
    """The error kind of a body ``code`` for ``provider`` ("server" for 5xx, else "invalid")."""
    from .config import PROVIDERS

    profile = PROVIDERS.get(provider, PROVIDERS["kie"])
    kind = profile.code_map.get(code)
    if kind is not None:
        return kind
    if code >= 500:
        return "server"
    return "invalid"


def error_for_code(
    code: int,
    msg: str,
    *,
    provider: str = "kie",
    http_status: int = 200,
    body: object = None,
    retry_after: float | None = None,
) -> APIStatusError:
    """Build the exception for body ``code`` under ``provider``'s table."""
    kind = MESSAGE_KINDS.get(msg.strip()) or error_kind(code, provider)
    cls = ERROR_CLASSES[kind]
    text = f"{msg or 'error'} (code {code})"
    if http_status != 200:
        text += f" [HTTP {http_status}]"
    if cls is RateLimitError:
        return RateLimitError(
            text,
            retry_after=retry_after,
            code=code,
            msg=msg,
            http_status=http_status,
            body=body,
        )
    return cls(text, code=code, msg=msg, http_status=http_status, body=body)


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


class DownloadError(SunoError):
    """A download was refused or failed (size cap, private address, HTTP error...).

    ``url`` is the URL being fetched when it happened; ``status`` the HTTP status when
    the server answered with an error.
    """

    def __init__(self, message: str, *, url: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status
