"""The kie callback signature: computing it, and finding which task id a body's is for.

kie signs ``f"{task_id}.{timestamp}"`` with the account's ``webhookHmacKey`` and sends
``X-Webhook-Timestamp`` / ``X-Webhook-Signature``. The task id lives in the body, so
:func:`signed_task_id` looks for task-id fields in the raw bytes (no JSON parsing:
a forged body costs one bounded regex scan, never a parse) and returns the one the
signature is for; the receiver later checks that the parsed body names that same id.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from collections.abc import Mapping
from typing import Final

__all__ = ["SIGNATURE_HEADER", "TIMESTAMP_HEADER", "sign", "signed_task_id", "stamp_in_window"]

TIMESTAMP_HEADER: Final = "x-webhook-timestamp"
SIGNATURE_HEADER: Final = "x-webhook-signature"
#: Task-id fields of every callback shape (``data.task_id``, ``data.taskId``, top-level),
#: as plain JSON strings (an id with escapes is not one the API sends).
_TASK_ID_FIELD: Final = re.compile(rb'"(?:task_id|taskId)"\s*:\s*"([^"\\]{1,200})"')
#: Distinct candidate ids tried per body (a body normally has exactly one).
MAX_CANDIDATES: Final = 4
_STAMP: Final = re.compile(r"[0-9]{1,12}")


def sign(key: str, task_id: str, timestamp: str | int) -> str:
    """The kie signature: ``base64(HMAC-SHA256(key, f"{task_id}.{timestamp}"))``.

    >>> sign("k", "t1", 1700000000)
    'OxQYbJIOgGvbM7JD7SRf3tQlQ1wOxE6lcNj41MLl3bI='
    """
    digest = hmac.new(key.encode(), f"{task_id}.{timestamp}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def stamp_in_window(headers: Mapping[str, str], tolerance: float, now: float | None = None) -> bool:
    """The timestamp header is plain digits within ``tolerance`` seconds of ``now``.

    >>> stamp_in_window({"x-webhook-timestamp": "100"}, 60, now=130)
    True
    >>> stamp_in_window({"x-webhook-timestamp": "100"}, float("nan"), now=100)
    False
    """
    stamp = headers.get(TIMESTAMP_HEADER, "")
    if not _STAMP.fullmatch(stamp):
        return False
    skew = abs((time.time() if now is None else now) - int(stamp))
    return skew <= tolerance  # False for a NaN tolerance: never "no window"


def signed_task_id(
    key: str, headers: Mapping[str, str], raw: bytes, tolerance: float
) -> str | None:
    """The task id in ``raw`` that the signature headers are valid for, or ``None``.

    ``headers`` has lower-case names. Comparisons are constant-time.

    >>> body = b'{"data": {"task_id": "t1"}}'
    >>> good = {"x-webhook-timestamp": "1700000000",
    ...         "x-webhook-signature": sign("k", "t1", 1700000000)}
    >>> signed_task_id("k", good, body, tolerance=float("inf"))
    't1'
    >>> signed_task_id("other", good, body, tolerance=float("inf")) is None
    True
    """
    if not stamp_in_window(headers, tolerance):
        return None
    stamp = headers[TIMESTAMP_HEADER]
    given = headers.get(SIGNATURE_HEADER, "").encode()
    tried: list[bytes] = []
    for match in _TASK_ID_FIELD.finditer(raw):
        candidate = match.group(1)
        if candidate in tried:
            continue
        if len(tried) >= MAX_CANDIDATES:
            break
        tried.append(candidate)
        try:
            task_id = candidate.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if hmac.compare_digest(given, sign(key, task_id, stamp).encode()):
            return task_id
    return None
