"""Untrusted text made safe for a terminal: the one function every CLI output goes through.

Titles, tags, URLs, task ids and error messages come from the API (or from a forged
callback). Printed raw, an ESC sequence recolours or rewrites the terminal, a bidi override
(U+202E) reverses what follows, a lone surrogate crashes the write; rich would also read
``[/x]`` as markup. :func:`printable` replaces every such character by a visible escape;
:mod:`._output` then hands the result to rich as plain ``Text`` (never parsed as markup).

>>> printable("Remix [/x] \\x1b[31m\\u202e")
'Remix [/x] \\\\x1b[31m\\\\u202e'
>>> printable("Song [feat. Ann]")
'Song [feat. Ann]'
>>> printable("two\\nlines"), printable("two\\nlines", newlines=True)
('two\\\\nlines', 'two\\nlines')
"""

from __future__ import annotations

import unicodedata
from typing import Final

__all__ = ["printable"]

#: Characters that reorder or hide text although they are not control characters:
#: bidi embeddings, overrides and isolates, marks, and the line/paragraph separators.
_INVISIBLE: Final = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029"
)


def _escape(char: str) -> str:
    point = ord(char)
    if char == "\n":
        return "\\n"
    if char == "\t":
        return "\\t"
    if char == "\r":
        return "\\r"
    return f"\\x{point:02x}" if point <= 0xFF else f"\\u{point:04x}"


def _unsafe(char: str) -> bool:
    point = ord(char)
    if point < 0x20 or 0x7F <= point <= 0x9F:  # C0, DEL, C1 (ESC, CSI, OSC ...)
        return True
    return char in _INVISIBLE or unicodedata.category(char) == "Cs"  # lone surrogates


def printable(text: object, *, newlines: bool = False) -> str:
    """``text`` with every control, C1, bidi-override and surrogate character escaped.

    With ``newlines=True`` line breaks are kept (for the CLI's own multi-line messages);
    otherwise they are escaped too, so one value stays on one line.
    """
    value = text if isinstance(text, str) else str(text)
    if value.isprintable() and not any(c in _INVISIBLE for c in value):
        return value
    return "".join(
        _escape(c) if _unsafe(c) and not (newlines and c == "\n") else c for c in value
    )
