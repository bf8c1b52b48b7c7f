"""A user's program, type-checked by ``tests/test_client_typing.py`` (never run by pytest).

It uses the SDK the way the README shows; under ``mypy --strict`` every name below has
a precise type (no ``Any``): the test reveals a few and checks a misspelt keyword is an
error.
"""

from __future__ import annotations

import asyncio

import suno_async
from suno_async import (
    GenerateRequest,
    Job,
    LyricsRecord,
    MusicRecord,
    Stage,
    SunoClient,
    WavRecord,
)
from suno_async.sync import SunoClient as SyncSunoClient
from suno_async.sync import SyncBatchItem


async def first_record(client: SunoClient) -> MusicRecord | None:
    """A batch of mappings is a batch of generate requests: MusicRecord items."""
    items = await client.generate_many([{"prompt": "one"}])
    return items[0].record


def blocking(client: SyncSunoClient) -> list[SyncBatchItem[MusicRecord]]:
    """The sync twin: a plain iterator of items, typed the same way."""
    done = []
    for item in client.generate_many_iter([GenerateRequest(prompt="x")], timeout=60):
        if item.job is not None:
            record: MusicRecord | None = item.job.record
            wrong: WavRecord | None = item.job.record  # type: ignore[assignment]
            print(record, wrong)
        done.append(item)
    return done


async def main() -> None:
    async with SunoClient(api_key="k", base_url="http://127.0.0.1:8000") as client:
        job: Job[MusicRecord] = await client.generate(prompt="calm piano", instrumental=True)
        first = await job.wait(Stage.FIRST_SUCCESS, timeout=60)
        record: MusicRecord = await job
        print(first.tracks[0].stream_audio_url, record.tracks[0].audio_url)
        extended = await client.extend(audio_id=record.tracks[0].id, model="V5")
        lyrics = await client.generate_lyrics(prompt="city night")
        print((await lyrics).variants[0].text)
        wav: WavRecord = await client.get_record("abc", "wav")
        again: Job[LyricsRecord] = client.track("abc", "lyrics")
        items = await client.generate_many([GenerateRequest(prompt=f"s{i}") for i in range(3)])
        async for done in suno_async.as_completed(items, timeout=600):
            print(done.task_id, (await done).tracks)  # the README's batch pattern
        # The batch's items carry the record type (BatchItem[MusicRecord]): were it lost
        # (Any), the "type: ignore" below would be unused, an error under --strict.
        for item in items:
            if item.job is not None:
                latest: MusicRecord | None = item.job.record
                wrong: LyricsRecord | None = item.job.record  # type: ignore[assignment]
                print(latest, wrong)
        async for settled in client.generate_many_iter(
            [GenerateRequest(prompt="a"), {"prompt": "b"}], concurrency=4
        ):  # the progress pattern: each item as it settles
            final: MusicRecord | None = settled.record
            not_lyrics: LyricsRecord | None = settled.record  # type: ignore[assignment]
            print(settled.index, final.tracks if final else settled.failure, not_lyrics)
        print(await first_record(client))
        async for finished in suno_async.as_completed([job, extended]):
            print((await finished).tracks[0].audio_url)  # a MusicRecord
        results = await suno_async.gather(job, extended)
        print(wav.wav_url, again.task_id, len(results))
        for known in client.jobs.values():
            print(known.stage)


if __name__ == "__main__":
    asyncio.run(main())
