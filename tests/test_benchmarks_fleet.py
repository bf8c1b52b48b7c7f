"""The fleet benchmark (scenario 8, left out of the ``--quick`` smoke run) runs end to end.

Its quick mode starts real worker processes on one key against a sandbox enforcing a
(scaled) creation limit, with the SQLite store and a real Redis where one can be had.
Checked: every row is well formed and in the printed table, and the counts that do not
depend on timing hold (no HTTP 429, no duplicate POST, no failed job). Timing figures
and their targets stay in the benchmark's own output.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

from benchmarks._redis import redis_server_binary
from benchmarks.runner import EXTRA_SCENARIOS

ROOT = Path(__file__).resolve().parents[1]


def test_fleet_quick_run(tmp_path: Path) -> None:
    out = tmp_path / "fleet.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", "8", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["failed"] == []
    assert list(doc["scenarios"]) == list(EXTRA_SCENARIOS)
    rows = doc["scenarios"][EXTRA_SCENARIOS[0]]
    metrics = [r["metric"] for r in rows]
    for r in rows:
        assert r["metric"] not in ("error", "not available"), r
        assert r["metric"].replace("|", "/") in proc.stdout
        values = r["value"].values() if isinstance(r["value"], dict) else [r["value"]]
        assert all(not (isinstance(v, float) and math.isnan(v)) for v in values), r
    backends = ["sqlite"] + (["redis"] if redis_server_binary() else [])
    for name in backends:
        counts = {m.split(": ")[-1]: r for m, r in zip(metrics, rows, strict=True)
                  if m.startswith(f"{name}: ") and r["unit"] == "count"}
        assert counts["HTTP 429"]["value"] == 0
        assert counts["POSTs - distinct requests (duplicate POSTs)"]["value"] == 0
        assert counts["jobs failed (submission or wait)"]["value"] == 0
        assert any(m.startswith(f"{name}: submission") for m in metrics)
        assert any(m.startswith(f"{name}: poller poll") for m in metrics)
