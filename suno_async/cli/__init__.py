"""The ``suno-async`` command line (installed with the ``cli`` extra, which adds rich).

>>> from suno_async.cli import main
>>> main(["--version"])  # doctest: +SKIP
suno-async 0.1.0

Commands: ``generate``, ``batch``, ``status``, ``wait``, ``download``, ``credits``,
``journal``, ``sandbox``, ``demo``; ``suno-async COMMAND --help`` for each. Exit codes are listed in
``suno-async --help`` and in :class:`suno_async.cli._exit.ExitCode`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import warnings
from collections.abc import Sequence
from typing import TextIO

from ._exit import ExitCode, describe

__all__ = ["ExitCode", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``suno-async`` with ``argv`` (default: ``sys.argv[1:]``); returns the exit code.

    >>> main(["credits", "--sandbox", "--json"])  # doctest: +SKIP
    0
    """
    from ._output import rich_missing_hint
    from ._parser import build_parser

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "sandbox":
        return _serve_sandbox(args)
    hint = rich_missing_hint()
    if hint is not None:
        sys.stderr.write(hint + "\n")
        return ExitCode.USAGE
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return asyncio.run(_run(args))
    except KeyboardInterrupt:
        sys.stderr.write("interrupted.\n")
        return ExitCode.INTERRUPTED


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Warnings as one plain line (no source paths) on stderr, escaped like all output."""
    from ._text import printable

    (file or sys.stderr).write(f"warning: {printable(message)}\n")


def _serve_sandbox(args: argparse.Namespace) -> int:
    from ..sandbox import main as sandbox_main

    argv = [
        "--host", args.host,
        "--port", str(args.port),
        "--time-scale", str(args.time_scale),
        "--seed", str(args.seed),
    ]
    if args.sandbox_api_key:
        argv += ["--api-key", args.sandbox_api_key]
    if args.hmac_key:
        argv += ["--hmac-key", args.hmac_key]
    return sandbox_main(argv)


async def _run(args: argparse.Namespace) -> int:
    from ._commands import COMMANDS
    from ._context import CliError, Context
    from ._output import Output

    out = Output(json_mode=bool(getattr(args, "json", False)),
                 force_plain=bool(getattr(args, "plain", False)))
    ctx = Context(args=args, out=out)
    loop = asyncio.get_running_loop()
    main_task = asyncio.current_task()
    assert main_task is not None
    interrupted = False

    def on_sigint() -> None:
        nonlocal interrupted
        interrupted = True
        main_task.cancel()

    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGINT, on_sigint)
    try:
        return await COMMANDS[args.command](args, ctx)
    except asyncio.CancelledError:
        if not interrupted:
            raise
        main_task.uncancel()
        _report_interrupt(ctx)
        return ExitCode.INTERRUPTED
    except CliError as exc:
        _error(ctx, exc.code, exc.message, exc.hint)
        return exc.code
    except Exception as exc:  # every SDK error becomes one sentence and a hint
        code, message, hint = describe(exc)
        _error(ctx, code, message, hint)
        return code
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGINT)


def _error(ctx: object, code: int, message: str, hint: str) -> None:
    from ._context import Context
    from ._output import write_stderr

    assert isinstance(ctx, Context)
    if ctx.out.json:
        ctx.out.emit_json({"ok": False, "exit_code": int(code), "error": message, "hint": hint})
    write_stderr(f"error: {message}")
    if hint:
        write_stderr(f"hint: {hint}")


def _report_interrupt(ctx: object) -> None:
    from ._context import Context, command_line
    from ._output import write_stderr

    assert isinstance(ctx, Context)
    running = ctx.running()
    lines = ["interrupted: stopped waiting."]
    resume = ctx.resume_hint
    if running:
        lines.append(f"{len(running)} task(s) still running remotely: {' '.join(running)}")
        if ctx.sandbox is not None:
            lines.append("(they ran on the in-process sandbox, which stopped with this command)")
        else:
            if not resume:
                resume = command_line(["wait", *running, *ctx.wait_options])
                if getattr(ctx.args, "command", "") == "batch":
                    lines.append("(next time add --journal FILE to resume a whole batch)")
            lines.append(f"resume with: {resume}")
    elif resume and ctx.sandbox is None:
        lines.append(f"to continue: {resume}")
    if getattr(ctx.args, "api_key", None) and ctx.sandbox is None and resume:
        lines.append("(add --api-key again, or set SUNO_API_KEY; it is not repeated here)")
    if ctx.out.json:
        ctx.out.emit_json(
            {"ok": False, "exit_code": int(ExitCode.INTERRUPTED), "running": running,
             "resume": resume}
        )
    write_stderr("\n".join(lines))
