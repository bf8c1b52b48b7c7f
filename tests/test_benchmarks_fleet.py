"""The fleet benchmark (scenario 8, left out of the ``--quick`` run) runs end to end.

Its ``--smoke`` mode (``--quick``, the store-cost part in one round) starts real worker
processes on one key against sandboxes enforcing a (scaled) creation limit, with the
SQLite store and a real Redis where one can be had (each multi-process part for one of
them in turn). Checked: every row is well formed
and in the printed table, and the outcomes that do not depend on timing hold (no HTTP
429, no duplicate POST, no failed job; with the fleet: every routed callback resolved
the other process's job, every job resolved through the survivors of a SIGKILL, each
request paid once). Timing figures and their targets stay in the benchmark's output.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import suno_async
from benchmarks.runner import EXTRA_SCENARIOS

ROOT = Path(__file__).resolve().parents[1]


def test_fleet_smoke_run(tmp_path: Path) -> None:
    out = tmp_path / "fleet.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke", "--only", "8", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["failed"] == []
    assert list(doc["scenarios"]) == list(EXTRA_SCENARIOS)
    rows: list[dict[str, Any]] = doc["scenarios"][EXTRA_SCENARIOS[0]]
    by_end: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        assert r["metric"] not in ("error", "not available"), r
        assert r["metric"].replace("|", "/") in proc.stdout
        values = r["value"].values() if isinstance(r["value"], dict) else [r["value"]]
        assert all(not (isinstance(v, float) and math.isnan(v)) for v in values), r
        by_end.setdefault(r["metric"].split(": ")[-1], []).append(r)

    for metric in ("HTTP 429", "POSTs - distinct requests (duplicate POSTs)",
                   "jobs failed (submission or wait)"):
        assert by_end[metric] and all(r["value"] == 0 for r in by_end[metric]), metric
    costs = [r["metric"] for r in rows if "per op" in r["metric"]]
    assert any("submission" in m for m in costs) and any("poller poll" in m for m in costs)
    if not hasattr(suno_async, "FleetPolicy"):
        return
    routed = by_end["callbacks B resolved otherwise or never / B's polls / errors"]
    assert routed and all(r["value"] == "0 / 0 / 0" for r in routed)
    latency = [r for r in rows if "callback received by A" in r["metric"]]
    assert latency and all(r["value"]["p50"] >= 0 for r in latency)
    survived = [r for r in rows if "every job resolved in both survivors" in r["metric"]]
    assert survived and all(r["value"] is True for r in survived)
    paid = by_end["POSTs / tasks created / distinct requests"]
    assert paid and all(len(set(r["value"].split(" / "))) == 1 for r in paid)
