"""The CLI's modules: one concern each, no import cycle among them, and the exit-code
priority given by the order of the one rule table in ``cli/_exit.py``."""

from __future__ import annotations

import ast
from pathlib import Path

from suno_async.cli._exit import ExitCode, describe, priority
from suno_async.errors import (
    APIConnectionError,
    AuthenticationError,
    ClientClosedError,
    ContentPolicyError,
    DownloadError,
    InsufficientCreditsError,
    InvalidParametersError,
    JobFailedError,
    JobTimeoutError,
    JobTrackingError,
    JournalError,
    NotFoundError,
    Problem,
    RequestValidationError,
)

CLI = Path(__file__).resolve().parents[1] / "suno_async" / "cli"


def _cli_imports(path: Path) -> set[str]:
    """The sibling CLI modules a module imports (at any depth: lazy imports count)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module)
            else:
                found.update(alias.name for alias in node.names)
    return found


def test_no_import_cycle_among_cli_modules() -> None:
    graph = {p.stem: _cli_imports(p) for p in CLI.glob("*.py")}
    graph.pop("__init__")  # the entry point imports the others lazily; nothing imports it
    graph.pop("__main__")

    def visit(name: str, stack: tuple[str, ...]) -> None:
        assert name not in stack, f"import cycle: {' -> '.join((*stack, name))}"
        for dep in graph.get(name, ()):
            visit(dep, (*stack, name))

    for module in graph:
        visit(module, ())
    assert "_commands" not in graph["_demo"]
    assert len((CLI / "_commands.py").read_text().splitlines()) < 400


def test_exit_priority_is_the_rule_order() -> None:
    by_importance = [
        AuthenticationError("denied", code=401),
        InsufficientCreditsError("no credits", code=402),
        RequestValidationError([Problem("prompt", "is required")], request="generate"),
        InvalidParametersError("bad", code=400),
        NotFoundError("no task", code=404),
        JournalError("disk full", task_id="t1"),
        DownloadError("HTTP 500", url="http://x"),
        JobTrackingError("t1"),
        APIConnectionError("refused"),
        ContentPolicyError("t1", "SENSITIVE_WORD_ERROR"),
        JobFailedError("t1", "GENERATE_AUDIO_FAILED"),
        JobTimeoutError("t1", 1.0),
        ClientClosedError("closed"),
    ]
    ranks = [priority(e) for e in by_importance]
    assert ranks == sorted(ranks)
    codes = [describe(e)[0] for e in by_importance]
    order = [ExitCode.AUTH, ExitCode.CREDITS, ExitCode.USAGE, ExitCode.API,
             ExitCode.JOB_FAILED, ExitCode.TIMEOUT, ExitCode.INTERRUPTED]
    assert [order.index(c) for c in codes] == sorted(order.index(c) for c in codes)
    assert priority(KeyError("x")) > max(ranks)  # unknown errors matter least


def test_journal_and_download_errors_are_described_not_unexpected() -> None:
    code, message, hint = describe(JournalError("disk full", task_id="abc123"))
    assert code is ExitCode.API and "abc123" in message and "suno-async wait abc123" in hint
    code, message, _ = describe(DownloadError("HTTP 500", url="http://x"))
    assert code is ExitCode.API and message.startswith("a download failed")
