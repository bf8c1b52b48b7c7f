"""A real ``redis-server`` for the store tests: started on a free loopback port in a temp
dir, flushed before each test, stopped at the end of the session.

Where no ``redis-server`` exists the Redis tests are skipped, loudly (the reason names
the fix); with ``CI=true`` in the environment they fail instead: CI must test Redis
(``.ci/run`` installs the Debian package).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator

import pytest

#: How long the server may take to accept connections (seconds).
START_DEADLINE = 15.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _command(port: int, *words: str) -> bytes:
    """Send one RESP command over a raw socket; the raw reply."""
    payload = f"*{len(words)}\r\n".encode() + b"".join(
        f"${len(w.encode())}\r\n{w}\r\n".encode() for w in words
    )
    with socket.create_connection(("127.0.0.1", port), timeout=2.0) as sock:
        sock.sendall(payload)
        return sock.recv(65536)


def redis_server_binary() -> str | None:
    """Path of ``redis-server``, or ``None``."""
    return shutil.which("redis-server") or (
        "/usr/bin/redis-server" if os.path.exists("/usr/bin/redis-server") else None
    )


def require_redis_server() -> str:
    """The binary, or skip (fail under ``CI=true``) with a message that says why."""
    binary = redis_server_binary()
    if binary is None:
        message = (
            "redis-server not found: Redis store tests NOT RUN"
            " (apt-get install redis-server, or run .ci/run)"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " -- CI=true: failing instead of skipping")
        pytest.skip(message)
    return binary


class RedisServer:
    """A ``redis-server`` child process on ``127.0.0.1:port`` (no persistence)."""

    def __init__(self, binary: str) -> None:
        self.dir = tempfile.mkdtemp(prefix="suno-redis-")
        self.port = _free_port()
        self.proc = subprocess.Popen(
            [
                binary, "--port", str(self.port), "--bind", "127.0.0.1",
                "--dir", self.dir, "--save", "", "--appendonly", "no",
                "--protected-mode", "yes", "--loglevel", "warning",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_DEADLINE
        while True:
            try:
                if _command(self.port, "PING").startswith(b"+PONG"):
                    break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                out = self.proc.communicate(timeout=5)[0] if self.proc.poll() is not None else b""
                self.stop()
                raise RuntimeError(f"redis-server did not start: {out.decode(errors='replace')}")
            time.sleep(0.02)

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:<port>/0``."""
        return f"redis://127.0.0.1:{self.port}/0"

    def flush(self) -> None:
        """Empty every database."""
        assert _command(self.port, "FLUSHALL").startswith(b"+OK")

    def stop(self) -> None:
        """Stop the server and remove its directory."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        shutil.rmtree(self.dir, ignore_errors=True)


_server: RedisServer | None = None


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One server for the session (skipped loudly, or failed in CI, without a binary)."""
    server = RedisServer(require_redis_server())
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The URL of an empty Redis (flushed before the test)."""
    redis_server.flush()
    return redis_server.url


def free_port() -> int:
    """A loopback port nothing listens on (for "unreachable store" tests)."""
    return _free_port()
