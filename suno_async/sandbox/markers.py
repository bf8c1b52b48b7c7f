"""Magic prompt markers (``[[fail]]``, ``[[skip]]``, ...) that force deterministic outcomes."""

from __future__ import annotations

import re
from collections.abc import Iterable

MARKERS = frozenset(
    {
        "fail",
        "create-fail",
        "sensitive",
        "callback-exception",
        "callback-exception-early",
        "skip",
        "unknown-status",
        "never",
        "slow",
        "refund",
        "partial",  # recovery only: one track recovered, the others failed
    }
)

#: Task families a marker can be scoped to with ``[[name:family]]``.
FAMILIES = frozenset(
    {"music", "lyrics", "wav", "vocal", "midi", "mp4", "cover", "recovery", "voice"}
)

_PATTERN = re.compile(r"\[\[([a-z-]+)(?::([a-z0-9]+))?\]\]")


def find_markers(texts: Iterable[object], family: str) -> frozenset[str]:
    """Markers in ``texts`` that apply to a task of ``family``.

    A plain marker (``[[fail]]``) applies to every family; a scoped one (``[[fail:wav]]``)
    only to that family. Non-string values are ignored; unknown names are ignored.
    """
    found: set[str] = set()
    for text in texts:
        if not isinstance(text, str) or "[[" not in text:
            continue
        for name, scope in _PATTERN.findall(text):
            if name in MARKERS and scope in ("", family):
                found.add(name)
    return frozenset(found)


#: Request fields scanned for markers.
MARKER_FIELDS = ("prompt", "style", "title", "tags", "lyrics")
