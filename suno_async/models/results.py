"""Typed results of the immediate calls: timestamped lyrics, style boost, persona, uploads.

Like the task records, every field is optional and unknown fields are ignored; keys
may be camelCase or snake_case.

>>> from suno_async._convert import structure
>>> from suno_async.models.results import TimestampedLyrics
>>> lyrics = structure({"alignedWords": [{"word": "Hello", "success": True, "startS": 1.36,
...                     "endS": 1.79, "palign": 0}], "hootCer": 0.38}, TimestampedLyrics)
>>> lyrics.aligned_words[0].start_s, lyrics.text
(1.36, 'Hello')
"""

from __future__ import annotations

from datetime import datetime

import attrs

__all__ = [
    "AlignedWord",
    "CheckVoice",
    "Persona",
    "StyleBoost",
    "TimestampedLyrics",
    "UploadedFile",
]


@attrs.frozen(kw_only=True)
class AlignedWord:
    """One sung word (it may carry a section tag and a newline, e.g. ``"[Verse]\\nHello"``).

    ``start_s`` / ``end_s`` are seconds from the start of the track; ``success`` says
    whether the aligner placed it.

    >>> AlignedWord(word="la", start_s=1.0, end_s=1.25).duration
    0.25
    """

    word: str = ""
    success: bool = False
    start_s: float | None = None
    end_s: float | None = None
    palign: float | None = None

    @property
    def duration(self) -> float | None:
        """Seconds the word lasts, when both ends are known."""
        if self.start_s is None or self.end_s is None:
            return None
        return round(self.end_s - self.start_s, 6)


@attrs.frozen(kw_only=True)
class TimestampedLyrics:
    """Word timings of a track (``get_timestamped_lyrics``).

    ``aligned_words`` in singing order; ``waveform_data`` is a coarse amplitude curve
    (0-1); ``hoot_cer`` the aligner's character error rate. Instrumentals have no words.

    >>> TimestampedLyrics().text
    ''
    """

    aligned_words: tuple[AlignedWord, ...] = ()
    waveform_data: tuple[float, ...] = ()
    hoot_cer: float | None = None
    is_streamed: bool = False

    @property
    def text(self) -> str:
        """The words joined back into lyrics (line breaks kept)."""
        return " ".join(w.word for w in self.aligned_words).replace(" \n", "\n").replace(
            "\n ", "\n"
        )


@attrs.frozen(kw_only=True)
class StyleBoost:
    """A boosted style description (``boost_style``); ``result`` is the new style text.

    The live API reports ``successFlag`` as text (``"成功"``) and the error message as
    ``errorMsg``; both spellings are accepted (see :attr:`error`).

    >>> StyleBoost(result="Dreamy pop with airy synths").result
    'Dreamy pop with airy synths'
    """

    task_id: str = ""
    param: str = ""
    result: str = ""
    credits_consumed: float | None = None
    credits_remaining: float | None = None
    success_flag: str = ""
    error_code: int | None = None
    error_message: str | None = None
    error_msg: str | None = attrs.field(default=None, repr=False)
    create_time: datetime | None = None

    @property
    def error(self) -> str | None:
        """The error message, whichever key the host used."""
        return self.error_message or self.error_msg or None


@attrs.frozen(kw_only=True)
class Persona:
    """A voice persona (``generate_persona``); pass ``persona_id`` to later requests.

    >>> Persona(persona_id="a1b2", name="Nova").persona_id
    'a1b2'
    """

    persona_id: str = ""
    name: str = ""
    description: str = ""


@attrs.frozen(kw_only=True)
class UploadedFile:
    """A file on the upload host (``upload_file``).

    Pass :attr:`download_url` as ``upload_url`` (or in ``upload_url_list``) to the
    endpoints that work on your own audio. Uploaded files are temporary.

    >>> UploadedFile(download_url="https://files.test/a.mp3").download_url
    'https://files.test/a.mp3'
    """

    download_url: str = ""
    file_name: str = ""
    file_path: str = ""
    file_size: int | None = None
    mime_type: str = ""
    uploaded_at: datetime | None = None
    success: bool = True


@attrs.frozen(kw_only=True)
class CheckVoice:
    """Whether a Suno Voice can be used (``check_voice``).

    >>> CheckVoice(is_available=True).is_available
    True
    """

    is_available: bool = False
