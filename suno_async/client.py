"""The :class:`SunoClient`: wiring, lifecycle, and every endpoint as a short method.

The core lives in named parts: the :class:`~suno_async._submitter.Submitter` sends
task-creating requests once (rate limit, journal claim, shielded POST), the
:class:`~suno_async._registry.JobRegistry` holds the jobs and feeds callbacks into
them, the :class:`~suno_async.jobs.scheduler.Poller` polls them and the
:class:`~suno_async._http.Transport` makes every HTTP call.

>>> import asyncio
>>> from suno_async import SunoClient, PollPolicy
>>> from suno_async.sandbox import Sandbox
>>> async def main():
...     async with Sandbox(time_scale=0.002, seed=3) as sb:
...         async with SunoClient(api_key=sb.api_key, base_url=sb.url,
...                               poll=PollPolicy(initial=0.02, maximum=0.1,
...                                               early_maximum=0.05, min_interval=0)) as c:
...             job = await c.generate(prompt="calm piano", instrumental=True)
...             record = await job
...             return [t.ready for t in record.tracks]
>>> asyncio.run(main())
[True, True]
"""

from __future__ import annotations

import asyncio
import os
import urllib.parse
from collections.abc import AsyncGenerator, Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar, overload

import aiohttp

from ._convert import structure
from ._fleet import Fleet
from ._http import UNCHANGED, Transport
from ._ratelimit import CreateLimiter
from ._registry import JobRegistry
from ._submitter import Submission, Submitter
from ._uploads import FormFactory, UploadSource, upload_body
from .batch import (
    BatchItem,
    BatchProgress,
    BatchRequest,
    MusicBatchRequest,
    batch_requests,
    iter_settled,
    progress_of,
    submit_many,
)
from .config import (
    DEFAULT_BATCH_CONCURRENCY,
    DEFAULT_DOWNLOAD_TIMEOUT,
    DEFAULT_MAX_DOWNLOAD_BYTES,
    EARLY_CALLBACK_TASKS,
    EARLY_CALLBACKS_PER_TASK,
    PROVIDERS,
    RECORDS_REMEMBERED,
    FleetPolicy,
    PollPolicy,
    RateLimit,
    RetryPolicy,
    Timeouts,
)
from .download import download as _download
from .errors import APIResponseValidationError, ClientClosedError, NotFoundError
from .jobs.job import Job
from .jobs.kinds import KINDS, JobKind, kind_named
from .jobs.scheduler import Poller
from .journal import Journal
from .models.enums import (
    Model,
    PersonaModel,
    SeparationType,
    SingerSkillLevel,
    SoundKey,
    VocalGender,
    VoiceLanguage,
)
from .models.records import (
    CoverArtRecord,
    LyricsRecord,
    MidiRecord,
    Mp4Record,
    MusicRecord,
    Record,
    RecoveryRecord,
    Track,
    VocalRemovalRecord,
    VoiceRecord,
    VoiceValidateRecord,
    WavRecord,
)
from .models.requests import (
    AddInstrumentalRequest,
    AddVocalsRequest,
    CheckVoiceRequest,
    CoverArtRequest,
    DownloadUrlRequest,
    ExtendRequest,
    GenerateRequest,
    LyricsRequest,
    MashupRequest,
    MidiRequest,
    MusicVideoRequest,
    PersonaRequest,
    RecoveryRequest,
    ReplaceSectionRequest,
    Request,
    SeparateVocalsRequest,
    SoundsRequest,
    StyleBoostRequest,
    TimestampedLyricsRequest,
    UploadCoverRequest,
    UploadExtendRequest,
    UploadRequest,
    VoiceGenerateRequest,
    VoiceRegenerateRequest,
    VoiceValidateRequest,
    WavRequest,
)
from .models.results import CheckVoice, Persona, StyleBoost, TimestampedLyrics, UploadedFile
from .store import Store, StoreSpec, store_for

__all__ = ["KindName", "SunoClient", "UploadSource"]

Q = TypeVar("Q", bound=Request)
T = TypeVar("T")

#: The task families, as ``track()`` / ``get_record()`` take them.
KindName = Literal[
    "music", "lyrics", "wav", "vocal_removal", "mp4", "midi", "cover_art", "recovery"
]


class SunoClient:
    """An async client for the Suno API family.

    ``api_key`` defaults to ``$SUNO_API_KEY``; ``base_url`` to ``$SUNO_BASE_URL`` or
    the ``provider`` preset (``"kie"``, ``"apikley"``, ``"sunoapi"``), which also picks
    the body-code table. Use it as an async context manager, or call :meth:`aclose`.
    A ``session`` passed in is used and never closed by the client.

    ``store``: state shared by every client of the account — paid-request claims and
    the rate window (:mod:`suno_async.store`): ``None`` (this process's memory), a
    path or ``"sqlite:///path"`` (several processes on one machine),
    ``"redis://host:port/db"`` (a fleet; ``pip install 'suno-async[redis]'``), or a
    :class:`~suno_async.store.Store` object (yours to close). It is opened at
    ``async with`` (an unreachable store raises
    :class:`~suno_async.errors.StoreError` there) and closed by :meth:`aclose`. Its
    keys are the account's: a hash of the API key (never the key) and the API host.
    ``journal`` (a path or :class:`~suno_async.journal.Journal`) is the SQLite store of
    that file, unscoped as in earlier versions; give ``store`` or ``journal``, not both.

    With ``store`` the clients also share their jobs (``fleet``, a
    :class:`~suno_async.config.FleetPolicy`): each task is polled by one process at a
    time (the holder of its lease), ``track(task_id)`` in any process returns a job
    resolved by whichever process observes it, a callback received by any process
    reaches the job awaited in any other, and a dead process's jobs are taken over by
    the survivors within ``lease_ttl`` (30 s). ``journal`` shares claims and the rate
    window only.

    ``callback_url``: where the API should POST results (your public webhook URL,
    served by any framework: feed each authenticated body to :meth:`ingest_callback`).
    Jobs are then polled only at the safety-net cadence
    (``PollPolicy.webhook_interval``), as with an attached receiver. When unset and no
    receiver is attached, a documented placeholder is sent (the API requires the field)
    and results are read by polling.

    Every argument is checked here, before anything can be sent: a wrong type (the
    ``PollPolicy`` class instead of an instance, a dict) is a ``TypeError`` naming the
    argument; a base URL without an http(s) scheme and a host is a ``ValueError``.
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        provider: str = "kie",
        *,
        upload_base_url: str | None = None,
        session: aiohttp.ClientSession | None = None,
        poll: PollPolicy | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        rate_limit: RateLimit | None = None,
        callback_url: str | None = None,
        journal: str | os.PathLike[str] | Journal | None = None,
        store: StoreSpec = None,
        fleet: FleetPolicy | None = None,
    ) -> None:
        if not isinstance(provider, str) or provider not in PROVIDERS:
            raise ValueError(f"provider must be one of {', '.join(PROVIDERS)}, got {provider!r}")
        _check_type("api_key", api_key, str)
        _check_type("base_url", base_url, str)
        _check_type("upload_base_url", upload_base_url, str)
        _check_type("session", session, aiohttp.ClientSession)
        _check_type("poll", poll, PollPolicy)
        _check_type("timeouts", timeouts, Timeouts)
        _check_type("retry", retry, RetryPolicy)
        _check_type("rate_limit", rate_limit, RateLimit)
        _check_type("callback_url", callback_url, str)
        _check_type("journal", journal, (str, os.PathLike, Journal))
        _check_type("store", store, (str, os.PathLike, Store))
        _check_type("fleet", fleet, FleetPolicy)
        if journal is not None and store is not None:
            raise ValueError(
                "pass store=... or journal=..., not both (a journal is the SQLite store of"
                " its file: use store='sqlite:///path' for an account-scoped one)"
            )
        key = api_key if api_key is not None else os.environ.get("SUNO_API_KEY", "")
        if not key:
            raise ValueError(
                "no API key: pass api_key=... or set SUNO_API_KEY "
                "(or run against the sandbox: suno_async.sandbox.Sandbox)"
            )
        profile = PROVIDERS[provider]
        base = _http_url("base_url", base_url or os.environ.get("SUNO_BASE_URL")
                         or profile.base_url)
        # The key goes to the upload host too: never to the preset's host when the API
        # itself lives elsewhere (argument or $SUNO_BASE_URL).
        upload = _http_url("upload_base_url", upload_base_url or (
            profile.upload_base_url if base == profile.base_url else base))
        self.provider = profile
        self.poll_policy = poll or PollPolicy()
        self.retry_policy = retry or RetryPolicy()
        self.rate_limit = rate_limit or RateLimit()
        self.callback_url = callback_url
        self.journal: Journal | None = (
            journal if isinstance(journal, Journal) or journal is None else Journal(journal)
        )
        #: The shared store (``None``: in memory); with ``journal=`` it is the journal.
        #: A bad spec (unknown scheme) is a ``ValueError`` here; nothing is opened yet.
        self.store: Store | None = (
            self.journal if self.journal is not None
            else store_for(store, api_key=key, api_host=base)
        )
        #: Whether :meth:`aclose` closes the store (not a ``Store`` object passed in).
        self._owns_store = self.journal is not None or not isinstance(store, Store)
        self._store_opened = False
        self._store_lock = asyncio.Lock()
        #: ``get_record``'s last record per (kind, task id), with its reply's fingerprint.
        self._records: dict[tuple[str, str], tuple[int, Record]] = {}
        self._transport = Transport(
            api_key=key,
            base_url=base,
            upload_base_url=upload,
            provider=profile,
            timeouts=timeouts or Timeouts(),
            retry=self.retry_policy,
            session=session,
        )
        self._poller = Poller(
            self._fetch_record,
            self.poll_policy,
            self.retry_policy,
            # callbacks come (to a receiver, or to the caller's own route that feeds
            # ingest_callback): polling is only the safety net
            webhooks_active=lambda: (
                self.registry.webhook_url is not None or self.callback_url is not None
            ),
        )
        #: The jobs and their callbacks (package-internal: see :mod:`suno_async._registry`).
        self.registry = JobRegistry(
            poller=self._poller,
            policy=self.poll_policy,
            fetch=self._record_data,
            store=self.store,
            expecting=lambda: self.submitter.expecting_callbacks(),
            early_tasks=EARLY_CALLBACK_TASKS,
            early_per_task=EARLY_CALLBACKS_PER_TASK,
        )
        #: The jobs shared with every client of the store: one poller per task, the
        #: others follow it; callbacks routed between processes (``None`` without
        #: ``store=``, or with ``FleetPolicy(enabled=False)``). See :mod:`suno_async._fleet`.
        self.fleet: Fleet | None = None
        policy = fleet or FleetPolicy()
        if self.store is not None and self.journal is None and policy.enabled:
            self.fleet = Fleet(
                self.store, policy, self.poll_policy, poller=self._poller, ready=self._open_store
            )
            self.registry.share_with(self.fleet)
        #: Task-creating calls (package-internal: see :mod:`suno_async._submitter`).
        self.submitter = Submitter(
            transport=self._transport,
            limiter=CreateLimiter(self.rate_limit, self.store),
            registry=self.registry,
            store=self.store,
            callback_url=lambda: self.registry.webhook_url or self.callback_url,
            ready=self._open_store,
        )
        self._closed = False

    def __repr__(self) -> str:
        return (
            f"SunoClient(base_url={self._transport.base_url!r}, "
            f"provider={self.provider.name!r}, jobs={len(self.registry.jobs)})"
        )

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> SunoClient:
        return await self.open()

    async def open(self) -> SunoClient:
        """Open the shared store now, as ``async with`` does (optional otherwise: the
        store opens on first use). An unreachable or unusable store raises
        :class:`~suno_async.errors.StoreError` (a ``JournalError``) and closes the client.
        """
        try:
            await self._open_store()
        except BaseException:
            await self.aclose()  # nothing may be left open by a failed open
            raise
        return self

    async def _open_store(self) -> None:
        """Open the store once (at ``async with``, or on first use without it).

        A journal opens lazily, as before (a damaged file fails its first write)."""
        if self._store_opened or self.store is None or self.store is self.journal:
            return
        async with self._store_lock:
            if not self._store_opened:
                self._check_open()
                await self.store.open()
                if self.fleet is not None:
                    await self.fleet.start()  # the fleet's token, then the feed
                self._store_opened = True

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop polling, end every pending wait with ``ClientClosedError``, close the session.

        Task-creating calls already sent are allowed to finish first (their task ids
        are registered, never lost).
        """
        if self._closed:
            return
        self._closed = True
        await self.submitter.aclose()
        await self._poller.aclose()
        if self.fleet is not None:
            await self.fleet.aclose()  # leases given back: survivors take over at once
        await self.registry.aclose()
        if self.store is not None and self._owns_store:
            await self.store.aclose()
        await self._transport.aclose()

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    @property
    def jobs(self) -> Mapping[str, Job[Record]]:
        """Jobs known to this client, by task id: every unfinished job and the most
        recently settled ones (``config.SETTLED_JOBS_KEPT``)."""
        return self.registry.jobs

    # ------------------------------------------------------------------ endpoints

    async def generate(
        self,
        request: GenerateRequest | None = None,
        /,
        *,
        negative_tags: str | None = None,
        vocal_gender: VocalGender | str | None = None,
        style_weight: float | None = None,
        weirdness_constraint: float | None = None,
        audio_weight: float | None = None,
        prompt: str | None = None,
        custom_mode: bool | None = None,
        instrumental: bool | None = None,
        model: Model | str | None = None,
        style: str | None = None,
        title: str | None = None,
        persona_id: str | None = None,
        call_back_url: str | None = None,
        persona_model: PersonaModel | str | None = None,
        duration: int | None = None,
        image_urls: Sequence[str] | None = None,
        audio_urls: Sequence[str] | None = None,
        video_urls: Sequence[str] | None = None,
    ) -> Job[MusicRecord]:
        """Create music from text (two tracks); returns a :class:`Job` at once.

        Takes a :class:`GenerateRequest` or its fields as keywords (``prompt``,
        ``custom_mode``, ``instrumental``, ``model``, ``style``, ``title``,
        ``negative_tags``, ``vocal_gender``, ``style_weight``,
        ``weirdness_constraint``, ``audio_weight``, ``persona_id``,
        ``call_back_url``). Invalid input raises ``RequestValidationError`` and sends
        nothing.
        """
        return await self._create(_build(GenerateRequest, request, locals(), self.provider.name))

    async def upload_cover(
        self,
        request: UploadCoverRequest | None = None,
        /,
        *,
        negative_tags: str | None = None,
        vocal_gender: VocalGender | str | None = None,
        style_weight: float | None = None,
        weirdness_constraint: float | None = None,
        audio_weight: float | None = None,
        prompt: str | None = None,
        custom_mode: bool | None = None,
        instrumental: bool | None = None,
        model: Model | str | None = None,
        style: str | None = None,
        title: str | None = None,
        persona_id: str | None = None,
        upload_url: str | None = None,
        call_back_url: str | None = None,
        persona_model: PersonaModel | str | None = None,
        duration: int | None = None,
        image_urls: Sequence[str] | None = None,
        audio_urls: Sequence[str] | None = None,
        video_urls: Sequence[str] | None = None,
    ) -> Job[MusicRecord]:
        """Cover uploaded audio (``upload_url``) in a new style; fields as for :meth:`generate`."""
        return await self._create(_build(UploadCoverRequest, request, locals(), self.provider.name))

    async def add_instrumental(
        self,
        request: AddInstrumentalRequest | None = None,
        /,
        *,
        negative_tags: str | None = None,
        vocal_gender: VocalGender | str | None = None,
        style_weight: float | None = None,
        weirdness_constraint: float | None = None,
        audio_weight: float | None = None,
        upload_url: str | None = None,
        title: str | None = None,
        tags: str | None = None,
        model: Model | str | None = None,
        call_back_url: str | None = None,
    ) -> Job[MusicRecord]:
        """Generate accompaniment for a vocal stem (``upload_url``, ``title``, ``tags``,
        ``negative_tags``; ``model`` V4_5PLUS or V5)."""
        req = _build(AddInstrumentalRequest, request, locals(), self.provider.name)
        return await self._create(req)

    async def extend(
        self,
        request: ExtendRequest | None = None,
        /,
        *,
        negative_tags: str | None = None,
        vocal_gender: VocalGender | str | None = None,
        style_weight: float | None = None,
        weirdness_constraint: float | None = None,
        audio_weight: float | None = None,
        audio_id: str | None = None,
        default_param_flag: bool | None = None,
        model: Model | str | None = None,
        prompt: str | None = None,
        style: str | None = None,
        title: str | None = None,
        continue_at: float | None = None,
        persona_id: str | None = None,
        call_back_url: str | None = None,
        persona_model: PersonaModel | str | None = None,
    ) -> Job[MusicRecord]:
        """Extend a generated track; returns a music :class:`Job` at once.

        Fields: ``audio_id``, ``default_param_flag`` (False: inherit the source's
        parameters; True: use ``prompt``, ``style``, ``title``, ``continue_at``),
        ``model`` (the source's), ``negative_tags``, ``vocal_gender``, ``style_weight``,
        ``weirdness_constraint``, ``audio_weight``, ``persona_id``, ``call_back_url``.

        >>> # job = await client.extend(audio_id=track.id, model="V5")
        """
        return await self._create(_build(ExtendRequest, request, locals(), self.provider.name))

    async def upload_extend(
        self,
        request: UploadExtendRequest | None = None,
        /,
        *,
        negative_tags: str | None = None,
        vocal_gender: VocalGender | str | None = None,
        style_weight: float | None = None,
        weirdness_constraint: float | None = None,
        audio_weight: float | None = None,
        upload_url: str | None = None,
        default_param_flag: bool | None = None,
        instrumental: bool | None = None,
        model: Model | str | None = None,
        prompt: str | None = None,
        style: str | None = None,
        title: str | None = None,
        continue_at: float | None = None,
        persona_id: str | None = None,
        call_back_url: str | None = None,
        persona_model: PersonaModel | str | None = None,
    ) -> Job[MusicRecord]:
        """Extend uploaded audio (``upload_url``); a music :class:`Job`.

        Fields: ``upload_url``, ``default_param_flag``, ``instrumental``, ``prompt``,
        ``style``, ``title``, ``continue_at``, ``model`` and the shared options.

        >>> # job = await client.upload_extend(upload_url=up.download_url, prompt="go on")
        """
        req = _build(UploadExtendRequest, request, locals(), self.provider.name)
        return await self._create(req)

    async def add_vocals(
        self,
        request: AddVocalsRequest | None = None,
        /,
        *,
        negative_tags: str | None = None,
        vocal_gender: VocalGender | str | None = None,
        style_weight: float | None = None,
        weirdness_constraint: float | None = None,
        audio_weight: float | None = None,
        upload_url: str | None = None,
        prompt: str | None = None,
        title: str | None = None,
        style: str | None = None,
        model: Model | str | None = None,
        call_back_url: str | None = None,
    ) -> Job[MusicRecord]:
        """Sing over an uploaded instrumental; a music :class:`Job`.

        Fields: ``upload_url``, ``prompt`` (lyrics), ``title``, ``style``,
        ``negative_tags``, ``model`` (V4_5PLUS default, V5, V5_5) and the shared options.

        >>> # job = await client.add_vocals(upload_url=u, prompt="[Verse] ...", title="T",
        >>> #                               style="soul", negative_tags="metal")
        """
        return await self._create(_build(AddVocalsRequest, request, locals(), self.provider.name))

    async def replace_section(
        self,
        request: ReplaceSectionRequest | None = None,
        /,
        *,
        prompt: str | None = None,
        tags: str | None = None,
        title: str | None = None,
        full_lyrics: str | None = None,
        infill_start_s: float | None = None,
        infill_end_s: float | None = None,
        task_id: str | None = None,
        audio_id: str | None = None,
        upload_url: str | None = None,
        model: Model | str | None = None,
        negative_tags: str | None = None,
        call_back_url: str | None = None,
        source_duration: float | None = None,
    ) -> Job[MusicRecord]:
        """Regenerate a 6-60 s window of a track; a music :class:`Job`.

        Fields: ``prompt``, ``tags``, ``title``, ``full_lyrics``, ``infill_start_s``,
        ``infill_end_s``, and ``task_id`` + ``audio_id`` or ``upload_url`` + ``model``;
        ``negative_tags``, ``call_back_url``.

        >>> # job = await client.replace_section(task_id=t, audio_id=a, prompt="new line",
        >>> #     tags="pop", title="T", full_lyrics=lyrics, infill_start_s=10, infill_end_s=20)
        """
        req = _build(ReplaceSectionRequest, request, locals(), self.provider.name)
        return await self._create(req)

    async def mashup(
        self,
        request: MashupRequest | None = None,
        /,
        *,
        negative_tags: str | None = None,
        vocal_gender: VocalGender | str | None = None,
        style_weight: float | None = None,
        weirdness_constraint: float | None = None,
        audio_weight: float | None = None,
        upload_url_list: Sequence[str] | None = None,
        prompt: str | None = None,
        custom_mode: bool | None = None,
        instrumental: bool | None = None,
        model: Model | str | None = None,
        style: str | None = None,
        title: str | None = None,
        call_back_url: str | None = None,
        persona_id: str | None = None,
        persona_model: PersonaModel | str | None = None,
        lyrics: str | None = None,
        variety: int | None = None,
        duration: int | None = None,
    ) -> Job[MusicRecord]:
        """Blend exactly two uploaded tracks; a music :class:`Job`.

        Fields: ``upload_url_list`` (two URLs), ``custom_mode``, ``instrumental``,
        ``model``, ``prompt``, ``style``, ``title`` and the shared options.

        >>> # job = await client.mashup(upload_url_list=[a, b], prompt="club edit")
        """
        return await self._create(_build(MashupRequest, request, locals(), self.provider.name))

    async def generate_sounds(
        self,
        request: SoundsRequest | None = None,
        /,
        *,
        prompt: str | None = None,
        model: Model | str | None = None,
        sound_loop: bool | None = None,
        sound_tempo: int | None = None,
        sound_key: SoundKey | str | None = None,
        grab_lyrics: bool | None = None,
        call_back_url: str | None = None,
    ) -> Job[MusicRecord]:
        """Sound effects and loops (V5 only); a music :class:`Job` (results are tracks).

        Fields: ``prompt`` (<= 500 chars), ``sound_loop``, ``sound_tempo`` (1-300 BPM),
        ``sound_key`` (:class:`SoundKey`), ``grab_lyrics``, ``call_back_url``.

        >>> # job = await client.generate_sounds(prompt="rain", sound_loop=True)
        """
        return await self._create(_build(SoundsRequest, request, locals(), self.provider.name))

    async def generate_lyrics(
        self,
        request: LyricsRequest | None = None,
        /,
        *,
        prompt: str | None = None,
        call_back_url: str | None = None,
    ) -> Job[LyricsRecord]:
        """Lyrics only (normally two variants); a lyrics :class:`Job`.

        Fields: ``prompt`` (at most 200 words), ``call_back_url``.

        >>> # record = await (await client.generate_lyrics(prompt="city night"))
        >>> # record.variants[0].text
        """
        return await self._create(_build(LyricsRequest, request, locals(), self.provider.name))

    async def convert_to_wav(
        self,
        request: WavRequest | None = None,
        /,
        *,
        task_id: str | None = None,
        audio_id: str | None = None,
        call_back_url: str | None = None,
    ) -> Job[WavRecord]:
        """WAV of a generated track; a wav :class:`Job` whose record has ``wav_url``.

        Fields: ``task_id``, ``audio_id``, ``call_back_url``.

        >>> # wav = await (await client.convert_to_wav(task_id=t, audio_id=a))
        """
        return await self._create(_build(WavRequest, request, locals(), self.provider.name))

    async def separate_vocals(
        self,
        request: SeparateVocalsRequest | None = None,
        /,
        *,
        task_id: str | None = None,
        audio_id: str | None = None,
        type: SeparationType | str | None = None,
        call_back_url: str | None = None,
        stem_name: str | None = None,
        audio_url: str | None = None,
    ) -> Job[VocalRemovalRecord]:
        """Stems of a generated track; a vocal-removal :class:`Job` (``record.stems``).

        Fields: ``task_id``, ``audio_id``, ``type`` (``separate_vocal`` default or
        ``split_stem``), ``call_back_url``.

        >>> # sep = await (await client.separate_vocals(task_id=t, audio_id=a))
        >>> # sep.stems["vocal"], sep.origin_data[0].id
        """
        req = _build(SeparateVocalsRequest, request, locals(), self.provider.name)
        return await self._create(req)

    async def generate_midi(
        self,
        request: MidiRequest | None = None,
        /,
        *,
        task_id: str | None = None,
        audio_id: str | None = None,
        call_back_url: str | None = None,
    ) -> Job[MidiRecord]:
        """MIDI notes from a finished separation; a midi :class:`Job` (``instruments``).

        Fields: ``task_id`` (the separation task), ``audio_id`` (optional stem id),
        ``call_back_url``.

        >>> # midi = await (await client.generate_midi(task_id=separation_task_id))
        """
        return await self._create(_build(MidiRequest, request, locals(), self.provider.name))

    async def create_music_video(
        self,
        request: MusicVideoRequest | None = None,
        /,
        *,
        task_id: str | None = None,
        audio_id: str | None = None,
        author: str | None = None,
        domain_name: str | None = None,
        call_back_url: str | None = None,
    ) -> Job[Mp4Record]:
        """A music video of a track; an mp4 :class:`Job` whose record has ``video_url``.

        Fields: ``task_id``, ``audio_id``, ``author`` and ``domain_name`` (<= 50 chars),
        ``call_back_url``.

        >>> # video = await (await client.create_music_video(task_id=t, audio_id=a))
        """
        return await self._create(_build(MusicVideoRequest, request, locals(), self.provider.name))

    async def generate_cover_art(
        self,
        request: CoverArtRequest | None = None,
        /,
        *,
        task_id: str | None = None,
        call_back_url: str | None = None,
    ) -> Job[CoverArtRecord]:
        """Cover images for a music task; a cover-art :class:`Job` (``record.images``).

        Fields: ``task_id``, ``call_back_url``. One cover per music task.

        >>> # art = await (await client.generate_cover_art(task_id=t))
        """
        return await self._create(_build(CoverArtRequest, request, locals(), self.provider.name))

    async def recover_audio(
        self,
        request: RecoveryRequest | None = None,
        /,
        *,
        suno_task_id: str | None = None,
        call_back_url: str | None = None,
    ) -> Job[RecoveryRecord]:
        """Fresh audio links for a music task whose links expired; a recovery :class:`Job`.

        Fields: ``suno_task_id`` (the music task), ``call_back_url``. The final record's
        ``tracks`` carry the new ``audio_url`` per track (``.ok`` per track); when every
        track fails the job raises ``GenerationFailedError``.

        >>> # recovered = await (await client.recover_audio(suno_task_id=t))
        >>> # [t.audio_url for t in recovered.tracks if t.ok]
        """
        return await self._create(_build(RecoveryRequest, request, locals(), self.provider.name))

    # ------------------------------------------------------------------ Suno Voice
    # Consent-gated (kie): a voice is built only from a recording of the singer reading
    # a verification phrase; use it only with the singer's consent.

    async def validate_voice(
        self,
        request: VoiceValidateRequest | None = None,
        /,
        *,
        voice_url: str | None = None,
        vocal_start_s: float | None = None,
        vocal_end_s: float | None = None,
        language: VoiceLanguage | str | None = None,
        call_back_url: str | None = None,
    ) -> Job[VoiceValidateRecord]:
        """Start a Suno Voice (consent-gated, free): the job's record carries the phrase
        the singer must read (``record.validate_info``).

        >>> # phrase = (await (await client.validate_voice(voice_url=u))).validate_info
        """
        req = _build(VoiceValidateRequest, request, locals(), self.provider.name)
        return await self._create(req)

    async def regenerate_voice_phrase(
        self,
        request: VoiceRegenerateRequest | None = None,
        /,
        *,
        task_id: str | None = None,
        call_back_url: str | None = None,
    ) -> Job[VoiceValidateRecord]:
        """A new verification phrase for a validation task (``task_id``; consent-gated)."""
        req = _build(VoiceRegenerateRequest, request, locals(), self.provider.name)
        return await self._create(req)

    async def generate_voice(
        self,
        request: VoiceGenerateRequest | None = None,
        /,
        *,
        task_id: str | None = None,
        verify_url: str | None = None,
        voice_name: str | None = None,
        description: str | None = None,
        style: str | None = None,
        singer_skill_level: SingerSkillLevel | str | None = None,
        call_back_url: str | None = None,
    ) -> Job[VoiceRecord]:
        """Build the voice from the recorded phrase (consent-gated); the final record's
        ``voice_id`` is a ``persona_id`` for ``persona_model="voice_persona"``."""
        req = _build(VoiceGenerateRequest, request, locals(), self.provider.name)
        return await self._create(req)

    async def check_voice(
        self, request: CheckVoiceRequest | None = None, /, *, task_id: str | None = None
    ) -> CheckVoice:
        """Whether a generated voice can be used (immediate; consent-gated family)."""
        req = _build(CheckVoiceRequest, request, locals(), self.provider.name)
        return await self._immediate(req, CheckVoice)

    async def get_download_url(
        self,
        request: DownloadUrlRequest | None = None,
        /,
        *,
        url: str | None = None,
    ) -> str:
        """A temporary download link for a generated file (``url``); free and safe to retry.

        >>> # link = await client.get_download_url(url=track.audio_url)
        """
        req = _build(DownloadUrlRequest, request, locals(), self.provider.name)
        return await self._download_url(req)

    async def get_timestamped_lyrics(
        self,
        request: TimestampedLyricsRequest | None = None,
        /,
        *,
        task_id: str | None = None,
        audio_id: str | None = None,
    ) -> TimestampedLyrics:
        """Word timings of a finished track (costs credits; sent once, never retried blindly).

        Fields: ``task_id``, ``audio_id``.

        >>> # timed = await client.get_timestamped_lyrics(task_id=t, audio_id=a)
        >>> # timed.aligned_words[0].start_s
        """
        req = _build(TimestampedLyricsRequest, request, locals(), self.provider.name)
        return await self._immediate(req, TimestampedLyrics)

    async def boost_style(
        self,
        request: StyleBoostRequest | None = None,
        /,
        *,
        content: str | None = None,
    ) -> StyleBoost:
        """Expand a short style into a detailed one (costs credits); ``.result`` is the text.

        Fields: ``content``.

        >>> # boosted = await client.boost_style(content="Pop, Mysterious")
        """
        req = _build(StyleBoostRequest, request, locals(), self.provider.name)
        return await self._immediate(req, StyleBoost)

    async def generate_persona(
        self,
        request: PersonaRequest | None = None,
        /,
        *,
        task_id: str | None = None,
        audio_id: str | None = None,
        name: str | None = None,
        description: str | None = None,
        style: str | None = None,
        vocal_start: float | None = None,
        vocal_end: float | None = None,
    ) -> Persona:
        """A reusable persona from a finished track's vocals; ``.persona_id``.

        Fields: ``task_id``, ``audio_id``, ``name``, ``description``, ``style``,
        ``vocal_start`` / ``vocal_end`` (a 10-30 s window).

        >>> # persona = await client.generate_persona(task_id=t, audio_id=a, name="Nova",
        >>> #                                         description="airy pop")
        """
        req = _build(PersonaRequest, request, locals(), self.provider.name)
        return await self._immediate(req, Persona)

    # ------------------------------------------------------------------ files

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
        reusing ``file_name`` overwrites. Uploads are free and safe to retry (the body
        is rebuilt for every attempt).

        >>> # up = await client.upload_file("vocals.mp3", upload_path="stems")
        >>> # job = await client.upload_cover(upload_url=up.download_url, prompt="jazz")
        """
        self._check_open()
        async with upload_body(
            source, upload_path=upload_path, file_name=file_name, mime_type=mime_type
        ) as (request, form):
            return await self._upload(request, form)

    async def download(
        self,
        track_or_url: Track | str,
        dest: str | os.PathLike[str],
        *,
        max_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
        allow_private: bool = False,
    ) -> Path:
        """Save a final track (its ``audio_url``) or any result URL under ``dest``.

        Media on private or loopback addresses is refused unless the API itself is on
        loopback (the sandbox) or ``allow_private=True``.

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
        return await _download(
            None, track_or_url, dest, max_bytes=max_bytes, client_timeout=timeout,
            # loopback media only when the API itself is on loopback (the sandbox)
            api_base_url=self._transport.base_url, allow_private=allow_private,
        )

    # ------------------------------------------------------------------ batches

    @overload
    async def generate_many(
        self, requests: Iterable[MusicBatchRequest], *, concurrency: int = ...,
        on_item: Callable[[BatchItem[MusicRecord]], object] | None = ...,
    ) -> list[BatchItem[MusicRecord]]: ...
    @overload
    async def generate_many(
        self, requests: Iterable[BatchRequest], *, concurrency: int = ...,
        on_item: Callable[[BatchItem[Record]], object] | None = ...,
    ) -> list[BatchItem[Record]]: ...

    async def generate_many(
        self,
        requests: Iterable[BatchRequest],
        *,
        concurrency: int = DEFAULT_BATCH_CONCURRENCY,
        on_item: Callable[[BatchItem[Any]], object] | None = None,
    ) -> list[BatchItem[Any]]:
        """Submit many requests (any task-creating request objects, not only generate;
        a mapping is taken as :class:`GenerateRequest` fields).

        Every item is checked before anything is sent: a wrong type or a request that
        creates no task raises ``TypeError`` naming its index. At most
        ``concurrency`` jobs are unfinished at once (not only in submission); items
        wait for their turn at the rate limiter however long the queue is. Returns a
        :class:`~suno_async.batch.BatchItem` per request in input order, once the last
        is submitted (``BatchItem[MusicRecord]`` for music requests); a failed
        submission is reported on its item and the batch goes on. With a journal,
        requests submitted by an earlier run are re-attached, not re-sent.
        Follow up with ``suno_async.as_completed(items)``, or use
        :meth:`generate_many_iter` to see items as they settle.
        """
        self._check_open()
        return await submit_many(
            self.submitter, requests, concurrency=concurrency, on_item=on_item
        )

    @overload
    def generate_many_iter(
        self, requests: Iterable[MusicBatchRequest], *, concurrency: int = ...,
        on_item: Callable[[BatchItem[MusicRecord]], object] | None = ...,
    ) -> AsyncGenerator[BatchItem[MusicRecord], None]: ...
    @overload
    def generate_many_iter(
        self, requests: Iterable[BatchRequest], *, concurrency: int = ...,
        on_item: Callable[[BatchItem[Record]], object] | None = ...,
    ) -> AsyncGenerator[BatchItem[Record], None]: ...

    def generate_many_iter(
        self,
        requests: Iterable[BatchRequest],
        *,
        concurrency: int = DEFAULT_BATCH_CONCURRENCY,
        on_item: Callable[[BatchItem[Any]], object] | None = None,
    ) -> AsyncGenerator[BatchItem[Any], None]:
        """:meth:`generate_many`, yielding each item as it settles (progress bars).

        A failed submission is yielded at once, a job once it succeeded, failed or
        stopped being tracked; the first item comes as soon as it settles, while later
        requests still wait for a slot. ``item.record`` is the final record or
        ``None``, ``item.failure`` the error. Items are checked at the call, as by
        :meth:`generate_many`. Leaving the loop early sends
        nothing more (created jobs keep running on the client).

        >>> from suno_async.sandbox import Sandbox
        >>> fast = PollPolicy(initial=0.02, maximum=0.1, early_maximum=0.05, min_interval=0)
        >>> async def main():
        ...     async with Sandbox(time_scale=0.002, seed=4) as sb, SunoClient(
        ...             api_key=sb.api_key, base_url=sb.url, poll=fast) as client:
        ...         requests = [GenerateRequest(prompt="ok"), {"prompt": "[[fail]] no"}]
        ...         return [(item.index, item.record is None, type(item.failure).__name__)
        ...                 async for item in client.generate_many_iter(requests)]
        >>> sorted(asyncio.run(main()))
        [(0, False, 'NoneType'), (1, True, 'GenerationFailedError')]
        """
        self._check_open()
        return iter_settled(self.submitter, requests, concurrency=concurrency, on_item=on_item)

    async def batch_progress(self, requests: Iterable[BatchRequest]) -> BatchProgress:
        """Where each request of a batch stands, as every process sharing the store sees
        it: from any worker of a batch spread over processes or machines, or from one
        that runs none of it. Sends nothing to the API.

        ``requests`` are the batch's requests as given to :meth:`generate_many` (same
        order: identical requests are told apart by their position among copies).
        Needs ``store=`` or ``journal=`` (without one, no other process is visible).
        The jobs this client has seen finish are counted finished (their outcome writes
        are awaited first, at most ``JOURNAL_DRAIN_TIMEOUT``).

        >>> from suno_async.sandbox import Sandbox
        >>> fast = PollPolicy(initial=0.02, maximum=0.1, early_maximum=0.05, min_interval=0)
        >>> async def main(path):
        ...     batch = [{"prompt": "a"}, {"prompt": "[[fail]] b"}, {"prompt": "c"}]
        ...     async with Sandbox(time_scale=0.002, seed=4) as sb:
        ...         async with SunoClient(api_key=sb.api_key, base_url=sb.url, poll=fast,
        ...                               store=path) as worker:
        ...             items = await worker.generate_many(batch[:2])
        ...             jobs = [item.job for item in items if item.job is not None]
        ...             await suno_async.gather(*jobs, return_exceptions=True)
        ...         async with SunoClient(api_key=sb.api_key, base_url=sb.url,
        ...                               store=path) as onlooker:
        ...             return str(await onlooker.batch_progress(batch))
        >>> import tempfile, os, suno_async
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     asyncio.run(main(os.path.join(tmp, "jobs.sqlite3")))
        '2/3 done (1 ok, 1 failed), 1 waiting'
        """
        self._check_open()
        checked = batch_requests(requests)
        if self.store is None:
            raise ValueError(
                "batch_progress() reads the shared store, and this client has none: "
                "SunoClient(store='sqlite:///jobs.sqlite3') (or journal=) in every worker"
            )
        await self._open_store()
        await self.registry.outcomes_written()  # what this client saw end is in the view
        return await progress_of(self.store, checked)

    async def resume(self) -> list[Job[Record]]:
        """Re-attach every unfinished task recorded in the journal or store (after a
        crash, or another worker's)."""
        self._check_open()
        if self.store is None:
            raise ValueError(
                "resume() needs a journal or store: SunoClient(journal='jobs.sqlite3')"
                " or SunoClient(store='sqlite:///jobs.sqlite3')"
            )
        await self._open_store()
        unfinished = await self.store.unfinished()
        # rows of other kinds (the CLI's download claims) are not tasks to track
        return [
            self.registry.track(e.task_id, kind_named(e.kind)) for e in unfinished
            if e.kind in KINDS
        ]

    # ------------------------------------------------------------------ tracking

    @overload
    def track(self, task_id: str, kind: Literal["music"] = ...) -> Job[MusicRecord]: ...
    @overload
    def track(self, task_id: str, kind: Literal["lyrics"]) -> Job[LyricsRecord]: ...
    @overload
    def track(self, task_id: str, kind: Literal["wav"]) -> Job[WavRecord]: ...
    @overload
    def track(self, task_id: str, kind: Literal["vocal_removal"]) -> Job[VocalRemovalRecord]: ...
    @overload
    def track(self, task_id: str, kind: Literal["mp4"]) -> Job[Mp4Record]: ...
    @overload
    def track(self, task_id: str, kind: Literal["midi"]) -> Job[MidiRecord]: ...
    @overload
    def track(self, task_id: str, kind: Literal["cover_art"]) -> Job[CoverArtRecord]: ...
    @overload
    def track(self, task_id: str, kind: Literal["recovery"]) -> Job[RecoveryRecord]: ...
    @overload
    def track(self, task_id: str, kind: str) -> Job[Record]: ...

    def track(self, task_id: str, kind: str = "music") -> Job[Any]:
        """A job handle for an existing task (after a restart, from another process).

        Returns the same handle when the task is already tracked by this client.
        ``kind`` is the task family (:data:`KindName`).
        """
        self._check_open()
        return self.registry.track(_task_id(task_id), kind_named(kind))

    @overload
    async def get_record(self, task_id: str, kind: Literal["music"] = ...) -> MusicRecord: ...
    @overload
    async def get_record(self, task_id: str, kind: Literal["lyrics"]) -> LyricsRecord: ...
    @overload
    async def get_record(self, task_id: str, kind: Literal["wav"]) -> WavRecord: ...
    @overload
    async def get_record(
        self, task_id: str, kind: Literal["vocal_removal"]
    ) -> VocalRemovalRecord: ...
    @overload
    async def get_record(self, task_id: str, kind: Literal["mp4"]) -> Mp4Record: ...
    @overload
    async def get_record(self, task_id: str, kind: Literal["midi"]) -> MidiRecord: ...
    @overload
    async def get_record(self, task_id: str, kind: Literal["cover_art"]) -> CoverArtRecord: ...
    @overload
    async def get_record(self, task_id: str, kind: Literal["recovery"]) -> RecoveryRecord: ...
    @overload
    async def get_record(self, task_id: str, kind: str) -> Record: ...

    async def get_record(self, task_id: str, kind: str = "music") -> Any:
        """Fetch a task's record once, without tracking it.

        Raises :class:`~suno_async.errors.NotFoundError` when the API does not know it.
        """
        self._check_open()
        task_id = _task_id(task_id)
        job_kind = kind_named(kind)
        key = (job_kind.name, task_id)
        known = self._records.pop(key, None)
        reply, data = await self._transport.poll(
            job_kind.record_path,
            {job_kind.id_param: task_id},
            last=None if known is None else known[0],
            envelope_codes=job_kind.envelope_codes,
            retry=True,
        )
        if data is UNCHANGED:
            assert known is not None
            record = known[1]  # the same reply: the same (frozen) record, not decoded
        elif data is None:
            raise NotFoundError(f"no {kind} task {task_id}", code=200, msg="data is null")
        else:
            record = job_kind.parse(data)
        if len(self._records) >= RECORDS_REMEMBERED:
            del self._records[next(iter(self._records))]
        self._records[key] = (reply, record)
        return record

    async def get_credits(self) -> float:
        """The account's remaining credits."""
        self._check_open()
        data = await self._transport.get(self.provider.credits_path)
        if isinstance(data, bool) or not isinstance(data, int | float | str):
            raise APIResponseValidationError("credits reply is not a number", body=data)
        try:
            return float(data)
        except ValueError:
            raise APIResponseValidationError("credits reply is not a number", body=data) from None

    # ------------------------------------------------------------------ callbacks

    def ingest_callback(self, body: object) -> bool:
        """Feed a callback payload (already authenticated) into its job.

        Returns ``True`` when it reached a known job. While a task-creating call is
        in flight, callbacks for unknown task ids are buffered (bounded) and applied
        if that id registers; otherwise they are ignored.
        """
        return self.registry.ingest_callback(body)

    # Old private entry points, kept as one-line shims until webhooks.py and the
    # tests use ``client.registry`` / ``client.submitter`` (removed at merge).
    @property
    def _early(self) -> dict[str, tuple[float, list[Any]]]:
        return self.registry.early_buffer

    @property
    def _submits(self) -> dict[asyncio.Task[Any], Submission]:
        return self.submitter.in_flight

    @property
    def _webhook_url(self) -> str | None:
        return self.registry.webhook_url

    def _journal_key(self, request: Request, occurrence: int) -> str:
        return self.submitter.journal_key(request, occurrence)

    # ------------------------------------------------------------------ internals

    def _check_open(self) -> None:
        if self._closed:
            raise ClientClosedError("the client is closed")

    async def _create(self, request: Request) -> Job[Any]:
        """Send a task-creating request and register its task id, come what may."""
        self._check_open()
        return await self.submitter.create(request)

    async def _immediate(self, request: Request, cls: type[T]) -> T:
        """POST a paid immediate call once (retried only when it provably never arrived)."""
        self._check_open()
        data = await self._transport.post(request.path, request.to_wire(), idempotent=False)
        if not isinstance(data, dict):
            raise APIResponseValidationError(
                f"reply to {request.path} has no data object", body=data
            )
        return structure(data, cls)

    async def _download_url(self, request: DownloadUrlRequest) -> str:
        self._check_open()
        data = await self._transport.post(request.path, request.to_wire(), idempotent=True)
        if isinstance(data, dict):  # some hosts wrap it: {"url": ...}
            data = data.get("url") or data.get("downloadUrl")
        if not isinstance(data, str) or not data:
            raise APIResponseValidationError(f"reply to {request.path} has no URL", body=data)
        return data

    async def _upload(self, request: UploadRequest, form: FormFactory | None) -> UploadedFile:
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

    async def _fetch_record(self, job: Job[Any], last: int | None) -> tuple[int, Any]:
        """The poller's poll of ``job`` (see :data:`~suno_async.jobs.scheduler.Fetch`)."""
        kind = job.kind
        reply, data = await self._transport.poll(
            kind.record_path,
            {kind.id_param: job.task_id},
            envelope_codes=kind.envelope_codes,
            last=last,
        )
        if self.fleet is not None and data is not None and data is not UNCHANGED:
            self.fleet.observed(job, data)  # shared with the processes following it
        return reply, data

    async def _record_data(self, kind: JobKind, task_id: str) -> Any:
        """The raw record of ``task_id`` from its family's record-info endpoint."""
        return await self._transport.get(
            kind.record_path, {kind.id_param: task_id}, envelope_codes=kind.envelope_codes
        )


def _build(cls: type[Q], request: Q | None, scope: Mapping[str, Any], host: str) -> Q:
    """The request of an endpoint method: the object passed, or one built from the
    keyword arguments that were given (``None`` means "not given"), validated for the
    client's provider ``host`` (its models, limits and fields)."""
    fields = {k: v for k, v in scope.items() if k not in ("self", "request") and v is not None}
    if request is not None:
        if fields:
            raise TypeError("pass either a request object or keyword fields, not both")
        if not isinstance(request, cls):
            raise TypeError(f"expected {cls.__name__}, got {type(request).__name__}")
        return request.for_host(host)
    return cls(**fields, host=host)


def _check_type(name: str, value: object, expected: type | tuple[type, ...]) -> None:
    """``value`` is ``None`` or an instance of ``expected``; else a TypeError naming it."""
    if value is None or (isinstance(value, expected) and not isinstance(value, type)):
        return
    kinds = expected if isinstance(expected, tuple) else (expected,)
    wanted = " or ".join(k.__name__ for k in kinds)
    shown = f"the class {value.__name__}" if isinstance(value, type) else type(value).__name__
    raise TypeError(f"{name} must be a {wanted} instance or None, got {shown}")


def _http_url(name: str, url: str) -> str:
    """``url`` if it is an http(s) URL with a host; else a ValueError naming ``name``."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not host:
        raise ValueError(
            f"{name} must be an http:// or https:// URL with a host, got {url[:80]!r}"
        )
    return url


def _task_id(task_id: object) -> str:
    if not isinstance(task_id, str) or not task_id:
        raise TypeError(f"task_id must be a non-empty str, got {task_id!r}")
    return task_id
