"""Downloading results: streamed to a temporary file and renamed into place.

Generated media expires after about two weeks, so applications download what they
keep. :func:`download` (also ``SunoClient.download``) writes to a hidden temporary
file in the destination directory and renames it into place only when complete, so a
reader never sees half a file; it refuses files over a size cap, derives safe file
names from track titles, and refuses to connect to private, loopback or link-local
addresses: the URLs come from API replies and callbacks, which a client should not
trust blindly.

Address policy (:class:`AddressPolicy`): only public (global unicast) addresses are
fetched. Loopback is allowed too when the configured API base URL is itself on
loopback (the sandbox: ``api_base_url="http://127.0.0.1:..."``); everything else
(10.x, 172.16/12, 192.168.x, 169.254.x, fc00::/7, fe80::/10, 100.64/10, 0.0.0.0...)
only with ``allow_private=True``. The address is checked twice: before each request
(a clear error, nothing sent) and on the socket itself, for every connection the
download opens, whatever DNS answers the second time (rebinding).

Downloads run on a session of their own: no header, cookie, ``auth`` or proxy of the
caller's session (e.g. an ``Authorization`` default header) ever reaches a media host.

>>> safe_filename("../../etc/passwd")
'_._etc_passwd'
>>> safe_filename("  Night Drive: Part 1/2  ")
'Night Drive_ Part 1_2'
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import mimetypes
import os
import re
import socket
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import IO, Any, TypeVar
from urllib.parse import unquote

import aiohttp
import attrs
from yarl import URL

from ._version import __version__
from .config import DEFAULT_DOWNLOAD_TIMEOUT, DEFAULT_MAX_DOWNLOAD_BYTES
from .errors import DownloadError
from .models.records import Track

__all__ = ["AddressPolicy", "DownloadError", "download", "safe_filename"]

#: Longest file name produced from a title (UTF-8 bytes, extension included).
MAX_NAME_BYTES = 120
#: Redirects followed before giving up.
MAX_REDIRECTS = 10
#: Bytes read per chunk; writes are batched to about ``WRITE_BATCH`` bytes.
CHUNK_SIZE = 64 * 1024
WRITE_BATCH = 1024 * 1024
#: Connections one download may hold at once (redirect hops to other hosts).
MEDIA_CONNECTIONS = 4

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f<>:"/\\|?*]')
#: Unicode categories replaced in file names: format characters (bidi controls,
#: zero-width marks) vanish; line and paragraph separators become spaces.
_VISIBLE = {"Cf": "", "Zl": " ", "Zp": " "}
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
)
#: Suffixes trusted from a URL path; anything else comes from the Content-Type.
_KNOWN_SUFFIXES = frozenset(
    {".mp3", ".wav", ".m4a", ".flac", ".ogg", ".aac", ".mp4", ".mov", ".webm", ".png",
     ".jpg", ".jpeg", ".webp", ".gif", ".mid", ".midi", ".json", ".txt", ".lrc", ".zip"}
)

#: Content types of the API's media, whatever the platform's mime.types says.
_TYPE_SUFFIXES = {
    "audio/wav": ".wav", "audio/x-wav": ".wav", "audio/wave": ".wav", "audio/vnd.wave": ".wav",
    "audio/mpeg": ".mp3", "audio/mp3": ".mp3", "audio/mp4": ".m4a", "audio/x-m4a": ".m4a",
    "audio/flac": ".flac", "audio/ogg": ".ogg", "audio/midi": ".mid", "audio/x-midi": ".mid",
    "video/mp4": ".mp4", "image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp",
}

T = TypeVar("T")


def safe_filename(text: str, *, fallback: str = "track", max_bytes: int = MAX_NAME_BYTES) -> str:
    """A file name made from ``text``: one path segment, portable, bounded.

    Separators, control characters (C0, DEL, C1) and characters Windows forbids
    become ``_``; invisible format characters (bidi overrides such as U+202E, which
    make ``evil\u202e3pm.exe`` display as ``evilexe.mp3``, zero-width characters) are
    removed; line and paragraph separators become spaces; leading and trailing dots
    and spaces go (no hidden files, no ``..``); runs of dots collapse; reserved device
    names get a ``_`` prefix; the result fits ``max_bytes`` of UTF-8. An empty result
    is ``fallback``.

    >>> safe_filename("..")
    'track'
    >>> safe_filename("CON")
    '_CON'
    >>> safe_filename("evil\u202egnp.exe\x85")
    'evilgnp.exe_'
    """
    name = unicodedata.normalize("NFKC", text)
    name = "".join(_VISIBLE.get(unicodedata.category(ch), ch) for ch in name)
    name = _UNSAFE.sub("_", name)
    name = re.sub(r"\s+", " ", name)
    name = re.sub(r"\.{2,}", ".", name)
    name = re.sub(r"_{2,}", "_", name)
    name = name.strip(". ")
    if name.split(".", 1)[0].strip().upper() in _RESERVED:
        name = "_" + name
    name = name.encode("utf-8")[:max_bytes].decode("utf-8", "ignore").rstrip(". ")
    if not name.strip("_ "):
        return fallback
    return name


def _extension(url: URL, content_type: str) -> str:
    suffix = PurePosixPath(url.path).suffix.lower()
    if suffix in _KNOWN_SUFFIXES:
        return suffix
    mime = content_type.split(";")[0].strip().lower()
    guessed = _TYPE_SUFFIXES.get(mime) or (mimetypes.guess_extension(mime) if mime else None)
    if guessed and re.fullmatch(r"\.[a-z0-9]{1,5}", guessed):
        return guessed
    return ".bin"


def _name_for(source: Track | str, url: URL, content_type: str) -> str:
    ext = _extension(url, content_type)
    budget = MAX_NAME_BYTES - len(ext)
    if isinstance(source, Track):
        tag = safe_filename(source.id, fallback="", max_bytes=8)
        stem = safe_filename(source.title, fallback="track", max_bytes=budget - len(tag) - 1)
        stem = f"{stem}-{tag}" if tag else stem
    else:
        last = unquote(PurePosixPath(URL(source).path).name)
        last = last[: -len(PurePosixPath(last).suffix)] if PurePosixPath(last).suffix else last
        stem = safe_filename(last, fallback="download", max_bytes=budget)
    return stem + ext


Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address(text: str) -> Address:
    addr = ipaddress.ip_address(text.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def _parse_url(text: str) -> URL:
    """``text`` as a URL; a malformed one is a :class:`DownloadError`."""
    try:
        return URL(text)
    except (ValueError, TypeError) as exc:
        raise DownloadError(f"not a valid URL: {text[:200]!r}", url=text[:200]) from exc


def _is_loopback_host(host: str) -> bool:
    """``host`` is a loopback literal or a ``localhost`` name (RFC 6761); no DNS asked."""
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return _address(host).is_loopback
    except ValueError:
        return False


@attrs.frozen
class AddressPolicy:
    """Which addresses a download may connect to.

    Public (global unicast) addresses always; loopback when ``loopback``; private,
    link-local, shared, reserved and unspecified ones (and loopback) when ``private``.

    >>> policy = AddressPolicy.for_api("http://127.0.0.1:8000")
    >>> policy, AddressPolicy.for_api("https://api.kie.ai")
    (AddressPolicy(loopback=True, private=False), AddressPolicy(loopback=False, private=False))
    >>> [policy.allows(ipaddress.ip_address(a)) for a in ("127.0.0.1", "10.0.0.1", "1.1.1.1")]
    [True, False, True]
    """

    loopback: bool = False
    private: bool = False

    @classmethod
    def for_api(cls, api_base_url: str | None, *, allow_private: bool = False) -> AddressPolicy:
        """The policy for a client whose API lives at ``api_base_url``.

        Loopback media is allowed only when the API host itself is loopback (the
        sandbox); ``None`` (unknown) counts as a public API host.
        """
        loopback = False
        if api_base_url is not None:
            with contextlib.suppress(ValueError, TypeError):
                loopback = _is_loopback_host(URL(api_base_url).raw_host or "")
        return cls(loopback=loopback or allow_private, private=allow_private)

    def allows(self, addr: Address) -> bool:
        """Whether a connection to ``addr`` is allowed."""
        if self.private:
            return True
        if addr.is_loopback:
            return self.loopback
        return addr.is_global and not addr.is_multicast


def _refusal(addr: Address, url: URL) -> DownloadError:
    return DownloadError(
        f"refusing to fetch {str(url)[:200]!r}: it resolves to the non-public address "
        f"{addr} (private, loopback or link-local; pass allow_private=True to allow it)",
        url=str(url),
    )


async def _addresses(url: URL) -> list[Address]:
    """Every address ``url``'s host stands for (resolved without connecting)."""
    host = (url.raw_host or "").strip("[]")
    if not host:
        raise DownloadError(f"no host in {str(url)[:200]!r}", url=str(url))
    with contextlib.suppress(ValueError):
        return [_address(host)]
    if _is_loopback_host(host):  # RFC 6761: localhost names are loopback, whatever DNS says
        return [ipaddress.ip_address("127.0.0.1")]
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, url.port or 0, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise DownloadError(f"cannot resolve {host!r}: {exc}", url=str(url)) from exc
    found = []
    for info in infos:
        with contextlib.suppress(ValueError):
            found.append(_address(str(info[4][0])))
    if not found:
        raise DownloadError(f"cannot resolve {host!r}", url=str(url))
    return found


async def _check_hop(url: URL, policy: AddressPolicy) -> None:
    """Refuse ``url`` (before any request) unless every address it resolves to is allowed."""
    if url.scheme not in ("http", "https"):
        raise DownloadError(f"refusing a non-http(s) URL: {str(url)[:200]!r}", url=str(url))
    if policy.private:
        return
    for addr in await _addresses(url):
        if not policy.allows(addr):
            raise _refusal(addr, url)


class _SocketGuard:
    """The connector's socket factory: checks the address of every connection made.

    DNS may answer differently when the connector resolves the host again (rebinding),
    and a small body can arrive with the headers, before any peer check on the
    response could run: so the check sits on the socket, before ``connect()``.
    """

    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy
        self.refused: Address | None = None

    def __call__(self, addr_info: Any) -> socket.socket:
        family, kind, proto, _, sockaddr = addr_info
        try:
            addr = _address(str(sockaddr[0]))
        except ValueError:
            addr = None
        if addr is None or not self.policy.allows(addr):
            self.refused = addr or ipaddress.ip_address("0.0.0.0")
            raise OSError(errno.EACCES, f"connection to {sockaddr[0]} refused by policy")
        return socket.socket(family, kind, proto)


def _media_session(guard: _SocketGuard) -> aiohttp.ClientSession:
    """A session for media hosts only: no caller headers, cookies, auth or proxies."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=MEDIA_CONNECTIONS, socket_factory=guard),
        cookie_jar=aiohttp.DummyCookieJar(),
        headers={"User-Agent": f"suno-async/{__version__}"},
        trust_env=False,
    )


def _source_url(source: Track | str) -> str:
    if isinstance(source, Track):
        if not source.audio_url:
            raise ValueError(
                f"track {source.id or '?'} has no audio_url yet (not final); "
                "await the job (or its SUCCESS stage) before downloading"
            )
        return source.audio_url
    if isinstance(source, str):
        return source
    raise TypeError(f"expected a Track or a URL string, got {type(source).__name__}")


def _destination(dest: str | os.PathLike[str]) -> tuple[Path, bool]:
    """(path, is_directory): a directory (existing, or written with a trailing slash)
    receives a derived name; anything else is the file path itself."""
    text = os.fspath(dest)
    path = Path(text)
    if path.is_dir() or text.endswith(("/", os.sep)):
        return path, True
    return path, False


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()


async def download(
    session: aiohttp.ClientSession | None,
    source: Track | str,
    dest: str | os.PathLike[str],
    *,
    max_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
    client_timeout: aiohttp.ClientTimeout | None = None,
    allow_private: bool = False,
    api_base_url: str | None = None,
) -> Path:
    """Fetch ``source`` (a final :class:`Track` or a URL) to ``dest``; return the file's path.

    ``dest`` is a directory (existing, or ending in ``/``: created), where the name
    comes from the track's title and id (``"Night Drive-1a2b3c4d.mp3"``) or the URL's
    last segment, with the extension of the URL or the Content-Type; or a file path,
    used as is. An existing file is replaced. Files larger than ``max_bytes`` are
    refused (:class:`DownloadError`), as are connections to non-public addresses
    (see :class:`AddressPolicy`): loopback is allowed only when ``api_base_url`` (the
    client's configured API base URL) is itself on loopback, anything non-public with
    ``allow_private=True``.

    ``session`` is accepted for compatibility and never used or closed: the download
    runs on a short-lived session of its own, so none of the caller's default headers
    (``Authorization``...), cookies or proxy settings reach a media host.

    >>> # async with SunoClient() as client:
    >>> #     path = await client.download(record.tracks[0], "music/")
    """
    del session  # credentials of the caller's session must not reach media hosts
    url = original = _parse_url(_source_url(source))
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0:
        raise ValueError(f"max_bytes must be an int > 0, got {max_bytes!r}")
    target, is_dir = _destination(dest)
    policy = AddressPolicy.for_api(api_base_url, allow_private=allow_private)
    request_timeout = client_timeout or aiohttp.ClientTimeout(
        total=DEFAULT_DOWNLOAD_TIMEOUT, sock_connect=30, sock_read=60
    )
    guard = _SocketGuard(policy)
    async with _media_session(guard) as media:
        for _hop in range(MAX_REDIRECTS + 1):
            await _check_hop(url, policy)
            try:
                async with media.get(url, allow_redirects=False, timeout=request_timeout) as resp:
                    if resp.status in _REDIRECTS:
                        location = resp.headers.get("Location")
                        if not location:
                            raise DownloadError(
                                f"HTTP {resp.status} without a Location", url=str(url),
                                status=resp.status,
                            )
                        url = resp.url.join(_parse_url(location))
                        continue
                    if resp.status != 200:
                        raise DownloadError(
                            f"HTTP {resp.status} for {str(url)[:200]!r}", url=str(url),
                            status=resp.status,
                        )
                    length = resp.content_length
                    if length is not None and length > max_bytes:
                        raise DownloadError(
                            f"{length} bytes is over the {max_bytes}-byte cap "
                            "(raise max_bytes to allow it)",
                            url=str(url),
                        )
                    if is_dir:
                        await asyncio.to_thread(target.mkdir, parents=True, exist_ok=True)
                        content_type = resp.headers.get("Content-Type", "")
                        # named after the URL the caller gave (as curl -O and wget do)
                        final = target / _name_for(source, original, content_type)
                    else:
                        final = target
                    await _write_atomic(resp, final, max_bytes, str(url))
                    return final
            except aiohttp.ClientError as exc:
                if guard.refused is not None:
                    raise _refusal(guard.refused, url) from None
                raise DownloadError(
                    f"download of {str(url)[:200]!r} failed: {type(exc).__name__}: {exc}",
                    url=str(url),
                ) from exc
    raise DownloadError(f"more than {MAX_REDIRECTS} redirects", url=str(url))


async def _settled(fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn`` in a thread; if we are cancelled meanwhile, let it finish first.

    File work already started is never left running behind the cleanup.
    """
    future = asyncio.ensure_future(asyncio.to_thread(fn, *args))
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        await asyncio.wait([future])
        raise


async def _write_atomic(
    resp: aiohttp.ClientResponse, final: Path, max_bytes: int, url: str
) -> None:
    # Created synchronously (one quick syscall) so that no cancellation can fall between
    # the file's creation and the ``try`` that removes it.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{final.name[:60]}.", suffix=".part",
                                    dir=final.parent)
    tmp = Path(tmp_name)
    handle: IO[bytes] = os.fdopen(fd, "wb")
    try:
        total = 0
        batch = bytearray()
        async for chunk in resp.content.iter_chunked(CHUNK_SIZE):
            total += len(chunk)
            if total > max_bytes:
                raise DownloadError(
                    f"over the {max_bytes}-byte cap after {total} bytes "
                    "(raise max_bytes to allow it)",
                    url=url,
                )
            batch += chunk
            if len(batch) >= WRITE_BATCH:
                await _settled(handle.write, bytes(batch))
                batch.clear()
        await _settled(_finish, handle, bytes(batch), tmp, final)
    except BaseException:
        _discard(handle, tmp)
        raise


def _finish(handle: IO[bytes], rest: bytes, tmp: Path, final: Path) -> None:
    with handle:
        handle.write(rest)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(tmp, _FILE_MODE)
    os.replace(tmp, final)


def _discard(handle: IO[Any], tmp: Path) -> None:
    with contextlib.suppress(OSError):
        handle.close()
    with contextlib.suppress(OSError):
        tmp.unlink()
