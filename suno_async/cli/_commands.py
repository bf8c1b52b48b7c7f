"""The commands: each an ``async def`` taking the parsed arguments and a :class:`Context`."""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from ..errors import NotFoundError, SunoError
from ..jobs.kinds import KINDS
from ..models.enums import Stage
from ..models.records import Record
from ..store import SQLiteStore, store_for
from ..store._keys import redact_url
from ._batch import run_batch, show_batch_status
from ._context import (
    SANDBOX_ACROSS_COMMANDS,
    CliError,
    Context,
    check_download_dir,
    check_journal_file,
    check_journal_path,
    command_line,
    open_client,
    resume_options,
)
from ._demo import run_demo
from ._exit import ExitCode
from ._follow import Outcome, finish, fmt_duration, follow, save_tracks, settled
from ._input import read_batch, request_from_args
from ._journal import cmd_journal
from ._output import Reporter

__all__ = ["COMMANDS"]


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise CliError(
            ExitCode.USAGE, f"unknown --kind {kind!r}.", f"use one of {', '.join(KINDS)}."
        )


async def _fetch(ctx: Context, task_id: str, kind: str = "music") -> Record:
    """One record, at once; a task the in-process sandbox cannot know is said plainly."""
    assert ctx.client is not None
    try:
        return await ctx.client.get_record(task_id, kind)
    except NotFoundError:
        if ctx.sandbox is None:
            raise
        raise CliError(
            ExitCode.USAGE,
            f"task {task_id} is unknown to this sandbox: --sandbox starts a fresh in-process "
            "sandbox for each command, so tasks of another run do not exist in it.",
            SANDBOX_ACROSS_COMMANDS,
        ) from None


async def cmd_generate(args: argparse.Namespace, ctx: Context) -> int:
    request = request_from_args(args)
    download = check_download_dir(args.download) if args.download else None
    wait = args.wait or download is not None
    async with open_client(ctx, store=args.store) as client:
        job = await client.generate(request)
        ctx.wait_options = resume_options(args, "download")
        ctx.resume_hint = command_line(["wait", job.task_id, *ctx.wait_options])
        if not wait:
            if ctx.out.json:
                ctx.out.emit_json({"task_id": job.task_id})
            else:
                ctx.out.line(job.task_id)
                if ctx.sandbox is not None:
                    ctx.out.note(
                        "submitted to the in-process sandbox, which stops with this command: "
                        "add --wait to see it finish; " + SANDBOX_ACROSS_COMMANDS
                    )
                else:
                    ctx.out.note(
                        f"submitted; follow it with `suno-async wait {job.task_id}` "
                        f"or save it later with `suno-async download {job.task_id} --to DIR`"
                    )
            return ExitCode.OK
        with ctx.out.reporter("generate") as reporter:
            outcome = await follow(ctx, job, reporter, label=job.task_id, download=download)
    return finish(ctx, [outcome])


async def _reattach(
    ctx: Context,
    task_id: str,
    kind: str,
    fetched: Record | BaseException,
    reporter: Reporter,
    download: Path | None,
) -> Outcome:
    """Follow an existing task from its record fetched just now; track it only if unfinished."""
    assert ctx.client is not None
    if isinstance(fetched, BaseException):
        reporter.add(task_id, task_id, word="tracking")
        reporter.finish(task_id, False, "NOT FOUND" if isinstance(fetched, NotFoundError)
                        else "STOPPED")
        return Outcome(task_id, task_id, error=fetched)
    started = time.monotonic()
    done = await settled(ctx, task_id, kind, fetched, reporter, download=download)
    if done is not None:
        done.seconds = time.monotonic() - started
        return done
    job = ctx.client.track(task_id, kind)
    return await follow(ctx, job, reporter, label=task_id, download=download, initial=fetched)


async def cmd_wait(args: argparse.Namespace, ctx: Context) -> int:
    _check_kind(args.kind)
    download = check_download_dir(args.download) if args.download else None
    ctx.wait_options = resume_options(args, "download")
    if args.kind != "music":
        ctx.wait_options += ["--kind", args.kind]
    ctx.resume_hint = command_line(["wait", *args.task_ids, *ctx.wait_options])
    async with open_client(ctx):
        # every record at once: a finished task needs no poll, an unknown one no waiting
        fetched = await asyncio.gather(
            *(_fetch(ctx, tid, args.kind) for tid in args.task_ids), return_exceptions=True
        )
        for result in fetched:
            if isinstance(result, CliError) or (
                isinstance(result, BaseException) and not isinstance(result, SunoError)
            ):
                raise result
        with ctx.out.reporter("wait") as reporter:
            outcomes = await asyncio.gather(
                *(
                    _reattach(ctx, tid, args.kind, result, reporter, download)
                    for tid, result in zip(args.task_ids, fetched, strict=True)
                )
            )
    return finish(ctx, outcomes)


async def cmd_status(args: argparse.Namespace, ctx: Context) -> int:
    _check_kind(args.kind)
    async with open_client(ctx):
        record = await _fetch(ctx, args.task_id, args.kind)
    classified = KINDS[args.kind].classify(record)
    stage = classified.stage.name if classified.stage is not None else "UNKNOWN"
    outcome = Outcome(args.task_id, args.task_id, record=record)
    if ctx.out.json:
        doc = outcome.to_json()
        doc["stage"] = stage
        doc["ok"] = classified.stage is Stage.SUCCESS
        doc["error_code"] = record.error_code
        doc["error_message"] = record.error_message
        ctx.out.emit_json(doc)
        return ExitCode.OK
    ctx.out.line(f"task {args.task_id}: {record.status or '?'} (stage {stage})")
    if record.error_message:
        ctx.out.line(f"error {record.error_code}: {record.error_message}")
    if outcome.tracks:
        rows = [
            [
                t.id,
                t.title or "-",
                fmt_duration(t.duration),
                t.audio_url or t.stream_audio_url or "-",
            ]
            for t in outcome.tracks
        ]
        ctx.out.table("tracks", ("id", "title", "length", "audio URL"), rows, no_wrap=("id",))
    return ExitCode.OK


async def cmd_download(args: argparse.Namespace, ctx: Context) -> int:
    directory = check_download_dir(args.to)
    async with open_client(ctx):
        record = await _fetch(ctx, args.task_id)
        stage = KINDS["music"].classify(record).stage
        if stage is Stage.FAILED:
            raise CliError(
                ExitCode.JOB_FAILED,
                f"task {args.task_id} failed ({record.status}); there is nothing to download.",
                "generate again.",
            )
        if stage is not Stage.SUCCESS:
            name = stage.name if stage is not None else record.status
            raise CliError(
                ExitCode.TIMEOUT,
                f"task {args.task_id} is not finished yet ({name}).",
                f"wait for it: suno-async wait {args.task_id} --download {args.to}",
            )
        outcome = Outcome(args.task_id, args.task_id, record=record)
        await save_tracks(ctx, outcome, directory)
    if ctx.out.json:
        files = [str(f) for f in outcome.files]
        ctx.out.emit_json({"ok": True, "task_id": args.task_id, "files": files})
    else:
        for f in outcome.files:
            ctx.out.line(str(f))
    return ExitCode.OK


async def cmd_credits(args: argparse.Namespace, ctx: Context) -> int:
    async with open_client(ctx) as client:
        balance = await client.get_credits()
    if ctx.out.json:
        ctx.out.emit_json({"credits": balance})
    else:
        ctx.out.line(f"credits: {balance:g}")
    return ExitCode.OK


async def _sqlite_store_file(spec: str) -> str | None:
    """The file a ``--store`` spec names when it is a SQLite store (``None``: Redis, or a
    spec ``open_client`` will refuse with its own message). Opens nothing."""
    try:
        found = store_for(spec)
    except ValueError:
        return None
    if found is None:
        return None
    await found.aclose()  # never opened: this only retires its owner id
    return found.path if isinstance(found, SQLiteStore) else None


async def cmd_batch(args: argparse.Namespace, ctx: Context) -> int:
    if args.concurrency < 1:
        raise CliError(
            ExitCode.USAGE, "--concurrency must be at least 1.", "use e.g. --concurrency 4."
        )
    requests = read_batch(args.file)
    download = check_download_dir(args.download) if args.download else None
    journal = args.journal
    store = args.store
    if journal and store:
        raise CliError(
            ExitCode.USAGE,
            "--journal and --store cannot be used together.",
            "use --store alone (a journal is a one-machine store: --store sqlite:///FILE).",
        )
    if journal:
        check_journal_path(journal)
        await check_journal_file(journal)
    if args.status:
        if not (journal or store):
            raise CliError(
                ExitCode.USAGE,
                "--status reads the batch's progress from a shared store, and none was given.",
                "add the --store URL (or --journal FILE) the workers of this batch use.",
            )
        # reading must not create an empty file and call every line "waiting"
        what, flag = ("journal", "--journal FILE") if journal else ("store", "--store URL")
        path = journal or (await _sqlite_store_file(store) if store else None)
        if path is not None and not await asyncio.to_thread(os.path.isfile, path):
            raise CliError(
                ExitCode.USAGE,
                f"there is no {what} at {path}; nothing of this batch was sent with it.",
                f"give the {flag} the workers of this batch use.",
            )
        return await show_batch_status(ctx, requests, journal=journal, store=store)
    ctx.wait_options = resume_options(args, "download")
    if journal:
        ctx.resume_hint = command_line(
            ["batch", args.file, *resume_options(args, "journal", "concurrency", "download")]
        )
    elif store:
        ctx.resume_hint = command_line(
            ["batch", args.file, "--store", shlex.quote(redact_url(store)),
             *resume_options(args, "concurrency", "download")]
        )
    else:
        ctx.resume_hint = ""  # `wait` with the running task ids (built at Ctrl-C)
    return await run_batch(
        ctx, requests, concurrency=args.concurrency, download=download, journal=journal,
        store=store,
    )


async def cmd_demo(args: argparse.Namespace, ctx: Context) -> int:
    return await run_demo(args, ctx)


COMMANDS: dict[str, Callable[[argparse.Namespace, Context], Awaitable[int]]] = {
    "generate": cmd_generate,
    "batch": cmd_batch,
    "status": cmd_status,
    "wait": cmd_wait,
    "download": cmd_download,
    "credits": cmd_credits,
    "journal": cmd_journal,
    "demo": cmd_demo,
}
