"""Moving a task along its timeline at once (``Sandbox.advance``), for the user's own tests."""

from __future__ import annotations

from .tasks import Phase, Step, Task
from .timeline import ERRORS, MUSIC_DEFAULTS

#: Stage names ``advance`` understands (wire statuses of every family, the client's ``Stage``
#: names, short forms) -> phase.
STAGE_NAMES: dict[str, Phase] = {
    "TEXT": Phase.TEXT,
    "TEXT_SUCCESS": Phase.TEXT,
    "FIRST": Phase.FIRST,
    "FIRST_SUCCESS": Phase.FIRST,
    "SUCCESS": Phase.SUCCESS,
    "COMPLETE": Phase.SUCCESS,
    "FAILED": Phase.FAILED,
    "FAIL": Phase.FAILED,
    "GENERATE_AUDIO_FAILED": Phase.FAILED,
    "GENERATE_LYRICS_FAILED": Phase.FAILED,
    "GENERATE_WAV_FAILED": Phase.FAILED,
    "GENERATE_MP4_FAILED": Phase.FAILED,
    "CREATE_TASK_FAILED": Phase.CREATE_FAILED,
    "SENSITIVE_WORD_ERROR": Phase.SENSITIVE,
    "CALLBACK_EXCEPTION": Phase.CALLBACK_EXCEPTION,
}
#: The cause (``timeline.ERRORS`` key) a failure gets when the timeline had none planned.
FAILURE_CAUSES = {
    Phase.FAILED: "fail",
    Phase.CREATE_FAILED: "create-fail",
    Phase.SENSITIVE: "sensitive",
    Phase.CALLBACK_EXCEPTION: "callback-exception",
}
_MUSIC_ORDER = (Phase.TEXT, Phase.FIRST, Phase.SUCCESS)
_MUSIC_GAPS = {  # typical seconds between stages (midpoints of the defaults), before scaling
    Phase.FIRST: sum(MUSIC_DEFAULTS["first"]) / 2 - sum(MUSIC_DEFAULTS["text"]) / 2,
    Phase.SUCCESS: sum(MUSIC_DEFAULTS["complete"]) / 2 - sum(MUSIC_DEFAULTS["first"]) / 2,
}


def target_phase(task: Task, stage: object) -> Phase:
    """The phase ``stage`` names for ``task``: a string such as ``"FIRST_SUCCESS"`` or
    ``"GENERATE_AUDIO_FAILED"``, or any enum member whose ``name`` is one (the client's
    ``Stage.FIRST_SUCCESS`` works; ``Stage.FAILED`` means a generation failure)."""
    name = getattr(stage, "name", stage)
    if not isinstance(name, str) or name.upper() not in STAGE_NAMES:
        raise ValueError(
            f"unknown stage {stage!r}; expected one of {', '.join(sorted(STAGE_NAMES))}"
        )
    phase = STAGE_NAMES[name.upper()]
    if phase in (Phase.TEXT, Phase.FIRST) and task.family != "music":
        raise ValueError(f"{task.family} tasks have no {name} stage (music only)")
    return phase


def advance(task: Task, phase: Phase, now: float, time_scale: float) -> bool:
    """Move ``task`` so that it is in ``phase`` at loop time ``now``; False if it already
    passed that point (nothing changes).

    A phase on the planned timeline is reached by moving the task's clock forward (the stages
    between fire too, in order; the later ones keep their spacing). A phase the plan lacks (a
    failure of a task meant to succeed, success of a ``[[never]]`` task) replaces the rest of
    the timeline: music gets the stages it skipped first, and a non-final stage is followed
    by the usual remainder."""
    elapsed = now - task.created
    if task.phase(now).terminal or task.reached(phase, now):
        return False
    for index, step in enumerate(task.steps):
        if step.phase is phase and index not in task.fired:
            if step.offset > elapsed:
                task.created -= step.offset - elapsed
            return True
    passed = [s for i, s in enumerate(task.steps) if s.offset <= elapsed or i in task.fired]
    steps = list(passed)
    reached = {s.phase for s in passed}
    if task.family == "music" and phase in _MUSIC_ORDER:
        for before in _MUSIC_ORDER[: _MUSIC_ORDER.index(phase)]:
            if before not in reached:
                steps.append(Step(elapsed, before))
    steps.append(Step(elapsed, phase))
    if task.family == "music" and phase in (Phase.TEXT, Phase.FIRST):
        at = elapsed
        for after in _MUSIC_ORDER[_MUSIC_ORDER.index(phase) + 1 :]:
            at += _MUSIC_GAPS[after] * time_scale
            steps.append(Step(at, after))
    task.steps = steps
    cause = FAILURE_CAUSES.get(phase)
    if cause is not None:
        task.error_code, task.error_message = ERRORS[cause]
        task.refund_on_failure = cause == "create-fail"
    if task.family == "recovery" and phase.terminal:
        error = None if phase.has_results else "clip_error"
        task.recovered = [(a, t, error) for a, t, _ in task.recovered]
    return True
