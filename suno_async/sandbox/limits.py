"""Account limits: creation rate per key, record-info rate per task, credit costs."""

from __future__ import annotations

from collections import deque

#: Credits charged per operation (REFERENCE §9, kie live charges). Override via
#: ``Sandbox(costs={...})``; keys not given keep these values.
DEFAULT_COSTS: dict[str, float] = {
    "generate": 12.0,
    "extend": 12.0,
    "upload_cover": 12.0,
    "upload_extend": 12.0,
    "add_instrumental": 12.0,
    "add_vocals": 12.0,
    "mashup": 12.0,
    "replace_section": 5.0,
    "sounds": 2.5,
    "lyrics": 0.4,
    "wav": 0.4,
    "vocal_removal": 10.0,
    "vocal_removal_split_stem": 50.0,
    "vocal_removal_split_stem_advanced": 16.0,  # one T comment (conf. low)
    "midi": 0.0,  # not documented
    "mp4": 2.0,
    "cover": 0.0,
    "style_boost": 0.4,
    "timestamped_lyrics": 0.5,
    "persona": 0.0,
    "recovery": 0.0,  # no documented price
    "voice_validate": 0.0,  # free
    "voice": 0.0,  # free
}


class SlidingWindow:
    """At most ``limit`` events per ``window`` seconds per key (times from the loop clock)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._events: dict[str, deque[float]] = {}

    def _prune(self, key: str, now: float) -> deque[float]:
        events = self._events.get(key)
        if events is None:
            events = self._events[key] = deque()
        horizon = now - self.window
        while events and events[0] <= horizon:
            events.popleft()
        return events

    def full(self, key: str, now: float) -> bool:
        """True when one more event would exceed the limit (nothing is recorded)."""
        return len(self._prune(key, now)) >= self.limit

    def add(self, key: str, now: float) -> None:
        self._prune(key, now).append(now)

    def hit(self, key: str, now: float) -> bool:
        """Record an event if allowed; False (nothing recorded) when over the limit."""
        if self.full(key, now):
            return False
        self.add(key, now)
        return True

    def retry_after(self, key: str, now: float) -> float:
        events = self._prune(key, now)
        return max(0.0, events[0] + self.window - now) if events else 0.0
