"""The body of an upload: which upload request a source needs, and its multipart form.

Package-internal: :meth:`SunoClient.upload_file` uses :func:`upload_body`. A form is
built afresh for every attempt (a sent form is consumed), from a fresh file handle
when the source is a path; every handle is closed when the upload ends.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import mimetypes
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import IO

import aiohttp

from .limits import UPLOAD_BASE64_MAX_BYTES
from .models.requests import (
    Base64UploadRequest,
    StreamUploadRequest,
    UploadRequest,
    UrlUploadRequest,
)

__all__ = ["FormFactory", "UploadSource", "upload_body"]

#: What ``upload_file`` accepts: a path, an http(s) URL, or bytes.
UploadSource = str | os.PathLike[str] | bytes | bytearray | memoryview
#: Builds the multipart body of one attempt.
FormFactory = Callable[[], aiohttp.FormData]


@contextlib.asynccontextmanager
async def upload_body(
    source: UploadSource,
    *,
    upload_path: str,
    file_name: str | None = None,
    mime_type: str | None = None,
) -> AsyncIterator[tuple[UploadRequest, FormFactory | None]]:
    """The upload request for ``source`` and, for multipart uploads, its form factory.

    A URL string is fetched by the host; small bytes go as base64, larger bytes and
    paths stream as multipart. Other schemes and types raise before anything is sent.
    """
    if isinstance(source, str) and source.startswith(("http://", "https://")):
        yield UrlUploadRequest(file_url=source, upload_path=upload_path, file_name=file_name), None
        return
    if isinstance(source, str) and "://" in source:
        raise ValueError(f"only http(s) URLs can be uploaded from, got {source[:80]!r}")
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        mime = mime_type or _guess_mime(file_name)
        if len(data) <= UPLOAD_BASE64_MAX_BYTES:
            yield Base64UploadRequest(
                base64_data=base64.b64encode(data).decode("ascii"),
                upload_path=upload_path,
                file_name=file_name,
                mime_type=mime,
            ), None
            return
        stream = StreamUploadRequest(upload_path=upload_path, file_name=file_name)
        name = file_name or "upload"
        yield stream, lambda: _form(stream, io.BytesIO(data), name, mime)
        return
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        stream = StreamUploadRequest(upload_path=upload_path, file_name=file_name)
        mime = mime_type or _guess_mime(file_name or path.name)
        await asyncio.to_thread(path.stat)  # a missing file fails here, not mid-retry
        handles: list[IO[bytes]] = []

        def form() -> aiohttp.FormData:  # a fresh handle per attempt
            handle = path.open("rb")
            handles.append(handle)
            return _form(stream, handle, path.name, mime)

        try:
            yield stream, form
        finally:
            for handle in handles:
                handle.close()
        return
    raise TypeError(
        f"upload_file takes a path, bytes or an http(s) URL, got {type(source).__name__}"
    )


def _guess_mime(name: str | None) -> str | None:
    if not name:
        return None
    return mimetypes.guess_type(name)[0]


def _form(
    request: StreamUploadRequest, content: IO[bytes], filename: str, mime: str | None
) -> aiohttp.FormData:
    # quote_fields=False: the part's filename is sent as is (escaped, not percent-encoded),
    # otherwise "take 1.mp3" arrives as "take%201.mp3".
    form = aiohttp.FormData(quote_fields=False)
    form.add_field(
        "file", content, filename=filename, content_type=mime or "application/octet-stream"
    )
    for key, value in request.to_wire().items():
        form.add_field(key, str(value))
    return form
