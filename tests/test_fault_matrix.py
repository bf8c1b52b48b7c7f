"""Every fault the sandbox can inject, at high rates, across a batch of 12 jobs.

The scenarios and the bookkeeping live in ``benchmarks/fault_load.py`` (which prints
the same matrix as a table); here each row must show nothing lost, duplicated or hung,
only typed errors, and the fault's specific contract (a paid POST re-sent only when
the reply proved it did nothing; ambiguous failures flagged ``maybe_submitted``).
"""

from __future__ import annotations

import logging

import pytest

from benchmarks.fault_load import SCENARIOS, run_scenario

from ._reliability import assert_no_stray_tasks, no_leaks  # noqa: F401

pytestmark = pytest.mark.usefixtures("no_leaks")

JOBS = 12


@pytest.mark.parametrize("name", list(SCENARIOS))
async def test_fault_row(name: str, caplog: pytest.LogCaptureFixture) -> None:
    scenario = SCENARIOS[name]
    caplog.set_level(logging.DEBUG, logger="suno_async")
    row = await run_scenario(scenario, jobs=JOBS)
    assert_no_stray_tasks()

    assert row["violations"] == []
    assert row["resolved"] + row["typed_errors"] == JOBS
    assert (row["duplicates"], row["lost"], row["hung"], row["untyped"]) == (0, 0, 0, 0)
    assert row["tasks"] <= JOBS
    if name != "none" and name != "unknown_status":
        assert row["injected"] > 0, "the fault never fired"
    assert row["resolved"] > 0  # the batch goes on whatever happens to some of it

    if scenario.post_retry:
        assert row["posts"] > JOBS  # rejected POSTs were provably harmless: sent again
    else:
        assert row["posts"] == JOBS  # each paid POST sent exactly once

    if name in ("drop_before", "drop_after", "slow_reply"):
        assert row["ambiguous"] > 0
        assert row["ambiguous"] == row["typed_errors"] - row["errors"].get("JobTrackingError", 0)
    if name == "drop_before":  # dropped before processing: no task behind the flag
        assert row["tasks"] == JOBS - row["ambiguous"]
    if name in ("drop_after", "slow_reply"):  # processed: the task exists, sent once
        assert row["tasks"] == JOBS
    if name in ("http_500", "http_503", "body_500", "html_502", "malformed", "data_null"):
        assert row["ambiguous"] == 0
        assert row["tasks"] == row["resolved"] + row["errors"].get("JobTrackingError", 0)

    callbacks = row["callbacks"]
    if name in ("cb_duplicate", "cb_reorder", "cb_early"):
        assert callbacks.get("accepted", 0) >= JOBS
    if name == "cb_early":
        assert callbacks.get("buffered", 0) >= 1
    if name == "cb_lost":
        assert callbacks.get("accepted", 0) == 0
        assert row["polls"] > 0  # the safety net found every result

    if name == "unknown_status":
        unknown = [r for r in caplog.records if "unknown status" in r.getMessage()]
        assert unknown, "the undocumented status was never observed"
        per_task = [r.args[0] for r in unknown if isinstance(r.args, tuple)]
        assert len(per_task) == len(set(per_task))  # logged once per job, never a flood
        assert all(r.levelno == logging.WARNING for r in unknown)
