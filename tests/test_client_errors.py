"""One table per decision: reply -> error class, and retry safety read from the class."""

from __future__ import annotations

import ast

import pytest

from suno_async import RetryPolicy
from suno_async.errors import (
    APIConnectionError,
    AuthenticationError,
    InsufficientCreditsError,
    InvalidParametersError,
    MaintenanceError,
    NotFoundError,
    RateLimitError,
    ServerError,
    error_class,
    error_for_code,
)
from suno_async.sandbox import Fault, Sandbox

from .conftest import make_client
from .test_architecture import MODULES, TREES


@pytest.mark.parametrize(
    ("code", "msg", "provider", "expected"),
    [
        (402, "", "kie", InsufficientCreditsError),
        (402, "", "sunoapi", InsufficientCreditsError),  # REFERENCE §2.2
        (429, "", "sunoapi", InsufficientCreditsError),
        (405, "", "kie", RateLimitError),  # §2.1: harmless, and retried on GETs
        (430, "", "kie", RateLimitError),
        (430, "", "sunoapi", RateLimitError),
        (422, "Record does not exist", "kie", NotFoundError),
        (422, "Original music record does not exist", "kie", NotFoundError),
        (422, "Music does not exist", "kie", NotFoundError),
        (422, "The corresponding record does not exist", "kie", NotFoundError),
        (422, "Validate record not found", "kie", NotFoundError),
        (422, "url is wrong", "kie", NotFoundError),
        (500, "The original Suno task does not exist.", "kie", NotFoundError),
        (500, "Internal Error, Please try again later.", "kie", ServerError),
        (422, "Please enter callBackUrl.", "kie", InvalidParametersError),
        (455, "", "apikley", MaintenanceError),
        (401, "", "kie", AuthenticationError),
    ],
)
def test_the_one_lookup(code: int, msg: str, provider: str, expected: type) -> None:
    assert error_class(code, msg, provider=provider) is expected
    assert type(error_for_code(code, msg, provider=provider)) is expected


def test_http_statuses_without_a_body_code() -> None:
    assert error_class(None, http_status=503) is ServerError
    assert error_class(None, http_status=404) is NotFoundError
    assert error_class(None, http_status=418) is InvalidParametersError
    assert error_class(402, http_status=429) is RateLimitError  # HTTP 429 wins


def test_retry_safety_is_a_property_of_the_class() -> None:
    assert RateLimitError("x").retryable and RateLimitError("x").resendable
    assert ServerError("x").retryable and not ServerError("x").resendable
    assert APIConnectionError("x").resendable
    assert not APIConnectionError("x", maybe_submitted=True).resendable
    assert not InvalidParametersError("x").retryable
    paid = error_for_code(500, "boom", paid=True)
    assert paid.maybe_submitted and not paid.resendable
    assert not error_for_code(429, "slow", paid=True).maybe_submitted


def test_maybe_submitted_is_never_set_from_outside() -> None:
    setters = [
        (module, node.lineno)
        for module, tree in TREES.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign | ast.AugAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Attribute) and target.attr == "maybe_submitted"
    ]
    assert [(m, n) for m, n in setters if m != "suno_async.errors"] == []
    assert "suno_async.errors" in MODULES


async def test_kie_405_is_a_rate_limit_retried_on_gets(sandbox: Sandbox) -> None:
    sandbox.inject(Fault(route="/api/v1/chat/credit", kind="body_code", code=405, times=2))
    async with make_client(sandbox) as client:
        assert await client.get_credits() > 0
    assert sandbox.stats.received["/api/v1/chat/credit"] == 3


async def test_a_bogus_id_on_a_create_call_is_not_found(sandbox: Sandbox) -> None:
    async with make_client(sandbox, retry=RetryPolicy(max_attempts=1)) as client:
        with pytest.raises(NotFoundError):
            await client.generate_cover_art(task_id="0" * 32)
        with pytest.raises(NotFoundError):  # body code 500 "... does not exist."
            await client.recover_audio(suno_task_id="0" * 32)
