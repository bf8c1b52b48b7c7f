"""Other families (REFERENCE §4 rows 14-26, 28, 29): lyrics, wav, vocal removal, midi, mp4,
cover art, credits, download links, recovery audio."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from . import media, rules
from .creation import Draft, submit
from .markers import MARKER_FIELDS, find_markers
from .records import SEPARATE_STEMS, SPLIT_STEMS, advanced_parts, recovery_record
from .replies import (
    NO_COVER_SOURCE,
    NO_RECORD,
    NO_RECOVERY_RECORD,
    NO_RECOVERY_SOURCE,
    URL_IS_WRONG,
    envelope,
    invalid,
    json_reply,
    key_of,
    ok,
    read_body,
    state_of,
)
from .routes_files import generated_here
from .routes_music import polled_task, record_info, track_ready
from .rules import Invalid
from .tasks import Phase, Step, Task
from .timeline import recovery_end, single_steps


def _markers(source: Task | None, family: str, draft: Draft) -> frozenset[str]:
    """Markers of a derived task: read from the source music task's request."""
    state = draft.state
    while source is not None and source.family != "music":
        source = state.store.get(source.source_task_id)
    if source is None:
        return frozenset()
    return find_markers((source.body.get(f) for f in MARKER_FIELDS), family)


def _single(
    draft: Draft, family: str, markers: frozenset[str], cost_key: str, **fields: Any
) -> Task:
    state = draft.state
    steps, cause = single_steps(family, draft.rng, markers, state.time_scale, state.config.timeline)
    return draft.task(family, steps, cause, markers=markers, cost=state.cost(cost_key), **fields)


def _finished_track(draft: Draft, ids: tuple[str, str] | None = None) -> tuple[Task, int]:
    """wav / vocal removal / mp4: a complete track of a music task of this account (every
    track once the task succeeded; track 1 already at FIRST_SUCCESS)."""
    task_id, audio_id = ids or rules.task_and_audio(draft.body)
    src = draft.state.store.get(task_id, "music", draft.key)
    if src is None:
        raise Invalid(422, NO_RECORD)
    for index, track in enumerate(src.tracks):
        if track.id == audio_id and track_ready(src, index, draft.now):
            return src, index
    raise Invalid(422, NO_RECORD)


def build_lyrics(d: Draft) -> Task:
    prompt = rules.lyrics(d.body)
    markers = find_markers([prompt], "lyrics")
    seed = d.state.seed
    texts = [
        (
            media.make_title(prompt, f"{d.task_id}:{i}", seed),
            media.make_lyrics(prompt, f"{d.task_id}:{i}", seed),
        )
        for i in range(2)
    ]
    return _single(d, "lyrics", markers, "lyrics", texts=texts)


def build_wav(d: Draft) -> Task:
    src, index = _finished_track(d)
    return _single(
        d,
        "wav",
        _markers(src, "wav", d),
        "wav",
        source_task_id=src.task_id,
        audio_id=src.tracks[index].id,
        music_index=index,
        source_duration=src.tracks[index].duration,
    )


VOCAL_COSTS = {
    "separate_vocal": "vocal_removal",
    "split_stem": "vocal_removal_split_stem",
    "split_stem_advanced": "vocal_removal_split_stem_advanced",
}


def build_vocal(d: Draft) -> Task:
    """Separation of a generated track (``taskId`` + ``audioId``) or of an uploaded file
    (``audioUrl``); ``split_stem_advanced`` extracts ``stemName`` (REFERENCE §6.8)."""
    source, kind, stem = rules.vocal_removal(d.body)
    if kind == "split_stem_advanced":
        names: tuple[str, ...] = advanced_parts(stem or "")
    else:
        names = SPLIT_STEMS if kind == "split_stem" else SEPARATE_STEMS
    common = {
        "variant": kind,
        "stem_name": stem or "",
        "origin_ids": [d.state.new_uuid() for _ in names],
    }
    if isinstance(source, str):  # an uploaded file: no source task
        markers = find_markers([source], "vocal")
        if rules.unreachable(source):
            markers = markers | {"unreachable"}
        return _single(d, "vocal", markers, VOCAL_COSTS[kind], **common)
    src, index = _finished_track(d, source)
    return _single(
        d,
        "vocal",
        _markers(src, "vocal", d),
        VOCAL_COSTS[kind],
        source_task_id=src.task_id,
        audio_id=src.tracks[index].id,
        music_index=index,
        source_duration=src.tracks[index].duration,
        **common,
    )


def build_midi(d: Draft) -> Task:
    task_id, audio_id = rules.midi(d.body)
    src = d.state.store.get(task_id, "vocal", d.key)
    if src is None or not src.phase(d.now).has_results:
        raise Invalid(422, NO_RECORD)
    if audio_id is not None and audio_id not in src.origin_ids:
        raise Invalid(422, NO_RECORD)
    return _single(
        d,
        "midi",
        _markers(src, "midi", d),
        "midi",
        source_task_id=src.task_id,
        audio_id=audio_id or "",
    )


def build_mp4(d: Draft) -> Task:
    rules.mp4(d.body)
    src, index = _finished_track(d)
    return _single(
        d,
        "mp4",
        _markers(src, "mp4", d),
        "mp4",
        source_task_id=src.task_id,
        audio_id=src.tracks[index].id,
        music_index=index,
    )


def build_cover(d: Draft) -> Task:
    task_id = rules.cover(d.body)
    src = d.state.store.get(task_id, "music", d.key)
    if src is None:
        raise Invalid(422, NO_COVER_SOURCE)
    existing = d.state.store.covers.get(task_id)
    if existing is not None:
        raise Invalid(400, "Cover already generated for this task", {"taskId": existing})
    return _single(d, "cover", _markers(src, "cover", d), "cover", source_task_id=task_id)


#: Markers a recovery task reads (other names only act through the source task's own state).
RECOVERY_MARKERS = frozenset({"fail", "partial", "never", "slow"})


def build_recovery(d: Draft) -> Task:
    """Fresh links for every track of a music task of this account.

    The outcome is fixed at creation from the source's state when the recovery ends: complete
    -> recovered; failed -> ``clip_error``; still running -> ``clip_not_complete``. Markers
    take precedence: ``[[fail]]`` every track ``clip_error``; ``[[partial]]`` the first track
    recovered, the others ``clip_not_complete``; ``[[never]]`` running forever.
    """
    p = d.provider
    source_id, callback = rules.recovery(d.body, p.recovery_field, p.recovery_needs_callback)
    src = d.state.store.get(source_id, "music", d.key)
    if src is None:  # live kie: HTTP 200, body code 500 (REFERENCE §6.13)
        raise Invalid(500, NO_RECOVERY_SOURCE)
    state = d.state
    markers = _markers(src, "recovery", d) & RECOVERY_MARKERS
    end = recovery_end(d.rng, markers, state.time_scale, state.config.timeline)
    steps = [Step(0.0, Phase.PENDING)]
    errors: list[str | None] = []
    if end is not None:
        n = len(src.tracks)
        at_end = src.phase(d.now + end)
        if "fail" in markers:
            errors = ["clip_error"] * n
        elif "partial" in markers:
            errors = [None] + ["clip_not_complete"] * (n - 1)
        elif at_end.has_results:
            errors = [None] * n
        else:
            errors = ["clip_error" if at_end.terminal else "clip_not_complete"] * n
        recovered = any(e is None for e in errors)
        steps.append(Step(end, Phase.SUCCESS if recovered else Phase.FAILED))
    return d.task(
        "recovery",
        steps,
        None,
        markers=markers,
        cost=state.cost("recovery"),
        callback=callback,
        source_task_id=src.task_id,
        recovered=[(t.id, t.title, e) for t, e in zip(src.tracks, errors, strict=False)],
    )


BUILDERS = {
    "/api/v1/lyrics": build_lyrics,
    "/api/v1/wav/generate": build_wav,
    "/api/v1/vocal-removal/generate": build_vocal,
    "/api/v1/midi/generate": build_midi,
    "/api/v1/mp4/generate": build_mp4,
    "/api/v1/suno/cover/generate": build_cover,
}

#: record-info path -> (family, unknown id is 422 "Record does not exist" rather than data null).
#: Live: an unknown id gives ``200 + data: null`` on lyrics, vocal-removal and cover art
#: (REFERENCE §2.4); wav / mp4 / midi were not recorded and are taken to match ("probably").
RECORD_INFO = {
    "/api/v1/lyrics/record-info": ("lyrics", False),
    "/api/v1/wav/record-info": ("wav", False),
    "/api/v1/vocal-removal/record-info": ("vocal", False),
    "/api/v1/midi/record-info": ("midi", False),
    "/api/v1/mp4/record-info": ("mp4", False),
    "/api/v1/suno/cover/record-info": ("cover", False),
}


async def create(request: web.Request) -> web.StreamResponse:
    return await submit(request, BUILDERS[request.path])


async def family_record_info(request: web.Request) -> web.Response:
    family, unknown_is_error = RECORD_INFO[request.path]
    return await record_info(request, family, unknown_is_error)


async def create_recovery(request: web.Request) -> web.StreamResponse:
    return await submit(request, build_recovery, id_key="task_id")


async def recovery_record_info(request: web.Request) -> web.Response:
    """``?task_id=`` (snake_case); the reply is ``{code, task_id, msg, data}`` itself.
    An unknown id: HTTP 200 ``{"code": 500, "msg": "The music link recovery task does not
    exist.", "data": null}`` (live kie, REFERENCE §6.13)."""
    polled = polled_task(request, "recovery", id_param="task_id")
    if isinstance(polled, web.Response):
        return polled
    task, now = polled
    if task is None:
        return envelope(500, NO_RECOVERY_RECORD)
    return json_reply(recovery_record(task, now))


async def credits(request: web.Request) -> web.Response:
    """kie ``/api/v1/chat/credit`` (a number, may be fractional); sunoapi.org
    ``/api/v1/generate/credit`` (an integer). The other host's path is a 404."""
    state = state_of(request)
    if request.path != state.provider.credit_path:
        raise web.HTTPNotFound()
    amount = state.credits.get(key_of(request), 0.0)
    return ok(int(amount) if state.provider.integer_credits else round(amount, 2))


async def download_url(request: web.Request) -> web.Response:
    """A download link for a file this sandbox generated; any other URL -> 422 ``url is
    wrong`` (REFERENCE §6.15)."""
    state = state_of(request)
    try:
        body = await read_body(request)
        url = rules.download_url(body)
        if not generated_here(state, url, request.host):
            raise Invalid(422, URL_IS_WRONG)
    except Invalid as err:
        return invalid(err)
    return ok(url)


def add_routes(app: web.Application) -> None:
    for path in BUILDERS:
        app.router.add_post(path, create)
    for path in RECORD_INFO:
        app.router.add_get(path, family_record_info)
    app.router.add_post("/api/v1/suno/recovery", create_recovery)
    app.router.add_get("/api/v1/suno/recovery/record-info", recovery_record_info)
    app.router.add_get("/api/v1/chat/credit", credits)  # kie (404 on sunoapi)
    app.router.add_get("/api/v1/generate/credit", credits)  # sunoapi.org (404 on kie)
    app.router.add_post("/api/v1/common/download-url", download_url)
