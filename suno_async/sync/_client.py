"""The blocking :class:`SunoClient`: the async client driven on one background loop thread.

No logic of its own: every method is derived from the async method of the same name by
one of the typed wrappers below (``ParamSpec``), so it takes exactly the async method's
parameters (a type checker reports a misspelt keyword) and follows any change to them.
"""

from __future__ import annotations

import itertools
import logging
import math
import os
import time
import weakref
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable, Iterator
from typing import Any, Concatenate, Final, ParamSpec, TypeVar, overload

from ..batch import BatchItem, BatchRequest, MusicBatchRequest, batch_requests
from ..client import SunoClient as AsyncSunoClient
from ..config import (
    DEFAULT_BATCH_CONCURRENCY,
    FleetPolicy,
    PollPolicy,
    RateLimit,
    RetryPolicy,
    Timeouts,
)
from ..errors import APITimeoutError, ClientClosedError
from ..jobs.job import Job
from ..journal import Journal
from ..models.records import MusicRecord, Record
from ..store import Store, StoreSpec
from ._batch import SyncBatchItem
from ._job import SyncJob, relay
from ._loop import LoopThread

__all__ = ["CLOSE_TIMEOUT", "SYNC_CALL_TIMEOUT", "SunoClient"]

log = logging.getLogger("suno_async")

P = ParamSpec("P")
T = TypeVar("T")
R = TypeVar("R", bound=Record)

#: Seconds any blocking call that is not a job wait may take before it is cancelled and
#: ``APITimeoutError`` is raised: a backstop above the async client's own bounds
#: (request timeouts x retries, rate-limit ``max_wait``, download timeout).
SYNC_CALL_TIMEOUT: Final = 900.0
#: Seconds ``close()`` allows the async client's ``aclose()`` (which lets calls already
#: sending finish within ``Timeouts.total``) before the loop thread is stopped anyway.
CLOSE_TIMEOUT: Final = 90.0

_numbers = itertools.count(1)


# ---------------------------------------------------------------------- derived methods
# Each wrapper keeps the async method's parameters (ParamSpec P) and changes only what it
# returns; at call time it runs the async method on the client's loop thread.


def _named(call: Callable[..., Any], method: Callable[..., Any], what: str) -> None:
    name = method.__name__
    call.__name__ = name
    call.__qualname__ = f"SunoClient.{name}"
    call.__wrapped__ = method  # type: ignore[attr-defined]  # signature for help()/IDEs
    summary = (method.__doc__ or "").strip().split("\n\n", 1)[0]
    call.__doc__ = (
        f"Blocking :meth:`suno_async.SunoClient.{name}`; {what}.\n\n{summary}\n\n"
        "Same parameters and exceptions as the async method."
    )


def job_method(
    method: Callable[Concatenate[AsyncSunoClient, P], Awaitable[Job[R]]],
) -> Callable[Concatenate[SunoClient, P], SyncJob[R]]:
    """Derive a blocking task-creating method: same parameters, returns a :class:`SyncJob`."""

    def call(self: SunoClient, /, *args: P.args, **kwargs: P.kwargs) -> SyncJob[R]:
        client = self._client
        job = self._run(lambda: method(client, *args, **kwargs), method.__name__, created=True)
        return self._wrap(job)

    _named(call, method, "returns a :class:`~suno_async.sync.SyncJob` once the task exists")
    return call


def value_method(
    method: Callable[Concatenate[AsyncSunoClient, P], Awaitable[T]],
) -> Callable[Concatenate[SunoClient, P], T]:
    """Derive a blocking immediate method: same parameters, same return value."""

    def call(self: SunoClient, /, *args: P.args, **kwargs: P.kwargs) -> T:
        client = self._client
        return self._run(lambda: method(client, *args, **kwargs), method.__name__)

    _named(call, method, "returns the value")
    return call


def handle_method(
    method: Callable[Concatenate[AsyncSunoClient, P], Job[R]],
) -> Callable[Concatenate[SunoClient, P], SyncJob[R]]:
    """Derive a blocking twin of a plain (non-async) method returning a job handle."""

    def call(self: SunoClient, /, *args: P.args, **kwargs: P.kwargs) -> SyncJob[R]:
        client = self._client

        async def on_loop() -> Job[R]:
            return method(client, *args, **kwargs)

        return self._wrap(self._run(on_loop, method.__name__))

    _named(call, method, "returns a :class:`~suno_async.sync.SyncJob`")
    return call


def jobs_method(
    method: Callable[Concatenate[AsyncSunoClient, P], Awaitable[list[Job[R]]]],
) -> Callable[Concatenate[SunoClient, P], list[SyncJob[R]]]:
    """Derive a blocking method returning a list of jobs."""

    def call(self: SunoClient, /, *args: P.args, **kwargs: P.kwargs) -> list[SyncJob[R]]:
        client = self._client
        jobs = self._run(lambda: method(client, *args, **kwargs), method.__name__)
        return [self._wrap(job) for job in jobs]

    _named(call, method, "returns :class:`~suno_async.sync.SyncJob` handles")
    return call


def call_method(
    method: Callable[Concatenate[AsyncSunoClient, P], T],
) -> Callable[Concatenate[SunoClient, P], T]:
    """Derive a blocking twin of a plain (non-async) method: run on the loop thread."""

    def call(self: SunoClient, /, *args: P.args, **kwargs: P.kwargs) -> T:
        client = self._client

        async def on_loop() -> T:
            return method(client, *args, **kwargs)

        return self._run(on_loop, method.__name__)

    _named(call, method, "returns the value")
    return call


class SunoClient:
    """A blocking client for the Suno API: the async :class:`suno_async.SunoClient`
    run on one background event-loop thread (daemon, named ``suno-async-sync-N``).

    Takes the async client's arguments (except ``session``, which belongs to one loop)
    plus ``call_timeout``: the bound of each blocking call that is not a job wait
    (default ``SYNC_CALL_TIMEOUT``). Task-creating methods return a :class:`SyncJob`;
    immediate ones return their value; exceptions are the async client's, unchanged.
    Works in a plain script, inside a running event loop (a notebook cell) and as a
    module-level object used across many ``asyncio.run()`` calls of the caller.
    ``Ctrl-C`` during a call cancels that call (a request already sent still
    registers its task). Use ``with``, or call :meth:`close`; it is also closed at
    interpreter exit.

    >>> from suno_async import PollPolicy
    >>> from suno_async.sync import Sandbox, SunoClient
    >>> fast = PollPolicy(initial=0.02, maximum=0.1, early_maximum=0.05, min_interval=0)
    >>> with Sandbox(time_scale=0.002, seed=3, poll_limit=None) as sb:
    ...     with SunoClient(api_key=sb.api_key, base_url=sb.url, poll=fast) as client:
    ...         record = client.generate(prompt="calm piano", instrumental=True).result()
    ...         [track.ready for track in record.tracks]
    [True, True]
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        provider: str = "kie",
        *,
        upload_base_url: str | None = None,
        poll: PollPolicy | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        rate_limit: RateLimit | None = None,
        callback_url: str | None = None,
        journal: str | os.PathLike[str] | Journal | None = None,
        store: StoreSpec = None,
        fleet: FleetPolicy | None = None,
        call_timeout: float = SYNC_CALL_TIMEOUT,
    ) -> None:
        if not call_timeout > 0:
            raise ValueError(f"call_timeout must be > 0 seconds, got {call_timeout!r}")
        self.call_timeout = call_timeout
        options: dict[str, Any] = {
            "upload_base_url": upload_base_url,
            "poll": poll,
            "timeouts": timeouts,
            "retry": retry,
            "rate_limit": rate_limit,
            "callback_url": callback_url,
            "journal": journal,
            "store": store,
            "fleet": fleet,
        }
        runner = LoopThread(f"suno-async-sync-{next(_numbers)}")

        async def open_client() -> AsyncSunoClient:
            # the store is opened here: an unreachable one fails the constructor
            return await AsyncSunoClient(api_key, base_url, provider, **options).open()

        try:
            expired = _timed_out("SunoClient", call_timeout)
            client = runner.run(open_client, timeout=call_timeout, on_timeout=expired)
        except BaseException:
            runner.stop()
            raise
        self._runner = runner
        self._client = client
        #: The poll policy's ``max_wait``: what ``timeout=None`` means for job waits.
        self.max_wait = client.poll_policy.max_wait
        self._finalizer = weakref.finalize(self, _shutdown, runner, client)

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<sync SunoClient base_url={self.base_url!r} {state}>"

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> SunoClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def open(self) -> SunoClient:
        """Blocking :meth:`suno_async.SunoClient.open`: a no-op, the constructor already
        opened the client and its store; returns it."""
        return self

    def close(self) -> None:
        """Close the async client (pending waits end with ``ClientClosedError``) and stop
        the loop thread. Idempotent; bounded by ``CLOSE_TIMEOUT`` and the thread join."""
        self._finalizer()

    @property
    def closed(self) -> bool:
        return self._runner.closed

    @property
    def base_url(self) -> str:
        return self._client.base_url

    @property
    def poll_policy(self) -> PollPolicy:
        return self._client.poll_policy

    @property
    def journal(self) -> Journal | None:
        return self._client.journal

    @property
    def store(self) -> Store | None:
        """The shared store (see :class:`suno_async.SunoClient`); ``None`` in memory."""
        return self._client.store

    @property
    def jobs(self) -> dict[str, SyncJob[Record]]:
        """A snapshot of the jobs known to the client, by task id."""

        async def snapshot() -> dict[str, SyncJob[Record]]:
            return {tid: self._wrap(job) for tid, job in self._client.jobs.items()}

        return self._run(snapshot, "jobs")

    def call(
        self,
        fn: Callable[[AsyncSunoClient], Awaitable[T]],
        *,
        timeout: float | None = None,
    ) -> T:
        """Run ``await fn(async_client)`` on the client's loop thread and return its value.

        The way into async-only APIs from blocking code, e.g. a webhook receiver's
        checks from a WSGI view. ``timeout`` defaults to ``call_timeout``; exceptions
        propagate unchanged.

        >>> # status, body = client.call(lambda c: receiver.handle_raw(...))
        """
        client = self._client
        limit = self.call_timeout if timeout is None else timeout
        return self._runner.run(
            lambda: fn(client), timeout=limit, on_timeout=_timed_out("call", limit)
        )

    # ------------------------------------------------------------------ plumbing

    def _run(self, factory: Callable[[], Awaitable[T]], name: str, *, created: bool = False) -> T:
        expired = _timed_out(name, self.call_timeout, created)
        return self._runner.run(factory, timeout=self.call_timeout, on_timeout=expired)

    def _wrap(self, job: Job[R]) -> SyncJob[R]:
        return SyncJob(job, self._runner, self.max_wait)

    # ------------------------------------------------------------------ endpoints
    # Derived from the async methods (same parameters; see the wrappers above). The set
    # is kept complete by tests/test_sync.py::test_every_async_method_has_a_blocking_twin.

    generate = job_method(AsyncSunoClient.generate)
    extend = job_method(AsyncSunoClient.extend)
    upload_cover = job_method(AsyncSunoClient.upload_cover)
    upload_extend = job_method(AsyncSunoClient.upload_extend)
    add_instrumental = job_method(AsyncSunoClient.add_instrumental)
    add_vocals = job_method(AsyncSunoClient.add_vocals)
    replace_section = job_method(AsyncSunoClient.replace_section)
    mashup = job_method(AsyncSunoClient.mashup)
    generate_sounds = job_method(AsyncSunoClient.generate_sounds)
    generate_lyrics = job_method(AsyncSunoClient.generate_lyrics)
    convert_to_wav = job_method(AsyncSunoClient.convert_to_wav)
    separate_vocals = job_method(AsyncSunoClient.separate_vocals)
    generate_midi = job_method(AsyncSunoClient.generate_midi)
    create_music_video = job_method(AsyncSunoClient.create_music_video)
    generate_cover_art = job_method(AsyncSunoClient.generate_cover_art)
    recover_audio = job_method(AsyncSunoClient.recover_audio)
    validate_voice = job_method(AsyncSunoClient.validate_voice)
    regenerate_voice_phrase = job_method(AsyncSunoClient.regenerate_voice_phrase)
    generate_voice = job_method(AsyncSunoClient.generate_voice)

    get_download_url = value_method(AsyncSunoClient.get_download_url)
    check_voice = value_method(AsyncSunoClient.check_voice)
    get_timestamped_lyrics = value_method(AsyncSunoClient.get_timestamped_lyrics)
    boost_style = value_method(AsyncSunoClient.boost_style)
    generate_persona = value_method(AsyncSunoClient.generate_persona)
    get_credits = value_method(AsyncSunoClient.get_credits)
    get_record = value_method(AsyncSunoClient.get_record)
    upload_file = value_method(AsyncSunoClient.upload_file)
    download = value_method(AsyncSunoClient.download)

    track = handle_method(AsyncSunoClient.track)
    resume = jobs_method(AsyncSunoClient.resume)
    batch_progress = value_method(AsyncSunoClient.batch_progress)
    ingest_callback = call_method(AsyncSunoClient.ingest_callback)

    # ------------------------------------------------------------------ batches

    @overload
    def generate_many(
        self, requests: Iterable[MusicBatchRequest], *, concurrency: int = ...,
        on_item: Callable[[SyncBatchItem[MusicRecord]], object] | None = ...,
        timeout: float | None = ...,
    ) -> list[SyncBatchItem[MusicRecord]]: ...
    @overload
    def generate_many(
        self, requests: Iterable[BatchRequest], *, concurrency: int = ...,
        on_item: Callable[[SyncBatchItem[Record]], object] | None = ...,
        timeout: float | None = ...,
    ) -> list[SyncBatchItem[Record]]: ...

    def generate_many(
        self,
        requests: Iterable[BatchRequest],
        *,
        concurrency: int = DEFAULT_BATCH_CONCURRENCY,
        on_item: Callable[[SyncBatchItem[Any]], object] | None = None,
        timeout: float | None = None,
    ) -> list[SyncBatchItem[Any]]:
        """Submit many requests: the async ``generate_many``, blocking.

        Returns a :class:`SyncBatchItem` per request, in input order. ``on_item`` is
        called on the client's loop thread with each item as it is submitted: keep it
        short and do not call the client from it. ``timeout`` bounds the whole call
        (``None``: ``max_wait`` per round of ``concurrency`` jobs, plus ``call_timeout``).
        To see items as they settle, use :meth:`generate_many_iter`.
        """
        items = list(requests)
        timeout = self._batch_timeout(len(items), concurrency, timeout)
        client, runner, forward = self._client, self._runner, self._forward(on_item)
        batch = runner.run(
            lambda: client.generate_many(items, concurrency=concurrency, on_item=forward),
            timeout=timeout,
            on_timeout=_timed_out("generate_many", timeout, True),
        )
        return [SyncBatchItem.wrap(item, runner, self.max_wait) for item in batch]

    @overload
    def generate_many_iter(
        self, requests: Iterable[MusicBatchRequest], *, concurrency: int = ...,
        on_item: Callable[[SyncBatchItem[MusicRecord]], object] | None = ...,
        timeout: float | None = ...,
    ) -> Iterator[SyncBatchItem[MusicRecord]]: ...
    @overload
    def generate_many_iter(
        self, requests: Iterable[BatchRequest], *, concurrency: int = ...,
        on_item: Callable[[SyncBatchItem[Record]], object] | None = ...,
        timeout: float | None = ...,
    ) -> Iterator[SyncBatchItem[Record]]: ...

    def generate_many_iter(
        self,
        requests: Iterable[BatchRequest],
        *,
        concurrency: int = DEFAULT_BATCH_CONCURRENCY,
        on_item: Callable[[SyncBatchItem[Any]], object] | None = None,
        timeout: float | None = None,
    ) -> Iterator[SyncBatchItem[Any]]:
        """The async ``generate_many_iter``, blocking: a plain iterator over the items
        in the order they settle (failed submissions at once, jobs when final).

        Items are checked at the call. ``timeout`` bounds the whole iteration as for
        :meth:`generate_many` (then ``APITimeoutError``; created jobs keep running).
        Leaving the loop early sends nothing more.

        >>> from suno_async import GenerateRequest, PollPolicy
        >>> from suno_async.sync import Sandbox, SunoClient
        >>> fast = PollPolicy(initial=0.02, maximum=0.1, early_maximum=0.05, min_interval=0)
        >>> with Sandbox(time_scale=0.002, seed=4, poll_limit=None) as sb, SunoClient(
        ...         api_key=sb.api_key, base_url=sb.url, poll=fast) as client:
        ...     requests = [GenerateRequest(prompt=f"song {i}") for i in range(3)]
        ...     sorted(len(item.record.tracks) for item in client.generate_many_iter(requests)
        ...            if item.record is not None)
        [2, 2, 2]
        """
        items = batch_requests(requests)
        timeout = self._batch_timeout(len(items), concurrency, timeout)
        client, runner, forward = self._client, self._runner, self._forward(on_item)

        async def start() -> AsyncGenerator[BatchItem[Any], None]:
            return client.generate_many_iter(items, concurrency=concurrency, on_item=forward)

        stream = runner.run(start, timeout=self.call_timeout,
                            on_timeout=_timed_out("generate_many_iter"))
        return self._settled(stream, time.monotonic() + timeout, timeout)

    def _settled(
        self, stream: AsyncGenerator[BatchItem[Any], None], deadline: float, timeout: float
    ) -> Iterator[SyncBatchItem[Any]]:
        expired = _timed_out("generate_many_iter", timeout, True)
        for item in relay(self._runner, stream, deadline, expired):
            yield SyncBatchItem.wrap(item, self._runner, self.max_wait)

    def _batch_timeout(self, count: int, concurrency: int, timeout: float | None) -> float:
        if timeout is not None:
            return timeout
        rounds = math.ceil(count / concurrency) if concurrency >= 1 else 1
        return rounds * self.max_wait + self.call_timeout

    def _forward(
        self, on_item: Callable[[SyncBatchItem[Any]], object] | None
    ) -> Callable[[BatchItem[Any]], object] | None:
        if on_item is None:
            return None
        user, runner, max_wait = on_item, self._runner, self.max_wait

        def forward(item: BatchItem[Any]) -> object:
            return user(SyncBatchItem.wrap(item, runner, max_wait))

        return forward


def _timed_out(
    name: str, seconds: float = SYNC_CALL_TIMEOUT, created: bool = False
) -> Callable[[], BaseException]:
    def error() -> BaseException:
        return APITimeoutError(
            f"{name}() did not finish within {seconds:g} s and was cancelled"
            + (" (a task may have been created: check client.jobs)" if created else ""),
            maybe_submitted=created,
        )

    return error


def _shutdown(runner: LoopThread, client: AsyncSunoClient) -> None:
    """Close the async client on its loop, then stop the loop (close() and at exit)."""
    try:
        if not runner.closed:
            runner.run(client.aclose, timeout=CLOSE_TIMEOUT, on_timeout=_timed_out("close"))
    except ClientClosedError:
        pass
    except Exception:
        log.warning("closing the sync client failed", exc_info=True)
    finally:
        runner.stop()
