"""What reaches the terminal: untrusted text escaped, task ids unbroken, help defaults true.

Titles come back from the API as the user (or anyone) submitted them: the sandbox returns
the title of a custom-mode request in its records, so a hostile title travels the same
path a real one would.
"""

from __future__ import annotations

import contextlib
import io
import re
import unicodedata
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suno_async import config
from suno_async.cli._text import printable
from suno_async.sandbox import Sandbox

from .test_cli import GENERATE, cli, cli_env, cli_main, conn


@pytest.fixture
async def sb() -> AsyncIterator[Sandbox]:
    async with Sandbox(time_scale=0.003, seed=5, poll_limit=None) as sandbox:
        yield sandbox


HOSTILE = "Remix [/x] \x1b[31m\u202e"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")


def _custom(title: str) -> list[str]:
    return [
        "generate", "--custom-mode", "--style", "jazz", "--title", title,
        "--prompt", "[Verse] la la la", "--wait",
    ]


def _unsafe(text: str) -> list[str]:
    return [
        c for c in text
        if (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) <= 0x9F
        or c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"
    ]


async def test_hostile_title_piped_is_escaped_and_the_paid_job_succeeds(
    sb: Sandbox, tmp_path: Path
) -> None:
    r = await cli_main(*_custom(HOSTILE), *conn(sb), cwd=tmp_path)
    assert r.code == 0, r.err
    assert sb.stats.submissions[GENERATE] == 1
    assert "Remix [/x] \\x1b[31m\\u202e" in r.out  # shown, visibly escaped
    assert _unsafe(r.out + r.err) == []


async def test_hostile_title_on_a_terminal_is_escaped(sb: Sandbox, tmp_path: Path) -> None:
    env = cli_env(FORCE_COLOR="1", COLUMNS="200", TERM="xterm-256color")
    r = await cli(*_custom(HOSTILE), *conn(sb), cwd=tmp_path, env=env)
    assert r.code == 0, r.err
    assert "\x1b[31m" not in r.out  # the title's own escape never reaches the terminal
    assert "\u202e" not in r.out + r.err
    plain = ANSI.sub("", r.out)
    assert "Remix [/x] \\x1b[31m\\u202e" in plain
    assert _unsafe(plain) == []


async def test_brackets_in_a_title_print_in_full(sb: Sandbox, tmp_path: Path) -> None:
    for env in (None, cli_env(FORCE_COLOR="1", COLUMNS="200")):
        r = await cli_main(*_custom("Song [feat. Ann]"), *conn(sb), cwd=tmp_path, env=env)
        assert r.code == 0, r.err
        assert "Song [feat. Ann]" in ANSI.sub("", r.out)


async def test_summary_task_id_does_not_wrap_at_120_columns(
    sb: Sandbox, tmp_path: Path
) -> None:
    env = cli_env(FORCE_COLOR="1", COLUMNS="120", TERM="xterm-256color")
    title = "A very long title about a very long night drive through the neon city lights"
    deep = tmp_path / "some" / "deeper" / "directory" / "for" / "the" / "tracks"
    r = await cli_main(
        *_custom(title), "--download", str(deep), *conn(sb), cwd=tmp_path, env=env,
    )
    assert r.code == 0, r.err
    (task_id,) = sb.state.store.tasks
    table = ANSI.sub("", r.out).split("results", 1)[1]
    assert task_id in table  # on one line, copyable


def _help(*command: str) -> str:
    from suno_async.cli._parser import build_parser

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), pytest.raises(SystemExit):
        build_parser().parse_args([*command, "--help"])
    return " ".join(buffer.getvalue().split())


def test_help_defaults_come_from_config() -> None:
    from suno_async.cli._parser import build_parser

    generate_help = _help("generate")
    assert f"default {config.DEFAULT_POLL_INITIAL:g})" in generate_help
    assert f"default {config.DEFAULT_POLL_MAXIMUM:g})" in generate_help
    assert f"default {config.DEFAULT_POLL_MAX_WAIT:g})" in generate_help
    assert f"(default {config.DEFAULT_BATCH_CONCURRENCY})" in _help("batch")
    args = build_parser().parse_args(["batch", "x.jsonl"])
    assert args.concurrency == config.DEFAULT_BATCH_CONCURRENCY


@settings(derandomize=True, max_examples=300, database=None)
@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("\x1b\x9b\u202e\ud800")))
def test_printable_leaves_nothing_that_steers_a_terminal(text: str) -> None:
    for keep in (False, True):
        out = printable(text, newlines=keep)
        assert _unsafe(out) == []
        out.encode("utf-8")  # no lone surrogates left
        assert all(unicodedata.category(c) != "Cs" for c in out)
        if text.isprintable() and not _unsafe(text):
            assert out == text


@pytest.mark.parametrize(
    ("delivered", "expected"),
    [
        ({"a": Path("a.wav"), "b": None}, "saved 1 file, 1 saved by another worker"),
        ({"a": None, "b": None}, "2 saved by another worker"),
        ({"a": Path("a.wav"), "b": Path("b.wav")}, "saved 2 files"),
        ({}, "saved 0 files"),
    ],
)
def test_a_finished_download_row_says_who_saved_the_tracks(
    delivered: dict[str, Path | None], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from suno_async.cli._follow import Outcome, _finish_row
    from suno_async.cli._output import Output

    out = Output(force_plain=True)
    with out.reporter("batch") as reporter:
        reporter.add("t1", "#1 t1")
        _finish_row(Outcome("t1", "#1", delivered=delivered), reporter, Path("out"), None)
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.endswith(f"#1 t1  {expected}"), last
