"""Music family (REFERENCE §4 rows 1-13): creates, record-info and the synchronous helpers."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from . import media, rules
from .creation import Draft, submit
from .markers import MARKER_FIELDS, find_markers
from .records import record
from .replies import (
    NO_CREDITS,
    NO_LYRICS_SOURCE,
    NO_PERSONA_SOURCE,
    NO_RECORD,
    envelope,
    invalid,
    key_of,
    ok,
    read_body,
    state_of,
    too_many,
)
from .rules import Invalid
from .state import SandboxState
from .tasks import Phase, Task, Track
from .timeline import music_steps

TRACKS_PER_TASK = 2


def _content(
    draft: Draft,
    custom: bool,
    instrumental: bool,
    title_field: str = "title",
    style_field: str = "style",
) -> tuple[str, str, str]:
    """(title, tags, lyrics) of the tracks."""
    body, seed = draft.body, draft.state.seed
    prompt = str(body.get("prompt") or "")
    if custom:
        title = str(body.get(title_field) or "")
        tags = str(body.get(style_field) or "")
        lyrics = "" if instrumental else prompt
    else:
        title = media.make_title(prompt, draft.task_id, seed)
        tags = media.make_style(prompt, seed)
        lyrics = "" if instrumental else media.make_lyrics(prompt, draft.task_id, seed)
    return title, tags, lyrics


def music_task(
    draft: Draft,
    operation: str,
    model: str,
    content: tuple[str, str, str],
    *,
    parent_music_id: str = "",
    late_failure: str | None = None,
    cost_key: str | None = None,
) -> Task:
    """A two-track music task on a seeded timeline shaped by the prompt's markers.

    ``late_failure`` (a cause of ``timeline.ERRORS``): the request was accepted although it
    cannot succeed; the task fails at the text-stage time, as live (REFERENCE §10 item 4)."""
    state = draft.state
    markers = find_markers((draft.body.get(f) for f in MARKER_FIELDS), "music")
    if late_failure is None and any(
        rules.unreachable(u) for u in _source_urls(draft.body)
    ):
        late_failure = "unreachable"
    steps, cause = music_steps(
        draft.rng, markers, state.time_scale, state.config.timeline, late_failure=late_failure
    )
    title, tags, lyrics = content
    codename = rules.MODEL_CODENAMES[model]
    create_ms = state.epoch_ms()
    tracks = [
        Track(
            id=state.new_uuid(),
            title=title,
            tags=tags,
            prompt=lyrics,
            model_name=codename,
            duration=round(draft.rng.uniform(120.0, 240.0), 2),
            create_ms=create_ms + i,
        )
        for i in range(TRACKS_PER_TASK)
    ]
    return draft.task(
        "music",
        steps,
        cause,
        markers=markers,
        cost=state.cost(cost_key or operation),
        model=model,
        operation=operation,
        parent_music_id=parent_music_id,
        tracks=tracks,
    )


def _source_urls(body: dict[str, Any]) -> list[object]:
    urls: list[object] = [body.get("uploadUrl")]
    listed = body.get("uploadUrlList")
    if isinstance(listed, list):
        urls.extend(listed)
    return urls


def track_ready(task: Task, index: int, now: float) -> bool:
    """Whether track ``index`` of a music task is complete at ``now``: every track once the
    task succeeded, track 1 already at FIRST_SUCCESS (REFERENCE §7.4)."""
    phase = task.phase(now)
    return phase.has_results or (phase is Phase.FIRST and index == 0)


def source_track(state: SandboxState, key: str, audio_id: str) -> tuple[Task, Track] | None:
    """The music task and track an audio id belongs to (same account), or None."""
    hit = state.store.audio_index.get(audio_id)
    if hit is None:
        return None
    task = state.store.get(hit[0], "music", key)
    if task is None:
        return None
    return task, task.tracks[hit[1]]


# --- builders -----------------------------------------------------------------------------


def build_generate(d: Draft) -> Task:
    model = rules.generate(d.body, d.v6)
    custom, instrumental = bool(d.body["customMode"]), bool(d.body["instrumental"])
    return music_task(d, "generate", model, _content(d, custom, instrumental))


def build_extend(d: Draft) -> Task:
    """A bogus ``audioId``, a model other than the source's or a ``continueAt`` past its end
    are accepted and fail later (live: bogus audioId; the others are unrecorded, so the
    sandbox is not stricter than live)."""
    model, flag, at = rules.extend(d.body, d.v6)
    audio_id = str(d.body["audioId"])
    found = source_track(d.state, d.key, audio_id)
    instrumental = bool(d.body.get("instrumental") or False)
    if found is None:
        content = _content(d, flag, instrumental)
        return music_task(
            d, "extend", model, content, parent_music_id=audio_id, late_failure="bad-source"
        )
    src, track = found
    failure = None
    if src.model != model:
        failure = "model-mismatch"
    elif at is not None and at >= track.duration:
        failure = "continue-at"
    content = _content(d, True, instrumental) if flag else (track.title, track.tags, track.prompt)
    return music_task(
        d, "extend", model, content, parent_music_id=audio_id, late_failure=failure
    )


def build_upload_cover(d: Draft) -> Task:
    model = rules.upload_cover(d.body, d.v6)
    custom, instrumental = bool(d.body["customMode"]), bool(d.body["instrumental"])
    return music_task(d, "upload_cover", model, _content(d, custom, instrumental))


def build_upload_extend(d: Draft) -> Task:
    model, has_continue_at = rules.upload_extend(d.body, d.v6)
    flag, instrumental = bool(d.body["defaultParamFlag"]), bool(d.body["instrumental"])
    failure = None if has_continue_at else "no-continue-at"
    return music_task(
        d, "upload_extend", model, _content(d, flag, instrumental), late_failure=failure
    )


def build_add_instrumental(d: Draft) -> Task:
    model = rules.add_instrumental(d.body)
    content = (str(d.body["title"]), str(d.body["tags"]), "")
    return music_task(d, "add_instrumental", model, content)


def build_add_vocals(d: Draft) -> Task:
    model = rules.add_vocals(d.body)
    content = (str(d.body["title"]), str(d.body["style"]), str(d.body["prompt"]))
    return music_task(d, "add_vocals", model, content)


def build_replace_section(d: Draft) -> Task:
    model, _start, end = rules.replace_section(d.body)
    content = (str(d.body["title"]), str(d.body["tags"]), str(d.body["fullLyrics"]))
    if model is not None:
        return music_task(d, "replace_section", model, content)
    audio_id = str(d.body["audioId"])
    found = source_track(d.state, d.key, audio_id)
    if found is None or found[0].task_id != d.body["taskId"]:
        return music_task(
            d,
            "replace_section",
            "V5",
            content,
            parent_music_id=audio_id,
            late_failure="bad-source",
        )
    src, track = found
    failure = "window" if end > track.duration else None
    return music_task(
        d, "replace_section", src.model, content, parent_music_id=audio_id, late_failure=failure
    )


def build_mashup(d: Draft) -> Task:
    model = rules.mashup(d.body, d.v6)
    custom, instrumental = bool(d.body["customMode"]), bool(d.body.get("instrumental") or False)
    return music_task(d, "mashup", model, _content(d, custom, instrumental))


def build_sounds(d: Draft) -> Task:
    model = rules.sounds(d.body)
    prompt = str(d.body["prompt"])
    title = media.make_title(prompt, d.task_id, d.state.seed)
    tags = "sound effect, loop" if d.body.get("soundLoop") else "sound effect"
    return music_task(d, "sounds", model, (title, tags, ""))


BUILDERS = {
    "/api/v1/generate": build_generate,
    "/api/v1/generate/extend": build_extend,
    "/api/v1/generate/upload-cover": build_upload_cover,
    "/api/v1/generate/upload-extend": build_upload_extend,
    "/api/v1/generate/add-instrumental": build_add_instrumental,
    "/api/v1/generate/add-vocals": build_add_vocals,
    "/api/v1/generate/replace-section": build_replace_section,
    "/api/v1/generate/mashup": build_mashup,
    "/api/v1/generate/sounds": build_sounds,
}


async def create(request: web.Request) -> web.StreamResponse:
    return await submit(request, BUILDERS[request.path])


# --- record-info (all families) -----------------------------------------------------------


def poll_gate(state: SandboxState, task_id: str, now: float) -> web.Response | None:
    """Count a record-info call; the HTTP 429 reply when the per-task poll limit is exceeded."""
    state.stats.polls[task_id] += 1
    if state.polls is not None and not state.polls.hit(task_id, now):
        state.stats.rate_limited += 1
        return too_many(
            f"Too many requests for this task: at most {state.config.poll_limit:g} "
            "record-info calls per second.",
            state.polls.retry_after(task_id, now),
            state.provider.rate_limit_code,
            state.provider.rate_limit_http,
        )
    return None


def polled_task(
    request: web.Request, family: str, id_param: str = "taskId"
) -> tuple[Task | None, float] | web.Response:
    """The task a ``record-info`` call asks for, and the time, after counting the poll and
    applying the per-task poll limit; a reply instead when the call is refused."""
    state = state_of(request)
    task_id = request.query.get(id_param, "").strip()
    if not task_id:
        return envelope(422, f"Please enter {id_param}.")
    now = state.now()
    limited = poll_gate(state, task_id, now)
    if limited is not None:
        return limited
    return state.store.get(task_id, family, key_of(request)), now


async def record_info(request: web.Request, family: str, unknown_is_error: bool) -> web.Response:
    """Shared by the ``record-info`` routes whose reply is the usual envelope."""
    polled = polled_task(request, family)
    if isinstance(polled, web.Response):
        return polled
    task, now = polled
    state = state_of(request)
    if task is None:  # every family's own record-info: 200 + data null (REFERENCE §2.4)
        return envelope(422, NO_RECORD) if unknown_is_error else ok(None)
    return ok(record(task, now, state.seed))


async def music_record_info(request: web.Request) -> web.Response:
    return await record_info(request, "music", unknown_is_error=False)


# --- synchronous helpers ------------------------------------------------------------------


def finished_source(
    state: SandboxState, key: str, task_id: str, audio_id: str, not_found: str = NO_RECORD
) -> tuple[Task, Track]:
    found = source_track(state, key, audio_id)
    if found is None or found[0].task_id != task_id:
        raise Invalid(422, not_found)
    if not track_ready(found[0], found[0].tracks.index(found[1]), state.now()):
        raise Invalid(422, "The music task is not completed yet")
    return found


def _pay(state: SandboxState, key: str, operation: str) -> float:
    cost = state.cost(operation)
    if not state.can_pay(key, cost):
        raise Invalid(402, NO_CREDITS)
    state.charge(key, cost)
    return cost


async def timestamped_lyrics(request: web.Request) -> web.Response:
    state, key = state_of(request), key_of(request)
    try:
        body = await read_body(request)
        task_id, audio_id = rules.task_and_audio(body, callback=False)
        _, track = finished_source(state, key, task_id, audio_id, NO_LYRICS_SOURCE)
        _pay(state, key, "timestamped_lyrics")
    except Invalid as err:
        return invalid(err)
    words: list[dict[str, Any]] = []
    t = 1.0
    for word in track.prompt.replace("\n", " \n").split(" "):
        if not word:
            continue
        length = 0.2 + (len(word) % 5) * 0.08
        words.append(
            {
                "word": word,
                "success": True,
                "startS": round(t, 2),
                "endS": round(t + length, 2),
                "palign": 0,
            }
        )
        t += length + 0.05
    d = media.digest("waveform", state.seed, audio_id)
    return ok(
        {
            "alignedWords": words,
            "waveformData": [round(b / 255, 3) for b in d],
            "hootCer": round(d[0] / 512, 4),
            "isStreamed": False,
        }
    )


async def style_boost(request: web.Request) -> web.Response:
    state, key = state_of(request), key_of(request)
    try:
        body = await read_body(request)
        content = rules.style_boost(body)
        cost = _pay(state, key, "style_boost")
    except Invalid as err:
        return invalid(err)
    words = media.pick_words(content, state.seed, 3)
    result = (
        f"{content.strip()} with {words[0]}-toned textures, a {words[1]} groove and a "
        f"{words[2]} atmosphere; polished modern production"
    )
    return ok(
        {
            "taskId": state.new_task_id(),
            "param": content,
            "result": result,
            "creditsConsumed": cost,
            "creditsRemaining": round(state.credits[key], 2),
            "successFlag": "成功",
            "errorCode": None,
            "errorMsg": None,
            "createTime": state.epoch_ms(),
        }
    )


async def persona(request: web.Request) -> web.Response:
    state, key = state_of(request), key_of(request)
    try:
        body = await read_body(request)
        task_id, audio_id, _start, _end = rules.persona(body)
        src, _track = finished_source(state, key, task_id, audio_id, NO_PERSONA_SOURCE)
        if src.model == "V3_5":
            raise Invalid(422, "Persona generation is not supported for V3_5 music")
        _pay(state, key, "persona")
    except Invalid as err:
        return invalid(err)
    existing = state.store.personas.get(audio_id)
    persona_id = existing["personaId"] if existing else state.new_task_id()
    data = {"personaId": persona_id, "name": body["name"], "description": body["description"]}
    state.store.personas[audio_id] = data
    return ok(data)


def add_routes(app: web.Application) -> None:
    for path in BUILDERS:
        app.router.add_post(path, create)
    app.router.add_get("/api/v1/generate/record-info", music_record_info)
    app.router.add_post("/api/v1/generate/get-timestamped-lyrics", timestamped_lyrics)
    app.router.add_post("/api/v1/style/generate", style_boost)
    app.router.add_post("/api/v1/generate/generate-persona", persona)
