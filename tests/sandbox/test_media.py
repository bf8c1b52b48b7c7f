"""Media served at the returned URLs, and the file-upload host."""

from __future__ import annotations

import base64
import io
import struct
import wave
import zlib

import aiohttp

from suno_async.sandbox import Sandbox

from .support import CB, Http, create, finish, finished_music, get, post


def check_png(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc
        chunks[kind] = body
        pos += 12 + length
    width, height = struct.unpack(">II", chunks[b"IHDR"][:8])
    raw = zlib.decompress(chunks[b"IDAT"])
    assert len(raw) == height * (1 + 3 * width)
    return width, height


async def download(http: Http, url: str) -> tuple[bytes, str]:
    async with http.get(url) as resp:
        assert resp.status == 200, url
        data = await resp.read()
        assert int(resp.headers["Content-Length"]) == len(data)
        return data, resp.content_type


async def test_track_media_are_valid_wav_and_png(sb: Sandbox, http: Http) -> None:
    task_id, _ = await finished_music(http, sb)
    _, reply = await get(http, sb, "/api/v1/generate/record-info", taskId=task_id)
    first, second = reply["data"]["response"]["sunoData"]
    audio, ctype = await download(http, first["audioUrl"])
    assert ctype == "audio/wav"
    with wave.open(io.BytesIO(audio)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 8000)
        assert 1.0 <= w.getnframes() / w.getframerate() <= 2.0
        frames = w.readframes(w.getnframes())
    assert any(frames)  # not silence
    other, _ = await download(http, second["audioUrl"])
    assert other != audio  # a different tone per track
    stream, _ = await download(http, first["streamAudioUrl"])
    assert stream[:4] == b"RIFF"
    image, ctype = await download(http, first["imageUrl"])
    assert ctype == "image/png"
    assert check_png(image) == (16, 16)
    # downloads need no API key (public CDN-like URLs)
    async with aiohttp.ClientSession() as anon, anon.get(first["audioUrl"]) as resp:
        assert resp.status == 200


async def test_media_is_deterministic_per_seed() -> None:
    blobs = []
    for _ in range(2):
        async with (
            Sandbox(time_scale=0.002, seed=9, poll_limit=None) as sb,
            Http(headers={"Authorization": f"Bearer {sb.api_key}"}) as http,
        ):
            _task_id, audio = await finished_music(http, sb)
            data, _ = await download(http, f"{sb.url}/files/audio/{audio[0]}.wav")
            blobs.append(data)
    assert blobs[0] == blobs[1]


async def test_unknown_media_is_404(sb: Sandbox, http: Http) -> None:
    async with http.get(f"{sb.url}/files/audio/nope.wav") as resp:
        assert resp.status == 404


async def test_derived_media(sb: Sandbox, http: Http) -> None:
    task_id, audio = await finished_music(http, sb)
    ref = {"taskId": task_id, "audioId": audio[0], "callBackUrl": CB}
    ids = {
        "wav": await create(http, sb, "/api/v1/wav/generate", ref),
        "mp4": await create(http, sb, "/api/v1/mp4/generate", ref),
        "vocal-removal": await create(
            http, sb, "/api/v1/vocal-removal/generate", {**ref, "type": "split_stem"}
        ),
        "suno/cover": await create(http, sb, "/api/v1/suno/cover/generate", ref),
    }
    for tid in ids.values():
        await finish(sb, tid)
    _, reply = await get(http, sb, "/api/v1/wav/record-info", taskId=ids["wav"])
    data, ctype = await download(http, reply["data"]["response"]["audioWavUrl"])
    assert ctype == "audio/wav"
    assert data[:4] == b"RIFF"
    _, reply = await get(http, sb, "/api/v1/mp4/record-info", taskId=ids["mp4"])
    data, ctype = await download(http, reply["data"]["response"]["videoUrl"])
    assert ctype == "video/mp4"
    assert data[4:8] == b"ftyp"
    _, reply = await get(http, sb, "/api/v1/vocal-removal/record-info", taskId=ids["vocal-removal"])
    resp = reply["data"]["response"]
    assert resp["instrumentalUrl"] is None
    assert len(resp["originData"]) == 12
    for key in ("vocalUrl", "drumsUrl", "bassUrl", "woodwindsUrl"):
        data, _ = await download(http, resp[key])
        assert data[:4] == b"RIFF"
    _, reply = await get(http, sb, "/api/v1/suno/cover/record-info", taskId=ids["suno/cover"])
    for url in reply["data"]["response"]["images"]:
        data, _ = await download(http, url)
        assert check_png(data) == (32, 32)


async def test_base64_upload_then_download(sb: Sandbox, http: Http) -> None:
    payload = b"hello sandbox"
    body = {
        "base64Data": "data:text/plain;base64," + base64.b64encode(payload).decode(),
        "uploadPath": "docs/test",
        "fileName": "hello.txt",
    }
    status, reply = await post(http, sb, "/api/file-base64-upload", body)
    assert status == 200
    assert reply["success"] is True
    assert reply["code"] == 200
    assert reply["msg"] == "File uploaded successfully"
    data = reply["data"]
    assert set(data) == {
        "success",
        "fileName",
        "filePath",
        "downloadUrl",
        "fileSize",
        "mimeType",
        "uploadedAt",
    }
    assert data["fileName"] == "hello.txt"
    assert data["filePath"].startswith("kieai/")
    assert data["filePath"].endswith("/docs/test/hello.txt")
    assert data["fileSize"] == len(payload)
    assert data["mimeType"] == "text/plain"
    assert data["downloadUrl"].startswith(sb.upload_url)
    got, _ = await download(http, data["downloadUrl"])
    assert got == payload


async def test_stream_and_url_uploads(sb: Sandbox, http: Http) -> None:
    form = aiohttp.FormData()
    form.add_field("file", b"RIFFdata", filename="clip.wav", content_type="audio/wav")
    form.add_field("uploadPath", "audio")
    async with http.post(f"{sb.upload_url}/api/file-stream-upload", data=form) as resp:
        reply = await resp.json()
    assert reply["success"] is True
    assert reply["data"]["fileName"] == "clip.wav"
    assert reply["data"]["mimeType"] == "audio/wav"
    local = reply["data"]["downloadUrl"]
    # url upload of a loopback URL copies the bytes
    _, reply = await post(
        http, sb, "/api/file-url-upload", {"fileUrl": local, "uploadPath": "copies"}
    )
    assert reply["success"] is True
    got, _ = await download(http, reply["data"]["downloadUrl"])
    assert got == b"RIFFdata"
    # remote URLs are never fetched; a stand-in payload is stored
    _status, reply = await post(
        http,
        sb,
        "/api/file-url-upload",
        {"fileUrl": "https://example.com/song.mp3", "uploadPath": "x"},
    )
    assert reply["success"] is True
    assert reply["data"]["fileName"].endswith(".mp3")


async def test_upload_errors(sb: Sandbox, http: Http) -> None:
    status, reply = await post(http, sb, "/api/file-base64-upload", {"base64Data": "aGk="})
    assert (status, reply) == (
        400,
        {"success": False, "code": 400, "msg": "Missing required parameter: uploadPath"},
    )
    status, reply = await post(
        http, sb, "/api/file-base64-upload", {"base64Data": "***", "uploadPath": "x"}
    )
    assert reply["msg"] == "Base64 decoding failed: Invalid Base64 format"
    async with (
        aiohttp.ClientSession() as anon,
        anon.post(f"{sb.upload_url}/api/file-url-upload", json={}) as resp,
    ):
        assert resp.status == 401
        assert await resp.json() == {
            "success": False,
            "code": 401,
            "msg": "Authentication failed: Invalid API Key",
        }
