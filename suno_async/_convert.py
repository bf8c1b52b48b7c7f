"""The cattrs converter: wire JSON <-> attrs models.

Incoming keys may be camelCase (record-info) or snake_case (callbacks); both map to
the snake_case attribute names. Unknown keys are ignored, ``null`` becomes the field's
empty value, numbers may arrive as strings, timestamps as epoch milliseconds, epoch
seconds, ``"YYYY-MM-DD HH:MM:SS"`` or ISO 8601. Outgoing requests are camelCase with
unset (``None``) fields left out.

>>> from suno_async._convert import parse_timestamp
>>> parse_timestamp(1776340072000).year
2026
>>> parse_timestamp("2025-01-01 00:00:00").isoformat()
'2025-01-01T00:00:00+00:00'
"""

from __future__ import annotations

import enum
import functools
import re
import types
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar, cast, get_args, get_origin

import attrs
import cattrs

from .errors import APIResponseValidationError

__all__ = ["camel", "converter", "parse_timestamp", "snake", "structure", "unstructure_request"]

T = TypeVar("T")

_CAMEL_RE = re.compile(r"(?<=[a-z0-9])([A-Z])")


@functools.lru_cache(maxsize=1024)
def snake(name: str) -> str:
    """``audioUrl`` -> ``audio_url``; snake_case names pass through."""
    return _CAMEL_RE.sub(r"_\1", name).lower()


@functools.lru_cache(maxsize=1024)
def camel(name: str) -> str:
    """``call_back_url`` -> ``callBackUrl``."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def parse_timestamp(value: object) -> datetime | None:
    """Parse the API's timestamps (epoch ms/s numbers or strings) into aware UTC datetimes."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a timestamp: {value!r}")
    if isinstance(value, int | float):
        number = float(value)
        if number > 1e11:  # milliseconds
            number /= 1000.0
        return datetime.fromtimestamp(number, tz=UTC)
    if isinstance(value, str):
        text = value.strip()
        try:
            return parse_timestamp(float(text))
        except ValueError:
            pass
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed
    raise ValueError(f"not a timestamp: {value!r}")


def _to_str(value: object, _type: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value)
    raise ValueError(f"expected a string, got {type(value).__name__}")


def _to_int(value: object, _type: object) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return int(float(value.strip()))
    raise ValueError(f"expected an integer, got {value!r}")


def _to_optional_int(value: object, _type: object) -> int | None:
    if value is None or value == "":
        return None
    try:
        return _to_int(value, int)
    except (ValueError, OverflowError):
        return None


def _to_float(value: object, _type: object) -> float:
    if isinstance(value, bool):
        raise ValueError("expected a number, got a bool")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return float(value.strip())
    raise ValueError(f"expected a number, got {value!r}")


def _to_bool(value: object, _type: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in {"true", "false", "1", "0"}:
        return value.strip().lower() in {"true", "1"}
    raise ValueError(f"expected a boolean, got {value!r}")


#: Recently parsed numeric timestamps (a task's createTime repeats on every poll).
_STAMPS: dict[int | float, datetime | None] = {}
_STAMPS_KEPT = 4096


def _to_datetime(value: object, _type: object) -> datetime | None:
    """Lenient: a timestamp that does not parse (NaN, out of range, odd text) is absent."""
    try:
        if type(value) is int or type(value) is float:
            cached = _STAMPS.get(value)
            if cached is None:
                cached = parse_timestamp(value)
                if len(_STAMPS) >= _STAMPS_KEPT:
                    _STAMPS.clear()
                _STAMPS[value] = cached
            return cached
        return parse_timestamp(value)
    except (ValueError, OverflowError, OSError):
        return None


#: Per class, wire keys remembered (beyond this, keys are mapped on each use).
_MAX_KEYS = 256
#: Primitive types whose values pass as is when already of that exact type.
_PLAIN: dict[Any, tuple[Any, ...]] = {}


_UNPLANNED: Any = object()


def _field_hook(conv: cattrs.Converter, tp: Any) -> Callable[[Any, Any], Any]:
    """The structure hook of a field type, resolved once (``X | None`` unwrapped when
    no hook of its own is registered: ``None`` is handled by the caller)."""
    hook = conv.get_structure_hook(tp)
    args = get_args(tp)
    if isinstance(tp, types.UnionType) and len(args) == 2 and type(None) in args:
        inner = args[0] if args[1] is type(None) else args[1]
        if tp != int | None:  # optional integers have their own lenient hook
            inner_hook = conv.get_structure_hook(inner)

            def optional(value: Any, _t: Any) -> Any:
                return None if value is None else inner_hook(value, inner)

            return optional
    return hook


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=False)
    conv.register_structure_hook(str, _to_str)
    conv.register_structure_hook(int, _to_int)
    conv.register_structure_hook(float, _to_float)
    conv.register_structure_hook(bool, _to_bool)
    conv.register_structure_hook(datetime, _to_datetime)
    # Optional integers (error codes...) are lenient: text that is not a number is absent.
    conv.register_structure_hook_func(lambda t: t == int | None, _to_optional_int)
    _PLAIN.update({str: (_to_str,), int: (_to_int,), float: (_to_float,), bool: (_to_bool,)})

    def tuple_factory(tp: Any) -> Callable[[object, Any], tuple[Any, ...]]:
        args = get_args(tp)
        item = args[0] if args else Any
        item_hook = conv.get_structure_hook(item)  # resolved once per tuple type

        def hook(value: object, _t: Any) -> tuple[Any, ...]:
            if value is None or value == "":
                return ()
            if not isinstance(value, list | tuple):
                raise ValueError(f"expected a list, got {type(value).__name__}")
            return tuple([item_hook(v, item) for v in value])

        return hook

    def is_variadic_tuple(tp: Any) -> bool:
        args: tuple[Any, ...] = get_args(tp)
        return get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis

    conv.register_structure_hook_factory(is_variadic_tuple, tuple_factory)

    def attrs_factory(cls: type[Any]) -> Callable[[object, Any], Any]:
        # Precompiled once per class: wire key -> (attribute, hook, type, keeps default,
        # the exact type a value may have to be used as is). Hooks resolve lazily so
        # nested classes compile on first use (no recursion while compiling).
        fields = {f.name: f for f in attrs.fields(attrs.resolve_types(cls))}
        plans: dict[object, tuple[str, Any, Any, bool, type | None] | None] = {}
        hooks: dict[str, Any] = {}

        def plan(key: object) -> tuple[str, Any, Any, bool, type | None] | None:
            field = fields.get(snake(key)) if isinstance(key, str) else None
            if field is None:
                result = None
            else:
                name = field.name
                hook = hooks.get(name)
                if hook is None:
                    hook = hooks[name] = _field_hook(conv, field.type)
                plain = field.type if hook in _PLAIN.get(field.type, ()) else None
                result = (name, hook, field.type, field.default is not attrs.NOTHING, plain)
            if len(plans) < _MAX_KEYS:  # keys come from the server: bounded
                plans[key] = result
            return result

        def hook(value: object, _t: Any) -> Any:
            if type(value) is not dict and not isinstance(value, Mapping):
                got = type(value).__name__
                raise ValueError(f"expected an object for {cls.__name__}, got {got}")
            kwargs: dict[str, Any] = {}
            for key, item in value.items():
                step = plans.get(key, _UNPLANNED)
                if step is _UNPLANNED:
                    step = plan(key)
                if step is None:
                    continue
                name, field_hook, field_type, has_default, plain = step
                if name in kwargs:
                    continue
                if item is None:
                    if not has_default:
                        kwargs[name] = field_hook(item, field_type)
                    continue  # keep the field's empty default
                if type(item) is plain:
                    kwargs[name] = item  # already the right type: nothing to convert
                else:
                    kwargs[name] = field_hook(item, field_type)
            return cls(**kwargs)

        return hook

    conv.register_structure_hook_factory(attrs.has, attrs_factory)
    return conv


#: The SDK's converter for replies.
converter: cattrs.Converter = _make_converter()


def structure(value: object, cls: type[T], *, what: str | None = None) -> T:
    """Structure JSON ``value`` into ``cls``; any failure is ``APIResponseValidationError``.

    (Unchanged replies never get here: the poller and ``get_record`` recognise a reply
    by its bytes, see :meth:`suno_async._http.Transport.poll`.)
    """
    try:
        return converter.structure(value, cls)
    except Exception as exc:  # cattrs raises several kinds; all mean "unexpected shape"
        name = what or getattr(cls, "__name__", str(cls))
        raise APIResponseValidationError(
            f"unexpected {name} in the reply: {_describe(exc)}", body=value
        ) from exc


def _describe(exc: BaseException) -> str:
    if isinstance(exc, cattrs.BaseValidationError):
        inner = exc.exceptions
        if inner:
            return _describe(inner[0])
    return str(exc) or type(exc).__name__


def _wire_value(value: object) -> object:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_wire_value(v) for v in value]
    if attrs.has(type(value)):
        return unstructure_request(value)
    return value


def unstructure_request(request: object) -> dict[str, Any]:
    """camelCase JSON body of an attrs request; fields that are ``None`` are left out.

    A field may name its wire key with ``metadata={"wire": "..."}``; a field with
    ``metadata={"wire": None}`` is never sent.
    """
    body: dict[str, Any] = {}
    for field in attrs.fields(cast(Any, type(request))):
        value = getattr(request, field.name)
        if value is None:
            continue
        key = field.metadata.get("wire", camel(field.name))
        if key is None:
            continue
        body[key] = _wire_value(value)
    return body
