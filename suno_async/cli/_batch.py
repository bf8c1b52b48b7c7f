"""Running a batch of generate requests with live progress: ``batch`` and ``demo``."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from ..batch import BatchItem, BatchProgress
from ..client import SunoClient
from ..config import BATCH_PROGRESS_INTERVAL
from ..errors import SunoError
from ..jobs.job import Job
from ..models.requests import GenerateRequest
from ._context import Context, open_client
from ._exit import ExitCode, describe
from ._follow import (
    NO_WRAP_COLUMNS,
    SUMMARY_COLUMNS,
    Outcome,
    exit_code_for,
    follow,
    report_failures,
    request_label,
    summary_rows,
)
from ._output import Reporter

__all__ = ["run_batch", "show_batch_status"]


async def _watch_batch(
    ctx: Context, client: SunoClient, requests: Sequence[GenerateRequest], reporter: Reporter
) -> None:
    """Keep the whole batch's row (every worker's lines, read from the store) current.

    A store that cannot be read is said once; the batch itself goes on regardless."""
    warned = False
    while True:
        try:
            progress = await client.batch_progress(requests)
        except Exception as exc:  # the row is a view: the batch goes on whatever happens
            if not warned:
                warned = True
                why = describe(exc)[1] if isinstance(exc, SunoError) else type(exc).__name__
                ctx.out.note(f"whole-batch progress is not available: {why}")
        else:
            reporter.batch(progress.done, progress.total, str(progress))
        await asyncio.sleep(BATCH_PROGRESS_INTERVAL)


async def _final_progress(
    client: SunoClient, requests: Sequence[GenerateRequest]
) -> BatchProgress | None:
    with contextlib.suppress(SunoError):
        return await client.batch_progress(requests)
    return None


async def run_batch(
    ctx: Context,
    requests: Sequence[GenerateRequest],
    *,
    concurrency: int,
    download: Path | None,
    journal: str | None = None,
    store: str | None = None,
    force_sandbox: bool = False,
    sandbox_scale: float | None = None,
    title: str = "batch",
) -> int:
    """Submit, follow and download a batch; shared by ``batch`` and ``demo``."""
    started = time.monotonic()
    followers: dict[str, asyncio.Task[Outcome]] = {}
    submit_errors: list[BaseException] = []
    outcomes: list[Outcome] = []
    items: list[BatchItem] = []
    whole: BatchProgress | None = None
    async with open_client(
        ctx, journal=journal, store=store, force_sandbox=force_sandbox,
        sandbox_scale=sandbox_scale,
    ) as client:
        with ctx.out.reporter(title) as reporter:

            def start(job: Job[Any], label: str) -> None:
                if job.task_id not in followers:
                    followers[job.task_id] = asyncio.ensure_future(
                        follow(ctx, job, reporter, label=label, download=download)
                    )

            if journal:
                for job in await client.resume():
                    start(job, f"{job.task_id[:12]} (journal)")

            def on_item(item: BatchItem) -> None:
                if item.job is not None:
                    start(item.job, f"#{item.index + 1} {item.job.task_id[:12]}")
                elif item.error is not None:
                    submit_errors.append(item.error)
                    _, message, _ = describe(item.error)
                    ctx.out.note(f"request #{item.index + 1} was not submitted: {message}")

            shared = journal is not None or store is not None
            watcher = (
                asyncio.ensure_future(_watch_batch(ctx, client, requests, reporter))
                if shared else None
            )
            try:
                items = await client.generate_many(
                    requests, concurrency=concurrency, on_item=on_item
                )
                outcomes = list(await asyncio.gather(*followers.values()))
            finally:
                background = [*followers.values(), *([watcher] if watcher else [])]
                for task in background:
                    task.cancel()
                await asyncio.gather(*background, return_exceptions=True)
            whole = await _final_progress(client, requests) if shared else None
            if whole is not None:
                reporter.batch(whole.done, whole.total, str(whole))
        polls_total = sum(o.polls for o in outcomes)
    wall = time.monotonic() - started
    skipped = sum(1 for item in items if item.resumed)
    code = exit_code_for(outcomes, submit_errors)
    if ctx.out.json:
        ctx.out.emit_json(
            {
                "ok": code == 0,
                "exit_code": code,
                "requests": len(requests),
                "submitted": sum(1 for item in items if item.ok and not item.resumed),
                "resumed": skipped,
                "not_submitted": len(submit_errors),
                "wall_seconds": round(wall, 3),
                "polls": polls_total,
                "jobs": [o.to_json() for o in outcomes],
                **({"batch": whole.counts()} if whole is not None else {}),
            }
        )
        return code
    ctx.out.table(
        f"{title} results", SUMMARY_COLUMNS, summary_rows(outcomes), no_wrap=NO_WRAP_COLUMNS
    )
    tracks = sum(len(o.tracks) for o in outcomes)
    files = sum(len(o.files) for o in outcomes)
    ctx.out.line(
        f"{len(outcomes)} jobs ({sum(o.ok for o in outcomes)} ok), {tracks} tracks"
        + (f", {files} files in {download}" if download is not None else "")
        + f", {polls_total} polls, {wall:.1f} s wall time"
        + (f"; {skipped} requests were already in the {'journal' if journal else 'store'}"
           " (not resubmitted)" if skipped else "")
    )
    if whole is not None:
        ctx.out.line(f"whole batch (every worker sharing the store): {whole}")
    report_failures(ctx, outcomes)
    for error in submit_errors[:1]:
        _, message, hint = describe(error)
        ctx.out.note(f"error: {message}")
        ctx.out.note(f"hint: {hint}")
    return code


#: ``batch --status`` table columns.
STATUS_COLUMNS = ("#", "state", "task", "stage", "status", "request")


async def show_batch_status(
    ctx: Context,
    requests: Sequence[GenerateRequest],
    *,
    journal: str | None = None,
    store: str | None = None,
) -> int:
    """``batch FILE --store URL --status``: the whole batch as the store shows it
    (every worker's lines), sending nothing. Exit 0 when every line succeeded, 6 while
    any is waiting, sending or running, 1 when the rest failed or is in doubt."""
    async with open_client(ctx, journal=journal, store=store) as client:
        progress = await client.batch_progress(requests)
    if progress.finished:
        code = ExitCode.OK if progress.succeeded == progress.total else ExitCode.JOB_FAILED
    else:
        code = ExitCode.TIMEOUT
    if ctx.out.json:
        ctx.out.emit_json(
            {
                "ok": code == ExitCode.OK,
                "exit_code": int(code),
                "finished": progress.finished,
                "batch": progress.counts(),
                "lines": [attrs.asdict(line) for line in progress.lines],
            }
        )
        return code
    rows = [
        [
            str(line.index + 1), line.state.replace("_", " "), line.task_id or "-",
            line.stage or "-", line.status or "-", request_label(requests[line.index]) or "-",
        ]
        for line in progress.lines
    ]
    ctx.out.table("whole batch (every worker)", STATUS_COLUMNS, rows, no_wrap=("task",))
    ctx.out.line(f"whole batch: {progress}")
    if progress.in_doubt:
        ctx.out.note(
            f"{progress.in_doubt} line(s) may have been paid without a task id: check the "
            "provider's dashboard before sending them again."
        )
    return code
