"""Downloads: atomic writes, size cap, safe names, private-address refusal.

A small aiohttp server on loopback plays the file host. Redirects to private and
link-local addresses are refused before any connection: a trace on the session
records every request started, and none goes anywhere but loopback.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from suno_async import SunoClient, Track
from suno_async.download import DownloadError, download, safe_filename
from suno_async.sandbox import Sandbox

WAV = b"RIFF" + bytes(range(256)) * 64
MP3 = b"ID3" + b"\x01" * 5000


class FileHost:
    """The local file host: fixed files, slow and oversized bodies, redirects."""

    def __init__(self) -> None:
        self.url = ""
        self.release = asyncio.Event()
        self.hits: list[str] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/file.wav", self.file_wav)
        app.router.add_get("/stream/abc", self.stream_no_suffix)
        app.router.add_get("/slow.wav", self.slow)
        app.router.add_get("/declared-big.wav", self.declared_big)
        app.router.add_get("/chunked-big.wav", self.chunked_big)
        app.router.add_get("/missing.wav", self.missing)
        app.router.add_get("/to/{target:.+}", self.redirect)
        app.middlewares.append(self.count)
        return app

    @web.middleware
    async def count(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.hits.append(request.path)
        response: web.StreamResponse = await handler(request)
        return response

    async def file_wav(self, request: web.Request) -> web.Response:
        return web.Response(body=WAV, content_type="audio/wav")

    async def stream_no_suffix(self, request: web.Request) -> web.Response:
        return web.Response(body=MP3, content_type="audio/mpeg")

    async def slow(self, request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "audio/wav"})
        resp.content_length = len(WAV)
        await resp.prepare(request)
        await resp.write(WAV[:100])
        await self.release.wait()
        await resp.write(WAV[100:])
        await resp.write_eof()
        return resp

    async def declared_big(self, request: web.Request) -> web.Response:
        return web.Response(body=b"x" * 5000, content_type="audio/wav")

    async def chunked_big(self, request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "audio/wav"})
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        for _ in range(10):
            await resp.write(b"y" * 1000)
        await resp.write_eof()
        return resp

    async def missing(self, request: web.Request) -> web.Response:
        return web.Response(status=404, text="gone")

    async def redirect(self, request: web.Request) -> web.Response:
        targets = {
            "private": "http://10.0.0.1/secret.wav",
            "private-host": "http://10.0.0.1:8080/x.wav",
            "linklocal": "http://169.254.169.254/latest/meta-data/",
            "mapped": "http://[::ffff:10.0.0.1]/x.wav",
            "local": "/file.wav",
            "localhost": f"http://localhost:{request.url.port}/file.wav",
            "loop": "/to/loop",
            "file": "file:///etc/passwd",
        }
        raise web.HTTPFound(targets[request.match_info["target"]])


@pytest.fixture
async def host() -> AsyncIterator[FileHost]:
    files = FileHost()
    runner = web.AppRunner(files.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    files.url = f"http://127.0.0.1:{port}"
    try:
        yield files
    finally:
        files.release.set()
        await runner.cleanup()


def entries(directory: Path) -> list[Path]:
    return list(directory.iterdir())


def exists(path: Path) -> bool:
    return path.exists()


def resolved(path: Path) -> Path:
    return path.resolve()


def leftovers(directory: Path) -> list[str]:
    return [p.name for p in directory.iterdir() if p.name.endswith(".part")]


# ----------------------------------------------------------------------------- writing


async def test_download_url_into_directory(
    client: SunoClient, host: FileHost, tmp_path: Path
) -> None:
    path = await client.download(f"{host.url}/file.wav", tmp_path)
    assert path == tmp_path / "file.wav"
    assert path.read_bytes() == WAV
    assert leftovers(tmp_path) == []
    assert path.stat().st_mode & 0o777 == 0o666 & ~_umask()


async def test_download_to_explicit_file_and_new_directory(
    client: SunoClient, host: FileHost, tmp_path: Path
) -> None:
    target = tmp_path / "song.wav"
    assert await client.download(f"{host.url}/file.wav", target) == target
    assert target.read_bytes() == WAV
    made = await client.download(f"{host.url}/file.wav", f"{tmp_path}/new/dir/")
    assert made == tmp_path / "new" / "dir" / "file.wav"


async def test_extension_from_content_type(
    client: SunoClient, host: FileHost, tmp_path: Path
) -> None:
    path = await client.download(f"{host.url}/stream/abc", tmp_path)
    assert path.name == "abc.mp3"
    assert path.read_bytes() == MP3


async def test_write_is_atomic(client: SunoClient, host: FileHost, tmp_path: Path) -> None:
    target = tmp_path / "slow.wav"
    target.write_bytes(b"old version")
    task = asyncio.create_task(client.download(f"{host.url}/slow.wav", target))
    for _ in range(200):
        if leftovers(tmp_path):
            break
        await asyncio.sleep(0.005)
    # mid-download: the partial data lives in a hidden temporary file; the target is intact
    assert len(leftovers(tmp_path)) == 1
    assert leftovers(tmp_path)[0].startswith(".slow.wav.")
    assert target.read_bytes() == b"old version"
    host.release.set()
    assert await task == target
    assert target.read_bytes() == WAV
    assert leftovers(tmp_path) == []


async def test_cancelled_download_leaves_nothing(
    client: SunoClient, host: FileHost, tmp_path: Path
) -> None:
    task = asyncio.create_task(client.download(f"{host.url}/slow.wav", tmp_path))
    for _ in range(200):
        if leftovers(tmp_path):
            break
        await asyncio.sleep(0.005)
    assert leftovers(tmp_path)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert entries(tmp_path) == []


async def test_cancel_at_any_moment_leaves_no_partial_file(
    client: SunoClient, host: FileHost, tmp_path: Path
) -> None:
    host.release.set()  # /slow.wav answers at once
    completed = 0
    # A whole download takes some hundreds of event-loop steps; cancel after 0, 2, 4 ...
    # steps until downloads complete, so a cancellation lands at every await point.
    for steps in range(0, 4000, 2):
        target = tmp_path / f"t{steps}.wav"
        task = asyncio.create_task(client.download(f"{host.url}/slow.wav", target))
        for _ in range(steps):
            await asyncio.sleep(0)
        completed += task.done()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        assert leftovers(tmp_path) == [], steps
        assert not exists(target) or target.read_bytes() == WAV, steps
        if completed >= 3:
            break
    assert completed >= 3


# ----------------------------------------------------------------------------- size cap


async def test_size_cap_from_content_length(
    client: SunoClient, host: FileHost, tmp_path: Path
) -> None:
    with pytest.raises(DownloadError, match="5000 bytes is over the 4999-byte cap"):
        await client.download(f"{host.url}/declared-big.wav", tmp_path, max_bytes=4999)
    assert entries(tmp_path) == []
    path = await client.download(f"{host.url}/declared-big.wav", tmp_path, max_bytes=5000)
    assert path.stat().st_size == 5000


async def test_size_cap_while_streaming(
    client: SunoClient, host: FileHost, tmp_path: Path
) -> None:
    target = tmp_path / "big.wav"
    target.write_bytes(b"keep me")
    with pytest.raises(DownloadError, match="over the 2500-byte cap"):
        await client.download(f"{host.url}/chunked-big.wav", target, max_bytes=2500)
    assert target.read_bytes() == b"keep me"
    assert leftovers(tmp_path) == []


async def test_http_error(client: SunoClient, host: FileHost, tmp_path: Path) -> None:
    with pytest.raises(DownloadError) as info:
        await client.download(f"{host.url}/missing.wav", tmp_path)
    assert info.value.status == 404
    assert entries(tmp_path) == []


# ----------------------------------------------------------------------------- names


def track(title: str, **fields: Any) -> Track:
    return Track(id="1a2b3c4d-0000-4000-8000-000000000000", title=title, **fields)


@pytest.mark.parametrize(
    "title",
    ["../../etc/passwd", "..\\..\\windows\\system32", "/abs/path", "..", ".hidden",
     "CON", "a\x00b\nc", "x" * 1000, "", "   ", "名前/👍" * 40],
)
async def test_track_names_are_safe(
    client: SunoClient, host: FileHost, tmp_path: Path, title: str
) -> None:
    path = await client.download(track(title, audio_url=f"{host.url}/file.wav"), tmp_path)
    assert path.parent == tmp_path
    assert resolved(path).parent == resolved(tmp_path)
    name = path.name
    assert "/" not in name and "\\" not in name and "\x00" not in name and "\n" not in name
    assert not name.startswith(".")
    assert name.endswith("-1a2b3c4d.wav")
    assert len(name.encode()) <= 120
    assert name.split(".")[0].upper() != "CON"
    assert path.read_bytes() == WAV


async def test_both_tracks_of_a_task_get_distinct_names(
    client: SunoClient, host: FileHost, tmp_path: Path
) -> None:
    url = f"{host.url}/file.wav"
    first = await client.download(Track(id="aaaa1111-x", title="Same", audio_url=url), tmp_path)
    second = await client.download(Track(id="bbbb2222-y", title="Same", audio_url=url), tmp_path)
    assert first != second
    assert {first.name, second.name} == {"Same-aaaa1111.wav", "Same-bbbb2222.wav"}


def test_safe_filename_rules() -> None:
    assert safe_filename("../../etc/passwd") == "_._etc_passwd"
    assert safe_filename("Night Drive: Part 1/2") == "Night Drive_ Part 1_2"
    assert safe_filename("nul.txt") == "_nul.txt"
    assert safe_filename("...") == "track"
    assert safe_filename("", fallback="x") == "x"
    assert safe_filename("ＡＢＣ") == "ABC"  # NFKC
    assert len(safe_filename("é" * 200).encode()) <= 120


async def test_track_not_ready_is_an_error(client: SunoClient, tmp_path: Path) -> None:
    pending = track("Song", stream_audio_url="http://127.0.0.1:1/stream.wav")
    with pytest.raises(ValueError, match="no audio_url yet"):
        await client.download(pending, tmp_path)
    assert entries(tmp_path) == []


# ----------------------------------------------------------------------------- addresses


def traced_session(seen: list[str]) -> aiohttp.ClientSession:
    trace = aiohttp.TraceConfig()

    async def on_start(_s: Any, _ctx: SimpleNamespace, params: Any) -> None:
        seen.append(str(params.url))

    trace.on_request_start.append(on_start)
    return aiohttp.ClientSession(trace_configs=[trace])


@pytest.mark.parametrize("target", ["private", "private-host", "linklocal", "mapped"])
async def test_redirect_to_private_address_refused(
    host: FileHost, tmp_path: Path, target: str
) -> None:
    seen: list[str] = []
    async with traced_session(seen) as session:
        with pytest.raises(DownloadError, match="non-public address"):
            await download(session, f"{host.url}/to/{target}", tmp_path)
    assert seen == [f"{host.url}/to/{target}"]  # only the loopback hop was requested
    assert entries(tmp_path) == []


@pytest.mark.parametrize(
    "url",
    ["http://10.0.0.1/a.wav", "http://192.168.1.10/a.wav", "http://172.16.0.5/a.wav",
     "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/a.wav",
     "http://[fd00::1]/a.wav", "http://100.64.0.1/a.wav", "http://0.0.0.0/a.wav"],
)
async def test_private_urls_refused_before_connecting(tmp_path: Path, url: str) -> None:
    seen: list[str] = []
    async with traced_session(seen) as session:
        with pytest.raises(DownloadError, match="non-public address"):
            await download(session, url, tmp_path)
    assert seen == []


async def test_redirects_within_loopback_are_followed(
    client: SunoClient, host: FileHost, tmp_path: Path
) -> None:
    path = await client.download(f"{host.url}/to/local", tmp_path)
    assert path.name == "local.wav"  # the URL asked for; the suffix from the Content-Type
    assert path.read_bytes() == WAV
    path = await client.download(f"{host.url}/to/localhost", tmp_path / "b.wav")
    assert path.read_bytes() == WAV
    assert host.hits.count("/file.wav") == 2


async def test_redirect_loop_and_other_schemes(
    client: SunoClient, host: FileHost, tmp_path: Path
) -> None:
    with pytest.raises(DownloadError, match="redirects"):
        await client.download(f"{host.url}/to/loop", tmp_path)
    with pytest.raises(DownloadError, match="non-http"):
        await client.download(f"{host.url}/to/file", tmp_path)
    with pytest.raises(DownloadError, match="non-http"):
        await client.download("file:///etc/passwd", tmp_path)
    assert entries(tmp_path) == []


# ----------------------------------------------------------------------------- the client


async def test_client_download_of_a_sandbox_track(
    client: SunoClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    job = await client.generate(prompt="calm piano", custom_mode=True, instrumental=True,
                                style="piano", title="Calm / Piano: ../Night")
    record = await job.wait(timeout=10)
    saved = await client.download(record.tracks[0], tmp_path)
    assert saved.parent == tmp_path
    assert saved.name == f"Calm _ Piano_ ._Night-{record.tracks[0].id[:8]}.wav"
    assert saved.read_bytes()[:4] == b"RIFF"
    # the client's session is used, not closed: the client keeps working
    assert await client.get_credits() > 0
    assert not client.closed


async def test_download_sends_no_credentials(
    client: SunoClient, host: FileHost, tmp_path: Path
) -> None:
    seen: list[str] = []

    async def spy(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Authorization", ""))
        return web.Response(body=b"ok", content_type="text/plain")

    app = web.Application()
    app.router.add_get("/f.txt", spy)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        await client.download(f"http://127.0.0.1:{port}/f.txt", tmp_path)
    finally:
        await runner.cleanup()
    assert seen == [""]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
