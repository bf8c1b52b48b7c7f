"""``python -m benchmarks.batch_status`` at a tiny size: it runs, on both stores, and reads
back exactly what it wrote (the figures themselves are for the closing note, not asserted)."""

from __future__ import annotations

import os

import pytest

from benchmarks import batch_status
from benchmarks._redis import redis_server_binary


async def test_the_batch_status_benchmark_runs_on_every_store() -> None:
    if redis_server_binary() is None and not os.environ.get("CI"):
        pytest.skip("no redis-server here (CI installs it)")
    rows = await batch_status.main(["--rows", "20", "--lines", "6", "--running", "2",
                                    "--rounds", "2"])
    assert [row["store"] for row in rows] == ["sqlite", "redis"]
    for row in rows:
        assert row["progress"] == "1/6 done (1 ok), 2 running, 3 waiting"
        assert 0 < float(row["read_ms_min"]) <= float(row["read_ms_median"])  # type: ignore[arg-type]
        assert float(row["read_ms_median"]) <= float(row["read_ms_max"])  # type: ignore[arg-type]
