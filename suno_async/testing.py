"""A pytest plugin for testing *your* code against the local sandbox, at full speed.

Installed with the package, it registers itself through the ``pytest11`` entry point
(``suno_async = "suno_async.testing"``): nothing to import. Without installing (a source
checkout), enable it with ``pytest -p suno_async.testing`` or ``pytest_plugins =
["suno_async.testing"]`` in your top-level ``conftest.py``.

Fixtures (function-scoped, async; need pytest-asyncio):

``suno_sandbox``
    A running :class:`suno_async.sandbox.Sandbox` on a loopback port: ``time_scale=0.001``
    (the ~3 minute music timeline takes ~0.2 s), ``seed=1``, rate and poll limits relaxed.
``suno_client``
    A :class:`suno_async.SunoClient` pointed at ``suno_sandbox`` with fast polling, retries
    and timeouts (the settings the SDK's own test-suite uses), closed after the test.

Use them with ``asyncio_mode = "auto"`` (``[tool.pytest.ini_options]`` in pyproject.toml)
or mark each test ``@pytest.mark.asyncio``::

    # test_my_app.py
    import pytest
    from suno_async import Stage

    async def test_first_song_is_posted(suno_client, suno_sandbox):
        job = await suno_client.generate(prompt="lofi piano")
        record = await job.wait(Stage.FIRST_SUCCESS, timeout=10)
        assert record.status in ("FIRST_SUCCESS", "SUCCESS")
        (post,) = [r for r in suno_sandbox.requests if r.path == "/api/v1/generate"]
        assert post.json["prompt"] == "lofi piano"

Configure per test (or per module / class with ``pytestmark``) with markers; their keyword
arguments are passed on::

    @pytest.mark.suno_sandbox(time_scale=1.0, seed=7, provider="sunoapi", credits=20)
    @pytest.mark.suno_client(callback_url="http://127.0.0.1:8080/suno")
    async def test_slow_timeline(suno_client, suno_sandbox):
        job = await suno_client.generate(prompt="[[slow]] ambient")
        suno_sandbox.advance(job.task_id, "SUCCESS")   # no 9 minute wait
        await job.wait(timeout=5)

or override a fixture in your ``conftest.py`` as usual (``suno_client`` then uses yours)::

    @pytest.fixture
    async def suno_sandbox():
        async with Sandbox(time_scale=0.01, hmac_key="k") as sb:
            yield sb

The sandbox also gives ``advance(task_id, stage)`` (move a task to ``TEXT_SUCCESS`` /
``FIRST_SUCCESS`` / ``SUCCESS`` / a failure at once, callbacks fire as they would),
``requests`` (frozen records: ``method, path, query, json, headers, at``; credentials
redacted), ``clear_requests()``, ``stats``, ``inject(Fault(...))`` and prompt markers such as
``[[fail]]`` (see :mod:`suno_async.sandbox`).
"""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from .client import SunoClient
from .config import PollPolicy, RateLimit, RetryPolicy, Timeouts
from .sandbox import Sandbox

__all__ = [
    "FAST_POLL",
    "FAST_RATE_LIMIT",
    "FAST_RETRY",
    "FAST_TIMEOUTS",
    "SANDBOX_DEFAULTS",
    "client_for",
    "suno_client",
    "suno_sandbox",
]

# Test-speed settings (module constants on purpose: they are the plugin's, not the SDK's
# defaults; the same values as the SDK's own tests/conftest.py).
#: Sandbox options of ``suno_sandbox`` (a marker's keyword arguments win).
SANDBOX_DEFAULTS: dict[str, Any] = {
    "time_scale": 0.001,
    "seed": 1,
    "poll_limit": None,
    "rate_limit": (10_000, 1.0),
}
#: Fast, still adaptive, polling.
FAST_POLL = PollPolicy(
    initial=0.01, maximum=0.05, early_maximum=0.03, min_interval=0.0, max_wait=20.0
)
#: Few, quick retries.
FAST_RETRY = RetryPolicy(max_attempts=4, max_delay=0.05, base=0.005)
#: Short deadlines (loopback only).
FAST_TIMEOUTS = Timeouts(connect=2.0, read=5.0, total=10.0)
#: No client-side throttling worth noticing.
FAST_RATE_LIMIT = RateLimit(creates=1000, per_seconds=1.0, max_wait=5.0)

_MARKERS = (
    "suno_sandbox(**options): keyword arguments for the suno_sandbox fixture's Sandbox "
    "(time_scale, seed, provider, credits, hmac_key, rate_limit, poll_limit, ...)",
    "suno_client(**options): keyword arguments for the suno_client fixture's SunoClient "
    "(poll, retry, timeouts, rate_limit, callback_url, journal, ...)",
)


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``suno_sandbox`` and ``suno_client`` markers."""
    for line in _MARKERS:
        config.addinivalue_line("markers", line)


def _marker_options(request: pytest.FixtureRequest, name: str) -> dict[str, Any]:
    """Keyword arguments of every ``name`` marker on the test, the closest last (wins)."""
    options: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers(name))):
        if marker.args:
            raise TypeError(f"@pytest.mark.{name} takes keyword arguments only")
        options.update(marker.kwargs)
    return options


def client_for(sandbox: Sandbox, **overrides: Any) -> SunoClient:
    """A :class:`SunoClient` for ``sandbox`` with the fast test settings; keywords win.

    Built through the public constructor only; close it (``async with``) when done.

    >>> import asyncio
    >>> async def main() -> str:
    ...     async with Sandbox(time_scale=0.001) as sb, client_for(sb) as client:
    ...         return type(client).__name__
    >>> asyncio.run(main())
    'SunoClient'
    """
    options: dict[str, Any] = {
        "api_key": sandbox.api_key,
        "base_url": sandbox.url,
        "provider": sandbox.provider,
        "upload_base_url": sandbox.upload_url,
        "poll": FAST_POLL,
        "retry": FAST_RETRY,
        "timeouts": FAST_TIMEOUTS,
        "rate_limit": FAST_RATE_LIMIT,
    }
    options.update(overrides)
    return SunoClient(**options)


NEEDS_ASYNCIO = (
    "the suno_async.testing fixtures are async and need pytest-asyncio: "
    "pip install pytest-asyncio (then set asyncio_mode = 'auto' or mark tests "
    "@pytest.mark.asyncio)"
)


async def _sandbox(request: pytest.FixtureRequest) -> AsyncIterator[Sandbox]:
    """A running sandbox set for speed; configure with ``@pytest.mark.suno_sandbox(...)``."""
    options = {**SANDBOX_DEFAULTS, **_marker_options(request, "suno_sandbox")}
    async with Sandbox(**options) as sandbox:
        yield sandbox


async def _client(
    suno_sandbox: Sandbox, request: pytest.FixtureRequest
) -> AsyncIterator[SunoClient]:
    """A client pointed at ``suno_sandbox``, fast settings; configure with
    ``@pytest.mark.suno_client(...)``."""
    async with client_for(suno_sandbox, **_marker_options(request, "suno_client")) as client:
        yield client


def unavailable_fixture(name: str) -> Callable[..., Any]:
    """Without pytest-asyncio the plugin still loads (it is registered in every pytest run of
    an environment that has suno-async); using a fixture then fails with a clear message."""

    def fixture() -> None:
        pytest.fail(NEEDS_ASYNCIO, pytrace=False)

    fixture.__name__ = name
    return fixture


if importlib.util.find_spec("pytest_asyncio") is not None:
    import pytest_asyncio

    suno_sandbox = pytest_asyncio.fixture(_sandbox, name="suno_sandbox")
    suno_client = pytest_asyncio.fixture(_client, name="suno_client")
else:  # pragma: no cover - pytest-asyncio is a dev dependency
    suno_sandbox = pytest.fixture(unavailable_fixture("suno_sandbox"), name="suno_sandbox")
    suno_client = pytest.fixture(unavailable_fixture("suno_client"), name="suno_client")
