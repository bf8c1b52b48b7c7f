"""The base of every request: its endpoint descriptor, validation and wire body.

Package-internal: the names here without an underscore are used by the sibling
modules (music, derived, immediate, uploads, voice).
"""

from __future__ import annotations

import math
from typing import Any, ClassVar, Self
from urllib.parse import urlsplit

import attrs

from ..._convert import unstructure_request
from ..._validation import Checks, check_types, enum_or_raw
from ...limits import DEFAULT_HOST, HOST_RULES, HostRules, host_rules
from ..enums import Model, PersonaModel, VocalGender

__all__ = [
    "LOCAL",
    "Endpoint",
    "MusicOptions",
    "Request",
    "TaskRequest",
    "check_persona",
    "decimals",
    "fill_callback",
    "finite",
    "int_range",
    "model_name",
    "positive",
    "redact_url",
    "to_gender",
    "to_model",
    "to_persona_model",
]

_to_model_raw: Any = enum_or_raw(Model)


def to_model(value: object) -> Any:
    """attrs converter: a known Model value becomes the member; anything else stays."""
    return _to_model_raw(value)
_to_gender_raw: Any = enum_or_raw(VocalGender)


def to_gender(value: object) -> Any:
    """attrs converter: a known VocalGender value becomes the member; anything else stays."""
    return _to_gender_raw(value)
_to_persona_model_raw: Any = enum_or_raw(PersonaModel)


def to_persona_model(value: object) -> Any:
    """attrs converter: a known PersonaModel value becomes the member; anything else stays."""
    return _to_persona_model_raw(value)

#: A field that is validated but never sent.
LOCAL: dict[str, Any] = {"wire": None}


@attrs.frozen(kw_only=True)
class Endpoint:
    """What a request class talks to, declared once per class.

    ``name`` is used in messages and limit tables, ``path`` is the route, ``kind`` the
    job kind the call creates (``None``: an immediate call), ``paid`` whether it starts
    billable work (such a POST is never sent twice), ``callback`` whether the API needs
    a ``callBackUrl`` and ``method`` the HTTP method.

    >>> from suno_async.models.requests import GenerateRequest
    >>> GenerateRequest.spec.path, GenerateRequest.spec.kind, GenerateRequest.spec.paid
    ('/api/v1/generate', 'music', True)
    """

    name: str
    path: str = ""
    kind: str | None = None
    paid: bool = False
    callback: bool = False
    method: str = "POST"


@attrs.frozen(kw_only=True)
class Request:
    """Base of every request: validation on construction and the camelCase wire body.

    Subclasses declare ``spec`` (an :class:`Endpoint`) and add their rules in
    ``_check``. ``path``, ``endpoint``, ``kind`` and ``needs_callback`` are read from
    ``spec`` (kept as class attributes for existing callers).

    ``host`` names the provider whose rules apply (``"kie"`` by default; see
    :data:`suno_async.limits.HOST_RULES`); it is never sent.
    """

    spec: ClassVar[Endpoint] = Endpoint(name="request")
    path: ClassVar[str] = ""
    endpoint: ClassVar[str] = "request"
    kind: ClassVar[str | None] = None
    #: Whether the API needs a ``callBackUrl`` (task-creating endpoints).
    needs_callback: ClassVar[bool] = False

    host: str = attrs.field(default=DEFAULT_HOST, repr=False, metadata=LOCAL)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        spec = cls.__dict__.get("spec")
        if isinstance(spec, Endpoint):
            cls.path = spec.path
            cls.endpoint = spec.name
            cls.kind = spec.kind
            cls.needs_callback = spec.callback

    def __attrs_post_init__(self) -> None:
        self.validate()

    @property
    def rules(self) -> HostRules:
        """The rules of :attr:`host`."""
        return host_rules(self.host)

    def for_host(self, host: str) -> Self:
        """This request validated for ``host`` (itself when already so).

        >>> from suno_async.models.requests import RecoveryRequest
        >>> RecoveryRequest(suno_task_id="t1").for_host("sunoapi").to_wire()
        {'sunoTaskId': 't1'}
        """
        if host == self.host:
            return self
        return attrs.evolve(self, host=host)

    def validate(self) -> None:
        """Raise :class:`RequestValidationError` listing every problem, if any."""
        checks = Checks()
        check_types(self, checks)
        if not checks.failed("host") and self.host not in HOST_RULES:
            names = ", ".join(repr(name) for name in HOST_RULES)
            checks.add("host", f"must be one of {names} (the provider), got {self.host!r:.40}")
        typed_ok = not checks.problems
        try:
            self._check(checks)
            self._check_common(checks)
        except (TypeError, ValueError, AttributeError, OverflowError):
            if typed_ok:
                raise
            # a field of the wrong type already reported; rules that need it are skipped
        checks.raise_if_any(self.endpoint)

    def _check(self, checks: Checks) -> None:
        """Add this request's rules (override)."""

    def _check_common(self, checks: Checks) -> None:
        """Rules of a family of requests, run after ``_check`` (override in bases)."""

    def check_model(self, checks: Checks, value: object, label: str | None = None) -> None:
        """``model`` against this host's table for this endpoint."""
        rules = self.rules
        name = self.endpoint
        checks.model(
            "model",
            value,
            rules.accepted(name),
            label or name.replace("_", "-"),
            rules.unverified(name),
            rules.name,
        )

    def to_wire(self) -> dict[str, Any]:
        """The JSON body, camelCase, with unset fields left out."""
        return unstructure_request(self)


def redact_url(value: object) -> str:
    """``repr`` of a callback URL without its path and query (they may hold a secret token).

    >>> redact_url("https://bot.example.com/suno-async/callback/s3cr3t")
    "'https://bot.example.com/...'"
    """
    if not isinstance(value, str):
        return repr(value)
    try:
        parts = urlsplit(value)
    except ValueError:
        return "'...'"
    return repr(f"{parts.scheme}://{parts.netloc}/...")


@attrs.frozen(kw_only=True)
class TaskRequest(Request):
    """A request that creates a task: it carries ``call_back_url``, which the client
    fills in (your webhook receiver, your configured URL, or a documented placeholder).
    """

    needs_callback: ClassVar[bool] = True

    call_back_url: str | None = attrs.field(default=None, repr=redact_url)

    def _check_common(self, checks: Checks) -> None:
        checks.url("call_back_url", self.call_back_url)


@attrs.frozen(kw_only=True)
class MusicOptions(TaskRequest):
    """Optional fields shared by the music-generation family."""

    negative_tags: str | None = None
    vocal_gender: VocalGender | None = attrs.field(default=None, converter=to_gender)
    style_weight: float | None = None
    weirdness_constraint: float | None = None
    audio_weight: float | None = None

    def _check_options(self, checks: Checks) -> None:
        for name in ("style_weight", "weirdness_constraint", "audio_weight"):
            checks.weight(name, getattr(self, name))


def check_persona(checks: Checks, persona_id: str | None, persona_model: object) -> None:
    """``persona_model`` only together with ``persona_id``."""
    if persona_model is not None and persona_id is None:
        checks.add(
            "persona_model",
            "only with persona_id (say what the id is: style_persona or voice_persona); "
            "set persona_id or leave persona_model out",
        )


def fill_callback(request: Request, url: str) -> Request:
    """``request`` with ``call_back_url`` set to ``url`` when it has none."""
    if isinstance(request, TaskRequest) and request.call_back_url is None:
        return attrs.evolve(request, call_back_url=url)
    return request


def model_name(model: object) -> str:
    return str(getattr(model, "value", model))


def finite(value: float) -> bool:
    """``math.isfinite`` that says False for an int too large for a float."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def decimals(checks: Checks, field: str, value: float | None, places: int) -> None:
    """``value`` has at most ``places`` decimal places (skipped when already failed)."""
    if value is None or checks.failed(field) or not finite(value):
        return
    scaled = value * 10**places
    if abs(scaled - round(scaled)) > 1e-6:
        checks.add(field, f"at most {places} decimal places, got {value!r}")


def positive(checks: Checks, field: str, value: float | None, what: str) -> None:
    if value is None or checks.failed(field):
        return
    if not (finite(value) and value > 0):
        checks.add(field, f"must be a finite number greater than 0 ({what}), got {value!r:.40}")


def int_range(
    checks: Checks, field: str, value: int | None, low: int, high: int, unit: str
) -> None:
    """An integer within ``low``..``high`` (skipped when already failed)."""
    if value is None or checks.failed(field):
        return
    if not low <= value <= high:
        checks.add(field, f"must be between {low} and {high}{unit}, got {value!r:.40}")
