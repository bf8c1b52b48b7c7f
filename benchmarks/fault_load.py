"""The fault matrix: every fault the sandbox can inject, at high rates, across a batch.

For each fault a fresh sandbox injects it on task creation and on ``record-info`` (or on
callback delivery), a client submits a batch with ``generate_many`` and waits for every
job under ``asyncio.timeout``. Then the sandbox's own task list is compared with what the
client knows:

* ``resolved``: jobs that ended with their final record (two ready tracks);
* ``typed_errors``: items or jobs that ended with a :class:`~suno_async.errors.SunoError`;
* ``ambiguous``: of those, paid POSTs that failed after being sent
  (``maybe_submitted=True``); they were never sent again;
* ``duplicates``: requests the sandbox created more than one task for (must be 0);
* ``lost``: tasks the sandbox created that the client neither tracks nor flagged as
  ``maybe_submitted`` (must be 0);
* ``hung``: waits that did not end by the job's deadline (must be 0);
* ``untyped``: exceptions that are not ``SunoError`` (must be 0).

Run ``python -m benchmarks.fault_load [--quick]`` (or ``python benchmarks/fault_load.py``)
for the table; ``await run(quick=True)`` returns its rows. ``tests/test_fault_matrix.py``
asserts on the same rows.

>>> import asyncio
>>> from benchmarks.fault_load import SCENARIOS, run_scenario
>>> row = asyncio.run(run_scenario(SCENARIOS["http_429"], jobs=4))
>>> row["resolved"] + row["typed_errors"] == 4, row["duplicates"], row["hung"]
(True, 0, 0)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # `python benchmarks/fault_load.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from suno_async import (
    GenerateRequest,
    PollPolicy,
    RateLimit,
    RetryPolicy,
    Stage,
    SunoClient,
    Timeouts,
)
from suno_async.batch import BatchItem
from suno_async.errors import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    JobTrackingError,
    MaintenanceError,
    RateLimitError,
    ServerError,
    SunoError,
)
from suno_async.jobs.job import Job
from suno_async.sandbox import Fault, Sandbox
from suno_async.webhooks import WebhookReceiver

__all__ = ["SCENARIOS", "Scenario", "main", "run", "run_scenario"]

GENERATE = "/api/v1/generate"
RECORDS = "*/record-info"

#: Sandbox timeline scale: a ~3 minute music task takes ~0.2 s.
TIME_SCALE = 0.001
#: Read timeout for every scenario; ``delay`` faults hold replies longer than this.
READ_TIMEOUT = 0.25
SLOW_REPLY = 0.6
#: A job's own deadline (``PollPolicy.max_wait``); a wait still pending past
#: ``DEADLINE + GRACE`` counts as hung.
DEADLINE = 8.0
GRACE = 2.0

POLL = PollPolicy(
    initial=0.01,
    maximum=0.05,
    early_maximum=0.03,
    min_interval=0.0,
    max_wait=DEADLINE,
    webhook_interval=0.1,
)
RETRY = RetryPolicy(max_attempts=4, max_delay=0.05, base=0.005)
TIMEOUTS = Timeouts(connect=2.0, read=READ_TIMEOUT, total=5.0)

FaultFactory = Callable[[], list[Fault]]


@dataclass(frozen=True)
class Scenario:
    """One row of the matrix.

    ``faults`` builds fresh rules (they count their hits). ``submit_errors``: error
    classes a submission may end with under this fault; ``post_retry``: whether the
    fault proves the POST did nothing, so the client may send it again. ``webhooks``
    serves a receiver (callback faults). ``marker`` is appended to every prompt.
    """

    name: str
    faults: FaultFactory
    submit_errors: tuple[type[SunoError], ...] = ()
    post_retry: bool = False
    webhooks: bool = False
    marker: str = ""
    #: A fault on creation that creates the task before failing the reply.
    creates_anyway: bool = False
    #: Sandbox timeline override (seconds before scaling), e.g. a long text stage.
    timeline: dict[str, float] | None = None
    notes: str = ""


def _both(kind: str, rate: float, **extra: Any) -> FaultFactory:
    """The same fault on task creation and on every record-info poll."""

    def build() -> list[Fault]:
        return [
            Fault(route=GENERATE, kind=kind, rate=rate, **extra),
            Fault(route=RECORDS, kind=kind, rate=rate, **extra),
        ]

    return build


def _callback(kind: str, rate: float = 1.0) -> FaultFactory:
    return lambda: [Fault(route=GENERATE, kind=kind, rate=rate)]


def _none() -> list[Fault]:
    return []


_AMBIGUOUS = (APIConnectionError,)
#: The undocumented status lasts half the text stage: make it long enough to be polled.
_LONG_TEXT = {"text": 100.0, "first": 150.0, "complete": 200.0}

#: Every fault the sandbox can inject, by row name.
SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("none", _none, notes="baseline"),
        Scenario(
            "http_429",
            _both("http_429", 0.5, retry_after=0.01),
            submit_errors=(RateLimitError,),
            post_retry=True,
        ),
        Scenario("http_500", _both("http_500", 0.4), submit_errors=(ServerError,)),
        Scenario("http_503", _both("http_503", 0.4), submit_errors=(ServerError,)),
        Scenario(
            "body_455",
            _both("body_code", 0.5, code=455),
            submit_errors=(MaintenanceError,),
            post_retry=True,
        ),
        Scenario("body_500", _both("body_code", 0.4, code=500), submit_errors=(ServerError,)),
        Scenario(
            "data_null",
            _both("body_code", 0.4, code=200, msg="success"),
            submit_errors=(APIResponseValidationError,),
            notes="HTTP 200, code 200, data: null",
        ),
        Scenario("drop_before", _both("drop", 0.4), submit_errors=_AMBIGUOUS),
        Scenario(
            "drop_after",
            _both("drop", 0.4, after=True),
            submit_errors=_AMBIGUOUS,
            creates_anyway=True,
        ),
        Scenario(
            "slow_reply",
            _both("delay", 0.3, seconds=SLOW_REPLY),
            submit_errors=(APITimeoutError,),
            creates_anyway=True,
            notes=f"reply after {SLOW_REPLY}s, read timeout {READ_TIMEOUT}s",
        ),
        Scenario(
            "malformed",
            _both("malformed", 0.4),
            submit_errors=(APIResponseValidationError,),
        ),
        Scenario("html_502", _both("html", 0.4), submit_errors=(ServerError,)),
        Scenario("unknown_status", _none, marker="[[unknown-status]]", timeline=_LONG_TEXT),
        Scenario("cb_duplicate", _callback("callback_duplicate"), webhooks=True),
        Scenario("cb_reorder", _callback("callback_reorder"), webhooks=True),
        Scenario("cb_early", _callback("callback_early"), webhooks=True),
        Scenario("cb_lost", _callback("callback_drop"), webhooks=True),
        Scenario(
            "everything",
            lambda: (
                [
                    f
                    for kind, rate, extra in (
                        ("http_429", 0.1, {"retry_after": 0.01}),
                        ("http_503", 0.05, {}),
                        ("body_code", 0.1, {"code": 455}),
                        ("drop", 0.05, {}),
                        ("drop", 0.05, {"after": True}),
                        ("delay", 0.05, {"seconds": SLOW_REPLY}),
                        ("malformed", 0.05, {}),
                        ("html", 0.05, {}),
                    )
                    for f in _both(kind, rate, **extra)()
                ]
                + [
                    Fault(route=GENERATE, kind="callback_duplicate", rate=0.5),
                    Fault(route=GENERATE, kind="callback_drop", rate=0.3),
                    Fault(route=GENERATE, kind="callback_early", rate=0.3),
                ]
            ),
            submit_errors=(
                RateLimitError,
                MaintenanceError,
                ServerError,
                APIConnectionError,
                APIResponseValidationError,
            ),
            post_retry=True,
            webhooks=True,
            creates_anyway=True,
            marker="[[unknown-status]]",
            timeline=_LONG_TEXT,
        ),
    )
}

#: Job errors allowed under faults: tracking gave up after consecutive failed polls.
JOB_ERRORS: tuple[type[SunoError], ...] = (JobTrackingError,)


@dataclass
class _Outcome:
    item: BatchItem
    kind: str  # "ok" | "submit_error" | "job_error" | "hung" | "untyped"
    error: BaseException | None = None
    stages: list[Stage] = field(default_factory=list)


async def _settle(item: BatchItem, bound: float) -> _Outcome:
    if item.job is None:
        kind = "submit_error" if isinstance(item.error, SunoError) else "untyped"
        return _Outcome(item, kind, item.error)
    job: Job[Any] = item.job
    stages: list[Stage] = []

    async def follow() -> None:
        async for event in job.events():
            stages.append(event.stage)

    try:
        async with asyncio.timeout(bound):
            follower = asyncio.ensure_future(follow())
            try:
                record = await job
            finally:
                await follower  # the event stream ends on its own at the terminal event
    except SunoError as exc:
        return _Outcome(item, "job_error", exc, stages)
    except TimeoutError:
        return _Outcome(item, "hung", None, stages)
    except Exception as exc:
        return _Outcome(item, "untyped", exc, stages)
    ready = len(record.tracks) == 2 and all(t.ready for t in record.tracks)
    return _Outcome(item, "ok" if ready else "untyped", None, stages)


def _check(scenario: Scenario, outcomes: Sequence[_Outcome]) -> list[str]:
    """Per-item violations of the scenario's contract."""
    problems: list[str] = []
    for out in outcomes:
        label = f"item {out.item.index}"
        if out.kind == "untyped":
            problems.append(f"{label}: untyped outcome {out.error!r}")
        elif out.kind == "hung":
            problems.append(f"{label}: wait still pending after its deadline")
        elif out.kind == "submit_error" and not isinstance(out.error, scenario.submit_errors):
            problems.append(f"{label}: unexpected submission error {out.error!r}")
        elif out.kind == "job_error" and not isinstance(out.error, JOB_ERRORS):
            problems.append(f"{label}: unexpected job error {out.error!r}")
        if isinstance(out.error, APIConnectionError) and not out.error.maybe_submitted:
            problems.append(f"{label}: a paid POST failed after sending without maybe_submitted")
        if out.stages != sorted(out.stages):
            problems.append(f"{label}: stages went backwards {out.stages}")
        if out.kind == "ok" and out.stages and out.stages[-1] is not Stage.SUCCESS:
            problems.append(f"{label}: event stream ended at {out.stages[-1]}")
    return problems


async def run_scenario(scenario: Scenario, *, jobs: int = 12, seed: int = 1) -> dict[str, Any]:
    """Run one row of the matrix; returns its counters and a list of ``violations``."""
    started = time.perf_counter()
    async with Sandbox(
        time_scale=TIME_SCALE,
        seed=seed,
        poll_limit=None,
        rate_limit=None,
        timeline=scenario.timeline,
    ) as sb:
        rules = scenario.faults()
        for rule in rules:
            sb.inject(rule)
        receiver = WebhookReceiver() if scenario.webhooks else None
        async with contextlib.AsyncExitStack() as stack:
            if receiver is not None:
                await stack.enter_async_context(receiver.serve())
            client = SunoClient(
                api_key=sb.api_key,
                base_url=sb.url,
                upload_base_url=sb.upload_url,
                poll=POLL,
                retry=RETRY,
                timeouts=TIMEOUTS,
                rate_limit=RateLimit(creates=1000, per_seconds=1.0, max_wait=5.0),
            )
            stack.push_async_callback(client.aclose)
            if receiver is not None:
                receiver.attach(client)
            prompts = [f"{scenario.name} job {i} {scenario.marker}".strip() for i in range(jobs)]
            requests = [GenerateRequest(prompt=p) for p in prompts]
            bound = DEADLINE + GRACE
            async with asyncio.timeout(bound):
                items = await client.generate_many(requests, concurrency=jobs)
            outcomes = await asyncio.gather(*(_settle(item, bound) for item in items))
            known = set(client.jobs)
        # The sandbox's view: which requests became tasks, how often.
        tasks = list(sb.state.store.tasks.values())
        per_prompt = Counter(str(t.body.get("prompt", "")) for t in tasks)
        ambiguous_prompts = {
            getattr(out.item.request, "prompt", None)
            for out in outcomes
            if isinstance(out.error, APIConnectionError) and out.error.maybe_submitted
        }
        lost = [
            t.task_id
            for t in tasks
            if t.task_id not in known and t.body.get("prompt") not in ambiguous_prompts
        ]
        stats = sb.stats
        create_faults = sum(
            r.applied for r in rules if r.route == GENERATE and not r.kind.startswith("callback_")
        )
        violations = _check(scenario, outcomes)
        duplicates = sum(n - 1 for n in per_prompt.values() if n > 1)
        if duplicates:
            violations.append(f"{duplicates} requests became more than one task")
        if lost:
            violations.append(f"tasks created but unknown to the client: {lost}")
        unexpected = set(per_prompt) - set(prompts)
        if unexpected:
            violations.append(f"tasks for prompts never sent: {unexpected}")
        received = stats.received[GENERATE]
        if not scenario.post_retry and received != jobs:
            violations.append(f"{received} POSTs for {jobs} requests: a paid POST was re-sent")
        if not scenario.creates_anyway and received != create_faults + stats.submissions[GENERATE]:
            violations.append("a POST both failed and created a task")
        if rules and not stats.faults_injected:
            violations.append("the fault never fired")
        counts = Counter(out.kind for out in outcomes)
        return {
            "fault": scenario.name,
            "jobs": jobs,
            "resolved": counts["ok"],
            "typed_errors": counts["submit_error"] + counts["job_error"],
            "ambiguous": len(ambiguous_prompts - {None}),
            "duplicates": duplicates,
            "lost": len(lost),
            "hung": counts["hung"],
            "untyped": counts["untyped"],
            "injected": sum(stats.faults_injected.values()),
            "posts": received,
            "tasks": len(tasks),
            "polls": sum(stats.polls.values()),
            "callbacks": dict(receiver.stats) if receiver is not None else {},
            "errors": dict(
                Counter(type(out.error).__name__ for out in outcomes if out.error is not None)
            ),
            "seconds": round(time.perf_counter() - started, 2),
            "violations": violations,
        }


async def run(quick: bool = False) -> list[dict[str, Any]]:
    """Every scenario once; ``quick`` uses smaller batches. Returns the table's rows."""
    jobs = 8 if quick else 20
    rows = []
    for scenario in SCENARIOS.values():
        rows.append(await run_scenario(scenario, jobs=jobs))
    return rows


COLUMNS = (
    "fault",
    "jobs",
    "resolved",
    "typed_errors",
    "ambiguous",
    "duplicates",
    "lost",
    "hung",
    "untyped",
    "injected",
    "seconds",
)


def format_table(rows: Sequence[dict[str, Any]]) -> str:
    """A plain-text table of ``rows`` (one line per fault)."""
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in COLUMNS}
    lines = ["  ".join(c.ljust(widths[c]) for c in COLUMNS)]
    lines.append("  ".join("-" * widths[c] for c in COLUMNS))
    for r in rows:
        lines.append("  ".join(str(r[c]).ljust(widths[c]) for c in COLUMNS))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.fault_load", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="8 jobs per fault instead of 20")
    args = parser.parse_args(argv)
    logging.getLogger("suno_async").setLevel(logging.ERROR)
    rows = asyncio.run(run(quick=args.quick))
    print(format_table(rows))
    bad = [(r["fault"], v) for r in rows for v in r["violations"]]
    for fault, violation in bad:
        print(f"VIOLATION {fault}: {violation}")
    print("nothing lost, duplicated or hung" if not bad else f"{len(bad)} violations")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
