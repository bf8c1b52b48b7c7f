"""The create gate every task-creating endpoint goes through.

Order: rate limit (HTTP 429, nothing recorded) -> body and validation (HTTP 200 + 400/422) ->
existence checks (422 "Record does not exist") -> credits (HTTP 200 + 402) -> task created,
charged, counted, callbacks scheduled -> ``{"taskId": ...}`` (recovery: ``{"task_id": ...}``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from .records import callback_body
from .replies import (
    NO_CREDITS,
    base_url,
    envelope,
    invalid,
    key_of,
    ok,
    read_body,
    state_of,
    too_many,
)
from .rules import MISSING_CALLBACK, Invalid
from .state import SandboxState
from .tasks import Phase, Step, Task
from .timeline import ERRORS

Builder = Callable[["Draft"], Task]


class Draft:
    """What a builder needs to construct a task: the request, its body, ids and clock."""

    def __init__(self, request: web.Request, state: SandboxState, body: dict[str, Any]) -> None:
        self.request = request
        self.state = state
        self.body = body
        self.key = key_of(request)
        self.now = state.now()
        self.task_id = state.new_task_id()
        self.rng = state.task_rng(self.task_id)
        self.provider = state.provider

    @property
    def v6(self) -> bool:
        """Whether the host accepts the V6 model family (REFERENCE §3.1)."""
        return self.provider.v6_models

    def task(
        self,
        family: str,
        steps: list[Step],
        cause: str | None,
        *,
        markers: frozenset[str],
        cost: float,
        callback: str | None = None,
        **fields: Any,
    ) -> Task:
        code, message = ERRORS[cause] if cause is not None else (None, None)
        return Task(
            task_id=self.task_id,
            family=family,
            owner=self.key,
            path=self.request.path,
            body=self.body,
            param=self.state.param_json(self.body),
            created=self.now,
            create_ms=self.state.epoch_ms(),
            base_url=base_url(self.request),
            callback_url=str(callback or self.body.get("callBackUrl") or ""),
            steps=steps,
            markers=markers,
            cost=cost,
            error_code=code,
            error_message=message,
            refund_on_failure=cause in ("refund", "create-fail"),
            provider=self.provider,
            **fields,
        )


def rate_limit_reply(state: SandboxState, key: str, now: float) -> web.Response | None:
    if state.rate is None or not state.rate.full(key, now):
        return None
    state.stats.rate_limited += 1
    return too_many(
        f"Rate limit exceeded: at most {state.rate.limit} new tasks per "
        f"{state.rate.window:g} seconds. Please try again later.",
        state.rate.retry_after(key, now),
        state.provider.rate_limit_code,
        state.provider.rate_limit_http,
    )


async def submit(
    request: web.Request, build: Builder, id_key: str = "taskId"
) -> web.StreamResponse:
    """Run the create gate and return the API's reply (``data.<id_key>``: the new task id)."""
    state = state_of(request)
    key = key_of(request)
    limited = rate_limit_reply(state, key, state.now())
    if limited is not None:
        return limited
    try:
        draft = Draft(request, state, await read_body(request))
        task = build(draft)
    except Invalid as err:
        if err.msg == MISSING_CALLBACK:  # kie 422, sunoapi.org 400 (fixtures)
            err.code = state.provider.missing_callback_code
        return invalid(err)
    # checked again: other creations may have landed while the body was read
    limited = rate_limit_reply(state, key, state.now())
    if limited is not None:
        return limited
    if not state.can_pay(key, task.cost):
        return envelope(402, NO_CREDITS)
    state.charge(key, task.cost)
    if state.rate is not None:
        state.rate.add(key, state.now())
    early = None
    if _callback_fault(state, request.path, "callback_reorder"):
        task.reorder_callbacks = True
    if _callback_fault(state, request.path, "callback_early"):
        early = _first_callback_phase(task, state.seed)
    state.add_task(task)
    if early is not None:
        await state.callbacks.send_now(task, early)
    return ok({id_key: task.task_id})


def _callback_fault(state: SandboxState, path: str, kind: str) -> bool:
    if state.faults.pick(path, frozenset({kind})) is None:
        return False
    state.stats.faults_injected[kind] += 1
    return True


def _first_callback_phase(task: Task, seed: int) -> Phase | None:
    for step in task.steps:
        if callback_body(task, step.phase, seed) is not None:
            return step.phase
    return None
