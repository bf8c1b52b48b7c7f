"""Host differences the sandbox models (``Sandbox(provider="kie"|"sunoapi")``), as one table.

Written from REFERENCE §1, §2, §6.11-6.13, §8.2, §8.4 (not from the client's own tables):

=============================  ==================================  =================================
                               ``kie`` (api.kie.ai, default)       ``sunoapi`` (api.sunoapi.org)
=============================  ==================================  =================================
separation callback key        ``vocal_separation_info``           ``vocal_removal_info``
separation callback ``msg``    ``vocal separation generated        ``vocal Removal generated
                               successfully.``                     successfully.``
recovery create body           ``{"task_id"}``; callback optional  ``{"sunoTaskId", "callBackUrl"}``
credits path                   ``GET /api/v1/chat/credit``         ``GET /api/v1/generate/credit``
                               (fractional number)                 (integer)
missing ``callBackUrl``        body code 422                       body code 400
rate limit                     HTTP 429 + body code 429            HTTP 200 + body code 430
insufficient credits           body code 402                       body code 402
lyrics callback id / error     ``task_id`` / ``error_message``     ``taskId`` / ``errorMessage``
music callback ``source_*``    upload-cover/-extend, mashup only   every callback
upload ``filePath`` prefix     ``kieai/<userId>/``                 ``sunoapiorg/<userId>/``
V6 family models               refused (unknown on legacy paths)   generate, extend, uploads, mashup
=============================  ==================================  =================================
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Provider:
    """One host profile of the sandbox (see the module table)."""

    name: str
    separation_key: str
    separation_msg: str
    recovery_field: str
    recovery_needs_callback: bool
    credit_path: str
    integer_credits: bool
    missing_callback_code: int
    rate_limit_code: int
    rate_limit_http: int
    lyrics_id_key: str
    lyrics_error_key: str
    callback_sources_always: bool
    upload_prefix: str
    v6_models: bool


PROVIDERS: dict[str, Provider] = {
    "kie": Provider(
        name="kie",
        separation_key="vocal_separation_info",
        separation_msg="vocal separation generated successfully.",
        recovery_field="task_id",
        recovery_needs_callback=False,
        credit_path="/api/v1/chat/credit",
        integer_credits=False,
        missing_callback_code=422,
        rate_limit_code=429,
        rate_limit_http=429,
        lyrics_id_key="task_id",
        lyrics_error_key="error_message",
        callback_sources_always=False,
        upload_prefix="kieai",
        v6_models=False,
    ),
    "sunoapi": Provider(
        name="sunoapi",
        separation_key="vocal_removal_info",
        separation_msg="vocal Removal generated successfully.",
        recovery_field="sunoTaskId",
        recovery_needs_callback=True,
        credit_path="/api/v1/generate/credit",
        integer_credits=True,
        missing_callback_code=400,
        rate_limit_code=430,
        rate_limit_http=200,
        lyrics_id_key="taskId",
        lyrics_error_key="errorMessage",
        callback_sources_always=True,
        upload_prefix="sunoapiorg",
        v6_models=True,
    ),
}


def provider(name: str) -> Provider:
    """The profile called ``name``; ``ValueError`` naming the choices otherwise."""
    try:
        return PROVIDERS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"provider must be one of {', '.join(sorted(PROVIDERS))}, got {name!r}"
        ) from None
