"""Exit codes and the one-sentence-plus-hint rendering of every error the CLI can meet.

>>> from suno_async.cli._exit import ExitCode, describe
>>> from suno_async.errors import AuthenticationError
>>> code, message, hint = describe(AuthenticationError("denied (code 401)", code=401))
>>> int(code), message
(3, 'the API refused the API key (code 401).')
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from ..errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    ClientClosedError,
    ContentPolicyError,
    DownloadError,
    InsufficientCreditsError,
    InvalidParametersError,
    JobFailedError,
    JobTimeoutError,
    JobTrackingError,
    JournalError,
    MaintenanceError,
    NotFoundError,
    RateLimitError,
    RequestValidationError,
    StoreError,
)

__all__ = ["ExitCode", "describe", "flag_for", "priority"]


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
    for cls, code, sentence, hint in _RULES:
        if isinstance(exc, cls):
            return code, sentence(exc), hint(exc)
    return (ExitCode.API, f"unexpected error: {type(exc).__name__}: {exc}", "please report it.")


def priority(exc: BaseException) -> int:
    """How much an error matters for a run's exit code: its rule's place in the table.

    When several jobs fail differently, the error with the smallest number decides.

    >>> from suno_async.errors import JobTimeoutError
    >>> priority(AuthenticationError("denied", code=401)) < priority(JobTimeoutError("t", 1.0))
    True
    """
    for index, (cls, *_rest) in enumerate(_RULES):
        if isinstance(exc, cls):
            return index
    return len(_RULES)


def _validation_text(exc: RequestValidationError) -> str:
    lines = []
    for problem in exc.problems:
        flag = flag_for(problem.field)
        where = f"{problem.field} ({flag})" if flag else problem.field
        lines.append(f"  - {where}: {problem.message}")
    count = len(exc.problems)
    noun = "problem" if count == 1 else "problems"
    message = f"invalid {exc.request} request ({count} {noun}; nothing was sent):\n"
    return message + "\n".join(lines)


def _journal_text(exc: JournalError) -> str:
    paid = f" Task {exc.task_id} was created (and paid) but not recorded." if exc.task_id else ""
    return f"the journal failed: {_sentence(exc)}{paid}"


def _store_text(exc: JournalError) -> str:
    paid = f" Task {exc.task_id} was created (and paid) but not recorded." if exc.task_id else ""
    return f"the store failed: {_sentence(exc)}{paid}"


def _store_hint(exc: JournalError) -> str:
    if exc.task_id:
        return f"follow it with `suno-async wait {exc.task_id}` once the store is back."
    return ("check that the --store server is running and reachable (host, port, password), "
            "then run the same command again: nothing is paid twice.")


def _journal_hint(exc: JournalError) -> str:
    if exc.task_id:
        return f"follow it with `suno-async wait {exc.task_id}`; check the journal file's disk."
    return "check the journal file (disk space, permissions, another process holding it)."


def _sentence(exc: BaseException) -> str:
    """The error's text ending with exactly one full stop."""
    text = str(exc).strip()
    if text.endswith(".."):
        text = text.rstrip(".") + "."
    return text if text.endswith((".", "!", "?")) else text + "."


def _api_text(exc: APIStatusError) -> str:
    return _sentence(exc)


def _timeout_text(exc: APITimeoutError) -> str:
    extra = " The task may have been created: check before submitting again." if (
        exc.maybe_submitted
    ) else ""
    return f"the API did not answer in time: {exc}.{extra}"


def _fixed(text: str) -> Callable[[Any], str]:
    return lambda _exc: text


#: Error class -> (exit code, sentence, hint). The first matching rule describes an error
#: (so a subclass comes before its base), and the order is also the priority: when a run
#: meets several errors, the one whose rule comes first decides the exit code. Grouped by
#: exit code: auth, credits, usage, API, job failed, timeout, interrupted.
_RULES: tuple[tuple[type[BaseException], ExitCode, Callable[[Any], str], Callable[[Any], str]],
              ...] = (
    (AuthenticationError, ExitCode.AUTH,
     lambda e: f"the API refused the API key (code {e.code}).",
     _fixed("check --api-key or SUNO_API_KEY (and --base-url / SUNO_BASE_URL for the host "
            "that issued it); to try without an account add --sandbox.")),
    (InsufficientCreditsError, ExitCode.CREDITS,
     lambda e: f"the account has not enough credits for this (code {e.code}).",
     _fixed("top up your account with the provider, then check the balance with "
            "`suno-async credits`.")),
    (RequestValidationError, ExitCode.USAGE,
     _validation_text,
     _fixed("fix the fields listed above; `suno-async generate --help` lists every option.")),
    (InvalidParametersError, ExitCode.USAGE,
     lambda e: f"the API refused the request: {_api_text(e)}",
     _fixed("adjust the options named in the message and run again.")),
    (RateLimitError, ExitCode.API,
     lambda e: f"the API is rate limiting this account: {_api_text(e)}",
     _fixed("wait a minute and retry; for batches lower --concurrency.")),
    (MaintenanceError, ExitCode.API,
     lambda e: f"the API is under maintenance: {_api_text(e)}",
     _fixed("retry later.")),
    (NotFoundError, ExitCode.API,
     lambda e: f"the API does not know this: {_api_text(e)}",
     _fixed("check the task id (and --kind for non-music tasks) and that --base-url is the "
            "host that created it.")),
    (StoreError, ExitCode.API, _store_text, _store_hint),
    (JournalError, ExitCode.API, _journal_text, _journal_hint),
    (DownloadError, ExitCode.API,
     lambda e: f"a download failed: {_sentence(e)}",
     _fixed("check the --download directory and the network; `suno-async download TASK_ID "
            "--to DIR` fetches a finished task's tracks again.")),
    (JobTrackingError, ExitCode.API,
     _sentence,
     lambda e: f"check the network, then `suno-async wait {e.task_id}`."),
    (APITimeoutError, ExitCode.API,
     _timeout_text,
     _fixed("check the network and --base-url; retry later.")),
    (APIConnectionError, ExitCode.API,
     lambda e: f"could not reach the API: {e}.",
     _fixed("check the network and --base-url / SUNO_BASE_URL.")),
    (APIStatusError, ExitCode.API,
     lambda e: f"the API answered with an error: {_api_text(e)}",
     _fixed("retry later; if it persists, run with --json and report the reply.")),
    (ContentPolicyError, ExitCode.JOB_FAILED,
     lambda e: f"the content was rejected: {_sentence(e)}",
     _fixed("rephrase the prompt, style or lyrics and generate again.")),
    (JobFailedError, ExitCode.JOB_FAILED,
     _sentence,
     _fixed("credits for failed generations are normally refunded; try again.")),
    (JobTimeoutError, ExitCode.TIMEOUT,
     lambda e: f"{e}; the task may still finish.",
     lambda e: f"wait again with `suno-async wait {e.task_id}` (or raise --timeout)."),
    (ClientClosedError, ExitCode.INTERRUPTED,
     _fixed("stopped before the work finished."),
     _fixed("run it again.")),
)
