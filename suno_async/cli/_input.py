"""Requests from the command line and from JSON Lines batch files."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import attrs

from ..errors import Problem, RequestValidationError
from ..models.requests import GenerateRequest
from ._context import CliError
from ._exit import ExitCode

__all__ = ["read_batch", "request_from_args", "request_from_mapping"]

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
_GENERATE_FIELDS = {f.name for f in attrs.fields(GenerateRequest)}


def _snake(name: str) -> str:
    special = {"callBackUrl": "call_back_url"}
    return special.get(name) or _CAMEL.sub("_", name).lower()


def request_from_mapping(data: dict[str, Any], *, where: str = "") -> GenerateRequest:
    """A :class:`GenerateRequest` from snake_case or camelCase JSON fields.

    >>> request_from_mapping({"prompt": "lofi", "customMode": False}).prompt
    'lofi'
    """
    fields: dict[str, Any] = {}
    unknown = []
    for key, value in data.items():
        name = _snake(key)
        if name not in _GENERATE_FIELDS:
            unknown.append(key)
            continue
        fields[name] = value
    if unknown:
        raise RequestValidationError(
            [Problem(k, "unknown field for generate") for k in unknown],
            request=f"generate{where}",
        )
    try:
        return GenerateRequest(**fields)
    except RequestValidationError as exc:
        raise RequestValidationError(exc.problems, request=f"generate{where}") from None


def request_from_args(args: argparse.Namespace) -> GenerateRequest:
    """The request ``suno-async generate`` was given."""
    prompt = args.prompt if args.prompt is not None else args.prompt_arg
    if args.prompt is not None and args.prompt_arg is not None:
        raise CliError(
            ExitCode.USAGE, "the prompt was given twice.", "use either PROMPT or --prompt."
        )
    fields: dict[str, Any] = {
        "prompt": prompt,
        "custom_mode": args.custom_mode,
        "instrumental": args.instrumental,
        "model": args.model,
        "style": args.style,
        "title": args.title,
        "negative_tags": args.negative_tags,
        "vocal_gender": args.vocal_gender,
        "style_weight": args.style_weight,
        "weirdness_constraint": args.weirdness_constraint,
        "audio_weight": args.audio_weight,
        "persona_id": args.persona_id,
        "call_back_url": args.callback_url,
    }
    return GenerateRequest(**{k: v for k, v in fields.items() if v is not None})


def _read_text(path: str) -> str:
    try:
        raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise CliError(
            ExitCode.USAGE, f"cannot read {path}: {exc.strerror}.", "check the file name."
        ) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CliError(
            ExitCode.USAGE,
            f"{path} is not UTF-8 text (line {line}, byte {exc.start}); nothing was sent.",
            "save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8).",
        ) from None


def read_batch(path: str) -> list[GenerateRequest]:
    """Every request of a JSON Lines file; all problems of all lines reported at once."""
    text = _read_text(path)
    requests: list[GenerateRequest] = []
    problems: list[Problem] = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            data = json.loads(stripped)
        except ValueError as exc:
            problems.append(Problem(f"line {number}", f"not JSON ({exc})"))
            continue
        if not isinstance(data, dict):
            problems.append(Problem(f"line {number}", "must be a JSON object"))
            continue
        try:
            requests.append(request_from_mapping(data))
        except RequestValidationError as exc:
            problems.extend(Problem(f"line {number}: {p.field}", p.message) for p in exc.problems)
    if problems:
        raise RequestValidationError(problems, request=f"batch file {path}")
    if not requests:
        raise CliError(
            ExitCode.USAGE,
            f"{path} has no requests.",
            'write one JSON object per line, e.g. {"prompt": "lofi piano", "instrumental": true}',
        )
    return requests
