"""``suno-async journal list`` / ``journal forget KEY``: a batch journal, inspected and
cleared on purpose (a MAYBE_SUBMITTED request is sent again only after ``forget``)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from ..journal import Journal, JournalEntry
from ._context import CliError, Context, check_journal_file
from ._exit import ExitCode

__all__ = ["cmd_journal"]


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
    await check_journal_file(args.journal)
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
