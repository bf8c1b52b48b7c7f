"""A local emulator ("sandbox") of the Suno music API, kie.ai shape.

Start it in-process::

    from suno_async.sandbox import Sandbox, Fault

    async with Sandbox(time_scale=0.01, seed=1) as sb:
        sb.url, sb.api_key, sb.upload_url, sb.stats
        sb.inject(Fault(route="/api/v1/generate", kind="http_503", times=1))

or from a shell: ``python -m suno_async.sandbox --port 8765 --time-scale 1 --seed 0``.

It implements every endpoint of REFERENCE §4 rows 1-30 with the API's own validation and
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
The create body is per provider: kie ``POST /api/v1/suno/recovery`` ``{"task_id"}`` (a
``callBackUrl`` or ``call_back_url`` is optional), sunoapi.org ``{"sunoTaskId", "callBackUrl"}``
(both required; a missing callback is code 400 there). Reply ``{"code": 200, "msg": "success",
"data": {"task_id": "<32 hex>"}}`` (snake_case). An id that is not a music task of the same key:
HTTP 200 ``{"code": 500, "msg": "The original Suno task does not exist.", "data": null}``
(live kie). Rate limit and credits as for every create (cost key ``"recovery"``, 0 by default).

``GET /api/v1/suno/recovery/record-info?task_id=`` replies *without* the usual envelope:
``{"code": 201|200|500, "task_id", "msg", "data"}``: 201 ``"Recovery in progress"`` with
``data: null`` while running (~4-10 s x ``time_scale``), 200 ``"success"`` when at least one
track was recovered, 500 ``"All tracks failed to recover"`` otherwise. ``data[]`` has one item
per source track, in order: ``{"id": <audio id>, "audio_url", "title", "status":
"success"|"failed", "error"}``; a recovered item has ``error: null`` and an ``audio_url`` under
``<url>/files/recovered/`` serving the track's WAV; a failed one ``audio_url: ""`` and an error
(``clip_error``, ``clip_not_complete``; the others of §6.13 are never produced). Missing
``task_id`` -> 422 ``"Please enter task_id."``; unknown id (or another key's) -> HTTP 200
``{"code": 500, "msg": "The music link recovery task does not exist.", "data": null}`` (live
kie), a code 500 that means *not found*, not a server error. At the end one callback (signed
with the recovery task id) ``{"code", "msg", "task_id", "data": [...same items...]}``, if a
callback URL was given.

The outcome is fixed at creation from the source's state at the recovery's end: complete ->
recovered, failed -> ``clip_error``, still running -> ``clip_not_complete``. Markers of the
source music request override it (plain or scoped ``[[name:recovery]]``; other names are ignored
by recovery): ``[[fail]]`` -> 500, every item ``clip_error``; ``[[partial]]`` (recovery only)
-> 200, the first item recovered and the others ``clip_not_complete``; ``[[never]]`` -> 201
forever; ``[[slow]]`` -> timeline x 3.

Live behaviour modelled (REFERENCE revision)
--------------------------------------------
* Not found (§2.4): every family's record-info (music, lyrics, wav, vocal removal, midi, mp4,
  cover art, voice record-info / validate-info) answers an unknown id with ``200 + data:
  null``; create calls with bogus ids give 422 with their own text: ``Record does not exist``
  (wav, mp4, midi, vocal removal), ``Original music record does not exist`` (cover art),
  ``Music does not exist`` (persona), ``The corresponding record does not exist`` (timestamped
  lyrics), ``Validate record not found`` / ``The record is not found or does not need to be
  rebuilt or does not require a retry`` / ``Voice record not found`` (voice generate /
  regenerate / check-voice); recovery uses code 500 (above).
* Accepted at submit, failing later (§10 item 4): extend with a bogus ``audioId`` (or another
  model than the source's, or ``continueAt`` past its end); upload-cover, upload-extend,
  add-vocals, mashup, vocal removal (``audioUrl``) and voice validate with an unreachable URL
  (a host under the reserved ``.invalid`` domain, e.g. ``https://nowhere.invalid/a.mp3``: the
  sandbox never fetches anything else) fail with errorCode 451; upload-extend with
  ``defaultParamFlag: true`` but no ``style`` / ``title`` is accepted, and without
  ``continueAt`` it is accepted and fails (documented optional, "every call without it fails
  upstream"); mashup non-custom without ``prompt`` is accepted.
* Required live: replace-section ``fullLyrics`` -> 422 ``fullLyrics cannot be blank``;
  add-instrumental ``negativeTags`` -> 422 ``Please enter negativeTags.``.
* Models per endpoint (§3.1): V3_5..V5_5 on generate / extend / upload-cover / upload-extend;
  V4_5PLUS, V5, V5_5 on add-instrumental / add-vocals; V4..V5_5 on mashup and replace-section
  (upload mode); V5, V5_5 on sounds; the V6 family (V6, V6_WILD, V6_MINI) only with
  ``provider="sunoapi"``. ``duration`` (10-360, integer) and ``personaModel``
  (``style_persona`` | ``voice_persona``) are checked when sent.
* Stage contents (§7.4): at TEXT_SUCCESS every track has stream and image URLs (``audioUrl:
  ""``, ``duration: null``); at FIRST_SUCCESS track 1 is complete (audio URL, duration; its
  file downloads) and track 2 has stream/image only; the ``first`` callback lists both items
  (the second without ``duration`` / ``source_audio_url``), msg ``First audio generated
  successfully.``; callback ``createTime`` is an epoch-ms integer.
* Vocal separation (§6.8, §8.4): ``type`` ``separate_vocal`` | ``split_stem`` |
  ``split_stem_advanced`` (+ ``stemName``: ``origin_data[]`` / ``originData[]`` of
  ``{extract, remove}``, under ``vocal_removal_info``); source ``taskId`` + ``audioId`` or an
  uploaded ``audioUrl`` (never both). The callback key is per provider: kie
  ``vocal_separation_info``, sunoapi.org ``vocal_removal_info``.
* ``POST /api/v1/common/download-url`` (§6.15): only URLs this sandbox serves (generated media,
  uploads, on the host the caller used); anything else -> 422 ``url is wrong``.
* Suno Voice (§6.14): ``/api/v1/voice/validate``, ``validate-info``, ``generate``,
  ``regenerate``, ``record-info``, ``check-voice``; consent-gated (see ``routes_voice``).
* Bodies the API could not read (bad JSON or UTF-8, a lone surrogate such as ``"\ud800"``,
  nesting deeper than 64, integers past Python's digit limit) -> HTTP 200 + code 400
  ``Request body must be valid JSON``; huge or non-finite numbers -> 422 naming the field.
  No input gives HTTP 500.

Providers
---------
``Sandbox(provider="kie")`` (default) or ``"sunoapi"``: callback keys, recovery field,
missing-callback code (422 / 400), rate-limit reply (HTTP 429 / HTTP 200 + code 430), credits
path (``/api/v1/chat/credit`` / ``/api/v1/generate/credit``, the other one a 404), lyrics
callback keys, ``source_*`` callback fields, upload ``filePath`` prefix and the V6 models; see
``suno_async.sandbox.providers``.

Helpers for tests
-----------------
``sb.advance(task_id, stage)`` moves a task to ``TEXT_SUCCESS`` / ``FIRST_SUCCESS`` /
``SUCCESS`` / a failure at once, its callbacks fire as they would; ``sb.requests`` lists every
request received (frozen ``SandboxRequest`` records, credentials redacted) and
``sb.clear_requests()`` empties it. ``suno_async.testing`` is a pytest plugin with
``suno_sandbox`` / ``suno_client`` fixtures.

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
