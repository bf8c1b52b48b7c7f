"""Enumerations users write: models, stages, and the small closed sets of the API.

>>> from suno_async import Model, Stage
>>> Model("V4_5") is Model.V4_5
True
>>> Stage.PENDING < Stage.FIRST_SUCCESS < Stage.SUCCESS
True
"""

from __future__ import annotations

import enum

__all__ = [
    "Model",
    "PersonaModel",
    "SeparationType",
    "SingerSkillLevel",
    "SoundKey",
    "Stage",
    "VocalGender",
    "VoiceLanguage",
]


class Model(enum.StrEnum):
    """A Suno model version, as the API spells it (``"V4_5"``)."""

    V3_5 = "V3_5"
    V4 = "V4"
    V4_5 = "V4_5"
    V4_5PLUS = "V4_5PLUS"
    V4_5ALL = "V4_5ALL"
    V5 = "V5"
    V5_5 = "V5_5"
    #: The V6 family: documented on sunoapi.org's newest pages; unconfirmed on kie's
    #: legacy endpoints (sent there with an :class:`~suno_async.errors.UnknownModelWarning`).
    V6 = "V6"
    V6_WILD = "V6_WILD"
    V6_MINI = "V6_MINI"


class Stage(enum.Enum):
    """Where a job is: ordered ``PENDING < TEXT_SUCCESS < FIRST_SUCCESS < SUCCESS``.

    ``FAILED`` is the terminal failure stage (it sorts after ``SUCCESS``); a failure
    rejects every waiting stage, so ``wait(stage)`` never resolves on it.
    """

    PENDING = 0
    TEXT_SUCCESS = 1
    FIRST_SUCCESS = 2
    SUCCESS = 3
    FAILED = 9

    # Compared on every poll: ``_value_`` (a plain attribute), not the ``value``
    # descriptor, and every operator defined here rather than derived.
    def __lt__(self, other: object) -> bool:
        if other.__class__ is not Stage:
            return NotImplemented
        return bool(self._value_ < other._value_)

    def __gt__(self, other: object) -> bool:
        if other.__class__ is not Stage:
            return NotImplemented
        return bool(self._value_ > other._value_)

    def __le__(self, other: object) -> bool:
        if other.__class__ is not Stage:
            return NotImplemented
        return bool(self._value_ <= other._value_)

    def __ge__(self, other: object) -> bool:
        if other.__class__ is not Stage:
            return NotImplemented
        return bool(self._value_ >= other._value_)

    @property
    def terminal(self) -> bool:
        """True for ``SUCCESS`` and ``FAILED``."""
        return self._value_ >= 3

    def __str__(self) -> str:
        return self.name


class VocalGender(enum.StrEnum):
    """Preferred singing voice (``m`` or ``f``)."""

    MALE = "m"
    FEMALE = "f"


class SeparationType(enum.StrEnum):
    """Vocal-removal modes: two stems, up to twelve, or one named stem
    (``split_stem_advanced`` with ``stem_name``)."""

    SEPARATE_VOCAL = "separate_vocal"
    SPLIT_STEM = "split_stem"
    SPLIT_STEM_ADVANCED = "split_stem_advanced"


class PersonaModel(enum.StrEnum):
    """What ``persona_id`` names: a persona from ``generate_persona`` (``style_persona``,
    the API's default) or a Suno Voice ``voice_id`` (``voice_persona``)."""

    STYLE_PERSONA = "style_persona"
    VOICE_PERSONA = "voice_persona"


class VoiceLanguage(enum.StrEnum):
    """Languages of a Suno Voice verification phrase."""

    EN = "en"
    ZH = "zh"
    ES = "es"
    FR = "fr"
    PT = "pt"
    DE = "de"
    JA = "ja"
    KO = "ko"
    HI = "hi"
    RU = "ru"


class SingerSkillLevel(enum.StrEnum):
    """How skilled the singer of a Suno Voice is."""

    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"
    PROFESSIONAL = "professional"


class SoundKey(enum.StrEnum):
    """Musical keys accepted by sound generation."""

    ANY = "Any"
    Cm = "Cm"
    Csm = "C#m"
    Dm = "Dm"
    Dsm = "D#m"
    Em = "Em"
    Fm = "Fm"
    Fsm = "F#m"
    Gm = "Gm"
    Gsm = "G#m"
    Am = "Am"
    Asm = "A#m"
    Bm = "Bm"
    C = "C"
    Cs = "C#"
    D = "D"
    Ds = "D#"
    E = "E"
    F = "F"
    Fs = "F#"
    G = "G"
    Gs = "G#"
    A = "A"
    As = "A#"
    B = "B"
