"""What a command runs with: the parsed options, the output, the client, the checks made
before anything is paid, and the command line that resumes an interrupted run."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shlex
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ..client import SunoClient
from ..config import DEFAULT_BATCH_CONCURRENCY, PollPolicy
from ._exit import ExitCode
from ._output import Output
from ._parser import SANDBOX_TIME_SCALE

if TYPE_CHECKING:
    from ..sandbox import Sandbox

__all__ = [
    "SANDBOX_ACROSS_COMMANDS",
    "CliError",
    "Context",
    "check_download_dir",
    "check_journal_file",
    "check_journal_path",
    "command_line",
    "open_client",
    "resume_options",
]

#: How to keep one sandbox across several commands (said whenever a task is unknown to
#: the in-process sandbox, which lives only as long as one command).
SANDBOX_ACROSS_COMMANDS = (
    "to use one sandbox across commands, run `suno-async sandbox` in another terminal and "
    "pass the URL and key it prints: --base-url URL --api-key KEY."
)


class CliError(Exception):
    """A problem the CLI reports as one sentence, a hint and an exit code."""

    def __init__(self, code: ExitCode, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint


@attrs.define
class Context:
    """What a running command shares with the top level (for Ctrl-C reports)."""

    args: argparse.Namespace
    out: Output
    client: SunoClient | None = None
    sandbox: Sandbox | None = None
    #: The whole command line that continues this run, when one exists.
    resume_hint: str = ""
    #: Options a ``suno-async wait TASK_ID ...`` line needs to continue this run.
    wait_options: list[str] = attrs.Factory(list)

    def opt(self, name: str, default: Any = None) -> Any:
        value = getattr(self.args, name, None)
        return default if value is None else value

    def running(self) -> list[str]:
        """Task ids this run knows of that have not finished."""
        if self.client is None:
            return []
        return [tid for tid, job in self.client.jobs.items() if not job.done()]


# ---------------------------------------------------------------------------- resuming

#: Options carried into a resume line: (dest, flag). Never the API key (a secret).
_CARRIED = (
    ("base_url", "--base-url"),
    ("provider", "--provider"),
    ("timeout", "--timeout"),
    ("poll_initial", "--poll-initial"),
    ("poll_maximum", "--poll-maximum"),
    ("plain", "--plain"),
)


def resume_options(args: argparse.Namespace, *extra: str) -> list[str]:
    """The options of this run that the resume line must repeat, as shell words.

    ``extra`` names more dests to carry (``download``, ``journal``, ``concurrency``...).

    >>> ns = argparse.Namespace(base_url="http://h", timeout=None, download="out dir",
    ...                         concurrency=3, plain=True)
    >>> resume_options(ns, "download", "concurrency")
    ['--base-url', 'http://h', '--plain', '--download', "'out dir'", '--concurrency', '3']
    """
    words: list[str] = []
    for dest, flag in (*_CARRIED, *((name, "--" + name.replace("_", "-")) for name in extra)):
        value = getattr(args, dest, None)
        if value is None or value is False:
            continue
        if dest == "concurrency" and value == DEFAULT_BATCH_CONCURRENCY:
            continue
        if value is True:
            words.append(flag)
        else:
            words += [flag, shlex.quote(str(value))]
    return words


def command_line(words: Sequence[str]) -> str:
    """``suno-async`` followed by ``words`` (already quoted where needed)."""
    return " ".join(["suno-async", *words])


# ---------------------------------------------------------------------------- checks


def check_journal_path(path: str) -> None:
    """Refuse a ``--journal`` that cannot be written, before anything is sent."""
    file = Path(path)
    parent = file.parent
    if file.is_dir():
        raise CliError(
            ExitCode.USAGE,
            f"--journal {path} is a directory, not a file.",
            f"give a file name, e.g. --journal {file / 'jobs.sqlite3'}.",
        )
    if not parent.is_dir():
        raise CliError(
            ExitCode.USAGE,
            f"the directory of --journal {path} does not exist; nothing was sent.",
            f"create it first (mkdir -p {shlex.quote(str(parent))}) or choose another path.",
        )
    target = file if file.exists() else parent
    if not os.access(target, os.R_OK | os.W_OK):
        raise CliError(
            ExitCode.USAGE,
            f"--journal {path} cannot be written; nothing was sent.",
            "choose a path you can write to.",
        )


async def check_journal_file(path: str) -> None:
    """Refuse an existing ``--journal`` that cannot be read as one, before anything is sent."""
    if not await asyncio.to_thread(os.path.isfile, path):
        return
    from ..journal import Journal

    journal = Journal(path)
    try:
        await journal.entries()
    except Exception as exc:  # sqlite3 errors today, JournalError once the store wraps them
        raise CliError(
            ExitCode.USAGE,
            f"--journal {path} is not a readable suno-async journal ({exc}); nothing was sent.",
            "give the journal file of an earlier batch, or a new file name.",
        ) from None
    finally:
        await journal.aclose()


def check_download_dir(path: str) -> Path:
    """Refuse a ``--download`` directory that cannot be created or written, before paying."""
    directory = Path(path)
    existing = directory
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        where = "is" if existing == directory else f"is inside {existing}, which is"
        raise CliError(
            ExitCode.USAGE,
            f"--download {path} {where} not a directory; nothing was sent.",
            "choose a directory (it is created when missing).",
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise CliError(
            ExitCode.USAGE,
            f"--download {path} cannot be written; nothing was sent.",
            "choose a directory you can write to.",
        )
    return directory


# ---------------------------------------------------------------------------- the client


def _poll_policy(ctx: Context, scale: float | None) -> PollPolicy:
    defaults = PollPolicy()
    initial, maximum, early = defaults.initial, defaults.maximum, defaults.early_maximum
    if scale is not None:
        initial = max(0.05, initial * scale)
        maximum = max(initial, maximum * scale)
        early = max(initial, early * scale)
    given_initial = ctx.opt("poll_initial")
    given_maximum = ctx.opt("poll_maximum")
    if given_initial is not None:
        initial = early = given_initial
        maximum = max(maximum, initial)
    if given_maximum is not None:
        maximum = max(given_maximum, initial)
        early = min(early, maximum)
    # Never faster than the API's 3 record-info calls per second per task.
    try:
        return PollPolicy(
            initial=initial,
            maximum=maximum,
            early_maximum=early,
            min_interval=defaults.min_interval,
            max_wait=ctx.opt("timeout", defaults.max_wait),
        )
    except (TypeError, ValueError) as exc:
        raise CliError(
            ExitCode.USAGE, f"bad polling option: {exc}.", "see `suno-async --help`."
        ) from None


@contextlib.asynccontextmanager
async def open_client(
    ctx: Context,
    *,
    journal: str | None = None,
    store: str | None = None,
    sandbox_scale: float | None = None,
    force_sandbox: bool = False,
) -> AsyncIterator[SunoClient]:
    """The client for this run: the real API, or an in-process sandbox with ``--sandbox``."""
    use_sandbox = force_sandbox or bool(ctx.opt("sandbox"))
    async with contextlib.AsyncExitStack() as stack:
        api_key = ctx.opt("api_key")
        base_url = ctx.opt("base_url")
        scale: float | None = None
        if use_sandbox:
            from ..sandbox import Sandbox

            scale = sandbox_scale or ctx.opt("sandbox_time_scale", SANDBOX_TIME_SCALE)
            sb = await stack.enter_async_context(
                Sandbox(time_scale=scale, seed=ctx.opt("seed", 0))
            )
            ctx.sandbox = sb
            api_key, base_url = sb.api_key, sb.url
            if not force_sandbox:
                ctx.out.note(f"using an in-process sandbox at {sb.url} (no account, no credits)")
        elif ctx.opt("sandbox_time_scale") is not None:
            # a sandbox served elsewhere (`suno-async sandbox --time-scale X`): poll at
            # its pace, not the real API's
            scale = ctx.opt("sandbox_time_scale")
        if not use_sandbox and not (api_key or os.environ.get("SUNO_API_KEY")):
            raise CliError(
                ExitCode.AUTH,
                "no API key was given.",
                "pass --api-key or set SUNO_API_KEY; to try without an account add --sandbox "
                "(or run `suno-async demo`).",
            )
        try:
            client = SunoClient(
                api_key=api_key,
                base_url=base_url,
                provider=ctx.opt("provider", "kie"),
                poll=_poll_policy(ctx, scale),
                journal=journal,
                store=store,
            )
        except (TypeError, ValueError) as exc:
            raise CliError(ExitCode.USAGE, f"{exc}.", "see `suno-async --help`.") from None
        ctx.client = client
        await stack.enter_async_context(client)
        yield client
