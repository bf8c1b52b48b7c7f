"""Collecting request problems: every rule reports into one :class:`Checks`.

A request's ``validate()`` runs the type check of every field, then its own rules,
then raises one :class:`~suno_async.errors.RequestValidationError` naming each problem
and what fixes it.
"""

from __future__ import annotations

import enum
import math
import os
import sys
import types
import typing
import warnings
from collections.abc import Iterable
from typing import Any, cast, get_args, get_origin
from urllib.parse import urlsplit

import attrs

from .errors import Problem, RequestValidationError, UnknownModelWarning
from .limits import WEIGHT_DECIMALS, WEIGHT_RANGE

__all__ = ["Checks", "UnknownModelWarning", "check_types", "check_value", "enum_or_raw", "tuple_of"]


class Checks:
    """Accumulates :class:`Problem` s for one request."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, field: str, message: str) -> None:
        """Record a problem; a field keeps its first problem only (one fix at a time)."""
        if not self.failed(field):
            self.problems.append(Problem(field, message))

    def failed(self, field: str) -> bool:
        return any(p.field == field for p in self.problems)

    def required(self, field: str, value: object, why: str) -> bool:
        """``value`` must be present and non-blank; returns whether it is."""
        if value is None or (isinstance(value, str) and not value.strip()):
            self.add(field, f"required {why}")
            return False
        return True

    def required_url(self, field: str, value: str | None, why: str) -> None:
        """``value`` must be present and an http(s) URL."""
        if self.required(field, value, why):
            self.url(field, value)

    def empty(self, field: str, value: object, why: str) -> None:
        """``value`` must be left unset."""
        if value is not None and value != "" and not self.failed(field):
            self.add(field, why)

    def max_chars(self, field: str, value: str | None, limit: int, context: str) -> None:
        if isinstance(value, str) and len(value) > limit:
            self.add(
                field,
                f"{len(value)} characters, at most {limit} allowed {context}; shorten it",
            )

    def weight(self, field: str, value: float | None) -> None:
        if value is None or self.failed(field):
            return
        low, high = WEIGHT_RANGE
        if not (low <= value <= high and math.isfinite(value)):  # range first: no OverflowError
            self.add(field, f"must be between {low:g} and {high:g}, got {value!r}")
            return
        scaled = value * 10**WEIGHT_DECIMALS
        if abs(scaled - round(scaled)) > 1e-6:
            self.add(field, f"at most {WEIGHT_DECIMALS} decimal places, got {value!r}")

    def number_range(
        self, field: str, value: float | None, low: float, high: float, unit: str = ""
    ) -> None:
        if value is None or self.failed(field):
            return
        if not (low <= value <= high and math.isfinite(value)):  # range first: no OverflowError
            self.add(field, f"must be between {low:g} and {high:g}{unit}, got {value!r}")

    def url(self, field: str, value: str | None) -> None:
        if value is None or self.failed(field):
            return
        try:
            parts = urlsplit(value)
            ok = parts.scheme in ("http", "https") and bool(parts.netloc)
        except ValueError:  # e.g. "http://[" (an unclosed IPv6 literal)
            ok = False
        if not ok:
            self.add(field, f"must be an http(s) URL, got {value[:80]!r}")

    def model(
        self,
        field: str,
        value: object,
        allowed: Iterable[enum.Enum],
        endpoint: str,
        unverified: Iterable[enum.Enum] = (),
        host: str = "",
    ) -> None:
        """An enum member outside ``allowed`` is a problem; one in ``unverified`` or an
        unknown string is sent with an :class:`UnknownModelWarning`."""
        allowed = tuple(allowed)
        if self.failed(field):
            return
        on = f" on {host}" if host else ""
        if isinstance(value, enum.Enum):
            if value in allowed:
                return
            if value in tuple(unverified):
                warnings.warn(
                    f"model {value.value!r} is not confirmed for {endpoint}{on}; sending it as-is",
                    UnknownModelWarning,
                    stacklevel=_caller_level(),
                )
                return
            names = ", ".join(sorted(str(m.value) for m in allowed))
            self.add(field, f"{value.value} is not available for {endpoint}{on}; use {names}")
        elif isinstance(value, str):
            warnings.warn(
                f"model {value!r} is not in suno-async's tables; sending it as-is",
                UnknownModelWarning,
                stacklevel=_caller_level(),
            )

    def raise_if_any(self, request: str) -> None:
        if self.problems:
            raise RequestValidationError(self.problems, request=request)


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _caller_level() -> int:
    """The ``stacklevel`` that points a warning at the first frame outside suno_async
    (attrs' generated ``__init__`` included)."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None:
        name = frame.f_code.co_filename
        if not (name.startswith(_PACKAGE_DIR) or name.startswith("<attrs generated")):
            return level
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def _describe_type(tp: Any) -> str:
    origin = get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        names = [_describe_type(a) for a in get_args(tp) if a is not type(None)]
        return " or ".join(names)
    if origin is tuple:
        return f"a list of {_describe_type(get_args(tp)[0])}"
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return "one of " + ", ".join(repr(m.value) for m in tp)
    return {str: "a string", bool: "true or false", int: "an integer", float: "a number"}.get(
        tp, getattr(tp, "__name__", str(tp))
    )


def _matches(value: object, tp: Any) -> bool:
    if tp is Any:
        return True
    origin = get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, a) for a in get_args(tp))
    if tp is type(None):
        return value is None
    if origin is tuple:
        item = get_args(tp)[0]
        return isinstance(value, tuple) and all(_matches(v, item) for v in value)
    if tp is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(tp, type):
        return isinstance(value, tp)
    return True


def check_types(instance: object, checks: Checks) -> None:
    """Add a problem for every field whose value is not of its declared type, whose
    text cannot be sent as UTF-8 JSON, or whose number is not finite."""
    cls: Any = attrs.resolve_types(cast(Any, type(instance)))
    for field in attrs.fields(cls):
        value = getattr(instance, field.name)
        if not _matches(value, field.type):
            checks.add(
                field.name,
                f"must be {_describe_type(field.type)}, got {type(value).__name__} {value!r:.60}",
            )
        elif isinstance(value, tuple):
            for index, item in enumerate(value):
                check_value(checks, f"{field.name}[{index}]", item)
        else:
            check_value(checks, field.name, value)


def check_value(checks: Checks, field: str, value: object) -> None:
    """Text must encode as UTF-8 (no lone surrogates); numbers must be finite.

    >>> c = Checks(); check_value(c, "prompt", "ok" + chr(0xD800)); c.problems[0].field
    'prompt'
    """
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            bad = value[exc.start : exc.start + 1]
            checks.add(
                field,
                f"has a character that cannot be sent as UTF-8 JSON ({bad!r} at position "
                f"{exc.start}, a lone surrogate); remove or replace it",
            )
    elif isinstance(value, float) and not math.isfinite(value):
        checks.add(field, f"must be a finite number, got {value!r}")
    elif isinstance(value, int) and not isinstance(value, bool) and not _int_fits(value):
        checks.add(field, f"is too large a number ({value.bit_length()} bits); use a smaller one")


def _int_fits(value: int) -> bool:
    """Whether ``value`` fits a float (JSON numbers past that are not portable)."""
    try:
        float(value)
    except OverflowError:
        return False
    return True


def enum_or_raw(enum_cls: type[enum.Enum]) -> Any:
    """attrs converter: a known value becomes the enum member, anything else stays as is."""

    def convert(value: object) -> object:
        if isinstance(value, enum_cls):
            return value
        try:
            return enum_cls(value)
        except (ValueError, TypeError):
            return value

    return convert


def tuple_of(value: object) -> object:
    """attrs converter: lists become tuples (so frozen requests stay hashable)."""
    if isinstance(value, list):
        return tuple(value)
    return value

