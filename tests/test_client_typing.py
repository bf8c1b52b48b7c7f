"""A user's program under ``mypy --strict``: precise types, and a misspelt keyword is an
error the checker reports (not a bare TypeError at run time)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROGRAM = ROOT / "tests" / "typing" / "user_program.py"

pytestmark = pytest.mark.slow

REVEALS = """
reveal_type(client.generate)
reveal_type(await client.get_record("t", "midi"))
reveal_type(client.track("t"))
reveal_type(client.jobs)
reveal_type(results)
reveal_type(finished)
"""


def mypy(tmp_path: Path, source: str) -> str:
    program = tmp_path / "program.py"
    program.write_text(source)
    env = {**os.environ, "MYPYPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
         "--cache-dir", str(ROOT / ".mypy_cache"), "--python-version", "3.11", str(program)],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300, check=False,
    )
    return done.stdout + done.stderr


def test_the_user_program_is_clean_and_precisely_typed(tmp_path: Path) -> None:
    source = PROGRAM.read_text()
    marker = "        for known in client.jobs.values():"
    source = source.replace(marker, "\n".join(
        "        " + line for line in REVEALS.strip().splitlines()) + "\n" + marker)
    out = mypy(tmp_path, source)
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert errors == [], out
    notes = [line for line in out.splitlines() if "Revealed type" in line]
    assert len(notes) == 6, out
    assert "*, negative_tags:" in notes[0] and "**" not in notes[0]  # explicit keywords
    assert "MidiRecord" in notes[1]
    assert "Job[suno_async.models.records.MusicRecord]" in notes[2]
    assert "Any" not in notes[3] and "Any" not in notes[4], out
    assert "Job[suno_async.models.records.MusicRecord]" in notes[5], out


def test_a_misspelt_keyword_is_a_type_error(tmp_path: Path) -> None:
    source = PROGRAM.read_text().replace('prompt="calm piano"', 'promt="calm piano"')
    out = mypy(tmp_path, source)
    assert 'Unexpected keyword argument "promt"' in out, out
