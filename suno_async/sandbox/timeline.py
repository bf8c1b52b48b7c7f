"""Seeded timelines: when each task reaches each phase, shaped by magic markers."""

from __future__ import annotations

import random
from collections.abc import Mapping

from .tasks import Phase, Step

#: Realistic durations in seconds (before ``time_scale``): (low, high), drawn per task.
MUSIC_DEFAULTS: dict[str, tuple[float, float]] = {
    "text": (8.0, 15.0),
    "first": (30.0, 40.0),
    "complete": (120.0, 180.0),
}
FAMILY_DEFAULTS: dict[str, tuple[float, float]] = {
    "lyrics": (10.0, 20.0),
    "wav": (20.0, 40.0),
    "vocal": (40.0, 90.0),
    "midi": (30.0, 60.0),
    "mp4": (60.0, 120.0),
    "cover": (20.0, 40.0),
    "recovery": (4.0, 10.0),
    "voice_validate": (10.0, 20.0),
    "voice": (30.0, 60.0),
}

#: (errorCode, errorMessage) per failure cause.
ERRORS: dict[str, tuple[int | None, str]] = {
    "fail": (501, "Audio generation failed."),
    "refund": (
        531,
        "Sorry, the generation failed due to an issue. Your credits have been refunded. "
        "Please try again.",
    ),
    "create-fail": (500, "Internal Error, Please try again later."),
    "sensitive": (400, "The content contains sensitive words. Please modify it and try again."),
    "callback-exception": (None, "Callback exception: the callback URL did not accept the result."),
    "callback-exception-early": (500, "Callback exception: the task was aborted."),
    "bad-source": (400, "The audioId does not exist."),
    # accepted at submit, failing later (REFERENCE §10 item 4)
    "unreachable": (451, "Failed to fetch the audio file."),
    "model-mismatch": (400, "The model does not match the model of the source audio."),
    "continue-at": (400, "continueAt must be less than the source audio duration."),
    "no-continue-at": (400, "Upload extension failed: continueAt is required."),
    "window": (400, "The replaced section exceeds the source audio."),
}


def _draw(
    rng: random.Random,
    key: str,
    defaults: Mapping[str, tuple[float, float]],
    override: Mapping[str, float] | None,
) -> float:
    low, high = defaults[key]
    value = rng.uniform(low, high)
    if override is not None and key in override:
        value = float(override[key])
    return value


def music_steps(
    rng: random.Random,
    markers: frozenset[str],
    scale: float,
    override: Mapping[str, float] | None = None,
    *,
    late_failure: str | None = None,
) -> tuple[list[Step], str | None]:
    """Steps of a music task and the failure cause (a key of ``ERRORS``) if it fails."""
    text = _draw(rng, "text", MUSIC_DEFAULTS, override)
    first = _draw(rng, "first", MUSIC_DEFAULTS, override)
    complete = _draw(rng, "complete", MUSIC_DEFAULTS, override)
    factor = scale * (3.0 if "slow" in markers else 1.0)
    first = max(first, text)
    complete = max(complete, first)
    t1, t2, t3 = text * factor, first * factor, complete * factor
    start = [Step(0.0, Phase.PENDING)]
    if "create-fail" in markers:
        return [Step(0.0, Phase.CREATE_FAILED)], "create-fail"
    if "sensitive" in markers:
        return [*start, Step(t1, Phase.SENSITIVE)], "sensitive"
    if "callback-exception-early" in markers:
        return [*start, Step(t1, Phase.CALLBACK_EXCEPTION_EARLY)], "callback-exception-early"
    if late_failure is not None:  # accepted at submit, failing at the text-stage time
        return [*start, Step(t1, Phase.FAILED)], late_failure
    if "never" in markers:
        return start, None
    if "unknown-status" in markers:
        start = [Step(0.0, Phase.QUEUED), Step(t1 / 2, Phase.PENDING)]
    for failure in ("fail", "refund"):
        if failure in markers:
            return [*start, Step(t1, Phase.TEXT), Step(t2, Phase.FAILED)], failure
    if "skip" in markers:
        return [*start, Step(t3, Phase.SUCCESS)], None
    if "callback-exception" in markers:
        steps = [Step(t1, Phase.TEXT), Step(t2, Phase.FIRST), Step(t3, Phase.CALLBACK_EXCEPTION)]
        return [*start, *steps], "callback-exception"
    return [*start, Step(t1, Phase.TEXT), Step(t2, Phase.FIRST), Step(t3, Phase.SUCCESS)], None


def single_steps(
    family: str,
    rng: random.Random,
    markers: frozenset[str],
    scale: float,
    override: Mapping[str, float] | None = None,
) -> tuple[list[Step], str | None]:
    """Steps of a one-stage task (lyrics, wav, vocal, midi, mp4, cover) and its failure cause."""
    total = _draw(rng, family, FAMILY_DEFAULTS, override)
    t = total * scale * (3.0 if "slow" in markers else 1.0)
    start = [Step(0.0, Phase.PENDING)]
    if "create-fail" in markers:
        return [Step(0.0, Phase.CREATE_FAILED)], "create-fail"
    if "sensitive" in markers:
        return [*start, Step(t / 2, Phase.SENSITIVE)], "sensitive"
    if "callback-exception-early" in markers:
        return [*start, Step(t / 2, Phase.CALLBACK_EXCEPTION_EARLY)], "callback-exception-early"
    if "never" in markers:
        return start, None
    if "unknown-status" in markers:
        start = [Step(0.0, Phase.QUEUED), Step(t / 4, Phase.PENDING)]
    if family in ("cover", "voice_validate"):
        start = [*start, Step(t / 2, Phase.GENERATING)]
    for failure in ("fail", "refund", "unreachable"):
        if failure in markers:
            return [*start, Step(t, Phase.FAILED)], failure
    if "callback-exception" in markers:
        return [*start, Step(t, Phase.CALLBACK_EXCEPTION)], "callback-exception"
    return [*start, Step(t, Phase.SUCCESS)], None


def recovery_end(
    rng: random.Random,
    markers: frozenset[str],
    scale: float,
    override: Mapping[str, float] | None = None,
) -> float | None:
    """When (seconds after creation, scaled) a recovery task ends; None for ``[[never]]``.

    The outcome is decided by the caller from the source task's state at that moment."""
    total = _draw(rng, "recovery", FAMILY_DEFAULTS, override)
    if "never" in markers:
        return None
    return total * scale * (3.0 if "slow" in markers else 1.0)
