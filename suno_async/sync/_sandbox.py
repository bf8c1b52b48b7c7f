"""The sandbox served on its own loop thread, for blocking code, notebooks and tests.

``suno_async.sync.Sandbox(...)`` takes exactly the async
:class:`suno_async.sandbox.Sandbox` arguments; the server runs on a daemon thread of its
own, so a blocking client (or a notebook cell, whose loop is busy) can talk to it.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, ParamSpec, TypeVar

from ._loop import LoopThread

if TYPE_CHECKING:  # the sandbox (aiohttp.web) is imported only when one is started
    from ..sandbox import Sandbox as AsyncSandbox
    from ..sandbox.stats import SandboxStats

__all__ = ["SANDBOX_CALL_TIMEOUT", "Sandbox", "SandboxThread"]

P = ParamSpec("P")
T = TypeVar("T")

#: Seconds a call into the sandbox thread (start, stop, :meth:`SandboxThread.call`) may take.
SANDBOX_CALL_TIMEOUT: Final = 30.0

_numbers = itertools.count(1)


class SandboxThread:
    """A running sandbox on its own loop thread; ``url``, ``api_key`` as the async one.

    Made by :func:`Sandbox`. Use ``with``, or call :meth:`close` (also done at exit).
    ``sandbox`` is the async object; change it only through :meth:`call`, which runs a
    function on the sandbox's loop (e.g. ``sb.call(lambda s: s.inject(fault))``).
    """

    def __init__(self, build: Callable[[], AsyncSandbox]) -> None:
        runner = LoopThread(f"suno-async-sandbox-{next(_numbers)}", owner="sandbox")

        async def start() -> AsyncSandbox:
            return await build().start()

        try:
            self.sandbox = runner.run(start, timeout=SANDBOX_CALL_TIMEOUT, on_timeout=_slow)
        except BaseException:
            runner.stop()
            raise
        self._runner = runner
        self._finalizer = weakref.finalize(self, _shutdown, runner, self.sandbox)

    def __repr__(self) -> str:
        return f"<sync Sandbox {self.url}{' closed' if self._runner.closed else ''}>"

    def __enter__(self) -> SandboxThread:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving and end the thread. Idempotent."""
        self._finalizer()

    @property
    def url(self) -> str:
        return self.sandbox.url

    @property
    def upload_url(self) -> str:
        return self.sandbox.upload_url

    @property
    def api_key(self) -> str:
        return self.sandbox.api_key

    @property
    def stats(self) -> SandboxStats:
        """The sandbox's counters (read them; they change as requests arrive)."""
        return self.sandbox.stats

    def call(self, fn: Callable[[AsyncSandbox], T]) -> T:
        """Run ``fn(sandbox)`` on the sandbox's loop thread and return its value."""
        sandbox = self.sandbox

        async def on_loop() -> T:
            return fn(sandbox)

        return self._runner.run(on_loop, timeout=SANDBOX_CALL_TIMEOUT, on_timeout=_slow)


def _slow() -> BaseException:
    return TimeoutError(f"the sandbox thread did not answer within {SANDBOX_CALL_TIMEOUT:g} s")


def _shutdown(runner: LoopThread, sandbox: AsyncSandbox) -> None:
    try:
        if not runner.closed:
            runner.run(sandbox.close, timeout=SANDBOX_CALL_TIMEOUT, on_timeout=_slow)
    finally:
        runner.stop()


_SANDBOX_DOC = """Start a sandbox on its own thread; the async ``Sandbox`` arguments.

    >>> from suno_async.sync import Sandbox
    >>> with Sandbox(time_scale=0.01, seed=1) as sb:
    ...     sb.url.startswith("http://127.0.0.1:")
    True
    """


def _serving(factory: Callable[P, AsyncSandbox]) -> Callable[P, SandboxThread]:
    """Typed like ``factory`` (the async ``Sandbox``), returning a :class:`SandboxThread`."""

    def serve(*args: P.args, **kwargs: P.kwargs) -> SandboxThread:
        return SandboxThread(lambda: factory(*args, **kwargs))

    return serve


if TYPE_CHECKING:
    Sandbox = _serving(AsyncSandbox)
else:

    def Sandbox(*args: Any, **kwargs: Any) -> SandboxThread:
        from ..sandbox import Sandbox as AsyncSandbox

        return _serving(AsyncSandbox)(*args, **kwargs)

    Sandbox.__doc__ = _SANDBOX_DOC
