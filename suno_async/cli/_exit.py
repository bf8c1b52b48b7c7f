"""Exit codes and the one-sentence-plus-hint rendering of every error the CLI can meet.

>>> from suno_async.cli._exit import ExitCode, describe
>>> from suno_async.errors import AuthenticationError
>>> code, message, hint = describe(AuthenticationError("denied (code 401)", code=401))
>>> int(code), message
(3, 'the API refused the API key (code 401).')
"""

from __future__ import annotations

import enum

from ..errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    ClientClosedError,
    ContentPolicyError,
    InsufficientCreditsError,
    InvalidParametersError,
    JobFailedError,
    JobTimeoutError,
    JobTrackingError,
    MaintenanceError,
    NotFoundError,
    RateLimitError,
    RequestValidationError,
)

__all__ = ["ExitCode", "describe", "flag_for"]


class ExitCode(enum.IntEnum):
    """What ``suno-async`` returns to the shell.

    >>> int(ExitCode.CREDITS)
    4
    """

    #: Everything worked.
    OK = 0
    #: A job ran and failed (or, in a batch, at least one did).
    JOB_FAILED = 1
    #: Bad command line or invalid request (nothing was sent).
    USAGE = 2
    #: No API key, or the API refused it.
    AUTH = 3
    #: Not enough credits.
    CREDITS = 4
    #: The API could not be reached or answered with an error.
    API = 5
    #: Waiting gave up before the job finished (the task may still finish).
    TIMEOUT = 6
    #: Interrupted (Ctrl-C); running tasks keep running remotely.
    INTERRUPTED = 130


#: Request field name -> the flag that sets it, for validation messages.
_FLAGS = {
    "prompt": "--prompt",
    "custom_mode": "--custom-mode",
    "instrumental": "--instrumental",
    "model": "--model",
    "style": "--style",
    "title": "--title",
    "negative_tags": "--negative-tags",
    "vocal_gender": "--vocal-gender",
    "style_weight": "--style-weight",
    "weirdness_constraint": "--weirdness-constraint",
    "audio_weight": "--audio-weight",
    "persona_id": "--persona-id",
    "call_back_url": "--callback-url",
}


def flag_for(field: str) -> str | None:
    """The ``generate`` flag that sets a request field, if any.

    >>> flag_for("negative_tags")
    '--negative-tags'
    """
    return _FLAGS.get(field)


def describe(exc: BaseException) -> tuple[ExitCode, str, str]:
    """``(exit code, one sentence, hint)`` for an error. Never includes secrets."""
    if isinstance(exc, RequestValidationError):
        lines = []
        for problem in exc.problems:
            flag = flag_for(problem.field)
            where = f"{problem.field} ({flag})" if flag else problem.field
            lines.append(f"  - {where}: {problem.message}")
        count = len(exc.problems)
        noun = "problem" if count == 1 else "problems"
        message = f"invalid {exc.request} request ({count} {noun}; nothing was sent):\n"
        return (
            ExitCode.USAGE,
            message + "\n".join(lines),
            "fix the fields listed above; `suno-async generate --help` lists every option.",
        )
    if isinstance(exc, AuthenticationError):
        return (
            ExitCode.AUTH,
            f"the API refused the API key (code {exc.code}).",
            "check --api-key or SUNO_API_KEY (and --base-url / SUNO_BASE_URL for the host "
            "that issued it); to try without an account add --sandbox.",
        )
    if isinstance(exc, InsufficientCreditsError):
        return (
            ExitCode.CREDITS,
            f"the account has not enough credits for this (code {exc.code}).",
            "top up your account with the provider, then check the balance with "
            "`suno-async credits`.",
        )
    if isinstance(exc, RateLimitError):
        return (
            ExitCode.API,
            f"the API is rate limiting this account: {_api_text(exc)}",
            "wait a minute and retry; for batches lower --concurrency.",
        )
    if isinstance(exc, MaintenanceError):
        return (
            ExitCode.API,
            f"the API is under maintenance: {_api_text(exc)}",
            "retry later.",
        )
    if isinstance(exc, NotFoundError):
        return (
            ExitCode.API,
            f"the API does not know this: {_api_text(exc)}",
            "check the task id (and --kind for non-music tasks) and that --base-url is the "
            "host that created it.",
        )
    if isinstance(exc, InvalidParametersError):
        return (
            ExitCode.USAGE,
            f"the API refused the request: {_api_text(exc)}",
            "adjust the options named in the message and run again.",
        )
    if isinstance(exc, ContentPolicyError):
        return (
            ExitCode.JOB_FAILED,
            f"the content was rejected: {_sentence(exc)}",
            "rephrase the prompt, style or lyrics and generate again.",
        )
    if isinstance(exc, JobFailedError):
        return (
            ExitCode.JOB_FAILED,
            _sentence(exc),
            "credits for failed generations are normally refunded; try again.",
        )
    if isinstance(exc, JobTimeoutError):
        return (
            ExitCode.TIMEOUT,
            f"{exc}; the task may still finish.",
            f"wait again with `suno-async wait {exc.task_id}` (or raise --timeout).",
        )
    if isinstance(exc, JobTrackingError):
        return (
            ExitCode.API,
            _sentence(exc),
            f"check the network, then `suno-async wait {exc.task_id}`.",
        )
    if isinstance(exc, APITimeoutError):
        extra = " The task may have been created: check before submitting again." if (
            exc.maybe_submitted
        ) else ""
        return (
            ExitCode.API,
            f"the API did not answer in time: {exc}.{extra}",
            "check the network and --base-url; retry later.",
        )
    if isinstance(exc, APIConnectionError):
        return (
            ExitCode.API,
            f"could not reach the API: {exc}.",
            "check the network and --base-url / SUNO_BASE_URL.",
        )
    if isinstance(exc, APIStatusError):
        return (
            ExitCode.API,
            f"the API answered with an error: {_api_text(exc)}",
            "retry later; if it persists, run with --json and report the reply.",
        )
    if isinstance(exc, ClientClosedError):
        return (ExitCode.INTERRUPTED, "stopped before the work finished.", "run it again.")
    return (ExitCode.API, f"unexpected error: {type(exc).__name__}: {exc}", "please report it.")


def _sentence(exc: BaseException) -> str:
    """The error's text ending with exactly one full stop."""
    text = str(exc).strip()
    if text.endswith(".."):
        text = text.rstrip(".") + "."
    return text if text.endswith((".", "!", "?")) else text + "."


def _api_text(exc: APIStatusError) -> str:
    return _sentence(exc)
