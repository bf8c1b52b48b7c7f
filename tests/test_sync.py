"""The blocking client (``suno_async.sync``) against the sandbox over loopback.

The sandbox runs on its own loop thread (``suno_async.sync.Sandbox``), the sync client on
another: the same shape as a real program talking to a remote API. Nothing of ours is
patched.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

import pytest

from suno_async import GenerateRequest, PollPolicy, RateLimit, Stage
from suno_async import SunoClient as AsyncSunoClient
from suno_async.errors import (
    APITimeoutError,
    ClientClosedError,
    CreateTaskFailedError,
    GenerationFailedError,
    JobDetachedError,
    JobTimeoutError,
    NotFoundError,
    RequestValidationError,
    SunoError,
)
from suno_async.sync import (
    Sandbox,
    SandboxThread,
    SunoClient,
    SyncBatchItem,
    SyncJob,
    as_completed,
)

from .conftest import FAST_POLL, FAST_RETRY, FAST_TIMEOUTS, TIME_SCALE

GENERATE = "/api/v1/generate"


@pytest.fixture
def sync_sandbox() -> Iterator[SandboxThread]:
    with Sandbox(time_scale=TIME_SCALE, seed=1, poll_limit=None,
                 rate_limit=(10_000, 1.0)) as sb:
        yield sb


def sync_options(sb: SandboxThread, **overrides: object) -> dict[str, object]:
    """The keyword arguments tests/conftest.py's make_client uses; overrides win."""
    options: dict[str, object] = {
        "api_key": sb.api_key,
        "base_url": sb.url,
        "upload_base_url": sb.upload_url,
        "poll": FAST_POLL,
        "retry": FAST_RETRY,
        "timeouts": FAST_TIMEOUTS,
        "rate_limit": RateLimit(creates=1000, per_seconds=1.0, max_wait=5.0),
    }
    options.update(overrides)
    return options


def make_sync_client(sb: SandboxThread, **overrides: object) -> SunoClient:
    return SunoClient(**sync_options(sb, **overrides))  # type: ignore[arg-type]


@pytest.fixture
def sync_client(sync_sandbox: SandboxThread) -> Iterator[SunoClient]:
    with make_sync_client(sync_sandbox) as client:
        yield client


def loop_threads() -> set[str]:
    return {t.name for t in threading.enumerate() if t.name.startswith("suno-async-sync-")}


# ---------------------------------------------------------------------- basics


def test_generate_result_blocks_until_the_final_record(
    sync_sandbox: SandboxThread, sync_client: SunoClient
) -> None:
    job = sync_client.generate(prompt="lofi piano", instrumental=True)
    assert isinstance(job, SyncJob)
    assert job.task_id in sync_sandbox.call(lambda s: s.state.store.tasks)
    record = job.result(timeout=30)
    assert len(record.tracks) == 2
    assert all(track.ready for track in record.tracks)
    assert job.done() and job.stage is Stage.SUCCESS
    assert job.record is record
    assert sync_sandbox.stats.submissions[GENERATE] == 1


def test_wait_first_success_returns_the_stream_snapshot(sync_client: SunoClient) -> None:
    job = sync_client.generate(prompt="[[slow]] ambient", instrumental=True)
    first = job.wait(Stage.FIRST_SUCCESS, timeout=30)
    assert first.tracks and first.tracks[0].stream_audio_url
    assert job.stage >= Stage.FIRST_SUCCESS
    assert job.result(timeout=30).tracks[0].audio_url


def test_events_are_every_change_in_order_and_end_at_the_terminal_one(
    sync_client: SunoClient,
) -> None:
    job = sync_client.generate(prompt="[[slow]] chiptune", instrumental=True)
    events = list(job.events(timeout=30))
    stages = [event.stage for event in events]
    assert stages == sorted(set(stages))  # strictly forward, no repeats
    assert stages[-1] is Stage.SUCCESS and events[-1].terminal
    assert Stage.FIRST_SUCCESS in stages[1:] or Stage.TEXT_SUCCESS in stages[1:]
    assert all(event.task_id == job.task_id for event in events)


def test_events_can_be_left_early_and_the_job_goes_on(sync_client: SunoClient) -> None:
    job = sync_client.generate(prompt="[[slow]] jazz", instrumental=True)
    for event in job.events(timeout=30):
        assert event.stage is Stage.PENDING or event.stage >= Stage.PENDING
        break
    assert job.result(timeout=30).tracks


def test_immediate_calls_and_re_attaching(
    sync_sandbox: SandboxThread, sync_client: SunoClient, tmp_path: Path
) -> None:
    assert sync_client.get_credits() == sync_sandbox.call(lambda s: s.credits())
    job = sync_client.generate(prompt="folk", instrumental=True)
    record = job.result(timeout=30)
    fetched = sync_client.get_record(job.task_id)
    assert fetched.task_id == job.task_id
    again = sync_client.track(job.task_id)
    assert again == job  # the same underlying handle
    path = sync_client.download(record.tracks[0], tmp_path)
    assert path.exists() and path.stat().st_size > 0
    with pytest.raises(NotFoundError):
        sync_client.get_record("f" * 32)


def test_a_chain_of_families_and_the_jobs_snapshot(
    sync_client: SunoClient, tmp_path: Path
) -> None:
    song = sync_client.generate(prompt="surf rock", instrumental=True).result(timeout=30)
    wav_job = sync_client.convert_to_wav(task_id=song.task_id, audio_id=song.tracks[0].id)
    assert wav_job.kind == "wav"
    wav = wav_job.result(timeout=30)
    assert wav.wav_url
    assert sync_client.download(wav.wav_url, tmp_path / "song.wav").stat().st_size > 0
    assert set(sync_client.jobs) == {song.task_id, wav_job.task_id}
    assert sync_client.jobs[wav_job.task_id] == wav_job


def test_detach_ends_waits_with_the_async_error(sync_client: SunoClient) -> None:
    job = sync_client.generate(prompt="[[never]] forever")
    job.detach()
    with pytest.raises(JobDetachedError):
        job.result(timeout=5)
    assert isinstance(job.error, JobDetachedError) and not job.done()


def test_track_from_another_client(sync_sandbox: SandboxThread) -> None:
    with make_sync_client(sync_sandbox) as first:
        task_id = first.generate(prompt="[[slow]] drone").task_id
    with make_sync_client(sync_sandbox) as second:
        assert second.track(task_id).result(timeout=30).tracks
    assert sync_sandbox.stats.submissions[GENERATE] == 1


def test_generate_many_and_on_item(sync_sandbox: SandboxThread, sync_client: SunoClient) -> None:
    seen: list[SyncBatchItem] = []
    requests = [GenerateRequest(prompt=f"song {i}") for i in range(3)]
    items = sync_client.generate_many(requests, concurrency=2, on_item=seen.append)
    assert [item.index for item in items] == [0, 1, 2]
    assert sorted(item.index for item in seen) == [0, 1, 2]
    assert all(isinstance(item.job, SyncJob) for item in seen)
    for item in items:
        assert item.ok and item.job is not None
        assert item.job.result(timeout=30).tracks
    assert sync_sandbox.stats.submissions[GENERATE] == 3


def test_as_completed_yields_each_job_once_fastest_first(sync_client: SunoClient) -> None:
    slow = sync_client.generate(prompt="[[slow]] long one")
    failed = sync_client.generate(prompt="[[create-fail]] broken")
    quick = sync_client.generate(prompt="[[skip]] quick")
    order = list(as_completed([slow, failed, quick], timeout=30))
    assert sorted(order, key=id) == sorted([slow, failed, quick], key=id)
    assert order[-1] == slow  # three times the timeline of the others
    with pytest.raises(CreateTaskFailedError):
        failed.result()


def test_as_completed_is_bounded(sync_client: SunoClient) -> None:
    stuck = sync_client.generate(prompt="[[never]] forever")
    with pytest.raises(TimeoutError):
        list(as_completed([stuck], timeout=0.05))
    assert not stuck.done()


def test_resume_from_a_journal(sync_sandbox: SandboxThread, tmp_path: Path) -> None:
    journal = tmp_path / "jobs.sqlite3"
    with make_sync_client(sync_sandbox, journal=journal) as first:
        task_id = first.generate(prompt="[[never]] stuck").task_id
    with make_sync_client(sync_sandbox, journal=journal) as second:
        resumed = second.resume()
        assert [job.task_id for job in resumed] == [task_id]
        assert not resumed[0].done()


def test_call_runs_async_code_on_the_client_loop(sync_client: SunoClient) -> None:
    caller = threading.get_ident()

    async def credits_and_thread(client: AsyncSunoClient) -> tuple[float, int]:
        return await client.get_credits(), threading.get_ident()

    credits, thread = sync_client.call(credits_and_thread)
    assert credits == sync_client.get_credits()
    assert thread != caller
    with pytest.raises(APITimeoutError):
        sync_client.call(lambda c: asyncio.sleep(10), timeout=0.05)
    assert sync_client.get_credits() == credits  # still fine after the cancelled call


def test_a_blocking_call_from_the_loop_thread_is_refused(sync_client: SunoClient) -> None:
    errors: list[BaseException] = []

    def on_item(item: SyncBatchItem) -> None:
        try:
            sync_client.get_credits()
        except RuntimeError as exc:
            errors.append(exc)

    sync_client.generate_many([GenerateRequest(prompt="x")], on_item=on_item)
    assert len(errors) == 1 and "own event loop thread" in str(errors[0])


# ---------------------------------------------------------------------- same errors as async


@pytest.mark.parametrize(
    ("prompt", "error"),
    [
        ("[[fail]] doom", GenerationFailedError),
        ("[[create-fail]] doom", CreateTaskFailedError),
    ],
)
def test_a_failure_raises_the_same_class_as_the_async_client(
    sync_sandbox: SandboxThread, sync_client: SunoClient, prompt: str, error: type[Exception]
) -> None:
    async def async_outcome() -> BaseException:
        async with AsyncSunoClient(**sync_options(sync_sandbox)) as client:  # type: ignore[arg-type]
            job = await client.generate(prompt=prompt)
            try:
                await job
            except Exception as exc:
                return exc
        raise AssertionError("the async job did not fail")

    expected = asyncio.run(async_outcome())
    job = sync_client.generate(prompt=prompt)
    with pytest.raises(error) as caught:
        job.result(timeout=30)
    assert type(caught.value) is type(expected)
    assert caught.value is job.error  # the async job's own exception, unchanged
    with pytest.raises(error):
        job.wait(Stage.FIRST_SUCCESS)  # a failure rejects every stage
    assert job.stage is Stage.FAILED


def test_invalid_input_raises_before_sending(
    sync_sandbox: SandboxThread, sync_client: SunoClient
) -> None:
    with pytest.raises(RequestValidationError):
        sync_client.generate(prompt="")
    assert sync_sandbox.stats.submissions[GENERATE] == 0


# ---------------------------------------------------------------------- bounded waits


def test_a_wait_timeout_is_not_a_job_failure(sync_client: SunoClient) -> None:
    job = sync_client.generate(prompt="[[never]] forever")
    with pytest.raises(JobTimeoutError):
        job.wait(Stage.TEXT_SUCCESS, timeout=0.05)
    assert not job.done() and job.error is None
    with pytest.raises(JobTimeoutError):
        list(job.events(timeout=0.05))
    assert not job.done() and job.error is None


def test_timeout_none_means_the_poll_policy_max_wait(sync_sandbox: SandboxThread) -> None:
    short = PollPolicy(initial=0.01, maximum=0.05, early_maximum=0.03, min_interval=0.0,
                       max_wait=0.3)
    with make_sync_client(sync_sandbox, poll=short) as client:
        assert client.max_wait == 0.3
        job = client.generate(prompt="[[never]] forever")
        with pytest.raises(JobTimeoutError):
            job.result()  # no timeout given: bounded all the same


def test_call_timeout_must_be_positive(sync_sandbox: SandboxThread) -> None:
    with pytest.raises(ValueError, match="call_timeout"):
        make_sync_client(sync_sandbox, call_timeout=0)


# ---------------------------------------------------------------------- where it runs


def plain_function(client: SunoClient) -> int:
    """What a notebook cell does: a plain call, while the cell's loop is running."""
    return len(client.generate(prompt="notebook", instrumental=True).result(timeout=30).tracks)


def test_inside_a_running_event_loop(sync_client: SunoClient) -> None:
    async def cell() -> int:
        asyncio.get_running_loop()  # a loop runs in this thread, as in Jupyter
        return plain_function(sync_client)

    assert asyncio.run(cell()) == 2


def test_one_client_across_several_asyncio_runs(sync_client: SunoClient) -> None:
    async def main(i: int) -> float:
        plain_function(sync_client)
        return sync_client.get_credits()

    first = asyncio.run(main(1))
    second = asyncio.run(main(2))
    assert second < first  # both ran and each paid for its song
    assert plain_function(sync_client) == 2  # and still usable outside any loop


def test_from_several_threads_at_once(sync_sandbox: SandboxThread, sync_client: SunoClient) -> None:
    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(plain_function(sync_client)))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == [2, 2, 2]
    assert sync_sandbox.stats.submissions[GENERATE] == 3


# ---------------------------------------------------------------------- closing


def test_close_twice_then_use_is_a_clear_error(sync_sandbox: SandboxThread) -> None:
    before = loop_threads()
    client = make_sync_client(sync_sandbox)
    (name,) = loop_threads() - before
    job = client.generate(prompt="done before close")
    record = job.result(timeout=30)
    client.close()
    client.close()
    assert client.closed
    assert name not in loop_threads()  # the thread is gone
    with pytest.raises(ClientClosedError):
        client.generate(prompt="after close")
    with pytest.raises(ClientClosedError):
        client.get_credits()
    assert job.result() is record  # a finished job still answers
    assert sync_sandbox.stats.submissions[GENERATE] == 1


def test_close_ends_a_pending_wait(sync_client: SunoClient) -> None:
    job = sync_client.generate(prompt="[[never]] forever")
    closer = threading.Timer(0.1, sync_client.close)
    closer.start()
    try:
        with pytest.raises(ClientClosedError):
            job.result(timeout=30)
    finally:
        closer.join()
    assert sync_client.closed


def test_close_ends_a_create_queued_for_its_slot(sync_sandbox: SandboxThread) -> None:
    slow = RateLimit(creates=1, per_seconds=30.0, max_wait=60.0)
    client = make_sync_client(sync_sandbox, rate_limit=slow)
    client.generate(prompt="first")
    closer = threading.Timer(0.1, client.close)
    closer.start()
    try:
        with pytest.raises(ClientClosedError):
            client.generate(prompt="second")  # never sent: the client closed first
    finally:
        closer.join()
    assert sync_sandbox.stats.submissions[GENERATE] == 1


def test_close_while_other_threads_call(sync_sandbox: SandboxThread) -> None:
    client = make_sync_client(sync_sandbox)
    ended: list[str] = []
    calls = threading.Semaphore(0)

    def hammer() -> None:
        while True:
            try:
                client.get_credits()
            except ClientClosedError:
                ended.append("closed")
                return
            except SunoError:  # a request cut by the session closing, as in async
                pass
            calls.release()

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for _ in range(8):
        assert calls.acquire(timeout=10)
    client.close()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads)
    assert ended == ["closed"] * 4


def test_a_forgotten_client_is_closed_when_collected(sync_sandbox: SandboxThread) -> None:
    before = loop_threads()
    client = make_sync_client(sync_sandbox)
    assert client.get_credits() > 0
    (name,) = loop_threads() - before
    del client
    gc.collect()
    assert name not in loop_threads()


def test_a_bad_constructor_argument_leaves_no_thread(sync_sandbox: SandboxThread) -> None:
    before = loop_threads()
    with pytest.raises(ValueError, match="provider"):
        SunoClient(api_key="k", provider="nope")
    assert loop_threads() <= before


# ---------------------------------------------------------------------- Ctrl-C


def _blocked_in_loop_call(frame: FrameType | None) -> bool:
    while frame is not None:
        if frame.f_code.co_name == "run" and frame.f_code.co_filename.endswith("_loop.py"):
            return True
        frame = frame.f_back
    return False


def interrupt_main_when_blocked() -> threading.Thread:
    """Send SIGINT to the main thread once it is blocked in a sync call (as Ctrl-C does)."""
    main = threading.main_thread().ident
    assert main is not None and threading.get_ident() == main

    def watch() -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if _blocked_in_loop_call(sys._current_frames().get(main)):
                time.sleep(0.05)  # well inside the wait
                signal.pthread_kill(main, signal.SIGINT)
                return
            time.sleep(0.005)

    watcher = threading.Thread(target=watch, name="test-interrupter")
    watcher.start()
    return watcher


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_cancels_a_create_still_queued_for_its_slot(sync_sandbox: SandboxThread) -> None:
    slow = RateLimit(creates=1, per_seconds=0.5, max_wait=10.0)
    with make_sync_client(sync_sandbox, rate_limit=slow) as client:
        client.generate(prompt="first")  # takes the only slot of the window
        watcher = interrupt_main_when_blocked()
        try:
            with pytest.raises(KeyboardInterrupt):
                client.generate(prompt="second")  # queued for the next slot
        finally:
            watcher.join()
        third = client.generate(prompt="third")  # the next slot: not taken by "second"
        assert sync_sandbox.stats.submissions[GENERATE] == 2
        prompts = sync_sandbox.call(
            lambda s: sorted(str(t.body.get("prompt")) for t in s.state.store.tasks.values())
        )
        assert prompts == ["first", "third"]
        assert third.task_id


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_in_a_wait_cancels_only_that_wait(sync_client: SunoClient) -> None:
    job = sync_client.generate(prompt="[[slow]] long")
    watcher = interrupt_main_when_blocked()
    try:
        with pytest.raises(KeyboardInterrupt):
            job.wait(Stage.SUCCESS, timeout=30)
    finally:
        watcher.join()
    assert job.error is None  # the job still runs
    assert job.result(timeout=30).tracks


# ---------------------------------------------------------------------- shape


def _public_methods(cls: type) -> set[str]:
    return {
        name
        for name, value in inspect.getmembers(cls)
        if not name.startswith("_") and callable(value) and not isinstance(value, type)
    }


def test_every_async_method_has_a_blocking_twin() -> None:
    missing = _public_methods(AsyncSunoClient) - {"aclose"} - _public_methods(SunoClient)
    assert not missing, f"add these to suno_async/sync/_client.py: {sorted(missing)}"


def test_the_constructor_takes_the_async_arguments() -> None:
    def params(fn: Callable[..., object]) -> dict[str, inspect.Parameter]:
        return dict(inspect.signature(fn).parameters)

    async_params = params(AsyncSunoClient.__init__)
    sync_params = params(SunoClient.__init__)
    async_params.pop("session")  # one event loop's object: not for a blocking client
    assert set(sync_params) - set(async_params) == {"call_timeout"}
    for name, param in async_params.items():
        assert name in sync_params, f"sync SunoClient lacks {name!r}"
        assert sync_params[name].kind == param.kind, name
        assert sync_params[name].default == param.default, name


def test_derived_methods_keep_the_async_signature() -> None:
    written_out = {"aclose", "generate_many", "generate_many_iter"}  # not derived
    for name in _public_methods(AsyncSunoClient) - written_out:
        wrapped = getattr(SunoClient, name)
        assert inspect.signature(wrapped) == inspect.signature(getattr(AsyncSunoClient, name))
        assert wrapped.__doc__ and "Blocking" in wrapped.__doc__
