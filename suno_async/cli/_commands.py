"""The commands: each an ``async def`` taking the parsed arguments and a :class:`Context`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import sys
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ..batch import BatchItem
from ..client import SunoClient
from ..config import PollPolicy
from ..errors import (
    JobFailedError,
    JobTimeoutError,
    Problem,
    RequestValidationError,
    SunoError,
)
from ..jobs.job import Job
from ..jobs.kinds import KINDS
from ..models.enums import Stage
from ..models.records import MusicRecord, Record, Track
from ..models.requests import GenerateRequest
from ._exit import ExitCode, describe
from ._output import Output, Reporter
from ._parser import SANDBOX_TIME_SCALE

if TYPE_CHECKING:
    from ..sandbox import Sandbox

__all__ = ["COMMANDS", "CliError", "Context", "Outcome"]


class CliError(Exception):
    """A problem the CLI reports as one sentence, a hint and an exit code."""

    def __init__(self, code: ExitCode, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint


@attrs.define
class Outcome:
    """How one job ended, as shown in summaries and ``--json``."""

    task_id: str
    label: str
    record: Record | None = None
    error: BaseException | None = None
    files: list[Path] = attrs.Factory(list)
    polls: int = 0
    seconds: float = 0.0
    request: dict[str, Any] = attrs.Factory(dict)

    @property
    def ok(self) -> bool:
        return self.error is None and self.record is not None

    @property
    def tracks(self) -> tuple[Track, ...]:
        return self.record.tracks if isinstance(self.record, MusicRecord) else ()

    def to_json(self) -> dict[str, Any]:
        files = [str(f) for f in self.files]
        tracks = []
        for i, t in enumerate(self.tracks):
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
                    "file": files[i] if i < len(files) else None,
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
            "files": files,
            "polls": self.polls,
            "seconds": round(self.seconds, 3),
            "error": error,
        }


@attrs.define
class Context:
    """What a running command shares with the top level (for Ctrl-C reports)."""

    args: argparse.Namespace
    out: Output
    client: SunoClient | None = None
    sandbox: Sandbox | None = None
    resume_hint: str = ""

    def opt(self, name: str, default: Any = None) -> Any:
        value = getattr(self.args, name, None)
        return default if value is None else value

    def running(self) -> list[str]:
        """Task ids this run knows of that have not finished."""
        if self.client is None:
            return []
        return [tid for tid, job in self.client.jobs.items() if not job.done()]


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
    min_interval = defaults.min_interval
    return PollPolicy(
        initial=initial,
        maximum=maximum,
        early_maximum=early,
        min_interval=min_interval,
        max_wait=ctx.opt("timeout", defaults.max_wait),
    )


@contextlib.asynccontextmanager
async def open_client(
    ctx: Context,
    *,
    journal: str | None = None,
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
        elif not (api_key or os.environ.get("SUNO_API_KEY")):
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
            )
        except ValueError as exc:
            raise CliError(ExitCode.USAGE, f"{exc}.", "see `suno-async --help`.") from None
        ctx.client = client
        await stack.enter_async_context(client)
        yield client


# ---------------------------------------------------------------------------- requests

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
_GENERATE_FIELDS = {f.name for f in attrs.fields(GenerateRequest)}


def _snake(name: str) -> str:
    special = {"callBackUrl": "call_back_url"}
    return special.get(name) or _CAMEL.sub("_", name).lower()


def request_from_mapping(data: dict[str, Any], *, where: str = "") -> GenerateRequest:
    """A :class:`GenerateRequest` from snake_case or camelCase JSON fields."""
    fields: dict[str, Any] = {}
    unknown = []
    for key, value in data.items():
        name = _snake(key)
        if name not in _GENERATE_FIELDS:
            unknown.append(key)
            continue
        fields[name] = value
    if unknown:
        raise RequestValidationError(
            [Problem(k, "unknown field for generate") for k in unknown],
            request=f"generate{where}",
        )
    try:
        return GenerateRequest(**fields)
    except RequestValidationError as exc:
        raise RequestValidationError(exc.problems, request=f"generate{where}") from None


def request_from_args(args: argparse.Namespace) -> GenerateRequest:
    prompt = args.prompt if args.prompt is not None else args.prompt_arg
    if args.prompt is not None and args.prompt_arg is not None:
        raise CliError(
            ExitCode.USAGE, "the prompt was given twice.", "use either PROMPT or --prompt."
        )
    fields: dict[str, Any] = {
        "prompt": prompt,
        "custom_mode": args.custom_mode,
        "instrumental": args.instrumental,
        "model": args.model,
        "style": args.style,
        "title": args.title,
        "negative_tags": args.negative_tags,
        "vocal_gender": args.vocal_gender,
        "style_weight": args.style_weight,
        "weirdness_constraint": args.weirdness_constraint,
        "audio_weight": args.audio_weight,
        "persona_id": args.persona_id,
        "call_back_url": args.callback_url,
    }
    return GenerateRequest(**{k: v for k, v in fields.items() if v is not None})


def read_batch(path: str) -> list[GenerateRequest]:
    """Every request of a JSON Lines file; all problems of all lines reported at once."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CliError(
            ExitCode.USAGE, f"cannot read {path}: {exc.strerror}.", "check the file name."
        ) from None
    requests: list[GenerateRequest] = []
    problems: list[Problem] = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            data = json.loads(stripped)
        except ValueError as exc:
            problems.append(Problem(f"line {number}", f"not JSON ({exc})"))
            continue
        if not isinstance(data, dict):
            problems.append(Problem(f"line {number}", "must be a JSON object"))
            continue
        try:
            requests.append(request_from_mapping(data))
        except RequestValidationError as exc:
            problems.extend(Problem(f"line {number}: {p.field}", p.message) for p in exc.problems)
    if problems:
        raise RequestValidationError(problems, request=f"batch file {path}")
    if not requests:
        raise CliError(
            ExitCode.USAGE,
            f"{path} has no requests.",
            'write one JSON object per line, e.g. {"prompt": "lofi piano", "instrumental": true}',
        )
    return requests


# ---------------------------------------------------------------------------- following jobs


def _title_of(record: Record | None) -> str:
    if isinstance(record, MusicRecord):
        for track in record.tracks:
            if track.title:
                return track.title
    return ""


def _request_label(request: object) -> str:
    if isinstance(request, GenerateRequest):
        text = request.title or request.prompt or request.style or ""
        text = " ".join(text.split())
        return text[:40] + ("…" if len(text) > 40 else "")
    return ""


async def save_tracks(ctx: Context, outcome: Outcome, directory: Path) -> None:
    """Download every track of a finished music job into ``directory``.

    ``client.download`` streams to a temporary file and renames it into place, so an
    interrupted download never leaves a partial file under the final name.
    """
    assert ctx.client is not None
    for track in outcome.tracks:
        if track.audio_url:
            outcome.files.append(await ctx.client.download(track, f"{directory}{os.sep}"))


async def follow(
    ctx: Context,
    job: Job[Any],
    reporter: Reporter,
    *,
    label: str,
    download: Path | None = None,
) -> Outcome:
    """Show a job's progress until it ends; download its tracks if asked."""
    started = time.monotonic()
    outcome = Outcome(job.task_id, label)
    reporter.add(
        job.task_id,
        label,
        _request_label(job.request),
        word="submitted" if job.request is not None else "tracking",
    )
    try:
        async for event in job.events():
            if event.error is None and not event.stage.terminal:
                reporter.update(job.task_id, event.stage.name, _title_of(event.record) or None)
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
            try:
                await save_tracks(ctx, outcome, download)
            except SunoError as exc:
                outcome.error = exc
                reporter.finish(job.task_id, False, "DOWNLOAD FAILED")
            else:
                reporter.finish(job.task_id, True, f"saved {len(outcome.files)} files")
        else:
            reporter.finish(job.task_id, True, Stage.SUCCESS.name)
    outcome.polls = job.polls
    outcome.seconds = time.monotonic() - started
    return outcome


def _fmt_duration(seconds: float | None) -> str:
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
            file = str(o.files[i]) if i < len(o.files) else (track.audio_url or "-")
            rows.append(
                [
                    o.task_id if i == 0 else "",
                    o.record.status if o.record is not None and i == 0 else "",
                    track.title or "-",
                    _fmt_duration(track.duration),
                    file,
                    str(o.polls) if i == 0 else "",
                ]
            )
    return rows


SUMMARY_COLUMNS = ("task", "status", "title", "length", "file / audio URL", "polls")


def exit_code_for(outcomes: Sequence[Outcome], submit_errors: Sequence[BaseException] = ()) -> int:
    """The most important problem decides the exit code."""
    codes = [describe(e)[0] for e in submit_errors]
    codes += [describe(o.error)[0] for o in outcomes if o.error is not None]
    if not codes:
        return ExitCode.OK
    order = [
        ExitCode.AUTH,
        ExitCode.CREDITS,
        ExitCode.USAGE,
        ExitCode.API,
        ExitCode.JOB_FAILED,
        ExitCode.TIMEOUT,
        ExitCode.INTERRUPTED,
    ]
    return int(min(codes, key=lambda c: order.index(c) if c in order else len(order)))


def report_failures(ctx: Context, outcomes: Sequence[Outcome]) -> None:
    for o in outcomes:
        if o.error is not None and not ctx.out.json:
            _, message, hint = describe(o.error)
            ctx.out.note(f"error: {message}")
            ctx.out.note(f"hint: {hint}")
            break


# ---------------------------------------------------------------------------- commands


async def cmd_generate(args: argparse.Namespace, ctx: Context) -> int:
    request = request_from_args(args)
    download = Path(args.download) if args.download else None
    wait = args.wait or download is not None
    async with open_client(ctx) as client:
        job = await client.generate(request)
        ctx.resume_hint = f"suno-async wait {job.task_id}"
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
    return _finish(ctx, [outcome])


def _finish(ctx: Context, outcomes: Sequence[Outcome], extra: dict[str, Any] | None = None) -> int:
    code = exit_code_for(outcomes)
    if ctx.out.json:
        doc: dict[str, Any] = {"ok": code == 0, "exit_code": code}
        doc.update(extra or {})
        doc["jobs"] = [o.to_json() for o in outcomes]
        ctx.out.emit_json(doc)
    else:
        ctx.out.table("results", SUMMARY_COLUMNS, summary_rows(outcomes))
        report_failures(ctx, outcomes)
    return code


async def cmd_wait(args: argparse.Namespace, ctx: Context) -> int:
    kind = args.kind
    if kind not in KINDS:
        raise CliError(
            ExitCode.USAGE, f"unknown --kind {kind!r}.", f"use one of {', '.join(KINDS)}."
        )
    download = Path(args.download) if args.download else None
    ctx.resume_hint = "suno-async wait " + " ".join(args.task_ids)
    async with open_client(ctx) as client:
        jobs = [client.track(tid, kind) for tid in args.task_ids]
        with ctx.out.reporter("wait") as reporter:
            outcomes = await asyncio.gather(
                *(follow(ctx, j, reporter, label=j.task_id, download=download) for j in jobs)
            )
    return _finish(ctx, outcomes)


async def cmd_status(args: argparse.Namespace, ctx: Context) -> int:
    if args.kind not in KINDS:
        raise CliError(
            ExitCode.USAGE, f"unknown --kind {args.kind!r}.", f"use one of {', '.join(KINDS)}."
        )
    async with open_client(ctx) as client:
        record = await client.get_record(args.task_id, args.kind)
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
                _fmt_duration(t.duration),
                t.audio_url or t.stream_audio_url or "-",
            ]
            for t in outcome.tracks
        ]
        ctx.out.table("tracks", ("id", "title", "length", "audio URL"), rows)
    return ExitCode.OK


async def cmd_download(args: argparse.Namespace, ctx: Context) -> int:
    directory = Path(args.to)
    async with open_client(ctx) as client:
        record = await client.get_record(args.task_id)
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
    download = Path(args.download) if args.download else None
    journal = args.journal
    if journal:
        ctx.resume_hint = f"suno-async batch {args.file} --journal {journal}" + (
            f" --download {args.download}" if download else ""
        )
    else:
        ctx.resume_hint = (
            "suno-async wait TASK_ID ... (next time add --journal FILE to resume a batch)"
        )
    return await run_batch(
        ctx, requests, concurrency=args.concurrency, download=download, journal=journal
    )


async def run_batch(
    ctx: Context,
    requests: Sequence[GenerateRequest],
    *,
    concurrency: int,
    download: Path | None,
    journal: str | None = None,
    force_sandbox: bool = False,
    sandbox_scale: float | None = None,
    title: str = "batch",
) -> int:
    """Submit, follow and download a batch; shared by ``batch`` and ``demo``."""
    started = time.monotonic()
    followers: dict[str, asyncio.Task[Outcome]] = {}
    submit_errors: list[BaseException] = []
    resumed = 0
    async with open_client(
        ctx, journal=journal, force_sandbox=force_sandbox, sandbox_scale=sandbox_scale
    ) as client:
        with ctx.out.reporter(title) as reporter:

            def start(job: Job[Any], label: str) -> None:
                if job.task_id not in followers:
                    followers[job.task_id] = asyncio.ensure_future(
                        follow(ctx, job, reporter, label=label, download=download)
                    )

            if journal:
                for job in await client.resume():
                    resumed += 1
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
    ctx.out.table(f"{title} results", SUMMARY_COLUMNS, summary_rows(outcomes))
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


async def cmd_demo(args: argparse.Namespace, ctx: Context) -> int:
    from ._demo import run_demo

    return await run_demo(args, ctx)


COMMANDS = {
    "generate": cmd_generate,
    "batch": cmd_batch,
    "status": cmd_status,
    "wait": cmd_wait,
    "download": cmd_download,
    "credits": cmd_credits,
    "demo": cmd_demo,
}
