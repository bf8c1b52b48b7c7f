"""A local emulator ("sandbox") of the Suno music API, kie.ai shape.

Start it in-process::

    from suno_async.sandbox import Sandbox, Fault

    async with Sandbox(time_scale=0.01, seed=1) as sb:
        sb.url, sb.api_key, sb.upload_url, sb.stats
        sb.inject(Fault(route="/api/v1/generate", kind="http_503", times=1))

or from a shell: ``python -m suno_async.sandbox --port 8765 --time-scale 1 --seed 0``.

It implements every endpoint of REFERENCE §4 rows 1-29 with the API's own validation and
messages, seeded timelines scaled by ``time_scale`` (music: PENDING -> TEXT_SUCCESS ~8-15 s ->
FIRST_SUCCESS ~30-40 s -> SUCCESS ~120-180 s; lyrics 10-20 s, wav 20-40 s, vocal removal
40-90 s, midi 30-60 s, mp4 60-120 s, cover art 20-40 s, recovery 4-10 s), callbacks
(optionally HMAC-signed) to loopback URLs only, rate / poll / credit limits, media downloads
under ``<url>/files/``, and counters at ``sb.stats`` and ``GET /_sandbox/stats``. Its rules are
written from the provider docs, independently of the client (it imports nothing from
``suno_async`` outside this package).

Magic markers
-------------
A marker is a substring of ``prompt``, ``style``, ``title``, ``tags`` or ``lyrics`` (or the lyrics
``prompt``); case-sensitive.

=============================  ===================================================================
``[[fail]]``                   GENERATE_AUDIO_FAILED (errorCode 501) after the text stage; error
                               callback
``[[create-fail]]``            CREATE_TASK_FAILED immediately (errorCode 500; credits refunded)
``[[sensitive]]``              SENSITIVE_WORD_ERROR (errorCode 400) at the text-stage time
``[[callback-exception]]``     CALLBACK_EXCEPTION at the end, with complete tracks (a success)
``[[callback-exception-early]]`` CALLBACK_EXCEPTION at the text-stage time, no tracks (a failure)
``[[skip]]``                   PENDING straight to SUCCESS (no text/first stages or callbacks)
``[[unknown-status]]``         the undocumented status ``QUEUED_FOR_RENDER`` replaces PENDING for
                               the first half of the text stage, then normal progress
``[[never]]``                  stays PENDING forever
``[[slow]]``                   timeline x 3
``[[refund]]``                 GENERATE_AUDIO_FAILED with errorCode 531 after the text stage;
                               credits refunded
=============================  ===================================================================

Other families (lyrics, wav, vocal removal, midi, mp4, cover art) read markers from the lyrics
``prompt`` or from the request of the source music task, and fail with their own status:
lyrics GENERATE_LYRICS_FAILED, wav GENERATE_WAV_FAILED, vocal removal GENERATE_AUDIO_FAILED, mp4
GENERATE_MP4_FAILED, midi successFlag 3 (2 for create-fail), cover art successFlag 3.
Because wav / vocal removal / mp4 / midi need a *finished* source, a marker can be scoped to
one family with ``[[name:family]]`` (families: music, lyrics, wav, vocal, midi, mp4, cover,
recovery):
``[[fail:wav]]`` in a generate prompt lets the music succeed and makes its WAV conversion fail.
The undocumented value for ``[[unknown-status]]`` is ``QUEUED_FOR_RENDER`` for string statuses
and ``4`` for the integer ``successFlag`` families (midi, cover art).

Recovery audio (REFERENCE §6.13)
--------------------------------
``POST /api/v1/suno/recovery`` ``{"sunoTaskId", "callBackUrl"}`` -> ``{"code": 200, "msg":
"success", "data": {"task_id": "<32 hex>"}}`` (snake_case). Missing ``callBackUrl`` -> code 422
``"Please enter callBackUrl."``; missing ``sunoTaskId`` -> 422 ``"Please enter sunoTaskId."``;
an id that is not a music task of the same key -> 422 ``"Record does not exist"``. Rate limit and
credits as for every create (cost key ``"recovery"``, 0 by default: no documented price).

``GET /api/v1/suno/recovery/record-info?task_id=`` replies *without* the usual envelope:
``{"code": 201|200|500, "task_id", "msg", "data"}``: 201 ``"Recovery in progress"`` with
``data: null`` while running (~4-10 s x ``time_scale``), 200 ``"success"`` when at least one
track was recovered, 500 ``"All tracks failed to recover"`` otherwise. ``data[]`` has one item
per source track, in order: ``{"id": <audio id>, "audio_url", "title", "status":
"success"|"failed", "error"}``; a recovered item has ``error: null`` and an ``audio_url`` under
``<url>/files/recovered/`` serving the track's WAV; a failed one ``audio_url: ""`` and an error
(``clip_error``, ``clip_not_complete``; the others of §6.13 are never produced). Missing
``task_id`` -> 422 ``"Please enter task_id."``; unknown id (or another key's) -> ``{"code": 422,
"msg": "Record does not exist", "data": null}`` like wav / mp4 / midi. Polls count in
``stats.polls`` and obey the per-task poll limit. At the end one callback (signed with the
recovery task id) ``{"code", "msg", "task_id", "data": [...same items...]}``.

The outcome is fixed at creation from the source's state at the recovery's end: complete ->
recovered, failed -> ``clip_error``, still running -> ``clip_not_complete``. Markers of the
source music request override it (plain or scoped ``[[name:recovery]]``; other names are ignored
by recovery): ``[[fail]]`` -> 500, every item ``clip_error``; ``[[partial]]`` (recovery only)
-> 200, the first item recovered and the others ``clip_not_complete``; ``[[never]]`` -> 201
forever; ``[[slow]]`` -> timeline x 3.

Faults
------
``Fault(route="*", kind=..., rate=1.0, times=None, ...)``; ``route`` is an fnmatch pattern on the
request path, ``rate`` a probability (seeded RNG), ``times`` a cap on applications.

================================  ================================================================
``http_429|http_500|http_503``    that HTTP status + ``{code, msg, data: null}``; ``retry_after``
                                  sets ``Retry-After``
``body_code``                     HTTP 200 + ``{code, msg, data: null}`` (``code=455``, ...)
``drop``                          connection closed without a reply, before processing (no task);
                                  ``after=True``: processed first (task created), then dropped
``delay``                         processed, then the reply is held ``seconds`` (not scaled)
``malformed``                     HTTP 200 with a truncated JSON body
``html``                          HTTP 502 text/html page
``callback_duplicate``            each matching callback is sent twice
``callback_reorder``              all callbacks at the end, complete first, then first, then text
``callback_drop``                 matching callbacks are never sent
``callback_early``                the first callback is delivered before the create reply
================================  ================================================================

HTTP faults reject before processing unless ``after=True`` (``delay`` always processes first).
Callback faults match the path of the request that created the task.
"""

from __future__ import annotations

from .faults import Fault
from .providers import PROVIDERS, Provider
from .requestlog import SandboxRequest
from .server import Sandbox, main, serve
from .stats import SandboxStats

__all__ = [
    "PROVIDERS",
    "Fault",
    "Provider",
    "Sandbox",
    "SandboxRequest",
    "SandboxStats",
    "main",
    "serve",
]
