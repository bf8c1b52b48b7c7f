"""Output: live progress on a terminal (rich), plain lines when piped, JSON for machines.

``rich`` is imported here only, and only when the command line runs, so the core package
never needs it. Every string reaches the terminal through :func:`._text.printable` and as
rich ``Text`` (never parsed as markup): titles, URLs and messages come from the API.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from ._text import printable

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID
    from rich.text import Text

__all__ = ["Output", "Reporter", "rich_missing_hint", "write_stderr"]

Mode = Literal["rich", "plain", "json"]

#: Stage names shown in progress rows, and how far along each is (of 3).
STAGE_STEPS = {"PENDING": 0, "TEXT_SUCCESS": 1, "FIRST_SUCCESS": 2, "SUCCESS": 3}


def rich_missing_hint() -> str | None:
    """A hint when ``rich`` (the ``cli`` extra) is not installed, else ``None``."""
    try:
        import rich  # noqa: F401
    except ImportError:
        return (
            "suno-async: the command line needs the 'cli' extra (rich).\n"
            'hint: pip install -e ".[cli]" in a checkout (or pip install "suno-async[cli]")'
        )
    return None


class Output:
    """Where a command writes: a rich console on a terminal, plain text otherwise."""

    def __init__(self, *, json_mode: bool = False, force_plain: bool = False) -> None:
        from rich.console import Console

        self.console: Console = Console(highlight=False)
        terminal = self.console.is_terminal and not force_plain
        if not terminal:
            self.console = Console(highlight=False, width=max(self.console.width, 160))
        self.mode: Mode = "json" if json_mode else ("rich" if terminal else "plain")

    @property
    def json(self) -> bool:
        return self.mode == "json"

    def emit_json(self, value: Any) -> None:
        """The one JSON document a ``--json`` command prints on stdout."""
        sys.stdout.write(json.dumps(value, indent=2, default=str) + "\n")
        sys.stdout.flush()

    def line(self, text: str) -> None:
        """A line for humans (suppressed in JSON mode)."""
        if self.mode == "json":
            return
        self.console.print(_text(text, newlines=True), soft_wrap=True)

    def note(self, text: str) -> None:
        """A side remark on stderr (shown in every mode, never on stdout)."""
        write_stderr(text)

    def table(
        self,
        title: str,
        columns: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        no_wrap: Sequence[str] = (),
    ) -> None:
        """A table; the ``no_wrap`` columns (task ids) are never broken across lines."""
        if self.mode == "json":
            return
        from rich.table import Table

        table = Table(title=_text(title), title_justify="left")
        for name in columns:
            if name in no_wrap:
                table.add_column(_text(name), no_wrap=True, overflow="ignore")
            else:
                table.add_column(_text(name), overflow="fold")
        for row in rows:
            table.add_row(*(_text(cell) for cell in row))
        self.console.print(table)

    def reporter(self, title: str = "jobs") -> Reporter:
        return Reporter(self, title)


def _text(value: object, *, newlines: bool = False) -> Text:
    """``value`` as rich ``Text``: escaped, never parsed as markup or emoji codes."""
    from rich.text import Text

    return Text(printable(value, newlines=newlines))


def write_stderr(text: str) -> None:
    """A line on stderr, escaped like everything else (messages quote API text)."""
    sys.stderr.write(printable(text, newlines=True) + "\n")
    sys.stderr.flush()


class Reporter:
    """Progress of many jobs: one row each (stage, elapsed, title) and an overall bar.

    Use as a context manager. On a terminal it draws a live table; piped, it prints one
    line per change; in JSON mode it is silent.
    """

    def __init__(self, output: Output, title: str) -> None:
        self.output = output
        self.title = title
        self.started = time.monotonic()
        self._rows: dict[str, dict[str, Any]] = {}
        self._progress: Progress | None = None
        self._overall: TaskID | None = None
        self._done = 0
        self._batch: TaskID | None = None
        self._batch_text = ""

    def __enter__(self) -> Reporter:
        if self.output.mode == "rich":
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                SpinnerColumn(finished_text="•"),
                TextColumn("{task.description}", markup=False),
                BarColumn(bar_width=20),
                MofNCompleteColumn(),
                TextColumn("{task.fields[stage]}", style="cyan", markup=False),
                TimeElapsedColumn(),
                TextColumn("{task.fields[title]}", style="bold", markup=False),
                console=self.output.console,
                transient=False,
                refresh_per_second=8,
            )
            self._progress.start()
            self._overall = self._progress.add_task(
                self.title, total=0, stage="", title=""
            )
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def _elapsed(self) -> float:
        return time.monotonic() - self.started

    def add(self, key: str, label: str, title: str = "", word: str = "submitted") -> None:
        """A new row (a job submitted, or re-attached: ``word="resumed"``)."""
        if key in self._rows:
            return
        label, title = printable(label), printable(title)
        row: dict[str, Any] = {"label": label, "stage": "PENDING", "title": title}
        self._rows[key] = row
        if self._progress is not None:
            row["id"] = self._progress.add_task(label, total=3, stage="PENDING", title=title)
            assert self._overall is not None
            self._progress.update(self._overall, total=len(self._rows))
        elif self.output.mode == "plain":
            self._plain(key, word)

    def update(self, key: str, stage: str, title: str | None = None) -> None:
        """A row moved to ``stage`` (a Stage name or a short word like ``saved``)."""
        row = self._rows.get(key)
        if row is None:
            return
        stage = printable(stage)
        title = None if title is None else printable(title)
        if stage == row["stage"] and (title is None or title == row["title"]):
            return
        row["stage"] = stage
        if title:
            row["title"] = title
        if self._progress is not None:
            steps = STAGE_STEPS.get(stage)
            fields: dict[str, Any] = {"stage": stage, "title": row["title"]}
            if steps is not None:
                fields["completed"] = steps
            self._progress.update(row["id"], **fields)
        elif self.output.mode == "plain":
            self._plain(key, stage)

    def finish(self, key: str, ok: bool, stage: str) -> None:
        """A row reached its end (succeeded, failed, gave up)."""
        row = self._rows.get(key)
        if row is None or row.get("finished"):
            return
        row["finished"] = True
        self._done += 1
        reached = STAGE_STEPS.get(row["stage"], 0)
        self.update(key, stage)
        if self._progress is not None:
            self._progress.update(row["id"], completed=3 if ok else reached)
            self._progress.stop_task(row["id"])
            assert self._overall is not None
            self._progress.update(
                self._overall,
                completed=self._done,
                stage=f"{self._done}/{len(self._rows)} done",
            )

    def batch(self, done: int, total: int, text: str) -> None:
        """The whole batch as the store shows it (every worker's lines): a row of its
        own on a terminal, a line when it changes when piped, nothing in JSON mode."""
        text = printable(text)
        if text == self._batch_text:
            return
        self._batch_text = text
        if self._progress is not None:
            if self._batch is None:
                self._batch = self._progress.add_task(
                    "whole batch (all workers)", total=total, stage="", title=""
                )
            self._progress.update(self._batch, total=total, completed=done, stage=text)
        elif self.output.mode == "plain":
            self.output.line(f"[{self._elapsed():6.1f}s] whole batch (all workers): {text}")

    def event(self, key: str, text: str) -> None:
        """A one-off line about a row (a track saved early), above the live table."""
        row = self._rows.get(key)
        label = row["label"] if row is not None else key
        message = f"{label}  {text}"
        if self._progress is not None:
            self._progress.console.print(_text(message), soft_wrap=True)
        elif self.output.mode == "plain":
            self.output.line(f"[{self._elapsed():6.1f}s] {message}")

    def _plain(self, key: str, stage: str) -> None:
        row = self._rows[key]
        title = f"  {row['title']}" if row["title"] else ""
        self.output.line(f"[{self._elapsed():6.1f}s] {row['label']}  {stage}{title}")
