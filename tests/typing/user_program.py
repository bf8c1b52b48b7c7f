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
        async for finished in suno_async.as_completed([job, extended]):
            print((await finished).tracks[0].audio_url)  # a MusicRecord
        results = await suno_async.gather(job, extended)
        print(wav.wav_url, again.task_id, len(results))
        for known in client.jobs.values():
            print(known.stage)


if __name__ == "__main__":
    asyncio.run(main())
