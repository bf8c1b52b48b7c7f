"""A batch script that never pays twice: a journal records every task id as it is created.

Run it (no account needed: an in-process sandbox stands in for the API)::

    python examples/batch_journal.py

It generates a batch of songs with bounded concurrency, downloads each one as it
finishes, and "crashes" half-way; the second run, with the same journal file, re-attaches
to the tasks already created instead of submitting them again. Against the real API::

    SUNO_API_KEY=... python examples/batch_journal.py --live --journal jobs.sqlite3

(interrupt it with Ctrl-C and run the same command again: nothing is resubmitted).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import Sequence
from pathlib import Path

import suno_async
from suno_async import GenerateRequest, PollPolicy, SunoClient
from suno_async.errors import SunoError
from suno_async.sandbox import Sandbox

PROMPTS = [
    "lofi hip hop with vinyl crackle",
    "epic orchestral trailer music",
    "bossa nova on a summer evening",
    "chiptune boss battle",
    "ambient drone for deep focus",
    "country road trip anthem",
]


async def run_batch(
    client: SunoClient,
    prompts: Sequence[str],
    out_dir: Path,
    *,
    concurrency: int = 3,
    stop_after: int | None = None,
) -> list[Path]:
    """Submit (or re-attach) every prompt, download each result as it completes.

    ``stop_after`` simulates a crash after that many jobs finished.
    """
    if client.journal is not None:
        resumed = await client.resume()  # unfinished tasks of an earlier run
        if resumed:
            print(f"re-attached {len(resumed)} unfinished tasks from the journal")
    requests = [GenerateRequest(prompt=p, instrumental=True) for p in prompts]
    files: list[Path] = []
    finished = 0
    crashed = asyncio.Event()
    followers: list[asyncio.Task[None]] = []

    async def finish(job: suno_async.Job[suno_async.MusicRecord]) -> None:
        nonlocal finished
        try:
            record = await job
        except SunoError as exc:
            print(f"failed: {exc}")
        else:
            for track in record.tracks:
                files.append(await client.download(track, f"{out_dir}/"))
            print(f"done      {job.task_id}: {record.tracks[0].title}")
        finished += 1
        if stop_after is not None and finished >= stop_after:
            crashed.set()

    def on_item(item: suno_async.BatchItem) -> None:
        if item.job is None:
            print(f"request #{item.index} not submitted: {item.error}")
            return
        print(f"{'resumed ' if item.resumed else 'submitted'} #{item.index} {item.job.task_id}")
        followers.append(asyncio.create_task(finish(item.job)))

    async def everything() -> None:
        # generate_many returns once every request is submitted (at most
        # `concurrency` jobs run at once); then wait for the last ones.
        await client.generate_many(requests, concurrency=concurrency, on_item=on_item)
        await asyncio.gather(*followers)

    work = asyncio.create_task(everything())
    crash = asyncio.create_task(crashed.wait())
    await asyncio.wait({work, crash}, return_when=asyncio.FIRST_COMPLETED)
    if crashed.is_set():
        print(f"-- simulated crash after {finished} finished jobs --")
    for task in (work, crash, *followers):
        task.cancel()
    await asyncio.gather(work, crash, *followers, return_exceptions=True)
    return files


def sandbox_client(sb: Sandbox, journal: str, poll: PollPolicy) -> SunoClient:
    return SunoClient(api_key=sb.api_key, base_url=sb.url, poll=poll, journal=journal)


async def demo(
    out_dir: Path,
    journal: str,
    *,
    time_scale: float = 0.02,
    poll: PollPolicy | None = None,
) -> tuple[int, list[Path]]:
    """Two runs on one sandbox: a crash half-way, then a resume. Returns (submissions, files)."""
    poll = poll or PollPolicy(initial=0.2, maximum=1.0, early_maximum=0.2)
    async with Sandbox(time_scale=time_scale, seed=7) as sb:
        async with sandbox_client(sb, journal, poll) as client:
            first = await run_batch(client, PROMPTS, out_dir, concurrency=2, stop_after=1)
        print("== second run, same journal ==")
        async with sandbox_client(sb, journal, poll) as client:
            second = await run_batch(client, PROMPTS, out_dir, concurrency=2)
        submissions = sb.stats.submissions["/api/v1/generate"]
    print(f"{submissions} submissions for {len(PROMPTS)} prompts; files in {out_dir}")
    return submissions, first + second


async def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--live", action="store_true", help="use SUNO_API_KEY / SUNO_BASE_URL")
    parser.add_argument("--journal", default=None, help="journal file (default: a temp file)")
    parser.add_argument("--out", default="suno-output", help="download directory")
    args = parser.parse_args(argv)
    journal = args.journal or str(Path(tempfile.mkdtemp()) / "jobs.sqlite3")
    if args.live:
        async with SunoClient(journal=journal) as client:
            await run_batch(client, PROMPTS, Path(args.out))
        return 0
    await demo(Path(args.out), journal)
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
