"""The ``suno-async`` argument parser."""

from __future__ import annotations

import argparse

from .._version import __version__
from ..config import (
    DEFAULT_BATCH_CONCURRENCY,
    DEFAULT_POLL_INITIAL,
    DEFAULT_POLL_MAX_WAIT,
    DEFAULT_POLL_MAXIMUM,
)
from ..models.enums import Model

__all__ = ["DEMO_TIME_SCALE", "EPILOG", "SANDBOX_TIME_SCALE", "build_parser"]

EPILOG = """\
exit codes:
  0    ok
  1    a job failed (in a batch: at least one)
  2    bad command line or invalid request (nothing was sent)
  3    no API key, or the API refused it
  4    not enough credits
  5    network or API error
  6    gave up waiting / not finished yet (the task may still finish)
  130  interrupted (Ctrl-C); running tasks keep running, resume as printed

environment:
  SUNO_API_KEY   the API key (or --api-key)
  SUNO_BASE_URL  the API host (or --base-url; default: the provider's host)

first run, no account needed:
  suno-async demo
"""

# The two sandbox time scales are CLI-only defaults (kept next to their use; requested
# for config.py in NOTES-cli.md).
#: The in-process sandbox's default time scale for ``--sandbox`` (music jobs ~8 s).
SANDBOX_TIME_SCALE = 0.05
#: ``suno-async demo``: music jobs take ~6-11 s at this scale.
DEMO_TIME_SCALE = 0.06


def _seconds(value: float) -> str:
    """``7.5`` -> ``'7.5'``, ``900.0`` -> ``'900'`` (for help texts)."""
    return f"{value:g}"


def _common(sub: bool) -> argparse.ArgumentParser:
    """Options every command takes, before or after the command name."""
    # In sub-parsers the defaults are suppressed so a value given before the command
    # name is not overwritten by the sub-parser's default.
    default = argparse.SUPPRESS if sub else None
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("connection")
    group.add_argument("--api-key", default=default, help="API key (default: $SUNO_API_KEY)")
    group.add_argument(
        "--base-url", default=default, help="API host (default: $SUNO_BASE_URL or the provider's)"
    )
    group.add_argument(
        "--provider",
        choices=["kie", "apikley", "sunoapi"],
        default=default,
        help="host family: base URL and error codes (default: kie)",
    )
    group.add_argument(
        "--sandbox",
        action="store_true",
        default=default,
        help="run against an in-process sandbox (no account, no credits)",
    )
    group.add_argument(
        "--sandbox-time-scale",
        type=float,
        default=default,
        metavar="X",
        help=f"with --sandbox: timeline scale (default {SANDBOX_TIME_SCALE}; 1 = realistic); "
        "with --base-url of a `suno-async sandbox --time-scale X`: X, to poll at its pace",
    )
    out = parent.add_argument_group("output")
    out.add_argument(
        "--json", action="store_true", default=default, help="print one JSON document on stdout"
    )
    out.add_argument(
        "--plain",
        action="store_true",
        default=default,
        help="plain line output even on a terminal",
    )
    tuning = parent.add_argument_group("polling")
    tuning.add_argument(
        "--timeout",
        type=float,
        default=default,
        metavar="S",
        help="give up waiting on a job after S seconds "
        f"(default {_seconds(DEFAULT_POLL_MAX_WAIT)})",
    )
    tuning.add_argument(
        "--poll-initial",
        type=float,
        default=default,
        metavar="S",
        help="first poll delay / reset cadence "
        f"(advanced; default {_seconds(DEFAULT_POLL_INITIAL)})",
    )
    tuning.add_argument(
        "--poll-maximum",
        type=float,
        default=default,
        metavar="S",
        help=f"slowest poll cadence (advanced; default {_seconds(DEFAULT_POLL_MAXIMUM)})",
    )
    return parent


def _generate_options(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("request")
    g.add_argument("prompt_arg", nargs="?", metavar="PROMPT", help="the prompt (or --prompt)")
    g.add_argument(
        "--prompt",
        help="non-custom mode: the idea (<= 500 chars); custom mode: the exact lyrics",
    )
    g.add_argument(
        "--custom-mode", action="store_true", help="custom mode: needs --style and --title"
    )
    g.add_argument("--instrumental", action="store_true", help="no vocals")
    g.add_argument(
        "--model",
        default=Model.V5.value,
        help=f"model: {', '.join(m.value for m in Model)} (default V5)",
    )
    g.add_argument("--style", help="custom mode: the music style")
    g.add_argument("--title", help="custom mode: the title")
    g.add_argument("--negative-tags", help="custom mode: styles to avoid")
    g.add_argument("--vocal-gender", choices=["m", "f"], help="custom mode: preferred voice")
    g.add_argument("--style-weight", type=float, metavar="0..1")
    g.add_argument("--weirdness-constraint", type=float, metavar="0..1")
    g.add_argument("--audio-weight", type=float, metavar="0..1")
    g.add_argument("--persona-id", help="custom mode: a persona to sing")
    g.add_argument("--callback-url", help="where the API should POST results (optional)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="suno-async",
        description="Generate music with the Suno API (kie.ai and same-shape hosts) "
        "from a shell, with live progress; or try it on the built-in sandbox.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_common(sub=False)],
    )
    parser.add_argument("--version", action="version", version=f"suno-async {__version__}")
    common = _common(sub=True)
    subs = parser.add_subparsers(dest="command", metavar="COMMAND")
    subs.required = True
    fmt = argparse.RawDescriptionHelpFormatter

    p = subs.add_parser(
        "generate",
        parents=[common],
        help="create music from text",
        description="Create music from text (two tracks per request).",
        epilog="example: suno-async generate 'lofi piano, rain' --instrumental "
        "--wait --download out/",
        formatter_class=fmt,
    )
    _generate_options(p)
    p.add_argument("--wait", action="store_true", help="wait for the tracks, with progress")
    p.add_argument(
        "--download", metavar="DIR", help="wait, then save every track into DIR (implies --wait)"
    )
    p.add_argument(
        "--store", metavar="URL",
        help="shared store (sqlite:///PATH or redis://HOST:PORT/DB): share the account's "
        "rate limit with every other process using it",
    )

    p = subs.add_parser(
        "batch",
        parents=[common],
        help="run many generate requests from a JSON Lines file",
        description="Submit every request of FILE (one JSON object per line, generate fields "
        "in snake_case or camelCase) with bounded concurrency, and wait for all. With "
        "--journal, an interrupted run resumes without submitting anything twice; with "
        "--store, several processes or machines run one batch together.",
        epilog='example line: {"prompt": "lofi piano", "instrumental": true}',
        formatter_class=fmt,
    )
    p.add_argument("file", metavar="FILE", help="JSON Lines file ('-' for stdin)")
    p.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_BATCH_CONCURRENCY,
        help=f"jobs running at once (default {DEFAULT_BATCH_CONCURRENCY})",
    )
    p.add_argument(
        "--journal", metavar="FILE", help="SQLite journal: resume without resubmitting"
    )
    p.add_argument(
        "--store", metavar="URL",
        help="shared store (sqlite:///PATH or redis://HOST:PORT/DB): processes and machines "
        "running the same batch claim each line and each download once and share the rate "
        "limit",
    )
    p.add_argument("--download", metavar="DIR", help="save every track into DIR")
    p.add_argument(
        "--status", action="store_true",
        help="with --store or --journal: show where every line of FILE stands, as every "
        "worker sharing the store sees it, and exit (sends nothing; exit 0 all succeeded, "
        "6 not finished yet, 1 failed or in doubt)",
    )

    p = subs.add_parser(
        "status", parents=[common], help="show a task's current state (one request)"
    )
    p.add_argument("task_id", metavar="TASK_ID")
    p.add_argument("--kind", default="music", help="task family (default music)")

    p = subs.add_parser("wait", parents=[common], help="wait for tasks to finish, with progress")
    p.add_argument("task_ids", nargs="+", metavar="TASK_ID")
    p.add_argument("--kind", default="music", help="task family (default music)")
    p.add_argument("--download", metavar="DIR", help="save every track into DIR")

    p = subs.add_parser("download", parents=[common], help="save a finished task's tracks")
    p.add_argument("task_id", metavar="TASK_ID")
    p.add_argument("--to", metavar="DIR", default=".", help="directory (default .)")

    subs.add_parser("credits", parents=[common], help="show the account's remaining credits")

    p = subs.add_parser(
        "journal",
        help="list or clear entries of a batch journal",
        description="Inspect a batch journal (--journal FILE of `suno-async batch`), or "
        "forget one entry on purpose: typically a request marked MAYBE_SUBMITTED (sent, "
        "reply lost) after checking on the provider's site that no task was created. "
        "A forgotten request is sent (and paid) again by the next batch run.",
        formatter_class=fmt,
    )
    jsubs = p.add_subparsers(dest="journal_command", metavar="ACTION")
    jsubs.required = True
    jp = jsubs.add_parser("list", help="every entry: key, task id, status, request")
    jp.add_argument("--journal", metavar="FILE", required=True, help="the journal file")
    jp.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    jp.add_argument("--plain", action="store_true", help="plain output even on a terminal")
    jp = jsubs.add_parser("forget", help="remove one entry (its request is sent again next run)")
    jp.add_argument("key", metavar="KEY", help="request key (or a unique prefix) or task id")
    jp.add_argument("--journal", metavar="FILE", required=True, help="the journal file")
    jp.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    jp.add_argument("--plain", action="store_true", help="plain output even on a terminal")

    p = subs.add_parser(
        "sandbox",
        help="serve the local API emulator (for other programs to use)",
        description="Serve the sandbox (an emulator of the Suno API) until Ctrl-C. "
        "Point clients at the printed URL and key.",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--time-scale", type=float, default=1.0, help="1 = realistic minutes")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--api-key", dest="sandbox_api_key", default=None, help="fixed key")
    p.add_argument("--hmac-key", default=None, help="sign callbacks with this key")

    p = subs.add_parser(
        "demo",
        parents=[common],
        help="see it work in seconds: a batch on the built-in sandbox",
        description="Start the sandbox in-process, generate a small batch concurrently, "
        "download every track and print a summary. No account, nothing leaves this machine.",
    )
    p.add_argument("--out", default="suno-output", metavar="DIR", help="default ./suno-output")
    p.add_argument(
        "--time-scale",
        type=float,
        default=DEMO_TIME_SCALE,
        help=f"sandbox timeline scale (default {DEMO_TIME_SCALE}; 1 = realistic minutes)",
    )
    p.add_argument("--seed", type=int, default=0)
    return parser
