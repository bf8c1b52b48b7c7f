"""The commands: each an ``async def`` taking the parsed arguments and a :class:`Context`."""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from ..errors import NotFoundError, SunoError
from ..jobs.kinds import KINDS
from ..journal import Journal, JournalEntry
from ..models.enums import Stage
from ..models.records import Record
from ._batch import run_batch
from ._context import (
    SANDBOX_ACROSS_COMMANDS,
    CliError,
    Context,
    check_download_dir,
    check_journal_path,
    command_line,
    open_client,
    resume_options,
)
from ._demo import run_demo
from ._exit import ExitCode
from ._follow import Outcome, finish, fmt_duration, follow, save_tracks, settled
from ._input import read_batch, request_from_args
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
    async with open_client(ctx) as client:
        job = await client.generate(request)
        ctx.wait_options = resume_options(args, "download")
        ctx.resume_hint = command_line(["wait", job.task_id, *ctx.wait_options])
        if not wait:
            if ctx.out.json:
                ctx.out.emit_json({"task_id": job.task_id})
            else:
                ctx.out.line(job.task_id)
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


async def cmd_batch(args: argparse.Namespace, ctx: Context) -> int:
    if args.concurrency < 1:
        raise CliError(
            ExitCode.USAGE, "--concurrency must be at least 1.", "use e.g. --concurrency 4."
        )
    requests = read_batch(args.file)
    download = check_download_dir(args.download) if args.download else None
    journal = args.journal
    if journal:
        check_journal_path(journal)
    ctx.wait_options = resume_options(args, "download")
    if journal:
        ctx.resume_hint = command_line(
            ["batch", args.file, *resume_options(args, "journal", "concurrency", "download")]
        )
    else:
        ctx.resume_hint = ""  # `wait` with the running task ids (built at Ctrl-C)
    return await run_batch(
        ctx, requests, concurrency=args.concurrency, download=download, journal=journal
    )


# ---------------------------------------------------------------------------- journal


def _entry_json(entry: JournalEntry) -> dict[str, Any]:
    return {
        "key": entry.request_key,
        "task_id": None if entry.maybe_submitted else entry.task_id,
        "kind": entry.kind,
        "status": entry.status,
        "ok": entry.ok,
        "maybe_submitted": entry.maybe_submitted,
        "submitted_at": entry.submitted_at,
        "request": entry.request,
    }


def _entry_label(entry: JournalEntry) -> str:
    request = entry.request
    text = str(request.get("title") or request.get("prompt") or request.get("style") or "")
    text = " ".join(text.split())
    return text[:40] + ("…" if len(text) > 40 else "")


def _entry_status(entry: JournalEntry) -> str:
    if entry.maybe_submitted:
        return f"{entry.status} (maybe paid, task id unknown)"
    if entry.ok is None:
        return entry.status or "unfinished"
    return entry.status or ("ok" if entry.ok else "failed")


def _open_journal(path: str) -> Journal:
    if not Path(path).is_file():
        raise CliError(
            ExitCode.USAGE,
            f"there is no journal at {path}.",
            "give the file passed to `suno-async batch --journal FILE`.",
        )
    return Journal(path)


def _match(entries: list[JournalEntry], key: str) -> JournalEntry:
    exact = [e for e in entries if key in (e.request_key, e.task_id)]
    found = exact or [e for e in entries if e.request_key and e.request_key.startswith(key)]
    if len(key) < 6 and not exact:
        found = []
    if not found:
        raise CliError(
            ExitCode.USAGE,
            f"no journal entry matches {key!r}; nothing was removed.",
            "`suno-async journal list --journal FILE` shows every key (a unique prefix of "
            "at least 6 characters is enough).",
        )
    if len(found) > 1:
        raise CliError(
            ExitCode.USAGE,
            f"{key!r} matches {len(found)} journal entries; nothing was removed.",
            "give more characters of the key.",
        )
    return found[0]


async def cmd_journal(args: argparse.Namespace, ctx: Context) -> int:
    journal = _open_journal(args.journal)
    try:
        entries = await journal.entries()
        if args.journal_command == "list":
            return _journal_list(ctx, entries)
        entry = _match(entries, args.key)
        if entry.request_key is None:
            raise CliError(
                ExitCode.USAGE,
                f"task {entry.task_id} has no request key; nothing was removed.",
                "only entries written by a batch can be forgotten.",
            )
        await journal.forget(entry.request_key)
    finally:
        await journal.aclose()
    if ctx.out.json:
        ctx.out.emit_json({"ok": True, "forgotten": _entry_json(entry)})
    else:
        task = "no task id (maybe submitted)" if entry.maybe_submitted else f"task {entry.task_id}"
        ctx.out.line(
            f"forgot {entry.request_key}: {task}, {_entry_status(entry)}, "
            f"request {_entry_label(entry) or '-'}"
        )
        ctx.out.note(
            "the next `suno-async batch` run with this journal sends that request again "
            "(and pays for it again)."
        )
    return ExitCode.OK


def _journal_list(ctx: Context, entries: list[JournalEntry]) -> int:
    if ctx.out.json:
        ctx.out.emit_json({"entries": [_entry_json(e) for e in entries]})
        return ExitCode.OK
    rows = [
        [
            (e.request_key or "-")[:12],
            "-" if e.maybe_submitted else e.task_id,
            _entry_status(e),
            time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(e.submitted_at)),
            _entry_label(e) or "-",
        ]
        for e in entries
    ]
    ctx.out.table(
        f"{len(entries)} journal entries",
        ("key", "task", "status", "submitted", "request"),
        rows,
        no_wrap=("key", "task"),
    )
    doubtful = sum(e.maybe_submitted for e in entries)
    if doubtful:
        ctx.out.note(
            f"{doubtful} request(s) may have been paid without a task id: check the provider's "
            "dashboard, then `suno-async journal forget KEY --journal FILE` to send one again."
        )
    return ExitCode.OK


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
