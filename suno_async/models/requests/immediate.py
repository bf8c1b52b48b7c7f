"""Immediate calls: the reply is the result, no task is created
(REFERENCE §6.2-§6.4, §6.15).

>>> from suno_async.models.requests import StyleBoostRequest
>>> StyleBoostRequest.spec.kind is None
True
"""

from __future__ import annotations

from typing import ClassVar

import attrs

from ..._validation import Checks
from ...limits import PERSONA_DEFAULT_WINDOW, PERSONA_WINDOW, STYLE_BOOST_MAX
from ._base import Endpoint, Request, finite
from .derived import check_track_ids

__all__ = [
    "DownloadUrlRequest",
    "PersonaRequest",
    "StyleBoostRequest",
    "TimestampedLyricsRequest",
]


@attrs.frozen(kw_only=True)
class _TrackRequest(Request):
    """A request about one generated track: ``task_id`` + ``audio_id``."""

    task_id: str | None = None
    audio_id: str | None = None

    def _check_track(self, checks: Checks) -> None:
        check_track_ids(checks, self.task_id, self.audio_id)


@attrs.frozen(kw_only=True)
class TimestampedLyricsRequest(_TrackRequest):
    """Word timings of a finished track (``POST /api/v1/generate/get-timestamped-lyrics``).

    >>> TimestampedLyricsRequest(task_id="t1", audio_id="a1").to_wire()["audioId"]
    'a1'
    """

    spec: ClassVar[Endpoint] = Endpoint(
        name="timestamped_lyrics", path="/api/v1/generate/get-timestamped-lyrics"
    )

    def _check(self, checks: Checks) -> None:
        self._check_track(checks)


@attrs.frozen(kw_only=True)
class StyleBoostRequest(Request):
    """Expand a short style into a detailed one (``POST /api/v1/style/generate``).

    >>> StyleBoostRequest(content="Pop, Mysterious").to_wire()
    {'content': 'Pop, Mysterious'}
    """

    spec: ClassVar[Endpoint] = Endpoint(name="style_boost", path="/api/v1/style/generate")

    content: str | None = None

    def _check(self, checks: Checks) -> None:
        checks.required("content", self.content, "(the style to boost, e.g. 'Pop, Mysterious')")
        checks.max_chars("content", self.content, STYLE_BOOST_MAX, "for a style boost")


@attrs.frozen(kw_only=True)
class PersonaRequest(_TrackRequest):
    """A reusable voice persona from a finished track
    (``POST /api/v1/generate/generate-persona``).

    ``task_id``, ``audio_id``, ``name`` and ``description`` are required; ``style`` is
    optional. The vocal window ``vocal_start`` .. ``vocal_end`` (seconds; the API's
    defaults are 0 and 30) must last 10 to 30 s. Sources must be V4 or newer.

    >>> PersonaRequest(task_id="t1", audio_id="a1", name="Nova", description="airy pop",
    ...                vocal_start=12, vocal_end=34).to_wire()["vocalEnd"]
    34
    """

    spec: ClassVar[Endpoint] = Endpoint(name="persona", path="/api/v1/generate/generate-persona")

    name: str | None = None
    description: str | None = None
    style: str | None = None
    vocal_start: float | None = None
    vocal_end: float | None = None

    def _check(self, checks: Checks) -> None:
        self._check_track(checks)
        checks.required("name", self.name, "(the persona's name)")
        checks.required("description", self.description, "(describe the voice)")
        for name in ("vocal_start", "vocal_end"):
            value = getattr(self, name)
            if value is not None and (not finite(value) or value < 0):
                checks.add(name, f"must be a finite number >= 0 (seconds), got {value!r:.40}")
        if checks.failed("vocal_start") or checks.failed("vocal_end"):
            return
        default_start, default_end = PERSONA_DEFAULT_WINDOW
        start = default_start if self.vocal_start is None else self.vocal_start
        end = default_end if self.vocal_end is None else self.vocal_end
        low, high = PERSONA_WINDOW
        field = "vocal_end" if self.vocal_end is not None else "vocal_start"
        if end <= start:
            checks.add(field, f"vocal_end ({end:g}) must be after vocal_start ({start:g})")
        elif not low <= round(end - start, 6) <= high:
            checks.add(
                field,
                f"the vocal window is {end - start:g} s; it must last {low:g} to {high:g} s"
                + (" (vocal_end defaults to 30)" if self.vocal_end is None else ""),
            )


@attrs.frozen(kw_only=True)
class DownloadUrlRequest(Request):
    """A temporary download link for a generated file (``POST /api/v1/common/download-url``).

    >>> DownloadUrlRequest(url="https://tempfile.example/a.mp3").to_wire()
    {'url': 'https://tempfile.example/a.mp3'}
    """

    spec: ClassVar[Endpoint] = Endpoint(name="download_url", path="/api/v1/common/download-url")

    url: str | None = None

    def _check(self, checks: Checks) -> None:
        checks.required_url("url", self.url, "(the generated file's URL)")
