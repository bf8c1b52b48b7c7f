"""The benchmark suite runs end to end (``--smoke``), so the scripts never rot.

``--smoke`` runs every scenario of the ``--quick`` run with its ``--quick`` sizes (the
smallest scale), all at once. Only structure is checked here (every scenario reported,
rows well formed, the JSON describes the machine) and the counts that do not depend on
timing; timing figures and their targets belong to the benchmark's own output, never to
a test.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.runner import SCENARIOS, run_all

ROOT = Path(__file__).resolve().parents[1]


def _numbers(value: Any) -> list[float]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [float(value)]
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    return []


def test_smoke_run_reports_every_scenario(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert proc.stdout.startswith("| Scenario | Metric | SDK | Baseline | Ratio | Target |")
    assert "Command: python -m benchmarks --smoke" in proc.stdout

    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["quick"] is True and doc["smoke"] is True
    assert doc["failed"] == []
    machine = doc["machine"]
    for key in ("platform", "python", "cpu", "cpus", "aiohttp", "suno_async", "time"):
        assert machine[key] not in (None, ""), key

    scenarios = doc["scenarios"]
    assert list(scenarios) == list(SCENARIOS)
    for name, rows in scenarios.items():
        assert rows, f"{name} reported nothing"
        for row in rows:
            assert row["scenario"] == name
            assert row["metric"] and row["metric"] not in ("error", "not available"), row
            assert {"value", "unit"} <= row.keys()
            assert all(not math.isnan(n) for n in _numbers(row["value"])), row
            if "target" in row:
                assert isinstance(row["ok"], bool), row
            # Every figure is a row in the printed table.
            assert row["metric"].replace("|", "/") in proc.stdout

    metrics = {name: [r["metric"] for r in rows] for name, rows in scenarios.items()}
    for stage in ("TEXT_SUCCESS", "FIRST_SUCCESS", "SUCCESS"):
        assert any(m.startswith(f"{stage}: SDK callbacks") for m in metrics["2 detection latency"])
        assert any(
            m.startswith(f"{stage}: SDK polling vs sample client")
            for m in metrics["2 detection latency"]
        )
    # Latency rows carry the SDK and the baseline side by side, with their ratio.
    polling = [r for r in scenarios["2 detection latency"] if "sample client" in r["metric"]]
    for r in polling:
        assert {"mean", "p50", "p99"} <= r["value"].keys() <= r["baseline"].keys() | {"n", "max"}
        assert r["value"]["n"] > 0 and r["baseline"]["n"] > 0
        assert r["ratio"] > 0
    # Counts that do not depend on timing: every failure raised, every job resolved.
    failures = scenarios["4 failure detection"][-1]
    assert failures["value"] == 0
    scale = scenarios["5 scale"][0]["raw"]
    assert scale["resolved"] == scale["jobs"]
    throughput = scenarios["6 rate-limited throughput"]
    assert throughput[-1]["value"].startswith("0 / ")


async def test_quick_and_full_runs_list_their_scenarios_and_command() -> None:
    # the smoke run above covers the scenarios' code at --quick sizes; here the flags of
    # the other runs reach the document (no scenario matches "9": nothing runs)
    quick = await run_all(True, ["9"])
    assert (quick["quick"], quick["smoke"], quick["command"]) == (
        True, False, "python -m benchmarks --quick"
    )
    full = await run_all(False, ["9"])
    assert (full["quick"], full["smoke"], full["command"]) == (
        False, False, "python -m benchmarks"
    )
    assert quick["scenarios"] == full["scenarios"] == {} and quick["failed"] == []
