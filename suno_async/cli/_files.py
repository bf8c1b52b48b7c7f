"""Saving tracks: safe file names from titles, streamed to a temporary file then renamed.

>>> safe_name("Ünïcode / Drift: Part 2?")
'Unicode-Drift-Part-2'
>>> track_file_name("Night Drive", "3f2a9c1e-0000", "https://x.test/a/b.wav")
'Night-Drive-3f2a9c1e.wav'
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp

from ..config import DEFAULT_MAX_DOWNLOAD_BYTES
from ..errors import APIConnectionError, APIStatusError, APITimeoutError

__all__ = ["download_url", "safe_name", "track_file_name"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_KNOWN_EXTENSIONS = {".mp3", ".wav", ".m4a", ".flac", ".ogg", ".png", ".jpg", ".jpeg", ".mp4"}


def safe_name(text: str, limit: int = 60) -> str:
    """A portable file-name stem: ASCII letters, digits, ``.-_``; never empty names."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    stem = _UNSAFE.sub("-", ascii_text).strip("-._")
    return stem[:limit].rstrip("-._")


def track_file_name(title: str, track_id: str, url: str, default_ext: str = ".mp3") -> str:
    """``<title>-<first 8 of id><ext>``, the extension taken from the URL."""
    ext = os.path.splitext(urlsplit(url).path)[1].lower()
    if ext not in _KNOWN_EXTENSIONS:
        ext = default_ext
    stem = safe_name(title) or "track"
    short = safe_name(track_id)[:8] or "x"
    return f"{stem}-{short}{ext}"


async def download_url(
    session: aiohttp.ClientSession,
    url: str,
    dest: Path,
    *,
    max_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
) -> Path:
    """Stream ``url`` into ``dest``: a temporary file in the same directory, then a rename.

    A partial download never appears under the final name.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".part-", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                async with session.get(url) as response:
                    if response.status != 200:
                        raise APIStatusError(
                            f"download of {_public(url)} failed with HTTP {response.status}",
                            code=response.status,
                            http_status=response.status,
                        )
                    size = 0
                    async for chunk in response.content.iter_chunked(64 * 1024):
                        size += len(chunk)
                        if size > max_bytes:
                            raise APIStatusError(
                                f"download of {_public(url)} is larger than {max_bytes} bytes",
                                code=413,
                            )
                        out.write(chunk)
            except TimeoutError as exc:
                raise APITimeoutError(f"download of {_public(url)} timed out") from exc
            except aiohttp.ClientError as exc:
                raise APIConnectionError(f"download of {_public(url)} failed: {exc}") from exc
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return dest


def _public(url: str) -> str:
    """The URL without its query string (signed URLs carry tokens there)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
