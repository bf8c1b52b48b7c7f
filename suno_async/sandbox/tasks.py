"""The task store: one ``Task`` per created task, its phase computed lazily from the loop clock."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from .providers import PROVIDERS, Provider


class Phase(enum.Enum):
    """Family-neutral phases; ``records`` maps them to each family's wire status."""

    QUEUED = "QUEUED"  # the undocumented status of [[unknown-status]]
    PENDING = "PENDING"
    TEXT = "TEXT"
    FIRST = "FIRST"
    GENERATING = "GENERATING"  # cover art successFlag 2
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"
    CREATE_FAILED = "CREATE_FAILED"
    SENSITIVE = "SENSITIVE"
    CALLBACK_EXCEPTION = "CALLBACK_EXCEPTION"  # results present
    CALLBACK_EXCEPTION_EARLY = "CALLBACK_EXCEPTION_EARLY"  # no results

    @property
    def terminal(self) -> bool:
        return self in _TERMINAL

    @property
    def has_results(self) -> bool:
        """True when the task's outputs (all tracks, files) are complete."""
        return self in (Phase.SUCCESS, Phase.CALLBACK_EXCEPTION)


_TERMINAL = frozenset(
    {
        Phase.SUCCESS,
        Phase.FAILED,
        Phase.CREATE_FAILED,
        Phase.SENSITIVE,
        Phase.CALLBACK_EXCEPTION,
        Phase.CALLBACK_EXCEPTION_EARLY,
    }
)


@dataclass(slots=True)
class Track:
    """One generated song of a music task."""

    id: str
    title: str
    tags: str
    prompt: str
    model_name: str
    duration: float
    create_ms: int


@dataclass(slots=True)
class Step:
    """The task enters ``phase`` ``offset`` seconds (already scaled) after creation."""

    offset: float
    phase: Phase


@dataclass(slots=True, eq=False)
class Task:
    """Internal view of one task (``sb.task(task_id)``).

    ``phase()`` / ``status()`` are computed from the loop clock, so reads are cheap and no
    per-task timer is needed.
    """

    task_id: str
    family: str  # music | lyrics | wav | vocal | midi | mp4 | cover | recovery | voice...
    owner: str  # api key that created it
    path: str  # create path
    body: dict[str, Any]
    param: str  # JSON string of the request body
    created: float  # loop time
    create_ms: int  # epoch ms
    base_url: str
    callback_url: str
    steps: list[Step]
    markers: frozenset[str] = frozenset()
    cost: float = 0.0
    error_code: int | None = None
    error_message: str | None = None
    refund_on_failure: bool = False
    # music
    model: str = ""
    operation: str = ""
    parent_music_id: str = ""
    tracks: list[Track] = field(default_factory=list)
    # derived families
    source_task_id: str = ""
    audio_id: str = ""
    music_index: int = 0
    source_duration: float = 180.0
    variant: str = ""  # vocal removal type
    origin_ids: list[str] = field(default_factory=list)  # vocal removal stems (for midi)
    texts: list[tuple[str, str]] = field(default_factory=list)  # lyrics (title, text)
    images: int = 2  # cover art
    recovered: list[tuple[str, str, str | None]] = field(default_factory=list)
    # recovery: per source track (audio id, title, error or None when recovered)
    stem_name: str = ""  # vocal removal split_stem_advanced
    voice_id: str = ""  # voice: the voiceId; voice_validate: the verification phrase
    callbacks_sent_early: set[Phase] = field(default_factory=set)
    fired: set[int] = field(default_factory=set)  # indexes of steps whose events ran
    reorder_callbacks: bool = False
    provider: Provider = PROVIDERS["kie"]

    def elapsed(self, now: float) -> float:
        return now - self.created

    def phase(self, now: float) -> Phase:
        """The phase at loop time ``now``."""
        elapsed = now - self.created
        current = self.steps[0].phase
        for step in self.steps:
            if step.offset <= elapsed:
                current = step.phase
            else:
                break
        return current

    def reached(self, phase: Phase, now: float) -> bool:
        """Whether the timeline has passed through ``phase`` by ``now``."""
        elapsed = now - self.created
        return any(s.phase is phase and s.offset <= elapsed for s in self.steps)

    @property
    def end_offset(self) -> float:
        return self.steps[-1].offset

    def complete_ms(self) -> int:
        return self.create_ms + int(self.end_offset * 1000)


class TaskStore:
    """All tasks of one sandbox plus the indexes the derived endpoints need."""

    def __init__(self) -> None:
        self.tasks: dict[str, Task] = {}
        self.audio_index: dict[str, tuple[str, int]] = {}  # audio id -> (task id, index)
        self.stem_index: dict[str, str] = {}  # vocal-removal origin id -> task id
        self.covers: dict[str, str] = {}  # music task id -> cover task id
        self.personas: dict[str, dict[str, Any]] = {}  # audio id -> persona

    def add(self, task: Task) -> None:
        self.tasks[task.task_id] = task
        for index, track in enumerate(task.tracks):
            self.audio_index[track.id] = (task.task_id, index)
        for origin in task.origin_ids:
            self.stem_index[origin] = task.task_id
        if task.family == "cover":
            self.covers[task.source_task_id] = task.task_id

    def get(self, task_id: str, family: str | None = None, owner: str | None = None) -> Task | None:
        """The task, or None if unknown, of another family, or of another account."""
        task = self.tasks.get(task_id)
        if task is None:
            return None
        if family is not None and task.family != family:
            return None
        if owner is not None and task.owner != owner:
            return None
        return task

    def __len__(self) -> int:
        return len(self.tasks)
