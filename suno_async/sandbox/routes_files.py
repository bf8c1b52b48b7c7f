"""File-upload host (REFERENCE §6.12), media downloads under ``/files/`` and the stats route."""

from __future__ import annotations

import base64
import binascii
import hashlib
import mimetypes
import re
import secrets
import time
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from . import media
from .callbacks import is_local_url
from .replies import json_reply, key_of, parse_json, state_of
from .rules import Invalid, is_http_url
from .state import SandboxState

UPLOAD_MAX_BYTES = 100 * 1024 * 1024
UPLOAD_FETCH_TIMEOUT = 30.0


def upload_error(code: int, msg: str) -> web.Response:
    """The upload host's error envelope (HTTP status = code)."""
    return json_reply({"success": False, "code": code, "msg": msg}, status=code)


def _user_id(key: str) -> int:
    return 100000 + int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 900000


def _auto_name(ext: str) -> str:
    return f"{int(time.time() * 1000)}-{secrets.token_hex(6)[:11]}{ext}"


def _store(
    request: web.Request,
    data: bytes,
    upload_path: str,
    file_name: str | None,
    mime: str | None,
    hint: str = "",
) -> web.Response:
    state = state_of(request)
    upload_path = upload_path.strip("/")
    if not file_name:
        ext = mimetypes.guess_extension(mime or "") or (
            "." + hint.rsplit(".", 1)[1] if "." in hint.rsplit("/", 1)[-1] else ""
        )
        file_name = _auto_name(ext)
    mime = mime or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
    prefix = state.provider.upload_prefix
    file_path = f"{prefix}/{_user_id(key_of(request))}/{upload_path}/{file_name}"
    state.uploads[file_path] = (data, mime)
    base = str(request.url.origin())
    return json_reply(
        {
            "success": True,
            "code": 200,
            "msg": "File uploaded successfully",
            "data": {
                "success": True,
                "fileName": file_name,
                "filePath": file_path,
                "downloadUrl": f"{base}/files/upload/{file_path}",
                "fileSize": len(data),
                "mimeType": mime,
                "uploadedAt": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
            },
        }
    )


async def stream_upload(request: web.Request) -> web.Response:
    if not request.content_type.startswith("multipart/"):
        return upload_error(400, "Content-Type must be multipart/form-data")
    fields: dict[str, str] = {}
    data: bytes | None = None
    file_name: str | None = None
    mime: str | None = None
    reader = await request.multipart()
    while True:
        part = await reader.next()
        if part is None:
            break
        if not isinstance(part, aiohttp.BodyPartReader):
            continue
        if part.name == "file":
            data = await part.read()
            file_name = part.filename
            mime = part.headers.get("Content-Type")
        elif part.name:
            fields[part.name] = await part.text()
    if data is None:
        return upload_error(400, "Missing required parameter: file")
    if not fields.get("uploadPath"):
        return upload_error(400, "Missing required parameter: uploadPath")
    if mime == "application/octet-stream":
        mime = None
    return _store(request, data, fields["uploadPath"], fields.get("fileName") or file_name, mime)


async def _json(request: web.Request) -> dict[str, Any] | None:
    """The JSON object body, or None for anything else (bad JSON, lone surrogates, ...)."""
    try:
        body = parse_json(await request.read())
    except Invalid:
        return None
    return body if isinstance(body, dict) else None


async def url_upload(request: web.Request) -> web.Response:
    body = await _json(request)
    if body is None:
        return upload_error(400, "Request body must be a JSON object")
    url = body.get("fileUrl")
    if not url:
        return upload_error(400, "Missing required parameter: fileUrl")
    if not body.get("uploadPath"):
        return upload_error(400, "Missing required parameter: uploadPath")
    if not is_http_url(url):
        return upload_error(400, "Invalid fileUrl: must be an http(s) URL")
    mime: str | None = None
    if is_local_url(url):
        try:
            timeout = aiohttp.ClientTimeout(total=UPLOAD_FETCH_TIMEOUT)
            async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url) as resp:
                if resp.status != 200:
                    return upload_error(500, f"File download failed: HTTP {resp.status}")
                data = await resp.read()
                mime = resp.content_type
        except (aiohttp.ClientError, TimeoutError) as exc:
            return upload_error(500, f"File download failed: {exc.__class__.__name__}")
    else:  # the sandbox never reaches the internet: store a stand-in payload
        data = _stand_in(url, state_of(request).seed)
    return _store(
        request, data, str(body["uploadPath"]), body.get("fileName"), mime, hint=url.split("?")[0]
    )


def _stand_in(url: str, seed: int) -> bytes:
    path = url.split("?")[0].lower()
    if path.endswith((".png", ".jpg", ".jpeg")):
        return media.png_bytes(url, seed)
    return media.wav_bytes(url, seed)


_DATA_URL = re.compile(r"^data:([\w.+-]+/[\w.+-]+)?(;[^,]*)?;base64,", re.IGNORECASE)


async def base64_upload(request: web.Request) -> web.Response:
    body = await _json(request)
    if body is None:
        return upload_error(400, "Request body must be a JSON object")
    raw = body.get("base64Data")
    if not raw or not isinstance(raw, str):
        return upload_error(400, "Missing required parameter: base64Data")
    if not body.get("uploadPath"):
        return upload_error(400, "Missing required parameter: uploadPath")
    mime = body.get("mimeType") or None
    match = _DATA_URL.match(raw)
    if match:
        mime = mime or match.group(1)
        raw = raw[match.end() :]
    try:
        data = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        return upload_error(400, "Base64 decoding failed: Invalid Base64 format")
    return _store(request, data, str(body["uploadPath"]), body.get("fileName"), mime)


# --- media ----------------------------------------------------------------------------------

_AUDIO_KINDS = frozenset({"audio", "stream", "source-audio", "source-stream"})
_IMAGE_KINDS = frozenset({"image", "source-image"})


def _media(state: SandboxState, kind: str, name: str) -> tuple[bytes, str] | None:
    stem, _, ext = name.rpartition(".")
    store, seed = state.store, state.seed
    if kind in _AUDIO_KINDS and ext == "wav" and stem in store.audio_index:
        return media.wav_bytes(stem, seed), "audio/wav"
    if kind in _IMAGE_KINDS and ext == "png" and stem in store.audio_index:
        return media.png_bytes(stem, seed), "image/png"
    task_id = stem.split("_", 1)[0]
    task = store.get(task_id)
    if task is None:
        return None
    if kind == "wav" and ext == "wav" and task.family == "wav":
        return media.wav_bytes(f"wav:{task.audio_id}", seed), "audio/wav"
    if kind == "stem" and ext == "wav" and task.family == "vocal":
        return media.wav_bytes(f"stem:{stem}", seed), "audio/wav"
    if kind == "video" and ext == "mp4" and task.family == "mp4":
        return media.mp4_bytes(task_id, seed), "video/mp4"
    if kind == "cover" and ext == "png" and task.family == "cover":
        return media.png_bytes(stem, seed, 32), "image/png"
    if kind == "recovered" and ext == "wav" and task.family == "recovery":
        audio_id = stem.partition("_")[2]
        recovered = any(a == audio_id and e is None for a, _, e in task.recovered)
        if recovered and task.phase(state.now()).terminal:
            return media.wav_bytes(audio_id, seed), "audio/wav"  # the track's own audio
    return None


def generated_here(state: SandboxState, url: str, host: str) -> bool:
    """Whether ``url`` is a file this sandbox serves (generated media or an upload) on
    ``host`` (the ``Host`` the caller used): what ``common/download-url`` accepts."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or parts.netloc != host:
        return False
    path = parts.path
    if path.startswith("/files/upload/"):
        return path[len("/files/upload/") :] in state.uploads
    segments = path.split("/")
    if len(segments) != 4 or segments[1] != "files":
        return False
    return _media(state, segments[2], segments[3]) is not None


def _not_found() -> web.Response:
    return json_reply({"code": 404, "msg": "Not Found", "data": None}, status=404)


async def media_file(request: web.Request) -> web.Response:
    found = _media(state_of(request), request.match_info["kind"], request.match_info["name"])
    if found is None:
        return _not_found()
    data, mime = found
    return web.Response(body=data, content_type=mime)


async def uploaded_file(request: web.Request) -> web.Response:
    found = state_of(request).uploads.get(request.match_info["path"])
    if found is None:
        return _not_found()
    data, mime = found
    return web.Response(body=data, headers={"Content-Type": mime})


async def stats(request: web.Request) -> web.Response:
    return json_reply(state_of(request).stats.to_json())


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/file-stream-upload", stream_upload)
    app.router.add_post("/api/file-url-upload", url_upload)
    app.router.add_post("/api/file-base64-upload", base64_upload)
    app.router.add_get("/files/upload/{path:.+}", uploaded_file)
    app.router.add_get("/files/{kind}/{name}", media_file)
    app.router.add_get("/_sandbox/stats", stats)
