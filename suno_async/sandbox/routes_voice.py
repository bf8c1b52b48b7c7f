"""Suno Voice (REFERENCE §4 row 30, §6.14): custom voices, consent-gated.

The gate is modelled as the provider documents it: a voice can only be made from a
*validation* the owner passed. ``POST /api/v1/voice/validate`` (free) takes a sample
(``voiceUrl``, ``vocalStartS``, ``vocalEndS``) and produces a verification phrase
(``validateInfo`` on ``GET /api/v1/voice/validate-info`` and in the validate callback; status
``wait_processing`` -> ``processing_validate`` -> ``wait_validating``, or
``processing_validate_fail``). The owner records that phrase; ``POST /api/v1/voice/generate``
with the validation's ``taskId`` and the recording's ``verifyUrl`` then makes the voice
(``voiceId`` on ``GET /api/v1/voice/record-info``, status ``wait_processing`` -> ``success`` |
``fail``), usable as ``personaId`` with ``personaModel: "voice_persona"``. ``POST
/api/v1/voice/check-voice`` ``{"task_id"}`` -> ``{"isAvailable": bool}``; ``POST
/api/v1/voice/regenerate`` ``{"taskId", "calBackUrl"}`` (sic) retries a failed validation or
voice, or draws a new phrase for a finished validation, as a new task.

Not-found replies are the live texts (§2.4): generate ``Validate record not found``,
regenerate ``The record is not found or does not need to be rebuilt or does not require a
retry``, check-voice ``Voice record not found``; both GETs give ``200 + data: null``. Voice and
validation URLs are not fetched at submit (live); an ``.invalid`` host fails the task later.
Markers (``[[fail]]``, ``[[never]]``, ``[[slow]]``, scoped ``[[fail:voice]]``) are read from
the URLs and the text fields.
"""

from __future__ import annotations

from aiohttp import web

from . import media, rules
from .creation import Draft, submit
from .markers import find_markers
from .replies import (
    NO_REGENERATE_RECORD,
    NO_VALIDATE_RECORD,
    NO_VOICE_RECORD,
    invalid,
    key_of,
    ok,
    read_body,
    state_of,
)
from .routes_music import record_info
from .rules import Invalid
from .tasks import Task
from .timeline import single_steps

VALIDATE_FIELDS = ("voiceUrl", "language")
VOICE_FIELDS = ("verifyUrl", "voiceName", "description", "style")
NOT_VALIDATED = "The voice has not been validated yet"


def _voice_task(
    d: Draft, family: str, texts: list[object], urls: list[object], callback: str, **fields: object
) -> Task:
    markers = find_markers(texts, "voice")
    if any(rules.unreachable(u) for u in urls):
        markers = markers | {"unreachable"}
    state = d.state
    steps, cause = single_steps(family, d.rng, markers, state.time_scale, state.config.timeline)
    return d.task(
        family,
        steps,
        cause,
        markers=markers,
        cost=state.cost(family),
        callback=callback,
        **fields,
    )


def _phrase(d: Draft) -> str:
    words = media.pick_words(d.task_id, d.state.seed, 5)
    return "I agree to create my Suno voice: " + " ".join(words)


def build_validate(d: Draft) -> Task:
    url, _start, _end, callback = rules.voice_validate(d.body)
    texts = [d.body.get(f) for f in VALIDATE_FIELDS]
    return _voice_task(d, "voice_validate", texts, [url], callback, voice_id=_phrase(d))


def build_generate(d: Draft) -> Task:
    validate_id, verify, callback = rules.voice_generate(d.body)
    validation = d.state.store.get(validate_id, "voice_validate", d.key)
    if validation is None:
        raise Invalid(422, NO_VALIDATE_RECORD)
    if not validation.phase(d.now).has_results:
        raise Invalid(422, NOT_VALIDATED)
    texts = [d.body.get(f) for f in VOICE_FIELDS] + [validation.body.get("voiceUrl")]
    return _voice_task(
        d,
        "voice",
        texts,
        [verify],
        callback,
        source_task_id=validate_id,
        voice_id=d.state.new_task_id(),
    )


def build_regenerate(d: Draft) -> Task:
    task_id, callback = rules.voice_regenerate(d.body)
    old = d.state.store.get(task_id, owner=d.key)
    if old is None or old.family not in ("voice_validate", "voice"):
        raise Invalid(422, NO_REGENERATE_RECORD)
    phase = old.phase(d.now)
    if not phase.terminal or (old.family == "voice" and phase.has_results):
        raise Invalid(422, NO_REGENERATE_RECORD)
    body = old.body
    callback = callback or old.callback_url
    if old.family == "voice_validate":
        urls: list[object] = [body.get("voiceUrl")]
        texts = [body.get(f) for f in VALIDATE_FIELDS]
        return _voice_task(d, "voice_validate", texts, urls, callback, voice_id=_phrase(d))
    return _voice_task(
        d,
        "voice",
        [body.get(f) for f in VOICE_FIELDS],
        [body.get("verifyUrl")],
        callback,
        source_task_id=old.source_task_id,
        voice_id=d.state.new_task_id(),
    )


async def validate(request: web.Request) -> web.StreamResponse:
    return await submit(request, build_validate)


async def generate(request: web.Request) -> web.StreamResponse:
    return await submit(request, build_generate)


async def regenerate(request: web.Request) -> web.StreamResponse:
    return await submit(request, build_regenerate)


async def validate_info(request: web.Request) -> web.Response:
    return await record_info(request, "voice_validate", unknown_is_error=False)


async def voice_record_info(request: web.Request) -> web.Response:
    return await record_info(request, "voice", unknown_is_error=False)


async def check_voice(request: web.Request) -> web.Response:
    state = state_of(request)
    try:
        task_id = rules.check_voice(await read_body(request))
        task = state.store.get(task_id, "voice", key_of(request))
        if task is None:
            raise Invalid(422, NO_VOICE_RECORD)
    except Invalid as err:
        return invalid(err)
    return ok({"isAvailable": task.phase(state.now()).has_results})


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/v1/voice/validate", validate)
    app.router.add_get("/api/v1/voice/validate-info", validate_info)
    app.router.add_post("/api/v1/voice/generate", generate)
    app.router.add_post("/api/v1/voice/regenerate", regenerate)
    app.router.add_get("/api/v1/voice/record-info", voice_record_info)
    app.router.add_post("/api/v1/voice/check-voice", check_voice)
