"""Running a batch of generate requests with live progress: ``batch`` and ``demo``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..batch import BatchItem
from ..jobs.job import Job
from ..models.requests import GenerateRequest
from ._context import Context, open_client
from ._exit import describe
from ._follow import (
    NO_WRAP_COLUMNS,
    SUMMARY_COLUMNS,
    Outcome,
    exit_code_for,
    follow,
    report_failures,
    summary_rows,
)

__all__ = ["run_batch"]


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

            try:
                items = await client.generate_many(
                    requests, concurrency=concurrency, on_item=on_item
                )
                outcomes = list(await asyncio.gather(*followers.values()))
            finally:
                for task in followers.values():
                    task.cancel()
                await asyncio.gather(*followers.values(), return_exceptions=True)
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
        + (f"; {skipped} requests were already in the journal (not resubmitted)" if skipped else "")
    )
    report_failures(ctx, outcomes)
    for error in submit_errors[:1]:
        _, message, hint = describe(error)
        ctx.out.note(f"error: {message}")
        ctx.out.note(f"hint: {hint}")
    return code
