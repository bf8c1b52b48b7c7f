"""The poll schedule as a pure function: simulated offline against sampled timelines."""

from __future__ import annotations

import random
import statistics

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from suno_async import PollPolicy, Stage
from suno_async.jobs.scheduler import (
    Cadence,
    PollView,
    Timings,
    Window,
    next_delay,
    simulate,
)


def _timeline(rng: random.Random, slow: float = 1.0) -> list[tuple[float, Stage]]:
    """The sandbox's default music timeline (suno_async/sandbox/timeline.py)."""
    text = rng.uniform(8, 15)
    first = max(text, rng.uniform(30, 40))
    done = max(first, rng.uniform(120, 180))
    return [(text * slow, Stage.TEXT_SUCCESS), (first * slow, Stage.FIRST_SUCCESS),
            (done * slow, Stage.SUCCESS)]


def _run(policy: PollPolicy, n: int, seed: int, slow: float = 1.0) -> dict[str, list[float]]:
    rng = random.Random(seed)
    timings = Timings(policy)
    out: dict[str, list[float]] = {"first": [], "success": [], "polls": []}
    for _ in range(n):
        line = _timeline(rng, slow)
        run = simulate(policy, line, u=rng.random, timings=timings, horizon=3600.0)
        out["first"].append(run.seen[Stage.FIRST_SUCCESS] - line[1][0])
        out["success"].append(run.seen[Stage.SUCCESS] - line[2][0])
        out["polls"].append(run.polls)
    return out


def test_default_schedule_meets_the_goals_on_the_sandbox_timeline() -> None:
    figures = _run(PollPolicy(), 500, seed=1)
    assert statistics.mean(figures["success"]) <= 5.0
    assert max(figures["first"]) <= 10.0
    assert max(figures["polls"]) <= 12


def test_the_simulation_is_deterministic_for_a_seed() -> None:
    assert _run(PollPolicy(), 50, seed=3) == _run(PollPolicy(), 50, seed=3)


def test_a_slow_day_costs_a_bounded_number_of_polls() -> None:
    for slow in (3.0, 4.5):
        figures = _run(PollPolicy(), 100, seed=2, slow=slow)
        assert max(figures["polls"]) <= 20, slow  # not 50: windows stretch, then back off


def test_polls_are_never_denser_than_the_per_task_limit() -> None:
    policy = PollPolicy()
    rng = random.Random(5)
    for _ in range(200):
        view = PollView(elapsed=rng.uniform(0, 400), stage=Stage.FIRST_SUCCESS,
                        window=Window(120.0, 180.0, 8), window_polls=rng.randrange(12),
                        polls=rng.randrange(14), last_gap=rng.uniform(0, 50))
        assert next_delay(view, policy, rng.random()) >= policy.min_interval


@settings(derandomize=True, max_examples=200)
@given(st.floats(0, 2000), st.integers(0, 30), st.floats(0, 200), st.floats(0, 0.999))
def test_no_gap_exceeds_the_cap(elapsed: float, polls: int, gap: float, u: float) -> None:
    policy = PollPolicy()
    for stage, cap in ((Stage.PENDING, policy.early_maximum), (Stage.SUCCESS, policy.maximum)):
        view = PollView(elapsed=elapsed, stage=stage, window=Window(30.0, 40.0, 2),
                        polls=polls, last_gap=gap)
        assert next_delay(view, policy, u) <= cap * (1 + policy.jitter)


def test_the_window_is_spent_evenly_and_nothing_before_it() -> None:
    policy = attrs.evolve(PollPolicy(), jitter=0.0)
    # a task that skips FIRST_SUCCESS: past its window the cadence backs off to the cap
    run = simulate(policy, [(150.0, Stage.SUCCESS)], u=lambda: 0.5, kind="music")
    assert 150.0 <= run.seen[Stage.SUCCESS] <= 150.0 + policy.early_maximum
    assert run.polls <= 12
    # FIRST window 30-40 s (2 polls), then the SUCCESS window 120-180 s every 7.5 s
    line = [(33.0, Stage.FIRST_SUCCESS), (171.0, Stage.SUCCESS)]
    run = simulate(policy, line, u=lambda: 0.5)
    assert run.seen == {Stage.FIRST_SUCCESS: 35.0, Stage.SUCCESS: 172.5}


def test_learning_moves_the_window_towards_what_is_observed() -> None:
    policy = PollPolicy()
    timings = Timings(policy)
    rng = random.Random(7)
    lags = []
    for _ in range(40):  # a host twice as slow as documented, every job
        line = _timeline(rng, slow=2.0)
        run = simulate(policy, line, u=rng.random, timings=timings, horizon=3600.0)
        lags.append(run.seen[Stage.SUCCESS] - line[2][0])
    assert timings.pace("music", "", Stage.SUCCESS) > 1.5
    assert statistics.mean(lags[-10:]) < statistics.mean(lags[:10])


def test_no_window_means_the_geometric_cadence() -> None:
    policy = PollPolicy(initial=1.0, maximum=8.0, early_maximum=8.0, jitter=0.0, windows=())
    delays = []
    gap = 0.0
    for i in range(6):
        gap = next_delay(PollView(elapsed=i, stage=Stage.PENDING, last_gap=gap), policy, 0.5)
        delays.append(gap)
    assert delays == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_a_waiting_job_keeps_its_window_while_others_teach() -> None:
    """A batch's early finishers move the window for later jobs, not for those waiting."""
    policy = PollPolicy()
    timings = Timings(policy)
    waiting = Cadence("music", 0.0)
    before = waiting.window(timings, Stage.FIRST_SUCCESS)
    for _ in range(10):  # early finishers of the same batch
        timings.observe("music", "", Stage.SUCCESS, 100.0, 121.0)
    assert waiting.window(timings, Stage.FIRST_SUCCESS) == before
    later = Cadence("music", 0.0).window(timings, Stage.FIRST_SUCCESS)
    assert later is not None and before is not None and later.low < before.low
