"""A user program type-checks against the blocking client as against the async one.

The blocking methods are derived from the async ones (``ParamSpec``), so ``mypy --strict``
reports a misspelt keyword on the blocking client wherever the async method declares its
parameters, and gives the same return types wrapped in ``SyncJob``.
"""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from pathlib import Path

from suno_async import SunoClient as AsyncSunoClient

ROOT = Path(__file__).resolve().parents[1]
MISSPELT = "zz_misspelt_keyword"


def explicit_methods() -> list[str]:
    """Async endpoint methods that declare their keywords (no ``**fields``)."""
    names = []
    for name, value in inspect.getmembers(AsyncSunoClient, inspect.isfunction):
        if name.startswith("_") or name in {"aclose", "generate_many"}:
            continue
        kinds = {p.kind for p in inspect.signature(value).parameters.values()}
        if inspect.Parameter.VAR_KEYWORD not in kinds:
            names.append(name)
    return sorted(names)


def run_mypy(tmp_path: Path, program: str) -> str:
    path = tmp_path / "user_program.py"
    path.write_text(program, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
         "--show-error-codes", "--hide-error-context", str(path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    return done.stdout + done.stderr


#: Calls whose type must be the same on both clients (``Job`` -> ``SyncJob``): whatever
#: the async signatures say (overloads per kind included), the blocking ones follow.
SAME_TYPE_CALLS = [
    'generate(prompt="lofi piano")',
    'generate_lyrics(prompt="a song about rain")',
    'convert_to_wav(task_id="t", audio_id="a")',
    "get_credits()",
    'get_record("t")',
    'get_record("t", "lyrics")',
    'track("t")',
    'track("t", "wav")',
    'download("https://x/a.mp3", "out")',
    'upload_file(b"RIFF", upload_path="stems")',
    'boost_style(content="jazz")',
    "resume()",
]


def test_mypy_sees_the_async_parameters_and_return_types(tmp_path: Path) -> None:
    methods = explicit_methods()
    assert {"download", "get_credits", "get_record", "track"} <= set(methods)
    calls = "\n".join(f"    client.{name}({MISSPELT}=1)  # line-of:{name}" for name in methods)
    awaited = {"track"}  # the one plain method of the async client
    async_reveals = "\n".join(
        f"    reveal_type({'' if c.split('(')[0] in awaited else 'await '}aclient.{c})"
        for c in SAME_TYPE_CALLS
    )
    sync_reveals = "\n".join(f"    reveal_type(client.{c})" for c in SAME_TYPE_CALLS)
    program = f"""\
from suno_async import Stage
from suno_async import SunoClient as AsyncSunoClient
from suno_async.sync import Sandbox, SunoClient


def start_sandbox() -> None:
    reveal_type(Sandbox(time_scale=0.01))
    Sandbox(time_scal=0.01)


async def use_async(aclient: AsyncSunoClient) -> None:
{async_reveals}


def use(client: SunoClient) -> None:
{sync_reveals}
    job = client.generate(prompt="lofi piano")
    reveal_type(job.result(timeout=5))
    reveal_type(job.wait(Stage.FIRST_SUCCESS))
{calls}
"""
    out = run_mypy(tmp_path, program)
    lines = program.splitlines()

    def reported(line_text: str) -> list[str]:
        number = lines.index(line_text) + 1
        return [o for o in out.splitlines() if f"user_program.py:{number}:" in o]

    def revealed(line_text: str) -> str:
        (note,) = [o for o in reported(line_text) if "Revealed type is" in o]
        return note.split("Revealed type is ", 1)[1].strip('"').removeprefix("builtins.")

    music = "suno_async.models.records.MusicRecord"
    for call in SAME_TYPE_CALLS:
        prefix = "" if call.split("(")[0] in awaited else "await "
        async_type = revealed(f"    reveal_type({prefix}aclient.{call})")
        sync_type = revealed(f"    reveal_type(client.{call})")
        expected = async_type.replace("suno_async.jobs.job.Job[", "suno_async.sync._job.SyncJob[")
        assert sync_type == expected, call
        assert "Any" not in sync_type or "Any" in async_type, call
    assert revealed('    reveal_type(client.generate(prompt="lofi piano"))') == (
        f"suno_async.sync._job.SyncJob[{music}]"
    )
    assert revealed("    reveal_type(client.get_credits())") == "float"
    sandbox_type = revealed("    reveal_type(Sandbox(time_scale=0.01))")
    assert sandbox_type == "suno_async.sync._sandbox.SandboxThread"
    assert any("time_scal" in e for e in reported("    Sandbox(time_scal=0.01)")), out
    assert revealed("    reveal_type(job.result(timeout=5))") == music
    assert revealed("    reveal_type(job.wait(Stage.FIRST_SUCCESS))") == music
    for name in methods:
        errors = reported(f"    client.{name}({MISSPELT}=1)  # line-of:{name}")
        assert any(
            re.search(rf'Unexpected keyword argument "{MISSPELT}"', e) for e in errors
        ), f"{name}: {errors or out}"
    # With core's explicit signatures (issue 15) every endpoint is in ``methods``,
    # generate included: ``client.generate(promt="x")`` is then reported too.
