"""Client methods for the rest of the API family (mixed into :class:`SunoClient`).

Kept apart from ``client.py`` so the core (lifecycle, submission, tracking) stays small.
Every task-creating method builds its request object and hands it to ``_create``;
immediate calls go through ``_transport``.
"""

from __future__ import annotations

import asyncio
import base64
import io
import mimetypes
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import aiohttp

from ._convert import structure
from .config import DEFAULT_DOWNLOAD_TIMEOUT, DEFAULT_MAX_DOWNLOAD_BYTES
from .download import download as _download
from .errors import APIResponseValidationError
from .limits import UPLOAD_BASE64_MAX_BYTES
from .models.records import (
    CoverArtRecord,
    LyricsRecord,
    MidiRecord,
    Mp4Record,
    MusicRecord,
    RecoveryRecord,
    Track,
    VocalRemovalRecord,
    WavRecord,
)
from .models.requests import (
    AddVocalsRequest,
    Base64UploadRequest,
    CoverArtRequest,
    DownloadUrlRequest,
    ExtendRequest,
    LyricsRequest,
    MashupRequest,
    MidiRequest,
    MusicVideoRequest,
    PersonaRequest,
    RecoveryRequest,
    ReplaceSectionRequest,
    SeparateVocalsRequest,
    SoundsRequest,
    StreamUploadRequest,
    StyleBoostRequest,
    TimestampedLyricsRequest,
    UploadExtendRequest,
    UploadRequest,
    UrlUploadRequest,
    WavRequest,
)
from .models.results import Persona, StyleBoost, TimestampedLyrics, UploadedFile

if TYPE_CHECKING:
    from ._http import Transport
    from .jobs.job import Job
    from .models.requests import Request

__all__ = ["EndpointsMixin"]

Q = TypeVar("Q", bound="Request")
T = TypeVar("T")

#: What :meth:`EndpointsMixin.upload_file` accepts: a path, an http(s) URL, or bytes.
UploadSource = str | os.PathLike[str] | bytes | bytearray | memoryview


class EndpointsMixin:
    """Endpoint methods; relies on the core provided by :class:`SunoClient`."""

    if TYPE_CHECKING:
        _transport: Transport

        async def _create(self, request: Request) -> Job[Any]: ...

        def _check_open(self) -> None: ...

        @staticmethod
        def _request(cls: type[Q], request: Q | None, fields: Mapping[str, Any]) -> Q: ...

    # ------------------------------------------------------------------ music family

    async def extend(
        self, request: ExtendRequest | None = None, /, **fields: Any
    ) -> Job[MusicRecord]:
        """Extend a generated track; returns a music :class:`Job` at once.

        Fields: ``audio_id``, ``default_param_flag`` (False: inherit the source's
        parameters; True: use ``prompt``, ``style``, ``title``, ``continue_at``),
        ``model`` (the source's), ``negative_tags``, ``vocal_gender``, ``style_weight``,
        ``weirdness_constraint``, ``audio_weight``, ``persona_id``, ``call_back_url``.

        >>> # job = await client.extend(audio_id=track.id, model="V5")
        """
        return await self._create(self._request(ExtendRequest, request, fields))

    async def upload_extend(
        self, request: UploadExtendRequest | None = None, /, **fields: Any
    ) -> Job[MusicRecord]:
        """Extend uploaded audio (``upload_url``); a music :class:`Job`.

        Fields: ``upload_url``, ``default_param_flag``, ``instrumental``, ``prompt``,
        ``style``, ``title``, ``continue_at``, ``model`` and the shared options.

        >>> # job = await client.upload_extend(upload_url=up.download_url, prompt="go on")
        """
        return await self._create(self._request(UploadExtendRequest, request, fields))

    async def add_vocals(
        self, request: AddVocalsRequest | None = None, /, **fields: Any
    ) -> Job[MusicRecord]:
        """Sing over an uploaded instrumental; a music :class:`Job`.

        Fields: ``upload_url``, ``prompt`` (lyrics), ``title``, ``style``,
        ``negative_tags``, ``model`` (V4_5PLUS default, V5, V5_5) and the shared options.

        >>> # job = await client.add_vocals(upload_url=u, prompt="[Verse] ...", title="T",
        >>> #                               style="soul", negative_tags="metal")
        """
        return await self._create(self._request(AddVocalsRequest, request, fields))

    async def replace_section(
        self, request: ReplaceSectionRequest | None = None, /, **fields: Any
    ) -> Job[MusicRecord]:
        """Regenerate a 6-60 s window of a track; a music :class:`Job`.

        Fields: ``prompt``, ``tags``, ``title``, ``full_lyrics``, ``infill_start_s``,
        ``infill_end_s``, and ``task_id`` + ``audio_id`` or ``upload_url`` + ``model``;
        ``negative_tags``, ``call_back_url``.

        >>> # job = await client.replace_section(task_id=t, audio_id=a, prompt="new line",
        >>> #     tags="pop", title="T", full_lyrics=lyrics, infill_start_s=10, infill_end_s=20)
        """
        return await self._create(self._request(ReplaceSectionRequest, request, fields))

    async def mashup(
        self, request: MashupRequest | None = None, /, **fields: Any
    ) -> Job[MusicRecord]:
        """Blend exactly two uploaded tracks; a music :class:`Job`.

        Fields: ``upload_url_list`` (two URLs), ``custom_mode``, ``instrumental``,
        ``model``, ``prompt``, ``style``, ``title`` and the shared options.

        >>> # job = await client.mashup(upload_url_list=[a, b], prompt="club edit")
        """
        return await self._create(self._request(MashupRequest, request, fields))

    async def generate_sounds(
        self, request: SoundsRequest | None = None, /, **fields: Any
    ) -> Job[MusicRecord]:
        """Sound effects and loops (V5 only); a music :class:`Job` (results are tracks).

        Fields: ``prompt`` (<= 500 chars), ``sound_loop``, ``sound_tempo`` (1-300 BPM),
        ``sound_key`` (:class:`SoundKey`), ``grab_lyrics``, ``call_back_url``.

        >>> # job = await client.generate_sounds(prompt="rain", sound_loop=True)
        """
        return await self._create(self._request(SoundsRequest, request, fields))

    # ------------------------------------------------------------------ other families

    async def generate_lyrics(
        self, request: LyricsRequest | None = None, /, **fields: Any
    ) -> Job[LyricsRecord]:
        """Lyrics only (normally two variants); a lyrics :class:`Job`.

        Fields: ``prompt`` (at most 200 words), ``call_back_url``.

        >>> # record = await (await client.generate_lyrics(prompt="city night"))
        >>> # record.variants[0].text
        """
        return await self._create(self._request(LyricsRequest, request, fields))

    async def convert_to_wav(
        self, request: WavRequest | None = None, /, **fields: Any
    ) -> Job[WavRecord]:
        """WAV of a generated track; a wav :class:`Job` whose record has ``wav_url``.

        Fields: ``task_id``, ``audio_id``, ``call_back_url``.

        >>> # wav = await (await client.convert_to_wav(task_id=t, audio_id=a))
        """
        return await self._create(self._request(WavRequest, request, fields))

    async def separate_vocals(
        self, request: SeparateVocalsRequest | None = None, /, **fields: Any
    ) -> Job[VocalRemovalRecord]:
        """Stems of a generated track; a vocal-removal :class:`Job` (``record.stems``).

        Fields: ``task_id``, ``audio_id``, ``type`` (``separate_vocal`` default or
        ``split_stem``), ``call_back_url``.

        >>> # sep = await (await client.separate_vocals(task_id=t, audio_id=a))
        >>> # sep.stems["vocal"], sep.origin_data[0].id
        """
        return await self._create(self._request(SeparateVocalsRequest, request, fields))

    async def generate_midi(
        self, request: MidiRequest | None = None, /, **fields: Any
    ) -> Job[MidiRecord]:
        """MIDI notes from a finished separation; a midi :class:`Job` (``instruments``).

        Fields: ``task_id`` (the separation task), ``audio_id`` (optional stem id),
        ``call_back_url``.

        >>> # midi = await (await client.generate_midi(task_id=separation_task_id))
        """
        return await self._create(self._request(MidiRequest, request, fields))

    async def create_music_video(
        self, request: MusicVideoRequest | None = None, /, **fields: Any
    ) -> Job[Mp4Record]:
        """A music video of a track; an mp4 :class:`Job` whose record has ``video_url``.

        Fields: ``task_id``, ``audio_id``, ``author`` and ``domain_name`` (<= 50 chars),
        ``call_back_url``.

        >>> # video = await (await client.create_music_video(task_id=t, audio_id=a))
        """
        return await self._create(self._request(MusicVideoRequest, request, fields))

    async def generate_cover_art(
        self, request: CoverArtRequest | None = None, /, **fields: Any
    ) -> Job[CoverArtRecord]:
        """Cover images for a music task; a cover-art :class:`Job` (``record.images``).

        Fields: ``task_id``, ``call_back_url``. One cover per music task.

        >>> # art = await (await client.generate_cover_art(task_id=t))
        """
        return await self._create(self._request(CoverArtRequest, request, fields))

    async def recover_audio(
        self, request: RecoveryRequest | None = None, /, **fields: Any
    ) -> Job[RecoveryRecord]:
        """Fresh audio links for a music task whose links expired; a recovery :class:`Job`.

        Fields: ``suno_task_id`` (the music task), ``call_back_url``. The final record's
        ``tracks`` carry the new ``audio_url`` per track (``.ok`` per track); when every
        track fails the job raises ``GenerationFailedError``.

        >>> # recovered = await (await client.recover_audio(suno_task_id=t))
        >>> # [t.audio_url for t in recovered.tracks if t.ok]
        """
        return await self._create(self._request(RecoveryRequest, request, fields))

    # ------------------------------------------------------------------ immediate calls

    async def get_download_url(
        self, request: DownloadUrlRequest | None = None, /, **fields: Any
    ) -> str:
        """A temporary download link for a generated file (``url``); free and safe to retry.

        >>> # link = await client.get_download_url(url=track.audio_url)
        """
        req = self._request(DownloadUrlRequest, request, fields)
        self._check_open()
        data = await self._transport.post(req.path, req.to_wire(), idempotent=True)
        if isinstance(data, dict):  # some hosts wrap it: {"url": ...}
            data = data.get("url") or data.get("downloadUrl")
        if not isinstance(data, str) or not data:
            raise APIResponseValidationError(f"reply to {req.path} has no URL", body=data)
        return data

    async def get_timestamped_lyrics(
        self, request: TimestampedLyricsRequest | None = None, /, **fields: Any
    ) -> TimestampedLyrics:
        """Word timings of a finished track (costs credits; sent once, never retried blindly).

        Fields: ``task_id``, ``audio_id``.

        >>> # timed = await client.get_timestamped_lyrics(task_id=t, audio_id=a)
        >>> # timed.aligned_words[0].start_s
        """
        req = self._request(TimestampedLyricsRequest, request, fields)
        return await self._immediate(req, TimestampedLyrics)

    async def boost_style(
        self, request: StyleBoostRequest | None = None, /, **fields: Any
    ) -> StyleBoost:
        """Expand a short style into a detailed one (costs credits); ``.result`` is the text.

        Fields: ``content``.

        >>> # boosted = await client.boost_style(content="Pop, Mysterious")
        """
        req = self._request(StyleBoostRequest, request, fields)
        return await self._immediate(req, StyleBoost)

    async def generate_persona(
        self, request: PersonaRequest | None = None, /, **fields: Any
    ) -> Persona:
        """A reusable persona from a finished track's vocals; ``.persona_id``.

        Fields: ``task_id``, ``audio_id``, ``name``, ``description``, ``style``,
        ``vocal_start`` / ``vocal_end`` (a 10-30 s window).

        >>> # persona = await client.generate_persona(task_id=t, audio_id=a, name="Nova",
        >>> #                                         description="airy pop")
        """
        req = self._request(PersonaRequest, request, fields)
        return await self._immediate(req, Persona)

    async def upload_file(
        self,
        source: UploadSource,
        *,
        upload_path: str,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> UploadedFile:
        """Put a file on the upload host; pass the result's ``download_url`` as ``upload_url``.

        ``source`` is a local path (streamed from disk as multipart), bytes (base64
        when small, multipart when larger than 10 MiB) or an http(s) URL string (the
        host fetches it). ``upload_path`` is the folder (no leading or trailing ``/``);
        reusing ``file_name`` overwrites. Uploads are free and safe to retry.

        >>> # up = await client.upload_file("vocals.mp3", upload_path="stems")
        >>> # job = await client.upload_cover(upload_url=up.download_url, prompt="jazz")
        """
        self._check_open()
        if isinstance(source, str) and source.startswith(("http://", "https://")):
            req_url = UrlUploadRequest(
                file_url=source, upload_path=upload_path, file_name=file_name
            )
            return await self._upload(req_url, None)
        if isinstance(source, str) and "://" in source:
            raise ValueError(f"only http(s) URLs can be uploaded from, got {source[:80]!r}")
        if isinstance(source, bytes | bytearray | memoryview):
            data = bytes(source)
            mime = mime_type or _guess_mime(file_name)
            if len(data) <= UPLOAD_BASE64_MAX_BYTES:
                req_b64 = Base64UploadRequest(
                    base64_data=base64.b64encode(data).decode("ascii"),
                    upload_path=upload_path,
                    file_name=file_name,
                    mime_type=mime,
                )
                return await self._upload(req_b64, None)
            req_stream = StreamUploadRequest(upload_path=upload_path, file_name=file_name)
            form = _form(req_stream, io.BytesIO(data), file_name or "upload", mime)
            return await self._upload(req_stream, form)
        if isinstance(source, str | os.PathLike):
            path = Path(source)
            req_file = StreamUploadRequest(upload_path=upload_path, file_name=file_name)
            mime = mime_type or _guess_mime(file_name or path.name)
            handle = await asyncio.to_thread(path.open, "rb")  # aiohttp reads it in a thread
            try:
                return await self._upload(req_file, _form(req_file, handle, path.name, mime))
            finally:
                handle.close()
        raise TypeError(
            f"upload_file takes a path, bytes or an http(s) URL, got {type(source).__name__}"
        )

    async def download(
        self,
        track_or_url: Track | str,
        dest: str | os.PathLike[str],
        *,
        max_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
    ) -> Path:
        """Save a final track (its ``audio_url``) or any result URL under ``dest``.

        ``dest`` is a directory (the name comes from the title) or a file path. The
        file is written to a temporary name and renamed into place when complete;
        larger than ``max_bytes`` or redirected to a private address raises
        :class:`~suno_async.download.DownloadError`. Returns the file's path.

        >>> # path = await client.download(record.tracks[0], "music/")
        >>> # await client.download(wav_record.wav_url, "music/song.wav")
        """
        self._check_open()
        timeouts = self._transport.timeouts
        timeout = aiohttp.ClientTimeout(
            total=DEFAULT_DOWNLOAD_TIMEOUT, sock_connect=timeouts.connect, sock_read=timeouts.read
        )
        session = self._transport.session()
        return await _download(
            session, track_or_url, dest, max_bytes=max_bytes, client_timeout=timeout
        )

    # ------------------------------------------------------------------ internals

    async def _immediate(self, request: Request, cls: type[T]) -> T:
        """POST a paid immediate call once (retried only when it provably never arrived)."""
        self._check_open()
        data = await self._transport.post(request.path, request.to_wire(), idempotent=False)
        if not isinstance(data, dict):
            raise APIResponseValidationError(
                f"reply to {request.path} has no data object", body=data
            )
        return structure(data, cls)

    async def _upload(self, request: UploadRequest, form: aiohttp.FormData | None) -> UploadedFile:
        body = None if form is not None else request.to_wire()
        data = await self._transport.post(
            request.path, body, upload=True, idempotent=True, data=form
        )
        if not isinstance(data, dict):
            raise APIResponseValidationError(
                f"reply to {request.path} has no data object", body=data
            )
        result = structure(data, UploadedFile)
        if not result.download_url:
            raise APIResponseValidationError(
                f"reply to {request.path} has no downloadUrl", body=data
            )
        return result


def _guess_mime(name: str | None) -> str | None:
    if not name:
        return None
    return mimetypes.guess_type(name)[0]


def _form(
    request: StreamUploadRequest, content: io.IOBase | Any, filename: str, mime: str | None
) -> aiohttp.FormData:
    # quote_fields=False: the part's filename is sent as is (escaped, not percent-encoded),
    # otherwise "take 1.mp3" arrives as "take%201.mp3".
    form = aiohttp.FormData(quote_fields=False)
    form.add_field(
        "file", content, filename=filename, content_type=mime or "application/octet-stream"
    )
    for key, value in request.to_wire().items():
        form.add_field(key, str(value))
    return form
