"""Downloads: atomic writes, size cap, safe names, private-address refusal.

A small aiohttp server on loopback plays the file host. Redirects to private and
link-local addresses are refused before any connection: a trace on the session
records every request started, and none goes anywhere but loopback.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import ipaddress
import os
import socket
import unicodedata
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from hypothesis import given, settings
from hypothesis import strategies as st
from yarl import URL

from suno_async import SunoClient, Track
from suno_async.download import AddressPolicy, DownloadError, download, safe_filename
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


#: The client's configured API base URL in these tests: the sandbox, on loopback.
SANDBOX_API = "http://127.0.0.1:1"


async def fetch(source: Track | str, dest: Path | str, **options: Any) -> Path:
    """A download as ``SunoClient.download`` makes it against the sandbox."""
    return await download(None, source, dest, api_base_url=SANDBOX_API, **options)


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
    host: FileHost, tmp_path: Path
) -> None:
    path = await fetch(f"{host.url}/file.wav", tmp_path)
    assert path == tmp_path / "file.wav"
    assert path.read_bytes() == WAV
    assert leftovers(tmp_path) == []
    assert path.stat().st_mode & 0o777 == 0o666 & ~_umask()


async def test_download_to_explicit_file_and_new_directory(
    host: FileHost, tmp_path: Path
) -> None:
    target = tmp_path / "song.wav"
    assert await fetch(f"{host.url}/file.wav", target) == target
    assert target.read_bytes() == WAV
    made = await fetch(f"{host.url}/file.wav", f"{tmp_path}/new/dir/")
    assert made == tmp_path / "new" / "dir" / "file.wav"


async def test_extension_from_content_type(
    host: FileHost, tmp_path: Path
) -> None:
    path = await fetch(f"{host.url}/stream/abc", tmp_path)
    assert path.name == "abc.mp3"
    assert path.read_bytes() == MP3


async def test_write_is_atomic(host: FileHost, tmp_path: Path) -> None:
    target = tmp_path / "slow.wav"
    target.write_bytes(b"old version")
    task = asyncio.create_task(fetch(f"{host.url}/slow.wav", target))
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
    host: FileHost, tmp_path: Path
) -> None:
    task = asyncio.create_task(fetch(f"{host.url}/slow.wav", tmp_path))
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
    host: FileHost, tmp_path: Path
) -> None:
    host.release.set()  # /slow.wav answers at once
    completed = 0
    # A whole download takes some hundreds of event-loop steps; cancel after 0, 2, 4 ...
    # steps until downloads complete, so a cancellation lands at every await point.
    for steps in range(0, 4000, 2):
        target = tmp_path / f"t{steps}.wav"
        task = asyncio.create_task(fetch(f"{host.url}/slow.wav", target))
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
    host: FileHost, tmp_path: Path
) -> None:
    with pytest.raises(DownloadError, match="5000 bytes is over the 4999-byte cap"):
        await fetch(f"{host.url}/declared-big.wav", tmp_path, max_bytes=4999)
    assert entries(tmp_path) == []
    path = await fetch(f"{host.url}/declared-big.wav", tmp_path, max_bytes=5000)
    assert path.stat().st_size == 5000


@pytest.mark.parametrize("cap", [float("nan"), float("inf"), 0, -1, "100", True, 1e6])
async def test_size_cap_must_be_a_positive_int(host: FileHost, tmp_path: Path, cap: Any) -> None:
    with pytest.raises(ValueError, match="max_bytes must be an int > 0"):
        await fetch(f"{host.url}/file.wav", tmp_path, max_bytes=cap)
    assert host.hits == [] and entries(tmp_path) == []


async def test_size_cap_while_streaming(
    host: FileHost, tmp_path: Path
) -> None:
    target = tmp_path / "big.wav"
    target.write_bytes(b"keep me")
    with pytest.raises(DownloadError, match="over the 2500-byte cap"):
        await fetch(f"{host.url}/chunked-big.wav", target, max_bytes=2500)
    assert target.read_bytes() == b"keep me"
    assert leftovers(tmp_path) == []


async def test_http_error(host: FileHost, tmp_path: Path) -> None:
    with pytest.raises(DownloadError) as info:
        await fetch(f"{host.url}/missing.wav", tmp_path)
    assert info.value.status == 404
    assert entries(tmp_path) == []


# ----------------------------------------------------------------------------- names


def track(title: str, **fields: Any) -> Track:
    return Track(id="1a2b3c4d-0000-4000-8000-000000000000", title=title, **fields)


@pytest.mark.parametrize(
    "title",
    ["../../etc/passwd", "..\\..\\windows\\system32", "/abs/path", "..", ".hidden",
     "CON", "a\x00b\nc", "x" * 1000, "", "   ", "名前/👍" * 40,
     "evil\u202egnp.exe", "\u2066x\u2069\u200f", "a\x85b\x9bc\x7f", "zero\u200bwidth\ufeff",
     "line\u2028sep\u2029", "\u202e"],
)
async def test_track_names_are_safe(host: FileHost, tmp_path: Path, title: str) -> None:
    path = await fetch(track(title, audio_url=f"{host.url}/file.wav"), tmp_path)
    assert path.parent == tmp_path
    assert resolved(path).parent == resolved(tmp_path)
    name = path.name
    assert "/" not in name and "\\" not in name and "\x00" not in name and "\n" not in name
    # no control (C0, DEL, C1), bidi or other invisible format character survives
    assert not [c for c in name if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")], name
    assert not name.startswith(".")
    assert name.endswith("-1a2b3c4d.wav")
    assert len(name.encode()) <= 120
    assert name.split(".")[0].upper() != "CON"
    assert path.read_bytes() == WAV


async def test_both_tracks_of_a_task_get_distinct_names(
    host: FileHost, tmp_path: Path
) -> None:
    url = f"{host.url}/file.wav"
    first = await fetch(Track(id="aaaa1111-x", title="Same", audio_url=url), tmp_path)
    second = await fetch(Track(id="bbbb2222-y", title="Same", audio_url=url), tmp_path)
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
    assert safe_filename("evil\u202egnp.exe") == "evilgnp.exe"  # bidi override gone
    assert safe_filename("a\x85b\x9bc") == "a_b_c"  # C1 controls
    assert safe_filename("\u2067\u200b") == "track"


@settings(derandomize=True, max_examples=400, database=None, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_any_title_becomes_a_safe_visible_name(title: str) -> None:
    name = safe_filename(title)
    assert name and len(name.encode()) <= 120
    assert not set(name) & set('/\\<>:"|?*')
    assert not [c for c in name if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs")]
    assert not name.startswith((".", " ")) and not name.endswith((".", " "))
    assert name not in (".", "..")


async def test_track_not_ready_is_an_error(tmp_path: Path) -> None:
    pending = track("Song", stream_audio_url="http://127.0.0.1:1/stream.wav")
    with pytest.raises(ValueError, match="no audio_url yet"):
        await fetch(pending, tmp_path)
    assert entries(tmp_path) == []


# ----------------------------------------------------------------------------- addresses


class Recorder:
    """A media host on loopback that answers a tiny body (it arrives with the headers)
    and records every request's headers."""

    def __init__(self) -> None:
        self.seen: list[dict[str, str]] = []
        self.port = 0

    async def tiny(self, request: web.Request) -> web.Response:
        self.seen.append(dict(request.headers))
        return web.Response(body=b"ok", content_type="text/plain")


@pytest.fixture
async def recorder() -> AsyncIterator[Recorder]:
    rec = Recorder()
    app = web.Application()
    app.router.add_get("/{name:.*}", rec.tiny)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    rec.port = runner.addresses[0][1]
    try:
        yield rec
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("target", ["private", "private-host", "linklocal", "mapped"])
async def test_redirect_to_private_address_refused(
    host: FileHost, tmp_path: Path, target: str
) -> None:
    with pytest.raises(DownloadError, match="non-public address"):
        await fetch(f"{host.url}/to/{target}", tmp_path)
    assert host.hits == [f"/to/{target}"]  # only the loopback hop was requested
    assert entries(tmp_path) == []


@pytest.mark.parametrize(
    "url",
    ["http://10.0.0.1/a.wav", "http://192.168.1.10/a.wav", "http://172.16.0.5/a.wav",
     "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/a.wav",
     "http://[fd00::1]/a.wav", "http://100.64.0.1/a.wav", "http://0.0.0.0/a.wav"],
)
async def test_private_urls_refused_before_connecting(tmp_path: Path, url: str) -> None:
    # even with the sandbox's (loopback) API host: loopback is the only exemption
    with pytest.raises(DownloadError, match="non-public address"):
        await fetch(url, tmp_path)
    assert entries(tmp_path) == []


#: Loopback spelled every way a forged callback might (item 12.9).
LOOPBACK_SPELLINGS = ["127.0.0.1", "localhost", "LOCALHOST", "x.localhost", "0x7f000001",
                      "2130706433", "127.1", "0177.0.0.1", "[::1]", "[::ffff:127.0.0.1]",
                      "[::ffff:7f00:1]"]


@pytest.mark.parametrize("host_text", LOOPBACK_SPELLINGS)
async def test_loopback_media_is_refused_when_the_api_host_is_public(
    recorder: Recorder, tmp_path: Path, host_text: str
) -> None:
    url = f"http://{host_text}:{recorder.port}/song.mp3"
    with pytest.raises(DownloadError, match="non-public address"):
        await download(None, url, tmp_path, api_base_url="https://api.kie.ai")
    with pytest.raises(DownloadError, match="non-public address"):
        await download(None, url, tmp_path)  # API host unknown: treated as public
    assert recorder.seen == []
    assert entries(tmp_path) == []


@pytest.mark.parametrize("private", ["http://10.0.0.1/a.wav", "http://169.254.169.254/x"])
async def test_private_media_needs_the_explicit_opt_in(
    recorder: Recorder, tmp_path: Path, private: str
) -> None:
    # a loopback API host (the sandbox) exempts loopback, nothing else
    with pytest.raises(DownloadError, match="allow_private=True"):
        await download(None, private, tmp_path, api_base_url="http://127.0.0.1:8000")
    # the opt-in: loopback media with a public API host is fetched
    path = await download(None, f"http://127.0.0.1:{recorder.port}/a.txt", tmp_path,
                          api_base_url="https://api.kie.ai", allow_private=True)
    assert path.read_bytes() == b"ok"
    # a sandbox on "localhost" counts as loopback too
    path = await download(None, f"http://localhost:{recorder.port}/b.txt", tmp_path,
                          api_base_url="http://localhost:8000")
    assert path.read_bytes() == b"ok"


def test_address_policy_table() -> None:
    public = AddressPolicy.for_api("https://api.kie.ai")
    sandbox = AddressPolicy.for_api("http://[::1]:9000/")
    opted = AddressPolicy.for_api(None, allow_private=True)
    table = {
        "8.8.8.8": (True, True, True),
        "127.0.0.1": (False, True, True),
        "::1": (False, True, True),
        "10.1.2.3": (False, False, True),
        "169.254.169.254": (False, False, True),
        "fe80::1": (False, False, True),
        "100.64.0.1": (False, False, True),
        "224.0.0.1": (False, False, True),
        "0.0.0.0": (False, False, True),
    }
    for text, expected in table.items():
        addr = ipaddress.ip_address(text)
        assert (public.allows(addr), sandbox.allows(addr), opted.allows(addr)) == expected, text
    assert AddressPolicy.for_api("http://127.0.0.1.example.com") == public
    assert AddressPolicy.for_api("not a url at all") == public


async def test_the_connected_address_is_checked_even_when_the_body_comes_with_the_headers(
    recorder: Recorder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding (item 12.10): the name resolves to a public address when it is
    checked, then to loopback when the connector resolves it again to connect. The
    body is two bytes, so it arrives with the headers (``resp.connection`` is None)."""
    loop = asyncio.get_running_loop()
    real = loop.getaddrinfo
    lookups: list[int] = []

    async def rebinding_dns(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "media.rebind.test":
            return await real(host, port, *args, **kwargs)
        flags = kwargs.get("flags", 0)
        lookups.append(flags)
        # the plain lookup (a pre-flight check) gets a public address; the connector's
        # own lookup (it passes AI_ADDRCONFIG) gets loopback
        addr = "93.184.216.34" if not flags else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (addr, port))]

    monkeypatch.setattr(loop, "getaddrinfo", rebinding_dns)
    url = f"http://media.rebind.test:{recorder.port}/tiny.txt"
    with pytest.raises(DownloadError, match=r"non-public address 127\.0\.0\.1"):
        await download(None, url, tmp_path, api_base_url="https://api.kie.ai")
    assert recorder.seen == []  # never connected
    assert any(lookups)  # the connector's own lookup happened and was refused
    assert entries(tmp_path) == []


async def test_redirects_within_loopback_are_followed(host: FileHost, tmp_path: Path) -> None:
    path = await fetch(f"{host.url}/to/local", tmp_path)
    assert path.name == "local.wav"  # the URL asked for; the suffix from the Content-Type
    assert path.read_bytes() == WAV
    path = await fetch(f"{host.url}/to/localhost", tmp_path / "b.wav")
    assert path.read_bytes() == WAV
    assert host.hits.count("/file.wav") == 2


async def test_redirect_loop_and_other_schemes(host: FileHost, tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="redirects"):
        await fetch(f"{host.url}/to/loop", tmp_path)
    with pytest.raises(DownloadError, match="non-http"):
        await fetch(f"{host.url}/to/file", tmp_path)
    with pytest.raises(DownloadError, match="non-http"):
        await fetch("file:///etc/passwd", tmp_path)
    assert entries(tmp_path) == []


# ----------------------------------------------------------------------------- credentials


async def test_credentials_of_the_callers_session_never_reach_a_media_host(
    recorder: Recorder, tmp_path: Path
) -> None:
    """Item 12.13: a session with default credentials (as a user passes to
    ``SunoClient(session=...)``) is not what the download talks through."""
    headers = {"Authorization": "Bearer sk-secret-api-key", "X-Api-Key": "sk-secret-api-key",
               "Cookie": "session=secret"}
    jar = aiohttp.CookieJar(unsafe=True)
    jar.update_cookies({"sid": "secret-cookie"}, response_url=URL("http://127.0.0.1/"))
    async with aiohttp.ClientSession(headers=headers, cookie_jar=jar) as session:
        path = await download(session, f"http://127.0.0.1:{recorder.port}/f.txt", tmp_path,
                              api_base_url="http://127.0.0.1:1")
        assert not session.closed  # the caller's session is left alone
    assert path.read_bytes() == b"ok"
    [seen] = recorder.seen
    lowered = {k.lower(): v for k, v in seen.items()}
    assert "authorization" not in lowered and "x-api-key" not in lowered
    assert "cookie" not in lowered
    assert "secret" not in repr(seen)
    assert lowered["user-agent"].startswith("suno-async/")


# ----------------------------------------------------------------------------- the client


@pytest.mark.skipif(
    "api_base_url" not in inspect.getsource(SunoClient.download),
    reason="SunoClient.download does not pass its API base URL yet (NOTES-security.md)",
)
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
    assert await client.get_credits() > 0
    assert not client.closed


async def test_a_sandbox_track_downloads_with_the_sandbox_as_api_host(
    client: SunoClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    """What ``SunoClient.download`` does once it passes its base URL (NOTES-security.md)."""
    job = await client.generate(prompt="calm piano", custom_mode=True, instrumental=True,
                                style="piano", title="Calm / Piano: ../Night\u202e")
    record = await job.wait(timeout=10)
    saved = await download(None, record.tracks[0], tmp_path, api_base_url=sandbox.url)
    assert saved.name == f"Calm _ Piano_ ._Night-{record.tracks[0].id[:8]}.wav"
    assert saved.read_bytes()[:4] == b"RIFF"
    with pytest.raises(DownloadError, match="non-public"):  # same track, public API host
        await download(None, record.tracks[0], tmp_path, api_base_url="https://api.kie.ai")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
