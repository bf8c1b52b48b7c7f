"""Run a group of README samples, each as written in its own interpreter, against one sandbox.

``python -m tests._readme_run GROUP DIR`` starts a sandbox (``time_scale`` 0.001, the
group's seed, no poll limit), runs every block of ``GROUP`` at once, each in its own
process with its own working directory ``DIR/<block name>`` and ``SUNO_API_KEY`` /
``SUNO_BASE_URL`` pointing at the sandbox (what the README tells a reader to do), and
writes ``DIR/results.json``: per block, its text, exit code, stdout, stderr and directory.

The blocks use the client's real default poll policy, so a music sample waits for the
documented FIRST_SUCCESS window (~30-40 s after submission) however fast the sandbox
is: the run is mostly asleep. ``tests/conftest.py`` therefore starts the groups whose
tests are selected as soon as collection ends (:func:`prefetch`), and the tests in
``tests/test_examples.py`` collect the results (:func:`results`) and check them; a test
run on its own starts its group itself. Nothing but the start time differs.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

_PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
_PY_BLOCK = re.compile(r"^```py\n(.*?)^```", re.S | re.M)

#: The sync ```py blocks run as programs, by the needle that picks each one.
SYNC_BLOCKS = {
    "first": "job.wait(Stage.FIRST_SUCCESS, timeout=120)",
    "own": "with Sandbox(time_scale=0.01) as sb",
    "batch": "as_completed(items, timeout=3600)",
}

#: group -> (sandbox seed, the test that checks it)
GROUPS = {
    "python": (2, "test_readme_python_samples_run_against_the_sandbox"),
    "sync": (3, "test_readme_sync_blocks_run_against_the_sandbox"),
}

#: Seconds a block may take (each waits ~one FIRST_SUCCESS window of the default policy).
BLOCK_TIMEOUT = 120.0


def readme_blocks() -> list[str]:
    """The README's ```python blocks, in order."""
    return _PYTHON_BLOCK.findall(README.read_text(encoding="utf-8"))


def readme_py_blocks() -> list[str]:
    """The README's ```py blocks, in order."""
    return _PY_BLOCK.findall(README.read_text(encoding="utf-8"))


def py_block(needle: str) -> str:
    """The one ```py block containing ``needle``."""
    (block,) = [b for b in readme_py_blocks() if needle in b]
    return block


def group_blocks(group: str) -> dict[str, str]:
    """Block name -> code, for a group."""
    if group == "python":
        return {f"block{i}": code for i, code in enumerate(readme_blocks())}
    if group == "sync":
        return {name: py_block(needle) for name, needle in SYNC_BLOCKS.items()}
    raise ValueError(f"unknown README group {group!r}")


def sample_env(base: dict[str, str], api_key: str, url: str) -> dict[str, str]:
    """``base`` without any ``SUNO_*``, with the sandbox's key and URL and this checkout."""
    env = {k: v for k, v in base.items() if not k.startswith("SUNO_")}
    env.update(
        SUNO_API_KEY=api_key,
        SUNO_BASE_URL=url,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    )
    return env


async def _run_group(group: str, out_dir: Path) -> None:
    from suno_async.sandbox import Sandbox

    seed, _ = GROUPS[group]
    blocks = group_blocks(group)
    async with Sandbox(time_scale=0.001, seed=seed, poll_limit=None) as sb:
        env = sample_env(dict(os.environ), sb.api_key, sb.url)

        async def run(name: str, code: str) -> dict[str, Any]:
            cwd = out_dir / name
            cwd.mkdir()
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-c", code, cwd=cwd, env=env,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )
            try:
                out, err = await asyncio.wait_for(proc.communicate(), BLOCK_TIMEOUT)
            except TimeoutError:
                proc.kill()
                out, err = await proc.communicate()
                err += f"\n[killed: still running after {BLOCK_TIMEOUT:g} s]".encode()
            assert proc.returncode is not None
            return {"name": name, "block": code, "code": proc.returncode,
                    "out": out.decode(), "err": err.decode(), "cwd": str(cwd)}

        results = await asyncio.gather(*(run(n, c) for n, c in blocks.items()))
    (out_dir / "results.json").write_text(json.dumps(results), encoding="utf-8")


def start(group: str, out_dir: Path) -> subprocess.Popen[bytes]:
    """Start a group's run in the background (its results land in ``out_dir``)."""
    if group not in GROUPS:
        raise ValueError(f"unknown README group {group!r}")
    out_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    with open(out_dir / "driver.err", "wb") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "tests._readme_run", group, str(out_dir)],
            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
        )


# ------------------------------------------------------------------ started by conftest.py

#: Runs started at collection, not yet collected by their test.
_started: dict[str, tuple[subprocess.Popen[bytes], Path]] = {}
#: Runs collected: their directories are removed at session end.
_collected: list[Path] = []


def prefetch(test_names: Iterable[str]) -> None:
    """Start the group of each selected README test now (called once collection ends)."""
    names = set(test_names)
    for group, (_, test) in GROUPS.items():
        if test in names and group not in _started:
            out_dir = Path(tempfile.mkdtemp(prefix=f"suno-readme-{group}-"))
            _started[group] = (start(group, out_dir), out_dir)


def stop_all() -> None:
    """End the runs nobody collected and remove their directories (session end)."""
    while _started:
        _, (proc, out_dir) = _started.popitem()
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        _collected.append(out_dir)
    while _collected:
        shutil.rmtree(_collected.pop(), ignore_errors=True)


async def results(group: str, tmp_path: Path) -> list[dict[str, Any]]:
    """The group's results: from the run started at collection, else from one started now.

    Each entry: ``name``, ``block`` (its code), ``code``, ``out``, ``err``, ``cwd`` (a
    ``Path``). The files a block wrote stay in ``cwd`` until the session ends.
    """
    started = _started.pop(group, None)
    if started is None:  # not started at collection (or already collected once)
        started = start(group, tmp_path / group), tmp_path / group
    else:
        _collected.append(started[1])
    proc, out_dir = started
    deadline = time.monotonic() + BLOCK_TIMEOUT + 60
    while proc.poll() is None:
        if time.monotonic() > deadline:
            proc.kill()
            break
        await asyncio.sleep(0.05)
    proc.wait()
    report = out_dir / "results.json"
    driver_err = out_dir / "driver.err"
    assert proc.returncode == 0 and report.exists(), (
        f"README {group} run failed (exit {proc.returncode}):\n"
        + (driver_err.read_text(errors="replace") if driver_err.exists() else "")
    )
    entries: list[dict[str, Any]] = json.loads(report.read_text(encoding="utf-8"))
    for entry in entries:
        entry["cwd"] = Path(entry["cwd"])
    return entries


if __name__ == "__main__":
    asyncio.run(_run_group(sys.argv[1], Path(sys.argv[2])))
