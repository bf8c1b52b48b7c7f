"""File uploads to the provider's upload host (REFERENCE §6.12).

>>> from suno_async.models.requests import UrlUploadRequest
>>> UrlUploadRequest.spec.path
'/api/file-url-upload'
"""

from __future__ import annotations

from typing import ClassVar

import attrs

from ..._validation import Checks
from ...limits import UPLOAD_FILE_NAME_MAX
from ._base import Endpoint, Request

__all__ = ["Base64UploadRequest", "StreamUploadRequest", "UploadRequest", "UrlUploadRequest"]


def _check_upload_path(checks: Checks, value: str | None) -> None:
    if not checks.required("upload_path", value, "(the folder on the upload host, e.g. 'audio')"):
        return
    text = str(value)
    if text.startswith("/") or text.endswith("/"):
        checks.add("upload_path", f"must not start or end with '/', got {text!r}")
    elif "\\" in text or any(part in ("", ".", "..") for part in text.split("/")):
        checks.add(
            "upload_path",
            f"must be folder names separated by '/', without '.', '..' or '//'; got {text!r}",
        )


def _check_file_name(checks: Checks, value: str | None) -> None:
    if value is None:
        return
    if not value.strip() or value in (".", "..") or "/" in value or "\\" in value:
        checks.add("file_name", f"must be a plain file name without '/' or '\\', got {value!r}")
    else:
        checks.max_chars("file_name", value, UPLOAD_FILE_NAME_MAX, "for a file name")


@attrs.frozen(kw_only=True)
class UploadRequest(Request):
    """Base of the three upload calls: the folder and optional name on the upload host.

    ``upload_path`` must not start or end with ``/``. Reusing a ``file_name`` in the
    same folder overwrites the earlier file. Uploads are free and files are temporary
    (kept about 3 days).
    """

    spec: ClassVar[Endpoint] = Endpoint(name="file_upload")

    upload_path: str | None = None
    file_name: str | None = None

    def _check(self, checks: Checks) -> None:
        _check_upload_path(checks, self.upload_path)
        _check_file_name(checks, self.file_name)


@attrs.frozen(kw_only=True)
class StreamUploadRequest(UploadRequest):
    """The form fields of a multipart upload (``POST /api/file-stream-upload``).

    The file itself travels as the ``file`` part; use
    :meth:`SunoClient.upload_file` with a path or large bytes.

    >>> StreamUploadRequest(upload_path="audio/demo").to_wire()
    {'uploadPath': 'audio/demo'}
    """

    spec: ClassVar[Endpoint] = Endpoint(name="file_stream_upload", path="/api/file-stream-upload")


@attrs.frozen(kw_only=True)
class UrlUploadRequest(UploadRequest):
    """Have the upload host fetch a remote file (``POST /api/file-url-upload``).

    >>> UrlUploadRequest(file_url="https://x.test/a.mp3", upload_path="audio").to_wire()
    {'uploadPath': 'audio', 'fileUrl': 'https://x.test/a.mp3'}
    """

    spec: ClassVar[Endpoint] = Endpoint(name="file_url_upload", path="/api/file-url-upload")

    file_url: str | None = None

    def _check(self, checks: Checks) -> None:
        checks.required_url("file_url", self.file_url, "(the file to fetch)")
        super()._check(checks)


@attrs.frozen(kw_only=True)
class Base64UploadRequest(UploadRequest):
    """Upload small data inline (``POST /api/file-base64-upload``).

    ``base64_data`` is plain base64 or a ``data:<mime>;base64,...`` URL.

    >>> Base64UploadRequest(base64_data="aGk=", upload_path="notes",
    ...                     file_name="hi.txt").to_wire()["fileName"]
    'hi.txt'
    """

    spec: ClassVar[Endpoint] = Endpoint(name="file_base64_upload", path="/api/file-base64-upload")

    base64_data: str | None = attrs.field(default=None, repr=False)
    mime_type: str | None = None

    def _check(self, checks: Checks) -> None:
        checks.required("base64_data", self.base64_data, "(the file's bytes, base64-encoded)")
        super()._check(checks)
