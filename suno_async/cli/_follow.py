"""Following jobs: live progress, each track delivered as soon as it is ready, summaries.

The first track of a music job is complete at FIRST_SUCCESS (the second only at
SUCCESS), so :func:`follow` prints or saves it then; a track is never delivered twice.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from ..errors import JobFailedError, JobTimeoutError, SunoError
from ..jobs.job import Job
from ..jobs.kinds import KINDS
from ..models.enums import Stage
from ..models.records import MusicRecord, Record, Track
from ..models.requests import GenerateRequest
from ._context import Context
from ._downloads import claim_download, finish_download, release_download
from ._exit import ExitCode, describe, priority
from ._output import Reporter

__all__ = [
    "NO_WRAP_COLUMNS",
    "SUMMARY_COLUMNS",
    "Outcome",
    "exit_code_for",
    "finish",
    "fmt_duration",
    "follow",
    "report_failures",
    "request_label",
    "save_tracks",
    "settled",
    "summary_rows",
]


def _track_key(index: int, track: Track) -> str:
    return track.id or f"#{index}"


@attrs.define
class Outcome:
    """How one job ended, as shown in summaries and ``--json``."""

    task_id: str
    label: str
    record: Record | None = None
    error: BaseException | None = None
    #: Track key (its id) -> the file it was saved to; ``None``: delivered as a URL.
    delivered: dict[str, Path | None] = attrs.Factory(dict)
    polls: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None and self.record is not None

    @property
    def tracks(self) -> tuple[Track, ...]:
        return self.record.tracks if isinstance(self.record, MusicRecord) else ()

    def file_for(self, index: int, track: Track) -> Path | None:
        return self.delivered.get(_track_key(index, track))

    @property
    def files(self) -> list[Path]:
        """Saved files in track order (then any saved from an earlier record)."""
        ordered = [self.file_for(i, t) for i, t in enumerate(self.tracks)]
        files = [f for f in ordered if f is not None]
        files += [f for f in self.delivered.values() if f is not None and f not in files]
        return files

    def to_json(self) -> dict[str, Any]:
        tracks = []
        for i, t in enumerate(self.tracks):
            file = self.file_for(i, t)
            tracks.append(
                {
                    "id": t.id,
                    "title": t.title,
                    "tags": t.tags,
                    "duration": t.duration,
                    "model_name": t.model_name,
                    "audio_url": t.audio_url,
                    "stream_audio_url": t.stream_audio_url,
                    "image_url": t.image_url,
                    "file": str(file) if file is not None else None,
                }
            )
        error = None
        if self.error is not None:
            code, message, _hint = describe(self.error)
            error = {"type": type(self.error).__name__, "message": message, "exit_code": int(code)}
        return {
            "task_id": self.task_id,
            "ok": self.ok,
            "status": self.record.status if self.record is not None else None,
            "tracks": tracks,
            "files": [str(f) for f in self.files],
            "polls": self.polls,
            "seconds": round(self.seconds, 3),
            "error": error,
        }


def _title_of(record: Record | None) -> str:
    if isinstance(record, MusicRecord):
        for track in record.tracks:
            if track.title:
                return track.title
    return ""


def request_label(request: object) -> str:
    if isinstance(request, GenerateRequest):
        text = request.title or request.prompt or request.style or ""
        text = " ".join(text.split())
        return text[:40] + ("…" if len(text) > 40 else "")
    return ""


async def _deliver(
    ctx: Context,
    outcome: Outcome,
    record: Record | None,
    reporter: Reporter | None,
    download: Path | None,
    *,
    early: bool,
) -> None:
    """Save (or announce) every ready track of ``record`` not delivered yet."""
    if not isinstance(record, MusicRecord):
        return
    count = len(record.tracks)
    for index, track in enumerate(record.tracks):
        key = _track_key(index, track)
        if not track.ready or key in outcome.delivered:
            continue
        pending = early and count > 1 and not all(t.ready for t in record.tracks)
        rest = " (the other is still rendering)" if pending else ""
        if download is not None:
            assert ctx.client is not None
            store = ctx.client.store if ctx.opt("store") else None
            if store is not None and not await claim_download(store, outcome.task_id, index):
                outcome.delivered[key] = None  # saved by another worker of the batch
                if reporter is not None:
                    reporter.event(outcome.task_id, f"track {index + 1}: saved by another worker")
                continue
            try:
                path = await ctx.client.download(track, f"{download}{os.sep}")
            except BaseException:
                if store is not None:
                    await release_download(store, outcome.task_id, index)
                raise
            if store is not None:
                await finish_download(store, outcome.task_id, index)
            outcome.delivered[key] = path
            if early and reporter is not None:
                reporter.event(outcome.task_id, f"track {index + 1} saved: {path}{rest}")
        else:
            outcome.delivered[key] = None
            if early and reporter is not None:
                reporter.event(outcome.task_id, f"track {index + 1} ready: {track.audio_url}{rest}")


async def save_tracks(ctx: Context, outcome: Outcome, directory: Path) -> None:
    """Download every ready track of a finished music job into ``directory``.

    ``client.download`` streams to a temporary file and renames it into place, so an
    interrupted download never leaves a partial file under the final name.
    """
    await _deliver(ctx, outcome, outcome.record, None, directory, early=False)


async def follow(
    ctx: Context,
    job: Job[Any],
    reporter: Reporter,
    *,
    label: str,
    download: Path | None = None,
    initial: Record | None = None,
) -> Outcome:
    """Show a job's progress until it ends; deliver each track as soon as it is ready.

    ``initial`` is a record fetched just before (re-attaching): its ready tracks are
    delivered at once instead of after the first poll.
    """
    started = time.monotonic()
    outcome = Outcome(job.task_id, label)
    reporter.add(
        job.task_id,
        label,
        request_label(job.request),
        word="submitted" if job.request is not None else "tracking",
    )
    download_error: SunoError | None = None

    async def deliver(record: Record | None, *, early: bool) -> None:
        nonlocal download_error
        if download_error is not None:
            return
        try:
            await _deliver(ctx, outcome, record, reporter, download, early=early)
        except SunoError as exc:
            download_error = exc

    try:
        if initial is not None:
            stage = job.kind.classify(initial).stage
            if stage is not None and not stage.terminal:
                reporter.update(job.task_id, stage.name, _title_of(initial) or None)
            await deliver(initial, early=True)
        async for event in job.events():
            if event.error is None and not event.stage.terminal:
                reporter.update(job.task_id, event.stage.name, _title_of(event.record) or None)
                await deliver(event.record, early=True)
        record = await job
    except SunoError as exc:
        outcome.error = exc
        outcome.record = job.record
        word = "TIMEOUT" if isinstance(exc, JobTimeoutError) else (
            job.status or "FAILED" if isinstance(exc, JobFailedError) else "STOPPED"
        )
        reporter.finish(job.task_id, False, word)
    else:
        outcome.record = record
        reporter.update(job.task_id, Stage.SUCCESS.name, _title_of(record) or None)
        if download is not None:
            reporter.update(job.task_id, "downloading")
        await deliver(record, early=False)
        _finish_row(outcome, reporter, download, download_error)
    outcome.polls = job.polls
    outcome.seconds = time.monotonic() - started
    return outcome


def _finish_row(
    outcome: Outcome, reporter: Reporter, download: Path | None, error: SunoError | None
) -> None:
    if error is not None:
        outcome.error = error
        reporter.finish(outcome.task_id, False, "DOWNLOAD FAILED")
    elif download is not None:
        saved = len(outcome.files)
        elsewhere = sum(1 for path in outcome.delivered.values() if path is None)
        words = []
        if saved or not elsewhere:
            words.append(f"saved {saved} file{'' if saved == 1 else 's'}")
        if elsewhere:
            words.append(f"{elsewhere} saved by another worker")
        reporter.finish(outcome.task_id, True, ", ".join(words))
    else:
        reporter.finish(outcome.task_id, True, Stage.SUCCESS.name)


async def settled(
    ctx: Context,
    task_id: str,
    kind: str,
    record: Record,
    reporter: Reporter,
    *,
    download: Path | None = None,
) -> Outcome | None:
    """The outcome of a task whose fetched ``record`` is already final, else ``None``.

    Re-attaching to a finished task then costs one request, with no wait for a poll.
    """
    classified = KINDS[kind].classify(record)
    if classified.stage not in (Stage.SUCCESS, Stage.FAILED):
        return None
    outcome = Outcome(task_id, task_id, record=record)
    reporter.add(task_id, task_id, _title_of(record), word="tracking")
    if classified.stage is Stage.FAILED:
        failure = classified.failure or JobFailedError
        outcome.error = failure(
            task_id,
            record.status,
            error_code=record.error_code,
            error_message=record.error_message,
            record=record,
        )
        reporter.finish(task_id, False, record.status or "FAILED")
        return outcome
    reporter.update(task_id, Stage.SUCCESS.name, _title_of(record) or None)
    error: SunoError | None = None
    try:
        await _deliver(ctx, outcome, record, reporter, download, early=False)
    except SunoError as exc:
        error = exc
    _finish_row(outcome, reporter, download, error)
    return outcome


def fmt_duration(seconds: float | None) -> str:
    """``165.2`` -> ``'2:45'``; unknown -> ``'-'``."""
    if seconds is None:
        return "-"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}:{secs:02d}"


def summary_rows(outcomes: Sequence[Outcome]) -> list[list[str]]:
    rows: list[list[str]] = []
    for o in outcomes:
        if not o.ok:
            _, message, _ = describe(o.error) if o.error else (0, "not finished", "")
            rows.append([o.task_id, "FAILED", message.split("\n")[0], "-", "-", str(o.polls)])
            continue
        for i, track in enumerate(o.tracks):
            path = o.file_for(i, track)
            file = str(path) if path is not None else (track.audio_url or "-")
            rows.append(
                [
                    o.task_id if i == 0 else "",
                    o.record.status if o.record is not None and i == 0 else "",
                    track.title or "-",
                    fmt_duration(track.duration),
                    file,
                    str(o.polls) if i == 0 else "",
                ]
            )
    return rows


SUMMARY_COLUMNS = ("task", "status", "title", "length", "file / audio URL", "polls")
#: Summary columns never broken across lines (a task id must stay copyable).
NO_WRAP_COLUMNS = ("task", "status", "polls")


def exit_code_for(outcomes: Sequence[Outcome], submit_errors: Sequence[BaseException] = ()) -> int:
    """The most important problem decides the exit code: the one whose rule in
    :mod:`._exit`'s table comes first."""
    errors = [*submit_errors, *(o.error for o in outcomes if o.error is not None)]
    if not errors:
        return ExitCode.OK
    return int(describe(min(errors, key=priority))[0])


def report_failures(ctx: Context, outcomes: Sequence[Outcome]) -> None:
    for o in outcomes:
        if o.error is not None and not ctx.out.json:
            _, message, hint = describe(o.error)
            ctx.out.note(f"error: {message}")
            ctx.out.note(f"hint: {hint}")
            break


def finish(ctx: Context, outcomes: Sequence[Outcome], extra: dict[str, Any] | None = None) -> int:
    """Print the summary (or the JSON document) of finished jobs; return the exit code."""
    code = exit_code_for(outcomes)
    if ctx.out.json:
        doc: dict[str, Any] = {"ok": code == 0, "exit_code": code}
        doc.update(extra or {})
        doc["jobs"] = [o.to_json() for o in outcomes]
        ctx.out.emit_json(doc)
    else:
        ctx.out.table("results", SUMMARY_COLUMNS, summary_rows(outcomes), no_wrap=NO_WRAP_COLUMNS)
        report_failures(ctx, outcomes)
    return code
