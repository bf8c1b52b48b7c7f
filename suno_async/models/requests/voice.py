"""Suno Voice (kie): clone a singer's voice, consent-gated (REFERENCE §6.14, row 30).

The flow: :class:`VoiceValidateRequest` (free) gives a verification phrase (by
callback or :class:`VoiceValidateInfoRequest`); the singer records it; the recording
goes to :class:`VoiceGenerateRequest`, whose finished record carries a ``voice_id``.
Use it as ``persona_id`` with ``persona_model="voice_persona"`` on generate and the
other music calls. Only a voice you have the singer's consent for may be cloned: the
provider verifies it with the recorded phrase.

>>> from suno_async.models.requests import VoiceValidateRequest
>>> VoiceValidateRequest(voice_url="https://files.test/me.mp3", vocal_start_s=3,
...                      vocal_end_s=25, language="en").to_wire()["vocalEndS"]
25
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs

from ..._validation import Checks, enum_or_raw
from ...limits import VOICE_CLIP_MAX, VOICE_TEXT_MAX
from ..enums import SingerSkillLevel, VoiceLanguage
from ._base import Endpoint, Request, TaskRequest, finite

__all__ = [
    "CheckVoiceRequest",
    "VoiceGenerateRequest",
    "VoiceRecordInfoRequest",
    "VoiceRegenerateRequest",
    "VoiceValidateInfoRequest",
    "VoiceValidateRequest",
]

_to_language_raw: Any = enum_or_raw(VoiceLanguage)


def _to_language(value: object) -> Any:
    """attrs converter: a known VoiceLanguage value becomes the member; anything else stays."""
    return _to_language_raw(value)
_to_level_raw: Any = enum_or_raw(SingerSkillLevel)


def _to_level(value: object) -> Any:
    """attrs converter: a known SingerSkillLevel value becomes the member; anything else stays."""
    return _to_level_raw(value)


@attrs.frozen(kw_only=True)
class VoiceValidateRequest(TaskRequest):
    """Start a voice: a clip of the singer (``POST /api/v1/voice/validate``; free).

    ``voice_url`` is the singer's audio; ``vocal_start_s`` < ``vocal_end_s`` (seconds)
    mark the sung part; ``language`` (a :class:`VoiceLanguage`) is the language of the
    verification phrase the provider answers with.
    """

    spec: ClassVar[Endpoint] = Endpoint(
        name="voice_validate", path="/api/v1/voice/validate", kind="voice_validate",
        callback=True,
    )

    voice_url: str | None = None
    vocal_start_s: float | None = None
    vocal_end_s: float | None = None
    language: VoiceLanguage | None = attrs.field(default=None, converter=_to_language)

    def _check(self, checks: Checks) -> None:
        checks.required_url("voice_url", self.voice_url, "(the singer's audio)")
        for name in ("vocal_start_s", "vocal_end_s"):
            value = getattr(self, name)
            if value is None:
                checks.add(name, "required: the sung part of voice_url, in seconds")
            elif not finite(value) or value < 0:
                checks.add(name, f"must be a finite number >= 0 (seconds), got {value!r:.40}")
        if checks.failed("vocal_start_s") or checks.failed("vocal_end_s"):
            return
        start, end = self.vocal_start_s or 0.0, self.vocal_end_s or 0.0
        if end <= start:
            checks.add("vocal_end_s", f"must be greater than vocal_start_s ({start:g})")
        elif end - start > VOICE_CLIP_MAX:
            checks.add("vocal_end_s", f"the clip is {end - start:g} s; at most {VOICE_CLIP_MAX:g}")


@attrs.frozen(kw_only=True)
class VoiceRegenerateRequest(TaskRequest):
    """A new verification phrase for a validation task (``POST /api/v1/voice/regenerate``).

    The provider spells the callback key ``calBackUrl`` here; it is sent that way.

    >>> VoiceRegenerateRequest(task_id="v1",
    ...                        call_back_url="https://me.test/cb").to_wire()
    {'taskId': 'v1', 'calBackUrl': 'https://me.test/cb'}
    """

    spec: ClassVar[Endpoint] = Endpoint(
        name="voice_regenerate", path="/api/v1/voice/regenerate", kind="voice_validate",
        callback=True,
    )

    task_id: str | None = None

    def _check(self, checks: Checks) -> None:
        checks.required("task_id", self.task_id, "(the voice validation task)")

    def to_wire(self) -> dict[str, Any]:
        body = super().to_wire()
        if "callBackUrl" in body:
            body["calBackUrl"] = body.pop("callBackUrl")
        return body


@attrs.frozen(kw_only=True)
class VoiceGenerateRequest(TaskRequest):
    """Build the voice from the recorded phrase (``POST /api/v1/voice/generate``; free).

    ``task_id`` is the validation task, ``verify_url`` the singer reading the phrase;
    ``voice_name``, ``description``, ``style`` and ``singer_skill_level`` (a
    :class:`SingerSkillLevel`) are optional. The finished record's ``voice_id`` is
    the ``persona_id`` for ``persona_model="voice_persona"``.

    >>> VoiceGenerateRequest(task_id="v1", verify_url="https://files.test/phrase.mp3",
    ...                      singer_skill_level="advanced").to_wire()["singerSkillLevel"]
    'advanced'
    """

    spec: ClassVar[Endpoint] = Endpoint(
        name="voice_generate", path="/api/v1/voice/generate", kind="voice", callback=True
    )

    task_id: str | None = None
    verify_url: str | None = None
    voice_name: str | None = None
    description: str | None = None
    style: str | None = None
    singer_skill_level: SingerSkillLevel | None = attrs.field(default=None, converter=_to_level)

    def _check(self, checks: Checks) -> None:
        checks.required("task_id", self.task_id, "(the voice validation task)")
        checks.required_url("verify_url", self.verify_url, "(the recorded verification phrase)")
        for name in ("voice_name", "description", "style"):
            checks.max_chars(name, getattr(self, name), VOICE_TEXT_MAX, "for a voice")


@attrs.frozen(kw_only=True)
class CheckVoiceRequest(Request):
    """Whether a voice can be used (``POST /api/v1/voice/check-voice``; immediate).

    The body key is snake_case ``task_id`` (the voice generation task).

    >>> CheckVoiceRequest(task_id="g1").to_wire()
    {'task_id': 'g1'}
    """

    spec: ClassVar[Endpoint] = Endpoint(name="check_voice", path="/api/v1/voice/check-voice")

    task_id: str | None = attrs.field(default=None, metadata={"wire": "task_id"})

    def _check(self, checks: Checks) -> None:
        checks.required("task_id", self.task_id, "(the voice generation task)")


@attrs.frozen(kw_only=True)
class _VoiceLookup(Request):
    """A voice record-info GET; :meth:`to_wire` gives the query parameters."""

    task_id: str | None = None

    def _check(self, checks: Checks) -> None:
        checks.required("task_id", self.task_id, "(the voice task)")


@attrs.frozen(kw_only=True)
class VoiceValidateInfoRequest(_VoiceLookup):
    """The validation record (``GET /api/v1/voice/validate-info?taskId=``).

    >>> VoiceValidateInfoRequest(task_id="v1").to_wire()
    {'taskId': 'v1'}
    """

    spec: ClassVar[Endpoint] = Endpoint(
        name="voice_validate_info", path="/api/v1/voice/validate-info", method="GET"
    )


@attrs.frozen(kw_only=True)
class VoiceRecordInfoRequest(_VoiceLookup):
    """The voice record (``GET /api/v1/voice/record-info?taskId=``).

    >>> VoiceRecordInfoRequest.spec.method
    'GET'
    """

    spec: ClassVar[Endpoint] = Endpoint(
        name="voice_record_info", path="/api/v1/voice/record-info", method="GET"
    )
